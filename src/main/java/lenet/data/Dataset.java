package lenet.data;

import java.util.Arrays;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;

/**
 * Labelled images in memory: {@code pixels} holds {@code count} images of {@code rows×cols} bytes,
 * example-major (image i starts at {@code i*rows*cols}), off-heap, as the file stores them and the
 * kernels read them (a byte b stands for the value {@link Idx#value value(b)} in [0, 1]); {@code labels[i]}
 * is image i's class. The one copy of the images a run holds: engines take {@code pixels} as it is.
 */
public record Dataset(String name, int count, int rows, int cols, ByteArray pixels, int[] labels) {
    public Dataset {
        if (count < 0 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("bad dataset shape " + count + "×" + rows + "×" + cols);
        }
        if (pixels.getSize() != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("dataset " + name + ": " + pixels.getSize() + " pixels and "
                    + labels.length + " labels for " + count + " images of " + rows + "×" + cols);
        }
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** Image {@code i} as values in [0, 1], row by row: a copy of one image, for code that wants floats. */
    public float[] image(int i) {
        float[] p = new float[pixelsPerImage()];
        for (int j = 0; j < p.length; j++) {
            p[j] = Idx.value(pixels.get(i * p.length + j));
        }
        return p;
    }

    /** The first {@code n} examples (this data set itself when it has no more than n). */
    public Dataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative limit " + n);
        }
        if (n >= count) {
            return this;
        }
        return new Dataset(name, n, rows, cols, pixels.slice(0, n * pixelsPerImage()), Arrays.copyOf(labels, n));
    }

    @Override
    public String toString() {
        return "%s: %d images of %d×%d".formatted(name, count, rows, cols);
    }
}
