package lenet.kernels;

/**
 * Host reference for {@link Relu} in double precision, as plain loops (element-wise: nothing for EJML to do).
 * Any layout: the kernels and the reference treat the tensor as a flat array.
 */
public final class ReluReference {
    private ReluReference() {
    }

    /** y = max(x, 0). */
    public static double[] forward(double[] x) {
        double[] y = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = Math.max(x[j], 0.0);
        }
        return y;
    }

    /** dx = dy · relu'(x) = dy where y &gt; 0, else 0, from the forward output y. */
    public static double[] backward(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            dx[j] = y[j] > 0 ? dy[j] : 0.0;
        }
        return dx;
    }
}
