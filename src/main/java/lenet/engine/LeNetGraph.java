package lenet.engine;

import static lenet.model.LeNet.C1;
import static lenet.model.LeNet.C2;
import static lenet.model.LeNet.CLASSES;
import static lenet.model.LeNet.F1;
import static lenet.model.LeNet.F2;
import static lenet.model.LeNet.FLAT;
import static lenet.model.LeNet.H1;
import static lenet.model.LeNet.H2;
import static lenet.model.LeNet.IMAGE;
import static lenet.model.LeNet.KERNEL;
import static lenet.model.LeNet.P1;
import static lenet.model.LeNet.PAD1;

import java.util.ArrayList;
import java.util.List;

import lenet.kernels.BatchNorm;
import lenet.kernels.Partials;
import lenet.kernels.Sgd;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A LeNet training step as a sequence of kernel calls, written once for every engine. Each method
 * appends tasks to a {@link TaskSink}; task ids name the layer and the kernel ({@code conv1.forwardSigmoidPool}).
 *
 * <p>The step is shaped for a GPU: an activation is computed in the epilogue of the kernel that
 * produces its input (a convolution with its sigmoid and pooling, a linear layer with its sigmoid), its
 * derivative in the backward kernel that consumes it, and every gradient that sums over the batch is a
 * two-stage sum: {@code backwardPartials} over slices of {@code *_SLICE} examples, then a kernel adding
 * the slices in order ({@link Partials#sum}, or {@link Sgd#sumAndUpdate} which also takes the SGD step).
 * The slice sizes keep every work-item of the step at batch 256 under 4,096 global loads.
 */
public final class LeNetGraph {
    /** Examples per slice of conv1's gradient sums: 2 examples × 28·28 pixels × 2 loads = 3,136 loads a work-item. */
    public static final int CONV1_SLICE = 2;
    /** Examples per slice of conv2's gradient sums: 8 × 10·10 × 2 = 1,600 loads a work-item. */
    public static final int CONV2_SLICE = 8;
    /** Examples per slice of a linear layer's gradient sums: 32 × 2 = 64 loads a work-item. */
    public static final int LINEAR_SLICE = 32;

    private LeNetGraph() {
    }

    /** The number of slices of {@code examplesPerSlice} examples (the last may be short) that cover n examples. */
    public static int slices(int n, int examplesPerSlice) {
        return (n + examplesPerSlice - 1) / examplesPerSlice;
    }

    /**
     * Which part of a batch of {@code batch} examples a program runs: the whole batch on one device
     * ({@link #whole}); on the JVM engine shard {@code index} of it ({@link #shards}). Only batch norm
     * cares: its statistics and its backward sums are over the whole batch, so each shard writes its slices
     * of the partial sums into buffers all shards of the batch share ({@link Part}: at slice {@code first}
     * of {@code total}), the shards meet ({@link TaskSink#join}), and each combines all the slices. Shard 0
     * alone updates the running estimates.
     */
    public record Split(int batch, int index, List<Part> parts) {
        /** One batch norm's partial sums: slices of {@code sliceSize} examples, this shard's from {@code first}, {@code total} in all. */
        public record Part(int sliceSize, int first, int total, FloatArray stats, FloatArray grads) {
        }

        /** The whole batch of {@code b} on one device, with the batch norms' own partial buffers. */
        public static Split whole(KernelSet k, Activations b) {
            List<Part> parts = new ArrayList<>();
            if (b.model.batchNorm()) {
                for (int l = 0; l < 4; l++) {
                    int size = NORM_SLICES[l];
                    Activations.Norm nb = b.norm(l);
                    parts.add(new Part(size, 0, slices(b.n, size), nb.statsPart(), nb.gradPart()));
                }
            }
            return new Split(b.n, 0, parts);
        }

        /** A batch cut into shards of the given sizes, in order: one split per shard, sharing the partial buffers. */
        public static List<Split> shards(Model model, KernelSet k, int[] sizes) {
            int batch = 0;
            for (int n : sizes) {
                batch += n;
            }
            List<List<Part>> parts = new ArrayList<>();
            for (int t = 0; t < sizes.length; t++) {
                parts.add(new ArrayList<>());
            }
            if (model.batchNorm()) {
                for (int l = 0; l < 4; l++) {
                    int total = 0;
                    for (int n : sizes) {
                        total += slices(n, NORM_SLICES[l]);
                    }
                    FloatArray stats = zeros(total * NORM_CHANNELS[l] * 3);
                    FloatArray grads = zeros(total * NORM_CHANNELS[l] * 2);
                    int first = 0;
                    for (int t = 0; t < sizes.length; t++) {
                        int size = NORM_SLICES[l];
                        parts.get(t).add(new Part(size, first, total, stats, grads));
                        first += slices(sizes[t], size);
                    }
                }
            }
            List<Split> splits = new ArrayList<>();
            for (int t = 0; t < sizes.length; t++) {
                splits.add(new Split(batch, t, List.copyOf(parts.get(t))));
            }
            return splits;
        }

        private static FloatArray zeros(int size) {
            FloatArray a = new FloatArray(size);
            a.init(0.0f);
            return a;
        }
    }

    /**
     * Examples per slice of the batch norms' sums, bn1..bn4, with every kernel set: a single float sum over a
     * whole batch (256 · 784 values for bn1) would lose the statistics' precision (PyTorch sums them in
     * double on the CPU); slices of a few thousand values each, added in a second stage, keep it.
     */
    static final int[] NORM_SLICES = {BatchNorm.CONV1_SLICE, BatchNorm.CONV2_SLICE, BatchNorm.LINEAR_SLICE, BatchNorm.LINEAR_SLICE};
    /** Channels (features) of bn1..bn4. */
    static final int[] NORM_CHANNELS = {C1, C2, F1, F2};

    /**
     * Forward pass for evaluation and inference: input {@code b.x} → {@code b.logits}, then per-example
     * probabilities, loss and correctness (one kernel). Batch norms use their running estimates.
     */
    public static void forward(TaskSink g, KernelSet k, Params w, Activations b) {
        layers(g, k, w, b, null);
        g.task("loss.evaluate", SoftmaxCrossEntropy::evaluate, b.logits, b.labels, b.probs, b.loss, b.correct, b.n, CLASSES);
    }

    /**
     * The forward pass of training, before {@link #backward}: as {@link #forward}, but batch norms
     * normalise with the statistics of the batch {@code s} (and shard 0 updates their running estimates).
     */
    public static void forward(TaskSink g, KernelSet k, Params w, Activations b, Split s) {
        layers(g, k, w, b, s);
        g.task("loss.evaluate", SoftmaxCrossEntropy::evaluate, b.logits, b.labels, b.probs, b.loss, b.correct, b.n, CLASSES);
    }

    /**
     * Backward pass of the loss {@code scale · Σ_i loss[i]} (scale = 1/B for the mean over a batch of B,
     * also when this is a shard of it), after {@link #forward}: parameter gradients into {@code grads}; with
     * {@code inputGradient} also the gradient with respect to the input image, {@code b.dx} (training does
     * not need it). Batch norms' sums are over {@code b}'s examples.
     */
    public static void backward(TaskSink g, KernelSet k, Params w, Params grads, Activations b, float scale, boolean inputGradient) {
        backward(g, k, w, grads, b, Split.whole(k, b), scale, inputGradient);
    }

    /** {@link #backward} of a shard of the batch {@code s} (scale 1/B, B = s.batch()). */
    public static void backward(TaskSink g, KernelSet k, Params w, Params grads, Activations b, Split s, boolean inputGradient) {
        backward(g, k, w, grads, b, s, 1.0f / s.batch(), inputGradient);
    }

    private static void backward(TaskSink g, KernelSet k, Params w, Params grads, Activations b, Split s, float scale, boolean inputGradient) {
        g.task("loss.backward", SoftmaxCrossEntropy::backward, b.probs, b.labels, b.dLogits, b.n, CLASSES, scale);
        gradients(g, k, w, grads, b, s, inputGradient, false, 0.0f);
    }

    /**
     * SGD: every trained tensor −= lr · its gradient (after the gradients of several shards are summed),
     * with {@code k}'s SGD kernel. Running estimates are not trained.
     */
    public static void update(TaskSink g, KernelSet k, Params w, Params grads, float lr) {
        List<FloatArray> p = w.tensors();
        List<FloatArray> d = grads.tensors();
        List<LeNet.Param> specs = w.model.params();
        for (int j = 0; j < p.size(); j++) {
            if (specs.get(j).role().trained()) {
                g.task("sgd." + specs.get(j).name(), k.sgd(), p.get(j), d.get(j), lr, p.get(j).getSize());
            }
        }
    }

    /**
     * A whole SGD step on one batch, in the fewest launches: {@link #forward}'s layers, the loss forward,
     * correct count and backward as one kernel ({@code scale} as in {@link #backward}), then
     * {@link #backward}'s gradients (into {@code grads}) with each layer's last reduction stage also taking
     * the SGD step on that layer's parameters. For an engine that does not sum gradients across shards.
     */
    public static void step(TaskSink g, KernelSet k, Params w, Params grads, Activations b, float scale, float lr) {
        Split s = Split.whole(k, b);
        layers(g, k, w, b, s);
        g.task("loss.forwardBackward", SoftmaxCrossEntropy::forwardBackward, b.logits, b.labels, b.probs, b.loss, b.correct, b.dLogits,
                b.n, CLASSES, scale);
        gradients(g, k, w, grads, b, s, false, true, lr);
    }

    /** The layers of the forward pass: {@code b.x} → {@code b.logits}; {@code s} null in evaluation. */
    private static void layers(TaskSink g, KernelSet k, Params w, Activations b, Split s) {
        int n = b.n;
        switch (w.model) {
            case LENET -> {
                g.task("conv1.forwardSigmoidPool", k.convForwardSigmoidPool(), b.x, w.c1w, w.c1b, b.a1, b.p1, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
                g.task("conv2.forwardSigmoidPool", k.convForwardSigmoidPool(), b.p1, w.c2w, w.c2b, b.a2, b.p2, n, C1, P1, P1, C2, KERNEL, 0);
                g.task("fc1.forwardSigmoid", k.linearForwardSigmoid(), b.p2, w.f1w, w.f1b, b.a3, n, FLAT, F1);
                g.task("fc2.forwardSigmoid", k.linearForwardSigmoid(), b.a3, w.f2w, w.f2b, b.a4, n, F1, F2);
            }
            case LENET_RELU -> {
                g.task("conv1.forwardReluMaxPool", k.convForwardReluMaxPool(), b.x, w.c1w, w.c1b, b.a1, b.p1, b.arg1,
                        n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
                g.task("conv2.forwardReluMaxPool", k.convForwardReluMaxPool(), b.p1, w.c2w, w.c2b, b.a2, b.p2, b.arg2,
                        n, C1, P1, P1, C2, KERNEL, 0);
                g.task("fc1.forwardRelu", k.linearForwardRelu(), b.p2, w.f1w, w.f1b, b.a3, n, FLAT, F1);
                g.task("fc2.forwardRelu", k.linearForwardRelu(), b.a3, w.f2w, w.f2b, b.a4, n, F1, F2);
            }
            case LENET_BN -> {
                g.task("conv1.forward", k.convForward(), b.x, w.c1w, w.c1b, b.bn1.z(), n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
                Activations.Norm nb = b.bn1;
                statistics(g, k, "bn1", w.bn1, nb, s, 0, n);
                g.task("bn1.forwardSigmoidPool", k.normForwardSigmoidPool(), nb.z(), mean(w.bn1, nb, s), var(w.bn1, nb, s),
                        w.bn1.weight(), w.bn1.bias(), nb.xhat(), b.a1, b.p1, n, C1, H1, H1, BatchNorm.EPS);
                g.task("conv2.forward", k.convForward(), b.p1, w.c2w, w.c2b, b.bn2.z(), n, C1, P1, P1, C2, KERNEL, 0);
                nb = b.bn2;
                statistics(g, k, "bn2", w.bn2, nb, s, 1, n);
                g.task("bn2.forwardSigmoidPool", k.normForwardSigmoidPool(), nb.z(), mean(w.bn2, nb, s), var(w.bn2, nb, s),
                        w.bn2.weight(), w.bn2.bias(), nb.xhat(), b.a2, b.p2, n, C2, H2, H2, BatchNorm.EPS);
                g.task("fc1.forward", k.linearForward(), b.p2, w.f1w, w.f1b, b.bn3.z(), n, FLAT, F1);
                nb = b.bn3;
                statistics(g, k, "bn3", w.bn3, nb, s, 2, n);
                g.task("bn3.forwardSigmoid", k.normForwardSigmoid(), nb.z(), mean(w.bn3, nb, s), var(w.bn3, nb, s),
                        w.bn3.weight(), w.bn3.bias(), nb.xhat(), b.a3, n, F1, 1, BatchNorm.EPS);
                g.task("fc2.forward", k.linearForward(), b.a3, w.f2w, w.f2b, b.bn4.z(), n, F1, F2);
                nb = b.bn4;
                statistics(g, k, "bn4", w.bn4, nb, s, 3, n);
                g.task("bn4.forwardSigmoid", k.normForwardSigmoid(), nb.z(), mean(w.bn4, nb, s), var(w.bn4, nb, s),
                        w.bn4.weight(), w.bn4.bias(), nb.xhat(), b.a4, n, F2, 1, BatchNorm.EPS);
            }
        }
        g.task("fc3.forward", k.linearForward(), b.a4, w.f3w, w.f3b, b.logits, n, F2, CLASSES);
    }

    /** The mean a batch norm normalises with: the batch's in training, the running estimate in evaluation. */
    private static FloatArray mean(Params.Norm p, Activations.Norm nb, Split s) {
        return s == null ? p.runningMean() : nb.mean();
    }

    private static FloatArray var(Params.Norm p, Activations.Norm nb, Split s) {
        return s == null ? p.runningVar() : nb.var();
    }

    /**
     * In training, a batch norm's statistics over the whole batch: partial sums of this shard's slices,
     * the shards meet, all slices combined in order; shard 0 updates the running estimates. Nothing in evaluation.
     */
    private static void statistics(TaskSink g, KernelSet k, String layer, Params.Norm p, Activations.Norm nb, Split s, int l, int n) {
        if (s == null) {
            return;
        }
        Split.Part part = s.parts().get(l);
        g.task(layer + ".statsPartials", k.normStatsPartials(), nb.z(), part.stats(), n, nb.c(), nb.hw(), part.sliceSize(), part.first());
        g.join(layer + ".stats");
        g.task(layer + ".stats", BatchNorm::stats, part.stats(), nb.mean(), nb.var(), part.total(), nb.c());
        if (s.index() == 0) {
            g.task(layer + ".updateRunning", BatchNorm::updateRunning, nb.mean(), nb.var(), p.runningMean(), p.runningVar(),
                    s.batch() * nb.hw(), nb.c(), BatchNorm.MOMENTUM);
        }
    }

    /**
     * A batch norm's backward: from dy (the gradient at its output) the sums dγ = Σ dy·x̂ and dβ = Σ dy
     * over the whole batch (partials, the shards meet, all slices in order), then dz for the layer below;
     * with {@code update} then the SGD step on γ and β (after dz, which reads γ).
     */
    private static void normBackward(TaskSink g, KernelSet k, String layer, Params.Norm p, Params.Norm d, Activations.Norm nb, FloatArray dy,
            Split s, int l, int n, boolean update, float lr) {
        Split.Part part = s.parts().get(l);
        g.task(layer + ".backwardPartials", k.normBackwardPartials(), dy, nb.xhat(), part.grads(), n, nb.c(), nb.hw(),
                part.sliceSize(), part.first());
        g.join(layer + ".sums");
        g.task(layer + ".sums", BatchNorm::sums, part.grads(), d.weight(), d.bias(), part.total(), nb.c());
        g.task(layer + ".backwardInput", k.normBackwardInput(), dy, nb.xhat(), nb.var(), p.weight(), d.weight(), d.bias(), nb.dz(),
                n, nb.c(), nb.hw(), s.batch() * nb.hw(), BatchNorm.EPS);
        if (update) {
            g.task(layer + ".update", Sgd::updateNorm, p.weight(), p.bias(), d.weight(), d.bias(), lr, nb.c());
        }
    }

    /** From {@code b.dLogits} to the parameter gradients (and, with {@code update}, the SGD step). */
    private static void gradients(TaskSink g, KernelSet k, Params w, Params grads, Activations b, Split s, boolean inputGradient,
            boolean update, float lr) {
        switch (w.model) {
            case LENET -> gradientsLeNet(g, k, w, grads, b, inputGradient, update, lr);
            case LENET_RELU -> gradientsRelu(g, k, w, grads, b, inputGradient, update, lr);
            case LENET_BN -> gradientsNorm(g, k, w, grads, b, s, inputGradient, update, lr);
        }
    }

    private static void gradientsLeNet(TaskSink g, KernelSet k, Params w, Params grads, Activations b, boolean inputGradient,
            boolean update, float lr) {
        int n = b.n;
        int sf = k.sliced() ? slices(n, LINEAR_SLICE) : 1;
        g.task("fc3.backwardInputSigmoid", k.linearBackwardInputSigmoid(), b.dLogits, w.f3w, b.a4, b.da4, n, F2, CLASSES);
        linearGradients(g, k, "fc3", b.dLogits, b.a4, b.f3wPart, b.f3bPart, grads.f3w, grads.f3b, w.f3w, w.f3b, n, F2, CLASSES, sf, update, lr);
        g.task("fc2.backwardInputSigmoid", k.linearBackwardInputSigmoid(), b.da4, w.f2w, b.a3, b.da3, n, F1, F2);
        linearGradients(g, k, "fc2", b.da4, b.a3, b.f2wPart, b.f2bPart, grads.f2w, grads.f2b, w.f2w, w.f2b, n, F1, F2, sf, update, lr);
        inputAndWeights(b, update,
                () -> g.task("fc1.backwardInput", k.linearBackwardInput(), b.da3, w.f1w, b.dp2, n, FLAT, F1),
                () -> linearGradients(g, k, "fc1", b.da3, b.p2, b.f1wPart, b.f1bPart, grads.f1w, grads.f1b, w.f1w, w.f1b, n, FLAT, F1, sf, update, lr));
        g.task("conv2.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp2, b.a2, b.da2, n, C2, H2, H2);
        inputAndWeights(b, update,
                () -> g.task("conv2.backwardInput", k.convBackwardInput(), b.da2, w.c2w, b.dp1, n, C1, P1, P1, C2, KERNEL, 0),
                () -> convGradients(g, k, "conv2", b.da2, b.p1, b.c2wPart, b.c2bPart, grads.c2w, grads.c2b, w.c2w, w.c2b,
                        n, C1, P1, C2, 0, k.sliced() ? slices(n, CONV2_SLICE) : 1, update, lr));
        g.task("conv1.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp1, b.a1, b.da1, n, C1, H1, H1);
        conv1Gradients(g, k, w, grads, b, b.da1, inputGradient, update, lr);
    }

    /** As {@link #gradientsLeNet} with ReLU's derivative (a mask) and max-pooling's backward (a gather through the argmax). */
    private static void gradientsRelu(TaskSink g, KernelSet k, Params w, Params grads, Activations b, boolean inputGradient,
            boolean update, float lr) {
        int n = b.n;
        int sf = k.sliced() ? slices(n, LINEAR_SLICE) : 1;
        g.task("fc3.backwardInputRelu", k.linearBackwardInputRelu(), b.dLogits, w.f3w, b.a4, b.da4, n, F2, CLASSES);
        linearGradients(g, k, "fc3", b.dLogits, b.a4, b.f3wPart, b.f3bPart, grads.f3w, grads.f3b, w.f3w, w.f3b, n, F2, CLASSES, sf, update, lr);
        g.task("fc2.backwardInputRelu", k.linearBackwardInputRelu(), b.da4, w.f2w, b.a3, b.da3, n, F1, F2);
        linearGradients(g, k, "fc2", b.da4, b.a3, b.f2wPart, b.f2bPart, grads.f2w, grads.f2b, w.f2w, w.f2b, n, F1, F2, sf, update, lr);
        inputAndWeights(b, update,
                () -> g.task("fc1.backwardInput", k.linearBackwardInput(), b.da3, w.f1w, b.dp2, n, FLAT, F1),
                () -> linearGradients(g, k, "fc1", b.da3, b.p2, b.f1wPart, b.f1bPart, grads.f1w, grads.f1b, w.f1w, w.f1b, n, FLAT, F1, sf, update, lr));
        g.task("conv2.poolBackwardRelu", k.maxPoolBackwardRelu(), b.dp2, b.arg2, b.a2, b.da2, n, C2, H2, H2);
        inputAndWeights(b, update,
                () -> g.task("conv2.backwardInput", k.convBackwardInput(), b.da2, w.c2w, b.dp1, n, C1, P1, P1, C2, KERNEL, 0),
                () -> convGradients(g, k, "conv2", b.da2, b.p1, b.c2wPart, b.c2bPart, grads.c2w, grads.c2b, w.c2w, w.c2b,
                        n, C1, P1, C2, 0, k.sliced() ? slices(n, CONV2_SLICE) : 1, update, lr));
        g.task("conv1.poolBackwardRelu", k.maxPoolBackwardRelu(), b.dp1, b.arg1, b.a1, b.da1, n, C1, H1, H1);
        conv1Gradients(g, k, w, grads, b, b.da1, inputGradient, update, lr);
    }

    /**
     * As {@link #gradientsLeNet} with a batch norm between each layer and its sigmoid: the sigmoid's
     * derivative gives the gradient at the batch norm's output (da*), its backward the gradient at the layer's
     * output (bn*.dz), which the layer's own gradients and input gradient read.
     */
    private static void gradientsNorm(TaskSink g, KernelSet k, Params w, Params grads, Activations b, Split s, boolean inputGradient,
            boolean update, float lr) {
        int n = b.n;
        int sf = k.sliced() ? slices(n, LINEAR_SLICE) : 1;
        g.task("fc3.backwardInputSigmoid", k.linearBackwardInputSigmoid(), b.dLogits, w.f3w, b.a4, b.da4, n, F2, CLASSES);
        linearGradients(g, k, "fc3", b.dLogits, b.a4, b.f3wPart, b.f3bPart, grads.f3w, grads.f3b, w.f3w, w.f3b, n, F2, CLASSES, sf, update, lr);
        normBackward(g, k, "bn4", w.bn4, grads.bn4, b.bn4, b.da4, s, 3, n, update, lr);
        FloatArray dz4 = b.bn4.dz();
        g.task("fc2.backwardInputSigmoid", k.linearBackwardInputSigmoid(), dz4, w.f2w, b.a3, b.da3, n, F1, F2);
        linearGradients(g, k, "fc2", dz4, b.a3, b.f2wPart, b.f2bPart, grads.f2w, grads.f2b, w.f2w, w.f2b, n, F1, F2, sf, update, lr);
        normBackward(g, k, "bn3", w.bn3, grads.bn3, b.bn3, b.da3, s, 2, n, update, lr);
        FloatArray dz3 = b.bn3.dz();
        inputAndWeights(b, update,
                () -> g.task("fc1.backwardInput", k.linearBackwardInput(), dz3, w.f1w, b.dp2, n, FLAT, F1),
                () -> linearGradients(g, k, "fc1", dz3, b.p2, b.f1wPart, b.f1bPart, grads.f1w, grads.f1b, w.f1w, w.f1b, n, FLAT, F1, sf, update, lr));
        g.task("conv2.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp2, b.a2, b.da2, n, C2, H2, H2);
        normBackward(g, k, "bn2", w.bn2, grads.bn2, b.bn2, b.da2, s, 1, n, update, lr);
        FloatArray dz2 = b.bn2.dz();
        inputAndWeights(b, update,
                () -> g.task("conv2.backwardInput", k.convBackwardInput(), dz2, w.c2w, b.dp1, n, C1, P1, P1, C2, KERNEL, 0),
                () -> convGradients(g, k, "conv2", dz2, b.p1, b.c2wPart, b.c2bPart, grads.c2w, grads.c2b, w.c2w, w.c2b,
                        n, C1, P1, C2, 0, k.sliced() ? slices(n, CONV2_SLICE) : 1, update, lr));
        g.task("conv1.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp1, b.a1, b.da1, n, C1, H1, H1);
        normBackward(g, k, "bn1", w.bn1, grads.bn1, b.bn1, b.da1, s, 0, n, update, lr);
        conv1Gradients(g, k, w, grads, b, b.bn1.dz(), inputGradient, update, lr);
    }

    /**
     * A layer's input gradient and its weight gradients, in the order the buffers allow. The input gradient
     * first where stage 2 takes the SGD step (it changes the weights the input gradient reads); after the
     * weight gradients where it overwrites the layer's input ({@link Activations#gradientsInPlace}), which the
     * weight gradients read.
     */
    private static void inputAndWeights(Activations b, boolean update, Runnable input, Runnable weights) {
        if (!b.gradientsInPlace) {
            input.run();
            weights.run();
        } else if (update) {
            throw new IllegalArgumentException("gradients in place and the SGD step in the backward pass: "
                    + "the step would change weights the input gradient still reads");
        } else {
            weights.run();
            input.run();
        }
    }

    /** conv1's input gradient (when asked for) and its weight and bias gradients, from dOut at conv1's output. */
    private static void conv1Gradients(TaskSink g, KernelSet k, Params w, Params grads, Activations b, FloatArray dOut,
            boolean inputGradient, boolean update, float lr) {
        int n = b.n;
        if (inputGradient) {
            g.task("conv1.backwardInput", k.convBackwardInput(), dOut, w.c1w, b.dx, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        }
        convGradients(g, k, "conv1", dOut, b.x, b.c1wPart, b.c1bPart, grads.c1w, grads.c1b, w.c1w, w.c1b,
                n, 1, IMAGE, C1, PAD1, k.sliced() ? slices(n, CONV1_SLICE) : 1, update, lr);
    }

    /** A convolution's weight and bias gradients (square input of side h, k = {@link LeNet#KERNEL}), as {@link #linearGradients}. */
    private static void convGradients(TaskSink g, KernelSet k, String layer, FloatArray dOut, FloatArray in,
            FloatArray wPart, FloatArray bPart, FloatArray dW, FloatArray dB, FloatArray weight, FloatArray bias,
            int n, int cin, int h, int cout, int pad, int slices, boolean update, float lr) {
        boolean staged = slices > 1 || update;
        g.task(layer + ".backwardPartials", k.convBackwardPartials(), dOut, in, staged ? wPart : dW, staged ? bPart : dB,
                n, cin, h, h, cout, KERNEL, pad, slices);
        sum(g, layer, wPart, bPart, dW, dB, weight, bias, slices, update, lr);
    }

    /**
     * A linear layer's weight and bias gradients: stage 1 into the partial sums, stage 2 into the
     * gradients. One slice needs no second stage: stage 1 then writes the gradients itself.
     */
    private static void linearGradients(TaskSink g, KernelSet k, String layer, FloatArray dOut, FloatArray in,
            FloatArray wPart, FloatArray bPart, FloatArray dW, FloatArray dB, FloatArray weight, FloatArray bias,
            int n, int fin, int fout, int slices, boolean update, float lr) {
        boolean staged = slices > 1 || update;
        g.task(layer + ".backwardPartials", k.linearBackwardPartials(), dOut, in, staged ? wPart : dW, staged ? bPart : dB, n, fin, fout, slices);
        sum(g, layer, wPart, bPart, dW, dB, weight, bias, slices, update, lr);
    }

    /** Stage 2 of a layer's gradients (with the SGD step when {@code update}); nothing for one slice without update. */
    private static void sum(TaskSink g, String layer, FloatArray wPart, FloatArray bPart, FloatArray dW, FloatArray dB,
            FloatArray weight, FloatArray bias, int slices, boolean update, float lr) {
        int ws = dW.getSize();
        int bs = dB.getSize();
        if (update) {
            g.task(layer + ".sumAndUpdate", Sgd::sumAndUpdate, wPart, bPart, dW, dB, weight, bias, lr, slices, ws, bs);
        } else if (slices > 1) {
            g.task(layer + ".sum", Partials::sum, wPart, bPart, dW, dB, slices, ws, bs);
        }
    }
}
