package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import lenet.kernels.Relu;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link ReluCpu} against {@link Relu} on random data: a comparison and a blend, so equal bit for bit. */
class ReluCpuTest {

    /** Sizes: 1 and 3 (a masked tail only), 37 (vectors and a tail), and LeNet's largest activation at n=128. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 37, LeNet.C1 * LeNet.H1 * LeNet.H1 * 128})
    void forwardEqualsPlainKernel(int size) {
        FloatArray x = random(new Random(5), size);
        x.set(0, -0.0f);                                // −0 must become +0, as in the plain kernel
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        Relu.forward(x, plain, size);
        ReluCpu.forward(x, twin, size);
        assertBitsEqual("forward size " + size, plain, twin, size);
        ReluCpu.forward(x, x, size);
        assertBitsEqual("in-place forward size " + size, plain, x, size);
    }

    /** y from a ReLU, half of it 0, where the gradient must be 0. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 37, LeNet.C1 * LeNet.H1 * LeNet.H1 * 128})
    void backwardEqualsPlainKernel(int size) {
        Random r = new Random(6);
        FloatArray y = random(r, size);
        Relu.forward(y, y, size);
        FloatArray dy = random(r, size);
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        Relu.backward(y, dy, plain, size);
        ReluCpu.backward(y, dy, twin, size);
        assertBitsEqual("backward size " + size, plain, twin, size);
        ReluCpu.backward(y, dy, dy, size);
        assertBitsEqual("in-place backward size " + size, plain, dy, size);
    }

    private static void assertBitsEqual(String what, FloatArray plain, FloatArray twin, int size) {
        for (int j = 0; j < size; j++) {
            assertEquals(Float.floatToRawIntBits(plain.get(j)), Float.floatToRawIntBits(twin.get(j)),
                    what + ", element " + j + " (plain " + plain.get(j) + ", twin " + twin.get(j) + ")");
        }
    }
}
