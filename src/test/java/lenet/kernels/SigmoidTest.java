package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link Sigmoid}'s kernels against {@link SigmoidReference} on seeded random data.
 *
 * <p>Tolerances (relative to the exact value): forward rounds three times in float (e^−x, 1 + ·, 1 / ·;
 * {@code TornadoMath.exp} is {@code Math.exp}, within one double ulp, rounded to float) and the relative
 * error of e^−x reaches σ damped by e^−x/(1 + e^−x) ≤ 1, so γ(4) covers it with a margin; backward rounds
 * three times (dy·y, 1 − y, the product), γ(3).
 */
class SigmoidTest {

    /** Sizes: one element, a few, and whole LeNet activations of a 256 batch. */
    record Size(String name, int size) {
        @Override
        public String toString() {
            return name + " (" + size + ")";
        }
    }

    static Stream<Size> sizes() {
        return Stream.of(new Size("one", 1), new Size("odd", 7),
                new Size("conv1 out, batch 256", 256 * LeNet.C1 * LeNet.H1 * LeNet.H1),
                new Size("fc1 out, batch 256", 256 * LeNet.F1));
    }

    /** Pre-activations in [−8, 8): σ from 3e-4 to 1 − 3e-4, where training lives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sizes")
    void forward(Size s) {
        float[] x = Tensors.uniform(Tensors.random(s.toString()), s.size(), -8, 8);
        FloatArray in = device(x);
        FloatArray out = nanFilled(s.size());

        Sigmoid.forward(in, out, s.size());

        Tensors.assertUnchanged("x", x, in);
        double[] ref = SigmoidReference.forward(toDouble(x));
        Tensors.assertClose("Sigmoid.forward " + s, host(out), ref, Tensors.relativeTolerance(ref, 4), new int[] {s.size()}, "[j]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sizes")
    void backward(Size s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] y = Tensors.uniform(r, s.size(), 0, 1);
        float[] dy = Tensors.uniform(r, s.size(), -1, 1);
        FloatArray yArray = device(y);
        FloatArray dyArray = device(dy);
        FloatArray dx = nanFilled(s.size());

        Sigmoid.backward(yArray, dyArray, dx, s.size());

        Tensors.assertUnchanged("y", y, yArray);
        Tensors.assertUnchanged("dy", dy, dyArray);
        double[] ref = SigmoidReference.backward(toDouble(y), toDouble(dy));
        Tensors.assertClose("Sigmoid.backward " + s, host(dx), ref, Tensors.relativeTolerance(ref, 3), new int[] {s.size()}, "[j]");
    }

    /** The javadoc allows y == x and dx == dy: each element is read before it is written, by the same thread. */
    @Test
    void inPlace() {
        SplittableRandom r = Tensors.random("in place");
        int size = 1000;
        float[] x = Tensors.uniform(r, size, -8, 8);
        float[] dy = Tensors.uniform(r, size, -1, 1);
        FloatArray separate = nanFilled(size);
        Sigmoid.forward(device(x), separate, size);
        FloatArray shared = device(x);
        Sigmoid.forward(shared, shared, size);
        assertArrayEquals(host(separate), host(shared), "forward in place differs from forward into another array");

        FloatArray dxSeparate = nanFilled(size);
        Sigmoid.backward(separate, device(dy), dxSeparate, size);
        FloatArray dShared = device(dy);
        Sigmoid.backward(separate, dShared, dShared, size);
        assertArrayEquals(host(dxSeparate), host(dShared), "backward in place differs from backward into another array");
    }

    /** Saturation: e^−x overflows to ∞ or underflows to 0, and σ must still come out as 0 or 1, never NaN. */
    @Test
    void extremeInputs() {
        float[] x = {-1000f, -100f, -88f, 0f, 88f, 100f, 1000f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        FloatArray out = nanFilled(x.length);
        Sigmoid.forward(device(x), out, x.length);
        float[] y = host(out);
        for (int j = 0; j < x.length; j++) {
            assertTrue(y[j] >= 0f && y[j] <= 1f, "σ(" + x[j] + ") = " + y[j] + ", expected a value in [0, 1]");
        }
        assertEquals(0f, y[0], "σ(-1000)");
        assertTrue(y[1] < 1e-38f, "σ(-100) = " + y[1] + ", expected < 1e-38 (exact 3.7e-44)");
        assertEquals(0.5f, y[3], "σ(0)");
        assertEquals(1f, y[5], "σ(100)");
        assertEquals(1f, y[6], "σ(1000)");
        assertEquals(0f, y[7], "σ(-∞)");
        assertEquals(1f, y[8], "σ(+∞)");
    }
}
