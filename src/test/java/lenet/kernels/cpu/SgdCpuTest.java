package lenet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import lenet.kernels.Sgd;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link SgdCpu#update} against {@link Sgd#update}: both round each product and difference once, so they
 * agree bit for bit, on values whose products and differences round (random mantissas over many
 * exponents), a stretch beyond the last vector, and elements past {@code size} that must stay untouched.
 */
class SgdCpuTest {

    /** Sizes: below one vector, one vector and one more, fc3's bias and weight, fc1's weight. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17, 10, 840, LeNet.FLAT * 120})
    void updateEqualsPlainKernel(int size) {
        Random r = new Random(size);
        FloatArray plain = new FloatArray(size + 5);
        FloatArray twin = new FloatArray(size + 5);
        FloatArray grad = new FloatArray(size + 5);
        for (int j = 0; j < size + 5; j++) {
            float p = (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(20) - 10));
            plain.set(j, p);
            twin.set(j, p);
            grad.set(j, (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(20) - 12)));
        }
        for (float lr : new float[] {0.9f, 0.1f, 1.0f / 3}) {
            Sgd.update(plain, grad, lr, size);
            SgdCpu.update(twin, grad, lr, size);
            for (int j = 0; j < size + 5; j++) {
                assertEquals(Float.floatToRawIntBits(plain.get(j)), Float.floatToRawIntBits(twin.get(j)),
                        "lr " + lr + ", element " + j + ": plain " + plain.get(j) + ", twin " + twin.get(j));
            }
        }
    }
}
