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
}
