package lenet.engine;

import lenet.model.LeNet;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Every buffer one training step needs for a batch (or shard) of {@code n} examples, batch-innermost.
 * Sigmoids run in place: {@code a1} holds conv1's output, then its sigmoid. Gradients {@code dX} have
 * the shape of X; {@code grads} receives the parameter gradients of this batch. The partial sums of the
 * sliced gradient stages ({@link KernelSet#sliced}) are {@code [slices][size of the tensor]}, with as many
 * slices as {@link LeNetGraph#slices} gives for n; an unsliced kernel set leaves them unused.
 */
public final class Activations {
    public final int n;
    public final FloatArray x;          // [1][28][28][n] input
    public final IntArray labels;       // [n]
    public final FloatArray a1;         // [6][28][28][n]  conv1 → sigmoid
    public final FloatArray p1;         // [6][14][14][n]  conv1 → sigmoid → pool
    public final FloatArray a2;         // [16][10][10][n] conv2 → sigmoid
    public final FloatArray p2;         // [16][5][5][n] = [400][n] conv2 → sigmoid → pool, flattened for free
    public final FloatArray a3;         // [120][n]        fc1 → sigmoid
    public final FloatArray a4;         // [84][n]         fc2 → sigmoid
    public final FloatArray logits;     // [10][n]
    public final FloatArray probs;      // [10][n]
    public final FloatArray loss;       // [n] per-example loss
    public final IntArray correct;      // [n] 1 where argmax(logits) == label
    public final FloatArray dLogits, da4, da3, dp2, da2, dp1, da1;
    public final FloatArray dx;         // [1][28][28][n], only filled when the input gradient is asked for
    public final FloatArray c1wPart, c1bPart, c2wPart, c2bPart;          // [slices][6·1·5·5], [slices][6], ...
    public final FloatArray f1wPart, f1bPart, f2wPart, f2bPart, f3wPart, f3bPart;

    public Activations(int n) {
        this.n = n;
        x = zeros(LeNet.PIXELS * n);
        labels = new IntArray(n);
        labels.init(0);
        a1 = zeros(LeNet.C1 * LeNet.H1 * LeNet.H1 * n);
        p1 = zeros(LeNet.C1 * LeNet.P1 * LeNet.P1 * n);
        a2 = zeros(LeNet.C2 * LeNet.H2 * LeNet.H2 * n);
        p2 = zeros(LeNet.FLAT * n);
        a3 = zeros(LeNet.F1 * n);
        a4 = zeros(LeNet.F2 * n);
        logits = zeros(LeNet.CLASSES * n);
        probs = zeros(LeNet.CLASSES * n);
        loss = zeros(n);
        correct = new IntArray(n);
        correct.init(0);
        dLogits = zeros(LeNet.CLASSES * n);
        da4 = zeros(LeNet.F2 * n);
        da3 = zeros(LeNet.F1 * n);
        dp2 = zeros(LeNet.FLAT * n);
        da2 = zeros(LeNet.C2 * LeNet.H2 * LeNet.H2 * n);
        dp1 = zeros(LeNet.C1 * LeNet.P1 * LeNet.P1 * n);
        da1 = zeros(LeNet.C1 * LeNet.H1 * LeNet.H1 * n);
        dx = zeros(LeNet.PIXELS * n);
        int s1 = LeNetGraph.slices(n, LeNetGraph.CONV1_SLICE);
        int s2 = LeNetGraph.slices(n, LeNetGraph.CONV2_SLICE);
        int sf = LeNetGraph.slices(n, LeNetGraph.LINEAR_SLICE);
        c1wPart = zeros(s1 * LeNet.C1 * LeNet.KERNEL * LeNet.KERNEL);
        c1bPart = zeros(s1 * LeNet.C1);
        c2wPart = zeros(s2 * LeNet.C2 * LeNet.C1 * LeNet.KERNEL * LeNet.KERNEL);
        c2bPart = zeros(s2 * LeNet.C2);
        f1wPart = zeros(sf * LeNet.F1 * LeNet.FLAT);
        f1bPart = zeros(sf * LeNet.F1);
        f2wPart = zeros(sf * LeNet.F2 * LeNet.F1);
        f2bPart = zeros(sf * LeNet.F2);
        f3wPart = zeros(sf * LeNet.CLASSES * LeNet.F2);
        f3bPart = zeros(sf * LeNet.CLASSES);
    }

    private static FloatArray zeros(int size) {
        FloatArray a = new FloatArray(size);
        a.init(0.0f);
        return a;
    }
}
