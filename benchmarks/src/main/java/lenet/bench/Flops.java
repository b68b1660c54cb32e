package lenet.bench;

import static lenet.model.LeNet.C1;
import static lenet.model.LeNet.C2;
import static lenet.model.LeNet.CLASSES;
import static lenet.model.LeNet.F1;
import static lenet.model.LeNet.F2;
import static lenet.model.LeNet.FLAT;
import static lenet.model.LeNet.H1;
import static lenet.model.LeNet.H2;
import static lenet.model.LeNet.KERNEL;
import static lenet.model.LeNet.P1;

import lenet.model.LeNet;

/**
 * Floating-point operations of one call of each kernel for a batch of n examples: the one place the
 * benchmark report takes its FLOP counts from (benchmarks/README.md repeats the table).
 *
 * <ul>
 *   <li>convolution forward, backwardInput, backwardWeight: 2 × n × cout × ho × wo × cin × k × k
 *       (one multiply-add per weight per output pixel; backwardInput is counted the same, padding
 *       included, since it is the transposed convolution of the same products);</li>
 *   <li>convolution backwardBias: n × cout × ho × wo (one add per output element);</li>
 *   <li>linear forward, backwardInput, backwardWeight: 2 × n × in × out; backwardBias: n × out;</li>
 *   <li>2×2 average pooling forward: 4 per output element (3 adds, 1 multiply); backward: 1 per input
 *       element (a multiply by 1/4);</li>
 *   <li>SGD: 2 per parameter (a multiply and a subtract);</li>
 *   <li>sigmoid and softmax cross-entropy: not counted (an exp and a divide per element are not
 *       FLOP-bound work; read their time, not their GFLOP/s): {@code -1}.</li>
 * </ul>
 */
public final class Flops {
    private Flops() {
    }

    /**
     * FLOP of one call of {@code op} of {@code layer} (the layer and op names of the JMH benchmarks:
     * conv1, conv2, fc1, fc2, fc3 with forward, backwardInput, backwardWeight, backwardBias; conv1 and
     * conv2 with sigmoidForward, sigmoidBackward, poolForward, poolBackward; loss with softmaxForward,
     * softmaxBackward; sgd with update), or -1 when the kernel's FLOP are not counted.
     */
    public static long of(String layer, String op, long n) {
        return switch (layer) {
            case "conv1" -> conv(op, n, 1, LeNet.IMAGE, C1, H1);
            case "conv2" -> conv(op, n, C1, P1, C2, H2);
            case "fc1" -> linear(op, n, FLAT, F1);
            case "fc2" -> linear(op, n, F1, F2);
            case "fc3" -> linear(op, n, F2, CLASSES);
            case "sgd" -> 2L * LeNet.parameterCount();
            default -> -1;
        };
    }

    private static long conv(String op, long n, int cin, int h, int cout, int ho) {
        long outputs = n * cout * ho * ho;
        return switch (op) {
            case "forward", "backwardInput", "backwardWeight" -> 2 * outputs * cin * KERNEL * KERNEL;
            case "backwardBias" -> outputs;
            case "poolForward" -> outputs; // 4 FLOP for each of outputs / 4 pooled elements
            case "poolBackward" -> outputs;
            default -> -1;
        };
    }

    private static long linear(String op, long n, int in, int out) {
        return switch (op) {
            case "forward", "backwardInput", "backwardWeight" -> 2 * n * in * out;
            case "backwardBias" -> n * out;
            default -> -1;
        };
    }

    /** FLOP of one training step on n examples: every counted kernel a step runs (conv1 has no backwardInput). */
    public static long trainStep(long n) {
        long total = 0;
        for (String layer : new String[] {"conv1", "conv2", "fc1", "fc2", "fc3"}) {
            for (String op : new String[] {"forward", "backwardInput", "backwardWeight", "backwardBias"}) {
                if (!(layer.equals("conv1") && op.equals("backwardInput"))) {
                    total += of(layer, op, n);
                }
            }
        }
        for (String layer : new String[] {"conv1", "conv2"}) {
            total += of(layer, "poolForward", n) + of(layer, "poolBackward", n);
        }
        return total + of("sgd", "update", n);
    }

    /** FLOP of the forward pass on n examples (inference). */
    public static long forward(long n) {
        long total = 0;
        for (String layer : new String[] {"conv1", "conv2", "fc1", "fc2", "fc3"}) {
            total += of(layer, "forward", n);
        }
        return total + of("conv1", "poolForward", n) + of("conv2", "poolForward", n);
    }
}
