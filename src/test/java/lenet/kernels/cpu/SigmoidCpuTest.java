package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import lenet.kernels.Sigmoid;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link SigmoidCpu} against {@link Sigmoid} on random data. */
class SigmoidCpuTest {
    /**
     * Tolerance of σ(x) ∈ (0, 1): the vector EXP is within a couple of ulps of Math.exp, and
     * 1/(1 + e^-x) passes that relative error on at most unchanged, so σ differs from the plain kernel's
     * by a few float32 ulps of 1 (1.2e-7 each); 1e-6 allows eight.
     */
    static final float SIGMOID_TOLERANCE = 1e-6f;

    /** Sizes: 1 and 3 (a masked tail only), 37 (vectors and a tail), and LeNet's largest activation at n=48, 128, 256. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 37, LeNet.C1 * LeNet.H1 * LeNet.H1 * 48, LeNet.C1 * LeNet.H1 * LeNet.H1 * 128,
            LeNet.C1 * LeNet.H1 * LeNet.H1 * 256})
    void forwardMatchesPlainKernel(int size) {
        Random r = new Random(5);
        FloatArray x = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            x.set(j, 20 * r.nextFloat() - 10);
        }
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        Sigmoid.forward(x, plain, size);
        SigmoidCpu.forward(x, twin, size);
        assertClose("forward size " + size, plain, twin, size);
        // in place (y = x)
        SigmoidCpu.forward(x, x, size);
        assertClose("in-place forward size " + size, plain, x, size);
    }

    private static void assertClose(String what, FloatArray plain, FloatArray twin, int size) {
        float worst = 0;
        for (int j = 0; j < size; j++) {
            float err = Math.abs(twin.get(j) - plain.get(j));
            if (!(err <= worst)) {
                worst = err;
            }
        }
        if (!(worst <= SIGMOID_TOLERANCE)) {
            fail(what + ": max error " + worst + ", tolerance " + SIGMOID_TOLERANCE);
        }
    }

    /** Backward does the same three float operations in the same order as the plain kernel: equal bit for bit. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 37, LeNet.C1 * LeNet.H1 * LeNet.H1 * 128})
    void backwardEqualsPlainKernel(int size) {
        Random r = new Random(6);
        FloatArray y = new FloatArray(size);
        FloatArray dy = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            y.set(j, r.nextFloat());
            dy.set(j, 2 * r.nextFloat() - 1);
        }
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        Sigmoid.backward(y, dy, plain, size);
        SigmoidCpu.backward(y, dy, twin, size);
        for (int j = 0; j < size; j++) {
            assertEquals(plain.get(j), twin.get(j), "backward size " + size + ", element " + j);
        }
        SigmoidCpu.backward(y, dy, dy, size);
        for (int j = 0; j < size; j++) {
            assertEquals(plain.get(j), dy.get(j), "in-place backward size " + size + ", element " + j);
        }
    }
}
