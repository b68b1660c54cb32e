package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link Sgd#update} against param − lr·grad in double. */
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
}
