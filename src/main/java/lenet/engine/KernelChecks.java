package lenet.engine;

import static lenet.kernels.Tensors.sumTolerance;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toDouble;
import static lenet.kernels.Tensors.uniform;
import static lenet.kernels.Tensors.uniformInts;
import static lenet.model.LeNet.C1;
import static lenet.model.LeNet.C2;
import static lenet.model.LeNet.CLASSES;
import static lenet.model.LeNet.F1;
import static lenet.model.LeNet.F2;
import static lenet.model.LeNet.FLAT;
import static lenet.model.LeNet.H1;
import static lenet.model.LeNet.H2;
import static lenet.model.LeNet.IMAGE;
import static lenet.model.LeNet.KERNEL;
import static lenet.model.LeNet.P1;
import static lenet.model.LeNet.PAD1;
import static lenet.model.LeNet.PIXELS;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import lenet.engine.tornado.TornadoErrors;
import lenet.kernels.AvgPool2dReference;
import lenet.kernels.Batch;
import lenet.kernels.Conv2dReference;
import lenet.kernels.LinearReference;
import lenet.kernels.Sgd;
import lenet.kernels.SigmoidReference;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.kernels.SoftmaxCrossEntropyReference;
import lenet.kernels.Tensors;
import lenet.kernels.Tensors.Comparison;
import lenet.kernels.Tensors.Sums;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Every kernel of {@code lenet.kernels}, one by one, at LeNet's shapes: each {@link Check} runs one kernel
 * as a task of its own on seeded random inputs and compares its outputs with the double-precision host
 * reference of {@code lenet.kernels} (EJML for the matrix products) within the kernel tests' tolerances
 * ({@link Tensors#sumTolerance} for sums, {@link Tensors#relativeTolerance} for element-wise formulas,
 * exact for indices and counts). {@code lenet check-kernels} runs the table on JVM threads or on a
 * TornadoVM device.
 *
 * <p>Add a kernel by adding a row to {@link #ALL} (a test fails while a kernel of {@code lenet.kernels} or of
 * {@link KernelSet} has none): its task id (as {@link LeNetGraph} names the task), the kernel method, whether
 * it comes from the {@link KernelSet} (then each set's version is checked), and how to build a
 * {@link Case}: inputs, outputs prefilled with NaN (an element the kernel does not write fails), the
 * expected values and tolerances in the kernel's own layout, and the one task. Activations are drawn
 * batch-outermost (the references' layout, PyTorch's) and handed to the kernel batch-innermost.
 */
public final class KernelChecks {
    private KernelChecks() {
    }

    /** How a row builds its case: at batch {@code n}, from seeded random numbers. */
    @FunctionalInterface
    public interface Builder {
        void build(Case c, int n, SplittableRandom r);
    }

    /** Adds the one task of a case to a sink, with the kernel of set {@code k} where the kernel comes from a set. */
    @FunctionalInterface
    public interface Task {
        void add(TaskSink sink, KernelSet k);
    }

    /**
     * One row of the table: the task id, the kernel method of {@code lenet.kernels} it runs
     * ({@code "Conv2d.forward"}; from a kernel set, the plain kernel of that name and its twins), whether the
     * kernel is one of {@link KernelSet}'s (and so differs between sets), and how to build its case.
     */
    public record Check(String id, String kernel, boolean fromKernelSet, Builder builder) {
        /** The case of this check at batch {@code n}, its data seeded by the id and n; it runs with any kernel set. */
        public Case build(int n) {
            Case c = new Case(id);
            builder.build(c, n, Tensors.random(id + " n=" + n));
            if (c.task == null) {
                throw new IllegalStateException(id + ": its case declares no task");
            }
            return c;
        }
    }

    /**
     * An output the kernel writes, with what it should hold (the kernel's layout) and the tolerance per
     * element. {@code initial} is what the array holds before the kernel runs: NaN, −1 for ints, or the
     * starting values of an in-place update.
     */
    public record Expected(String name, TornadoNativeArray array, float[] initial, double[] value, double[] tolerance) {
        /** The kernel's values, as floats (an {@link IntArray}'s ints converted exactly). */
        public float[] actual() {
            if (array instanceof FloatArray f) {
                return f.toHeapArray();
            }
            IntArray a = (IntArray) array;
            float[] v = new float[a.getSize()];
            for (int j = 0; j < v.length; j++) {
                v[j] = a.get(j);
            }
            return v;
        }
    }

    /** One kernel call: its arrays (inputs first, then outputs), the outputs to compare, and the task. */
    public static final class Case {
        private final String id;
        private final List<TornadoNativeArray> arrays = new ArrayList<>();
        private final List<Expected> outputs = new ArrayList<>();
        private Task task;

        Case(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** Every array the task reads or writes, each once. */
        public List<TornadoNativeArray> arrays() {
            return List.copyOf(arrays);
        }

        public List<Expected> outputs() {
            return List.copyOf(outputs);
        }

        /** Adds the one task to a sink, with kernel set {@code k}'s kernel. */
        public void addTask(TaskSink sink, KernelSet k) {
            task.add(sink, k);
        }

        FloatArray in(float[] values) {
            FloatArray a = FloatArray.fromArray(values);
            arrays.add(a);
            return a;
        }

        IntArray in(int[] values) {
            IntArray a = IntArray.fromArray(values);
            arrays.add(a);
            return a;
        }

        /**
         * Sets every output back to what it held before the kernel ran (NaN, −1, or an in-place update's
         * starting values), so that the case can run again and an element the kernel does not write is caught.
         */
        public void resetOutputs() {
            for (Expected e : outputs) {
                if (e.array() instanceof FloatArray f) {
                    for (int j = 0; j < e.initial().length; j++) {
                        f.set(j, e.initial()[j]);
                    }
                } else {
                    IntArray a = (IntArray) e.array();
                    for (int j = 0; j < e.initial().length; j++) {
                        a.set(j, (int) e.initial()[j]);
                    }
                }
            }
        }

        /** An output array prefilled with NaN, expected to hold {@code value} within {@code tolerance}. */
        FloatArray out(String name, double[] value, double[] tolerance) {
            return add(name, filled(value.length, Float.NaN), value, tolerance);
        }

        /**
         * An output of float sums of {@code terms} terms, prefilled with NaN: expected to hold {@code value}
         * within {@link Tensors#sumTolerance} of {@code magnitude} (Σ|terms| per element).
         */
        FloatArray outSum(String name, double[] value, double[] magnitude, int terms) {
            return add(name, filled(value.length, Float.NaN), value, sumTolerance(magnitude, terms));
        }

        /** An array the kernel updates in place: starts as {@code initial}, expected to hold {@code value}. */
        FloatArray inOut(String name, float[] initial, double[] value, double[] tolerance) {
            return add(name, initial.clone(), value, tolerance);
        }

        private FloatArray add(String name, float[] initial, double[] value, double[] tolerance) {
            FloatArray a = FloatArray.fromArray(initial);
            arrays.add(a);
            outputs.add(new Expected(name, a, initial, value, tolerance));
            return a;
        }

        /** An int output prefilled with −1 (never a valid value here), expected to equal {@code value}. */
        IntArray outInts(String name, int[] value) {
            int[] initial = new int[value.length];
            java.util.Arrays.fill(initial, -1);
            return inOutInts(name, initial, value);
        }

        IntArray inOutInts(String name, int[] initial, int[] value) {
            IntArray a = IntArray.fromArray(initial);
            arrays.add(a);
            float[] start = new float[initial.length];
            for (int j = 0; j < start.length; j++) {
                start[j] = initial[j];
            }
            outputs.add(new Expected(name, a, start, doubles(value), new double[value.length]));
            return a;
        }

        private static float[] filled(int size, float value) {
            float[] v = new float[size];
            java.util.Arrays.fill(v, value);
            return v;
        }

        void task(Task t) {
            task = t;
        }
    }

    // ---- running the table ----

    /** Runs a case's one task where the kernels run; afterwards its outputs are readable on the host. */
    @FunctionalInterface
    public interface Runner {
        void run(Case c, KernelSet k);
    }

    /** The JVM engine's way: the task recorded and run on this thread. */
    public static Runner jvm() {
        return (c, k) -> {
            Recorder r = new Recorder();
            c.addTask(r, k);
            r.run();
        };
    }

    /**
     * On a TornadoVM device ({@code null}: TornadoVM's default): a graph of the one task, every array copied to
     * the device before it runs (outputs still NaN, so an element the kernel does not write stays NaN) and the
     * outputs copied back after. Under the stand-in of {@code tornado.api} the same graph runs as plain Java.
     */
    public static Runner tornado(TornadoDevice device) {
        AtomicInteger graphs = new AtomicInteger();
        return (c, k) -> {
            GraphSink g = new GraphSink("check" + graphs.getAndIncrement());
            g.toDevice(DataTransferMode.FIRST_EXECUTION, named(c.arrays(), "in"));
            c.addTask(g, k);
            g.toHost(DataTransferMode.EVERY_EXECUTION, named(c.outputs().stream().map(Expected::array).toList(), "out"));
            try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.graph().snapshot())) {
                if (device != null) {
                    plan.withDevice(device);
                }
                plan.execute();
            } catch (TornadoExecutionPlanException e) {
                throw new IllegalStateException("releasing the graph's device memory: " + TornadoErrors.oneLine(e), e);
            }
        };
    }

    private static GraphSink.Named[] named(List<? extends TornadoNativeArray> arrays, String prefix) {
        GraphSink.Named[] named = new GraphSink.Named[arrays.size()];
        for (int j = 0; j < named.length; j++) {
            named[j] = GraphSink.named(prefix + j, arrays.get(j));
        }
        return named;
    }

    /**
     * The outcome of one check: the kernel set, the task id, and the worst of its outputs' comparisons
     * (largest error/tolerance), or the error that stopped the kernel from running.
     */
    public record Result(String set, String id, Comparison worst, String failure) {
        public boolean ok() {
            return failure == null && worst.ok();
        }

        /**
         * One line: set, kernel, the largest absolute error, the largest error/tolerance ratio and the tolerance
         * of the element where it is reached ("exact" when every tolerance is 0), the verdict.
         */
        public String line() {
            String head = String.format("%-6s %-24s", set, id);
            if (failure != null) {
                return head + " FAILED: " + failure;
            }
            if (worst.unwritten() > 0) {
                return head + " FAILED: " + worst.summary();
            }
            String verdict = worst.ok() ? "ok" : "FAILED, out of tolerance: " + worst.summary();
            if (worst.toleranceAtMaxRatio() == 0) {
                return String.format("%s max |error| %.2e  tolerance exact  %s", head, worst.maxError(), verdict);
            }
            return String.format("%s max |error| %.2e  max error/tolerance %.3f (tolerance there %.2e)  %s", head,
                    worst.maxError(), worst.maxRatio(), worst.toleranceAtMaxRatio(), verdict);
        }
    }

    /** Runs one check of kernel set {@code k} at batch {@code n} and compares every output with its reference. */
    public static Result run(Check check, KernelSet k, int n, Runner runner) {
        return run(check.build(n), k, runner);
    }

    /** Runs a case with kernel set {@code k} (its outputs as they were before it ran) and compares every output with its reference. */
    public static Result run(Case c, KernelSet k, Runner runner) {
        try {
            runner.run(c, k);
        } catch (RuntimeException | Error e) {
            return new Result(k.name(), c.id(), null, TornadoErrors.oneLine(e));
        }
        Comparison worst = null;
        for (Expected e : c.outputs()) {
            Comparison cmp = Tensors.compare(c.id() + " " + e.name(), e.actual(), e.value(), e.tolerance(),
                    new int[] {e.value().length}, "[j]");
            if (worst == null || rank(cmp) > rank(worst)) {
                worst = cmp;
            }
        }
        return new Result(k.name(), c.id(), worst, null);
    }

    private static double rank(Comparison c) {
        return c.unwritten() > 0 || Double.isNaN(c.maxRatio()) ? Double.POSITIVE_INFINITY : c.maxRatio();
    }

    /**
     * The lower end of the inputs of the sums (convolutions, linear layers, pooling), drawn from [LO, 1):
     * mostly positive, so that a sum's Σ|terms| is close to its value (1.3 times it on average for a product
     * of two) and the rounding bound, relative to Σ|terms|, is tight relative to the result too: a batch-256
     * weight gradient missing one example is 18 times over it. Some terms are still negative, so a sign
     * error shows as well.
     */
    static final double LO = -0.25;

    // ---- LeNet's layers, as the references describe them, at batch n ----

    static Conv2dReference.Shape conv1(int n) {
        return new Conv2dReference.Shape("conv1", n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
    }

    static Conv2dReference.Shape conv2(int n) {
        return new Conv2dReference.Shape("conv2", n, C1, P1, P1, C2, KERNEL, 0);
    }

    static LinearReference.Shape linear(int n, int layer) {
        return switch (layer) {
            case 1 -> new LinearReference.Shape("linear1", n, FLAT, F1);
            case 2 -> new LinearReference.Shape("linear2", n, F1, F2);
            default -> new LinearReference.Shape("linear3", n, F2, CLASSES);
        };
    }

    static AvgPool2dReference.Shape pool(int n, int layer) {
        return layer == 1 ? new AvgPool2dReference.Shape("pool1", n, C1, H1, H1) : new AvgPool2dReference.Shape("pool2", n, C2, H2, H2);
    }

    /** The table: every kernel of {@code lenet.kernels}, at the shapes LeNet runs it. */
    public static final List<Check> ALL = List.of(
            new Check("conv1.forward", "Conv2d.forward", true, (c, n, r) -> convForward(c, conv1(n), r)),
            new Check("conv1.backwardInput", "Conv2d.backwardInput", true, (c, n, r) -> convBackwardInput(c, conv1(n), r)),
            new Check("conv1.backwardWeight", "Conv2d.backwardWeight", true, (c, n, r) -> convBackwardWeight(c, conv1(n), r)),
            new Check("conv1.backwardBias", "Conv2d.backwardBias", true, (c, n, r) -> convBackwardBias(c, conv1(n), r)),
            new Check("conv2.forward", "Conv2d.forward", true, (c, n, r) -> convForward(c, conv2(n), r)),
            new Check("conv2.backwardInput", "Conv2d.backwardInput", true, (c, n, r) -> convBackwardInput(c, conv2(n), r)),
            new Check("conv2.backwardWeight", "Conv2d.backwardWeight", true, (c, n, r) -> convBackwardWeight(c, conv2(n), r)),
            new Check("conv2.backwardBias", "Conv2d.backwardBias", true, (c, n, r) -> convBackwardBias(c, conv2(n), r)),
            new Check("pool1.forward", "AvgPool2d.forward", true, (c, n, r) -> poolForward(c, pool(n, 1), r)),
            new Check("pool1.backward", "AvgPool2d.backward", true, (c, n, r) -> poolBackward(c, pool(n, 1), r)),
            new Check("pool2.forward", "AvgPool2d.forward", true, (c, n, r) -> poolForward(c, pool(n, 2), r)),
            new Check("pool2.backward", "AvgPool2d.backward", true, (c, n, r) -> poolBackward(c, pool(n, 2), r)),
            new Check("sigmoid1.forward", "Sigmoid.forward", true, (c, n, r) -> sigmoidForward(c, "sigmoid1.forward", C1 * H1 * H1 * n, r)),
            new Check("sigmoid1.backward", "Sigmoid.backward", true, (c, n, r) -> sigmoidBackward(c, "sigmoid1.backward", C1 * H1 * H1 * n, r)),
            new Check("sigmoid4.forward", "Sigmoid.forward", true, (c, n, r) -> sigmoidForward(c, "sigmoid4.forward", F2 * n, r)),
            new Check("sigmoid4.backward", "Sigmoid.backward", true, (c, n, r) -> sigmoidBackward(c, "sigmoid4.backward", F2 * n, r)),
            new Check("linear1.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 1), r)),
            new Check("linear1.backwardInput", "Linear.backwardInput", true, (c, n, r) -> linearBackwardInput(c, linear(n, 1), r)),
            new Check("linear1.backwardWeight", "Linear.backwardWeight", true, (c, n, r) -> linearBackwardWeight(c, linear(n, 1), r)),
            new Check("linear1.backwardBias", "Linear.backwardBias", true, (c, n, r) -> linearBackwardBias(c, linear(n, 1), r)),
            new Check("linear2.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 2), r)),
            new Check("linear2.backwardInput", "Linear.backwardInput", true, (c, n, r) -> linearBackwardInput(c, linear(n, 2), r)),
            new Check("linear2.backwardWeight", "Linear.backwardWeight", true, (c, n, r) -> linearBackwardWeight(c, linear(n, 2), r)),
            new Check("linear2.backwardBias", "Linear.backwardBias", true, (c, n, r) -> linearBackwardBias(c, linear(n, 2), r)),
            new Check("linear3.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 3), r)),
            new Check("linear3.backwardInput", "Linear.backwardInput", true, (c, n, r) -> linearBackwardInput(c, linear(n, 3), r)),
            new Check("linear3.backwardWeight", "Linear.backwardWeight", true, (c, n, r) -> linearBackwardWeight(c, linear(n, 3), r)),
            new Check("linear3.backwardBias", "Linear.backwardBias", true, (c, n, r) -> linearBackwardBias(c, linear(n, 3), r)),
            new Check("loss.forward", "SoftmaxCrossEntropy.forward", false, KernelChecks::lossForward),
            new Check("loss.backward", "SoftmaxCrossEntropy.backward", false, KernelChecks::lossBackward),
            new Check("loss.correct", "SoftmaxCrossEntropy.correct", false, KernelChecks::lossCorrect),
            new Check("loss.accumulate", "SoftmaxCrossEntropy.accumulate", false, KernelChecks::lossAccumulate),
            new Check("batch.gatherImages", "Batch.gatherImages", false, KernelChecks::gatherImages),
            new Check("batch.gatherLabels", "Batch.gatherLabels", false, KernelChecks::gatherLabels),
            new Check("batch.advance", "Batch.advance", false, KernelChecks::advance),
            new Check("batch.seek", "Batch.seek", false, KernelChecks::seek),
            new Check("sgd.update", "Sgd.update", false, KernelChecks::sgd));

    // ---- Conv2d: each output a float sum (forward cin·k·k products + bias, backward input cout·k·k, weight and bias n·ho·wo) ----

    private static void convForward(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        float[] w = uniform(r, s.weightSize(), LO, 1);
        float[] bias = uniform(r, s.cout(), LO, 1);
        Sums ref = Conv2dReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        int outFeatures = s.cout() * s.ho() * s.wo();
        FloatArray x = c.in(Tensors.toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray out = c.outSum("out", toBatchInnermost(ref.value(), s.n(), outFeatures),
                toBatchInnermost(ref.magnitude(), s.n(), outFeatures), s.taps() + 1);
        c.task((g, k) -> g.task(c.id(), k.convForward(), x, wa, ba, out, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    private static void convBackwardInput(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        float[] w = uniform(r, s.weightSize(), LO, 1);
        Sums ref = Conv2dReference.backwardInput(s, toDouble(dOut), toDouble(w));
        int inFeatures = s.cin() * s.h() * s.w();
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray wa = c.in(w);
        FloatArray dIn = c.outSum("dIn", toBatchInnermost(ref.value(), s.n(), inFeatures),
                toBatchInnermost(ref.magnitude(), s.n(), inFeatures), s.cout() * s.k() * s.k());
        c.task((g, k) -> g.task(c.id(), k.convBackwardInput(), d, wa, dIn, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    private static void convBackwardWeight(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        float[] in = uniform(r, s.inSize(), LO, 1);
        Sums ref = Conv2dReference.backwardWeight(s, toDouble(dOut), toDouble(in));
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray x = c.in(Tensors.toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
        FloatArray dw = c.outSum("dWeight", ref.value(), ref.magnitude(), s.n() * s.ho() * s.wo());
        c.task((g, k) -> g.task(c.id(), k.convBackwardWeight(), d, x, dw, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    private static void convBackwardBias(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        Sums ref = Conv2dReference.backwardBias(s, toDouble(dOut));
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray db = c.outSum("dBias", ref.value(), ref.magnitude(), s.n() * s.ho() * s.wo());
        c.task((g, k) -> g.task(c.id(), k.convBackwardBias(), d, db, s.n(), s.cout(), s.ho() * s.wo()));
    }

    // ---- AvgPool2d: forward ¼ of a sum of 4 (γ(4)); backward only multiplies by ¼, exact ----

    private static void poolForward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        Sums ref = AvgPool2dReference.forward(s, toDouble(in));
        int outFeatures = s.outSize() / s.n();
        FloatArray x = c.in(Tensors.toBatchInnermost(in, s.n(), s.inSize() / s.n()));
        FloatArray out = c.outSum("out", toBatchInnermost(ref.value(), s.n(), outFeatures),
                toBatchInnermost(ref.magnitude(), s.n(), outFeatures), 4);
        c.task((g, k) -> g.task(c.id(), k.poolForward(), x, out, s.n(), s.c(), s.h(), s.w()));
    }

    private static void poolBackward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        double[] ref = AvgPool2dReference.backward(s, toDouble(dOut));
        int inFeatures = s.inSize() / s.n();
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.outSize() / s.n()));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), inFeatures), new double[ref.length]);
        c.task((g, k) -> g.task(c.id(), k.poolBackward(), d, dIn, s.n(), s.c(), s.h(), s.w()));
    }

    // ---- Sigmoid: element-wise, forward rounds 4 times (e^−x, 1 + ·, 1 / ·, and exp's own error), backward 3 ----

    private static void sigmoidForward(Case c, String id, int size, SplittableRandom r) {
        float[] x = uniform(r, size, -8, 8);
        double[] ref = SigmoidReference.forward(toDouble(x));
        FloatArray xa = c.in(x);
        FloatArray y = c.out("y", ref, Tensors.relativeTolerance(ref, 4));
        c.task((g, k) -> g.task(id, k.sigmoidForward(), xa, y, size));
    }

    private static void sigmoidBackward(Case c, String id, int size, SplittableRandom r) {
        float[] y = uniform(r, size, 0, 1);
        float[] dy = uniform(r, size, -1, 1);
        double[] ref = SigmoidReference.backward(toDouble(y), toDouble(dy));
        FloatArray ya = c.in(y);
        FloatArray dya = c.in(dy);
        FloatArray dx = c.out("dx", ref, Tensors.relativeTolerance(ref, 3));
        c.task((g, k) -> g.task(id, k.sigmoidBackward(), ya, dya, dx, size));
    }

    // ---- Linear: each output a float sum (forward fin products + bias, backward input fout, weight and bias n) ----

    private static void linearForward(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        float[] bias = uniform(r, s.fout(), LO, 1);
        Sums ref = LinearReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        FloatArray x = c.in(Tensors.toBatchInnermost(in, s.n(), s.fin()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray out = c.outSum("out", toBatchInnermost(ref.value(), s.n(), s.fout()),
                toBatchInnermost(ref.magnitude(), s.n(), s.fout()), s.fin() + 1);
        c.task((g, k) -> g.task(c.id(), k.linearForward(), x, wa, ba, out, s.n(), s.fin(), s.fout()));
    }

    private static void linearBackwardInput(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        Sums ref = LinearReference.backwardInput(s, toDouble(dOut), toDouble(w));
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray wa = c.in(w);
        FloatArray dIn = c.outSum("dIn", toBatchInnermost(ref.value(), s.n(), s.fin()),
                toBatchInnermost(ref.magnitude(), s.n(), s.fin()), s.fout());
        c.task((g, k) -> g.task(c.id(), k.linearBackwardInput(), d, wa, dIn, s.n(), s.fin(), s.fout()));
    }

    private static void linearBackwardWeight(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        Sums ref = LinearReference.backwardWeight(s, toDouble(dOut), toDouble(in));
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray x = c.in(Tensors.toBatchInnermost(in, s.n(), s.fin()));
        FloatArray dw = c.outSum("dWeight", ref.value(), ref.magnitude(), s.n());
        c.task((g, k) -> g.task(c.id(), k.linearBackwardWeight(), d, x, dw, s.n(), s.fin(), s.fout()));
    }

    private static void linearBackwardBias(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        Sums ref = LinearReference.backwardBias(s, toDouble(dOut));
        FloatArray d = c.in(Tensors.toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray db = c.outSum("dBias", ref.value(), ref.magnitude(), s.n());
        c.task((g, k) -> g.task(c.id(), k.linearBackwardBias(), d, db, s.n(), s.fout()));
    }

    // ---- SoftmaxCrossEntropy: the bounds of SoftmaxCrossEntropyReference; correct exact ----

    private static void lossForward(Case c, int n, SplittableRandom r) {
        float[] logits = uniform(r, n * CLASSES, -8, 8);
        int[] labels = uniformInts(r, n, CLASSES);
        double[] z = toDouble(logits);
        SoftmaxCrossEntropyReference.Forward ref = SoftmaxCrossEntropyReference.forward(z, labels, n, CLASSES);
        SoftmaxCrossEntropyReference.Forward tol = SoftmaxCrossEntropyReference.forwardTolerance(z, labels, n, CLASSES, ref);
        FloatArray za = c.in(Tensors.toBatchInnermost(logits, n, CLASSES));
        IntArray la = c.in(labels);
        FloatArray probs = c.out("probs", toBatchInnermost(ref.probs(), n, CLASSES), toBatchInnermost(tol.probs(), n, CLASSES));
        FloatArray loss = c.out("loss", ref.loss(), tol.loss());
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::forward, za, la, probs, loss, n, CLASSES));
    }

    private static void lossBackward(Case c, int n, SplittableRandom r) {
        float[] probs = uniform(r, n * CLASSES, 0, 1);
        int[] labels = uniformInts(r, n, CLASSES);
        float scale = 1.0f / n;
        double[] ref = SoftmaxCrossEntropyReference.backward(toDouble(probs), labels, n, CLASSES, scale);
        FloatArray pa = c.in(Tensors.toBatchInnermost(probs, n, CLASSES));
        IntArray la = c.in(labels);
        FloatArray d = c.out("dLogits", toBatchInnermost(ref, n, CLASSES), toBatchInnermost(Tensors.relativeTolerance(ref, 2), n, CLASSES));
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::backward, pa, la, d, n, CLASSES, scale));
    }

    private static void lossCorrect(Case c, int n, SplittableRandom r) {
        float[] logits = uniform(r, n * CLASSES, -8, 8);
        int[] labels = uniformInts(r, n, CLASSES);
        int[] ref = SoftmaxCrossEntropyReference.correct(toDouble(logits), labels, n, CLASSES);
        FloatArray za = c.in(Tensors.toBatchInnermost(logits, n, CLASSES));
        IntArray la = c.in(labels);
        IntArray correct = c.outInts("correct", ref);
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::correct, za, la, correct, n, CLASSES));
    }

    /** A batch that is not the first of its pass (cursor n): the totals add Σ loss (γ(n + 1)) and Σ correct (exact). */
    private static void lossAccumulate(Case c, int n, SplittableRandom r) {
        float[] loss = uniform(r, n, 0, 5);
        int[] correct = uniformInts(r, n, 2);
        float[] before = {100.5f, 17f};
        double lossSum = before[0];
        double magnitude = before[0];
        double count = before[1];
        for (int i = 0; i < n; i++) {
            lossSum += loss[i];
            magnitude += loss[i];
            count += correct[i];
        }
        FloatArray la = c.in(loss);
        IntArray ca = c.in(correct);
        IntArray cursor = c.in(new int[] {n});
        FloatArray totals = c.inOut("totals", before, new double[] {lossSum, count},
                new double[] {Tensors.gamma(n + 1) * magnitude, 0});
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::accumulate, la, ca, cursor, totals, n));
    }

    // ---- Batch: copies and index arithmetic, exact ----

    /** A data set of 3n images and a shuffled order; the batch starts at cursor n. */
    private static void gatherImages(Case c, int n, SplittableRandom r) {
        int count = 3 * n;
        float[] images = uniform(r, count * PIXELS, 0, 1);
        int[] order = permutation(r, count);
        double[] ref = new double[PIXELS * n];
        for (int p = 0; p < PIXELS; p++) {
            for (int i = 0; i < n; i++) {
                ref[p * n + i] = images[order[n + i] * PIXELS + p];
            }
        }
        FloatArray ia = c.in(images);
        IntArray oa = c.in(order);
        IntArray cursor = c.in(new int[] {n});
        FloatArray x = c.out("x", ref, new double[ref.length]);
        c.task((g, k) -> g.task(c.id(), Batch::gatherImages, ia, oa, cursor, x, n, PIXELS));
    }

    private static void gatherLabels(Case c, int n, SplittableRandom r) {
        int count = 3 * n;
        int[] labels = uniformInts(r, count, CLASSES);
        int[] order = permutation(r, count);
        int[] ref = new int[n];
        for (int i = 0; i < n; i++) {
            ref[i] = labels[order[n + i]];
        }
        IntArray la = c.in(labels);
        IntArray oa = c.in(order);
        IntArray cursor = c.in(new int[] {n});
        IntArray out = c.outInts("labels", ref);
        c.task((g, k) -> g.task(c.id(), Batch::gatherLabels, la, oa, cursor, out, n));
    }

    private static void advance(Case c, int n, SplittableRandom r) {
        int at = r.nextInt(1000) * n;
        IntArray cursor = c.inOutInts("cursor", new int[] {at}, new int[] {at + n});
        c.task((g, k) -> g.task(c.id(), Batch::advance, cursor, n));
    }

    private static void seek(Case c, int n, SplittableRandom r) {
        int to = r.nextInt(1000) * n;
        IntArray start = c.in(new int[] {to});
        IntArray cursor = c.inOutInts("cursor", new int[] {7 * n + 3}, new int[] {to});
        c.task((g, k) -> g.task(c.id(), Batch::seek, cursor, start));
    }

    // ---- Sgd: param − lr·grad rounds twice, γ(2)·(|param| + |lr·grad|); on linear1's weight, the largest tensor ----

    private static void sgd(Case c, int n, SplittableRandom r) {
        int size = F1 * FLAT;
        float lr = 0.9f;
        float[] param = uniform(r, size, -0.5, 0.5);
        float[] grad = uniform(r, size, -0.1, 0.1);
        double[] ref = new double[size];
        double[] tol = new double[size];
        for (int j = 0; j < size; j++) {
            ref[j] = param[j] - (double) lr * grad[j];
            tol[j] = Tensors.gamma(2) * (Math.abs(param[j]) + Math.abs((double) lr * grad[j]));
        }
        FloatArray p = c.inOut("param", param, ref, tol);
        FloatArray d = c.in(grad);
        c.task((g, k) -> g.task(c.id(), Sgd::update, p, d, lr, size));
    }

    private static double[] doubles(int[] v) {
        double[] d = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            d[j] = v[j];
        }
        return d;
    }

    private static int[] permutation(SplittableRandom r, int count) {
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
