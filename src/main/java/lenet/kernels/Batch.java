package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Picks a batch out of a whole data set by index, where the kernels run: the data set is stored once,
 * example-major ({@code [count][pixels]}), and each step gathers its examples into the batch-innermost
 * input {@code [pixels][n]} the layers read.
 *
 * <p>{@code order} is the epoch's shuffled permutation and {@code cursor[0]} the position of the batch's
 * first example in it: a one-element array rather than an int, so a task graph built once reads the new
 * position at every step.
 */
public final class Batch {
    private Batch() {
    }

    /** x[p][i] = images[order[cursor + i]][p]. Threads: pixels × n. */
    public static void gatherImages(FloatArray images, IntArray order, IntArray cursor, FloatArray x, int n, int pixels) {
        for (@Parallel int p = 0; p < pixels; p++) {           // pixel
            for (@Parallel int i = 0; i < n; i++) {            // example of the batch
                int example = order.get(cursor.get(0) + i);
                x.set(p * n + i, images.get(example * pixels + p));
            }
        }
    }

    /** labels[i] = allLabels[order[cursor + i]]. Threads: n. */
    public static void gatherLabels(IntArray allLabels, IntArray order, IntArray cursor, IntArray labels, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            labels.set(i, allLabels.get(order.get(cursor.get(0) + i)));
        }
    }

    /** cursor[0] += n: moves to the next batch, where the kernels run. One thread. */
    public static void advance(IntArray cursor, int n) {
        cursor.set(0, cursor.get(0) + n);
    }

    /** cursor[0] = start[0]: to the first batch of an epoch (0, or where a resumed run left off). One thread. */
    public static void seek(IntArray cursor, IntArray start) {
        cursor.set(0, start.get(0));
    }
}
