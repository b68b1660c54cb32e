package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Fully connected layer y = W x + b (PyTorch's {@code Linear}).
 *
 * <p>Shapes (batch-innermost): input {@code [fin][n]}, weight {@code [fout][fin]}, bias {@code [fout]},
 * output {@code [fout][n]}. A [c][h][w][n] activation is already a [c·h·w][n] matrix: flattening is free.
 */
public final class Linear {
    private Linear() {
    }

    /** out[j][i] = bias[j] + Σ_f weight[j][f] · in[f][i]. Threads: one per output, fout × n. */
    public static void forward(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        for (@Parallel int j = 0; j < fout; j++) {              // output feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = bias.get(j);
                for (int f = 0; f < fin; f++) {
                    acc += weight.get(j * fin + f) * in.get(f * n + i);
                }
                out.set(j * n + i, acc);
            }
        }
    }

    /**
     * out[j][i] = σ(bias[j] + Σ_f weight[j][f] · in[f][i]): {@link #forward} with the sigmoid in its
     * epilogue. Threads: one per output, fout × n, the batch loop innermost (GPU dimension 0).
     */
    public static void forwardSigmoid(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        for (@Parallel int j = 0; j < fout; j++) {              // output feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = bias.get(j);
                for (int f = 0; f < fin; f++) {
                    acc += weight.get(j * fin + f) * in.get(f * n + i);
                }
                out.set(j * n + i, Sigmoid.of(acc));
            }
        }
    }

    /**
     * out[j][i] = relu(bias[j] + Σ_f weight[j][f] · in[f][i]): {@link #forward} with {@link Relu#of} in its
     * epilogue. Threads: one per output, fout × n, the batch loop innermost (GPU dimension 0).
     */
    public static void forwardRelu(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int n, int fin, int fout) {
        for (@Parallel int j = 0; j < fout; j++) {              // output feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = bias.get(j);
                for (int f = 0; f < fin; f++) {
                    acc += weight.get(j * fin + f) * in.get(f * n + i);
                }
                out.set(j * n + i, Relu.of(acc));
            }
        }
    }

    /** dIn[f][i] = Σ_j weight[j][f] · dOut[j][i] (Wᵀ dOut). Threads: one per input element, fin × n. */
    public static void backwardInput(FloatArray dOut, FloatArray weight, FloatArray dIn, int n, int fin, int fout) {
        for (@Parallel int f = 0; f < fin; f++) {               // input feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = 0.0f;
                for (int j = 0; j < fout; j++) {
                    acc += weight.get(j * fin + f) * dOut.get(j * n + i);
                }
                dIn.set(f * n + i, acc);
            }
        }
    }

    /**
     * dIn[f][i] = (Σ_j weight[j][f] · dOut[j][i]) · y[f][i] · (1 − y[f][i]), where y = σ(·) is this
     * layer's input: {@link #backwardInput} with the derivative of the sigmoid before it in its epilogue
     * ({@link Sigmoid#backward}'s formula). Threads: one per input element, fin × n, batch innermost.
     */
    public static void backwardInputSigmoid(FloatArray dOut, FloatArray weight, FloatArray y, FloatArray dIn, int n, int fin, int fout) {
        for (@Parallel int f = 0; f < fin; f++) {               // input feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = 0.0f;
                for (int j = 0; j < fout; j++) {
                    acc += weight.get(j * fin + f) * dOut.get(j * n + i);
                }
                float s = y.get(f * n + i);
                dIn.set(f * n + i, acc * s * (1.0f - s));
            }
        }
    }

    /**
     * dIn[f][i] = y[f][i] &gt; 0 ? Σ_j weight[j][f] · dOut[j][i] : 0, where y = relu(·) is this layer's input:
     * {@link #backwardInput} with the ReLU's mask ({@link Relu#backward}) in its epilogue. Threads: one per
     * input element, fin × n, batch innermost (GPU dimension 0).
     */
    public static void backwardInputRelu(FloatArray dOut, FloatArray weight, FloatArray y, FloatArray dIn, int n, int fin, int fout) {
        for (@Parallel int f = 0; f < fin; f++) {               // input feature
            for (@Parallel int i = 0; i < n; i++) {            // example
                float acc = 0.0f;
                for (int j = 0; j < fout; j++) {
                    acc += weight.get(j * fin + f) * dOut.get(j * n + i);
                }
                dIn.set(f * n + i, y.get(f * n + i) > 0.0f ? acc : 0.0f);
            }
        }
    }

    /**
     * dWeight[j][f] = Σ_i dOut[j][i] · in[f][i] (dOut inᵀ, summed over the batch).
     * Threads: one per weight, fout × fin; each sums n products.
     */
    public static void backwardWeight(FloatArray dOut, FloatArray in, FloatArray dWeight, int n, int fin, int fout) {
        for (@Parallel int j = 0; j < fout; j++) {              // output feature
            for (@Parallel int f = 0; f < fin; f++) {          // input feature
                float acc = 0.0f;
                for (int i = 0; i < n; i++) {
                    acc += dOut.get(j * n + i) * in.get(f * n + i);
                }
                dWeight.set(j * fin + f, acc);
            }
        }
    }

    /** dBias[j] = Σ_i dOut[j][i]. Threads: one per output feature. */
    public static void backwardBias(FloatArray dOut, FloatArray dBias, int n, int fout) {
        for (@Parallel int j = 0; j < fout; j++) {
            float acc = 0.0f;
            for (int i = 0; i < n; i++) {
                acc += dOut.get(j * n + i);
            }
            dBias.set(j, acc);
        }
    }

    /**
     * Stage 1 of the weight and bias gradients (see {@link Conv2d#backwardPartials}): the examples are
     * dealt into {@code slices} interleaved slices and
     * <pre>
     * wPart[s][j][f] = Σ_{i in slice s} dOut[j][i] · in[f][i]
     * bPart[s][j]    = Σ_{i in slice s} dOut[j][i]
     * </pre>
     * Stage 2 ({@link Partials#sum} or {@link Sgd#sumAndUpdate}) adds the slices in order.
     *
     * <p>Threads: fout × (fin + 1) × slices; f = fin is the bias. The slice loop is the innermost
     * {@code @Parallel} loop (GPU dimension 0), so neighbouring work-items read neighbouring examples of
     * the same feature: one coalesced run, where {@link #backwardWeight}'s neighbouring work-items (f,
     * f+1) read rows n floats apart. Each work-item sums ⌈n/slices⌉ products.
     */
    public static void backwardPartials(FloatArray dOut, FloatArray in, FloatArray wPart, FloatArray bPart,
            int n, int fin, int fout, int slices) {
        for (@Parallel int j = 0; j < fout; j++) {              // output feature
            for (@Parallel int f = 0; f <= fin; f++) {         // input feature; f == fin: the bias
                for (@Parallel int s = 0; s < slices; s++) {   // slice: examples s, s + slices, ...
                    float acc = 0.0f;
                    if (f < fin) {
                        for (int i = s; i < n; i += slices) {
                            acc += dOut.get(j * n + i) * in.get(f * n + i);
                        }
                        wPart.set(s * fout * fin + j * fin + f, acc);
                    } else {
                        for (int i = s; i < n; i += slices) {
                            acc += dOut.get(j * n + i);
                        }
                        bPart.set(s * fout + j, acc);
                    }
                }
            }
        }
    }
}
