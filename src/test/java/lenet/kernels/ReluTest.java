package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link Relu}'s kernels against {@link ReluReference} on seeded random data. Tolerance: none; both kernels
 * only compare and copy.
 */
class ReluTest {

    record Size(String name, int size) {
        @Override
        public String toString() {
            return name + " (" + size + ")";
        }
    }

    static Stream<Size> sizes() {
        return Stream.of(new Size("one", 1), new Size("odd", 37),
                new Size("conv1 activations, batch 1", LeNet.C1 * LeNet.H1 * LeNet.H1),
                new Size("fc1 activations", LeNet.F1 * 256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sizes")
    void forward(Size s) {
        float[] x = Tensors.uniform(Tensors.random(s.toString()), s.size(), -1, 1);
        FloatArray in = device(x);
        FloatArray out = nanFilled(s.size());

        Relu.forward(in, out, s.size());

        Tensors.assertUnchanged("x", x, in);
        Tensors.assertClose("Relu.forward " + s, host(out), ReluReference.forward(toDouble(x)), new double[s.size()],
                new int[] {s.size()}, "[j]");
    }

    /** y from a ReLU (about half exactly 0, where the gradient must be 0 too: relu'(0) = 0, as PyTorch's). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sizes")
    void backward(Size s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] y = Tensors.uniform(r, s.size(), -1, 1);
        for (int j = 0; j < y.length; j++) {
            y[j] = Math.max(y[j], 0.0f);
        }
        float[] dy = Tensors.uniform(r, s.size(), -1, 1);
        FloatArray dx = nanFilled(s.size());

        Relu.backward(device(y), device(dy), dx, s.size());

        Tensors.assertClose("Relu.backward " + s, host(dx), ReluReference.backward(toDouble(y), toDouble(dy)), new double[s.size()],
                new int[] {s.size()}, "[j]");
    }

    /** The values at the edge: −0 and 0 give +0, the smallest subnormal passes; their gradients follow y &gt; 0. */
    @Test
    void edges() {
        float[] x = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, -1e30f, 1e30f};
        float[] expected = {0.0f, 0.0f, Float.MIN_VALUE, 0.0f, 0.0f, 1e30f};
        FloatArray y = nanFilled(x.length);
        Relu.forward(device(x), y, x.length);
        FloatArray dx = nanFilled(x.length);
        Relu.backward(y, device(new float[] {1, 2, 3, 4, 5, 6}), dx, x.length);
        for (int j = 0; j < x.length; j++) {
            assertEquals(Float.floatToRawIntBits(expected[j]), Float.floatToRawIntBits(y.get(j)), "relu(" + x[j] + ")");
            assertEquals(expected[j] > 0 ? j + 1 : 0.0f, dx.get(j), "relu'(" + x[j] + ")");
        }
    }

    /** In place (y = x, dx = dy), as the kernels allow. */
    @Test
    void inPlace() {
        float[] x = Tensors.uniform(Tensors.random("relu in place"), 100, -1, 1);
        float[] dy = Tensors.uniform(Tensors.random("relu in place dy"), 100, -1, 1);
        FloatArray shared = device(x);
        Relu.forward(shared, shared, 100);
        FloatArray d = device(dy);
        Relu.backward(shared, d, d, 100);
        double[] y = ReluReference.forward(toDouble(x));
        Tensors.assertClose("in place forward", host(shared), y, new double[100], new int[] {100}, "[j]");
        Tensors.assertClose("in place backward", host(d), ReluReference.backward(y, toDouble(dy)), new double[100], new int[] {100}, "[j]");
    }
}
