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

import java.util.List;

import lenet.kernels.Partials;
import lenet.kernels.Sgd;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.model.LeNet;
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
     * Forward pass for evaluation and inference: input {@code b.x} → {@code b.logits}, then per-example
     * probabilities, loss and correctness (one kernel).
     */
    public static void forward(TaskSink g, KernelSet k, Params w, Activations b) {
        layers(g, k, w, b);
        g.task("loss.evaluate", SoftmaxCrossEntropy::evaluate, b.logits, b.labels, b.probs, b.loss, b.correct, b.n, CLASSES);
    }

    /**
     * Backward pass of the loss {@code scale · Σ_i loss[i]} (scale = 1/B for the mean over a batch of B,
     * also when this is a shard of it), after {@link #forward}: parameter gradients into {@code grads}; with
     * {@code inputGradient} also the gradient with respect to the input image, {@code b.dx} (training does
     * not need it).
     */
    public static void backward(TaskSink g, KernelSet k, Params w, Params grads, Activations b, float scale, boolean inputGradient) {
        g.task("loss.backward", SoftmaxCrossEntropy::backward, b.probs, b.labels, b.dLogits, b.n, CLASSES, scale);
        gradients(g, k, w, grads, b, inputGradient, false, 0.0f);
    }

    /** SGD: every parameter tensor −= lr · its gradient (after the gradients of several shards are summed). */
    public static void update(TaskSink g, Params w, Params grads, float lr) {
        List<FloatArray> p = w.tensors();
        List<FloatArray> d = grads.tensors();
        for (int j = 0; j < p.size(); j++) {
            g.task("sgd." + LeNet.PARAMS.get(j).name(), Sgd::update, p.get(j), d.get(j), lr, p.get(j).getSize());
        }
    }

    /**
     * A whole SGD step on one batch, in the fewest launches: {@link #forward}'s layers, the loss forward,
     * correct count and backward as one kernel ({@code scale} as in {@link #backward}), then
     * {@link #backward}'s gradients (into {@code grads}) with each layer's last reduction stage also taking
     * the SGD step on that layer's parameters. For an engine that does not sum gradients across shards.
     */
    public static void step(TaskSink g, KernelSet k, Params w, Params grads, Activations b, float scale, float lr) {
        layers(g, k, w, b);
        g.task("loss.forwardBackward", SoftmaxCrossEntropy::forwardBackward, b.logits, b.labels, b.probs, b.loss, b.correct, b.dLogits,
                b.n, CLASSES, scale);
        gradients(g, k, w, grads, b, false, true, lr);
    }

    /** The layers of the forward pass: {@code b.x} → {@code b.logits}. */
    private static void layers(TaskSink g, KernelSet k, Params w, Activations b) {
        int n = b.n;
        g.task("conv1.forwardSigmoidPool", k.convForwardSigmoidPool(), b.x, w.c1w, w.c1b, b.a1, b.p1, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        g.task("conv2.forwardSigmoidPool", k.convForwardSigmoidPool(), b.p1, w.c2w, w.c2b, b.a2, b.p2, n, C1, P1, P1, C2, KERNEL, 0);
        g.task("fc1.forwardSigmoid", k.linearForwardSigmoid(), b.p2, w.f1w, w.f1b, b.a3, n, FLAT, F1);
        g.task("fc2.forwardSigmoid", k.linearForwardSigmoid(), b.a3, w.f2w, w.f2b, b.a4, n, F1, F2);
        g.task("fc3.forward", k.linearForward(), b.a4, w.f3w, w.f3b, b.logits, n, F2, CLASSES);
    }

    /** From {@code b.dLogits} to the parameter gradients (and, with {@code update}, the SGD step). */
    private static void gradients(TaskSink g, KernelSet k, Params w, Params grads, Activations b, boolean inputGradient,
            boolean update, float lr) {
        int n = b.n;
        int sf = k.sliced() ? slices(n, LINEAR_SLICE) : 1;
        // Each layer's input gradient comes before its stage 2, which may update the weights it reads.
        g.task("fc3.backwardInputSigmoid", k.linearBackwardInputSigmoid(), b.dLogits, w.f3w, b.a4, b.da4, n, F2, CLASSES);
        linearGradients(g, k, "fc3", b.dLogits, b.a4, b.f3wPart, b.f3bPart, grads.f3w, grads.f3b, w.f3w, w.f3b, n, F2, CLASSES, sf, update, lr);
        g.task("fc2.backwardInputSigmoid", k.linearBackwardInputSigmoid(), b.da4, w.f2w, b.a3, b.da3, n, F1, F2);
        linearGradients(g, k, "fc2", b.da4, b.a3, b.f2wPart, b.f2bPart, grads.f2w, grads.f2b, w.f2w, w.f2b, n, F1, F2, sf, update, lr);
        g.task("fc1.backwardInput", k.linearBackwardInput(), b.da3, w.f1w, b.dp2, n, FLAT, F1);
        linearGradients(g, k, "fc1", b.da3, b.p2, b.f1wPart, b.f1bPart, grads.f1w, grads.f1b, w.f1w, w.f1b, n, FLAT, F1, sf, update, lr);
        g.task("conv2.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp2, b.a2, b.da2, n, C2, H2, H2);

        g.task("conv2.backwardInput", k.convBackwardInput(), b.da2, w.c2w, b.dp1, n, C1, P1, P1, C2, KERNEL, 0);
        convGradients(g, k, "conv2", b.da2, b.p1, b.c2wPart, b.c2bPart, grads.c2w, grads.c2b, w.c2w, w.c2b,
                n, C1, P1, C2, 0, k.sliced() ? slices(n, CONV2_SLICE) : 1, update, lr);
        g.task("conv1.poolBackwardSigmoid", k.poolBackwardSigmoid(), b.dp1, b.a1, b.da1, n, C1, H1, H1);
        if (inputGradient) {
            g.task("conv1.backwardInput", k.convBackwardInput(), b.da1, w.c1w, b.dx, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        }
        convGradients(g, k, "conv1", b.da1, b.x, b.c1wPart, b.c1bPart, grads.c1w, grads.c1b, w.c1w, w.c1b,
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
