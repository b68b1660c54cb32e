package lenet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Random tensors and the element-by-element comparison of a CPU twin's output with its plain kernel's. */
final class TwinCheck {
    private TwinCheck() {
    }

    /**
     * Tolerance of a sum, relative to Σ|terms| of that output element. Twin and plain kernel add the
     * same float32 products in different orders (and the twin fuses multiply and add), so each result
     * carries rounding errors of a few float32 roundoffs (6e-8) times Σ|terms|: the random data here has
     * mixed signs, so partial sums stay far below Σ|terms|. The largest difference seen over these tests
     * is 4e-7 (conv1's weight gradient, 200,704 terms per sum at n=256); 1e-5 leaves a 25-fold margin
     * and still catches a missing or doubled vector of examples, row or channel, and a single missing or
     * doubled term wherever a sum has fewer than 100,000 terms (each is then on average ≥ 1e-5 Σ|terms|).
     */
    static final float SUM_TOLERANCE = 1e-5f;

    /** Uniform values in [-1, 1). */
    static FloatArray random(Random r, int size) {
        FloatArray a = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            a.set(j, 2 * r.nextFloat() - 1);
        }
        return a;
    }

    /** An output array filled with NaN, so any element a kernel forgets to write fails the comparison. */
    static FloatArray nan(int size) {
        FloatArray a = new FloatArray(size);
        a.init(Float.NaN);
        return a;
    }

    static FloatArray abs(FloatArray a) {
        FloatArray b = new FloatArray(a.getSize());
        for (int j = 0; j < a.getSize(); j++) {
            b.set(j, Math.abs(a.get(j)));
        }
        return b;
    }

    /**
     * Fails unless |twin[j] − plain[j]| ≤ {@link #SUM_TOLERANCE} · scale[j] + 1e-30 for every j, where
     * scale[j] = Σ|terms| of element j (the plain kernel run on the absolute values of its inputs).
     * Prints the largest error relative to the scale.
     */
    static void assertSumsClose(String what, FloatArray plain, FloatArray twin, FloatArray scale) {
        float worst = 0;
        int worstAt = -1;
        for (int j = 0; j < plain.getSize(); j++) {
            float err = Math.abs(twin.get(j) - plain.get(j));
            float rel = err / (scale.get(j) + 1e-30f);
            if (!(rel <= worst) || Float.isNaN(twin.get(j))) {
                worst = Float.isNaN(rel) ? Float.NaN : rel;
                worstAt = j;
                if (Float.isNaN(rel)) {
                    break;
                }
            }
        }
        if (!(worst <= SUM_TOLERANCE)) {
            fail(String.format("%s: max error %.3g × Σ|terms| at element %d (twin %s, plain %s, Σ|terms| %s), tolerance %.1g",
                    what, worst, worstAt, twin.get(worstAt), plain.get(worstAt), scale.get(worstAt), SUM_TOLERANCE));
        }
    }
}
