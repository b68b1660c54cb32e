package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import lenet.kernels.Sigmoid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link Sigmoid}: one vector of elements at a time, e^x by {@link Simd#exp} (within an ulp or
 * two of {@code Math.exp}, and the same bits however far the JIT has compiled it); the last partial vector
 * is masked.
 */
public final class SigmoidCpu {
    private SigmoidCpu() {
    }

    /** As {@link Sigmoid#forward}; {@code y} may be {@code x}. */
    public static void forward(FloatArray x, FloatArray y, int size) {
        MemorySegment xs = x.getSegment();
        MemorySegment ys = y.getSegment();
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            FloatVector v = Simd.load(xs, j);
            Simd.store(one.div(Simd.exp(v.neg()).add(one)), ys, j);
        }
        if (full < size) {
            VectorMask<Float> m = Simd.S.indexInRange(full, size);
            FloatVector v = Simd.load(xs, full, m);
            one.div(Simd.exp(v.neg()).add(one)).intoMemorySegment(ys, 4L * full, Simd.ORDER, m);
        }
    }

    /** As {@link Sigmoid#backward}; {@code dx} may be {@code dy}. */
    public static void backward(FloatArray y, FloatArray dy, FloatArray dx, int size) {
        MemorySegment ys = y.getSegment();
        MemorySegment dys = dy.getSegment();
        MemorySegment dxs = dx.getSegment();
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            FloatVector s = Simd.load(ys, j);
            Simd.store(Simd.load(dys, j).mul(s).mul(one.sub(s)), dxs, j);
        }
        if (full < size) {
            VectorMask<Float> m = Simd.S.indexInRange(full, size);
            FloatVector s = Simd.load(ys, full, m);
            Simd.load(dys, full, m).mul(s).mul(one.sub(s)).intoMemorySegment(dxs, 4L * full, Simd.ORDER, m);
        }
    }
}
