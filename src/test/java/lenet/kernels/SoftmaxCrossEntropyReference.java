package lenet.kernels;

/**
 * Host reference for {@link SoftmaxCrossEntropy} in double precision, as plain loops (a softmax per
 * example: nothing for EJML to do). Layouts: logits, probabilities and their gradients
 * {@code [n][classes]} (one row per example), labels and losses {@code [n]}.
 */
final class SoftmaxCrossEntropyReference {
    private SoftmaxCrossEntropyReference() {
    }

    /** Probabilities {@code [n][classes]} and per-example losses {@code [n]}. */
    record Forward(double[] probs, double[] loss) {
    }

    /**
     * probs[i][c] = e^z[i][c] / Σ_c' e^z[i][c'] and loss[i] = −log probs[i][label[i]], evaluated with the
     * largest logit subtracted first (double overflows too, at e^710).
     */
    static Forward forward(double[] logits, int[] labels, int n, int classes) {
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

    /** Σ_i loss[i] · scale: the quantity whose gradient {@link SoftmaxCrossEntropy#backward} computes. */
    static double scaledLoss(double[] logits, int[] labels, int n, int classes, double scale) {
        double total = 0;
        for (double l : forward(logits, labels, n, classes).loss()) {
            total += l;
        }
        return scale * total;
    }

    /** dLogits[i][c] = scale · (probs[i][c] − [c == label[i]]). */
    static double[] backward(double[] probs, int[] labels, int n, int classes, double scale) {
        double[] d = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                d[i * classes + c] = scale * (probs[i * classes + c] - (c == labels[i] ? 1 : 0));
            }
        }
        return d;
    }

    /** correct[i] = 1 if argmax_c logits[i][c] (the lowest such c on ties) is label[i], else 0. */
    static int[] correct(double[] logits, int[] labels, int n, int classes) {
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
    static double max(double[] logits, int i, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[i * classes + c]);
        }
        return max;
    }

    /** The largest minus the smallest logit of example i. */
    static double range(double[] logits, int i, int classes) {
        double min = Double.POSITIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            min = Math.min(min, logits[i * classes + c]);
        }
        return max(logits, i, classes) - min;
    }
}
