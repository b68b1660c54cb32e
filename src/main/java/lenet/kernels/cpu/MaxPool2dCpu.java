package lenet.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import lenet.kernels.MaxPool2d;
import lenet.kernels.Relu;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * CPU twin of {@link MaxPool2d}'s backward with the ReLU's mask, and the ReLU and max pool that end
 * {@link Conv2dCpu#forwardReluMaxPool}: the same math and layouts, one vector of examples at a time (the
 * argmax a vector of ints of the same lane count), the examples past the last whole vector one by one.
 * Comparisons and blends only, no arithmetic: the results equal the plain kernel's bit for bit, ties
 * included (each later window position replaces the maximum only where it is greater).
 */
public final class MaxPool2dCpu {
    private MaxPool2dCpu() {
    }

    /** Ints with as many lanes as {@link Simd#S}. */
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, Simd.S.vectorShape());

    /**
     * {@link Relu#forward} in place on act, then {@link MaxPool2d#forward} of act into pooled and argmax, in
     * one pass: the epilogue of {@link Conv2dCpu#forwardReluMaxPool}. Loops: channel → output pixel → example
     * vector: four loads, four ReLUs and stores, three compare-and-blends for the value and three for the argmax.
     */
    static void reluForward(FloatArray act, FloatArray pooled, IntArray argmax, int n, int c, int h, int w) {
        MemorySegment src = act.getSegment();
        MemorySegment dst = pooled.getSegment();
        MemorySegment arg = argmax.getSegment();
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
                        reluPoolVector(src, dst, arg, a + i, right, down, o + i);
                    }
                    for (int i = full; i < n; i++) {
                        float best = 0.0f;
                        int at = 0;
                        for (int d = 0; d < 4; d++) {
                            long e = a + i + (d / 2) * down + (d % 2) * right;
                            float v = Relu.of(src.getAtIndex(JAVA_FLOAT, e));
                            src.setAtIndex(JAVA_FLOAT, e, v);
                            if (d == 0 || v > best) {
                                best = v;
                                at = d;
                            }
                        }
                        dst.setAtIndex(JAVA_FLOAT, o + i, best);
                        arg.setAtIndex(JAVA_INT, o + i, at);
                    }
                }
            }
        }
    }

    /** One vector of examples of one window: its four inputs at a, a + right, a + down, a + down + right (float indices). */
    private static void reluPoolVector(MemorySegment src, MemorySegment dst, MemorySegment arg, long a, long right, long down, long o) {
        FloatVector v0 = Simd.load(src, a);
        FloatVector v1 = Simd.load(src, a + right);
        FloatVector v2 = Simd.load(src, a + down);
        FloatVector v3 = Simd.load(src, a + down + right);
        FloatVector zero = FloatVector.zero(Simd.S);
        v0 = zero.blend(v0, v0.compare(VectorOperators.GT, 0.0f));
        v1 = zero.blend(v1, v1.compare(VectorOperators.GT, 0.0f));
        v2 = zero.blend(v2, v2.compare(VectorOperators.GT, 0.0f));
        v3 = zero.blend(v3, v3.compare(VectorOperators.GT, 0.0f));
        Simd.store(v0, src, a);
        Simd.store(v1, src, a + right);
        Simd.store(v2, src, a + down);
        Simd.store(v3, src, a + down + right);
        FloatVector best = v0;
        IntVector at = IntVector.zero(IS);
        VectorMask<Float> m = v1.compare(VectorOperators.GT, best);
        best = best.blend(v1, m);
        at = at.blend(1, m.cast(IS));
        m = v2.compare(VectorOperators.GT, best);
        best = best.blend(v2, m);
        at = at.blend(2, m.cast(IS));
        m = v3.compare(VectorOperators.GT, best);
        best = best.blend(v3, m);
        at = at.blend(3, m.cast(IS));
        Simd.store(best, dst, o);
        at.intoMemorySegment(arg, 4 * o, Simd.ORDER);
    }

    /**
     * As {@link MaxPool2d#backwardRelu}. Loops: channel → output pixel → example vector: the gradient and
     * the argmax loaded once, and for each of the four window positions a mask (argmax there and act &gt; 0)
     * and a store.
     */
    public static void backwardRelu(FloatArray dOut, IntArray argmax, FloatArray act, FloatArray dIn, int n, int c, int h, int w) {
        MemorySegment g = dOut.getSegment();
        MemorySegment arg = argmax.getSegment();
        MemorySegment y = act.getSegment();
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
                        backwardReluVector(g, arg, y, dst, a + i, right, down, o + i);
                    }
                    for (int i = full; i < n; i++) {
                        float d = g.getAtIndex(JAVA_FLOAT, o + i);
                        int at = arg.getAtIndex(JAVA_INT, o + i);
                        for (int p = 0; p < 4; p++) {
                            long e = a + i + (p / 2) * down + (p % 2) * right;
                            dst.setAtIndex(JAVA_FLOAT, e, at == p && y.getAtIndex(JAVA_FLOAT, e) > 0.0f ? d : 0.0f);
                        }
                    }
                }
            }
        }
    }

    /** One vector of examples of one window of {@link #backwardRelu}. */
    private static void backwardReluVector(MemorySegment g, MemorySegment arg, MemorySegment y, MemorySegment dst,
            long a, long right, long down, long o) {
        FloatVector zero = FloatVector.zero(Simd.S);
        FloatVector d = Simd.load(g, o);
        IntVector at = IntVector.fromMemorySegment(IS, arg, 4 * o, Simd.ORDER);
        VectorMask<Float> m = at.compare(VectorOperators.EQ, 0).cast(Simd.S).and(Simd.load(y, a).compare(VectorOperators.GT, 0.0f));
        Simd.store(zero.blend(d, m), dst, a);
        m = at.compare(VectorOperators.EQ, 1).cast(Simd.S).and(Simd.load(y, a + right).compare(VectorOperators.GT, 0.0f));
        Simd.store(zero.blend(d, m), dst, a + right);
        m = at.compare(VectorOperators.EQ, 2).cast(Simd.S).and(Simd.load(y, a + down).compare(VectorOperators.GT, 0.0f));
        Simd.store(zero.blend(d, m), dst, a + down);
        m = at.compare(VectorOperators.EQ, 3).cast(Simd.S).and(Simd.load(y, a + down + right).compare(VectorOperators.GT, 0.0f));
        Simd.store(zero.blend(d, m), dst, a + down + right);
    }
}
