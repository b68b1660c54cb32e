package lenet.kernels;

import static lenet.kernels.Tensors.U;
import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.gamma;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link SoftmaxCrossEntropy}'s kernels against {@link SoftmaxCrossEntropyReference}, plus the semantics the
 * trainer relies on: the gradient is that of scale·Σ loss (so shards of a batch add up to the batch's
 * gradient), argmax ties go to the lowest class, totals accumulate, and huge logits stay finite.
 *
 * <p>Tolerances of forward: {@link SoftmaxCrossEntropyReference#forwardTolerance} (first-order bounds of the
 * kernel's float evaluation, doubled for margin).
 */
class SoftmaxCrossEntropyTest {

    record Shape(String name, int n, int classes) {
        @Override
        public String toString() {
            return String.format("%s n=%d classes=%d", name, n, classes);
        }
    }

    static Stream<Shape> shapes() {
        return Stream.of(new Shape("one example", 1, LeNet.CLASSES), new Shape("odd", 3, LeNet.CLASSES),
                new Shape("three classes", 5, 3), new Shape("batch 256", 256, LeNet.CLASSES));
    }

    /** The kernel's forward outputs, converted to the reference's layouts. */
    record Kernel(float[] probs, float[] loss) {
    }

    /** Runs {@link SoftmaxCrossEntropy#forward} on logits {@code [n][classes]}; checks it writes every output. */
    static Kernel forward(float[] logits, int[] labels, int n, int classes) {
        FloatArray probs = nanFilled(n * classes);
        FloatArray loss = nanFilled(n);
        float[] logitsCn = toBatchInnermost(logits, n, classes);
        FloatArray logitsArray = device(logitsCn);
        SoftmaxCrossEntropy.forward(logitsArray, IntArray.fromArray(labels), probs, loss, n, classes);
        Tensors.assertUnchanged("logits", logitsCn, logitsArray);
        return new Kernel(toBatchOutermost(host(probs), n, classes), host(loss));
    }

    /** Runs {@link SoftmaxCrossEntropy#backward} on probabilities {@code [n][classes]}; returns {@code [n][classes]}. */
    static float[] backward(float[] probs, int[] labels, int n, int classes, float scale) {
        FloatArray d = nanFilled(n * classes);
        SoftmaxCrossEntropy.backward(device(toBatchInnermost(probs, n, classes)), IntArray.fromArray(labels), d, n, classes, scale);
        return toBatchOutermost(host(d), n, classes);
    }

    /** Compares the kernel's forward with the reference under the tolerances of the class comment. */
    static void assertForwardClose(String what, float[] logits, int[] labels, int n, int classes) {
        assertForwardClose(what, forward(logits, labels, n, classes), logits, labels, n, classes);
    }

    static void assertForwardClose(String what, Kernel k, float[] logits, int[] labels, int n, int classes) {
        double[] z = toDouble(logits);
        SoftmaxCrossEntropyReference.Forward ref = SoftmaxCrossEntropyReference.forward(z, labels, n, classes);
        SoftmaxCrossEntropyReference.Forward tol = SoftmaxCrossEntropyReference.forwardTolerance(z, labels, n, classes, ref);
        double[] probsTol = tol.probs();
        double[] lossTol = tol.loss();
        Tensors.assertClose(what + " probs", k.probs(), ref.probs(), probsTol, new int[] {n, classes}, "[i,c]");
        Tensors.assertClose(what + " loss", k.loss(), ref.loss(), lossTol, new int[] {n}, "[i]");
    }

    /** Logits in [−8, 8): probabilities from 1e-7 to 1, as a trained or untrained network gives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forward(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] logits = Tensors.uniform(r, s.n() * s.classes(), -8, 8);
        int[] labels = Tensors.uniformInts(r, s.n(), s.classes());
        assertForwardClose("SoftmaxCrossEntropy.forward " + s, logits, labels, s.n(), s.classes());
    }

    /**
     * The fused loss kernels, {@link SoftmaxCrossEntropy#evaluate} (forward and correct) and
     * {@link SoftmaxCrossEntropy#forwardBackward} (forward, correct and backward): probabilities and loss
     * under {@link #forward}'s tolerances, correctness equal to the reference's argmax, and dLogits under
     * {@link #backward}'s tolerance (γ(2) of the reference gradient of the kernel's own probabilities).
     * Every output must be written (NaN- and −1-filled beforehand).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void fusedKernels(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        int n = s.n();
        int classes = s.classes();
        float[] logits = Tensors.uniform(r, n * classes, -8, 8);
        int[] labels = Tensors.uniformInts(r, n, classes);
        float scale = 1f / 3;
        int[] refCorrect = SoftmaxCrossEntropyReference.correct(toDouble(logits), labels, n, classes);
        for (boolean withBackward : new boolean[] {false, true}) {
            String what = withBackward ? "SoftmaxCrossEntropy.forwardBackward " + s : "SoftmaxCrossEntropy.evaluate " + s;
            FloatArray probs = nanFilled(n * classes);
            FloatArray loss = nanFilled(n);
            IntArray correct = new IntArray(n);
            correct.init(-1);
            FloatArray dLogits = nanFilled(n * classes);
            FloatArray z = device(toBatchInnermost(logits, n, classes));
            if (withBackward) {
                SoftmaxCrossEntropy.forwardBackward(z, IntArray.fromArray(labels), probs, loss, correct, dLogits, n, classes, scale);
            } else {
                SoftmaxCrossEntropy.evaluate(z, IntArray.fromArray(labels), probs, loss, correct, n, classes);
            }
            float[] p = toBatchOutermost(host(probs), n, classes);
            assertForwardClose(what, new Kernel(p, host(loss)), logits, labels, n, classes);
            assertArrayEquals(refCorrect, correct.toHeapArray(), what + ": correct");
            if (withBackward) {
                double[] ref = SoftmaxCrossEntropyReference.backward(toDouble(p), labels, n, classes, scale);
                Tensors.assertClose(what + " dLogits", toBatchOutermost(host(dLogits), n, classes), ref,
                        Tensors.relativeTolerance(ref, 2), new int[] {n, classes}, "[i,c]");
            }
        }
    }

    /**
     * Tolerance γ(2)·|reference|: p − [c == label] rounds once at most (not at all when the target is 0 or
     * p ≥ ½), the product with scale once. scale = 1/3 is not a power of two, so it rounds too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backward(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] logits = Tensors.uniform(r, s.n() * s.classes(), -8, 8);
        int[] labels = Tensors.uniformInts(r, s.n(), s.classes());
        float scale = 1f / 3;
        float[] probs = forward(logits, labels, s.n(), s.classes()).probs();

        float[] d = backward(probs, labels, s.n(), s.classes(), scale);

        double[] ref = SoftmaxCrossEntropyReference.backward(toDouble(probs), labels, s.n(), s.classes(), scale);
        Tensors.assertClose("SoftmaxCrossEntropy.backward " + s, d, ref, Tensors.relativeTolerance(ref, 2),
                new int[] {s.n(), s.classes()}, "[i,c]");
    }

    /**
     * forward then backward with scale = 1/B give the gradient of the mean loss over a batch of B, checked
     * against central differences of the reference's mean loss (step h = 1e-3 in double).
     *
     * <p>Tolerance 1e-5·scale: the kernels' float error is below 1e-6·scale by the bounds above, the
     * truncation error of the central difference is h²/6·|∂³loss| ≤ 1e-7·scale (softmax's third derivatives
     * are below 1), and cancellation in double adds ~1e-16/h. A wrong scale, sign or target is off by the order of scale·p.
     */
    @Test
    void backwardIsTheGradientOfScaleTimesTheLossSum() {
        int n = 6;
        int classes = LeNet.CLASSES;
        SplittableRandom r = Tensors.random("gradient");
        float[] logits = Tensors.uniform(r, n * classes, -3, 3);
        int[] labels = Tensors.uniformInts(r, n, classes);
        float scale = 1f / n;

        float[] d = backward(forward(logits, labels, n, classes).probs(), labels, n, classes, scale);

        double[] z = toDouble(logits);
        double h = 1e-3;
        double[] numeric = new double[n * classes];
        for (int j = 0; j < z.length; j++) {
            double[] plus = z.clone();
            double[] minus = z.clone();
            plus[j] += h;
            minus[j] -= h;
            numeric[j] = (SoftmaxCrossEntropyReference.scaledLoss(plus, labels, n, classes, scale)
                    - SoftmaxCrossEntropyReference.scaledLoss(minus, labels, n, classes, scale)) / (2 * h);
        }
        double[] tol = new double[numeric.length];
        Arrays.fill(tol, 1e-5 * scale);
        Tensors.assertClose("SoftmaxCrossEntropy.backward vs central differences", d, numeric, tol, new int[] {n, classes}, "[i,c]");
    }

    /**
     * A batch of B split into shards of n < B examples, each shard's backward run with scale 1/B, gives exactly
     * the whole batch's gradient: every example's gradient depends on that example alone.
     */
    @Test
    void shardsWithScaleOneOverBatchGiveTheBatchGradient() {
        int batch = 8;
        int classes = LeNet.CLASSES;
        SplittableRandom r = Tensors.random("shards");
        float[] logits = Tensors.uniform(r, batch * classes, -8, 8);
        int[] labels = Tensors.uniformInts(r, batch, classes);
        float scale = 1f / batch;

        float[] whole = backward(forward(logits, labels, batch, classes).probs(), labels, batch, classes, scale);

        float[] sharded = new float[batch * classes];
        int[] sizes = {3, 5};
        int first = 0;
        for (int n : sizes) {
            float[] shardLogits = Arrays.copyOfRange(logits, first * classes, (first + n) * classes);
            int[] shardLabels = Arrays.copyOfRange(labels, first, first + n);
            float[] d = backward(forward(shardLogits, shardLabels, n, classes).probs(), shardLabels, n, classes, scale);
            System.arraycopy(d, 0, sharded, first * classes, n * classes);
            first += n;
        }
        assertArrayEquals(whole, sharded, "shards of 3 and 5 with scale 1/8 differ from the batch of 8");
    }

    /** correct against the reference's argmax, on logits drawn from {−2, …, 2} so that ties are frequent. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void correct(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        int[] ints = Tensors.uniformInts(r, s.n() * s.classes(), 5);
        float[] logits = new float[ints.length];
        for (int j = 0; j < ints.length; j++) {
            logits[j] = ints[j] - 2;
        }
        int[] labels = Tensors.uniformInts(r, s.n(), s.classes());

        int[] kernel = correct(logits, labels, s.n(), s.classes());

        int[] ref = SoftmaxCrossEntropyReference.correct(toDouble(logits), labels, s.n(), s.classes());
        assertArrayEquals(ref, kernel, "SoftmaxCrossEntropy.correct " + s + ": kernel " + Arrays.toString(kernel)
                + ", reference " + Arrays.toString(ref));
    }

    /** Runs {@link SoftmaxCrossEntropy#correct} on logits {@code [n][classes]}; checks it writes every output. */
    static int[] correct(float[] logits, int[] labels, int n, int classes) {
        IntArray out = new IntArray(n);
        out.init(-1);
        SoftmaxCrossEntropy.correct(device(toBatchInnermost(logits, n, classes)), IntArray.fromArray(labels), out, n, classes);
        int[] c = out.toHeapArray();
        for (int i = 0; i < n; i++) {
            assertTrue(c[i] == 0 || c[i] == 1, "correct[" + i + "] = " + c[i] + ", expected 0 or 1 (−1: not written)");
        }
        return c;
    }

    @Test
    void correctBreaksTiesTowardsTheLowestClass() {
        int classes = LeNet.CLASSES;
        float[] logits = new float[4 * classes];
        // example 0: all equal → class 0
        // example 1: classes 3 and 7 share the maximum → class 3
        logits[classes + 3] = 2f;
        logits[classes + 7] = 2f;
        // example 2: same, with label 7 → wrong
        logits[2 * classes + 3] = 2f;
        logits[2 * classes + 7] = 2f;
        // example 3: all equal, label 1 → wrong
        int[] labels = {0, 3, 7, 1};
        assertArrayEquals(new int[] {1, 1, 0, 0}, correct(logits, labels, 4, classes));
    }

    /**
     * totals[0] += Σ loss, totals[1] += Σ correct: the first batch of a pass (cursor 0) restarts the sums,
     * whatever they held; the next batch (cursor n) adds to them; the cursor moves on by {@code advance}.
     *
     * <p>Tolerance for the loss total: γ(2n)·Σ loss, the worst case of a float sum of 2n terms. Counts are
     * small integers, exact in float.
     */
    @Test
    void accumulateRestartsAtCursorZeroThenAdds() {
        int n = 256;
        SplittableRandom r = Tensors.random("accumulate");
        FloatArray totals = device(new float[] {3.5f, 7f});   // left over from an earlier pass
        IntArray cursor = IntArray.fromArray(new int[] {0});
        double expectedLoss = 0;
        double expectedCount = 0;
        for (int call = 0; call < 2; call++) {
            float[] loss = Tensors.uniform(r, n, 0, 5);
            int[] correct = Tensors.uniformInts(r, n, 2);
            cursor.set(0, call * n);
            SoftmaxCrossEntropy.accumulate(device(loss), IntArray.fromArray(correct), cursor, totals, n, n);
            assertEquals((call + 1) * n, cursor.get(0), "after call " + (call + 1) + ": the cursor moves to the next batch");
            for (int i = 0; i < n; i++) {
                expectedLoss += loss[i];
                expectedCount += correct[i];
            }
            float[] t = host(totals);
            double tol = gamma(2 * n) * expectedLoss;
            double error = Math.abs(t[0] - expectedLoss);
            assertTrue(error <= tol, String.format("after call %d: loss total %.9g, expected %.9g: |error| %.3e > tolerance %.3e",
                    call + 1, t[0], expectedLoss, error, tol));
            assertEquals(expectedCount, t[1], 0.0, "after call " + (call + 1) + ": correct total");
        }
    }

    /**
     * Logits of ±1000 (e^1000 overflows float and double) give finite probabilities and losses, equal to the
     * reference's, and finite gradients.
     */
    @Test
    void hugeLogitsStayFinite() {
        int classes = LeNet.CLASSES;
        int n = 5;
        float[] logits = new float[n * classes];
        Arrays.fill(logits, -1000f);
        logits[0] = 1000f;                        // example 0: class 0 dominates, label 0 → loss 0
        logits[classes] = 1000f;                  // example 1: class 0 dominates, label 1 → loss 2000
        Arrays.fill(logits, 2 * classes, 3 * classes, 1000f);  // example 2: all 1000 → uniform, loss log 10
        logits[3 * classes + 3] = 1000f;          // example 3: classes 3 and 5 tie at 1000 → loss log 2
        logits[3 * classes + 5] = 1000f;
        // example 4: all −1000 → uniform, loss log 10
        int[] labels = {0, 1, 4, 3, 9};

        Kernel k = forward(logits, labels, n, classes);
        for (int j = 0; j < k.probs().length; j++) {
            assertTrue(Float.isFinite(k.probs()[j]), "probs " + Tensors.at(j, new int[] {n, classes}) + " = " + k.probs()[j]);
        }
        for (int i = 0; i < n; i++) {
            assertTrue(Float.isFinite(k.loss()[i]), "loss[" + i + "] = " + k.loss()[i]);
        }
        assertForwardClose("SoftmaxCrossEntropy.forward, logits ±1000", logits, labels, n, classes);
        assertEquals(0f, k.loss()[0], "loss of a certain, right prediction");
        assertEquals(2000f, k.loss()[1], "loss of a certain, wrong prediction");
        float[] d = backward(k.probs(), labels, n, classes, 1f / n);
        for (int j = 0; j < d.length; j++) {
            assertTrue(Float.isFinite(d[j]), "dLogits " + Tensors.at(j, new int[] {n, classes}) + " = " + d[j]);
        }
    }
}
