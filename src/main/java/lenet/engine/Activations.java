package lenet.engine;

import lenet.kernels.BatchNorm;
import lenet.model.LeNet;
import lenet.model.Model;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Every buffer one training step needs for a batch (or shard) of {@code n} examples, batch-innermost.
 * Sigmoids run in place: {@code a1} holds conv1's output, then its sigmoid. Gradients {@code dX} have
 * the shape of X (on the JVM engine {@code da1}, {@code dp1}, {@code da2} and {@code dp2} overwrite
 * {@code a1}, {@code p1}, {@code a2} and {@code p2}: see {@link #Activations(Model, int, boolean)});
 * {@code grads} receives the parameter gradients of this batch. The partial sums of the sliced gradient stages ({@link KernelSet#sliced}) are {@code [slices][size of the tensor]}, with as many
 * slices as {@link LeNetGraph#slices} gives for n; an unsliced kernel set leaves them unused.
 *
 * <p>The activation fields keep their meaning in every {@link Model}: {@code a1} is conv1's output after its
 * activation (sigmoid or ReLU, after batch norm in {@code lenet-bn}), {@code p1} its pooling, and so on.
 * {@code lenet-relu} adds the max-pools' argmax, {@code lenet-bn} each batch norm's buffers ({@link Norm}).
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
    public final Model model;
    /** Whether the conv layers' gradients share their activations' buffers (see {@link #Activations(Model, int, boolean)}). */
    public final boolean gradientsInPlace;
    /** lenet-relu: the window position (0..3) of each max-pool output's maximum, shaped as p1 and p2; else null. */
    public final IntArray arg1, arg2;
    /** lenet-bn: the batch norms after conv1, conv2, fc1 and fc2; else null. */
    public final Norm bn1, bn2, bn3, bn4;

    /**
     * A batch norm's buffers for a tensor {@code [c][hw][n]}: its input z (the conv or linear output), the
     * normalised x̂ (kept for the backward pass), the batch mean and biased variance, the gradient dz
     * towards the layer below. The partial sums ({@code [slices][c][3]} statistics and {@code [slices][c][2]}
     * gradient sums) are this shard's own on one device; the JVM engine gives the shards of a batch shared
     * ones ({@link LeNetGraph.Split}).
     */
    public record Norm(int c, int hw, FloatArray z, FloatArray xhat, FloatArray mean, FloatArray var, FloatArray dz,
            FloatArray statsPart, FloatArray gradPart) {
        static Norm of(int c, int hw, int n, int sliceSize) {
            int slices = LeNetGraph.slices(n, sliceSize);
            return new Norm(c, hw, zeros(c * hw * n), zeros(c * hw * n), zeros(c), zeros(c), zeros(c * hw * n),
                    zeros(slices * c * 3), zeros(slices * c * 2));
        }
    }

    /** The buffers of {@code lenet} for n examples. */
    public Activations(int n) {
        this(Model.LENET, n);
    }

    public Activations(Model model, int n) {
        this(model, n, false);
    }

    /**
     * The buffers of {@code model} for n examples; with {@code gradientsInPlace}, each of the conv layers'
     * gradients shares a buffer with the activation it is the gradient of: {@code da1} and {@code da2} are
     * {@code a1} and {@code a2}, {@code dp1} and {@code dp2} are {@code p1} and {@code p2}. The pooling's
     * backward pass (sigmoid, ReLU, or before a batch norm) reads each activation just before it writes that
     * element's gradient; conv2's and fc1's input gradients are written after their weight gradients, the
     * last readers of p1 and p2 ({@link LeNetGraph}, which then takes no SGD step inside the backward pass);
     * nothing reads a step's activations after it. Four buffers fewer, 4.0 MB less for a 128-example shard,
     * which keeps more of a step's data in the caches of a CPU (the JVM engine's choice; TornadoVM gets
     * separate buffers, as it gets separate arguments).
     */
    public Activations(Model model, int n, boolean gradientsInPlace) {
        this.n = n;
        this.gradientsInPlace = gradientsInPlace;
        this.model = model;
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
        dp2 = gradientsInPlace ? p2 : zeros(LeNet.FLAT * n);
        da2 = gradientsInPlace ? a2 : zeros(LeNet.C2 * LeNet.H2 * LeNet.H2 * n);
        dp1 = gradientsInPlace ? p1 : zeros(LeNet.C1 * LeNet.P1 * LeNet.P1 * n);
        da1 = gradientsInPlace ? a1 : zeros(LeNet.C1 * LeNet.H1 * LeNet.H1 * n);
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
        boolean max = model.pool() == Model.Pool.MAX;
        arg1 = max ? ints(LeNet.C1 * LeNet.P1 * LeNet.P1 * n) : null;
        arg2 = max ? ints(LeNet.C2 * LeNet.P2 * LeNet.P2 * n) : null;
        boolean bn = model.batchNorm();
        bn1 = bn ? Norm.of(LeNet.C1, LeNet.H1 * LeNet.H1, n, BatchNorm.CONV1_SLICE) : null;
        bn2 = bn ? Norm.of(LeNet.C2, LeNet.H2 * LeNet.H2, n, BatchNorm.CONV2_SLICE) : null;
        bn3 = bn ? Norm.of(LeNet.F1, 1, n, BatchNorm.LINEAR_SLICE) : null;
        bn4 = bn ? Norm.of(LeNet.F2, 1, n, BatchNorm.LINEAR_SLICE) : null;
    }

    /** Batch norm l (0..3 for bn1..bn4), or null when the model has none. */
    public Norm norm(int l) {
        return switch (l) {
            case 0 -> bn1;
            case 1 -> bn2;
            case 2 -> bn3;
            case 3 -> bn4;
            default -> throw new IllegalArgumentException("no batch norm " + l);
        };
    }

    private static IntArray ints(int size) {
        IntArray a = new IntArray(size);
        a.init(0);
        return a;
    }

    private static FloatArray zeros(int size) {
        FloatArray a = new FloatArray(size);
        a.init(0.0f);
        return a;
    }
}
