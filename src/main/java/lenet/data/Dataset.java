package lenet.data;

import java.util.Arrays;

/**
 * Labelled images in memory: {@code pixels} holds {@code count} images of {@code rows×cols} floats in
 * [0, 1], example-major (image i starts at {@code i*rows*cols}); {@code labels[i]} is image i's class.
 */
public record Dataset(String name, int count, int rows, int cols, float[] pixels, int[] labels) {
    public Dataset {
        if (count < 0 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("bad dataset shape " + count + "×" + rows + "×" + cols);
        }
        if (pixels.length != (long) count * rows * cols || labels.length != count) {
            throw new IllegalArgumentException("dataset " + name + ": " + pixels.length + " pixels and "
                    + labels.length + " labels for " + count + " images of " + rows + "×" + cols);
        }
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** The first {@code n} examples (this data set itself when it has no more than n). */
    public Dataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative limit " + n);
        }
        if (n >= count) {
            return this;
        }
        return new Dataset(name, n, rows, cols, Arrays.copyOf(pixels, n * pixelsPerImage()), Arrays.copyOf(labels, n));
    }

    @Override
    public String toString() {
        return "%s: %d images of %d×%d".formatted(name, count, rows, cols);
    }
}
