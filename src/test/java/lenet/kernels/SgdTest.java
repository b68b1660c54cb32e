package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link Sgd#update} against param − lr·grad in double; {@link Sgd#sumAndUpdate} against its two stages run apart. */
class SgdTest {

    /**
     * Tolerance γ(2)·(|param| + |lr·grad|): lr·grad rounds once, the difference once. An odd size checks that
     * no element is skipped; the gradient must come back unchanged.
     */
    @Test
    void updateSubtractsLearningRateTimesGradient() {
        int size = 1001;
        float lr = 0.1f;
        SplittableRandom r = Tensors.random("sgd");
        float[] p = Tensors.uniform(r, size, -1, 1);
        float[] g = Tensors.uniform(r, size, -1, 1);
        FloatArray param = device(p);
        FloatArray grad = device(g);

        Sgd.update(param, grad, lr, size);

        Tensors.assertUnchanged("grad", g, grad);
        double[] expected = new double[size];
        double[] tol = new double[size];
        for (int j = 0; j < size; j++) {
            expected[j] = (double) p[j] - (double) lr * g[j];
            tol[j] = Tensors.gamma(2) * (Math.abs(p[j]) + Math.abs((double) lr * g[j]));
        }
        Tensors.assertClose("Sgd.update", host(param), expected, tol, new int[] {size}, "[j]");
    }

    /**
     * The last gradient stage with the SGD step in its epilogue equals, bit for bit, {@link Partials#sum}
     * followed by {@link Sgd#update} on the weight and the bias: the same float operations in the same order.
     * Odd sizes and 3 slices check that no element and no slice is skipped.
     */
    @Test
    void sumAndUpdateIsTheSumThenTheStep() {
        int slices = 3;
        int ws = 37;
        int bs = 5;
        float lr = 0.9f;
        SplittableRandom r = Tensors.random("sumAndUpdate");
        float[] wp = Tensors.uniform(r, slices * ws, -1, 1);
        float[] bp = Tensors.uniform(r, slices * bs, -1, 1);
        float[] w = Tensors.uniform(r, ws, -1, 1);
        float[] b = Tensors.uniform(r, bs, -1, 1);

        FloatArray weight = device(w);
        FloatArray bias = device(b);
        FloatArray dWeight = Tensors.nanFilled(ws);
        FloatArray dBias = Tensors.nanFilled(bs);
        Sgd.sumAndUpdate(device(wp), device(bp), dWeight, dBias, weight, bias, lr, slices, ws, bs);

        FloatArray expectedDWeight = Tensors.nanFilled(ws);
        FloatArray expectedDBias = Tensors.nanFilled(bs);
        Partials.sum(device(wp), device(bp), expectedDWeight, expectedDBias, slices, ws, bs);
        FloatArray expectedWeight = device(w);
        FloatArray expectedBias = device(b);
        Sgd.update(expectedWeight, expectedDWeight, lr, ws);
        Sgd.update(expectedBias, expectedDBias, lr, bs);
        org.junit.jupiter.api.Assertions.assertArrayEquals(host(expectedDWeight), host(dWeight), "dWeight");
        org.junit.jupiter.api.Assertions.assertArrayEquals(host(expectedDBias), host(dBias), "dBias");
        org.junit.jupiter.api.Assertions.assertArrayEquals(host(expectedWeight), host(weight), "weight");
        org.junit.jupiter.api.Assertions.assertArrayEquals(host(expectedBias), host(bias), "bias");
    }
}
