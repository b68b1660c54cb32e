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
 * CPU twins of {@link BatchNorm}'s kernels that touch every element, for the batch-innermost layout
 * {@code [c][hw][n]}, where a channel's hw·n elements are one contiguous run.
 *
 * <ul>
 * <li>The forward kernels normalise and apply the sigmoid a vector at a time along each channel's run, e^x by
 *     {@link Simd#exp} (within an ulp or two of the plain kernels' {@code Math.exp}), the arithmetic otherwise
 *     as the plain kernels do it, in their order; the pooled one then pools with {@link AvgPool2dCpu}.</li>
 * <li>The partial sums ({@link #statsPartials}, {@link #backwardPartials}) read each row once, in memory
 *     order, instead of slice by slice, and give the plain kernels' bits.</li>
 * <li>The element-wise backward ({@link #backwardInput}) takes each channel's run a vector at a time, also
 *     with the plain kernel's bits.</li>
 * </ul>
 */
public final class BatchNormCpu {
    private BatchNormCpu() {
    }

    /**
     * As {@link BatchNorm#forwardSigmoid}: a channel's hw·n elements are one contiguous run ({@code [c][hw][n]}),
     * taken a vector at a time, the last vector masked. Loops: channel → vectors of its elements.
     */
    public static void forwardSigmoid(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, int n, int c, int hw, float eps) {
        MemorySegment zs = z.getSegment();
        MemorySegment xs = xhat.getSegment();
        MemorySegment as = act.getSegment();
        int len = hw * n;
        int full = len - len % Simd.V;
        VectorMask<Float> tail = Simd.S.indexInRange(full, len);
        for (int ch = 0; ch < c; ch++) {
            float m = mean.get(ch);
            float sd = TornadoMath.sqrt(var.get(ch) + eps);
            float g = gamma.get(ch);
            float b = beta.get(ch);
            long at = (long) ch * len;
            normalizeRun(zs, xs, as, at, full, m, sd, g, b);
            if (full < len) {
                normalizeTail(zs, xs, as, at + full, tail, m, sd, g, b);
            }
        }
    }

    /**
     * As {@link BatchNorm#forwardSigmoidPool}: {@link #forwardSigmoid} over the whole {@code [c][h·w][n]}
     * tensor, then {@link AvgPool2dCpu#forward} from act (it adds the four window elements in the plain
     * kernel's order, so the pooled values round the same way). Two long vector passes: on a CPU they beat
     * the fused kernel's short window loop.
     */
    public static void forwardSigmoidPool(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, FloatArray pooled, int n, int c, int h, int w, float eps) {
        forwardSigmoid(z, mean, var, gamma, beta, xhat, act, n, c, h * w, eps);
        AvgPool2dCpu.forward(act, pooled, n, c, h, w);
    }

    /**
     * xhat = (z − m)/sd and act = σ(g·xhat + b) for the {@code full} floats from {@code at}, a whole number of
     * vectors. A method of its own that calls the Vector API directly, so that the JIT keeps the vectors in
     * registers (see {@link Simd}).
     */
    private static void normalizeRun(MemorySegment zs, MemorySegment xs, MemorySegment as, long at, int full,
            float m, float sd, float g, float b) {
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
        for (int i = 0; i < full; i += Simd.V) {
            FloatVector x = Simd.load(zs, at + i).sub(m).div(sd);
            Simd.store(x, xs, at + i);
            Simd.store(one.div(Simd.exp(x.mul(g).add(b).neg()).add(one)), as, at + i);
        }
    }

    /** {@link #normalizeRun} for the lanes of {@code tail} of the vector at {@code at}. */
    private static void normalizeTail(MemorySegment zs, MemorySegment xs, MemorySegment as, long at, VectorMask<Float> tail,
            float m, float sd, float g, float b) {
        FloatVector one = FloatVector.broadcast(Simd.S, 1.0f);
        FloatVector x = Simd.load(zs, at, tail).sub(m).div(sd);
        x.intoMemorySegment(xs, 4L * at, Simd.ORDER, tail);
        one.div(Simd.exp(x.mul(g).add(b).neg()).add(one)).intoMemorySegment(as, 4L * at, Simd.ORDER, tail);
    }

    /**
     * As {@link BatchNorm#statsPartials}, bit for bit: the plain kernel's work-item for slice s reads its
     * examples s, s + slices, ... pixel after pixel, a stride through the batch-innermost rows; here each row
     * is read once, in order, its elements added to their slices' sums, which visits each slice's elements in
     * the same order as the plain kernel. When the slices fill whole vectors (slices a multiple of
     * {@link Simd#V}), a vector of consecutive examples lands in a vector of consecutive slices: lane j of the
     * sums is slice s0 + j's chain, in the same order. Loops: channel → pass (mean, then M2) → position → example.
     */
    public static void statsPartials(FloatArray z, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        MemorySegment zs = z.getSegment();
        float[] sum = new float[slices];
        float[] mean = new float[slices];
        float[] row = slices % Simd.V == 0 ? null : new float[n];     // scratch of the scalar path
        for (int ch = 0; ch < c; ch++) {
            Arrays.fill(sum, 0.0f);
            for (int p = 0; p < hw; p++) {
                addRow(zs, (long) (ch * hw + p) * n, n, slices, null, row, sum);
            }
            for (int s = 0; s < slices; s++) {
                mean[s] = sum[s] / count(n, s, slices, hw);
                sum[s] = 0.0f;
            }
            for (int p = 0; p < hw; p++) {
                addRow(zs, (long) (ch * hw + p) * n, n, slices, mean, row, sum);
            }
            for (int s = 0; s < slices; s++) {
                int at = ((firstSlice + s) * c + ch) * 3;
                part.set(at, count(n, s, slices, hw));
                part.set(at + 1, mean[s]);
                part.set(at + 2, sum[s]);
            }
        }
    }

    /**
     * sum[i mod slices] += row[i] (or, with {@code mean}, (row[i] − mean[i mod slices])²) for the n floats of
     * the row at {@code at}: {@link #sumLanes} when the slices fill whole vectors, else one float at a time
     * through {@code row} (n floats of scratch).
     */
    private static void addRow(MemorySegment zs, long at, int n, int slices, float[] mean, float[] row, float[] sum) {
        if (row == null) {
            sumLanes(zs, at, n, slices, mean, sum);
            return;
        }
        MemorySegment.copy(zs, ValueLayout.JAVA_FLOAT, 4 * at, row, 0, n);
        for (int i = 0, s = 0; i < n; i++) {                    // s = i mod slices: example i's slice
            float v = row[i];
            if (mean != null) {
                float d = v - mean[s];
                v = d * d;
            }
            sum[s] += v;
            s = s + 1 == slices ? 0 : s + 1;
        }
    }

    /**
     * {@link #addRow} a vector at a time; slices is a multiple of {@link Simd#V}, so a vector of
     * examples never wraps around the slices. The last partial vector adds only its examples' lanes.
     */
    private static void sumLanes(MemorySegment zs, long at, int n, int slices, float[] mean, float[] sum) {
        for (int i = 0, s = 0; i < n; i += Simd.V) {
            VectorMask<Float> in = i + Simd.V <= n ? null : Simd.S.indexInRange(i, n);
            FloatVector v = in == null ? Simd.load(zs, at + i) : Simd.load(zs, at + i, in);
            if (mean != null) {
                FloatVector d = v.sub(FloatVector.fromArray(Simd.S, mean, s));
                v = d.mul(d);
            }
            FloatVector acc = FloatVector.fromArray(Simd.S, sum, s);
            (in == null ? acc.add(v) : acc.add(v, in)).intoArray(sum, s);
            s = s + Simd.V == slices ? 0 : s + Simd.V;
        }
    }

    /** The values slice s of n examples holds, as the plain kernel counts them. */
    private static float count(int n, int s, int slices, int hw) {
        return (float) (((n - s + slices - 1) / slices) * hw);
    }

    /** As {@link BatchNorm#backwardPartials}, bit for bit, each row read once in order as {@link #statsPartials}. */
    public static void backwardPartials(FloatArray dy, FloatArray xhat, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        boolean lanes = slices % Simd.V == 0;
        MemorySegment ds = dy.getSegment();
        MemorySegment xs = xhat.getSegment();
        float[] g = lanes ? null : new float[n];
        float[] x = lanes ? null : new float[n];
        float[] sumDy = new float[slices];
        float[] sumDyXhat = new float[slices];
        for (int ch = 0; ch < c; ch++) {
            Arrays.fill(sumDy, 0.0f);
            Arrays.fill(sumDyXhat, 0.0f);
            for (int p = 0; p < hw; p++) {
                long at = (long) (ch * hw + p) * n;
                if (lanes) {
                    sumLanesProducts(ds, xs, at, n, slices, sumDy, sumDyXhat);
                    continue;
                }
                MemorySegment.copy(ds, ValueLayout.JAVA_FLOAT, 4 * at, g, 0, n);
                MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, 4 * at, x, 0, n);
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

    /** sumDy[i mod slices] += dy[i] and sumDyXhat[i mod slices] += dy[i]·xhat[i] over one row, as {@link #sumLanes}. */
    private static void sumLanesProducts(MemorySegment ds, MemorySegment xs, long at, int n, int slices, float[] sumDy, float[] sumDyXhat) {
        for (int i = 0, s = 0; i < n; i += Simd.V) {
            VectorMask<Float> in = i + Simd.V <= n ? null : Simd.S.indexInRange(i, n);
            FloatVector g = in == null ? Simd.load(ds, at + i) : Simd.load(ds, at + i, in);
            FloatVector x = in == null ? Simd.load(xs, at + i) : Simd.load(xs, at + i, in);
            FloatVector a = FloatVector.fromArray(Simd.S, sumDy, s);
            FloatVector b = FloatVector.fromArray(Simd.S, sumDyXhat, s);
            FloatVector gx = g.mul(x);
            (in == null ? a.add(g) : a.add(g, in)).intoArray(sumDy, s);
            (in == null ? b.add(gx) : b.add(gx, in)).intoArray(sumDyXhat, s);
            s = s + Simd.V == slices ? 0 : s + Simd.V;
        }
    }

    /**
     * As {@link BatchNorm#backwardInput}, bit for bit: a channel's hw·n elements are one contiguous run
     * ({@code [c][hw][n]}), taken a vector at a time with the per-channel factors computed once. Loops:
     * channel → vectors of its elements.
     */
    public static void backwardInput(FloatArray dy, FloatArray xhat, FloatArray var, FloatArray gamma, FloatArray dGamma, FloatArray dBeta,
            FloatArray dz, int n, int c, int hw, int count, float eps) {
        MemorySegment ds = dy.getSegment();
        MemorySegment xs = xhat.getSegment();
        MemorySegment zs = dz.getSegment();
        for (int ch = 0; ch < c; ch++) {
            float scale = gamma.get(ch) / TornadoMath.sqrt(var.get(ch) + eps);
            float meanDy = dBeta.get(ch) / (float) count;
            float meanDyXhat = dGamma.get(ch) / (float) count;
            backwardInputRun(ds, xs, zs, (long) ch * hw * n, hw * n, scale, meanDy, meanDyXhat);
        }
    }

    /** dz = scale · (dy − meanDy − xhat · meanDyXhat) over {@code len} floats from {@code at}, the last vector masked. */
    private static void backwardInputRun(MemorySegment ds, MemorySegment xs, MemorySegment zs, long at, int len,
            float scale, float meanDy, float meanDyXhat) {
        int full = len - len % Simd.V;
        for (int i = 0; i < full; i += Simd.V) {
            FloatVector d = Simd.load(ds, at + i).sub(meanDy).sub(Simd.load(xs, at + i).mul(meanDyXhat));
            Simd.store(d.mul(scale), zs, at + i);
        }
        if (full < len) {
            VectorMask<Float> m = Simd.S.indexInRange(full, len);
            FloatVector d = Simd.load(ds, at + full, m).sub(meanDy).sub(Simd.load(xs, at + full, m).mul(meanDyXhat));
            d.mul(scale).intoMemorySegment(zs, 4L * (at + full), Simd.ORDER, m);
        }
    }
}
