package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Runs task graphs. The stand-in runs every task of the selected graph (or of all graphs) in order
 * on the calling thread; device, profiler and compilation settings are accepted and ignored.
 */
public class TornadoExecutionPlan implements AutoCloseable {
    private final ImmutableTaskGraph[] graphs;
    private int selected = -1;

    public TornadoExecutionPlan(ImmutableTaskGraph... graphs) {
        this.graphs = graphs.clone();
    }

    public TornadoExecutionResult execute() {
        long start = System.nanoTime();
        for (int g = 0; g < graphs.length; g++) {
            if (selected < 0 || selected == g) {
                for (Runnable task : graphs[g].tasks) {
                    task.run();
                }
            }
        }
        return new TornadoExecutionResult(new TornadoProfilerResult(System.nanoTime() - start));
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
        return this;
    }

    public TornadoExecutionPlan withoutProfiler() {
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

    public TornadoExecutionPlan withPrintKernel() {
        return this;
    }

    public TornadoExecutionPlan freeDeviceMemory() {
        return this;
    }

    public long getCurrentDeviceMemoryUsage() {
        return 0;
    }

    public static TornadoDevice getDevice(int backendIndex, int deviceIndex) {
        return TornadoRuntimeProvider.getTornadoRuntime().getBackend(backendIndex).getDevice(deviceIndex);
    }

    @Override
    public void close() throws TornadoExecutionPlanException {
    }
}
