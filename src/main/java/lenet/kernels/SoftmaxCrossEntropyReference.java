package lenet.kernels;

/**
 * Host reference for {@link SoftmaxCrossEntropy} in double precision, as plain loops (a softmax per
 * example: nothing for EJML to do). Layouts: logits, probabilities and their gradients
 * {@code [n][classes]} (one row per example), labels and losses {@code [n]}.
 */
public final class SoftmaxCrossEntropyReference {
    private SoftmaxCrossEntropyReference() {
    }

    /** Probabilities {@code [n][classes]} and per-example losses {@code [n]}. */
    public record Forward(double[] probs, double[] loss) {
    }

    /**
     * probs[i][c] = e^z[i][c] / Σ_c' e^z[i][c'] and loss[i] = −log probs[i][label[i]], evaluated with the
     * largest logit subtracted first (double overflows too, at e^710).
     */
    public static Forward forward(double[] logits, int[] labels, int n, int classes) {
        double[] probs = new double[n * classes];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            double max = max(logits, i, classes);
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[i * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                probs[i * classes + c] = Math.exp(logits[i * classes + c] - max) / sum;
            }
            loss[i] = Math.log(sum) - (logits[i * classes + labels[i]] - max);
        }
        return new Forward(probs, loss);
    }

    /**
     * The error bounds of {@link SoftmaxCrossEntropy#forward}'s float evaluation against {@code ref}, the exact
     * forward of the same logits (first-order bounds, doubled for margin; C classes, d_c = z_c − max z,
     * R = max z − min z, S = Σ_c e^d_c):
     * <ul>
     * <li>probability p_c: the rounding of d_c moves e^d_c by u·|d_c| relatively, exp rounds once, the float sum
     *     of C positive terms adds (C − 1)·u to the relative errors of its terms (≤ u·(R + 1)), the division rounds
     *     once: |error| ≤ 2u·p_c·(|d_c| + R + C + 2);</li>
     * <li>loss = log S − d_label: log's argument carries S's relative error u·(R + C), log rounds (u·log S), d_label
     *     rounds (u·|d_label|), the difference rounds (u·loss): |error| ≤ 2u·(R + C + log S + |d_label| + loss).</li>
     * </ul>
     */
    public static Forward forwardTolerance(double[] z, int[] labels, int n, int classes, Forward ref) {
        double[] probsTol = new double[n * classes];
        double[] lossTol = new double[n];
        for (int i = 0; i < n; i++) {
            double max = max(z, i, classes);
            double range = range(z, i, classes);
            for (int c = 0; c < classes; c++) {
                double dc = Math.abs(z[i * classes + c] - max);
                probsTol[i * classes + c] = 2 * Tensors.U * ref.probs()[i * classes + c] * (dc + range + classes + 2);
            }
            double logSum = ref.loss()[i] + (z[i * classes + labels[i]] - max);
            double dLabel = Math.abs(z[i * classes + labels[i]] - max);
            lossTol[i] = 2 * Tensors.U * (range + classes + logSum + dLabel + ref.loss()[i]);
        }
        return new Forward(probsTol, lossTol);
    }

    /** Σ_i loss[i] · scale: the quantity whose gradient {@link SoftmaxCrossEntropy#backward} computes. */
    public static double scaledLoss(double[] logits, int[] labels, int n, int classes, double scale) {
        double total = 0;
        for (double l : forward(logits, labels, n, classes).loss()) {
            total += l;
        }
        return scale * total;
    }

    /** dLogits[i][c] = scale · (probs[i][c] − [c == label[i]]). */
    public static double[] backward(double[] probs, int[] labels, int n, int classes, double scale) {
        double[] d = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                d[i * classes + c] = scale * (probs[i * classes + c] - (c == labels[i] ? 1 : 0));
            }
        }
        return d;
    }

    /** correct[i] = 1 if argmax_c logits[i][c] (the lowest such c on ties) is label[i], else 0. */
    public static int[] correct(double[] logits, int[] labels, int n, int classes) {
        int[] correct = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            correct[i] = best == labels[i] ? 1 : 0;
        }
        return correct;
    }

    /** The largest logit of example i. */
    public static double max(double[] logits, int i, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[i * classes + c]);
        }
        return max;
    }

    /** The largest minus the smallest logit of example i. */
    public static double range(double[] logits, int i, int classes) {
        double min = Double.POSITIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            min = Math.min(min, logits[i * classes + c]);
        }
        return max(logits, i, classes) - min;
    }
}
