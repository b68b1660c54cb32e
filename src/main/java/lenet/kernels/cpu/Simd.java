package lenet.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two loop nests every convolution and linear twin is made of, written once with the Vector API.
 *
 * <p>Both vectorise along the batch axis, which is contiguous in the CHWN layout, and keep a block of
 * accumulators in vector registers:
 * <ul>
 * <li>{@link #gather}: a block of {@value #OB} output channels × {@link #IB} examples (two vectors),
 *     summed over the taps; each tap loads two input vectors and broadcasts one weight per channel,
 *     then does 12 fused multiply-adds. Convolution forward, its input gradient (the forward
 *     convolution of dOut with the kernel flipped and the channel roles swapped) and both linear
 *     products are instances of it.</li>
 * <li>{@link #correlate}: a block of {@value #GB} output channels × {@value #TB} taps of the weight
 *     gradient, summed over output pixels and examples in vector lanes and reduced once at the end.</li>
 * </ul>
 *
 * <p>Blocks that would run past the last channel or the last example are moved back to end exactly
 * there (they overlap the previous block and recompute, then rewrite, the same values), so there is
 * no scalar tail in {@link #gather}; {@link #correlate} sums over the batch, must not count an
 * example twice, and masks its last vector instead.
 */
final class Simd {
    private Simd() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int V = S.length();
    /** Bytes per vector. */
    static final long VB = 4L * V;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Output channels per {@link #gather} block. */
    static final int OB = 6;
    /** Examples per {@link #gather} block: two vectors. Smaller batches go to the plain kernels. */
    static final int IB = 2 * V;
    /** Output channels per {@link #correlate} block. */
    static final int GB = 2;
    /** Taps per {@link #correlate} block. */
    static final int TB = 5;

    static FloatVector load(MemorySegment m, long floatIndex) {
        return FloatVector.fromMemorySegment(S, m, floatIndex * 4, ORDER);
    }

    static FloatVector load(MemorySegment m, long floatIndex, VectorMask<Float> mask) {
        return FloatVector.fromMemorySegment(S, m, floatIndex * 4, ORDER, mask);
    }

    static void store(FloatVector v, MemorySegment m, long floatIndex) {
        v.intoMemorySegment(m, floatIndex * 4, ORDER);
    }

    static FloatVector weight(MemorySegment m, long floatIndex) {
        return FloatVector.broadcast(S, m.getAtIndex(JAVA_FLOAT, floatIndex));
    }

    /**
     * dst[o][oy][ox][i] = base[o] + Σ_j Σ_ky Σ_kx wt[w0 + o·sO + j·sJ + ky·sKy + kx·sKx] · src[j][oy+ky−pad][ox+kx−pad][i],
     * taps falling outside src contributing nothing; base may be null (zero).
     *
     * <p>src is {@code [nj][h][w][n]}, dst {@code [no][ho][wo][n]}, n ≥ {@link #IB}. Loops: output-channel
     * block (6) → example block (2 vectors) → output pixel → j → ky → kx, the tap ranges clipped once per
     * pixel so the inner loop has no bounds tests. The example block sits outside the pixel loop, so the
     * sliding k×k window of the current block stays in L1 from one pixel to the next.
     */
    static void gather(MemorySegment src, int nj, int h, int w,
            MemorySegment wt, long w0, long sO, long sJ, long sKy, long sKx, MemorySegment base,
            MemorySegment dst, int no, int ho, int wo, int n, int k, int pad) {
        for (int ob = 0; ob < no; ob += OB) {
            int o0 = ob;
            int o1 = Math.min(ob + 1, no - 1);
            int o2 = Math.min(ob + 2, no - 1);
            int o3 = Math.min(ob + 3, no - 1);
            int o4 = Math.min(ob + 4, no - 1);
            int o5 = Math.min(ob + 5, no - 1);
            long q0 = w0 + o0 * sO;
            long q1 = w0 + o1 * sO;
            long q2 = w0 + o2 * sO;
            long q3 = w0 + o3 * sO;
            long q4 = w0 + o4 * sO;
            long q5 = w0 + o5 * sO;
            float b0 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o0);
            float b1 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o1);
            float b2 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o2);
            float b3 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o3);
            float b4 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o4);
            float b5 = base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o5);
            long plane = (long) ho * wo * n;
            for (int ib = 0; ib < n; ib += IB) {
                int i = Math.min(ib, n - IB);
                for (int oy = 0; oy < ho; oy++) {
                    int kyLo = Math.max(0, pad - oy);
                    int kyHi = Math.min(k, h + pad - oy);
                    for (int ox = 0; ox < wo; ox++) {
                        int kxLo = Math.max(0, pad - ox);
                        int kxHi = Math.min(k, w + pad - ox);
                        FloatVector a0 = FloatVector.broadcast(S, b0);
                        FloatVector a1 = FloatVector.broadcast(S, b1);
                        FloatVector a2 = FloatVector.broadcast(S, b2);
                        FloatVector a3 = FloatVector.broadcast(S, b3);
                        FloatVector a4 = FloatVector.broadcast(S, b4);
                        FloatVector a5 = FloatVector.broadcast(S, b5);
                        FloatVector c0 = a0;
                        FloatVector c1 = a1;
                        FloatVector c2 = a2;
                        FloatVector c3 = a3;
                        FloatVector c4 = a4;
                        FloatVector c5 = a5;
                        for (int j = 0; j < nj; j++) {
                            for (int ky = kyLo; ky < kyHi; ky++) {
                                // float index of src[j][oy+ky-pad][ox-pad][i]; tap kx adds kx*n
                                long row = ((long) (j * h + oy + ky - pad) * w + ox - pad) * n + i;
                                long t = j * sJ + ky * sKy;
                                for (int kx = kxLo; kx < kxHi; kx++) {
                                    long p = row + (long) kx * n;
                                    FloatVector x = load(src, p);
                                    FloatVector y = load(src, p + V);
                                    long tk = t + kx * sKx;
                                    FloatVector g = weight(wt, q0 + tk);
                                    a0 = x.fma(g, a0);
                                    c0 = y.fma(g, c0);
                                    g = weight(wt, q1 + tk);
                                    a1 = x.fma(g, a1);
                                    c1 = y.fma(g, c1);
                                    g = weight(wt, q2 + tk);
                                    a2 = x.fma(g, a2);
                                    c2 = y.fma(g, c2);
                                    g = weight(wt, q3 + tk);
                                    a3 = x.fma(g, a3);
                                    c3 = y.fma(g, c3);
                                    g = weight(wt, q4 + tk);
                                    a4 = x.fma(g, a4);
                                    c4 = y.fma(g, c4);
                                    g = weight(wt, q5 + tk);
                                    a5 = x.fma(g, a5);
                                    c5 = y.fma(g, c5);
                                }
                            }
                        }
                        long d = ((long) oy * wo + ox) * n + i;
                        store(a0, dst, o0 * plane + d);
                        store(c0, dst, o0 * plane + d + V);
                        store(a1, dst, o1 * plane + d);
                        store(c1, dst, o1 * plane + d + V);
                        store(a2, dst, o2 * plane + d);
                        store(c2, dst, o2 * plane + d + V);
                        store(a3, dst, o3 * plane + d);
                        store(c3, dst, o3 * plane + d + V);
                        store(a4, dst, o4 * plane + d);
                        store(c4, dst, o4 * plane + d + V);
                        store(a5, dst, o5 * plane + d);
                        store(c5, dst, o5 * plane + d + V);
                    }
                }
            }
        }
    }

    /**
     * dW[o][t] = Σ_oy Σ_ox Σ_i g[o][oy][ox][i] · src[j][oy+ky][ox+kx][i] for every tap t = (j·k + ky)·k + kx
     * of an unpadded (already zero-bordered) src {@code [nj][hp][wp][n]}; g is {@code [no][ho][wo][n]},
     * dW {@code [no][nj·k·k]}.
     *
     * <p>Loops: output-channel block (2) → tap block (5 consecutive taps) → output pixel → example vector,
     * 10 vector accumulators (the last vector masked when n is not a multiple of the vector length),
     * reduced across lanes once per block. Every tap of the block sees the whole output rectangle,
     * which is why src must carry its zero border.
     */
    static void correlate(MemorySegment g, MemorySegment src, MemorySegment dw,
            int no, int nj, int hp, int wp, int ho, int wo, int n, int k) {
        int taps = nj * k * k;
        int full = n - n % V;
        VectorMask<Float> tail = S.indexInRange(full, n);
        long plane = (long) ho * wo * n;
        for (int ob = 0; ob < no; ob += GB) {
            int o0 = ob;
            int o1 = Math.min(ob + 1, no - 1);
            for (int tb = 0; tb < taps; tb += TB) {
                int t0 = tb;
                int t1 = Math.min(tb + 1, taps - 1);
                int t2 = Math.min(tb + 2, taps - 1);
                int t3 = Math.min(tb + 3, taps - 1);
                int t4 = Math.min(tb + 4, taps - 1);
                long s0 = tapOffset(t0, k, hp, wp, n);
                long s1 = tapOffset(t1, k, hp, wp, n);
                long s2 = tapOffset(t2, k, hp, wp, n);
                long s3 = tapOffset(t3, k, hp, wp, n);
                long s4 = tapOffset(t4, k, hp, wp, n);
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector a4 = a0;
                FloatVector c0 = a0;
                FloatVector c1 = a0;
                FloatVector c2 = a0;
                FloatVector c3 = a0;
                FloatVector c4 = a0;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        long p = ((long) oy * wp + ox) * n;
                        long e0 = o0 * plane + ((long) oy * wo + ox) * n;
                        long e1 = o1 * plane + ((long) oy * wo + ox) * n;
                        for (int i = 0; i < full; i += V) {
                            FloatVector d0 = load(g, e0 + i);
                            FloatVector d1 = load(g, e1 + i);
                            FloatVector x = load(src, s0 + p + i);
                            a0 = x.fma(d0, a0);
                            c0 = x.fma(d1, c0);
                            x = load(src, s1 + p + i);
                            a1 = x.fma(d0, a1);
                            c1 = x.fma(d1, c1);
                            x = load(src, s2 + p + i);
                            a2 = x.fma(d0, a2);
                            c2 = x.fma(d1, c2);
                            x = load(src, s3 + p + i);
                            a3 = x.fma(d0, a3);
                            c3 = x.fma(d1, c3);
                            x = load(src, s4 + p + i);
                            a4 = x.fma(d0, a4);
                            c4 = x.fma(d1, c4);
                        }
                        if (full < n) {
                            // masked-off lanes load as zero and add nothing
                            FloatVector d0 = load(g, e0 + full, tail);
                            FloatVector d1 = load(g, e1 + full, tail);
                            FloatVector x = load(src, s0 + p + full, tail);
                            a0 = x.fma(d0, a0);
                            c0 = x.fma(d1, c0);
                            x = load(src, s1 + p + full, tail);
                            a1 = x.fma(d0, a1);
                            c1 = x.fma(d1, c1);
                            x = load(src, s2 + p + full, tail);
                            a2 = x.fma(d0, a2);
                            c2 = x.fma(d1, c2);
                            x = load(src, s3 + p + full, tail);
                            a3 = x.fma(d0, a3);
                            c3 = x.fma(d1, c3);
                            x = load(src, s4 + p + full, tail);
                            a4 = x.fma(d0, a4);
                            c4 = x.fma(d1, c4);
                        }
                    }
                }
                long r0 = (long) o0 * taps;
                long r1 = (long) o1 * taps;
                dw.setAtIndex(JAVA_FLOAT, r0 + t0, a0.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r0 + t1, a1.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r0 + t2, a2.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r0 + t3, a3.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r0 + t4, a4.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r1 + t0, c0.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r1 + t1, c1.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r1 + t2, c2.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r1 + t3, c3.reduceLanes(VectorOperators.ADD));
                dw.setAtIndex(JAVA_FLOAT, r1 + t4, c4.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    /** Float index of src[j][ky][kx][0] for tap t = (j·k + ky)·k + kx of a {@code [nj][hp][wp][n]} tensor. */
    private static long tapOffset(int t, int k, int hp, int wp, int n) {
        int j = t / (k * k);
        int ky = (t / k) % k;
        int kx = t % k;
        return ((long) (j * hp + ky) * wp + kx) * n;
    }

    /** dst[r] = Σ of the {@code len} contiguous floats of row r, for rows r in [0, rows). */
    static void rowSums(MemorySegment src, MemorySegment dst, int rows, long len) {
        long full = len - len % V;
        for (int r = 0; r < rows; r++) {
            long base = r * len;
            FloatVector a = FloatVector.zero(S);
            FloatVector b = a;
            long i = 0;
            for (; i + 2 * V <= full; i += 2 * V) {
                a = a.add(load(src, base + i));
                b = b.add(load(src, base + i + V));
            }
            for (; i < full; i += V) {
                a = a.add(load(src, base + i));
            }
            float s = a.add(b).reduceLanes(VectorOperators.ADD);
            for (; i < len; i++) {
                s += src.getAtIndex(JAVA_FLOAT, base + i);
            }
            dst.setAtIndex(JAVA_FLOAT, r, s);
        }
    }

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    /**
     * src {@code [c][h][w][n]} copied into this thread's scratch buffer with a zero border of {@code pad}
     * pixels: {@code [c][h+2pad][w+2pad][n]}. The buffer is reused by the next call on the same thread.
     */
    static MemorySegment padded(MemorySegment src, int c, int h, int w, int n, int pad) {
        int hp = h + 2 * pad;
        int wp = w + 2 * pad;
        long bytes = 4L * c * hp * wp * n;
        MemorySegment[] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        MemorySegment dst = holder[0].asSlice(0, bytes);
        dst.fill((byte) 0);
        long rowBytes = 4L * w * n;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                long from = 4L * ((long) (ch * h + y) * w) * n;
                long to = 4L * ((long) (ch * hp + y + pad) * wp + pad) * n;
                MemorySegment.copy(src, from, dst, to, rowBytes);
            }
        }
        return dst;
    }
}
