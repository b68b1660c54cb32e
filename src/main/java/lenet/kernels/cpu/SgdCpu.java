package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;

import lenet.kernels.Sgd;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link Sgd#update}: vector by vector where the plain loop goes element by element (through
 * {@code FloatArray.get}/{@code set}, about 2 ns an element: 0.1 ms for LeNet's 61,706 parameters, 1.5%
 * of a two-thread step). The floats are the plain ones, bit for bit: the product and the difference are
 * each rounded once in both (Java does not fuse {@code p - lr * g} into a fused multiply-add, so neither
 * does this).
 */
public final class SgdCpu {
    private SgdCpu() {
    }

    /** As {@link Sgd#update}: param[j] −= lr · grad[j] for j in [0, size). */
    public static void update(FloatArray param, FloatArray grad, float lr, int size) {
        MemorySegment p = param.getSegment();
        MemorySegment g = grad.getSegment();
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            Simd.store(Simd.load(p, j).sub(Simd.load(g, j).mul(lr)), p, j);
        }
        for (int j = full; j < size; j++) {
            param.set(j, param.get(j) - lr * grad.get(j));
        }
    }
}
