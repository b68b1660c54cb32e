package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;

import org.junit.jupiter.api.Test;

import lenet.data.Dataset;
import lenet.model.LeNet;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;

/** A run holds its images once, as bytes: the engines read the data set's own arrays. */
class EngineDataTest {
    private static Dataset dataset(String name, int count, Random r) {
        byte[] pixels = new byte[count * LeNet.PIXELS];
        r.nextBytes(pixels);
        return new Dataset(name, count, 28, 28, ByteArray.fromArray(pixels), r.ints(count, 0, 10).toArray());
    }

    @Test
    void theEnginesReadTheDataSetsOwnBytes() {
        Random r = new Random(5);
        Dataset train = dataset("train", 9, r);
        Dataset test = dataset("t10k", 4, r);
        EngineData data = EngineData.of(train, test);
        assertSame(train.pixels(), data.trainImages(), "the training images, not a copy");
        assertSame(test.pixels(), data.testImages(), "the test images, not a copy");
        assertEquals(1, data.trainImages().getElementSize(), "one byte a pixel");
        assertEquals(9L * LeNet.PIXELS, data.trainImages().getNumBytesOfSegment());
        assertEquals(4L * LeNet.PIXELS, data.testImages().getNumBytesOfSegment());
        for (int i = 0; i < 9; i++) {
            assertEquals(train.labels()[i], data.trainLabels().get(i));
        }
    }
}
