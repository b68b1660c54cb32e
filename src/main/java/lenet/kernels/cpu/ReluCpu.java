package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import lenet.kernels.Relu;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link Relu}: one vector of elements at a time, the last partial vector masked. A comparison
 * and a blend, no arithmetic: the results equal the plain kernel's bit for bit (−0 becomes +0, as there).
 */
public final class ReluCpu {
    private ReluCpu() {
    }

    /** As {@link Relu#forward}; {@code y} may be {@code x}. */
    public static void forward(FloatArray x, FloatArray y, int size) {
        MemorySegment xs = x.getSegment();
        MemorySegment ys = y.getSegment();
        FloatVector zero = FloatVector.zero(Simd.S);
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            FloatVector v = Simd.load(xs, j);
            Simd.store(zero.blend(v, v.compare(VectorOperators.GT, 0.0f)), ys, j);
        }
        if (full < size) {
            VectorMask<Float> m = Simd.S.indexInRange(full, size);
            FloatVector v = Simd.load(xs, full, m);
            zero.blend(v, v.compare(VectorOperators.GT, 0.0f)).intoMemorySegment(ys, 4L * full, Simd.ORDER, m);
        }
    }

    /** As {@link Relu#backward}; {@code dx} may be {@code dy}. */
    public static void backward(FloatArray y, FloatArray dy, FloatArray dx, int size) {
        MemorySegment ys = y.getSegment();
        MemorySegment dys = dy.getSegment();
        MemorySegment dxs = dx.getSegment();
        FloatVector zero = FloatVector.zero(Simd.S);
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            Simd.store(zero.blend(Simd.load(dys, j), Simd.load(ys, j).compare(VectorOperators.GT, 0.0f)), dxs, j);
        }
        if (full < size) {
            VectorMask<Float> m = Simd.S.indexInRange(full, size);
            zero.blend(Simd.load(dys, full, m), Simd.load(ys, full, m).compare(VectorOperators.GT, 0.0f))
                    .intoMemorySegment(dxs, 4L * full, Simd.ORDER, m);
        }
    }
}
