package lenet.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two loop nests every convolution and linear twin is made of, written once with the Vector API,
 * and the scratch buffers they use.
 *
 * <ul>
 * <li>{@link #gather}: out[o][pixel][i] = Σ over taps of weight × in, vectorised along the batch axis
 *     (contiguous in the CHWN layout). A block of {@value #OB} output channels × 4 vectors of examples
 *     = 24 accumulators stays in vector registers across all the taps of a pixel; each tap loads four
 *     input vectors and broadcasts six weights for 24 fused multiply-adds (a layer's last {@value #OB4} or
 *     fewer channels: 4 × 4 = 16 accumulators, so that no block computes channels for nothing). Convolution forward, its
 *     input gradient (the forward convolution of dOut with the kernel flipped and the channel roles
 *     swapped), both linear products and (after a transpose) the linear weight gradient are instances.</li>
 * <li>{@link #correlate}: the convolution weight gradient, dW[o][tap] = Σ over pixels and examples of
 *     dOut × in. A block of {@value #GB} output channels × {@value #TB} taps = 20 accumulators runs down
 *     whole output rows (pixel and example together are one contiguous axis), and is summed across
 *     lanes once per block and row tile.</li>
 * </ul>
 *
 * <p>Blocks that would run past the last channel or the last example are moved back to end exactly
 * there: they overlap the previous block and recompute, then rewrite, the same values, so {@link #gather}
 * has no tail loop (it needs n ≥ one vector; the twins hand smaller batches to the plain kernels).
 * {@link #correlate} sums, must not count anything twice, and finishes rows that are not a whole number
 * of vectors one float at a time.
 *
 * <p>The JIT keeps vectors in registers only while every method they pass through is inlined, and past a
 * node budget it stops inlining ordinary methods; so the hot blocks are methods of their own that call
 * the Vector API directly, and stay small enough for the JIT's first tier, which gives up on huge
 * methods (and a method it gives up on may then never reach the optimising tier).
 *
 * <p>{@link #V} is the preferred species' length: 16 floats with AVX-512, 8 with AVX2. The register
 * blocks (24 or 20 accumulators plus operands) are sized for AVX-512's 32 vector registers.
 */
final class Simd {
    private Simd() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int V = S.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Output channels per {@link #gather} block. */
    static final int OB = 6;
    /** Output channels per {@link #gather} block at a layer's end, where at most this many are left. */
    static final int OB4 = 4;
    /** Examples per {@link #gather} block: four vectors. */
    static final int IB = 4 * V;
    /** Output channels per {@link #correlate} block. */
    static final int GB = 4;
    /** Taps per {@link #correlate} block. */
    static final int TB = 5;
    /** Floats of dOut per channel block and row tile of {@link #correlate}: 256 KB, a quarter of a 1 MB L2. */
    static final long TILE_FLOATS = 64 * 1024;

    static FloatVector load(MemorySegment m, long floatIndex) {
        return FloatVector.fromMemorySegment(S, m, floatIndex * 4, ORDER);
    }

    static FloatVector load(MemorySegment m, long floatIndex, VectorMask<Float> mask) {
        return FloatVector.fromMemorySegment(S, m, floatIndex * 4, ORDER, mask);
    }

    static void store(FloatVector v, MemorySegment m, long floatIndex) {
        v.intoMemorySegment(m, floatIndex * 4, ORDER);
    }

    /**
     * dst[o][oy][ox][i] = base[o] + Σ_j Σ_ky Σ_kx wt[w0 + o·sO + j·sJ + ky·sKy + kx·sKx] · src[j][oy+ky−pad][ox+kx−pad][i],
     * taps falling outside src contributing nothing; base may be null (zero).
     *
     * <p>src is {@code [nj][h][w][n]}, dst {@code [no][ho][wo][n]}, n ≥ {@link #V}. Loops: output-channel
     * block (6 channels, or the last 4 or fewer by {@link #gatherBlock4}; their weights first packed into a
     * scratch array in the order the taps are read) → example block (4 vectors) → output pixel → taps. The
     * taps are numbered so that a run of them is a range of numbers, and a table holds each one's offset
     * in src from the window's corner ({@link #tapOffsets}): a pixel whose window lies inside the image is
     * one loop over every tap (all of conv2's forward pass, 150 taps; a linear layer, k = 1 on a 1×1 image,
     * all its inputs), a pixel at the border one loop a run, the tap ranges clipped once per pixel so that
     * no loop has a bounds test. A run is either the kx taps of one (j, ky) row, or, with at least as many
     * j as k ("runs along j"), the j taps at one (ky, kx). One long loop instead of k·k or nj·k short ones
     * (runs of 5 or 6 taps, each begun with its own address arithmetic) took conv2's forward pass from
     * 0.85–1.10 to 0.60–0.63 ms at a 128-example shard, conv1's from 0.47–0.71 to 0.29–0.36 ms, and
     * conv2's input gradient (mostly border pixels, but runs begun from the table) from 0.80–1.07 to
     * 0.62–0.67 ms, with the same floats (the taps are added in the same order). The example block sits
     * outside the pixel loop, so the sliding k×k window of the current block stays in the caches from one
     * pixel to the next.
     */
    static void gather(MemorySegment src, int nj, int h, int w,
            MemorySegment wt, long w0, long sO, long sJ, long sKy, long sKx, MemorySegment base,
            MemorySegment dst, int no, int ho, int wo, int n, int k, int pad) {
        boolean alongJ = nj >= k;
        float[] packed = scratchFloats(nj * k * k * OB);
        long[] offsets = tapOffsets(alongJ, nj, k, h, w, n);
        long plane = (long) ho * wo * n;
        for (int ob = 0; ob < no; ob += OB) {
            int o0 = ob;
            int o1 = Math.min(ob + 1, no - 1);
            int o2 = Math.min(ob + 2, no - 1);
            int o3 = Math.min(ob + 3, no - 1);
            int o4 = Math.min(ob + 4, no - 1);
            int o5 = Math.min(ob + 5, no - 1);
            pack(wt, w0, sO, sJ, sKy, sKx, nj, k, alongJ, packed, o0, o1, o2, o3, o4, o5);
            for (int ib = 0; ib < n; ib += IB) {
                // the block's four vectors start at these examples; past the end they repeat the last vector
                long e0 = Math.min(ib, n - V);
                long e1 = Math.min(ib + V, n - V);
                long e2 = Math.min(ib + 2 * V, n - V);
                long e3 = Math.min(ib + 3 * V, n - V);
                if (no - ob <= OB4) {
                    gatherBlock4(src, nj, h, w, packed, offsets, alongJ, dst, ho, wo, n, k, pad, e0, e1, e2, e3,
                            o0 * plane, o1 * plane, o2 * plane, o3 * plane, bias(base, o0), bias(base, o1), bias(base, o2), bias(base, o3));
                } else {
                    gatherBlock(src, nj, h, w, packed, offsets, alongJ, dst, ho, wo, n, k, pad, e0, e1, e2, e3,
                            o0 * plane, o1 * plane, o2 * plane, o3 * plane, o4 * plane, o5 * plane,
                            bias(base, o0), bias(base, o1), bias(base, o2), bias(base, o3), bias(base, o4), bias(base, o5));
                }
            }
        }
    }

    private static float bias(MemorySegment base, int o) {
        return base == null ? 0f : base.getAtIndex(JAVA_FLOAT, o);
    }

    /**
     * One block of {@link #gather}: every output pixel of six output channels (their planes start at
     * d0…d5, their biases b0…b5) for the four example vectors starting at e0…e3. A method of its own,
     * calling the Vector API directly, for the reasons given at {@link Simd}.
     */
    private static void gatherBlock(MemorySegment src, int nj, int h, int w, float[] packed, long[] offsets, boolean alongJ,
            MemorySegment dst, int ho, int wo, int n, int k, int pad, long e0, long e1, long e2, long e3,
            long d0, long d1, long d2, long d3, long d4, long d5,
            float b0, float b1, float b2, float b3, float b4, float b5) {
        // rows: (ky, kx) pairs when running along j, else (j, ky) pairs
        int rows = alongJ ? k * k : nj * k;
        int taps = nj * k * k;
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
                // a pixel whose window lies inside the image is one run over every tap
                long origin = 4 * (((long) (oy - pad) * w + ox - pad) * n);
                boolean whole = kyLo == 0 && kyHi == k && kxLo == 0 && kxHi == k;
                for (int row = 0; row < (whole ? 1 : rows); row++) {
                    int t1 = whole ? taps : runEnd(alongJ, row, nj, k, kyLo, kyHi, kxLo, kxHi);
                    for (int t = whole ? 0 : runFirst(alongJ, row, nj, k, kxLo), q = t * OB; t < t1; t++, q += OB) {
                        long p = origin + offsets[t];
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

    /**
     * Byte offset in src of every tap, numbered as in packed, from the window's origin (its top-left tap at
     * example 0): t = (ky·k + kx)·nj + j when the runs go along j, else t = (j·k + ky)·k + kx. A run of taps
     * is then a range of t.
     */
    private static long[] tapOffsets(boolean alongJ, int nj, int k, int h, int w, int n) {
        long[] offsets = scratchOffsets(nj * k * k);
        for (int j = 0; j < nj; j++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int t = alongJ ? (ky * k + kx) * nj + j : (j * k + ky) * k + kx;
                    offsets[t] = 4 * (((long) j * h * w + (long) ky * w + kx) * n);
                }
            }
        }
        return offsets;
    }

    /**
     * The first tap of the run of {@code row} at a pixel whose window the image clips: row = ky·k + kx and
     * the run j = 0 … nj−1 along j, else row = j·k + ky and the run kx = kxLo … kxHi−1.
     */
    private static int runFirst(boolean alongJ, int row, int nj, int k, int kxLo) {
        return alongJ ? row * nj : row * k + kxLo;
    }

    /** One past the last tap of the run of {@code row} (see {@link #runFirst}); the first when the run is outside the image. */
    private static int runEnd(boolean alongJ, int row, int nj, int k, int kyLo, int kyHi, int kxLo, int kxHi) {
        if (alongJ) {
            int ky = row / k;
            int kx = row % k;
            return row * nj + (ky >= kyLo && ky < kyHi && kx >= kxLo && kx < kxHi ? nj : 0);
        }
        int ky = row % k;
        return row * k + (ky >= kyLo && ky < kyHi ? kxHi : kxLo);
    }

    /**
     * {@link #gatherBlock} for the last {@value #OB4} or fewer output channels of a layer (planes d0…d3,
     * biases b0…b3; packed still holds six weights a tap): 16 accumulators, where the six-channel block
     * would compute two or more channels for nothing (conv2's 16 = 6 + 6 + 4).
     */
    private static void gatherBlock4(MemorySegment src, int nj, int h, int w, float[] packed, long[] offsets, boolean alongJ,
            MemorySegment dst, int ho, int wo, int n, int k, int pad, long e0, long e1, long e2, long e3,
            long d0, long d1, long d2, long d3, float b0, float b1, float b2, float b3) {
        int rows = alongJ ? k * k : nj * k;
        int taps = nj * k * k;
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
                FloatVector c0 = a0, c1 = a1, c2 = a2, c3 = a3;
                FloatVector m0 = a0, m1 = a1, m2 = a2, m3 = a3;
                FloatVector f0 = a0, f1 = a1, f2 = a2, f3 = a3;
                // a pixel whose window lies inside the image is one run over every tap
                long origin = 4 * (((long) (oy - pad) * w + ox - pad) * n);
                boolean whole = kyLo == 0 && kyHi == k && kxLo == 0 && kxHi == k;
                for (int row = 0; row < (whole ? 1 : rows); row++) {
                    int t1 = whole ? taps : runEnd(alongJ, row, nj, k, kyLo, kyHi, kxLo, kxHi);
                    for (int t = whole ? 0 : runFirst(alongJ, row, nj, k, kxLo), q = t * OB; t < t1; t++, q += OB) {
                        long p = origin + offsets[t];
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
            }
        }
    }

    /**
     * packed[t·6 + c] = wt[w0 + o_c·sO + j·sJ + ky·sKy + kx·sKx] for every tap, numbered t = (j·k + ky)·k + kx,
     * or t = (ky·k + kx)·nj + j when the runs go along j: one pass over the rows of taps (the pairs a run
     * does not walk), each an inner loop along its run, so that t steps by one in the inner loop and the
     * six channels' starts are computed once. For a linear layer (k = 1) that is one loop over its inputs;
     * the former loop nest (j, ky, kx, with t computed in the innermost) ran loops of one pass there and
     * packed fc1's 20 blocks in 80–100 µs a call, nearly half of its forward pass (now 0.15–0.16 ms from
     * 0.20–0.26).
     */
    private static void pack(MemorySegment wt, long w0, long sO, long sJ, long sKy, long sKx, int nj, int k, boolean alongJ,
            float[] packed, int o0, int o1, int o2, int o3, int o4, int o5) {
        long r0 = w0 + o0 * sO;
        long r1 = w0 + o1 * sO;
        long r2 = w0 + o2 * sO;
        long r3 = w0 + o3 * sO;
        long r4 = w0 + o4 * sO;
        long r5 = w0 + o5 * sO;
        int rows = alongJ ? k * k : nj * k;                 // (ky, kx) pairs along j, else (j, ky) pairs
        int run = alongJ ? nj : k;
        long step = alongJ ? sJ : sKx;
        for (int row = 0, q = 0; row < rows; row++) {
            long a = alongJ ? (row / k) * sKy + (row % k) * sKx : (row / k) * sJ + (row % k) * sKy;
            for (int r = 0; r < run; r++, a += step, q += OB) {
                packed[q] = wt.getAtIndex(JAVA_FLOAT, r0 + a);
                packed[q + 1] = wt.getAtIndex(JAVA_FLOAT, r1 + a);
                packed[q + 2] = wt.getAtIndex(JAVA_FLOAT, r2 + a);
                packed[q + 3] = wt.getAtIndex(JAVA_FLOAT, r3 + a);
                packed[q + 4] = wt.getAtIndex(JAVA_FLOAT, r4 + a);
                packed[q + 5] = wt.getAtIndex(JAVA_FLOAT, r5 + a);
            }
        }
    }

    /**
     * dW[o][t] = Σ_oy Σ_ox Σ_i g[o][oy][ox][i] · src[j][oy+ky][ox+kx][i] for every tap t = (j·k + ky)·k + kx
     * of an unpadded (already zero-bordered) src {@code [nj][hp][wp][n]}; g is {@code [no][ho][wo][n]},
     * dW {@code [no][nj·k·k]}.
     *
     * <p>Loops: tile of output rows (sized so that a channel block's rows of g stay in L2 while its tap
     * blocks pass over them) → output-channel block (4) → tap block (5 consecutive taps) → output row →
     * one flat run over the row's pixels and examples, a vector at a time: 20 accumulators, summed
     * across lanes once per block and tile. Then the floats of each row past its last whole vector
     * (none when n is a multiple of the vector length), one by one. Every tap of a block sees the whole
     * output rectangle, which is why src must carry its zero border.
     */
    static void correlate(MemorySegment g, MemorySegment src, MemorySegment dw,
            int no, int nj, int hp, int wp, int ho, int wo, int n, int k) {
        int taps = nj * k * k;
        int rowLen = wo * n;                                // floats of one output row of one channel
        int full = rowLen - rowLen % V;
        long plane = (long) ho * wo * n;
        // output rows per tile, so that a channel block's share of g stays in L2 across the tap blocks
        int tiles = Math.max(1, (int) Math.ceilDiv((long) ho * GB * wo * n, TILE_FLOATS));
        int tileRows = Math.ceilDiv(ho, Math.min(tiles, ho));
        for (int y0 = 0; y0 < ho && full > 0; y0 += tileRows) {
            int y1 = Math.min(ho, y0 + tileRows);
            for (int ob = 0; ob < no; ob += GB) {
                int o0 = ob;
                int o1 = Math.min(ob + 1, no - 1);
                int o2 = Math.min(ob + 2, no - 1);
                int o3 = Math.min(ob + 3, no - 1);
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
                    correlateBlock(g, src, wp, y0, y1, wo, n, full, o0 * plane, o1 * plane, o2 * plane, o3 * plane, s0, s1, s2, s3, s4);
                    storeLaneSums(scratchLanes(), dw, y0 > 0,
                            (long) o0 * taps, (long) o1 * taps, (long) o2 * taps, (long) o3 * taps, t0, t1, t2, t3, t4);
                }
            }
        }
        if (full < rowLen) {
            // the last rowLen - full floats of each row, one by one
            for (int o = 0; o < no; o++) {
                for (int t = 0; t < taps; t++) {
                    long s = tapOffset(t, k, hp, wp, n);
                    float acc = full > 0 ? dw.getAtIndex(JAVA_FLOAT, (long) o * taps + t) : 0f;
                    for (int oy = 0; oy < ho; oy++) {
                        long e = o * plane + (long) oy * rowLen;
                        long p = s + (long) oy * wp * n;
                        for (int f = full; f < rowLen; f++) {
                            acc += g.getAtIndex(JAVA_FLOAT, e + f) * src.getAtIndex(JAVA_FLOAT, p + f);
                        }
                    }
                    dw.setAtIndex(JAVA_FLOAT, (long) o * taps + t, acc);
                }
            }
        }
    }

    /**
     * One block of {@link #correlate}: four output channels (their planes of g start at d0…d3) × five
     * taps (src offsets s0…s4), summed over output rows [y0, y1) and the first {@code full} floats of
     * each row; the 20 vector sums go to this thread's lane buffer for {@link #storeLaneSums}. A method
     * of its own, calling the Vector API directly, for the reasons given at {@link Simd}.
     */
    private static void correlateBlock(MemorySegment g, MemorySegment src, int wp, int y0, int y1, int wo,
            int n, int full, long d0, long d1, long d2, long d3, long s0, long s1, long s2, long s3, long s4) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0;
        FloatVector e0 = a0, e1 = a0, e2 = a0, e3 = a0, e4 = a0;
        for (int oy = y0; oy < y1; oy++) {
            // Row oy of g, and row oy + ky of src from column kx on, are both wo·n contiguous floats indexed
            // alike (pixel·n + example): one flat loop covers every pixel and example of the row.
            long p = 4 * ((long) oy * wp * n);               // bytes: src row oy
            long q = 4 * ((long) oy * wo * n);               // bytes: g row oy
            for (int i = 0; i < full; i += V) {
                long b = 4L * i;
                FloatVector z0 = FloatVector.fromMemorySegment(S, g, 4 * d0 + q + b, ORDER);
                FloatVector z1 = FloatVector.fromMemorySegment(S, g, 4 * d1 + q + b, ORDER);
                FloatVector z2 = FloatVector.fromMemorySegment(S, g, 4 * d2 + q + b, ORDER);
                FloatVector z3 = FloatVector.fromMemorySegment(S, g, 4 * d3 + q + b, ORDER);
                FloatVector x = FloatVector.fromMemorySegment(S, src, 4 * s0 + p + b, ORDER);
                a0 = x.fma(z0, a0);
                b0 = x.fma(z1, b0);
                c0 = x.fma(z2, c0);
                e0 = x.fma(z3, e0);
                x = FloatVector.fromMemorySegment(S, src, 4 * s1 + p + b, ORDER);
                a1 = x.fma(z0, a1);
                b1 = x.fma(z1, b1);
                c1 = x.fma(z2, c1);
                e1 = x.fma(z3, e1);
                x = FloatVector.fromMemorySegment(S, src, 4 * s2 + p + b, ORDER);
                a2 = x.fma(z0, a2);
                b2 = x.fma(z1, b2);
                c2 = x.fma(z2, c2);
                e2 = x.fma(z3, e2);
                x = FloatVector.fromMemorySegment(S, src, 4 * s3 + p + b, ORDER);
                a3 = x.fma(z0, a3);
                b3 = x.fma(z1, b3);
                c3 = x.fma(z2, c3);
                e3 = x.fma(z3, e3);
                x = FloatVector.fromMemorySegment(S, src, 4 * s4 + p + b, ORDER);
                a4 = x.fma(z0, a4);
                b4 = x.fma(z1, b4);
                c4 = x.fma(z2, c4);
                e4 = x.fma(z3, e4);
            }
        }
        // the lane sums are taken apart (storeLaneSums): 20 reductions here would make this method
        // too big for the JIT's first tier
        float[] lanes = scratchLanes();
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, V);
        a2.intoArray(lanes, 2 * V);
        a3.intoArray(lanes, 3 * V);
        a4.intoArray(lanes, 4 * V);
        b0.intoArray(lanes, 5 * V);
        b1.intoArray(lanes, 6 * V);
        b2.intoArray(lanes, 7 * V);
        b3.intoArray(lanes, 8 * V);
        b4.intoArray(lanes, 9 * V);
        c0.intoArray(lanes, 10 * V);
        c1.intoArray(lanes, 11 * V);
        c2.intoArray(lanes, 12 * V);
        c3.intoArray(lanes, 13 * V);
        c4.intoArray(lanes, 14 * V);
        e0.intoArray(lanes, 15 * V);
        e1.intoArray(lanes, 16 * V);
        e2.intoArray(lanes, 17 * V);
        e3.intoArray(lanes, 18 * V);
        e4.intoArray(lanes, 19 * V);
    }

    /**
     * dW[r_c + t_u] = Σ of the V lanes at lanes[(5c + u)·V …] for the 4 × 5 sums of a {@link #correlateBlock},
     * added to what dW holds if {@code add}. A clamped block repeats its last channel or tap: those
     * repeats are skipped.
     */
    private static void storeLaneSums(float[] lanes, MemorySegment dw, boolean add, long r0, long r1, long r2, long r3,
            int t0, int t1, int t2, int t3, int t4) {
        long[] rows = {r0, r1, r2, r3};
        int[] cols = {t0, t1, t2, t3, t4};
        for (int c = 0; c < GB; c++) {
            if (c > 0 && rows[c] == rows[c - 1]) {
                break;
            }
            for (int u = 0; u < TB; u++) {
                if (u > 0 && cols[u] == cols[u - 1]) {
                    break;
                }
                float sum = sumInOrder(lanes, (c * TB + u) * V);
                long at = rows[c] + cols[u];
                dw.setAtIndex(JAVA_FLOAT, at, add ? dw.getAtIndex(JAVA_FLOAT, at) + sum : sum);
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

    /**
     * The V floats at {@code from}, added in lane order. Not {@code reduceLanes(ADD)}: the Vector API leaves
     * its order open, and C2's tree differs from the interpreter's and C1's loop, so a result would depend on
     * how far the JIT had got (a resumed run would not repeat the uninterrupted one bit for bit).
     */
    static float sumInOrder(float[] lanes, int from) {
        float s = lanes[from];
        for (int l = 1; l < V; l++) {
            s += lanes[from + l];
        }
        return s;
    }

    /** The lanes of {@code v}, added in lane order (see {@link #sumInOrder(float[], int)}). */
    static float sumInOrder(FloatVector v) {
        float s = v.lane(0);
        for (int l = 1; l < V; l++) {
            s += v.lane(l);
        }
        return s;
    }

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: {@code LN2_HI} has few bits, so n·LN2_HI is exact for the n that occur. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding and subtracting it rounds a float below 2²² to the nearest integer. */
    private static final float ROUND = 12582912.0f;
    private static final FloatVector EXP_LO = FloatVector.broadcast(S, -87.3f);
    private static final FloatVector EXP_HI = FloatVector.broadcast(S, 88.0f);

    /**
     * e^x lane by lane, as Cephes' {@code expf} computes it (within 2 ulp of {@code Math.exp}): x = n·ln 2 + r
     * with |r| ≤ ln 2 / 2, a degree-7 polynomial for e^r, and 2ⁿ built in the exponent bits. x is clamped to
     * [−87.3, 88]: e^x stays a normal float (sigmoid, its one use, is then 1 or within 1e-38 of 0). The
     * clamp is a compare and a blend per bound, not {@code max}/{@code min}: their Java semantics (NaN, −0)
     * cost C2 several instructions each, 40% of the whole function on AVX-512 (measured), and here they
     * give the same floats (a NaN passes both ways; no bound is a zero). Only
     * additions, multiplications, fused multiply-adds and conversions, which IEEE 754 defines to the bit, so
     * the result is the same interpreted, C1- or C2-compiled. The Vector API's {@code EXP} is not: C2 calls
     * the platform's vector math library, the interpreter {@code Math.exp}, and they differ in the last bit.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector v = x.blend(EXP_LO, x.lt(EXP_LO)).blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
        FloatVector n = v.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), v);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1.0f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(bits.reinterpretAsFloats());
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
            float s = sumInOrder(a.add(b));
            for (; i < len; i++) {
                s += src.getAtIndex(JAVA_FLOAT, base + i);
            }
            dst.setAtIndex(JAVA_FLOAT, r, s);
        }
    }

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);
    private static final ThreadLocal<float[][]> SCRATCH_FLOATS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private static final ThreadLocal<long[][]> SCRATCH_OFFSETS = ThreadLocal.withInitial(() -> new long[][] {new long[0]});
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[GB * TB * V]);

    /** This thread's array for the GB × TB accumulators of a {@link #correlateBlock}. */
    static float[] scratchLanes() {
        return LANES.get();
    }

    /** This thread's scratch array of at least {@code size} floats (contents undefined). */
    static float[] scratchFloats(int size) {
        float[][] holder = SCRATCH_FLOATS.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** This thread's array of at least {@code size} tap offsets (contents undefined). */
    private static long[] scratchOffsets(int size) {
        long[][] holder = SCRATCH_OFFSETS.get();
        if (holder[0].length < size) {
            holder[0] = new long[size];
        }
        return holder[0];
    }

    /** This thread's native scratch segment of {@code bytes} bytes (contents undefined), reused by its next call. */
    private static MemorySegment scratchSegment(long bytes) {
        MemorySegment[] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].byteSize() < bytes) {
            holder[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        return holder[0].asSlice(0, bytes);
    }

    /**
     * The {@code rows × cols} matrix src transposed into this thread's scratch segment ({@code [cols][rows]}),
     * 16 × 16 tiles at a time. The segment is reused by the next call on the same thread.
     */
    static MemorySegment transposed(MemorySegment src, int rows, int cols) {
        MemorySegment dst = scratchSegment(4L * rows * cols);
        for (int r0 = 0; r0 < rows; r0 += 16) {
            for (int c0 = 0; c0 < cols; c0 += 16) {
                int r1 = Math.min(rows, r0 + 16);
                int c1 = Math.min(cols, c0 + 16);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        dst.setAtIndex(JAVA_FLOAT, (long) c * rows + r, src.getAtIndex(JAVA_FLOAT, (long) r * cols + c));
                    }
                }
            }
        }
        return dst;
    }

    /**
     * src {@code [c][h][w][n]} copied into this thread's scratch segment with a zero border of {@code pad}
     * pixels: {@code [c][h+2pad][w+2pad][n]}. The segment is reused by the next call on the same thread.
     */
    static MemorySegment padded(MemorySegment src, int c, int h, int w, int n, int pad) {
        int hp = h + 2 * pad;
        int wp = w + 2 * pad;
        MemorySegment dst = scratchSegment(4L * c * hp * wp * n);
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
