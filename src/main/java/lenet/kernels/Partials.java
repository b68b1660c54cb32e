package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Stage 2 of the two-stage gradient sums: adds the partial sums that a layer's {@code backwardPartials}
 * wrote, one per slice of the batch, in slice order. {@link Sgd#sumAndUpdate} is the same stage with the
 * SGD step in its epilogue.
 *
 * <p>Shapes: {@code wPart [slices][wSize]}, {@code bPart [slices][bSize]}; dWeight {@code [wSize]},
 * dBias {@code [bSize]}.
 */
public final class Partials {
    private Partials() {
    }

    /**
     * dWeight[p] = Σ_s wPart[s][p] and dBias[p] = Σ_s bPart[s][p], s = 0, 1, … in order (deterministic).
     * Threads: one per parameter, wSize + bSize; neighbouring work-items read neighbouring addresses of
     * each slice (coalesced), and each adds {@code slices} values.
     */
    public static void sum(FloatArray wPart, FloatArray bPart, FloatArray dWeight, FloatArray dBias, int slices, int wSize, int bSize) {
        for (@Parallel int p = 0; p < wSize + bSize; p++) {    // parameter: weights, then biases
            float acc = 0.0f;
            if (p < wSize) {
                for (int s = 0; s < slices; s++) {
                    acc += wPart.get(s * wSize + p);
                }
                dWeight.set(p, acc);
            } else {
                for (int s = 0; s < slices; s++) {
                    acc += bPart.get(s * bSize + p - wSize);
                }
                dBias.set(p - wSize, acc);
            }
        }
    }
}
