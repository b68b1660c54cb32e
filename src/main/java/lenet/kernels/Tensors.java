package lenet.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * What the kernel tests and {@code check-kernels} share: seeded random data, conversion between the kernels' batch-innermost
 * layout and the references' batch-outermost one, error bounds for float32 arithmetic, and the
 * comparison of a kernel's output with a double-precision reference.
 *
 * <p>Layouts. The kernels store an activation of n examples of shape [f1][f2]… as {@code [f1][f2]…[n]}
 * (batch innermost, "CHWN"); the references take and return {@code [n][f1][f2]…} (batch outermost: NCHW
 * for images, {@code [n][features]} for linear layers), the layout of PyTorch and of the textbook
 * formulas. Both are a matrix of n rows × (features) columns, one the transpose of the other, so a single
 * transpose converts either way. Weights and biases have the same layout on both sides.
 *
 * <p>Error bounds. u = 2⁻²⁴ is float32's unit roundoff. A float sum of m terms (products included),
 * computed in any order, is within γ(m)·Σ|terms| of the exact sum, γ(m) = m·u / (1 − m·u) (Higham,
 * <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1). That worst case grows like m; rounding
 * errors that behave as independent zero-mean variables give λ·√m·u·Σ|terms| instead, exceeded with
 * probability at most about 2m·exp(−λ²/2) (Higham &amp; Mary, SIAM J. Sci. Comput. 41(5), 2019). The
 * tolerance of a sum is the smaller of the two with λ = 8 (a failure probability under 1e-9 per element
 * for m ≤ 25,600, the longest sum here): it is the rigorous bound for m ≤ 64 and the probabilistic one
 * above. Over long sums (a batch-256 weight or bias gradient) that bound cannot see a single missing term,
 * which is why every kernel is also checked at small shapes, where it can. The data are seeded, so every
 * run computes the same numbers. The references compute in double
 * (u = 2⁻⁵³) from exactly the float values the kernels read, so their own error is negligible.
 */
public final class Tensors {
    private Tensors() {
    }

    /** float32 unit roundoff. */
    public static final double U = 0x1p-24;
    /** Confidence parameter of the probabilistic bound (see the class comment). */
    public static final double LAMBDA = 8.0;

    /** Set {@code -Dlenet.kernels.report=true} to print each comparison's largest error. */
    private static final boolean REPORT = Boolean.getBoolean("lenet.kernels.report");

    /** An exact (double) result and, per element, Σ|terms| of the sum that produces it. */
    public record Sums(double[] value, double[] magnitude) {
    }

    // ---- data ----

    /** A seeded stream of random numbers, one per test case, reproducible from its name. */
    public static SplittableRandom random(String caseName) {
        return new SplittableRandom(caseName.hashCode() * 0x9E3779B97F4A7C15L);
    }

    /** {@code size} floats uniform in [lo, hi). */
    public static float[] uniform(SplittableRandom random, int size, double lo, double hi) {
        float[] v = new float[size];
        for (int j = 0; j < size; j++) {
            v[j] = (float) random.nextDouble(lo, hi);
        }
        return v;
    }

    /** {@code size} ints uniform in [0, bound). */
    public static int[] uniformInts(SplittableRandom random, int size, int bound) {
        int[] v = new int[size];
        for (int j = 0; j < size; j++) {
            v[j] = random.nextInt(bound);
        }
        return v;
    }

    public static FloatArray device(float[] values) {
        return FloatArray.fromArray(values);
    }

    /** An output array prefilled with NaN, so that an element the kernel does not write is caught. */
    public static FloatArray nanFilled(int size) {
        FloatArray a = new FloatArray(size);
        a.init(Float.NaN);
        return a;
    }

    public static float[] host(FloatArray a) {
        return a.toHeapArray();
    }

    public static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            d[j] = v[j];
        }
        return d;
    }

    /** Element-wise |a|: the matrix whose products give Σ|terms| of a's products. */
    public static DMatrixRMaj abs(DMatrixRMaj a) {
        DMatrixRMaj b = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.abs(a, b);
        return b;
    }

    // ---- layouts ----

    /** [rows][cols] → [cols][rows]. */
    public static float[] transpose(float[] a, int rows, int cols) {
        if (a.length != rows * cols) {
            throw new IllegalArgumentException("length " + a.length + " is not " + rows + "×" + cols);
        }
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    /** Batch-outermost {@code [n][features]} (e.g. NCHW with features = c·h·w) → kernels' {@code [features][n]}. */
    public static float[] toBatchInnermost(float[] outer, int n, int features) {
        return transpose(outer, n, features);
    }

    /** [rows][cols] → [cols][rows], in double. */
    public static double[] transpose(double[] a, int rows, int cols) {
        if (a.length != rows * cols) {
            throw new IllegalArgumentException("length " + a.length + " is not " + rows + "×" + cols);
        }
        double[] t = new double[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    /** Batch-outermost {@code [n][features]} → batch-innermost {@code [features][n]}, in double (a reference's result in the kernels' layout). */
    public static double[] toBatchInnermost(double[] outer, int n, int features) {
        return transpose(outer, n, features);
    }

    /** Batch-outermost {@code [n][features]} → batch-innermost {@code [features][n]}, for ints (an argmax). */
    public static int[] toBatchInnermost(int[] outer, int n, int features) {
        if (outer.length != n * features) {
            throw new IllegalArgumentException("length " + outer.length + " is not " + n + "×" + features);
        }
        int[] t = new int[outer.length];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                t[f * n + i] = outer[i * features + f];
            }
        }
        return t;
    }

    /** Kernels' batch-innermost {@code [features][n]} → {@code [n][features]} (NCHW for images). */
    public static float[] toBatchOutermost(float[] inner, int n, int features) {
        return transpose(inner, features, n);
    }

    // ---- tolerances ----

    /** γ(m) = m·u / (1 − m·u): the worst-case relative error of m float roundings in sequence. */
    public static double gamma(int m) {
        return m * U / (1 - m * U);
    }

    /** Per element, the error bound of a float sum of {@code terms} terms with Σ|terms| = magnitude (see class comment). */
    public static double[] sumTolerance(double[] magnitude, int terms) {
        double factor = Math.min(gamma(terms), LAMBDA * Math.sqrt(terms) * U);
        double[] tol = new double[magnitude.length];
        for (int j = 0; j < tol.length; j++) {
            tol[j] = factor * magnitude[j];
        }
        return tol;
    }

    /** Per element, γ(roundings)·|value|: the bound of an element-wise formula with that many float roundings. */
    public static double[] relativeTolerance(double[] value, int roundings) {
        double factor = gamma(roundings);
        double[] tol = new double[value.length];
        for (int j = 0; j < tol.length; j++) {
            tol[j] = factor * Math.abs(value[j]);
        }
        return tol;
    }

    // ---- comparison ----

    /** The largest error of a comparison, the tolerance at that element, the largest error/tolerance ratio, and a summary. */
    public record Comparison(double maxError, double maxRatio, double toleranceAtMaxRatio, int unwritten, String summary) {
        /** Every element written and within its tolerance. */
        public boolean ok() {
            return unwritten == 0 && maxRatio <= 1.0;
        }
    }

    /**
     * Compares element-wise: every element must be written (no NaN from {@link #nanFilled}) and satisfy
     * |actual − expected| ≤ tolerance. {@code shape} (row-major, the layout of both arrays) and {@code dims}
     * (names of its dimensions) turn a flat index into coordinates for the summary.
     */
    public static Comparison compare(String what, float[] actual, double[] expected, double[] tolerance, int[] shape, String dims) {
        if (actual.length != expected.length || expected.length != tolerance.length) {
            throw new IllegalArgumentException(what + ": lengths differ: kernel " + actual.length + ", reference " + expected.length
                    + ", tolerance " + tolerance.length);
        }
        int unwritten = 0;
        int firstUnwritten = -1;
        for (int j = 0; j < actual.length; j++) {
            if (Float.isNaN(actual[j])) {
                if (unwritten++ == 0) {
                    firstUnwritten = j;
                }
            }
        }
        if (unwritten > 0) {
            return new Comparison(Double.NaN, Double.NaN, Double.NaN, unwritten, String.format(
                    "%s: %d of %d elements not written (still NaN), the first at %s %s",
                    what, unwritten, actual.length, dims, at(firstUnwritten, shape)));
        }
        double maxError = 0;
        int maxErrorAt = 0;
        double maxRatio = 0;
        int maxRatioAt = 0;
        for (int j = 0; j < actual.length; j++) {
            double error = Math.abs(actual[j] - expected[j]);
            double ratio = error == 0 ? 0 : error / tolerance[j];
            if (error > maxError) {
                maxError = error;
                maxErrorAt = j;
            }
            if (ratio > maxRatio || Double.isNaN(ratio)) {
                maxRatio = ratio;
                maxRatioAt = j;
            }
        }
        String summary = String.format("%s: max |error| %.3e at %s %s (kernel %.9g, reference %.9g, tolerance %.3e); "
                + "max error/tolerance %.3g at %s %s (kernel %.9g, reference %.9g, tolerance %.3e)",
                what, maxError, dims, at(maxErrorAt, shape), actual[maxErrorAt], expected[maxErrorAt], tolerance[maxErrorAt],
                maxRatio, dims, at(maxRatioAt, shape), actual[maxRatioAt], expected[maxRatioAt], tolerance[maxRatioAt]);
        return new Comparison(maxError, maxRatio, tolerance[maxRatioAt], 0, summary);
    }

    /** {@link #compare}, throwing an {@link AssertionError} with its summary unless it passes (for tests). */
    public static Comparison assertClose(String what, float[] actual, double[] expected, double[] tolerance, int[] shape, String dims) {
        Comparison c = compare(what, actual, expected, tolerance, shape, dims);
        if (!c.ok()) {
            throw new AssertionError(c.summary());
        }
        if (REPORT) {
            System.out.println(c.summary());
        }
        return c;
    }

    /** Flat row-major index → coordinates in {@code shape}. */
    public static String at(int index, int[] shape) {
        int[] c = new int[shape.length];
        int r = index;
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = r % shape[d];
            r /= shape[d];
        }
        return Arrays.toString(c);
    }

    /** Throws an {@link AssertionError} unless a kernel left an input unchanged (for tests). */
    public static void assertUnchanged(String what, float[] before, FloatArray after) {
        if (!Arrays.equals(before, host(after))) {
            throw new AssertionError(what + " was modified by the kernel");
        }
    }
}
