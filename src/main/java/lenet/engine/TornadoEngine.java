package lenet.engine;

import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import static lenet.engine.GraphSink.named;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.FIRST_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.UNDER_DEMAND;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lenet.engine.GraphSink.Named;
import lenet.engine.tornado.CompileProbe;
import lenet.engine.tornado.KernelDump;
import lenet.engine.tornado.KernelProfile;
import lenet.engine.tornado.StepProfile;
import lenet.engine.tornado.TornadoErrors;
import lenet.kernels.Batch;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Runs the plain kernels as TornadoVM task graphs on one device. Parameters, gradients, activations and
 * both data sets stay on the device for the whole run; a training step moves nothing across the bus:
 * the batch is gathered on the device through the epoch's order (uploaded once per epoch) and a cursor
 * the step itself advances; loss and accuracy sums stay on the device until a progress line asks.
 *
 * <p>One execution plan holds the graphs of {@link Graph}, in that order (the tails only when B does not
 * divide the set).
 * Buffers used by several graphs are kept by one graph ({@code persistOnDevice}) and taken over by the
 * next ({@code consumeFromDevice}), so every graph sees one copy of the parameters. A graph takes
 * buffers from one other graph only: TornadoVM keeps one source graph per consumer.
 *
 * <p>Nothing falls back to the JVM silently: run with {@code -Dtornado.recover.bailout=False}
 * ({@link Engines} insists), TornadoVM's failures become an {@link EngineException} naming the graph, and
 * when TornadoVM compiles (the warm-up, or a graph's first execution) the task whose kernel does not compile.
 */
public final class TornadoEngine implements Engine {
    /** The graphs of the plan, in plan order. */
    public enum Graph {
        /** Uploads the epoch's order and moves the training cursor to its first batch. */
        EPOCH("epoch"),
        /** One SGD step on a batch of B examples. */
        TRAIN("train"),
        /** The same for the last, partial batch. */
        TRAIN_TAIL("trainTail"),
        /** Forward pass and correct count on B test examples. */
        EVAL("eval"),
        /** The same for the last test batch. */
        EVAL_TAIL("evalTail");

        /** The TornadoVM task graph's name: task ids in TornadoVM's output start with it. */
        public final String id;

        Graph(String id) {
            this.id = id;
        }
    }

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
    private final Map<Graph, GraphSink> graphs = new EnumMap<>(Graph.class);
    /** Each graph's index in the plan ({@code withGraph}): the plan holds the graphs in {@link Graph}'s order. */
    private final Map<Graph, Integer> planIndex = new EnumMap<>(Graph.class);
    /** The graphs TornadoVM has compiled: by the warm-up, or at their first execution. */
    private final Set<Graph> compiled = EnumSet.noneOf(Graph.class);
    private final TornadoExecutionPlan plan;
    private final String deviceName;
    private final TornadoDevice device;
    private final Study study;
    private final KernelDump kernels;
    private final StepProfile profile;
    private TornadoExecutionResult lastTrain;
    private Graph lastTrainGraph;
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
        Named[] trainSet = {named("trainImages", data.trainImages()), named("trainLabels", data.trainLabels()), named("levels", data.levels())};
        Named[] testSet = {named("testImages", data.testImages()), named("testLabels", data.testLabels()), named("levels", data.levels()),
                named("testOrder", testOrder)};
        Named[] epochState = {named("order", order), named("trainCursor", trainCursor)};
        Named[] totals = {named("trainTotals", trainTotals)};

        GraphSink epoch = add(Graph.EPOCH, new GraphSink(Graph.EPOCH.id));
        epoch.toDevice(EVERY_EXECUTION, named("order", order), named("epochStart", epochStart));
        epoch.task("batch.seek", Batch::seek, trainCursor, epochStart);
        epoch.persist(epochState);

        GraphSink train = add(Graph.TRAIN, trainGraph(Graph.TRAIN.id, batch, lr));
        train.consume(Graph.EPOCH.id, epochState);
        train.toDevice(FIRST_EXECUTION, concat(weights, trainSet, totals));
        train.persist(concat(weights, trainSet, epochState, totals));
        train.toHost(UNDER_DEMAND, concat(new Named[] {named("trainTotals", trainTotals)}, weights));
        if (trainTail > 0) {
            GraphSink tail = add(Graph.TRAIN_TAIL, trainGraph(Graph.TRAIN_TAIL.id, trainTail, lr));
            tail.consume(Graph.TRAIN.id, concat(weights, trainSet, epochState, totals));
            tail.toHost(UNDER_DEMAND, concat(new Named[] {named("trainTotals", trainTotals)}, weights));
        }

        // Evaluation reads the parameters training left on the device. The test cursor is set by the
        // host before each batch (4 bytes): evaluation is not the hot path.
        Named[] testState = {named("testTotals", testTotals)};
        GraphSink eval = add(Graph.EVAL, evalGraph(Graph.EVAL.id, testBatch));
        eval.consume(Graph.TRAIN.id, weights);
        eval.toDevice(FIRST_EXECUTION, concat(testSet, testState));
        eval.toDevice(EVERY_EXECUTION, named("testCursor", testCursor));
        eval.persist(concat(weights, testSet, testState));
        eval.toHost(UNDER_DEMAND, testState);
        if (testTail > 0) {
            GraphSink tail = add(Graph.EVAL_TAIL, evalGraph(Graph.EVAL_TAIL.id, testTail));
            tail.consume(Graph.EVAL.id, concat(weights, testSet, testState));
            tail.toDevice(EVERY_EXECUTION, named("testCursor", testCursor));
            tail.toHost(UNDER_DEMAND, testState);
        }

        plan = new TornadoExecutionPlan(graphs.values().stream().map(g -> g.graph().snapshot()).toArray(ImmutableTaskGraph[]::new));
        graphs.keySet().forEach(g -> planIndex.put(g, planIndex.size()));
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
        profile = study.profile() ? new StepProfile(Graph.TRAIN.id, deviceName, study.out()) : null;
    }

    static String defaultDeviceName() {
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

    private GraphSink add(Graph which, GraphSink g) {
        graphs.put(which, g);
        return g;
    }

    /**
     * Gather, then one SGD step ({@link LeNetGraph#step}: forward, loss, backward with each layer's last
     * gradient stage taking the SGD step), then the running sums and the next batch: 24 tasks at batch 256.
     */
    private GraphSink trainGraph(String name, int n, float lr) {
        GraphSink g = new GraphSink(name);
        Activations b = new Activations(params.model, n);
        Params grads = Params.zeros(params.model);
        g.task("batch.gather", Batch::gather, data.trainImages(), data.levels(), data.trainLabels(), order, trainCursor, b.x, b.labels, n, LeNet.PIXELS);
        LeNetGraph.step(g, KernelSet.PLAIN, params, grads, b, 1.0f / n, lr);
        g.task("loss.accumulate", SoftmaxCrossEntropy::accumulate, b.loss, b.correct, trainCursor, trainTotals, n, n);
        g.toDevice(FIRST_EXECUTION, activations(b, grads));
        return g;
    }

    /** Gather, forward, running correct count: evaluation of n test examples. */
    private GraphSink evalGraph(String name, int n) {
        GraphSink g = new GraphSink(name);
        Activations b = new Activations(params.model, n);
        g.task("batch.gather", Batch::gather, data.testImages(), data.levels(), data.testLabels(), testOrder, testCursor, b.x, b.labels, n, LeNet.PIXELS);
        LeNetGraph.forward(g, KernelSet.PLAIN, params, b);
        g.task("loss.accumulate", SoftmaxCrossEntropy::accumulate, b.loss, b.correct, testCursor, testTotals, n, 0);
        g.toDevice(FIRST_EXECUTION, activations(b, null));
        return g;
    }

    private static Named[] activations(Activations b, Params grads) {
        List<Named> list = new ArrayList<>(List.of(named("x", b.x), named("labels", b.labels), named("a1", b.a1), named("p1", b.p1),
                named("a2", b.a2), named("p2", b.p2), named("a3", b.a3), named("a4", b.a4), named("logits", b.logits),
                named("probs", b.probs), named("loss", b.loss), named("correct", b.correct)));
        if (b.arg1 != null) {
            list.addAll(List.of(named("arg1", b.arg1), named("arg2", b.arg2)));
        }
        for (int l = 0; b.model.batchNorm() && l < 4; l++) {
            Activations.Norm nb = b.norm(l);
            String bn = "bn" + (l + 1) + ".";
            list.addAll(List.of(named(bn + "z", nb.z()), named(bn + "xhat", nb.xhat()), named(bn + "mean", nb.mean()),
                    named(bn + "var", nb.var()), named(bn + "statsPart", nb.statsPart())));
            if (grads != null) {
                list.addAll(List.of(named(bn + "dz", nb.dz()), named(bn + "gradPart", nb.gradPart())));
            }
        }
        if (grads != null) {
            list.addAll(List.of(named("dLogits", b.dLogits), named("da4", b.da4), named("da3", b.da3), named("dp2", b.dp2),
                    named("da2", b.da2), named("dp1", b.dp1), named("da1", b.da1),
                    named("c1wPart", b.c1wPart), named("c1bPart", b.c1bPart), named("c2wPart", b.c2wPart), named("c2bPart", b.c2bPart),
                    named("f1wPart", b.f1wPart), named("f1bPart", b.f1bPart), named("f2wPart", b.f2wPart), named("f2bPart", b.f2bPart),
                    named("f3wPart", b.f3wPart), named("f3bPart", b.f3bPart)));
            List<FloatArray> g = grads.tensors();
            for (int j = 0; j < g.size(); j++) {
                list.add(named("grad " + grads.model.params().get(j).name(), g.get(j)));
            }
        }
        return list.toArray(Named[]::new);
    }

    private static Named[] weights(Params p) {
        List<FloatArray> t = p.tensors();
        Named[] w = new Named[t.size()];
        for (int j = 0; j < w.length; j++) {
            w[j] = named(p.model.params().get(j).name(), t.get(j));
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
        return List.copyOf(graphs.values());
    }

    /** A graph of the plan, or null when the plan has none (a tail the sizes do not need). */
    public GraphSink graph(Graph which) {
        return graphs.get(which);
    }

    @Override
    public EngineKind kind() {
        return EngineKind.TORNADO;
    }

    @Override
    public String device() {
        return deviceName;
    }

    @Override
    public KernelProfile profile() {
        return profile == null ? null : profile.result();
    }

    /**
     * The bytes of the plan's device buffers, counted from its graphs ({@link GraphSink#deviceBytes}): the
     * data sets as bytes, labels, parameters, gradients and each graph's activations. TornadoVM's own
     * {@code getCurrentDeviceMemoryUsage} gives only the last allocation of the graph run last.
     */
    @Override
    public long deviceMemoryBytes() {
        return graphs.values().stream().mapToLong(GraphSink::deviceBytes).sum();
    }

    /** The runtime's own figure, for the stand-in's tests: there, every device copy its graphs hold. */
    long planDeviceMemoryUsage() {
        return plan.getCurrentDeviceMemoryUsage();
    }

    @Override
    public boolean cheapTotals() {
        return false;
    }

    /**
     * Runs a graph. Unless the warm-up compiled it, its first execution does: TornadoVM's errors then name
     * the graph and, found by compiling its tasks one at a time, the task whose kernel does not compile.
     */
    private TornadoExecutionResult execute(Graph which) {
        GraphSink g = graphs.get(which);
        boolean compiling = !compiled.contains(which);
        TornadoExecutionResult result;
        try {
            result = plan.withGraph(planIndex.get(which)).execute();
        } catch (RuntimeException | Error e) {
            if (e instanceof EngineException || !TornadoErrors.fromTornado(e)) {
                throw e;
            }
            if (compiling && kernels != null) {
                kernels.collect(List.of(g), deviceName, study.out()); // what compiled before the failure, to study it
            }
            if (compiling && !TornadoErrors.outOfDeviceMemory(e)) {
                throw CompileProbe.culprit(List.of(g), device, e);
            }
            throw TornadoErrors.graphFailed(g.name(), e);
        }
        if (compiling) {
            compiled.add(which);
            if (kernels != null) {
                kernels.collect(List.of(g), deviceName, study.out());
            }
        }
        if (profile != null && which == Graph.TRAIN && profile.wantsMore()) {
            profile.add(result.getProfilerResult().getProfileLog());
            plan.clearProfiles();
            if (!profile.wantsMore()) {
                plan.withoutProfiler();
            }
        }
        return result;
    }

    /**
     * Compiles every graph of the plan (TornadoVM's JIT and the device compiler) without running it, graph
     * after graph in plan order; {@code --print-kernels} then hands TornadoVM's printed kernels to the tasks.
     */
    @Override
    public double warmUp() {
        List<GraphSink> all = graphs();
        long start = System.nanoTime();
        try {
            plan.withPreCompilation();
        } catch (RuntimeException | Error e) {
            if (e instanceof EngineException || !TornadoErrors.fromTornado(e)) {
                throw e;
            }
            if (kernels != null) {
                kernels.collect(all, deviceName, study.out()); // what compiled before the failure, to study it
            }
            throw TornadoErrors.outOfDeviceMemory(e) ? TornadoErrors.graphFailed(String.join(", ", all.stream().map(GraphSink::name).toList()), e)
                    : CompileProbe.culprit(all, device, e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        compiled.addAll(graphs.keySet());
        if (kernels != null) {
            kernels.collect(all, deviceName, study.out());
        }
        return seconds;
    }

    @Override
    public void beginEpoch(int[] permutation, int first) {
        for (int i = 0; i < permutation.length; i++) {
            order.set(i, permutation[i]);
        }
        epochStart.set(0, first);
        execute(Graph.EPOCH);
        next = first;
        examples = 0;
    }

    @Override
    public void trainBatch(int start, int count) {
        if (start != next) {
            throw new IllegalArgumentException("batches must come in order: expected start " + next + ", got " + start);
        }
        if (count == batch) {
            lastTrainGraph = Graph.TRAIN;
        } else if (count == trainTail && trainTail > 0) {
            lastTrainGraph = Graph.TRAIN_TAIL;
        } else {
            throw new IllegalArgumentException("the TornadoVM engine has graphs for batches of " + batch
                    + (trainTail > 0 ? " and " + trainTail : "") + " examples, not " + count);
        }
        lastTrain = execute(lastTrainGraph);
        next += count;
        examples += count;
    }

    /**
     * Copies device buffers of graph {@code which} to the host; TornadoVM's failure is one line. A
     * result copies out of the graphs the plan selects at the time of the call, not of the execution that
     * returned it: the graph is selected first.
     */
    private void toHost(TornadoExecutionResult result, Graph which, String what, Object... objects) {
        try {
            plan.withGraph(planIndex.get(which));
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
        if (examples == 0) {
            // the device resets its sums only at the epoch's first batch: until then they are the last epoch's
            return new Totals(0, 0, 0);
        }
        if (lastTrain != null) {
            toHost(lastTrain, lastTrainGraph, "the training totals", trainTotals);
        }
        return new Totals(trainTotals.get(0), Math.round(trainTotals.get(1)), examples);
    }

    @Override
    public int evaluate() {
        int start = 0;
        for (; start + testBatch <= data.testCount(); start += testBatch) {
            testCursor.set(0, start);
            lastEval = execute(Graph.EVAL);
        }
        if (testTail > 0) {
            testCursor.set(0, start);
            lastEval = execute(Graph.EVAL_TAIL);
        }
        toHost(lastEval, testTail > 0 ? Graph.EVAL_TAIL : Graph.EVAL, "the test totals", testTotals);
        return Math.round(testTotals.get(1));
    }

    @Override
    public Params params() {
        if (lastTrain != null) {
            toHost(lastTrain, lastTrainGraph, "the parameters", params.tensors().toArray());
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
        if (profile != null) {
            profile.finish();
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
