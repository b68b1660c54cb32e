package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Softmax cross-entropy over {@code classes} logits (PyTorch's {@code CrossEntropyLoss}), and the
 * correct-prediction count.
 *
 * <p>Shapes: logits and probabilities {@code [classes][n]}, labels {@code [n]} (0 ≤ label &lt; classes),
 * per-example losses {@code [n]}.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * The class with the largest logit of example i (ties go to the lowest class, as {@code argmax}
     * does). A helper of the kernels below, inlined into each: one work-item's sequential loop.
     */
    static int argmax(FloatArray logits, int i, int n, int classes) {
        int best = 0;
        float bestValue = logits.get(i);
        for (int c = 1; c < classes; c++) {
            float v = logits.get(c * n + i);
            if (v > bestValue) {
                bestValue = v;
                best = c;
            }
        }
        return best;
    }

    /**
     * probs[·][i] = softmax(logits[·][i]), computed stably from the largest logit {@code max}; returns
     * log Σ_c e^(z_c − max), so that the loss is that minus (z_label − max). A helper of the kernels below.
     */
    static float softmax(FloatArray logits, FloatArray probs, int i, int n, int classes, float max) {
        float sum = 0.0f;
        for (int c = 0; c < classes; c++) {
            float e = TornadoMath.exp(logits.get(c * n + i) - max);
            probs.set(c * n + i, e);
            sum += e;
        }
        for (int c = 0; c < classes; c++) {
            probs.set(c * n + i, probs.get(c * n + i) / sum);
        }
        return TornadoMath.log(sum);
    }

    /**
     * probs[c][i] = softmax(logits[·][i])[c] and loss[i] = −log probs[label[i]][i], computed stably
     * (subtract the max logit; loss = log Σ e^(z−max) − (z_label − max)). Threads: one per example.
     */
    public static void forward(FloatArray logits, IntArray labels, FloatArray probs, FloatArray loss, int n, int classes) {
        for (@Parallel int i = 0; i < n; i++) {
            float max = logits.get(argmax(logits, i, n, classes) * n + i);
            float logSum = softmax(logits, probs, i, n, classes, max);
            loss.set(i, logSum - (logits.get(labels.get(i) * n + i) - max));
        }
    }

    /**
     * {@link #forward} and {@link #correct} in one kernel: probabilities, per-example loss and
     * correctness (evaluation and inference). Threads: one per example.
     */
    public static void evaluate(FloatArray logits, IntArray labels, FloatArray probs, FloatArray loss, IntArray correct, int n, int classes) {
        for (@Parallel int i = 0; i < n; i++) {
            int label = labels.get(i);
            int best = argmax(logits, i, n, classes);
            float max = logits.get(best * n + i);
            float logSum = softmax(logits, probs, i, n, classes, max);
            loss.set(i, logSum - (logits.get(label * n + i) - max));
            correct.set(i, best == label ? 1 : 0);
        }
    }

    /**
     * {@link #forward}, {@link #correct} and {@link #backward} in one kernel, the loss of a training
     * step: probabilities, per-example loss and correctness, and dLogits[c][i] = scale · (probs[c][i] −
     * [c == label[i]]). Threads: one per example; each reads its 10 logits once.
     */
    public static void forwardBackward(FloatArray logits, IntArray labels, FloatArray probs, FloatArray loss, IntArray correct,
            FloatArray dLogits, int n, int classes, float scale) {
        for (@Parallel int i = 0; i < n; i++) {
            int label = labels.get(i);
            int best = argmax(logits, i, n, classes);
            float max = logits.get(best * n + i);
            float logSum = softmax(logits, probs, i, n, classes, max);
            for (int c = 0; c < classes; c++) {
                float target = c == label ? 1.0f : 0.0f;
                dLogits.set(c * n + i, scale * (probs.get(c * n + i) - target));
            }
            loss.set(i, logSum - (logits.get(label * n + i) - max));
            correct.set(i, best == label ? 1 : 0);
        }
    }

    /**
     * dLogits[c][i] = scale · (probs[c][i] − [c == label[i]]): the gradient of scale · Σ_i loss[i].
     * With scale = 1/B for a batch of B examples this is the gradient of the mean loss, also when the
     * batch is split into shards of n &lt; B examples. Threads: one per logit, classes × n.
     */
    public static void backward(FloatArray probs, IntArray labels, FloatArray dLogits, int n, int classes, float scale) {
        for (@Parallel int c = 0; c < classes; c++) {
            for (@Parallel int i = 0; i < n; i++) {
                float target = labels.get(i) == c ? 1.0f : 0.0f;
                dLogits.set(c * n + i, scale * (probs.get(c * n + i) - target));
            }
        }
    }

    /**
     * correct[i] = 1 if the largest logit of example i is its label, else 0 (ties go to the lowest
     * class, as {@code argmax} does). Threads: one per example.
     */
    public static void correct(FloatArray logits, IntArray labels, IntArray correct, int n, int classes) {
        for (@Parallel int i = 0; i < n; i++) {
            correct.set(i, argmax(logits, i, n, classes) == labels.get(i) ? 1 : 0);
        }
    }

    /**
     * The step's bookkeeping in one task: totals[0] += Σ_i loss[i], totals[1] += Σ_i correct[i] (stage 2
     * of the loss and correct totals, whose stage 1 is the per-example loss kernel; the examples are
     * added in order), then cursor[0] += advance (to the next batch; 0 where the host sets the cursor).
     * The totals are running sums for the epoch, kept where the kernels run so they cross to the host
     * only when a progress line needs them; they restart when the batch is the first of its pass
     * ({@code cursor[0] == 0}, see {@link Batch}). One thread (no {@code @Parallel} loop): 2·n loads,
     * and a single owner needs no atomics.
     */
    public static void accumulate(FloatArray loss, IntArray correct, IntArray cursor, FloatArray totals, int n, int advance) {
        float l = 0.0f;
        float c = 0.0f;
        for (int i = 0; i < n; i++) {
            l += loss.get(i);
            c += correct.get(i);
        }
        int at = cursor.get(0);
        if (at == 0) {
            totals.set(0, l);
            totals.set(1, c);
        } else {
            totals.set(0, totals.get(0) + l);
            totals.set(1, totals.get(1) + c);
        }
        cursor.set(0, at + advance);
    }
}
