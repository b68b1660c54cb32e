package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import lenet.engine.EngineData;
import lenet.kernels.Batch;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link BatchCpu#gather} against {@link Batch#gather}: a table lookup and a copy, so equal bit for bit,
 * on every byte value, a shuffled order and a batch that starts inside the data set.
 */
class BatchCpuTest {

    /** Sizes: 1 and 7 (part of one block), 16 (one block), 37 (blocks and a part), 128 (a shard), 256. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 37, 128, 256})
    void gatherEqualsPlainKernel(int n) {
        Random r = new Random(n);
        int count = 3 * n + 5;
        int pixels = LeNet.PIXELS;
        ByteArray images = new ByteArray(count * pixels);
        for (int j = 0; j < count * pixels; j++) {
            images.set(j, (byte) (j < 256 ? j : r.nextInt(256)));   // every byte value, 0x80..0xFF included
        }
        IntArray allLabels = new IntArray(count);
        IntArray order = new IntArray(count);
        for (int e = 0; e < count; e++) {
            allLabels.set(e, r.nextInt(LeNet.CLASSES));
            order.set(e, e);
        }
        for (int e = count - 1; e > 0; e--) {
            int j = r.nextInt(e + 1);
            int t = order.get(e);
            order.set(e, order.get(j));
            order.set(j, t);
        }
        order.set(n + 2, 0);                            // the example holding every byte value is in the batch
        IntArray cursor = new IntArray(1);
        cursor.set(0, n + 2);
        FloatArray levels = EngineData.levelTable();
        FloatArray plain = nan(pixels * n);
        FloatArray twin = nan(pixels * n);
        IntArray plainLabels = new IntArray(n);
        IntArray twinLabels = new IntArray(n);
        plainLabels.init(-1);
        twinLabels.init(-1);
        Batch.gather(images, levels, allLabels, order, cursor, plain, plainLabels, n, pixels);
        BatchCpu.gather(images, levels, allLabels, order, cursor, twin, twinLabels, n, pixels);
        for (int j = 0; j < pixels * n; j++) {
            assertEquals(Float.floatToRawIntBits(plain.get(j)), Float.floatToRawIntBits(twin.get(j)),
                    "x element " + j + " (pixel " + j / n + ", example " + j % n + "): plain " + plain.get(j) + ", twin " + twin.get(j));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(plainLabels.get(i), twinLabels.get(i), "label " + i);
        }
    }
}
