package lenet.kernels;

/**
 * Host reference for {@link Sigmoid} in double precision, as plain loops (element-wise: nothing for EJML to do).
 * Any layout: the kernels and the reference treat the tensor as a flat array.
 */
public final class SigmoidReference {
    private SigmoidReference() {
    }

    /** y = σ(x) = 1 / (1 + e^−x). */
    public static double[] forward(double[] x) {
        double[] y = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = 1.0 / (1.0 + Math.exp(-x[j]));
        }
        return y;
    }

    /** dx = dy · σ'(x) = dy · y · (1 − y), from the forward output y. */
    public static double[] backward(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            dx[j] = dy[j] * y[j] * (1.0 - y[j]);
        }
        return dx;
    }
}
