package lenet.engine;

import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import static lenet.engine.GraphSink.named;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.FIRST_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.UNDER_DEMAND;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import lenet.engine.GraphSink.Named;
import lenet.kernels.Batch;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Runs the plain kernels as TornadoVM task graphs on one device. Parameters, gradients, activations and
 * both data sets stay on the device for the whole run; a training step moves nothing across the bus:
 * the batch is gathered on the device through the epoch's order (uploaded once per epoch) and a cursor
 * the step itself advances; loss and accuracy sums stay on the device until a progress line asks.
 *
 * <p>One execution plan holds these graphs (index: name):
 * <ol start="0">
 * <li>{@code epoch}: uploads the epoch's order and moves the training cursor to its first batch;</li>
 * <li>{@code train}: one SGD step on a batch of B examples;</li>
 * <li>{@code trainTail}: the same for the last, partial batch (only when B does not divide the set);</li>
 * <li>{@code eval}: forward pass and correct count on B test examples;</li>
 * <li>{@code evalTail}: the same for the last test batch (when needed).</li>
 * </ol>
 * Buffers used by several graphs are kept by one graph ({@code persistOnDevice}) and taken over by the
 * next ({@code consumeFromDevice}), so every graph sees one copy of the parameters. A graph takes
 * buffers from one other graph only: TornadoVM keeps one source graph per consumer.
 *
 * <p>Nothing falls back to the JVM silently: run with {@code -Dtornado.recover.bailout=False}
 * ({@link Engines} insists), TornadoVM's failures become an {@link EngineException} naming the graph, and
 * at a graph's first execution (when TornadoVM compiles it) the task whose kernel does not compile.
 */
public final class TornadoEngine implements Engine {
    private final EngineData data;
    private final Params params;
    private final int batch;
    private final int trainTail;
    private final int testBatch;
    private final int testTail;
    private final IntArray order;
    private final IntArray testOrder;
    private final IntArray trainCursor = zeroInts(1);
    private final IntArray epochStart = zeroInts(1);
    private final IntArray testCursor = zeroInts(1);
    private final FloatArray trainTotals = zeroFloats(2);
    private final FloatArray testTotals = zeroFloats(2);
    private final List<GraphSink> graphs = new ArrayList<>();
    private final int[] index = new int[5];
    private final TornadoExecutionPlan plan;
    private final String deviceName;
    private final TornadoDevice device;
    private final Study study;
    private final KernelDump kernels;
    private final boolean[] ran = new boolean[5];
    private int profiledSteps;
    private ProfileReport.Step compilingStep;
    private TornadoExecutionResult lastTrain;
    private TornadoExecutionResult lastEval;
    private long examples;
    private int next;

    /**
     * @param device the device to run on, or null for TornadoVM's default device
     */
    public TornadoEngine(EngineData data, Params initial, float lr, int batchSize, TornadoDevice device) {
        this(data, initial, lr, batchSize, device, Study.NONE, null);
    }

    /**
     * @param device  the device to run on, or null for TornadoVM's default device
     * @param study   {@code --profile} (the report goes to {@code study.out()}); verification is {@link VerifyingEngine}'s
     * @param kernels where to put the kernels for {@code --print-kernels}, prepared before the runtime started; or null
     */
    TornadoEngine(EngineData data, Params initial, float lr, int batchSize, TornadoDevice device, Study study, KernelDump kernels) {
        this.data = data;
        this.device = device;
        this.study = study;
        this.kernels = kernels;
        this.params = initial.copy();
        this.batch = Math.min(batchSize, data.trainCount());
        this.trainTail = data.trainCount() % batch;
        this.testBatch = Math.min(batchSize, data.testCount());
        this.testTail = data.testCount() % testBatch;
        this.order = identity(data.trainCount());
        this.testOrder = identity(data.testCount());

        Named[] weights = weights(params);
        Named[] trainSet = {named("trainImages", data.trainImages()), named("trainLabels", data.trainLabels())};
        Named[] testSet = {named("testImages", data.testImages()), named("testLabels", data.testLabels()), named("testOrder", testOrder)};
        Named[] epochState = {named("order", order), named("trainCursor", trainCursor)};
        Named[] totals = {named("trainTotals", trainTotals)};

        GraphSink epoch = add(0, new GraphSink("epoch"));
        epoch.toDevice(EVERY_EXECUTION, named("order", order), named("epochStart", epochStart));
        epoch.task("batch.seek", Batch::seek, trainCursor, epochStart);
        epoch.persist(epochState);

        GraphSink train = add(1, trainGraph("train", batch, lr));
        train.consume("epoch", epochState);
        train.toDevice(FIRST_EXECUTION, concat(weights, trainSet, totals));
        train.persist(concat(weights, trainSet, epochState, totals));
        train.toHost(UNDER_DEMAND, concat(new Named[] {named("trainTotals", trainTotals)}, weights));
        if (trainTail > 0) {
            GraphSink tail = add(2, trainGraph("trainTail", trainTail, lr));
            tail.consume("train", concat(weights, trainSet, epochState, totals));
            tail.toHost(UNDER_DEMAND, concat(new Named[] {named("trainTotals", trainTotals)}, weights));
        }

        // Evaluation reads the parameters training left on the device. The test cursor is set by the
        // host before each batch (4 bytes): evaluation is not the hot path.
        Named[] testState = {named("testTotals", testTotals)};
        GraphSink eval = add(3, evalGraph("eval", testBatch));
        eval.consume("train", weights);
        eval.toDevice(FIRST_EXECUTION, concat(testSet, testState));
        eval.toDevice(EVERY_EXECUTION, named("testCursor", testCursor));
        eval.persist(concat(weights, testSet, testState));
        eval.toHost(UNDER_DEMAND, testState);
        if (testTail > 0) {
            GraphSink tail = add(4, evalGraph("evalTail", testTail));
            tail.consume("eval", concat(weights, testSet, testState));
            tail.toDevice(EVERY_EXECUTION, named("testCursor", testCursor));
            tail.toHost(UNDER_DEMAND, testState);
        }

        plan = new TornadoExecutionPlan(graphs.stream().map(g -> g.graph().snapshot()).toArray(ImmutableTaskGraph[]::new));
        if (device != null) {
            plan.withDevice(device);
            deviceName = device.getDeviceName() + " " + device.getDescription();
        } else {
            deviceName = defaultDeviceName();
        }
        if (kernels != null) {
            plan.withPrintKernel();
        }
        if (study.profile()) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
    }

    private static String defaultDeviceName() {
        if (TornadoRuntimeInfo.isPresent()) {
            try {
                TornadoDevice d = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice();
                return d.getDeviceName() + " " + d.getDescription() + " (TornadoVM's default device)";
            } catch (RuntimeException e) {
                // fall through: the name is for the report only
            }
        }
        return "TornadoVM default device";
    }

    private GraphSink add(int slot, GraphSink g) {
        index[slot] = graphs.size();
        graphs.add(g);
        return g;
    }

    /**
     * Gather, then one SGD step ({@link LeNetGraph#step}: forward, loss, backward with each layer's last
     * gradient stage taking the SGD step), then the running sums and the next batch: 24 tasks at batch 256.
     */
    private GraphSink trainGraph(String name, int n, float lr) {
        GraphSink g = new GraphSink(name);
        Activations b = new Activations(n);
        Params grads = Params.zeros();
        g.task("batch.gather", Batch::gather, data.trainImages(), data.trainLabels(), order, trainCursor, b.x, b.labels, n, LeNet.PIXELS);
        LeNetGraph.step(g, KernelSet.PLAIN, params, grads, b, 1.0f / n, lr);
        g.task("loss.accumulate", SoftmaxCrossEntropy::accumulate, b.loss, b.correct, trainCursor, trainTotals, n, n);
        g.toDevice(FIRST_EXECUTION, activations(b, grads));
        return g;
    }

    /** Gather, forward, running correct count: evaluation of n test examples. */
    private GraphSink evalGraph(String name, int n) {
        GraphSink g = new GraphSink(name);
        Activations b = new Activations(n);
        g.task("batch.gather", Batch::gather, data.testImages(), data.testLabels(), testOrder, testCursor, b.x, b.labels, n, LeNet.PIXELS);
        LeNetGraph.forward(g, KernelSet.PLAIN, params, b);
        g.task("loss.accumulate", SoftmaxCrossEntropy::accumulate, b.loss, b.correct, testCursor, testTotals, n, 0);
        g.toDevice(FIRST_EXECUTION, activations(b, null));
        return g;
    }

    private static Named[] activations(Activations b, Params grads) {
        List<Named> list = new ArrayList<>(List.of(named("x", b.x), named("labels", b.labels), named("a1", b.a1), named("p1", b.p1),
                named("a2", b.a2), named("p2", b.p2), named("a3", b.a3), named("a4", b.a4), named("logits", b.logits),
                named("probs", b.probs), named("loss", b.loss), named("correct", b.correct)));
        if (grads != null) {
            list.addAll(List.of(named("dLogits", b.dLogits), named("da4", b.da4), named("da3", b.da3), named("dp2", b.dp2),
                    named("da2", b.da2), named("dp1", b.dp1), named("da1", b.da1),
                    named("c1wPart", b.c1wPart), named("c1bPart", b.c1bPart), named("c2wPart", b.c2wPart), named("c2bPart", b.c2bPart),
                    named("f1wPart", b.f1wPart), named("f1bPart", b.f1bPart), named("f2wPart", b.f2wPart), named("f2bPart", b.f2bPart),
                    named("f3wPart", b.f3wPart), named("f3bPart", b.f3bPart)));
            List<FloatArray> g = grads.tensors();
            for (int j = 0; j < g.size(); j++) {
                list.add(named("grad " + LeNet.PARAMS.get(j).name(), g.get(j)));
            }
        }
        return list.toArray(Named[]::new);
    }

    private static Named[] weights(Params p) {
        List<FloatArray> t = p.tensors();
        Named[] w = new Named[t.size()];
        for (int j = 0; j < w.length; j++) {
            w[j] = named(LeNet.PARAMS.get(j).name(), t.get(j));
        }
        return w;
    }

    private static Named[] concat(Named[]... parts) {
        List<Named> all = new ArrayList<>();
        for (Named[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(Named[]::new);
    }

    private static IntArray identity(int count) {
        IntArray a = new IntArray(count);
        for (int i = 0; i < count; i++) {
            a.set(i, i);
        }
        return a;
    }

    private static IntArray zeroInts(int size) {
        IntArray a = new IntArray(size);
        a.init(0);
        return a;
    }

    private static FloatArray zeroFloats(int size) {
        FloatArray a = new FloatArray(size);
        a.init(0.0f);
        return a;
    }

    /** The graphs of the plan, in plan order: their tasks and transfers. */
    public List<GraphSink> graphs() {
        return List.copyOf(graphs);
    }

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public String device() {
        return deviceName;
    }

    @Override
    public boolean cheapTotals() {
        return false;
    }

    /**
     * Runs a graph. Its first execution compiles it: TornadoVM's errors then name the graph and, found by
     * compiling its tasks one at a time, the task whose kernel does not compile.
     */
    private TornadoExecutionResult execute(int slot) {
        GraphSink g = graphs.get(index[slot]);
        TornadoExecutionResult result;
        try {
            result = plan.withGraph(index[slot]).execute();
        } catch (RuntimeException | Error e) {
            if (e instanceof EngineException || !TornadoErrors.fromTornado(e)) {
                throw e;
            }
            if (!ran[slot] && kernels != null) {
                kernels.collect(g, deviceName, study.out()); // what compiled before the failure, to study it
            }
            if (!ran[slot] && !TornadoErrors.outOfDeviceMemory(e)) {
                throw culprit(g, e);
            }
            throw TornadoErrors.graphFailed(g.name(), e);
        }
        if (!ran[slot]) {
            ran[slot] = true;
            if (kernels != null) {
                kernels.collect(g, deviceName, study.out());
            }
        }
        if (study.profile() && slot == 1) {
            profile(g, result);
        }
        return result;
    }

    /** Compiles the tasks of a graph that failed one by one, each in a graph of its own; names the first that fails. */
    private EngineException culprit(GraphSink g, Throwable failure) {
        int probe = 0;
        for (GraphSink.Call call : g.calls()) {
            TaskGraph one = new TaskGraph("probe" + probe++);
            Object[] arrays = Arrays.stream(call.args()).filter(a -> a instanceof TornadoNativeArray).distinct().toArray();
            try {
                if (arrays.length > 0) {
                    one.transferToDevice(FIRST_EXECUTION, arrays);
                }
                call.addTo().accept(one);
                try (TornadoExecutionPlan p = new TornadoExecutionPlan(one.snapshot())) {
                    if (device != null) {
                        p.withDevice(device);
                    }
                    p.withPreCompilation();
                }
            } catch (Exception | Error e) {
                if (TornadoErrors.fromTornado(e) && !TornadoErrors.outOfDeviceMemory(e)) {
                    return TornadoErrors.kernelFailed(g.name(), call.id(), e);
                }
            }
        }
        return TornadoErrors.graphFailed(g.name(), failure);
    }

    /**
     * {@code --profile}: keeps the first training step's profile (it holds the compile times) and prints
     * the second, a steady-state step, with them; then turns the profiler off.
     */
    private void profile(GraphSink g, TornadoExecutionResult result) {
        if (profiledSteps >= 2) {
            return;
        }
        profiledSteps++;
        ProfileReport.Step step = ProfileReport.parse(result.getProfilerResult().getProfileLog(), g.name());
        plan.clearProfiles();
        if (profiledSteps == 1) {
            compilingStep = step;
            return;
        }
        plan.withoutProfiler();
        printProfile(step, "training step 2");
    }

    private void printProfile(ProfileReport.Step step, String which) {
        if (step == null) {
            study.out().println("profile: TornadoVM's profile log has no entry for the training graph");
            return;
        }
        study.out().print(ProfileReport.format(String.format(Locale.ROOT, "profile of %s (graph %s, %d kernels) on %s, TornadoVM profiler:",
                which, step.graph(), step.tasks().size(), deviceName), step, compilingStep));
        study.out().flush();
    }

    /** Compiles every graph of the plan (TornadoVM's JIT and the device compiler) without running it. */
    @Override
    public double warmUp() {
        long start = System.nanoTime();
        plan.withPreCompilation();
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void beginEpoch(int[] permutation, int first) {
        for (int i = 0; i < permutation.length; i++) {
            order.set(i, permutation[i]);
        }
        epochStart.set(0, first);
        execute(0);
        next = first;
        examples = 0;
    }

    @Override
    public void trainBatch(int start, int count) {
        if (start != next) {
            throw new IllegalArgumentException("batches must come in order: expected start " + next + ", got " + start);
        }
        if (count == batch) {
            lastTrain = execute(1);
        } else if (count == trainTail && trainTail > 0) {
            lastTrain = execute(2);
        } else {
            throw new IllegalArgumentException("the TornadoVM engine has graphs for batches of " + batch
                    + (trainTail > 0 ? " and " + trainTail : "") + " examples, not " + count);
        }
        next += count;
        examples += count;
    }

    /** Copies device buffers to the host; TornadoVM's failure is one line. */
    private static void toHost(TornadoExecutionResult result, String what, Object... objects) {
        try {
            result.transferToHost(objects);
        } catch (RuntimeException | Error e) {
            if (e instanceof EngineException || !TornadoErrors.fromTornado(e)) {
                throw e;
            }
            throw new EngineException("copying " + what + " from the device failed: " + TornadoErrors.oneLine(e) + TornadoErrors.hint(e), e);
        }
    }

    @Override
    public Totals totals() {
        if (lastTrain != null) {
            toHost(lastTrain, "the training totals", trainTotals);
        }
        return new Totals(trainTotals.get(0), Math.round(trainTotals.get(1)), examples);
    }

    @Override
    public int evaluate() {
        int start = 0;
        for (; start + testBatch <= data.testCount(); start += testBatch) {
            testCursor.set(0, start);
            lastEval = execute(3);
        }
        if (testTail > 0) {
            testCursor.set(0, start);
            lastEval = execute(4);
        }
        toHost(lastEval, "the test totals", testTotals);
        return Math.round(testTotals.get(1));
    }

    @Override
    public Params params() {
        if (lastTrain != null) {
            toHost(lastTrain, "the parameters", params.tensors().toArray());
        }
        return params.copy();
    }

    @Override
    public void setParams(Params p) {
        if (lastTrain != null) {
            throw new IllegalStateException("parameters can be replaced only before the first step");
        }
        params.copyFrom(p);
    }

    @Override
    public void close() {
        if (study.profile() && profiledSteps == 1) {
            printProfile(compilingStep, "training step 1, the only one (its times include compilation)");
        }
        if (kernels != null) {
            kernels.finish();
        }
        try {
            plan.close();
        } catch (Exception e) {
            // closing frees device memory; nothing to save
        }
    }
}
