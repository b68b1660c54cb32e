package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Picks a batch out of a whole data set by index, where the kernels run: the data set is stored once,
 * example-major ({@code [count][pixels]}), and each step gathers its examples into the batch-innermost
 * input {@code [pixels][n]} the layers read.
 *
 * <p>The images are stored as their bytes ({@code uint8}, a quarter of the floats' size); the gather turns
 * each into the float it stands for by looking it up in {@code levels}, a table of the 256 values
 * {@code b / 255f} the host computes ({@code EngineData.levels}). A table, not a division in the kernel:
 * TornadoVM builds OpenCL kernels with {@code -cl-fast-relaxed-math}, which lets a device divide by 255 as
 * a multiplication by 1/255, and that rounds 126 of the 256 values differently from the division; the
 * table gives every device the host's floats bit for bit.
 *
 * <p>{@code order} is the epoch's shuffled permutation and {@code cursor[0]} the position of the batch's
 * first example in it: a one-element array rather than an int, so a task graph built once reads the new
 * position at every step.
 */
public final class Batch {
    private Batch() {
    }

    /**
     * x[p][i] = levels[images[order[cursor + i]][p]] and labels[i] = allLabels[order[cursor + i]]: the
     * batch's images, as floats, and labels in one kernel. Threads: pixels × n, the batch innermost (GPU
     * dimension 0); the work-items of pixel 0 also copy the labels.
     */
    public static void gather(ByteArray images, FloatArray levels, IntArray allLabels, IntArray order, IntArray cursor, FloatArray x,
            IntArray labels, int n, int pixels) {
        for (@Parallel int p = 0; p < pixels; p++) {           // pixel
            for (@Parallel int i = 0; i < n; i++) {            // example of the batch
                int example = order.get(cursor.get(0) + i);
                x.set(p * n + i, levels.get(images.get(example * pixels + p) & 0xFF));
                if (p == 0) {
                    labels.set(i, allLabels.get(example));
                }
            }
        }
    }

    /** cursor[0] = start[0]: to the first batch of an epoch (0, or where a resumed run left off). One thread. */
    public static void seek(IntArray cursor, IntArray start) {
        cursor.set(0, start.get(0));
    }
}
