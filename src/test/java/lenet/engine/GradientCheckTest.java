package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Finite-difference check of the whole network: the gradients that the backward kernels produce (through
 * {@link LeNetGraph}, as every engine runs them) must be the derivative of the loss the forward kernels
 * compute, for every parameter tensor and for the input.
 *
 * <p>Central differences of L = Σ_i loss[i] over a batch of 3 examples, in float32: with step h the
 * truncation error is O(h²·L''') and the rounding error about 2·u·|L|/h (u = 2⁻²⁴, |L| ≈ 7). h = 1e-2 gives
 * rounding ≈ 1e-4 and truncation of the same order for this smooth (sigmoid) network, so an element passes
 * when |fd − analytic| ≤ 3e-4 + 3e-2·|analytic|. A wrong index or a missing term typically errs by
 * 100% of the gradient, far outside that band. A batch of 3 makes conv1's gradient two slices (2 + 1
 * examples), so the two-stage sums are part of what is checked.
 */
class GradientCheckTest {
    private static final int N = 3;
    private static final float H = 1e-2f;

    private static final class Net {
        final Params w;
        final Params grads = Params.zeros();
        final Activations b = new Activations(N);
        final Recorder forward = new Recorder();
        final Recorder step = new Recorder();

        /**
         * @param fused the training step as the TornadoVM engine runs it ({@link LeNetGraph#step}: the fused
         *              loss kernel, each layer's last gradient stage with the SGD step, here lr 0); else
         *              {@link LeNetGraph#forward} then {@link LeNetGraph#backward} with the input gradient
         */
        Net(long seed, boolean fused) {
            w = Params.xavier(seed);
            Random r = new Random(seed + 1);
            for (int j = 0; j < b.x.getSize(); j++) {
                b.x.set(j, r.nextFloat());
            }
            for (int i = 0; i < N; i++) {
                b.labels.set(i, r.nextInt(LeNet.CLASSES));
            }
            LeNetGraph.forward(forward, KernelSet.PLAIN, w, b);
            if (fused) {
                LeNetGraph.step(step, KernelSet.PLAIN, w, grads, b, 1.0f, 0.0f);
            } else {
                LeNetGraph.forward(step, KernelSet.PLAIN, w, b);
                LeNetGraph.backward(step, KernelSet.PLAIN, w, grads, b, 1.0f, true);
            }
        }

        double loss() {
            forward.run();
            double l = 0;
            for (int i = 0; i < N; i++) {
                l += b.loss.get(i);
            }
            return l;
        }
    }

    private static String check(Net net, String name, FloatArray values, FloatArray analytic, int samples, Random r) {
        List<String> failures = new ArrayList<>();
        double worst = 0;
        for (int s = 0; s < samples; s++) {
            int j = samples >= values.getSize() ? s : r.nextInt(values.getSize());
            float v = values.get(j);
            values.set(j, v + H);
            double up = net.loss();
            values.set(j, v - H);
            double down = net.loss();
            values.set(j, v);
            double fd = (up - down) / (2 * H);
            double an = analytic.get(j);
            double err = Math.abs(fd - an);
            double tol = 3e-4 + 3e-2 * Math.abs(an);
            worst = Math.max(worst, err / tol);
            if (err > tol) {
                failures.add(String.format("%s[%d]: finite difference %.6g, backward kernels %.6g, |error| %.3g > %.3g", name, j, fd, an, err, tol));
            }
        }
        return failures.isEmpty() ? null : failures.size() + " of " + samples + " elements off (worst at " + String.format("%.1f", worst) + "× tolerance); first: " + failures.get(0);
    }

    @ParameterizedTest(name = "fused step: {0}")
    @ValueSource(booleans = {false, true})
    void backwardKernelsAreTheDerivativeOfTheForwardKernels(boolean fused) {
        Net net = new Net(7, fused);
        net.step.run();
        Random r = new Random(11);
        List<String> problems = new ArrayList<>();
        List<FloatArray> values = net.w.tensors();
        List<FloatArray> grads = net.grads.tensors();
        for (int t = 0; t < values.size(); t++) {
            String p = check(net, LeNet.PARAMS.get(t).name(), values.get(t), grads.get(t), Math.min(40, values.get(t).getSize()), r);
            if (p != null) {
                problems.add(p);
            }
        }
        String p = fused ? null : check(net, "input", net.b.x, net.b.dx, 40, r);
        if (p != null) {
            problems.add(p);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
