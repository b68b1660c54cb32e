package lenet.engine;

import java.util.List;

import lenet.kernels.AvgPool2d;
import lenet.kernels.Batch;
import lenet.kernels.BatchNorm;
import lenet.kernels.Conv2d;
import lenet.kernels.Linear;
import lenet.kernels.MaxPool2d;
import lenet.kernels.Sgd;
import lenet.kernels.cpu.AvgPool2dCpu;
import lenet.kernels.cpu.BatchCpu;
import lenet.kernels.cpu.BatchNormCpu;
import lenet.kernels.cpu.Conv2dCpu;
import lenet.kernels.cpu.LinearCpu;
import lenet.kernels.cpu.MaxPool2dCpu;
import lenet.kernels.cpu.SgdCpu;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task10;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task11;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task12;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task13;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task4;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task6;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task7;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task9;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Which implementation of the heavy kernels a step calls, and the shape of its gradient sums.
 * {@link #PLAIN} is the {@code lenet.kernels} source, the only one TornadoVM ever gets; the JVM engine
 * may swap in CPU-specialised twins with the same signatures (and the same tests), so every run can say
 * which code it ran.
 *
 * <p>{@code sliced}: the weight and bias gradients are summed in two stages, {@code backwardPartials}
 * over slices of the batch (sized by {@link LeNetGraph#slices}) and a second kernel adding the slices
 * (the GPU shape: many short chains instead of a few long ones). Unsliced, every gradient is one slice
 * holding the whole batch, written straight into the gradient (the CPU shape: a few long vector runs).
 */
public record KernelSet(
        String name,
        boolean sliced,
        Task9<ByteArray, FloatArray, IntArray, IntArray, IntArray, FloatArray, IntArray, Integer, Integer> gather,
        Task4<FloatArray, FloatArray, Float, Integer> sgd,
        Task12<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convForwardSigmoidPool,
        Task10<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convBackwardInput,
        Task12<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convBackwardPartials,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearForward,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearForwardSigmoid,
        Task6<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearBackwardInput,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearBackwardInputSigmoid,
        Task8<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer> linearBackwardPartials,
        Task7<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer> poolBackwardSigmoid,
        Task11<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convForward,
        Task13<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, IntArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convForwardReluMaxPool,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearForwardRelu,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearBackwardInputRelu,
        Task8<FloatArray, IntArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer> maxPoolBackwardRelu,
        Task11<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Float> normForwardSigmoid,
        Task13<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Float> normForwardSigmoidPool,
        Task7<FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer> normStatsPartials,
        Task8<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer> normBackwardPartials,
        Task12<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Float> normBackwardInput) {

    /** The plain kernels of {@code lenet.kernels}, sliced sums: the GPU source and shape, also runnable on the JVM. */
    public static final KernelSet PLAIN = new KernelSet("plain", true, Batch::gather, Sgd::update,
            Conv2d::forwardSigmoidPool, Conv2d::backwardInput, Conv2d::backwardPartials,
            Linear::forward, Linear::forwardSigmoid, Linear::backwardInput, Linear::backwardInputSigmoid, Linear::backwardPartials,
            AvgPool2d::backwardSigmoid, Conv2d::forward, Conv2d::forwardReluMaxPool, Linear::forwardRelu, Linear::backwardInputRelu,
            MaxPool2d::backwardRelu, BatchNorm::forwardSigmoid, BatchNorm::forwardSigmoidPool,
            BatchNorm::statsPartials, BatchNorm::backwardPartials, BatchNorm::backwardInput);

    /**
     * The CPU twins of {@code lenet.kernels.cpu} (Vector API, same signatures and tests), one slice per
     * gradient: the JVM engine's default. The batch gather has a twin too: the plain kernel's order
     * (pixel, then example) took 0.35–0.45 ms of a 4.6 ms step at a 128-example shard, the twin's 0.12–0.15;
     * so does the SGD step (0.1 ms for the 61,706 parameters, element by element). The loss stays plain.
     */
    public static final KernelSet CPU = new KernelSet("cpu", false, BatchCpu::gather, SgdCpu::update,
            Conv2dCpu::forwardSigmoidPool, Conv2dCpu::backwardInput, Conv2dCpu::backwardPartials,
            LinearCpu::forward, LinearCpu::forwardSigmoid, LinearCpu::backwardInput, LinearCpu::backwardInputSigmoid, LinearCpu::backwardPartials,
            AvgPool2dCpu::backwardSigmoid, Conv2dCpu::forward, Conv2dCpu::forwardReluMaxPool, LinearCpu::forwardRelu,
            LinearCpu::backwardInputRelu, MaxPool2dCpu::backwardRelu, BatchNormCpu::forwardSigmoid, BatchNormCpu::forwardSigmoidPool,
            BatchNormCpu::statsPartials, BatchNormCpu::backwardPartials, BatchNormCpu::backwardInput);

    /** The kernel sets by name, for {@code --kernels}. */
    public static final List<KernelSet> ALL = List.of(CPU, PLAIN);

    /** The set called {@code name} ("cpu" or "plain"). */
    public static KernelSet named(String name) {
        for (KernelSet k : ALL) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("no kernel set '" + name + "': expected cpu or plain");
    }
}
