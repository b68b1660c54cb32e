package lenet.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import lenet.model.LeNet;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The training and test sets as the kernels read them: images example-major {@code [count][784]} in
 * [0, 1], labels {@code [count]}. Built once per run and handed to an engine, which keeps them where its
 * kernels run.
 */
public record EngineData(FloatArray trainImages, IntArray trainLabels, int trainCount,
        FloatArray testImages, IntArray testLabels, int testCount) {

    /** Copies the first {@code trainCount} / {@code testCount} examples of the given arrays. */
    public static EngineData of(float[] trainPixels, int[] trainLabels, int trainCount,
            float[] testPixels, int[] testLabels, int testCount) {
        return new EngineData(images(trainPixels, trainCount), labels(trainLabels, trainCount), trainCount,
                images(testPixels, testCount), labels(testLabels, testCount), testCount);
    }

    private static FloatArray images(float[] pixels, int count) {
        FloatArray a = new FloatArray(count * LeNet.PIXELS);
        MemorySegment.copy(pixels, 0, a.getSegment(), ValueLayout.JAVA_FLOAT, 0, count * LeNet.PIXELS);
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
