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

    /**
     * As {@link AvgPool2d#backwardSigmoid}, in one pass: {@link #backward}'s loops, each of the four
     * gradients of a window multiplied by the sigmoid's derivative, s·(1 − s) of its act, on its way to
     * dIn, in the plain kernel's order (a quarter of dOut, times s, times 1 − s). dIn is written once and
     * never read back, where a backward pass then {@link SigmoidCpu#backward} in place wrote it, read it
     * and wrote it again (the pass is memory-bound: conv1's dIn is 2.4 MB at a 128-example shard).
     */
    public static void backwardSigmoid(FloatArray dOut, FloatArray act, FloatArray dIn, int n, int c, int h, int w) {
        MemorySegment src = dOut.getSegment();
        MemorySegment y = act.getSegment();
        MemorySegment dst = dIn.getSegment();
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
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
                        sigmoidGrad(d, y, dst, a + i, one);
                        sigmoidGrad(d, y, dst, a + right + i, one);
                        sigmoidGrad(d, y, dst, a + down + i, one);
                        sigmoidGrad(d, y, dst, a + down + right + i, one);
                    }
                    for (int i = full; i < n; i++) {
                        float d = 0.25f * src.getAtIndex(JAVA_FLOAT, o + i);
                        sigmoidGrad(d, y, dst, a + i);
                        sigmoidGrad(d, y, dst, a + right + i);
                        sigmoidGrad(d, y, dst, a + down + i);
                        sigmoidGrad(d, y, dst, a + down + right + i);
                    }
                }
            }
        }
    }

    /** dst[at…] = d · s · (1 − s), s = y[at…]: a vector of {@link #backwardSigmoid}'s gradients. */
    private static void sigmoidGrad(FloatVector d, MemorySegment y, MemorySegment dst, long at, FloatVector one) {
        FloatVector s = Simd.load(y, at);
        Simd.store(d.mul(s).mul(one.sub(s)), dst, at);
    }

    /** dst[at] = d · s · (1 − s), s = y[at]: one of {@link #backwardSigmoid}'s gradients past the last whole vector. */
    private static void sigmoidGrad(float d, MemorySegment y, MemorySegment dst, long at) {
        float s = y.getAtIndex(JAVA_FLOAT, at);
        dst.setAtIndex(JAVA_FLOAT, at, d * s * (1.0f - s));
    }
}
