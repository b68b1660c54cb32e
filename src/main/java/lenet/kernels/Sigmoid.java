package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-wise logistic sigmoid σ(x) = 1 / (1 + e^-x), on a tensor of any shape flattened to {@code size}. */
public final class Sigmoid {
    private Sigmoid() {
    }

    /** σ(x) in float ({@code TornadoMath.exp(float)}): the epilogue of the kernels that fuse the activation. */
    public static float of(float x) {
        return 1.0f / (1.0f + TornadoMath.exp(-x));
    }

    /** y[j] = σ(x[j]). Threads: one per element. {@code y} may be {@code x} (in place). */
    public static void forward(FloatArray x, FloatArray y, int size) {
        for (@Parallel int j = 0; j < size; j++) {
            y.set(j, of(x.get(j)));
        }
    }

    /**
     * dx[j] = dy[j] · y[j] · (1 − y[j]), using the forward output y = σ(x). Threads: one per element.
     * {@code dx} may be {@code dy} (in place).
     */
    public static void backward(FloatArray y, FloatArray dy, FloatArray dx, int size) {
        for (@Parallel int j = 0; j < size; j++) {
            float s = y.get(j);
            dx.set(j, dy.get(j) * s * (1.0f - s));
        }
    }
}
