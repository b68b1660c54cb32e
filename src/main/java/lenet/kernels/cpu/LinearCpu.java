package lenet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import lenet.kernels.Linear;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * CPU twin of {@link Linear}: the same methods, math and layouts, vectorised with the Vector API.
 * A linear layer is a 1×1 convolution of a 1×1 image with fin input and fout output channels, so
 * these run the convolution loop nests of {@link Simd} with k = h = w = 1. Results equal the plain
 * kernel's up to float rounding (fused multiply-adds, another summation order).
 */
public final class LinearCpu {
    private LinearCpu() {
    }

    /**
     * As {@link Linear#forward}. Loops: block of 6 output features → block of 4 vectors of examples → f,
     * 24 accumulators; each f loads four vectors of in[f] and broadcasts six weights.
     * Batches smaller than one vector run the plain kernel.
     */
    public static void forward(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        if (n < Simd.V) {
            Linear.forward(in, weight, bias, out, n, fin, fout);
            return;
        }
        Simd.gather(in.getSegment(), fin, 1, 1, weight.getSegment(), 0, fin, 1, 0, 0, bias.getSegment(),
                out.getSegment(), fout, 1, 1, n, 1, 0);
    }

    /**
     * As {@link Linear#backwardInput}. Loops: block of 6 input features → block of 4 vectors of
     * examples → j, 24 accumulators; each j loads four vectors of dOut[j] and broadcasts six weights.
     * Batches smaller than one vector run the plain kernel.
     */
    public static void backwardInput(FloatArray dOut, FloatArray weight, FloatArray dIn, int n, int fin, int fout) {
        if (n < Simd.V) {
            Linear.backwardInput(dOut, weight, dIn, n, fin, fout);
            return;
        }
        Simd.gather(dOut.getSegment(), fout, 1, 1, weight.getSegment(), 0, 1, fin, 0, 0, null,
                dIn.getSegment(), fin, 1, 1, n, 1, 0);
    }

    /**
     * As {@link Linear#backwardWeight}. in is first transposed to {@code [n][fin]} (scratch), which makes
     * dW = dOut · inᵀ the same loop nest as {@link #forward}, vectorised along f and summed over the
     * examples: block of 6 output features → block of 4 vectors of input features → i, 24 accumulators,
     * no lane sums. With fewer input features than a vector, the correlation loop nest of the
     * convolution's weight gradient instead (vectorised along the batch, lane sums at the end).
     */
    public static void backwardWeight(FloatArray dOut, FloatArray in, FloatArray dWeight, int n, int fin, int fout) {
        if (fin < Simd.V) {
            Simd.correlate(dOut.getSegment(), in.getSegment(), dWeight.getSegment(), fout, fin, 1, 1, 1, 1, n, 1);
            return;
        }
        MemorySegment inT = Simd.transposed(in.getSegment(), fin, n);
        // dWeight[j][f] = Σ_i dOut[j·n + i] · inT[i][f]: gather with dOut as the weights and f as the batch axis
        Simd.gather(inT, n, 1, 1, dOut.getSegment(), 0, n, 1, 0, 0, null, dWeight.getSegment(), fout, 1, 1, fin, 1, 0);
    }

    /** As {@link Linear#backwardBias}: one vector sum over the n contiguous values of each output feature. */
    public static void backwardBias(FloatArray dOut, FloatArray dBias, int n, int fout) {
        Simd.rowSums(dOut.getSegment(), dBias.getSegment(), fout, n);
    }

    /** As {@link Linear#forwardSigmoid}: {@link #forward}, then {@link SigmoidCpu#forward} in place. */
    public static void forwardSigmoid(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        forward(in, weight, bias, out, n, fin, fout);
        SigmoidCpu.forward(out, out, fout * n);
    }

    /** As {@link Linear#backwardInputSigmoid}: {@link #backwardInput}, then {@link SigmoidCpu#backward} in place. */
    public static void backwardInputSigmoid(FloatArray dOut, FloatArray weight, FloatArray y, FloatArray dIn, int n, int fin, int fout) {
        backwardInput(dOut, weight, dIn, n, fin, fout);
        SigmoidCpu.backward(y, dIn, dIn, fin * n);
    }

    /** As {@link Linear#forwardRelu}: {@link #forward}, then {@link ReluCpu#forward} in place. */
    public static void forwardRelu(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        forward(in, weight, bias, out, n, fin, fout);
        ReluCpu.forward(out, out, fout * n);
    }

    /** As {@link Linear#backwardInputRelu}: {@link #backwardInput}, then {@link ReluCpu#backward} in place. */
    public static void backwardInputRelu(FloatArray dOut, FloatArray weight, FloatArray y, FloatArray dIn, int n, int fin, int fout) {
        backwardInput(dOut, weight, dIn, n, fin, fout);
        ReluCpu.backward(y, dIn, dIn, fin * n);
    }

    /**
     * As {@link Linear#backwardPartials} with one slice, the CPU's shape: {@link #backwardWeight} into
     * wPart and {@link #backwardBias} into bPart. Other slice counts run the plain kernel.
     */
    public static void backwardPartials(FloatArray dOut, FloatArray in, FloatArray wPart, FloatArray bPart,
            int n, int fin, int fout, int slices) {
        if (slices != 1) {
            Linear.backwardPartials(dOut, in, wPart, bPart, n, fin, fout, slices);
            return;
        }
        backwardWeight(dOut, in, wPart, n, fin, fout);
        backwardBias(dOut, bPart, n, fout);
    }
}
