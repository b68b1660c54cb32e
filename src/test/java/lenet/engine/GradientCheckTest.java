package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import lenet.kernels.MaxPool2d;
import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Finite-difference check of the whole network: the gradients that the backward kernels produce (through
 * {@link LeNetGraph}, as every engine runs them) must be the derivative of the loss the forward kernels
 * compute, for every parameter tensor and for the input.
 *
 * <p>Each tensor is judged as a whole: its largest |finite difference − backward| over the sampled
 * elements, relative to its largest gradient (an error that scales the gradient shows in full at that
 * element, always sampled). L = Σ_i loss[i] over a batch of 3 examples is computed in float32, so each
 * evaluation carries rounding of a few ulps of |L| ≈ 7 (≈ 4e-7), and a difference quotient with step h
 * carries about that divided by h; the five-point stencil's truncation is O(h⁴). Measured absolute errors
 * fall as 1/h up to h = 0.1 (3e-5 at h = 1e-2 with the plain central difference, 5e-6 at h = 0.1) and
 * truncation first shows at h = 0.2 (in the last layer's bias), so h = 0.1. Measured relative errors at
 * h = 0.1: 1.5e-3 for conv1's weights, whose largest gradient (3.6e-3) is the smallest of all parameter
 * tensors, 4.5e-6 to 6.7e-4 for the others. The tolerance, 1e-2, sits above them by a factor of 6 and
 * below a gradient 3% off (3e-2), which {@link #aConv1WeightGradient3PercentOffFails} shows failing.
 * The input's gradient (largest 7e-5) is checked for gross errors only (measured 4.8e-2, tolerance
 * 0.2); {@code Conv2dTest} checks {@code backwardInput} against EJML at float precision. A batch of 3
 * makes conv1's gradient two slices (2 + 1 examples), so the two-stage sums are part of what is checked,
 * in the separate forward/backward form and in the fused step the TornadoVM engine runs.
 */
class GradientCheckTest {
    private static final int N = 3;
    private static final float H = 0.1f;
    /** Per parameter tensor, relative to its largest gradient (see the class comment). */
    static final double TOLERANCE = 1e-2;
    /**
     * lenet-relu's, per tensor: ReLU and max-pooling have kinks, and h = 1e-3 still moves some of the
     * thousands of pre-activations a conv bias shifts across zero (or a window's maximum to another
     * element), so its finite differences are off by a few percent (measured up to 6.1e-2, conv2's bias)
     * while a wrong mask or a gradient routed to the wrong window element is off by tens of percent
     * ({@link #aReluGradientRoutedWrongFails}). PyTorch's autograd checks these gradients to 5e-5
     * ({@code ModelFixtureTest}).
     */
    static final double RELU_TOLERANCE = 0.15;
    /** For the input's gradient, 10⁴ times smaller than the last layer's and used by no update. */
    static final double INPUT_TOLERANCE = 0.2;

    static float step(Model model) {
        return switch (model) {
            case LENET -> H;
            case LENET_BN -> 0.01f;
            case LENET_RELU -> 0.001f;
        };
    }

    static int examples(Model model) {
        return model.batchNorm() ? 8 : N;
    }

    private static final class Net {
        final Params w;
        final Params grads;
        final Activations b;
        final Recorder forward = new Recorder();
        final Recorder step = new Recorder();
        final float h;
        final int n;

        Net(long seed, boolean fused) {
            this(Model.LENET, seed, fused);
        }

        /**
         * @param fused the training step as the TornadoVM engine runs it ({@link LeNetGraph#step}: the fused
         *              loss kernel, each layer's last gradient stage with the SGD step, here lr 0; no input
         *              gradient); else {@link LeNetGraph#forward} then {@link LeNetGraph#backward} with the
         *              input gradient
         */
        Net(Model model, long seed, boolean fused) {
            this(model, seed, fused, KernelSet.PLAIN);
        }

        Net(Model model, long seed, boolean fused, KernelSet k) {
            h = step(model);
            n = examples(model);
            w = Params.xavier(model, seed);
            grads = Params.zeros(model);
            b = new Activations(model, n);
            Random r = new Random(seed + 1);
            for (int j = 0; j < b.x.getSize(); j++) {
                b.x.set(j, r.nextFloat());
            }
            for (int i = 0; i < n; i++) {
                b.labels.set(i, r.nextInt(LeNet.CLASSES));
            }
            // The loss as training computes it: batch norms normalise with the batch's statistics.
            LeNetGraph.forward(forward, k, w, b, LeNetGraph.Split.whole(k, b));
            if (fused) {
                LeNetGraph.step(step, k, w, grads, b, 1.0f, 0.0f);
            } else {
                LeNetGraph.forward(step, k, w, b, LeNetGraph.Split.whole(k, b));
                LeNetGraph.backward(step, k, w, grads, b, 1.0f, true);
            }
        }

        double loss() {
            forward.run();
            double l = 0;
            for (int i = 0; i < n; i++) {
                l += b.loss.get(i);
            }
            return l;
        }
    }

    /** One tensor's check: the largest |finite difference − backward| over the sampled elements, relative to the tensor's largest gradient. */
    record Result(String tensor, double maxError, double scale, int worstIndex, double fd, double analytic) {
        double relative() {
            return maxError / Math.max(scale, Float.MIN_NORMAL);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: largest error %.3g = %.2e of its largest gradient %.3g (at [%d]: finite difference %.6g, backward kernels %.6g)",
                    tensor, maxError, relative(), scale, worstIndex, fd, analytic);
        }
    }

    /**
     * Compares {@code samples} elements of one tensor, the one with the largest gradient always among
     * them (so that an error proportional to the gradient shows at its full size).
     */
    private static Result check(Net net, String name, FloatArray values, FloatArray analytic, int samples, Random r) {
        return check(net, name, values, analytic, samples, r, 0);
    }

    /** As above, the error relative to at least {@code floor} (a tensor whose true gradient is zero). */
    private static Result check(Net net, String name, FloatArray values, FloatArray analytic, int samples, Random r, double floor) {
        int largest = 0;
        double scale = floor;
        for (int j = 0; j < analytic.getSize(); j++) {
            if (Math.abs(analytic.get(j)) > scale) {
                scale = Math.abs(analytic.get(j));
                largest = j;
            }
        }
        Result worst = new Result(name, 0, scale, -1, 0, 0);
        for (int s = 0; s < samples; s++) {
            int j = s == 0 ? largest : samples >= values.getSize() ? s : r.nextInt(values.getSize());
            double fd = derivative(net, values, j);
            double an = analytic.get(j);
            double err = Math.abs(fd - an);
            if (err > worst.maxError() || Double.isNaN(err)) {
                worst = new Result(name, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err, scale, j, fd, an);
            }
        }
        return worst;
    }

    /**
     * The five-point central difference [8(L(v+h) − L(v−h)) − (L(v+2h) − L(v−2h))] / 12h, exact to O(h⁴).
     * The steps are exact in float: v ± h and v ± 2h are evaluated, and the difference divided by the steps
     * actually taken.
     */
    private static double derivative(Net net, FloatArray values, int j) {
        float v = values.get(j);
        float h = net.h;
        float up1 = v + h;
        float down1 = v - h;
        float up2 = v + 2 * h;
        float down2 = v - 2 * h;
        values.set(j, up1);
        double l1 = net.loss();
        values.set(j, down1);
        double m1 = net.loss();
        values.set(j, up2);
        double l2 = net.loss();
        values.set(j, down2);
        double m2 = net.loss();
        values.set(j, v);
        double d1 = (l1 - m1) / ((double) up1 - down1);
        double d2 = (l2 - m2) / ((double) up2 - down2);
        return (4 * d1 - d2) / 3;
    }

    /** Every trained parameter tensor and, with {@code input}, the input, checked. */
    private static List<Result> checkAll(Net net, boolean input) {
        Random r = new Random(11);
        List<Result> results = new ArrayList<>();
        List<FloatArray> values = net.w.tensors();
        List<FloatArray> grads = net.grads.tensors();
        List<LeNet.Param> specs = net.w.model.params();
        for (int t = 0; t < values.size(); t++) {
            LeNet.Param p = specs.get(t);
            if (!p.role().trained()) {
                continue;
            }
            // A conv or linear bias in front of a batch norm does not change the loss: its gradient is zero,
            // and its finite differences are rounding noise. Its errors are judged against its layer's weights.
            double floor = net.w.model.feedsBatchNorm(p) ? largest(grads.get(t - 1)) : 0;
            results.add(check(net, p.name(), values.get(t), grads.get(t), Math.min(40, values.get(t).getSize()), r, floor));
        }
        if (input) {
            results.add(check(net, "input", net.b.x, net.b.dx, 40, r));
        }
        return results;
    }

    private static double largest(FloatArray a) {
        double m = 0;
        for (int j = 0; j < a.getSize(); j++) {
            m = Math.max(m, Math.abs(a.get(j)));
        }
        return m;
    }

    private static List<String> failures(List<Result> results) {
        return failures(results, TOLERANCE);
    }

    private static List<String> failures(List<Result> results, double tolerance) {
        return results.stream().filter(x -> !(x.relative() <= (x.tensor().equals("input") ? INPUT_TOLERANCE : tolerance)))
                .map(Result::toString).toList();
    }

    /** The tolerance per tensor, relative to its largest gradient (see the class comment). */
    static double tolerance(Model model) {
        return model == Model.LENET_RELU ? RELU_TOLERANCE : TOLERANCE;
    }

    static List<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        for (Model m : Model.values()) {
            c.add(Arguments.of(m, false));
            c.add(Arguments.of(m, true));
        }
        return c;
    }

    @ParameterizedTest(name = "{0}, fused step: {1}")
    @MethodSource("cases")
    void backwardKernelsAreTheDerivativeOfTheForwardKernels(Model model, boolean fused) {
        Net net = new Net(model, 7, fused);
        net.step.run();
        List<Result> results = checkAll(net, !fused);
        if (Boolean.getBoolean("lenet.gradcheck.verbose")) {
            System.out.println(model + (fused ? " fused" : "") + ":\n  " + String.join("\n  ", results.stream().map(Result::toString).toList()));
        }
        List<String> failed = failures(results, tolerance(model));
        assertTrue(failed.isEmpty(), String.join("\n", failed));
    }

    /** The check's own sensitivity: conv1's weight gradient 3% too large (a wrong scale, a lost term) fails it. */
    @Test
    void aConv1WeightGradient3PercentOffFails() {
        Net net = new Net(7, false);
        net.step.run();
        for (int j = 0; j < net.grads.c1w.getSize(); j++) {
            net.grads.c1w.set(j, 1.03f * net.grads.c1w.get(j));
        }
        List<String> failed = failures(checkAll(net, true));
        assertEquals(1, failed.size(), failed.toString());
        assertTrue(failed.get(0).startsWith(LeNet.PARAMS.get(0).name() + ":"), failed.toString());
    }

    /**
     * The check's sensitivity for lenet-relu: max-pooling's backward that forgets ReLU's mask (the gradient
     * of a window whose four values are all clipped to 0 goes to its first element anyway), or that routes
     * every gradient to the next element of its window, fails it.
     */
    @Test
    void aReluGradientRoutedWrongFails() {
        KernelSet p = KernelSet.PLAIN;
        List<Task8<FloatArray, IntArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer>> planted = List.of(
                (dOut, arg, act, dIn, n, c, h, w) -> MaxPool2d.backward(dOut, arg, dIn, n, c, h, w),
                (dOut, arg, act, dIn, n, c, h, w) -> {
                    IntArray next = new IntArray(arg.getSize());
                    for (int j = 0; j < arg.getSize(); j++) {
                        next.set(j, (arg.get(j) + 1) % 4);
                    }
                    p.maxPoolBackwardRelu().apply(dOut, next, act, dIn, n, c, h, w);
                });
        for (var wrong : planted) {
            KernelSet k = new KernelSet("planted", p.sliced(), p.gather(), p.sgd(), p.convForwardSigmoidPool(), p.convBackwardInput(), p.convBackwardPartials(),
                    p.linearForward(), p.linearForwardSigmoid(), p.linearBackwardInput(), p.linearBackwardInputSigmoid(),
                    p.linearBackwardPartials(), p.poolBackwardSigmoid(), p.convForward(), p.convForwardReluMaxPool(),
                    p.linearForwardRelu(), p.linearBackwardInputRelu(), wrong, p.normForwardSigmoid(), p.normForwardSigmoidPool(), p.normStatsPartials(), p.normBackwardPartials(), p.normBackwardInput());
            Net net = new Net(Model.LENET_RELU, 7, false, k);
            net.step.run();
            List<String> failed = failures(checkAll(net, false), RELU_TOLERANCE);
            assertTrue(failed.stream().anyMatch(f -> f.startsWith("conv1.") || f.startsWith("conv2.")), failed.toString());
        }
    }
}
