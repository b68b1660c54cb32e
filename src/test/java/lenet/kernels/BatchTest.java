package lenet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import lenet.engine.EngineData;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** The gather turns the stored bytes into exactly the floats the data set used to be held as. */
class BatchTest {
    /** How a pixel byte was read into a float before the images were kept as bytes (torchvision's ToTensor too). */
    private static float asLoaded(byte b) {
        return (b & 0xFF) / 255f;
    }

    /**
     * Four images of 784 pixels, each holding every byte value 0..255 (shifted per image), gathered in the
     * order 2, 0, 3 from cursor 1: every pixel lands where the layers read it, as the float the loader made
     * of its byte, bit for bit.
     */
    @Test
    void everyByteValueBecomesTheFloatTheLoaderMadeOfIt() {
        int pixels = 784;
        int count = 4;
        int n = 3;
        ByteArray images = new ByteArray(count * pixels);
        for (int e = 0; e < count; e++) {
            for (int p = 0; p < pixels; p++) {
                images.set(e * pixels + p, (byte) (p + 37 * e));
            }
        }
        IntArray allLabels = IntArray.fromElements(7, 1, 9, 4);
        IntArray order = IntArray.fromElements(5, 2, 0, 3);
        IntArray cursor = IntArray.fromElements(1);
        FloatArray x = new FloatArray(pixels * n);
        x.init(Float.NaN);
        IntArray labels = new IntArray(n);
        labels.init(-1);
        Batch.gather(images, EngineData.levelTable(), allLabels, order, cursor, x, labels, n, pixels);
        int[] examples = {2, 0, 3};
        for (int i = 0; i < n; i++) {
            assertEquals(allLabels.get(examples[i]), labels.get(i), "label of example " + i);
            for (int p = 0; p < pixels; p++) {
                byte b = images.get(examples[i] * pixels + p);
                assertEquals(Float.floatToRawIntBits(asLoaded(b)), Float.floatToRawIntBits(x.get(p * n + i)),
                        "pixel " + p + " of example " + i + " (byte " + (b & 0xFF) + ")");
            }
        }
    }

    /** The table the gather reads: entry b is b / 255f, for every b (a multiplication by 1/255 differs at 126 of them). */
    @Test
    void theLevelTableHoldsTheLoadersFloats() {
        FloatArray levels = EngineData.levelTable();
        assertEquals(256, levels.getSize());
        for (int b = 0; b < 256; b++) {
            assertEquals(Float.floatToRawIntBits(asLoaded((byte) b)), Float.floatToRawIntBits(levels.get(b)), "byte " + b);
        }
    }
}
