package lenet.engine;

import lenet.model.LeNet;
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

import lenet.kernels.SoftmaxCrossEntropy;
import lenet.kernels.Sgd;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A LeNet training step as a sequence of kernel calls, written once for every engine. Each method
 * appends tasks to a {@link TaskSink}; task ids name the layer and the kernel ({@code conv1.forward}).
 */
public final class LeNetGraph {
    private LeNetGraph() {
    }

    /** Forward pass: input {@code b.x} → {@code b.logits}, then per-example loss, probabilities and correctness. */
    public static void forward(TaskSink g, KernelSet k, Params w, Activations b) {
        int n = b.n;
        g.task("conv1.forward", k.convForward(), b.x, w.c1w, w.c1b, b.a1, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        g.task("sigmoid1.forward", k.sigmoidForward(), b.a1, b.a1, C1 * H1 * H1 * n);
        g.task("pool1.forward", k.poolForward(), b.a1, b.p1, n, C1, H1, H1);
        g.task("conv2.forward", k.convForward(), b.p1, w.c2w, w.c2b, b.a2, n, C1, P1, P1, C2, KERNEL, 0);
        g.task("sigmoid2.forward", k.sigmoidForward(), b.a2, b.a2, C2 * H2 * H2 * n);
        g.task("pool2.forward", k.poolForward(), b.a2, b.p2, n, C2, H2, H2);
        g.task("linear1.forward", k.linearForward(), b.p2, w.f1w, w.f1b, b.a3, n, FLAT, F1);
        g.task("sigmoid3.forward", k.sigmoidForward(), b.a3, b.a3, F1 * n);
        g.task("linear2.forward", k.linearForward(), b.a3, w.f2w, w.f2b, b.a4, n, F1, F2);
        g.task("sigmoid4.forward", k.sigmoidForward(), b.a4, b.a4, F2 * n);
        g.task("linear3.forward", k.linearForward(), b.a4, w.f3w, w.f3b, b.logits, n, F2, CLASSES);
        g.task("loss.forward", SoftmaxCrossEntropy::forward, b.logits, b.labels, b.probs, b.loss, n, CLASSES);
        g.task("loss.correct", SoftmaxCrossEntropy::correct, b.logits, b.labels, b.correct, n, CLASSES);
    }

    /**
     * Backward pass of the loss {@code scale · Σ_i loss[i]} (scale = 1/B for the mean over a batch of B,
     * also when this is a shard of it): parameter gradients into {@code grads}; with {@code inputGradient}
     * also the gradient with respect to the input image, {@code b.dx} (training does not need it).
     */
    public static void backward(TaskSink g, KernelSet k, Params w, Params grads, Activations b, float scale, boolean inputGradient) {
        int n = b.n;
        g.task("loss.backward", SoftmaxCrossEntropy::backward, b.probs, b.labels, b.dLogits, n, CLASSES, scale);
        g.task("linear3.backwardWeight", k.linearBackwardWeight(), b.dLogits, b.a4, grads.f3w, n, F2, CLASSES);
        g.task("linear3.backwardBias", k.linearBackwardBias(), b.dLogits, grads.f3b, n, CLASSES);
        g.task("linear3.backwardInput", k.linearBackwardInput(), b.dLogits, w.f3w, b.da4, n, F2, CLASSES);
        g.task("sigmoid4.backward", k.sigmoidBackward(), b.a4, b.da4, b.da4, F2 * n);
        g.task("linear2.backwardWeight", k.linearBackwardWeight(), b.da4, b.a3, grads.f2w, n, F1, F2);
        g.task("linear2.backwardBias", k.linearBackwardBias(), b.da4, grads.f2b, n, F2);
        g.task("linear2.backwardInput", k.linearBackwardInput(), b.da4, w.f2w, b.da3, n, F1, F2);
        g.task("sigmoid3.backward", k.sigmoidBackward(), b.a3, b.da3, b.da3, F1 * n);
        g.task("linear1.backwardWeight", k.linearBackwardWeight(), b.da3, b.p2, grads.f1w, n, FLAT, F1);
        g.task("linear1.backwardBias", k.linearBackwardBias(), b.da3, grads.f1b, n, F1);
        g.task("linear1.backwardInput", k.linearBackwardInput(), b.da3, w.f1w, b.dp2, n, FLAT, F1);
        g.task("pool2.backward", k.poolBackward(), b.dp2, b.da2, n, C2, H2, H2);
        g.task("sigmoid2.backward", k.sigmoidBackward(), b.a2, b.da2, b.da2, C2 * H2 * H2 * n);
        g.task("conv2.backwardWeight", k.convBackwardWeight(), b.da2, b.p1, grads.c2w, n, C1, P1, P1, C2, KERNEL, 0);
        g.task("conv2.backwardBias", k.convBackwardBias(), b.da2, grads.c2b, n, C2, H2 * H2);
        g.task("conv2.backwardInput", k.convBackwardInput(), b.da2, w.c2w, b.dp1, n, C1, P1, P1, C2, KERNEL, 0);
        g.task("pool1.backward", k.poolBackward(), b.dp1, b.da1, n, C1, H1, H1);
        g.task("sigmoid1.backward", k.sigmoidBackward(), b.a1, b.da1, b.da1, C1 * H1 * H1 * n);
        g.task("conv1.backwardWeight", k.convBackwardWeight(), b.da1, b.x, grads.c1w, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        g.task("conv1.backwardBias", k.convBackwardBias(), b.da1, grads.c1b, n, C1, H1 * H1);
        if (inputGradient) {
            g.task("conv1.backwardInput", k.convBackwardInput(), b.da1, w.c1w, b.dx, n, 1, IMAGE, IMAGE, C1, KERNEL, PAD1);
        }
    }

    /** SGD: every parameter tensor −= lr · its gradient. */
    public static void update(TaskSink g, Params w, Params grads, float lr) {
        List<FloatArray> p = w.tensors();
        List<FloatArray> d = grads.tensors();
        for (int j = 0; j < p.size(); j++) {
            g.task("sgd." + LeNet.PARAMS.get(j).name(), Sgd::update, p.get(j), d.get(j), lr, p.get(j).getSize());
        }
    }
}
