package lenet.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import lenet.kernels.AvgPool2d;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link AvgPool2d}: the same methods, math and layouts, one vector of examples at a time,
 * the examples past the last whole vector one by one. The additions happen in the plain kernel's
 * order, so the results are equal bit for bit.
 */
public final class AvgPool2dCpu {
    private AvgPool2dCpu() {
    }

    /** As {@link AvgPool2d#forward}. Loops: channel → output pixel → example vector: four loads, three adds, a scale. */
    public static void forward(FloatArray in, FloatArray out, int n, int c, int h, int w) {
        MemorySegment src = in.getSegment();
        MemorySegment dst = out.getSegment();
        int ho = h / 2;
        int wo = w / 2;
        int full = n - n % Simd.V;
        long right = n;
        long down = (long) w * n;
        for (int ch = 0; ch < c; ch++) {
            for (int py = 0; py < ho; py++) {
                for (int px = 0; px < wo; px++) {
                    long a = ((long) (ch * h + 2 * py) * w + 2 * px) * n;
                    long o = ((long) (ch * ho + py) * wo + px) * n;
                    for (int i = 0; i < full; i += Simd.V) {
                        FloatVector s = Simd.load(src, a + i).add(Simd.load(src, a + right + i))
                                .add(Simd.load(src, a + down + i)).add(Simd.load(src, a + down + right + i));
                        Simd.store(s.mul(0.25f), dst, o + i);
                    }
                    for (int i = full; i < n; i++) {
                        float s = src.getAtIndex(JAVA_FLOAT, a + i) + src.getAtIndex(JAVA_FLOAT, a + right + i)
                                + src.getAtIndex(JAVA_FLOAT, a + down + i) + src.getAtIndex(JAVA_FLOAT, a + down + right + i);
                        dst.setAtIndex(JAVA_FLOAT, o + i, 0.25f * s);
                    }
                }
            }
        }
    }

    /** As {@link AvgPool2d#backward}. Loops: channel → output pixel → example vector: one load, a scale, four stores. */
    public static void backward(FloatArray dOut, FloatArray dIn, int n, int c, int h, int w) {
        MemorySegment src = dOut.getSegment();
        MemorySegment dst = dIn.getSegment();
        int ho = h / 2;
        int wo = w / 2;
        int full = n - n % Simd.V;
        long right = n;
        long down = (long) w * n;
        for (int ch = 0; ch < c; ch++) {
            for (int py = 0; py < ho; py++) {
                for (int px = 0; px < wo; px++) {
                    long a = ((long) (ch * h + 2 * py) * w + 2 * px) * n;
                    long o = ((long) (ch * ho + py) * wo + px) * n;
                    for (int i = 0; i < full; i += Simd.V) {
                        FloatVector d = Simd.load(src, o + i).mul(0.25f);
                        Simd.store(d, dst, a + i);
                        Simd.store(d, dst, a + right + i);
                        Simd.store(d, dst, a + down + i);
                        Simd.store(d, dst, a + down + right + i);
                    }
                    for (int i = full; i < n; i++) {
                        float d = 0.25f * src.getAtIndex(JAVA_FLOAT, o + i);
                        dst.setAtIndex(JAVA_FLOAT, a + i, d);
                        dst.setAtIndex(JAVA_FLOAT, a + right + i, d);
                        dst.setAtIndex(JAVA_FLOAT, a + down + i, d);
                        dst.setAtIndex(JAVA_FLOAT, a + down + right + i, d);
                    }
                }
            }
        }
    }

    /** As {@link AvgPool2d#backwardSigmoid}: {@link #backward}, then {@link SigmoidCpu#backward} in place. */
    public static void backwardSigmoid(FloatArray dOut, FloatArray act, FloatArray dIn, int n, int c, int h, int w) {
        backward(dOut, dIn, n, c, h, w);
        SigmoidCpu.backward(act, dIn, dIn, c * h * w * n);
    }
}
