package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import lenet.kernels.BatchNorm;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twins of {@link BatchNorm}'s forward kernels, the ones that end in a sigmoid (nearly all of batch
 * norm's time on a CPU is its e^x): one vector of examples at a time along the batch-innermost layout, e^x by
 * {@link Simd#exp}, the arithmetic otherwise as the plain kernels do it, in their order. Batches below a vector
 * run the plain kernels. The sums over slices and the backward pass stay plain: they cost a few loads an element.
 */
public final class BatchNormCpu {
    private BatchNormCpu() {
    }

    /** As {@link BatchNorm#forwardSigmoid}. Loops: channel → position → vectors of examples. */
    public static void forwardSigmoid(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, int n, int c, int hw, float eps) {
        if (n < Simd.V) {
            BatchNorm.forwardSigmoid(z, mean, var, gamma, beta, xhat, act, n, c, hw, eps);
            return;
        }
        MemorySegment zs = z.getSegment();
        MemorySegment xs = xhat.getSegment();
        MemorySegment as = act.getSegment();
        int full = n - n % Simd.V;
        VectorMask<Float> tail = Simd.S.indexInRange(full, n);
        for (int ch = 0; ch < c; ch++) {
            float m = mean.get(ch);
            float sd = TornadoMath.sqrt(var.get(ch) + eps);
            float g = gamma.get(ch);
            float b = beta.get(ch);
            for (int p = 0; p < hw; p++) {
                long row = (long) (ch * hw + p) * n;
                for (int i = 0; i < full; i += Simd.V) {
                    FloatVector x = Simd.load(zs, row + i).sub(m).div(sd);
                    Simd.store(x, xs, row + i);
                    Simd.store(sigmoid(x, g, b), as, row + i);
                }
                if (full < n) {
                    FloatVector x = Simd.load(zs, row + full, tail).sub(m).div(sd);
                    x.intoMemorySegment(xs, 4L * (row + full), Simd.ORDER, tail);
                    sigmoid(x, g, b).intoMemorySegment(as, 4L * (row + full), Simd.ORDER, tail);
                }
            }
        }
    }

    /**
     * As {@link BatchNorm#forwardSigmoidPool}. Loops: channel → pooled pixel → vectors of examples, the four
     * window positions of each in the plain kernel's order (so the pooled sum rounds the same way).
     */
    public static void forwardSigmoidPool(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, FloatArray pooled, int n, int c, int h, int w, float eps) {
        if (n < Simd.V) {
            BatchNorm.forwardSigmoidPool(z, mean, var, gamma, beta, xhat, act, pooled, n, c, h, w, eps);
            return;
        }
        MemorySegment zs = z.getSegment();
        MemorySegment xs = xhat.getSegment();
        MemorySegment as = act.getSegment();
        MemorySegment ps = pooled.getSegment();
        int hp = h / 2;
        int wp = w / 2;
        int full = n - n % Simd.V;
        VectorMask<Float> tail = Simd.S.indexInRange(full, n);
        long[] at = new long[4];
        for (int ch = 0; ch < c; ch++) {
            float m = mean.get(ch);
            float sd = TornadoMath.sqrt(var.get(ch) + eps);
            float g = gamma.get(ch);
            float b = beta.get(ch);
            for (int q = 0; q < hp * wp; q++) {
                int py = q / wp;
                int px = q % wp;
                for (int d = 0; d < 4; d++) {
                    at[d] = (long) ((ch * h + 2 * py + d / 2) * w + 2 * px + d % 2) * n;
                }
                long out = (long) (ch * hp * wp + q) * n;
                for (int i = 0; i < full; i += Simd.V) {
                    FloatVector sum = FloatVector.zero(Simd.S);
                    for (int d = 0; d < 4; d++) {
                        FloatVector x = Simd.load(zs, at[d] + i).sub(m).div(sd);
                        FloatVector a = sigmoid(x, g, b);
                        Simd.store(x, xs, at[d] + i);
                        Simd.store(a, as, at[d] + i);
                        sum = sum.add(a);
                    }
                    Simd.store(sum.mul(0.25f), ps, out + i);
                }
                if (full < n) {
                    FloatVector sum = FloatVector.zero(Simd.S);
                    for (int d = 0; d < 4; d++) {
                        FloatVector x = Simd.load(zs, at[d] + full, tail).sub(m).div(sd);
                        FloatVector a = sigmoid(x, g, b);
                        x.intoMemorySegment(xs, 4L * (at[d] + full), Simd.ORDER, tail);
                        a.intoMemorySegment(as, 4L * (at[d] + full), Simd.ORDER, tail);
                        sum = sum.add(a);
                    }
                    sum.mul(0.25f).intoMemorySegment(ps, 4L * (out + full), Simd.ORDER, tail);
                }
            }
        }
    }

    /** σ(g·x + b), as {@code Sigmoid.of}: 1 / (1 + e^−y). */
    private static FloatVector sigmoid(FloatVector x, float g, float b) {
        FloatVector y = x.mul(g).add(b);
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
        return one.div(Simd.exp(y.neg()).add(one));
    }
}
