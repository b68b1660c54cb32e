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

import lenet.data.Idx;
import lenet.engine.tornado.TornadoErrors;
import lenet.kernels.AvgPool2d;
import lenet.kernels.AvgPool2dReference;
import lenet.kernels.Batch;
import lenet.kernels.BatchNorm;
import lenet.kernels.BatchNormReference;
import lenet.kernels.Conv2d;
import lenet.kernels.Conv2dReference;
import lenet.kernels.Linear;
import lenet.kernels.LinearReference;
import lenet.kernels.MaxPool2d;
import lenet.kernels.MaxPool2dReference;
import lenet.kernels.Partials;
import lenet.kernels.Relu;
import lenet.kernels.ReluReference;
import lenet.kernels.Sgd;
import lenet.kernels.Sigmoid;
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
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Every kernel of {@code lenet.kernels}, one by one, at LeNet's shapes: each {@link Check} runs one kernel
 * as a task of its own on seeded random inputs and compares its outputs with the double-precision host
 * reference of {@code lenet.kernels} (EJML for the matrix products) within the kernel tests' tolerances
 * ({@link Tensors#sumTolerance} for sums, {@link Tensors#relativeTolerance} for element-wise formulas,
 * exact for indices and counts). A fused kernel's reference chains the references of its parts (a
 * convolution, then {@link SigmoidReference}, then {@link AvgPool2dReference}) and its tolerance carries
 * the first part's bound through the next (σ' ≤ ¼) and adds the next part's roundings. A stage-1 gradient
 * kernel ({@code backwardPartials}) is compared slice by slice, each partial sum with the reference on that
 * slice's examples alone; stage 2 ({@link Partials#sum}, {@link Sgd#sumAndUpdate}) with sums in double.
 * {@code lenet check-kernels} runs the table on JVM threads or on a TornadoVM device.
 *
 * <p>Add a kernel by adding a row to {@link #ALL} (a test fails while a kernel of {@code lenet.kernels} or of
 * {@link KernelSet} has none): its task id (as {@link LeNetGraph} names the task; a kernel the step does not
 * run is named after the layer whose shapes it runs at), the kernel method, whether it comes from the
 * {@link KernelSet} (then each set's version is checked, at the set's shape of the gradient sums: sliced or
 * one slice), and how to build a {@link Case}: inputs, outputs prefilled with NaN (an element the kernel does
 * not write fails), the expected values and tolerances in the kernel's own layout, and the one task.
 * Activations are drawn batch-outermost (the references' layout, PyTorch's) and handed to the kernel
 * batch-innermost.
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
        /**
         * The case of this check at batch {@code n} for kernel set {@code k}: its data seeded by the id and n,
         * its gradient sums shaped as {@code k} sums them ({@link KernelSet#sliced}). It runs with any kernel set.
         */
        public Case build(int n, KernelSet k) {
            return build(n, k.sliced());
        }

        /** The case of this check at batch {@code n}, the gradient sums sliced as {@link LeNetGraph} slices them or one slice. */
        public Case build(int n, boolean sliced) {
            Case c = new Case(id, sliced);
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
        private final boolean sliced;
        private final List<TornadoNativeArray> arrays = new ArrayList<>();
        private final List<Expected> outputs = new ArrayList<>();
        private Task task;

        Case(String id, boolean sliced) {
            this.id = id;
            this.sliced = sliced;
        }

        public String id() {
            return id;
        }

        /** Whether the gradient sums are sliced ({@link LeNetGraph#slices}) or one slice over the whole batch. */
        public boolean sliced() {
            return sliced;
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

        ByteArray in(byte[] values) {
            ByteArray a = ByteArray.fromArray(values);
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

        /**
         * An int output prefilled with −1, expected to equal {@code value} within {@code tolerance} (an argmax
         * where the reference's window holds near ties the float kernel may resolve otherwise).
         */
        IntArray outInts(String name, int[] value, double[] tolerance) {
            int[] initial = new int[value.length];
            java.util.Arrays.fill(initial, -1);
            IntArray a = inOutInts(name, initial, value);
            Expected e = outputs.removeLast();
            outputs.add(new Expected(e.name(), e.array(), e.initial(), e.value(), tolerance));
            return a;
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
            String head = String.format("%-6s %-28s", set, id);
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
        return run(check.build(n, k), k, runner);
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
            case 1 -> new LinearReference.Shape("fc1", n, FLAT, F1);
            case 2 -> new LinearReference.Shape("fc2", n, F1, F2);
            default -> new LinearReference.Shape("fc3", n, F2, CLASSES);
        };
    }

    static AvgPool2dReference.Shape pool(int n, int layer) {
        return layer == 1 ? new AvgPool2dReference.Shape("conv1", n, C1, H1, H1) : new AvgPool2dReference.Shape("conv2", n, C2, H2, H2);
    }

    /**
     * The table: every kernel of {@code lenet.kernels}, at the shapes LeNet runs it. First the kernels of a
     * {@link KernelSet} and the rest of the training step ({@link LeNetGraph#step}, {@link LeNetGraph#forward}
     * and the engines' batch and bookkeeping tasks), then the unfused kernels the step no longer calls,
     * at the shapes of the layers they belong to.
     */
    public static final List<Check> ALL = List.of(
            new Check("conv1.forwardSigmoidPool", "Conv2d.forwardSigmoidPool", true, (c, n, r) -> convForwardSigmoidPool(c, conv1(n), r)),
            new Check("conv2.forwardSigmoidPool", "Conv2d.forwardSigmoidPool", true, (c, n, r) -> convForwardSigmoidPool(c, conv2(n), r)),
            new Check("fc1.forwardSigmoid", "Linear.forwardSigmoid", true, (c, n, r) -> linearForwardSigmoid(c, linear(n, 1), r)),
            new Check("fc2.forwardSigmoid", "Linear.forwardSigmoid", true, (c, n, r) -> linearForwardSigmoid(c, linear(n, 2), r)),
            new Check("fc3.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 3), r)),
            new Check("fc3.backwardInputSigmoid", "Linear.backwardInputSigmoid", true, (c, n, r) -> linearBackwardInputSigmoid(c, linear(n, 3), r)),
            new Check("fc3.backwardPartials", "Linear.backwardPartials", true, (c, n, r) -> linearPartials(c, linear(n, 3), LeNetGraph.LINEAR_SLICE, r)),
            new Check("fc2.backwardInputSigmoid", "Linear.backwardInputSigmoid", true, (c, n, r) -> linearBackwardInputSigmoid(c, linear(n, 2), r)),
            new Check("fc2.backwardPartials", "Linear.backwardPartials", true, (c, n, r) -> linearPartials(c, linear(n, 2), LeNetGraph.LINEAR_SLICE, r)),
            new Check("fc1.backwardInput", "Linear.backwardInput", true, (c, n, r) -> linearBackwardInput(c, linear(n, 1), r)),
            new Check("fc1.backwardPartials", "Linear.backwardPartials", true, (c, n, r) -> linearPartials(c, linear(n, 1), LeNetGraph.LINEAR_SLICE, r)),
            new Check("conv2.poolBackwardSigmoid", "AvgPool2d.backwardSigmoid", true, (c, n, r) -> poolBackwardSigmoid(c, pool(n, 2), r)),
            new Check("conv2.backwardInput", "Conv2d.backwardInput", true, (c, n, r) -> convBackwardInput(c, conv2(n), r)),
            new Check("conv2.backwardPartials", "Conv2d.backwardPartials", true, (c, n, r) -> convPartials(c, conv2(n), LeNetGraph.CONV2_SLICE, r)),
            new Check("conv1.poolBackwardSigmoid", "AvgPool2d.backwardSigmoid", true, (c, n, r) -> poolBackwardSigmoid(c, pool(n, 1), r)),
            new Check("conv1.backwardInput", "Conv2d.backwardInput", true, (c, n, r) -> convBackwardInput(c, conv1(n), r)),
            new Check("conv1.backwardPartials", "Conv2d.backwardPartials", true, (c, n, r) -> convPartials(c, conv1(n), LeNetGraph.CONV1_SLICE, r)),
            // the kernels of the ReLU and max-pooling variant
            new Check("conv1.forwardReluMaxPool", "Conv2d.forwardReluMaxPool", true, (c, n, r) -> convForwardReluMaxPool(c, conv1(n), r)),
            new Check("conv2.forwardReluMaxPool", "Conv2d.forwardReluMaxPool", true, (c, n, r) -> convForwardReluMaxPool(c, conv2(n), r)),
            new Check("fc1.forwardRelu", "Linear.forwardRelu", true, (c, n, r) -> linearForwardRelu(c, linear(n, 1), r)),
            new Check("fc2.forwardRelu", "Linear.forwardRelu", true, (c, n, r) -> linearForwardRelu(c, linear(n, 2), r)),
            new Check("fc3.backwardInputRelu", "Linear.backwardInputRelu", true, (c, n, r) -> linearBackwardInputRelu(c, linear(n, 3), r)),
            new Check("fc2.backwardInputRelu", "Linear.backwardInputRelu", true, (c, n, r) -> linearBackwardInputRelu(c, linear(n, 2), r)),
            new Check("conv2.poolBackwardRelu", "MaxPool2d.backwardRelu", true, (c, n, r) -> maxPoolBackwardRelu(c, pool(n, 2), r)),
            new Check("conv1.poolBackwardRelu", "MaxPool2d.backwardRelu", true, (c, n, r) -> maxPoolBackwardRelu(c, pool(n, 1), r)),
            new Check("fc3.sumAndUpdate", "Sgd.sumAndUpdate", false, (c, n, r) -> stageTwo(c, F2 * CLASSES, CLASSES, slices(c, n, LeNetGraph.LINEAR_SLICE), true, r)),
            new Check("fc2.sumAndUpdate", "Sgd.sumAndUpdate", false, (c, n, r) -> stageTwo(c, F1 * F2, F2, slices(c, n, LeNetGraph.LINEAR_SLICE), true, r)),
            new Check("fc1.sumAndUpdate", "Sgd.sumAndUpdate", false, (c, n, r) -> stageTwo(c, FLAT * F1, F1, slices(c, n, LeNetGraph.LINEAR_SLICE), true, r)),
            new Check("conv2.sumAndUpdate", "Sgd.sumAndUpdate", false, (c, n, r) -> stageTwo(c, C2 * C1 * KERNEL * KERNEL, C2, slices(c, n, LeNetGraph.CONV2_SLICE), true, r)),
            new Check("conv1.sumAndUpdate", "Sgd.sumAndUpdate", false, (c, n, r) -> stageTwo(c, C1 * KERNEL * KERNEL, C1, slices(c, n, LeNetGraph.CONV1_SLICE), true, r)),
            new Check("fc3.sum", "Partials.sum", false, (c, n, r) -> stageTwo(c, F2 * CLASSES, CLASSES, slices(c, n, LeNetGraph.LINEAR_SLICE), false, r)),
            new Check("fc2.sum", "Partials.sum", false, (c, n, r) -> stageTwo(c, F1 * F2, F2, slices(c, n, LeNetGraph.LINEAR_SLICE), false, r)),
            new Check("fc1.sum", "Partials.sum", false, (c, n, r) -> stageTwo(c, FLAT * F1, F1, slices(c, n, LeNetGraph.LINEAR_SLICE), false, r)),
            new Check("conv2.sum", "Partials.sum", false, (c, n, r) -> stageTwo(c, C2 * C1 * KERNEL * KERNEL, C2, slices(c, n, LeNetGraph.CONV2_SLICE), false, r)),
            new Check("conv1.sum", "Partials.sum", false, (c, n, r) -> stageTwo(c, C1 * KERNEL * KERNEL, C1, slices(c, n, LeNetGraph.CONV1_SLICE), false, r)),
            new Check("loss.forwardBackward", "SoftmaxCrossEntropy.forwardBackward", false, (c, n, r) -> lossFused(c, n, true, r)),
            new Check("loss.evaluate", "SoftmaxCrossEntropy.evaluate", false, (c, n, r) -> lossFused(c, n, false, r)),
            new Check("loss.backward", "SoftmaxCrossEntropy.backward", false, KernelChecks::lossBackward),
            new Check("loss.accumulate", "SoftmaxCrossEntropy.accumulate", false, KernelChecks::lossAccumulate),
            new Check("batch.gather", "Batch.gather", true, KernelChecks::gather),
            new Check("batch.seek", "Batch.seek", false, KernelChecks::seek),
            new Check("sgd.update", "Sgd.update", true, KernelChecks::sgd),
            new Check("bn1.update", "Sgd.updateNorm", false, (c, n, r) -> sgdNorm(c, C1, r)),
            new Check("bn2.update", "Sgd.updateNorm", false, (c, n, r) -> sgdNorm(c, C2, r)),
            new Check("bn3.update", "Sgd.updateNorm", false, (c, n, r) -> sgdNorm(c, F1, r)),
            new Check("bn4.update", "Sgd.updateNorm", false, (c, n, r) -> sgdNorm(c, F2, r)),
            new Check("fc1.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 1), r)),
            new Check("fc2.forward", "Linear.forward", true, (c, n, r) -> linearForward(c, linear(n, 2), r)),
            // batch norm (the step of lenet-bn), at the outputs of conv1, conv2, fc1 and fc2, its sums sliced as on a GPU
            new Check("bn1.statsPartials", "BatchNorm.statsPartials", true, (c, n, r) -> bnStatsPartials(c, bnConv1(n), BatchNorm.CONV1_SLICE, r)),
            new Check("bn1.stats", "BatchNorm.stats", false, (c, n, r) -> bnStats(c, bnConv1(n), BatchNorm.CONV1_SLICE, r)),
            new Check("bn1.updateRunning", "BatchNorm.updateRunning", false, (c, n, r) -> bnUpdateRunning(c, bnConv1(n), r)),
            new Check("bn1.forwardSigmoidPool", "BatchNorm.forwardSigmoidPool", true, (c, n, r) -> bnForwardSigmoidPool(c, bnConv1(n), r)),
            new Check("bn1.backwardPartials", "BatchNorm.backwardPartials", true, (c, n, r) -> bnBackwardPartials(c, bnConv1(n), BatchNorm.CONV1_SLICE, r)),
            new Check("bn1.sums", "BatchNorm.sums", false, (c, n, r) -> bnSums(c, bnConv1(n), BatchNorm.CONV1_SLICE, r)),
            new Check("bn1.backwardInput", "BatchNorm.backwardInput", true, (c, n, r) -> bnBackwardInput(c, bnConv1(n), r)),
            new Check("bn2.statsPartials", "BatchNorm.statsPartials", true, (c, n, r) -> bnStatsPartials(c, bnConv2(n), BatchNorm.CONV2_SLICE, r)),
            new Check("bn2.stats", "BatchNorm.stats", false, (c, n, r) -> bnStats(c, bnConv2(n), BatchNorm.CONV2_SLICE, r)),
            new Check("bn2.updateRunning", "BatchNorm.updateRunning", false, (c, n, r) -> bnUpdateRunning(c, bnConv2(n), r)),
            new Check("bn2.forwardSigmoidPool", "BatchNorm.forwardSigmoidPool", true, (c, n, r) -> bnForwardSigmoidPool(c, bnConv2(n), r)),
            new Check("bn2.backwardPartials", "BatchNorm.backwardPartials", true, (c, n, r) -> bnBackwardPartials(c, bnConv2(n), BatchNorm.CONV2_SLICE, r)),
            new Check("bn2.sums", "BatchNorm.sums", false, (c, n, r) -> bnSums(c, bnConv2(n), BatchNorm.CONV2_SLICE, r)),
            new Check("bn2.backwardInput", "BatchNorm.backwardInput", true, (c, n, r) -> bnBackwardInput(c, bnConv2(n), r)),
            new Check("bn3.statsPartials", "BatchNorm.statsPartials", true, (c, n, r) -> bnStatsPartials(c, bnLinear(n, F1), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn3.stats", "BatchNorm.stats", false, (c, n, r) -> bnStats(c, bnLinear(n, F1), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn3.updateRunning", "BatchNorm.updateRunning", false, (c, n, r) -> bnUpdateRunning(c, bnLinear(n, F1), r)),
            new Check("bn3.forwardSigmoid", "BatchNorm.forwardSigmoid", true, (c, n, r) -> bnForwardSigmoid(c, bnLinear(n, F1), r)),
            new Check("bn3.backwardPartials", "BatchNorm.backwardPartials", true, (c, n, r) -> bnBackwardPartials(c, bnLinear(n, F1), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn3.sums", "BatchNorm.sums", false, (c, n, r) -> bnSums(c, bnLinear(n, F1), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn3.backwardInput", "BatchNorm.backwardInput", true, (c, n, r) -> bnBackwardInput(c, bnLinear(n, F1), r)),
            new Check("bn4.statsPartials", "BatchNorm.statsPartials", true, (c, n, r) -> bnStatsPartials(c, bnLinear(n, F2), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn4.stats", "BatchNorm.stats", false, (c, n, r) -> bnStats(c, bnLinear(n, F2), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn4.updateRunning", "BatchNorm.updateRunning", false, (c, n, r) -> bnUpdateRunning(c, bnLinear(n, F2), r)),
            new Check("bn4.forwardSigmoid", "BatchNorm.forwardSigmoid", true, (c, n, r) -> bnForwardSigmoid(c, bnLinear(n, F2), r)),
            new Check("bn4.backwardPartials", "BatchNorm.backwardPartials", true, (c, n, r) -> bnBackwardPartials(c, bnLinear(n, F2), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn4.sums", "BatchNorm.sums", false, (c, n, r) -> bnSums(c, bnLinear(n, F2), BatchNorm.LINEAR_SLICE, r)),
            new Check("bn4.backwardInput", "BatchNorm.backwardInput", true, (c, n, r) -> bnBackwardInput(c, bnLinear(n, F2), r)),
            // the unfused kernels
            new Check("conv1.forward", "Conv2d.forward", true, (c, n, r) -> convForward(c, conv1(n), r)),
            new Check("conv2.forward", "Conv2d.forward", true, (c, n, r) -> convForward(c, conv2(n), r)),
            new Check("conv1.backwardWeight", "Conv2d.backwardWeight", false, (c, n, r) -> convBackwardWeight(c, conv1(n), r)),
            new Check("conv2.backwardWeight", "Conv2d.backwardWeight", false, (c, n, r) -> convBackwardWeight(c, conv2(n), r)),
            new Check("conv1.backwardBias", "Conv2d.backwardBias", false, (c, n, r) -> convBackwardBias(c, conv1(n), r)),
            new Check("conv2.backwardBias", "Conv2d.backwardBias", false, (c, n, r) -> convBackwardBias(c, conv2(n), r)),
            new Check("conv1.poolForward", "AvgPool2d.forward", false, (c, n, r) -> poolForward(c, pool(n, 1), r)),
            new Check("conv2.poolForward", "AvgPool2d.forward", false, (c, n, r) -> poolForward(c, pool(n, 2), r)),
            new Check("conv1.poolBackward", "AvgPool2d.backward", false, (c, n, r) -> poolBackward(c, pool(n, 1), r)),
            new Check("conv2.poolBackward", "AvgPool2d.backward", false, (c, n, r) -> poolBackward(c, pool(n, 2), r)),
            new Check("conv1.sigmoidForward", "Sigmoid.forward", false, (c, n, r) -> sigmoidForward(c, C1 * H1 * H1 * n, r)),
            new Check("fc2.sigmoidForward", "Sigmoid.forward", false, (c, n, r) -> sigmoidForward(c, F2 * n, r)),
            new Check("conv1.sigmoidBackward", "Sigmoid.backward", false, (c, n, r) -> sigmoidBackward(c, C1 * H1 * H1 * n, r)),
            new Check("fc2.sigmoidBackward", "Sigmoid.backward", false, (c, n, r) -> sigmoidBackward(c, F2 * n, r)),
            new Check("conv1.maxPoolForward", "MaxPool2d.forward", false, (c, n, r) -> maxPoolForward(c, pool(n, 1), r)),
            new Check("conv2.maxPoolForward", "MaxPool2d.forward", false, (c, n, r) -> maxPoolForward(c, pool(n, 2), r)),
            new Check("conv1.maxPoolBackward", "MaxPool2d.backward", false, (c, n, r) -> maxPoolBackward(c, pool(n, 1), r)),
            new Check("conv2.maxPoolBackward", "MaxPool2d.backward", false, (c, n, r) -> maxPoolBackward(c, pool(n, 2), r)),
            new Check("conv1.reluForward", "Relu.forward", false, (c, n, r) -> reluForward(c, C1 * H1 * H1 * n, r)),
            new Check("fc2.reluForward", "Relu.forward", false, (c, n, r) -> reluForward(c, F2 * n, r)),
            new Check("conv1.reluBackward", "Relu.backward", false, (c, n, r) -> reluBackward(c, C1 * H1 * H1 * n, r)),
            new Check("fc2.reluBackward", "Relu.backward", false, (c, n, r) -> reluBackward(c, F2 * n, r)),
            new Check("fc2.backwardInput", "Linear.backwardInput", false, (c, n, r) -> linearBackwardInput(c, linear(n, 2), r)),
            new Check("fc1.backwardWeight", "Linear.backwardWeight", false, (c, n, r) -> linearBackwardWeight(c, linear(n, 1), r)),
            new Check("fc2.backwardWeight", "Linear.backwardWeight", false, (c, n, r) -> linearBackwardWeight(c, linear(n, 2), r)),
            new Check("fc3.backwardWeight", "Linear.backwardWeight", false, (c, n, r) -> linearBackwardWeight(c, linear(n, 3), r)),
            new Check("fc1.backwardBias", "Linear.backwardBias", false, (c, n, r) -> linearBackwardBias(c, linear(n, 1), r)),
            new Check("fc2.backwardBias", "Linear.backwardBias", false, (c, n, r) -> linearBackwardBias(c, linear(n, 2), r)),
            new Check("fc3.backwardBias", "Linear.backwardBias", false, (c, n, r) -> linearBackwardBias(c, linear(n, 3), r)),
            new Check("loss.forward", "SoftmaxCrossEntropy.forward", false, KernelChecks::lossForward),
            new Check("loss.correct", "SoftmaxCrossEntropy.correct", false, KernelChecks::lossCorrect));

    /** The slices of a case's gradient sums: as the step cuts them at batch n when sliced, else one. */
    private static int slices(Case c, int n, int examplesPerSlice) {
        return c.sliced() ? LeNetGraph.slices(n, examplesPerSlice) : 1;
    }

    /**
     * Weights of a layer followed by a sigmoid: uniform in [LO, 1) scaled by 2/fanIn, so that with a bias from
     * [−1, ½) the pre-activation stays near 0, where σ' is about ¼ and an error of the sum shows through the
     * sigmoid (unscaled, conv2's and fc1's sums of 150 and 400 mostly positive terms would saturate it).
     */
    private static float[] sigmoidLayerWeights(SplittableRandom r, int size, int fanIn) {
        float[] w = uniform(r, size, LO, 1);
        for (int j = 0; j < w.length; j++) {
            w[j] *= 2.0f / fanIn;
        }
        return w;
    }

    /** Slice {@code slice} of {@code slices} of a batch-outermost {@code [n][size]} array: the examples i ≡ slice (mod slices). */
    private static float[] slice(float[] outer, int n, int size, int slice, int slices) {
        int m = (n - slice + slices - 1) / slices;
        float[] out = new float[m * size];
        for (int e = 0; e < m; e++) {
            System.arraycopy(outer, (slice + e * slices) * size, out, e * size, size);
        }
        return out;
    }

    /** The examples of slice {@code slice} of {@code slices} of a batch of n. */
    private static int sliceSize(int n, int slice, int slices) {
        return (n - slice + slices - 1) / slices;
    }

    // ---- Conv2d: each output a float sum (forward cin·k·k products + bias, backward input cout·k·k, weight and bias n·ho·wo) ----

    /**
     * conv → sigmoid → 2×2 pool against {@link Conv2dReference}, {@link SigmoidReference} and
     * {@link AvgPool2dReference} chained. act: the convolution's bound times σ' ≤ ¼ plus the sigmoid's four
     * roundings, γ(4)·y; pooled: the window's mean of those plus γ(4) of the result (three additions, the exact ¼).
     */
    private static void convForwardSigmoidPool(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        float[] w = sigmoidLayerWeights(r, s.weightSize(), s.taps());
        float[] bias = uniform(r, s.cout(), -1, 0.5);
        Sums conv = Conv2dReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        double[] convTol = sumTolerance(conv.magnitude(), s.taps() + 1);
        double[] y = SigmoidReference.forward(conv.value());
        double[] actTol = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            actTol[j] = 0.25 * convTol[j] + Tensors.gamma(4) * y[j];
        }
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), s.n(), s.cout(), s.ho(), s.wo());
        double[] pool = AvgPool2dReference.forward(ps, y).value();
        double[] poolTol = AvgPool2dReference.forward(ps, actTol).value();
        for (int j = 0; j < pool.length; j++) {
            poolTol[j] += Tensors.gamma(4) * pool[j];
        }
        int outFeatures = s.cout() * s.ho() * s.wo();
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray act = c.out("act", toBatchInnermost(y, s.n(), outFeatures), toBatchInnermost(actTol, s.n(), outFeatures));
        FloatArray pooled = c.out("pooled", toBatchInnermost(pool, s.n(), outFeatures / 4), toBatchInnermost(poolTol, s.n(), outFeatures / 4));
        c.task((g, k) -> g.task(c.id(), k.convForwardSigmoidPool(), x, wa, ba, act, pooled, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    private static void convForward(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        float[] w = uniform(r, s.weightSize(), LO, 1);
        float[] bias = uniform(r, s.cout(), LO, 1);
        Sums ref = Conv2dReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        int outFeatures = s.cout() * s.ho() * s.wo();
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
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
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray wa = c.in(w);
        FloatArray dIn = c.outSum("dIn", toBatchInnermost(ref.value(), s.n(), inFeatures),
                toBatchInnermost(ref.magnitude(), s.n(), inFeatures), s.cout() * s.k() * s.k());
        c.task((g, k) -> g.task(c.id(), k.convBackwardInput(), d, wa, dIn, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    /**
     * Stage 1 of the weight and bias gradients: slice sl's partial sums against {@link Conv2dReference} on
     * slice sl's examples alone, m of them (sums of m·ho·wo terms); the slices as the step cuts them.
     */
    private static void convPartials(Case c, Conv2dReference.Shape s, int examplesPerSlice, SplittableRandom r) {
        int slices = slices(c, s.n(), examplesPerSlice);
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        float[] in = uniform(r, s.inSize(), LO, 1);
        int inRow = s.cin() * s.h() * s.w();
        int outRow = s.cout() * s.ho() * s.wo();
        int ws = s.weightSize();
        double[] w = new double[slices * ws];
        double[] wTol = new double[slices * ws];
        double[] b = new double[slices * s.cout()];
        double[] bTol = new double[slices * s.cout()];
        for (int sl = 0; sl < slices; sl++) {
            int m = sliceSize(s.n(), sl, slices);
            Conv2dReference.Shape sub = new Conv2dReference.Shape(s.name(), m, s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());
            double[] subDOut = toDouble(slice(dOut, s.n(), outRow, sl, slices));
            Sums rw = Conv2dReference.backwardWeight(sub, subDOut, toDouble(slice(in, s.n(), inRow, sl, slices)));
            Sums rb = Conv2dReference.backwardBias(sub, subDOut);
            System.arraycopy(rw.value(), 0, w, sl * ws, ws);
            System.arraycopy(sumTolerance(rw.magnitude(), m * s.ho() * s.wo()), 0, wTol, sl * ws, ws);
            System.arraycopy(rb.value(), 0, b, sl * s.cout(), s.cout());
            System.arraycopy(sumTolerance(rb.magnitude(), m * s.ho() * s.wo()), 0, bTol, sl * s.cout(), s.cout());
        }
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), outRow));
        FloatArray x = c.in(toBatchInnermost(in, s.n(), inRow));
        FloatArray wPart = c.out("wPart", w, wTol);
        FloatArray bPart = c.out("bPart", b, bTol);
        c.task((g, k) -> g.task(c.id(), k.convBackwardPartials(), d, x, wPart, bPart, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad(), slices));
    }

    private static void convBackwardWeight(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        float[] in = uniform(r, s.inSize(), LO, 1);
        Sums ref = Conv2dReference.backwardWeight(s, toDouble(dOut), toDouble(in));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
        FloatArray dw = c.outSum("dWeight", ref.value(), ref.magnitude(), s.n() * s.ho() * s.wo());
        c.task((g, k) -> g.task(c.id(), Conv2d::backwardWeight, d, x, dw, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    private static void convBackwardBias(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        Sums ref = Conv2dReference.backwardBias(s, toDouble(dOut));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray db = c.outSum("dBias", ref.value(), ref.magnitude(), s.n() * s.ho() * s.wo());
        c.task((g, k) -> g.task(c.id(), Conv2d::backwardBias, d, db, s.n(), s.cout(), s.ho() * s.wo()));
    }

    // ---- AvgPool2d: forward ¼ of a sum of 4 (γ(4)); backward only multiplies by ¼, exact; with the sigmoid's derivative 3 roundings ----

    private static void poolForward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        Sums ref = AvgPool2dReference.forward(s, toDouble(in));
        int outFeatures = s.outSize() / s.n();
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.inSize() / s.n()));
        FloatArray out = c.outSum("out", toBatchInnermost(ref.value(), s.n(), outFeatures),
                toBatchInnermost(ref.magnitude(), s.n(), outFeatures), 4);
        c.task((g, k) -> g.task(c.id(), AvgPool2d::forward, x, out, s.n(), s.c(), s.h(), s.w()));
    }

    private static void poolBackward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), LO, 1);
        double[] ref = AvgPool2dReference.backward(s, toDouble(dOut));
        int inFeatures = s.inSize() / s.n();
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.outSize() / s.n()));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), inFeatures), new double[ref.length]);
        c.task((g, k) -> g.task(c.id(), AvgPool2d::backward, d, dIn, s.n(), s.c(), s.h(), s.w()));
    }

    /** ¼·dOut (exact) times y·(1 − y), y the sigmoid output the pool read: {@link SigmoidReference#backward} of {@link AvgPool2dReference#backward}. */
    private static void poolBackwardSigmoid(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), -1, 1);
        float[] act = uniform(r, s.inSize(), 0, 1);
        double[] ref = SigmoidReference.backward(toDouble(act), AvgPool2dReference.backward(s, toDouble(dOut)));
        int inFeatures = s.inSize() / s.n();
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.outSize() / s.n()));
        FloatArray a = c.in(toBatchInnermost(act, s.n(), inFeatures));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), inFeatures), toBatchInnermost(Tensors.relativeTolerance(ref, 3), s.n(), inFeatures));
        c.task((g, k) -> g.task(c.id(), k.poolBackwardSigmoid(), d, a, dIn, s.n(), s.c(), s.h(), s.w()));
    }

    // ---- ReLU and max pooling: comparisons and copies, exact; fused after a sum, the sum's bound (ReLU and max are 1-Lipschitz) ----

    /**
     * conv → ReLU → 2×2 max pool against {@link Conv2dReference}, {@link ReluReference} and
     * {@link MaxPool2dReference} chained. act: the convolution's bound (the ReLU adds no rounding, and moves a
     * value no further than the sum's error); pooled: the largest bound of its window; argmax: exact, except
     * in a window where two values lie within their bounds of each other, where it may take any position
     * that can be the first maximum ({@link MaxPool2dReference#argmaxTolerance}). Weights and bias as for a
     * sigmoid layer ({@link #sigmoidLayerWeights}): pre-activations of both signs, so that the ReLU zeroes
     * about a third of them and windows hold ties at 0.
     */
    private static void convForwardReluMaxPool(Case c, Conv2dReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.inSize(), LO, 1);
        float[] w = sigmoidLayerWeights(r, s.weightSize(), s.taps());
        float[] bias = uniform(r, s.cout(), -1, 0.5);
        Sums conv = Conv2dReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        double[] convTol = sumTolerance(conv.magnitude(), s.taps() + 1);
        double[] y = ReluReference.forward(conv.value());
        double[] lo = new double[y.length];
        double[] hi = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            lo[j] = Math.max(conv.value()[j] - convTol[j], 0);
            hi[j] = Math.max(conv.value()[j] + convTol[j], 0);
        }
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), s.n(), s.cout(), s.ho(), s.wo());
        MaxPool2dReference.Forward pool = MaxPool2dReference.forward(ps, y);
        double[] poolTol = MaxPool2dReference.forward(ps, convTol).out();
        double[] argTol = MaxPool2dReference.argmaxTolerance(ps, lo, hi, pool.argmax());
        int outFeatures = s.cout() * s.ho() * s.wo();
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.cin() * s.h() * s.w()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray act = c.out("act", toBatchInnermost(y, s.n(), outFeatures), toBatchInnermost(convTol, s.n(), outFeatures));
        FloatArray pooled = c.out("pooled", toBatchInnermost(pool.out(), s.n(), outFeatures / 4), toBatchInnermost(poolTol, s.n(), outFeatures / 4));
        IntArray argmax = c.outInts("argmax", toBatchInnermost(pool.argmax(), s.n(), outFeatures / 4), toBatchInnermost(argTol, s.n(), outFeatures / 4));
        c.task((g, k) -> g.task(c.id(), k.convForwardReluMaxPool(), x, wa, ba, act, pooled, argmax,
                s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad()));
    }

    /** Linear then ReLU, {@link LinearReference} then {@link ReluReference}: the sum's bound (the ReLU adds none). */
    private static void linearForwardRelu(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        float[] w = sigmoidLayerWeights(r, s.fout() * s.fin(), s.fin());
        float[] bias = uniform(r, s.fout(), -1, 0.5);
        Sums ref = LinearReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        double[] tol = sumTolerance(ref.magnitude(), s.fin() + 1);
        double[] y = ReluReference.forward(ref.value());
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.fin()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray out = c.out("out", toBatchInnermost(y, s.n(), s.fout()), toBatchInnermost(tol, s.n(), s.fout()));
        c.task((g, k) -> g.task(c.id(), k.linearForwardRelu(), x, wa, ba, out, s.n(), s.fin(), s.fout()));
    }

    /**
     * Wᵀ dOut masked by y &gt; 0, {@link LinearReference#backwardInput} then {@link ReluReference#backward}: the
     * sum's bound where y &gt; 0, exact 0 elsewhere. y: a ReLU output, about half of it 0.
     */
    private static void linearBackwardInputRelu(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        float[] y = reluOutput(r, s.n() * s.fin());
        Sums sum = LinearReference.backwardInput(s, toDouble(dOut), toDouble(w));
        double[] ref = ReluReference.backward(toDouble(y), sum.value());
        double[] tol = ReluReference.backward(toDouble(y), sumTolerance(sum.magnitude(), s.fout()));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray wa = c.in(w);
        FloatArray ya = c.in(toBatchInnermost(y, s.n(), s.fin()));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), s.fin()), toBatchInnermost(tol, s.n(), s.fin()));
        c.task((g, k) -> g.task(c.id(), k.linearBackwardInputRelu(), d, wa, ya, dIn, s.n(), s.fin(), s.fout()));
    }

    /**
     * The gradient gathered through a random argmax and masked by a ReLU output: {@link ReluReference#backward}
     * of {@link MaxPool2dReference#backward} (which scatters). Exact: the kernel only copies or writes 0.
     */
    private static void maxPoolBackwardRelu(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), -1, 1);
        int[] argmax = uniformInts(r, s.outSize(), 4);
        float[] act = reluOutput(r, s.inSize());
        double[] ref = ReluReference.backward(toDouble(act), MaxPool2dReference.backward(s, argmax, toDouble(dOut)));
        int inFeatures = s.inSize() / s.n();
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.outSize() / s.n()));
        IntArray arg = c.in(toBatchInnermost(argmax, s.n(), s.outSize() / s.n()));
        FloatArray a = c.in(toBatchInnermost(act, s.n(), inFeatures));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), inFeatures), new double[ref.length]);
        c.task((g, k) -> g.task(c.id(), k.maxPoolBackwardRelu(), d, arg, a, dIn, s.n(), s.c(), s.h(), s.w()));
    }

    /**
     * Max pooling of inputs drawn from 9 values, so that about one window in five holds a tie for its maximum
     * (the first maximum must win): output and argmax exact.
     */
    private static void maxPoolForward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] in = coarse(r, s.inSize());
        MaxPool2dReference.Forward ref = MaxPool2dReference.forward(s, toDouble(in));
        int outFeatures = s.outSize() / s.n();
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.inSize() / s.n()));
        FloatArray out = c.out("out", toBatchInnermost(ref.out(), s.n(), outFeatures), new double[ref.out().length]);
        IntArray argmax = c.outInts("argmax", toBatchInnermost(ref.argmax(), s.n(), outFeatures));
        c.task((g, k) -> g.task(c.id(), MaxPool2d::forward, x, out, argmax, s.n(), s.c(), s.h(), s.w()));
    }

    private static void maxPoolBackward(Case c, AvgPool2dReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.outSize(), -1, 1);
        int[] argmax = uniformInts(r, s.outSize(), 4);
        double[] ref = MaxPool2dReference.backward(s, argmax, toDouble(dOut));
        int inFeatures = s.inSize() / s.n();
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.outSize() / s.n()));
        IntArray arg = c.in(toBatchInnermost(argmax, s.n(), s.outSize() / s.n()));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), inFeatures), new double[ref.length]);
        c.task((g, k) -> g.task(c.id(), MaxPool2d::backward, d, arg, dIn, s.n(), s.c(), s.h(), s.w()));
    }

    private static void reluForward(Case c, int size, SplittableRandom r) {
        float[] x = uniform(r, size, -1, 1);
        double[] ref = ReluReference.forward(toDouble(x));
        FloatArray xa = c.in(x);
        FloatArray y = c.out("y", ref, new double[size]);
        c.task((g, k) -> g.task(c.id(), Relu::forward, xa, y, size));
    }

    private static void reluBackward(Case c, int size, SplittableRandom r) {
        float[] y = reluOutput(r, size);
        float[] dy = uniform(r, size, -1, 1);
        double[] ref = ReluReference.backward(toDouble(y), toDouble(dy));
        FloatArray ya = c.in(y);
        FloatArray dya = c.in(dy);
        FloatArray dx = c.out("dx", ref, new double[size]);
        c.task((g, k) -> g.task(c.id(), Relu::backward, ya, dya, dx, size));
    }

    /** A ReLU output: max(u, 0) for u uniform in [−1, 1), half of it exactly 0. */
    private static float[] reluOutput(SplittableRandom r, int size) {
        float[] y = uniform(r, size, -1, 1);
        for (int j = 0; j < size; j++) {
            y[j] = Math.max(y[j], 0.0f);
        }
        return y;
    }

    /** Values from {−1, −¾, …, 1}: 9 of them, so that equal values are common. */
    private static float[] coarse(SplittableRandom r, int size) {
        int[] k = uniformInts(r, size, 9);
        float[] v = new float[size];
        for (int j = 0; j < size; j++) {
            v[j] = 0.25f * k[j] - 1.0f;
        }
        return v;
    }

    // ---- Sigmoid: element-wise, forward rounds 4 times (e^−x, 1 + ·, 1 / ·, and exp's own error), backward 3 ----

    private static void sigmoidForward(Case c, int size, SplittableRandom r) {
        float[] x = uniform(r, size, -8, 8);
        double[] ref = SigmoidReference.forward(toDouble(x));
        FloatArray xa = c.in(x);
        FloatArray y = c.out("y", ref, Tensors.relativeTolerance(ref, 4));
        c.task((g, k) -> g.task(c.id(), Sigmoid::forward, xa, y, size));
    }

    private static void sigmoidBackward(Case c, int size, SplittableRandom r) {
        float[] y = uniform(r, size, 0, 1);
        float[] dy = uniform(r, size, -1, 1);
        double[] ref = SigmoidReference.backward(toDouble(y), toDouble(dy));
        FloatArray ya = c.in(y);
        FloatArray dya = c.in(dy);
        FloatArray dx = c.out("dx", ref, Tensors.relativeTolerance(ref, 3));
        c.task((g, k) -> g.task(c.id(), Sigmoid::backward, ya, dya, dx, size));
    }

    // ---- Linear: each output a float sum (forward fin products + bias, backward input fout, weight and bias n) ----

    private static void linearForward(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        float[] bias = uniform(r, s.fout(), LO, 1);
        Sums ref = LinearReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.fin()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray out = c.outSum("out", toBatchInnermost(ref.value(), s.n(), s.fout()),
                toBatchInnermost(ref.magnitude(), s.n(), s.fout()), s.fin() + 1);
        c.task((g, k) -> g.task(c.id(), k.linearForward(), x, wa, ba, out, s.n(), s.fin(), s.fout()));
    }

    /** Linear then sigmoid, {@link LinearReference} then {@link SigmoidReference}: the sum's bound times σ' ≤ ¼ plus γ(4)·y. */
    private static void linearForwardSigmoid(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        float[] w = sigmoidLayerWeights(r, s.fout() * s.fin(), s.fin());
        float[] bias = uniform(r, s.fout(), -1, 0.5);
        Sums ref = LinearReference.forward(s, toDouble(in), toDouble(w), toDouble(bias));
        double[] tol = sumTolerance(ref.magnitude(), s.fin() + 1);
        double[] y = SigmoidReference.forward(ref.value());
        for (int j = 0; j < y.length; j++) {
            tol[j] = 0.25 * tol[j] + Tensors.gamma(4) * y[j];
        }
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.fin()));
        FloatArray wa = c.in(w);
        FloatArray ba = c.in(bias);
        FloatArray out = c.out("out", toBatchInnermost(y, s.n(), s.fout()), toBatchInnermost(tol, s.n(), s.fout()));
        c.task((g, k) -> g.task(c.id(), k.linearForwardSigmoid(), x, wa, ba, out, s.n(), s.fin(), s.fout()));
    }

    private static void linearBackwardInput(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        Sums ref = LinearReference.backwardInput(s, toDouble(dOut), toDouble(w));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray wa = c.in(w);
        FloatArray dIn = c.outSum("dIn", toBatchInnermost(ref.value(), s.n(), s.fin()),
                toBatchInnermost(ref.magnitude(), s.n(), s.fin()), s.fout());
        c.task((g, k) -> g.task(c.id(), k.linearBackwardInput(), d, wa, dIn, s.n(), s.fin(), s.fout()));
    }

    /**
     * Wᵀ dOut times y·(1 − y), y the sigmoid output that is this layer's input: {@link LinearReference} then
     * {@link SigmoidReference#backward}; the sum's bound times y·(1 − y) plus three roundings.
     */
    private static void linearBackwardInputSigmoid(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] w = uniform(r, s.fout() * s.fin(), LO, 1);
        float[] y = uniform(r, s.n() * s.fin(), 0, 1);
        Sums sum = LinearReference.backwardInput(s, toDouble(dOut), toDouble(w));
        double[] ref = SigmoidReference.backward(toDouble(y), sum.value());
        double[] tol = sumTolerance(sum.magnitude(), s.fout());
        for (int j = 0; j < tol.length; j++) {
            tol[j] = y[j] * (1.0 - y[j]) * tol[j] + Tensors.gamma(3) * Math.abs(ref[j]);
        }
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray wa = c.in(w);
        FloatArray ya = c.in(toBatchInnermost(y, s.n(), s.fin()));
        FloatArray dIn = c.out("dIn", toBatchInnermost(ref, s.n(), s.fin()), toBatchInnermost(tol, s.n(), s.fin()));
        c.task((g, k) -> g.task(c.id(), k.linearBackwardInputSigmoid(), d, wa, ya, dIn, s.n(), s.fin(), s.fout()));
    }

    /** Stage 1 of the weight and bias gradients, slice by slice against {@link LinearReference} on the slice's m examples (sums of m terms). */
    private static void linearPartials(Case c, LinearReference.Shape s, int examplesPerSlice, SplittableRandom r) {
        int slices = slices(c, s.n(), examplesPerSlice);
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        int ws = s.fout() * s.fin();
        double[] w = new double[slices * ws];
        double[] wTol = new double[slices * ws];
        double[] b = new double[slices * s.fout()];
        double[] bTol = new double[slices * s.fout()];
        for (int sl = 0; sl < slices; sl++) {
            int m = sliceSize(s.n(), sl, slices);
            LinearReference.Shape sub = new LinearReference.Shape(s.name(), m, s.fin(), s.fout());
            double[] subDOut = toDouble(slice(dOut, s.n(), s.fout(), sl, slices));
            Sums rw = LinearReference.backwardWeight(sub, subDOut, toDouble(slice(in, s.n(), s.fin(), sl, slices)));
            Sums rb = LinearReference.backwardBias(sub, subDOut);
            System.arraycopy(rw.value(), 0, w, sl * ws, ws);
            System.arraycopy(sumTolerance(rw.magnitude(), m), 0, wTol, sl * ws, ws);
            System.arraycopy(rb.value(), 0, b, sl * s.fout(), s.fout());
            System.arraycopy(sumTolerance(rb.magnitude(), m), 0, bTol, sl * s.fout(), s.fout());
        }
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.fin()));
        FloatArray wPart = c.out("wPart", w, wTol);
        FloatArray bPart = c.out("bPart", b, bTol);
        c.task((g, k) -> g.task(c.id(), k.linearBackwardPartials(), d, x, wPart, bPart, s.n(), s.fin(), s.fout(), slices));
    }

    private static void linearBackwardWeight(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        float[] in = uniform(r, s.n() * s.fin(), LO, 1);
        Sums ref = LinearReference.backwardWeight(s, toDouble(dOut), toDouble(in));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray x = c.in(toBatchInnermost(in, s.n(), s.fin()));
        FloatArray dw = c.outSum("dWeight", ref.value(), ref.magnitude(), s.n());
        c.task((g, k) -> g.task(c.id(), Linear::backwardWeight, d, x, dw, s.n(), s.fin(), s.fout()));
    }

    private static void linearBackwardBias(Case c, LinearReference.Shape s, SplittableRandom r) {
        float[] dOut = uniform(r, s.n() * s.fout(), LO, 1);
        Sums ref = LinearReference.backwardBias(s, toDouble(dOut));
        FloatArray d = c.in(toBatchInnermost(dOut, s.n(), s.fout()));
        FloatArray db = c.outSum("dBias", ref.value(), ref.magnitude(), s.n());
        c.task((g, k) -> g.task(c.id(), Linear::backwardBias, d, db, s.n(), s.fout()));
    }

    // ---- Stage 2 of the gradient sums: a sum of `slices` partials (in double), with the SGD step ----

    /**
     * {@link Partials#sum} or, with {@code update}, {@link Sgd#sumAndUpdate} of a layer's partials (wSize
     * weights, bSize biases, the step's slices at batch n). The gradients: float sums of {@code slices} terms.
     * The updated parameters: w − lr·Σ in double; the float result carries lr times the sum's bound, plus the
     * two roundings of lr·acc and the difference, γ(2)·(|w| + lr·(|Σ| + bound)).
     */
    private static void stageTwo(Case c, int wSize, int bSize, int slices, boolean update, SplittableRandom r) {
        float lr = 0.9f;
        float[] wp = uniform(r, slices * wSize, LO, 1);
        float[] bp = uniform(r, slices * bSize, LO, 1);
        float[] w = uniform(r, wSize, -0.5, 0.5);
        float[] b = uniform(r, bSize, -0.5, 0.5);
        FloatArray wPart = c.in(wp);
        FloatArray bPart = c.in(bp);
        double[][] dw = partialSums(wp, slices, wSize);
        double[][] db = partialSums(bp, slices, bSize);
        FloatArray dWeight = c.outSum("dWeight", dw[0], dw[1], slices);
        FloatArray dBias = c.outSum("dBias", db[0], db[1], slices);
        if (!update) {
            c.task((g, k) -> g.task(c.id(), Partials::sum, wPart, bPart, dWeight, dBias, slices, wSize, bSize));
            return;
        }
        double[][] wRef = stepped(w, dw, lr, slices);
        double[][] bRef = stepped(b, db, lr, slices);
        FloatArray weight = c.inOut("weight", w, wRef[0], wRef[1]);
        FloatArray bias = c.inOut("bias", b, bRef[0], bRef[1]);
        c.task((g, k) -> g.task(c.id(), Sgd::sumAndUpdate, wPart, bPart, dWeight, dBias, weight, bias, lr, slices, wSize, bSize));
    }

    /** Σ_s part[s][p] and Σ_s |part[s][p]|, in double. */
    private static double[][] partialSums(float[] part, int slices, int size) {
        double[] sum = new double[size];
        double[] magnitude = new double[size];
        for (int s = 0; s < slices; s++) {
            for (int p = 0; p < size; p++) {
                sum[p] += part[s * size + p];
                magnitude[p] += Math.abs(part[s * size + p]);
            }
        }
        return new double[][] {sum, magnitude};
    }

    /** param − lr·grad for grad = {sum, magnitude} of {@code terms} terms, and its tolerance (see {@link #stageTwo}). */
    private static double[][] stepped(float[] param, double[][] grad, float lr, int terms) {
        double[] gradTol = sumTolerance(grad[1], terms);
        double[] value = new double[param.length];
        double[] tol = new double[param.length];
        for (int p = 0; p < param.length; p++) {
            value[p] = param[p] - (double) lr * grad[0][p];
            tol[p] = lr * gradTol[p] + Tensors.gamma(2) * (Math.abs(param[p]) + lr * (Math.abs(grad[0][p]) + gradTol[p]));
        }
        return new double[][] {value, tol};
    }

    // ---- SoftmaxCrossEntropy: the bounds of SoftmaxCrossEntropyReference; correct exact ----

    private static void lossForward(Case c, int n, SplittableRandom r) {
        float[] logits = uniform(r, n * CLASSES, -8, 8);
        int[] labels = uniformInts(r, n, CLASSES);
        double[] z = toDouble(logits);
        SoftmaxCrossEntropyReference.Forward ref = SoftmaxCrossEntropyReference.forward(z, labels, n, CLASSES);
        SoftmaxCrossEntropyReference.Forward tol = SoftmaxCrossEntropyReference.forwardTolerance(z, labels, n, CLASSES, ref);
        FloatArray za = c.in(toBatchInnermost(logits, n, CLASSES));
        IntArray la = c.in(labels);
        FloatArray probs = c.out("probs", toBatchInnermost(ref.probs(), n, CLASSES), toBatchInnermost(tol.probs(), n, CLASSES));
        FloatArray loss = c.out("loss", ref.loss(), tol.loss());
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::forward, za, la, probs, loss, n, CLASSES));
    }

    /**
     * {@link SoftmaxCrossEntropy#forwardBackward} (with {@code backward}) or {@link SoftmaxCrossEntropy#evaluate}:
     * probabilities and loss within {@link SoftmaxCrossEntropyReference#forwardTolerance}, correctness exact, and
     * dLogits = scale·(p − [c == label]) from the reference probabilities: scale times the probabilities' bound,
     * plus two roundings, γ(2)·(|reference| + scale·bound).
     */
    private static void lossFused(Case c, int n, boolean backward, SplittableRandom r) {
        float[] logits = uniform(r, n * CLASSES, -8, 8);
        int[] labels = uniformInts(r, n, CLASSES);
        float scale = 1.0f / n;
        double[] z = toDouble(logits);
        SoftmaxCrossEntropyReference.Forward ref = SoftmaxCrossEntropyReference.forward(z, labels, n, CLASSES);
        SoftmaxCrossEntropyReference.Forward tol = SoftmaxCrossEntropyReference.forwardTolerance(z, labels, n, CLASSES, ref);
        int[] correctRef = SoftmaxCrossEntropyReference.correct(z, labels, n, CLASSES);
        FloatArray za = c.in(toBatchInnermost(logits, n, CLASSES));
        IntArray la = c.in(labels);
        FloatArray probs = c.out("probs", toBatchInnermost(ref.probs(), n, CLASSES), toBatchInnermost(tol.probs(), n, CLASSES));
        FloatArray loss = c.out("loss", ref.loss(), tol.loss());
        IntArray correct = c.outInts("correct", correctRef);
        if (!backward) {
            c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::evaluate, za, la, probs, loss, correct, n, CLASSES));
            return;
        }
        double[] d = SoftmaxCrossEntropyReference.backward(ref.probs(), labels, n, CLASSES, scale);
        double[] dTol = new double[d.length];
        for (int j = 0; j < d.length; j++) {
            double probsTol = scale * tol.probs()[j];
            dTol[j] = probsTol + Tensors.gamma(2) * (Math.abs(d[j]) + probsTol);
        }
        FloatArray dLogits = c.out("dLogits", toBatchInnermost(d, n, CLASSES), toBatchInnermost(dTol, n, CLASSES));
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::forwardBackward, za, la, probs, loss, correct, dLogits, n, CLASSES, scale));
    }

    private static void lossBackward(Case c, int n, SplittableRandom r) {
        float[] probs = uniform(r, n * CLASSES, 0, 1);
        int[] labels = uniformInts(r, n, CLASSES);
        float scale = 1.0f / n;
        double[] ref = SoftmaxCrossEntropyReference.backward(toDouble(probs), labels, n, CLASSES, scale);
        FloatArray pa = c.in(toBatchInnermost(probs, n, CLASSES));
        IntArray la = c.in(labels);
        FloatArray d = c.out("dLogits", toBatchInnermost(ref, n, CLASSES), toBatchInnermost(Tensors.relativeTolerance(ref, 2), n, CLASSES));
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::backward, pa, la, d, n, CLASSES, scale));
    }

    private static void lossCorrect(Case c, int n, SplittableRandom r) {
        float[] logits = uniform(r, n * CLASSES, -8, 8);
        int[] labels = uniformInts(r, n, CLASSES);
        int[] ref = SoftmaxCrossEntropyReference.correct(toDouble(logits), labels, n, CLASSES);
        FloatArray za = c.in(toBatchInnermost(logits, n, CLASSES));
        IntArray la = c.in(labels);
        IntArray correct = c.outInts("correct", ref);
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::correct, za, la, correct, n, CLASSES));
    }

    /**
     * A batch that is not the first of its pass (cursor n): the totals add Σ loss (γ(n + 1)) and Σ correct
     * (exact), and the cursor moves on by n to the next batch (exact).
     */
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
        IntArray cursor = c.inOutInts("cursor", new int[] {n}, new int[] {2 * n});
        FloatArray totals = c.inOut("totals", before, new double[] {lossSum, count},
                new double[] {Tensors.gamma(n + 1) * magnitude, 0});
        c.task((g, k) -> g.task(c.id(), SoftmaxCrossEntropy::accumulate, la, ca, cursor, totals, n, n));
    }

    // ---- Batch: copies and index arithmetic, exact ----

    /**
     * A data set of 3n images (random bytes, every one of the 256 values in each image) and labels and a
     * shuffled order; the batch starts at cursor n. Each pixel must come out as the float its byte stands
     * for ({@link Idx#value}, the division b / 255f), bit for bit.
     */
    private static void gather(Case c, int n, SplittableRandom r) {
        int count = 3 * n;
        byte[] images = new byte[count * PIXELS];
        for (int j = 0; j < images.length; j++) {
            int p = j % PIXELS;
            images[j] = (byte) (p < 256 ? p + j / PIXELS : r.nextInt(256));
        }
        int[] allLabels = uniformInts(r, count, CLASSES);
        int[] order = permutation(r, count);
        double[] x = new double[PIXELS * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = allLabels[order[n + i]];
            for (int p = 0; p < PIXELS; p++) {
                x[p * n + i] = Idx.value(images[order[n + i] * PIXELS + p]);
            }
        }
        ByteArray ia = c.in(images);
        FloatArray levels = c.in(EngineData.levelTable().toHeapArray());
        IntArray la = c.in(allLabels);
        IntArray oa = c.in(order);
        IntArray cursor = c.in(new int[] {n});
        FloatArray xa = c.out("x", x, new double[x.length]);
        IntArray out = c.outInts("labels", labels);
        c.task((g, k) -> g.task(c.id(), k.gather(), ia, levels, la, oa, cursor, xa, out, n, PIXELS));
    }

    private static void seek(Case c, int n, SplittableRandom r) {
        int to = r.nextInt(1000) * n;
        IntArray start = c.in(new int[] {to});
        IntArray cursor = c.inOutInts("cursor", new int[] {7 * n + 3}, new int[] {to});
        c.task((g, k) -> g.task(c.id(), Batch::seek, cursor, start));
    }

    // ---- BatchNorm: the bounds of BatchNormReference (OpenCL's division and square root counted at their ulp limits) ----

    /** A convolution's output as batch norm sees it: the shape, and h × w for the pooling. */
    record BnShape(BatchNormReference.Shape s, int h, int w) {
    }

    static BnShape bnConv1(int n) {
        return new BnShape(new BatchNormReference.Shape("conv1", n, C1, H1 * H1), H1, H1);
    }

    static BnShape bnConv2(int n) {
        return new BnShape(new BatchNormReference.Shape("conv2", n, C2, H2 * H2), H2, H2);
    }

    static BnShape bnLinear(int n, int features) {
        return new BnShape(new BatchNormReference.Shape("fc", n, features, 1), features, 1);
    }

    /**
     * A batch norm input {@code [n][c][hw]}: from [LO, 1) plus an offset per example from [0, 1), so that the slices'
     * means differ (Chan's between-slice term matters) and the values stay mostly positive (the sum bounds are tight).
     */
    private static float[] bnInput(BatchNormReference.Shape s, SplittableRandom r) {
        float[] z = uniform(r, s.size(), LO, 1);
        int row = s.c() * s.hw();
        for (int i = 0; i < s.n(); i++) {
            float offset = (float) r.nextDouble();
            for (int j = 0; j < row; j++) {
                z[i * row + j] += offset;
            }
        }
        return z;
    }

    /** (count, mean, M2) per slice (the step's interleaved slices at batch n) and channel, against {@link BatchNormReference#moments} on the slice: count exact. */
    private static void bnStatsPartials(Case c, BnShape b, int examplesPerSlice, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        int slices = BatchNorm.slices(s.n(), examplesPerSlice);
        float[] z = bnInput(s, r);
        double[] zd = toDouble(z);
        double[] ref = BatchNormReference.partials(s, zd, examplesPerSlice);
        double[] tol = new double[ref.length];
        for (int sl = 0; sl < slices; sl++) {
            double[][] t = BatchNormReference.partialBounds(s, zd, sl, s.n(), slices, BatchNormReference.moments(s, zd, sl, s.n(), slices));
            for (int ch = 0; ch < s.c(); ch++) {
                tol[(sl * s.c() + ch) * 3 + 1] = t[0][ch];
                tol[(sl * s.c() + ch) * 3 + 2] = t[1][ch];
            }
        }
        FloatArray za = c.in(toBatchInnermost(z, s.n(), s.c() * s.hw()));
        FloatArray part = c.out("part", ref, tol);
        c.task((g, k) -> g.task(c.id(), k.normStatsPartials(), za, part, s.n(), s.c(), s.hw(), examplesPerSlice, 0));
    }

    /**
     * Chan's combination of the partials of the step's slices at batch n (counts as the slices hold, means from [−1, 1), M2 from
     * count·[0.05, 1)) against {@link BatchNormReference#combine}, within {@link BatchNormReference#statsBounds}.
     */
    private static void bnStats(Case c, BnShape b, int examplesPerSlice, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        int slices = BatchNorm.slices(s.n(), examplesPerSlice);
        float[] part = new float[slices * s.c() * 3];
        for (int sl = 0; sl < slices; sl++) {
            int count = sliceSize(s.n(), sl, slices) * s.hw();
            for (int ch = 0; ch < s.c(); ch++) {
                part[(sl * s.c() + ch) * 3] = count;
                part[(sl * s.c() + ch) * 3 + 1] = (float) r.nextDouble(-1, 1);
                part[(sl * s.c() + ch) * 3 + 2] = (float) (count * r.nextDouble(0.05, 1));
            }
        }
        BatchNormReference.Moments m = BatchNormReference.combine(toDouble(part), slices, s.c());
        double[][] tol = BatchNormReference.statsBounds(toDouble(part), slices, s.c(), new double[slices * s.c()], new double[slices * s.c()]);
        FloatArray pa = c.in(part);
        FloatArray mean = c.out("mean", m.mean(), tol[0]);
        FloatArray var = c.out("var", m.variance(), tol[1]);
        c.task((g, k) -> g.task(c.id(), BatchNorm::stats, pa, mean, var, slices, s.c()));
    }

    /** The running estimates after a batch of n, count n·hw, against {@link BatchNormReference#updateRunning}. */
    private static void bnUpdateRunning(Case c, BnShape b, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        float[] mean = uniform(r, s.c(), -1, 1);
        float[] var = uniform(r, s.c(), 0.05, 2);
        float[] rm = uniform(r, s.c(), -1, 1);
        float[] rv = uniform(r, s.c(), 0.05, 2);
        double[][] ref = BatchNormReference.updateRunning(toDouble(mean), toDouble(var), toDouble(rm), toDouble(rv), s.count(), BatchNorm.MOMENTUM);
        double[][] tol = BatchNormReference.updateRunningBounds(toDouble(mean), toDouble(var), toDouble(rm), toDouble(rv), s.count(), BatchNorm.MOMENTUM);
        FloatArray ma = c.in(mean);
        FloatArray va = c.in(var);
        FloatArray runningMean = c.inOut("runningMean", rm, ref[0], tol[0]);
        FloatArray runningVar = c.inOut("runningVar", rv, ref[1], tol[1]);
        c.task((g, k) -> g.task(c.id(), BatchNorm::updateRunning, ma, va, runningMean, runningVar, s.count(), s.c(), BatchNorm.MOMENTUM));
    }

    /** Statistics near those of {@link #bnInput} (mean from [0.2, 0.8), variance from [0.05, 0.4)), gamma from [0.5, 2), beta from [−1, 1). */
    private static float[][] bnParams(int channels, SplittableRandom r) {
        return new float[][] {uniform(r, channels, 0.2, 0.8), uniform(r, channels, 0.05, 0.4), uniform(r, channels, 0.5, 2), uniform(r, channels, -1, 1)};
    }

    private static void bnForwardSigmoid(Case c, BnShape b, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        float[] z = bnInput(s, r);
        float[][] p = bnParams(s.c(), r);
        BatchNormReference.Forward f = BatchNormReference.forward(s, toDouble(z), toDouble(p[0]), toDouble(p[1]), toDouble(p[2]), toDouble(p[3]), BatchNorm.EPS);
        double[][] tol = BatchNormReference.forwardBounds(s, f, toDouble(p[2]), toDouble(p[3]));
        int row = s.c() * s.hw();
        FloatArray za = c.in(toBatchInnermost(z, s.n(), row));
        FloatArray mean = c.in(p[0]);
        FloatArray var = c.in(p[1]);
        FloatArray gm = c.in(p[2]);
        FloatArray beta = c.in(p[3]);
        FloatArray xhat = c.out("xhat", toBatchInnermost(f.xhat(), s.n(), row), toBatchInnermost(tol[0], s.n(), row));
        FloatArray act = c.out("act", toBatchInnermost(f.act(), s.n(), row), toBatchInnermost(tol[1], s.n(), row));
        c.task((g, k) -> g.task(c.id(), k.normForwardSigmoid(), za, mean, var, gm, beta, xhat, act, s.n(), s.c(), s.hw(), BatchNorm.EPS));
    }

    /** As {@link #bnForwardSigmoid}, pooled the window means of act ({@link AvgPool2dReference}): the mean of act's bounds plus γ(4). */
    private static void bnForwardSigmoidPool(Case c, BnShape b, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        float[] z = bnInput(s, r);
        float[][] p = bnParams(s.c(), r);
        BatchNormReference.Forward f = BatchNormReference.forward(s, toDouble(z), toDouble(p[0]), toDouble(p[1]), toDouble(p[2]), toDouble(p[3]), BatchNorm.EPS);
        double[][] tol = BatchNormReference.forwardBounds(s, f, toDouble(p[2]), toDouble(p[3]));
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), s.n(), s.c(), b.h(), b.w());
        double[] pool = AvgPool2dReference.forward(ps, f.act()).value();
        double[] poolTol = AvgPool2dReference.forward(ps, tol[1]).value();
        for (int j = 0; j < pool.length; j++) {
            poolTol[j] += Tensors.gamma(4) * pool[j];
        }
        int row = s.c() * s.hw();
        FloatArray za = c.in(toBatchInnermost(z, s.n(), row));
        FloatArray mean = c.in(p[0]);
        FloatArray var = c.in(p[1]);
        FloatArray gm = c.in(p[2]);
        FloatArray beta = c.in(p[3]);
        FloatArray xhat = c.out("xhat", toBatchInnermost(f.xhat(), s.n(), row), toBatchInnermost(tol[0], s.n(), row));
        FloatArray act = c.out("act", toBatchInnermost(f.act(), s.n(), row), toBatchInnermost(tol[1], s.n(), row));
        FloatArray pooled = c.out("pooled", toBatchInnermost(pool, s.n(), row / 4), toBatchInnermost(poolTol, s.n(), row / 4));
        c.task((g, k) -> g.task(c.id(), k.normForwardSigmoidPool(), za, mean, var, gm, beta, xhat, act, pooled, s.n(), s.c(), b.h(), b.w(),
                BatchNorm.EPS));
    }

    /** (Σ dy, Σ dy·xhat) per slice and channel: float sums of the slice's m·hw terms, against double sums. */
    private static void bnBackwardPartials(Case c, BnShape b, int examplesPerSlice, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        int slices = BatchNorm.slices(s.n(), examplesPerSlice);
        float[] dy = uniform(r, s.size(), LO, 1);
        float[] xhat = uniform(r, s.size(), LO, 1);
        double[] ref = new double[slices * s.c() * 2];
        double[] mag = new double[slices * s.c() * 2];
        double[] tol = new double[ref.length];
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    int out = ((i % slices) * s.c() + ch) * 2;
                    ref[out] += dy[at];
                    mag[out] += Math.abs(dy[at]);
                    ref[out + 1] += (double) dy[at] * xhat[at];
                    mag[out + 1] += Math.abs((double) dy[at] * xhat[at]);
                }
            }
        }
        for (int sl = 0; sl < slices; sl++) {
            int terms = sliceSize(s.n(), sl, slices) * s.hw();
            for (int j = sl * s.c() * 2; j < (sl + 1) * s.c() * 2; j++) {
                tol[j] = sumTolerance(new double[] {mag[j]}, terms)[0];
            }
        }
        int row = s.c() * s.hw();
        FloatArray d = c.in(toBatchInnermost(dy, s.n(), row));
        FloatArray x = c.in(toBatchInnermost(xhat, s.n(), row));
        FloatArray part = c.out("part", ref, tol);
        c.task((g, k) -> g.task(c.id(), k.normBackwardPartials(), d, x, part, s.n(), s.c(), s.hw(), examplesPerSlice, 0));
    }

    /** dGamma and dBeta: float sums of the step's slices' partials, against double sums. */
    private static void bnSums(Case c, BnShape b, int examplesPerSlice, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        int slices = BatchNorm.slices(s.n(), examplesPerSlice);
        float[] part = uniform(r, slices * s.c() * 2, LO, 1);
        double[][] sums = partialSums(part, slices, s.c() * 2);
        double[][] beta = {new double[s.c()], new double[s.c()]};
        double[][] gm = {new double[s.c()], new double[s.c()]};
        for (int ch = 0; ch < s.c(); ch++) {
            beta[0][ch] = sums[0][ch * 2];
            beta[1][ch] = sums[1][ch * 2];
            gm[0][ch] = sums[0][ch * 2 + 1];
            gm[1][ch] = sums[1][ch * 2 + 1];
        }
        FloatArray pa = c.in(part);
        FloatArray dGamma = c.outSum("dGamma", gm[0], gm[1], slices);
        FloatArray dBeta = c.outSum("dBeta", beta[0], beta[1], slices);
        c.task((g, k) -> g.task(c.id(), BatchNorm::sums, pa, dGamma, dBeta, slices, s.c()));
    }

    /** dz by the analytic formula from the same float sums, within {@link BatchNormReference#backwardInputBound}. */
    private static void bnBackwardInput(Case c, BnShape b, SplittableRandom r) {
        BatchNormReference.Shape s = b.s();
        float[] dy = uniform(r, s.size(), -1, 1);
        float[] xhat = uniform(r, s.size(), -2, 2);
        float[] var = uniform(r, s.c(), 0.05, 2);
        float[] gm = uniform(r, s.c(), 0.5, 2);
        float[] dGamma = uniform(r, s.c(), -0.1 * s.count(), 0.1 * s.count());
        float[] dBeta = uniform(r, s.c(), -0.1 * s.count(), 0.1 * s.count());
        double[] ref = new double[s.size()];
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                double scale = gm[ch] / Math.sqrt(var[ch] + (double) BatchNorm.EPS);
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    ref[at] = scale * (dy[at] - (double) dBeta[ch] / s.count() - xhat[at] * (double) dGamma[ch] / s.count());
                }
            }
        }
        double[] tol = BatchNormReference.backwardInputBound(s, toDouble(dy), toDouble(xhat), toDouble(var), toDouble(gm), toDouble(dGamma),
                toDouble(dBeta), BatchNorm.EPS);
        int row = s.c() * s.hw();
        FloatArray d = c.in(toBatchInnermost(dy, s.n(), row));
        FloatArray x = c.in(toBatchInnermost(xhat, s.n(), row));
        FloatArray va = c.in(var);
        FloatArray ga = c.in(gm);
        FloatArray dg = c.in(dGamma);
        FloatArray db = c.in(dBeta);
        FloatArray dz = c.out("dz", toBatchInnermost(ref, s.n(), row), toBatchInnermost(tol, s.n(), row));
        c.task((g, k) -> g.task(c.id(), k.normBackwardInput(), d, x, va, ga, dg, db, dz, s.n(), s.c(), s.hw(), s.count(), BatchNorm.EPS));
    }

    // ---- Sgd: param − lr·grad rounds twice, γ(2)·(|param| + |lr·grad|); on fc1's weight, the largest tensor ----

    private static void sgd(Case c, int n, SplittableRandom r) {
        int size = F1 * FLAT;
        float lr = 0.9f;
        float[] param = uniform(r, size, -0.5, 0.5);
        float[] grad = uniform(r, size, -0.1, 0.1);
        double[][] ref = step(param, grad, lr);
        FloatArray p = c.inOut("param", param, ref[0], ref[1]);
        FloatArray d = c.in(grad);
        c.task((g, k) -> g.task(c.id(), k.sgd(), p, d, lr, size));
    }

    /** A batch norm's SGD step on γ and β over c channels: each value one rounding of p − lr·g. */
    private static void sgdNorm(Case c, int channels, SplittableRandom r) {
        float lr = 0.9f;
        float[] gamma = uniform(r, channels, 0.5, 1.5);
        float[] beta = uniform(r, channels, -0.5, 0.5);
        float[] dGamma = uniform(r, channels, -0.1, 0.1);
        float[] dBeta = uniform(r, channels, -0.1, 0.1);
        double[][] g = step(gamma, dGamma, lr);
        double[][] b = step(beta, dBeta, lr);
        FloatArray ga = c.inOut("gamma", gamma, g[0], g[1]);
        FloatArray ba = c.inOut("beta", beta, b[0], b[1]);
        FloatArray dg = c.in(dGamma);
        FloatArray db = c.in(dBeta);
        c.task((gr, k) -> gr.task(c.id(), Sgd::updateNorm, ga, ba, dg, db, lr, channels));
    }

    /** The SGD step p − lr·d in double, and its bound: one rounding of each term. */
    private static double[][] step(float[] p, float[] d, float lr) {
        double[] ref = new double[p.length];
        double[] tol = new double[p.length];
        for (int j = 0; j < p.length; j++) {
            ref[j] = p[j] - (double) lr * d[j];
            tol[j] = Tensors.gamma(2) * (Math.abs(p[j]) + Math.abs((double) lr * d[j]));
        }
        return new double[][] {ref, tol};
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
