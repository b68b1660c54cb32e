package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import lenet.kernels.Conv2d;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * CPU twin of {@link Conv2d}: the same methods, math and layouts, vectorised along the batch axis
 * with the Vector API (see {@link Simd} for the register blocks). Results equal the plain kernel's
 * up to float rounding (fused multiply-adds, another summation order).
 */
public final class Conv2dCpu {
    private Conv2dCpu() {
    }

    /**
     * As {@link Conv2d#forward}. Loops: block of 6 output channels → block of 4 vectors of examples →
     * output pixel → taps (tap ranges clipped to the image once per pixel; runs along kx when cin &lt; k,
     * as for conv1, else along ci), 24 accumulators. Batches smaller than one vector run the plain kernel.
     */
    public static void forward(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        if (n < Simd.V) {
            Conv2d.forward(in, weight, bias, out, n, cin, h, w, cout, k, pad);
            return;
        }
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        Simd.gather(in.getSegment(), cin, h, w,
                weight.getSegment(), 0, (long) cin * k * k, (long) k * k, k, 1, bias.getSegment(),
                out.getSegment(), cout, ho, wo, n, k, pad);
    }

    /**
     * As {@link Conv2d#backwardInput}: the forward convolution of dOut, padded by k−1−pad, with the
     * kernel flipped (ky → k−1−ky, kx → k−1−kx) and in/out channels swapped. Loops: block of 6 input
     * channels → block of 4 vectors of examples → input pixel → taps, as {@link #forward}; runs along co,
     * which are long (16 for conv2) where the kx ranges at the border are short.
     */
    public static void backwardInput(FloatArray dOut, FloatArray weight, FloatArray dIn,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        if (n < Simd.V) {
            Conv2d.backwardInput(dOut, weight, dIn, n, cin, h, w, cout, k, pad);
            return;
        }
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        // weight[co][ci][k-1-ky][k-1-kx] = w0 + ci*(k*k) + co*(cin*k*k) - ky*k - kx
        Simd.gather(dOut.getSegment(), cout, ho, wo,
                weight.getSegment(), (long) (k - 1) * k + (k - 1), (long) k * k, (long) cin * k * k, -k, -1, null,
                dIn.getSegment(), cin, h, w, n, k, k - 1 - pad);
    }

    /**
     * As {@link Conv2d#backwardWeight}. A padded input is first copied into a zero-bordered scratch
     * buffer, so every tap sees the whole output rectangle. Loops: tile of output rows → block of 4
     * output channels → block of 5 taps → output row → the row's pixels and examples as one flat run of
     * vectors; 20 accumulators summed across lanes once per block and tile.
     */
    public static void backwardWeight(FloatArray dOut, FloatArray in, FloatArray dWeight,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        MemorySegment src = pad == 0 ? in.getSegment() : Simd.padded(in.getSegment(), cin, h, w, n, pad);
        Simd.correlate(dOut.getSegment(), src, dWeight.getSegment(), cout, cin, h + 2 * pad, w + 2 * pad, ho, wo, n, k);
    }

    /** As {@link Conv2d#backwardBias}: one vector sum over the (hwo·n) contiguous values of each channel. */
    public static void backwardBias(FloatArray dOut, FloatArray dBias, int n, int cout, int hwo) {
        Simd.rowSums(dOut.getSegment(), dBias.getSegment(), cout, (long) hwo * n);
    }

    /**
     * As {@link Conv2d#forwardSigmoidPool}: {@link #forward} into act, then {@link SigmoidCpu#forward} in
     * place and {@link AvgPool2dCpu#forward} (three vector passes; on a CPU the fused form would trade
     * their long runs for a short window loop). Batches smaller than one vector run the plain kernel.
     */
    public static void forwardSigmoidPool(FloatArray in, FloatArray weight, FloatArray bias, FloatArray act, FloatArray pooled,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        if (n < Simd.V) {
            Conv2d.forwardSigmoidPool(in, weight, bias, act, pooled, n, cin, h, w, cout, k, pad);
            return;
        }
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        forward(in, weight, bias, act, n, cin, h, w, cout, k, pad);
        SigmoidCpu.forward(act, act, cout * ho * wo * n);
        AvgPool2dCpu.forward(act, pooled, n, cout, ho, wo);
    }

    /**
     * As {@link Conv2d#forwardReluMaxPool}: {@link #forward} into act, then one vector pass that applies the
     * ReLU to act in place and pools it ({@link MaxPool2dCpu#forward}'s loop). Batches smaller than one
     * vector run the plain kernel.
     */
    public static void forwardReluMaxPool(FloatArray in, FloatArray weight, FloatArray bias, FloatArray act, FloatArray pooled, IntArray argmax,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        if (n < Simd.V) {
            Conv2d.forwardReluMaxPool(in, weight, bias, act, pooled, argmax, n, cin, h, w, cout, k, pad);
            return;
        }
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        forward(in, weight, bias, act, n, cin, h, w, cout, k, pad);
        MaxPool2dCpu.reluForward(act, pooled, argmax, n, cout, ho, wo);
    }

    /**
     * As {@link Conv2d#backwardPartials} with one slice, the CPU's shape: {@link #backwardWeight} into
     * wPart and {@link #backwardBias} into bPart (the whole batch's gradient). Other slice counts run the
     * plain kernel.
     */
    public static void backwardPartials(FloatArray dOut, FloatArray in, FloatArray wPart, FloatArray bPart,
            int n, int cin, int h, int w, int cout, int k, int pad, int slices) {
        if (slices != 1) {
            Conv2d.backwardPartials(dOut, in, wPart, bPart, n, cin, h, w, cout, k, pad, slices);
            return;
        }
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        backwardWeight(dOut, in, wPart, n, cin, h, w, cout, k, pad);
        backwardBias(dOut, bPart, n, cout, ho * wo);
    }
}
