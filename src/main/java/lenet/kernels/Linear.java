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
}
