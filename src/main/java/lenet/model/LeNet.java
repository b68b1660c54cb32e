package lenet.model;

import java.util.List;

/**
 * The network, described once: every size the kernels, the engines, the trainer and {@code shapes}
 * use comes from here.
 *
 * <pre>
 * input 1×28×28
 * Conv2d(1→6, 5×5, pad 2) → Sigmoid → AvgPool2d(2)      6×28×28 → 6×14×14
 * Conv2d(6→16, 5×5)       → Sigmoid → AvgPool2d(2)     16×10×10 → 16×5×5
 * Flatten → Linear(400→120) → Sigmoid → Linear(120→84) → Sigmoid → Linear(84→10)
 * </pre>
 *
 * <p>Activations are stored batch-innermost ("CHWN"): element (example i, channel c, row y, column x)
 * of a C×H×W activation for a batch of n examples sits at {@code ((c*H + y)*W + x)*n + i}. A GPU
 * thread per example reads consecutive addresses (coalesced), and a CPU core walks the batch with
 * contiguous vector loads. Flattening 16×5×5 → 400 is then free: feature f = (c*5 + y)*5 + x, as in
 * PyTorch's {@code Flatten} of an NCHW tensor. Weights use PyTorch's layouts (conv OIHW, linear out×in).
 */
public final class LeNet {
    private LeNet() {
    }

    public static final int IMAGE = 28;
    public static final int PIXELS = IMAGE * IMAGE;
    public static final int KERNEL = 5;

    public static final int C1 = 6;
    public static final int PAD1 = 2;
    /** conv1 output side: 28 + 2*2 - 5 + 1. */
    public static final int H1 = IMAGE + 2 * PAD1 - KERNEL + 1;
    public static final int P1 = H1 / 2;

    public static final int C2 = 16;
    /** conv2 output side: 14 - 5 + 1. */
    public static final int H2 = P1 - KERNEL + 1;
    public static final int P2 = H2 / 2;

    public static final int FLAT = C2 * P2 * P2;
    public static final int F1 = 120;
    public static final int F2 = 84;
    public static final int CLASSES = 10;

    /** A layer of the d2l listing ({@link Model#layers()}) and the shape of its output for one example (channels, height, width; or features). */
    public record Layer(String name, int... shape) {
        public int size() {
            int s = 1;
            for (int d : shape) {
                s *= d;
            }
            return s;
        }
    }


    /** What a tensor of a model is: how it is initialised, and whether SGD trains it. */
    public enum Role {
        /** A conv or linear weight: Xavier-uniform, trained. */
        WEIGHT,
        /** A conv or linear bias: U(−1/√fan_in, 1/√fan_in) as PyTorch's default, trained. */
        BIAS,
        /** A batch norm's scale γ: ones, trained. */
        NORM_SCALE,
        /** A batch norm's shift β: zeros, trained. */
        NORM_SHIFT,
        /** A batch norm's running mean: zeros, updated by the forward pass in training, not by SGD. */
        RUNNING_MEAN,
        /** A batch norm's running (unbiased) variance: ones, updated by the forward pass in training, not by SGD. */
        RUNNING_VAR;

        /** Whether SGD updates it (and it has a gradient). */
        public boolean trained() {
            return this != RUNNING_MEAN && this != RUNNING_VAR;
        }
    }

    /**
     * A parameter tensor: its name ({@code layer.weight}, {@code layer.bias}, and for batch norm also
     * {@code layer.running_mean} and {@code layer.running_var}; layers {@code conv1, conv2, fc1, fc2, fc3,
     * bn1..bn4}), its PyTorch name (for the ten conv and linear tensors the d2l model's {@code nn.Sequential}
     * index, e.g. {@code 7.weight}, used only in files exchanged with PyTorch and in checkpoints written before
     * the layers had names; the name itself for batch norm), its shape, the fan-in / fan-out PyTorch computes for
     * it (conv: in-channels × k × k and out-channels × k × k; linear: in and out features) and its role.
     */
    public record Param(String name, String pytorchName, int[] shape, int fanIn, int fanOut, Role role) {
        public int size() {
            int s = 1;
            for (int d : shape) {
                s *= d;
            }
            return s;
        }

        public boolean bias() {
            return role == Role.BIAS;
        }

        /** The layer it belongs to: {@code conv1} of {@code conv1.weight}. */
        public String layer() {
            return name.substring(0, name.indexOf('.'));
        }
    }

    private static Param convW(String layer, int index, int cout, int cin) {
        return new Param(layer + ".weight", index + ".weight", new int[] {cout, cin, KERNEL, KERNEL}, cin * KERNEL * KERNEL,
                cout * KERNEL * KERNEL, Role.WEIGHT);
    }

    private static Param convB(String layer, int index, int cout, int cin) {
        return new Param(layer + ".bias", index + ".bias", new int[] {cout}, cin * KERNEL * KERNEL, cout * KERNEL * KERNEL, Role.BIAS);
    }

    private static Param linW(String layer, int index, int out, int in) {
        return new Param(layer + ".weight", index + ".weight", new int[] {out, in}, in, out, Role.WEIGHT);
    }

    private static Param linB(String layer, int index, int out, int in) {
        return new Param(layer + ".bias", index + ".bias", new int[] {out}, in, out, Role.BIAS);
    }

    /**
     * The ten parameter tensors, by layer; the second argument is the layer's index in the d2l model's
     * {@code nn.Sequential}, which makes the PyTorch name.
     */
    public static final List<Param> PARAMS = List.of(
            convW("conv1", 0, C1, 1), convB("conv1", 0, C1, 1),
            convW("conv2", 3, C2, C1), convB("conv2", 3, C2, C1),
            linW("fc1", 7, F1, FLAT), linB("fc1", 7, F1, FLAT),
            linW("fc2", 9, F2, F1), linB("fc2", 9, F2, F1),
            linW("fc3", 11, CLASSES, F2), linB("fc3", 11, CLASSES, F2));

    /**
     * The four tensors of a batch norm over {@code channels} channels (or features) called {@code layer}:
     * scale, shift, running mean and running variance, named as PyTorch's state dict names them.
     */
    static List<Param> batchNorm(String layer, int channels) {
        return List.of(norm(layer + ".weight", channels, Role.NORM_SCALE), norm(layer + ".bias", channels, Role.NORM_SHIFT),
                norm(layer + ".running_mean", channels, Role.RUNNING_MEAN), norm(layer + ".running_var", channels, Role.RUNNING_VAR));
    }

    private static Param norm(String name, int channels, Role role) {
        return new Param(name, name, new int[] {channels}, channels, channels, role);
    }

    /** The values of the ten tensors of {@link #PARAMS}: every model has them. */
    public static int parameterCount() {
        return PARAMS.stream().mapToInt(Param::size).sum();
    }

    /** Multiply-adds of one example's forward pass (conv and linear layers). */
    public static long forwardMacs() {
        return (long) C1 * H1 * H1 * KERNEL * KERNEL
                + (long) C2 * H2 * H2 * C1 * KERNEL * KERNEL
                + (long) FLAT * F1 + (long) F1 * F2 + (long) F2 * CLASSES;
    }
}
