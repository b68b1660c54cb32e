package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Plain stochastic gradient descent (PyTorch's {@code SGD} without momentum or weight decay). */
public final class Sgd {
    private Sgd() {
    }

    /** param[j] −= lr · grad[j]. Threads: one per parameter. */
    public static void update(FloatArray param, FloatArray grad, float lr, int size) {
        for (@Parallel int j = 0; j < size; j++) {
            param.set(j, param.get(j) - lr * grad.get(j));
        }
    }

    /**
     * A layer's last gradient stage and its SGD step in one kernel: {@link Partials#sum} (dWeight, dBias
     * = the slices of wPart, bPart added in order), then weight −= lr · dWeight and bias −= lr · dBias.
     * Threads: one per parameter, wSize + bSize.
     */
    public static void sumAndUpdate(FloatArray wPart, FloatArray bPart, FloatArray dWeight, FloatArray dBias,
            FloatArray weight, FloatArray bias, float lr, int slices, int wSize, int bSize) {
        for (@Parallel int p = 0; p < wSize + bSize; p++) {    // parameter: weights, then biases
            float acc = 0.0f;
            if (p < wSize) {
                for (int s = 0; s < slices; s++) {
                    acc += wPart.get(s * wSize + p);
                }
                dWeight.set(p, acc);
                weight.set(p, weight.get(p) - lr * acc);
            } else {
                int q = p - wSize;
                for (int s = 0; s < slices; s++) {
                    acc += bPart.get(s * bSize + q);
                }
                dBias.set(q, acc);
                bias.set(q, bias.get(q) - lr * acc);
            }
        }
    }

    /**
     * A batch norm's SGD step, scale and shift in one kernel: gamma −= lr · dGamma, beta −= lr · dBeta.
     * Threads: one per channel, c.
     */
    public static void updateNorm(FloatArray gamma, FloatArray beta, FloatArray dGamma, FloatArray dBeta, float lr, int c) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel (or feature)
            gamma.set(ch, gamma.get(ch) - lr * dGamma.get(ch));
            beta.set(ch, beta.get(ch) - lr * dBeta.get(ch));
        }
    }
}
