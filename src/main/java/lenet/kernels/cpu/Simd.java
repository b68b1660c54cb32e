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
    /** Examples per {@link #gather} block: four vectors. */
    static final int IB = 4 * V;
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
     * <p>src is {@code [nj][h][w][n]}, dst {@code [no][ho][wo][n]}, n ≥ {@link #V}. Loops: output-channel
     * block (6 channels, their weights first packed tap by tap into a scratch array) → example block
     * (4 vectors) → output pixel → j → ky → run of kx taps, the tap ranges clipped once per pixel so the
     * runs have no bounds tests. A 1×1 image with k = 1 (a linear layer) is one run over all j. The
     * example block sits outside the pixel loop, so the sliding k×k window of the current block stays in
     * L1 from one pixel to the next.
     */
    static void gather(MemorySegment src, int nj, int h, int w,
            MemorySegment wt, long w0, long sO, long sJ, long sKy, long sKx, MemorySegment base,
            MemorySegment dst, int no, int ho, int wo, int n, int k, int pad) {
        float[] packed = scratchFloats(nj * k * k * OB);
        long plane = (long) ho * wo * n;
        for (int ob = 0; ob < no; ob += OB) {
            int o0 = ob;
            int o1 = Math.min(ob + 1, no - 1);
            int o2 = Math.min(ob + 2, no - 1);
            int o3 = Math.min(ob + 3, no - 1);
            int o4 = Math.min(ob + 4, no - 1);
            int o5 = Math.min(ob + 5, no - 1);
            pack(wt, w0, sO, sJ, sKy, sKx, nj, k, packed, o0, o1, o2, o3, o4, o5);
            for (int ib = 0; ib < n; ib += IB) {
                gatherBlock(src, nj, h, w, packed, dst, ho, wo, n, k, pad,
                        // the block's four vectors start at these examples; past the end they repeat the last vector
                        Math.min(ib, n - V), Math.min(ib + V, n - V), Math.min(ib + 2 * V, n - V), Math.min(ib + 3 * V, n - V),
                        o0 * plane, o1 * plane, o2 * plane, o3 * plane, o4 * plane, o5 * plane,
                        bias(base, o0), bias(base, o1), bias(base, o2), bias(base, o3), bias(base, o4), bias(base, o5));
            }
        }
    }

    private static float bias(MemorySegment base, int o) {
        return base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o);
    }

    /**
     * One block of {@link #gather}: every output pixel of six output channels (their planes start at
     * d0…d5, their biases b0…b5) for the four example vectors starting at e0…e3. Kept apart from the
     * loops around it so that the JIT compiles it as a unit of its own and keeps all 24 accumulators
     * in registers; it calls the Vector API directly (no helper methods) for the same reason: past a
     * node budget the JIT stops inlining ordinary methods, and a vector handed to a method that is not
     * inlined becomes an object on the heap.
     */
    private static void gatherBlock(MemorySegment src, int nj, int h, int w, float[] packed, MemorySegment dst,
            int ho, int wo, int n, int k, int pad, long e0, long e1, long e2, long e3,
            long d0, long d1, long d2, long d3, long d4, long d5,
            float b0, float b1, float b2, float b3, float b4, float b5) {
        boolean dense = k == 1 && h == 1 && w == 1 && pad == 0;
        int rows = dense ? 1 : nj * k;
        long run = 4L * n;                                  // bytes from one kx tap (or one j, if dense) to the next
        long v0 = 4 * e0;
        long v1 = 4 * e1;
        long v2 = 4 * e2;
        long v3 = 4 * e3;
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
                FloatVector c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5;
                FloatVector m0 = a0, m1 = a1, m2 = a2, m3 = a3, m4 = a4, m5 = a5;
                FloatVector f0 = a0, f1 = a1, f2 = a2, f3 = a3, f4 = a4, f5 = a5;
                for (int jy = 0; jy < rows; jy++) {
                    int j = jy / k;
                    int ky = jy - j * k;
                    if (ky < kyLo || ky >= kyHi) {
                        continue;
                    }
                    // a run of taps: kx in [kxLo, kxHi) of row (j, ky), or every j if dense
                    int count = dense ? nj : kxHi - kxLo;
                    long p = 4 * (((long) (j * h + oy + ky - pad) * w + ox + kxLo - pad) * n);
                    int q = (jy * k + kxLo) * OB;
                    for (int r = 0; r < count; r++, p += run, q += OB) {
                        FloatVector x0 = FloatVector.fromMemorySegment(S, src, p + v0, ORDER);
                        FloatVector x1 = FloatVector.fromMemorySegment(S, src, p + v1, ORDER);
                        FloatVector x2 = FloatVector.fromMemorySegment(S, src, p + v2, ORDER);
                        FloatVector x3 = FloatVector.fromMemorySegment(S, src, p + v3, ORDER);
                        FloatVector g = FloatVector.broadcast(S, packed[q]);
                        a0 = x0.fma(g, a0);
                        c0 = x1.fma(g, c0);
                        m0 = x2.fma(g, m0);
                        f0 = x3.fma(g, f0);
                        g = FloatVector.broadcast(S, packed[q + 1]);
                        a1 = x0.fma(g, a1);
                        c1 = x1.fma(g, c1);
                        m1 = x2.fma(g, m1);
                        f1 = x3.fma(g, f1);
                        g = FloatVector.broadcast(S, packed[q + 2]);
                        a2 = x0.fma(g, a2);
                        c2 = x1.fma(g, c2);
                        m2 = x2.fma(g, m2);
                        f2 = x3.fma(g, f2);
                        g = FloatVector.broadcast(S, packed[q + 3]);
                        a3 = x0.fma(g, a3);
                        c3 = x1.fma(g, c3);
                        m3 = x2.fma(g, m3);
                        f3 = x3.fma(g, f3);
                        g = FloatVector.broadcast(S, packed[q + 4]);
                        a4 = x0.fma(g, a4);
                        c4 = x1.fma(g, c4);
                        m4 = x2.fma(g, m4);
                        f4 = x3.fma(g, f4);
                        g = FloatVector.broadcast(S, packed[q + 5]);
                        a5 = x0.fma(g, a5);
                        c5 = x1.fma(g, c5);
                        m5 = x2.fma(g, m5);
                        f5 = x3.fma(g, f5);
                    }
                }
                // in this order: where the last vectors repeat, the repeats hold the same values
                long at = 4 * (((long) oy * wo + ox) * n);
                a0.intoMemorySegment(dst, 4 * d0 + at + v0, ORDER);
                c0.intoMemorySegment(dst, 4 * d0 + at + v1, ORDER);
                m0.intoMemorySegment(dst, 4 * d0 + at + v2, ORDER);
                f0.intoMemorySegment(dst, 4 * d0 + at + v3, ORDER);
                a1.intoMemorySegment(dst, 4 * d1 + at + v0, ORDER);
                c1.intoMemorySegment(dst, 4 * d1 + at + v1, ORDER);
                m1.intoMemorySegment(dst, 4 * d1 + at + v2, ORDER);
                f1.intoMemorySegment(dst, 4 * d1 + at + v3, ORDER);
                a2.intoMemorySegment(dst, 4 * d2 + at + v0, ORDER);
                c2.intoMemorySegment(dst, 4 * d2 + at + v1, ORDER);
                m2.intoMemorySegment(dst, 4 * d2 + at + v2, ORDER);
                f2.intoMemorySegment(dst, 4 * d2 + at + v3, ORDER);
                a3.intoMemorySegment(dst, 4 * d3 + at + v0, ORDER);
                c3.intoMemorySegment(dst, 4 * d3 + at + v1, ORDER);
                m3.intoMemorySegment(dst, 4 * d3 + at + v2, ORDER);
                f3.intoMemorySegment(dst, 4 * d3 + at + v3, ORDER);
                a4.intoMemorySegment(dst, 4 * d4 + at + v0, ORDER);
                c4.intoMemorySegment(dst, 4 * d4 + at + v1, ORDER);
                m4.intoMemorySegment(dst, 4 * d4 + at + v2, ORDER);
                f4.intoMemorySegment(dst, 4 * d4 + at + v3, ORDER);
                a5.intoMemorySegment(dst, 4 * d5 + at + v0, ORDER);
                c5.intoMemorySegment(dst, 4 * d5 + at + v1, ORDER);
                m5.intoMemorySegment(dst, 4 * d5 + at + v2, ORDER);
                f5.intoMemorySegment(dst, 4 * d5 + at + v3, ORDER);
            }
        }
    }

    /** packed[t·6 + c] = wt[w0 + o_c·sO + j·sJ + ky·sKy + kx·sKx] for every tap t = (j·k + ky)·k + kx. */
    private static void pack(MemorySegment wt, long w0, long sO, long sJ, long sKy, long sKx, int nj, int k, float[] packed,
            int o0, int o1, int o2, int o3, int o4, int o5) {
        int t = 0;
        for (int j = 0; j < nj; j++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++, t++) {
                    long a = w0 + j * sJ + ky * sKy + kx * sKx;
                    packed[t * OB] = wt.getAtIndex(JAVA_FLOAT, a + o0 * sO);
                    packed[t * OB + 1] = wt.getAtIndex(JAVA_FLOAT, a + o1 * sO);
                    packed[t * OB + 2] = wt.getAtIndex(JAVA_FLOAT, a + o2 * sO);
                    packed[t * OB + 3] = wt.getAtIndex(JAVA_FLOAT, a + o3 * sO);
                    packed[t * OB + 4] = wt.getAtIndex(JAVA_FLOAT, a + o4 * sO);
                    packed[t * OB + 5] = wt.getAtIndex(JAVA_FLOAT, a + o5 * sO);
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
    private static final ThreadLocal<float[][]> SCRATCH_FLOATS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** This thread's scratch array of at least {@code size} floats (contents undefined). */
    static float[] scratchFloats(int size) {
        float[][] holder = SCRATCH_FLOATS.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

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
