package lenet.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import lenet.kernels.Batch;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * CPU twin of {@link Batch}: the same gather, in an order a CPU's caches serve well. The plain kernel's
 * loops (pixel, then example) look every example up in {@code order} again for each of the 784 pixels and
 * read one byte from each of n images per pixel, n cache lines apart; here each block of {@value #BLOCK}
 * examples looks its images up once, and each pixel's row of the block is {@value #BLOCK} bytes read from
 * {@value #BLOCK} images (12.5 KB in all, held in L1 across the block) and {@value #BLOCK} floats written
 * side by side (one 64-byte line). The floats are the plain kernel's, bit for bit: the same {@code levels}
 * table, copied once a call.
 */
public final class BatchCpu {
    /** Examples per block: one cache line of floats of each pixel's row. */
    static final int BLOCK = 16;

    private static final ThreadLocal<long[]> OFFSETS = ThreadLocal.withInitial(() -> new long[BLOCK]);
    private static final ThreadLocal<float[]> LEVELS = ThreadLocal.withInitial(() -> new float[256]);

    private BatchCpu() {
    }

    /**
     * As {@link Batch#gather}: x[p][i] = levels[images[order[cursor + i]][p]] and labels[i] =
     * allLabels[order[cursor + i]]. Loops: block of {@value #BLOCK} examples → pixel → example of the block.
     */
    public static void gather(ByteArray images, FloatArray levels, IntArray allLabels, IntArray order, IntArray cursor, FloatArray x,
            IntArray labels, int n, int pixels) {
        MemorySegment img = images.getSegment();
        MemorySegment xs = x.getSegment();
        float[] level = LEVELS.get();
        for (int b = 0; b < 256; b++) {
            level[b] = levels.get(b);
        }
        long[] image = OFFSETS.get();           // where each example of the block starts in images
        int first = cursor.get(0);
        for (int i0 = 0; i0 < n; i0 += BLOCK) {
            int m = Math.min(BLOCK, n - i0);
            for (int l = 0; l < m; l++) {
                int example = order.get(first + i0 + l);
                image[l] = (long) example * pixels;
                labels.set(i0 + l, allLabels.get(example));
            }
            for (int p = 0; p < pixels; p++) {
                long row = (long) p * n + i0;   // x[p][i0]
                for (int l = 0; l < m; l++) {
                    xs.setAtIndex(JAVA_FLOAT, row + l, level[img.get(JAVA_BYTE, image[l] + p) & 0xFF]);
                }
            }
        }
    }
}
