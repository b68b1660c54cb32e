package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import lenet.kernels.Sgd;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link Sgd#update}, and the JVM engine's sum of shard gradients that feeds it: vector by
 * vector where the plain loops go element by element (through {@code FloatArray.get}/{@code set}, about
 * 2 ns an element: 0.1 ms each for LeNet's 61,706 parameters, 3% of a two-thread step). The floats are
 * the plain ones, bit for bit: a product and a difference are each rounded once in both (Java does not
 * fuse {@code p - lr * g} into a fused multiply-add, so neither does this), and a sum of two floats is
 * one rounding lane by lane.
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

    /**
     * sum[j] += part[j] for j in [0, size): one shard's gradient added to the sum of the shards before
     * it (the JVM engine adds them in shard order, so a thread count gives one result).
     */
    public static void add(FloatArray sum, FloatArray part, int size) {
        MemorySegment s = sum.getSegment();
        MemorySegment q = part.getSegment();
        int full = size - size % Simd.V;
        for (int j = 0; j < full; j += Simd.V) {
            Simd.store(Simd.load(s, j).add(Simd.load(q, j)), s, j);
        }
        for (int j = full; j < size; j++) {
            sum.set(j, sum.get(j) + part.get(j));
        }
    }
}
