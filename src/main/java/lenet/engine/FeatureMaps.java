package lenet.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import lenet.kernels.Batch;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * What the network computes inside for a few images ({@code lenet inspect}): conv1's and conv2's feature
 * maps after their activation, and the class probabilities. They come from one forward pass of the
 * training step's graph ({@link LeNetGraph#forward}) over all the images as one batch, run by the JVM
 * engine's {@link Recorder}, and are kept in the layout the kernels write: batch-innermost
 * ({@link LeNet}), {@code a1} {@code [6][28][28][n]}, {@code a2} {@code [16][10][10][n]},
 * {@code probs} {@code [10][n]}.
 */
public final class FeatureMaps {
    private final int n;
    private final float[] a1;
    private final float[] a2;
    private final float[] probs;

    /** Maps already computed, in the layouts above (for drawing known values). */
    public FeatureMaps(int n, float[] a1, float[] a2, float[] probs) {
        if (n < 1 || a1.length != LeNet.C1 * LeNet.H1 * LeNet.H1 * n || a2.length != LeNet.C2 * LeNet.H2 * LeNet.H2 * n
                || probs.length != LeNet.CLASSES * n) {
            throw new IllegalArgumentException("feature maps of " + n + " examples: sizes " + a1.length + ", " + a2.length
                    + ", " + probs.length);
        }
        this.n = n;
        this.a1 = a1;
        this.a2 = a2;
        this.probs = probs;
    }

    /** Runs the forward pass on the first {@code count} images of {@code pixels} (example-major 28×28, values in [0, 1]). */
    public static FeatureMaps of(Params params, float[] pixels, int count, KernelSet kernels) {
        if (count < 1 || (long) count * LeNet.PIXELS > pixels.length) {
            throw new IllegalArgumentException(count + " images, " + pixels.length + " pixels");
        }
        FloatArray images = new FloatArray(count * LeNet.PIXELS);
        MemorySegment.copy(pixels, 0, images.getSegment(), ValueLayout.JAVA_FLOAT, 0L, count * LeNet.PIXELS);
        IntArray order = new IntArray(count);
        IntArray labels = new IntArray(count);
        for (int i = 0; i < count; i++) {
            order.set(i, i);
            labels.set(i, 0); // the loss is computed and ignored
        }
        IntArray cursor = new IntArray(1);
        cursor.set(0, 0);
        Activations b = new Activations(params.model, count);
        Recorder r = new Recorder();
        r.task("batch.gather", Inference::gatherFloats, images, labels, order, cursor, b.x, b.labels, count, LeNet.PIXELS);
        LeNetGraph.forward(r, kernels, params, b);
        r.run();
        return new FeatureMaps(count, b.a1.toHeapArray(), b.a2.toHeapArray(), b.probs.toHeapArray());
    }

    /** The number of images. */
    public int count() {
        return n;
    }

    /** conv1's map {@code channel} of image {@code example} at row y, column x, after the activation. */
    public float conv1(int example, int channel, int y, int x) {
        return a1[((channel * LeNet.H1 + y) * LeNet.H1 + x) * n + example];
    }

    /** conv2's map {@code channel} of image {@code example} at row y, column x, after the activation. */
    public float conv2(int example, int channel, int y, int x) {
        return a2[((channel * LeNet.H2 + y) * LeNet.H2 + x) * n + example];
    }

    /** The probability of class c for image {@code example}. */
    public float probability(int example, int c) {
        return probs[c * n + example];
    }
}
