package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import lenet.kernels.BatchNorm;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twins of {@link BatchNorm}'s forward kernels, the ones that end in a sigmoid (nearly all of batch
 * norm's time on a CPU is its e^x): one vector of examples at a time along the batch-innermost layout, e^x by
 * {@link Simd#exp}, the arithmetic otherwise as the plain kernels do it, in their order. Batches below a vector
 * run the plain kernels. The partial sums ({@link #statsPartials}, {@link #backwardPartials}) walk the
 * activations in memory order instead of slice by slice; the element-wise backward stays plain.
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

    /**
     * As {@link BatchNorm#statsPartials}, bit for bit: the plain kernel's work-item for slice s reads its
     * examples s, s + slices, ... pixel after pixel, a stride through the batch-innermost rows; here each row
     * is read once, in order, its elements added to their slices' sums, which visits each slice's elements in
     * the same order as the plain kernel. Loops: channel → pass (mean, then M2) → position → example.
     */
    public static void statsPartials(FloatArray z, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        MemorySegment zs = z.getSegment();
        float[] row = new float[n];
        float[] sum = new float[slices];
        float[] mean = new float[slices];
        for (int ch = 0; ch < c; ch++) {
            Arrays.fill(sum, 0.0f);
            for (int p = 0; p < hw; p++) {
                MemorySegment.copy(zs, ValueLayout.JAVA_FLOAT, 4L * (ch * hw + p) * n, row, 0, n);
                for (int i = 0, s = 0; i < n; i++) {            // s = i mod slices: example i's slice
                    sum[s] += row[i];
                    s = s + 1 == slices ? 0 : s + 1;
                }
            }
            for (int s = 0; s < slices; s++) {
                mean[s] = sum[s] / count(n, s, slices, hw);
                sum[s] = 0.0f;
            }
            for (int p = 0; p < hw; p++) {
                MemorySegment.copy(zs, ValueLayout.JAVA_FLOAT, 4L * (ch * hw + p) * n, row, 0, n);
                for (int i = 0, s = 0; i < n; i++) {
                    float d = row[i] - mean[s];
                    sum[s] += d * d;
                    s = s + 1 == slices ? 0 : s + 1;
                }
            }
            for (int s = 0; s < slices; s++) {
                int at = ((firstSlice + s) * c + ch) * 3;
                part.set(at, count(n, s, slices, hw));
                part.set(at + 1, mean[s]);
                part.set(at + 2, sum[s]);
            }
        }
    }

    /** The values slice s of n examples holds, as the plain kernel counts them. */
    private static float count(int n, int s, int slices, int hw) {
        return (float) (((n - s + slices - 1) / slices) * hw);
    }

    /** As {@link BatchNorm#backwardPartials}, bit for bit, each row read once in order as {@link #statsPartials}. */
    public static void backwardPartials(FloatArray dy, FloatArray xhat, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        MemorySegment ds = dy.getSegment();
        MemorySegment xs = xhat.getSegment();
        float[] g = new float[n];
        float[] x = new float[n];
        float[] sumDy = new float[slices];
        float[] sumDyXhat = new float[slices];
        for (int ch = 0; ch < c; ch++) {
            Arrays.fill(sumDy, 0.0f);
            Arrays.fill(sumDyXhat, 0.0f);
            for (int p = 0; p < hw; p++) {
                long offset = 4L * (ch * hw + p) * n;
                MemorySegment.copy(ds, ValueLayout.JAVA_FLOAT, offset, g, 0, n);
                MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, offset, x, 0, n);
                for (int i = 0, s = 0; i < n; i++) {
                    sumDy[s] += g[i];
                    sumDyXhat[s] += g[i] * x[i];
                    s = s + 1 == slices ? 0 : s + 1;
                }
            }
            for (int s = 0; s < slices; s++) {
                int at = ((firstSlice + s) * c + ch) * 2;
                part.set(at, sumDy[s]);
                part.set(at + 1, sumDyXhat[s]);
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
