package lenet.engine;

import lenet.data.Dataset;
import lenet.data.Idx;
import lenet.model.LeNet;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The training and test sets as the kernels read them: images as their bytes, example-major
 * {@code [count][784]}, labels {@code [count]}, and {@code levels}, the float each of the 256 byte values
 * stands for ({@link Idx#value}: b / 255), which {@link lenet.kernels.Batch#gather} looks the bytes up in.
 * Built once per run and handed to an engine, which keeps them where its kernels run. The images are the
 * data set's own arrays ({@link #of(Dataset, Dataset)} copies nothing): a run holds one copy of them, on
 * the host, as bytes.
 */
public record EngineData(ByteArray trainImages, IntArray trainLabels, int trainCount,
        ByteArray testImages, IntArray testLabels, int testCount, FloatArray levels) {

    public EngineData {
        if (trainImages.getSize() != (long) trainCount * LeNet.PIXELS || testImages.getSize() != (long) testCount * LeNet.PIXELS
                || trainLabels.getSize() != trainCount || testLabels.getSize() != testCount || levels.getSize() != 256) {
            throw new IllegalArgumentException("%d and %d images of %d pixels, %d and %d labels and %d levels for %d and %d examples"
                    .formatted(trainImages.getSize(), testImages.getSize(), LeNet.PIXELS, trainLabels.getSize(), testLabels.getSize(),
                            levels.getSize(), trainCount, testCount));
        }
    }

    /** The training and test sets, their images taken as they are (not copied). */
    public static EngineData of(Dataset train, Dataset test) {
        return new EngineData(train.pixels(), labels(train.labels(), train.count()), train.count(),
                test.pixels(), labels(test.labels(), test.count()), test.count(), levelTable());
    }

    /** Copies the first {@code trainCount} / {@code testCount} examples of the given arrays (images as bytes, 784 each). */
    public static EngineData of(byte[] trainPixels, int[] trainLabels, int trainCount,
            byte[] testPixels, int[] testLabels, int testCount) {
        return new EngineData(images(trainPixels, trainCount), labels(trainLabels, trainCount), trainCount,
                images(testPixels, testCount), labels(testLabels, testCount), testCount, levelTable());
    }

    /** The 256 values a pixel byte stands for: {@code levels[b] = Idx.value(b)}. */
    public static FloatArray levelTable() {
        FloatArray a = new FloatArray(256);
        for (int b = 0; b < 256; b++) {
            a.set(b, Idx.value((byte) b));
        }
        return a;
    }

    private static ByteArray images(byte[] pixels, int count) {
        ByteArray a = new ByteArray(count * LeNet.PIXELS);
        for (int j = 0; j < count * LeNet.PIXELS; j++) {
            a.set(j, pixels[j]);
        }
        return a;
    }

    private static IntArray labels(int[] labels, int count) {
        IntArray a = new IntArray(count);
        for (int i = 0; i < count; i++) {
            a.set(i, labels[i]);
        }
        return a;
    }
}
