package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-wise rectifier relu(x) = max(x, 0), on a tensor of any shape flattened to {@code size}. */
public final class Relu {
    private Relu() {
    }

    /** max(x, 0) (0 for x ≤ 0, −0 included): the epilogue of the kernels that fuse the activation. */
    public static float of(float x) {
        return x > 0.0f ? x : 0.0f;
    }

    /** y[j] = relu(x[j]). Threads: one per element. {@code y} may be {@code x} (in place). */
    public static void forward(FloatArray x, FloatArray y, int size) {
        for (@Parallel int j = 0; j < size; j++) {
            y.set(j, of(x.get(j)));
        }
    }

    /**
     * dx[j] = y[j] &gt; 0 ? dy[j] : 0, using the forward output y = relu(x): the derivative is a mask, 1 where
     * the unit was active and 0 elsewhere, 0 at x = 0 too (PyTorch's {@code grad * (out > 0)}).
     * Threads: one per element. {@code dx} may be {@code dy} (in place).
     */
    public static void backward(FloatArray y, FloatArray dy, FloatArray dx, int size) {
        for (@Parallel int j = 0; j < size; j++) {
            dx.set(j, y.get(j) > 0.0f ? dy.get(j) : 0.0f);
        }
    }
}
