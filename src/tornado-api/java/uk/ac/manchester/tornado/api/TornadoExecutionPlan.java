package uk.ac.manchester.tornado.api;

import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Runs task graphs. The stand-in runs every task of the selected graph (or of all graphs) in order on
 * the calling thread, on device memory of its own that it keeps apart from the host's and moves data
 * through only as the graphs declare (see {@link DeviceMemory}); device and compilation settings are
 * accepted and ignored. With a profiler, it times each task on the host and writes a profile log in
 * TornadoVM's JSON layout (graph totals, then one object per task, {@code TASK_KERNEL_TIME} in
 * nanoseconds); like TornadoVM's, the log grows with every profiled execution until {@link #clearProfiles()}.
 */
public class TornadoExecutionPlan implements AutoCloseable {
    private final ImmutableTaskGraph[] graphs;
    private final DeviceMemory memory = new DeviceMemory();
    private int selected = -1;
    private boolean profiler;
    private final StringBuilder profileLog = new StringBuilder();

    public TornadoExecutionPlan(ImmutableTaskGraph... graphs) {
        this.graphs = graphs.clone();
    }

    /** The graphs {@link #withGraph}/{@link #withAllGraphs} select now. */
    List<ImmutableTaskGraph> selection() {
        return selected < 0 ? List.of(graphs) : List.of(graphs[selected]);
    }

    public TornadoExecutionResult execute() {
        long start = System.nanoTime();
        memory.execute(selection(), new DeviceMemory.TaskTimer() {
            private ImmutableTaskGraph graph;
            private long graphStart;
            private final List<Long> nanos = new ArrayList<>();

            @Override
            public void graphStarted(ImmutableTaskGraph g) {
                graph = g;
                graphStart = System.nanoTime();
                nanos.clear();
            }

            @Override
            public void taskDone(long n) {
                nanos.add(n);
            }

            @Override
            public void graphDone() {
                if (profiler) {
                    log(graph, System.nanoTime() - graphStart, nanos.stream().mapToLong(Long::longValue).toArray());
                }
            }
        });
        return new TornadoExecutionResult(this, new TornadoProfilerResult(System.nanoTime() - start, profileLog.toString()));
    }

    /** For {@link TornadoExecutionResult#transferToHost}: as in TornadoVM, it acts on the plan's selection at the time of the call. */
    void transferToHost(Object... objects) {
        memory.transferToHost(selection(), objects);
    }

    private void log(ImmutableTaskGraph graph, long total, long[] nanos) {
        long kernels = 0;
        for (long n : nanos) {
            kernels += n;
        }
        profileLog.append("{\n    \"").append(graph.name).append("\": {\n");
        profileLog.append("        \"TOTAL_TASK_GRAPH_TIME\": \"").append(total).append("\",\n");
        profileLog.append("        \"TOTAL_KERNEL_TIME\": \"").append(kernels).append("\",\n");
        profileLog.append("        \"COPY_IN_TIME\": \"0\",\n        \"COPY_OUT_TIME\": \"0\"");
        for (int t = 0; t < nanos.length; t++) {
            profileLog.append(",\n        \"").append(graph.name).append('.').append(graph.tasks.get(t).id()).append("\": {\n");
            profileLog.append("            \"DEVICE\": \"stand-in (JVM, calling thread)\",\n");
            profileLog.append("            \"TASK_KERNEL_TIME\": \"").append(nanos[t]).append("\"\n        }");
        }
        profileLog.append("\n    }\n}\n");
    }

    public TornadoExecutionPlan withGraph(int graphIndex) {
        if (graphIndex < 0 || graphIndex >= graphs.length) {
            throw new IllegalArgumentException("no graph " + graphIndex + " in a plan of " + graphs.length);
        }
        selected = graphIndex;
        return this;
    }

    public TornadoExecutionPlan withAllGraphs() {
        selected = -1;
        return this;
    }

    public TornadoExecutionPlan withDevice(TornadoDevice device) {
        return this;
    }

    public TornadoExecutionPlan withProfiler(ProfilerMode mode) {
        profiler = true;
        return this;
    }

    public TornadoExecutionPlan withoutProfiler() {
        profiler = false;
        return this;
    }

    public TornadoExecutionPlan clearProfiles() {
        profileLog.setLength(0);
        return this;
    }

    public TornadoExecutionPlan withPreCompilation() {
        return this;
    }

    public TornadoExecutionPlan withWarmUpIterations(int iterations) {
        return this;
    }

    public TornadoExecutionPlan withMemoryLimit(String limit) {
        return this;
    }

    public TornadoExecutionPlan withThreadInfo() {
        return this;
    }

    public TornadoExecutionPlan withoutThreadInfo() {
        return this;
    }

    public TornadoExecutionPlan withPrintKernel() {
        return this;
    }

    public TornadoExecutionPlan withoutPrintKernel() {
        return this;
    }

    public TornadoExecutionPlan freeDeviceMemory() {
        return this;
    }

    /**
     * The stand-in's figure: the bytes of every device copy its graphs hold (headers included), a copy
     * shared through {@code consumeFromDevice} once. TornadoVM 5.2's own figure is that of the graph's
     * last allocation only, so lenet does not read it from TornadoVM.
     */
    public long getCurrentDeviceMemoryUsage() {
        return memory.bytes();
    }

    public static TornadoDevice getDevice(int backendIndex, int deviceIndex) {
        return TornadoRuntimeProvider.getTornadoRuntime().getBackend(backendIndex).getDevice(deviceIndex);
    }

    @Override
    public void close() throws TornadoExecutionPlanException {
    }
}
