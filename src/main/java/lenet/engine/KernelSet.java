package lenet.engine;

import lenet.kernels.AvgPool2d;
import lenet.kernels.Conv2d;
import lenet.kernels.Linear;
import lenet.kernels.Sigmoid;
import lenet.kernels.cpu.AvgPool2dCpu;
import lenet.kernels.cpu.Conv2dCpu;
import lenet.kernels.cpu.LinearCpu;
import lenet.kernels.cpu.SigmoidCpu;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task10;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task11;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task3;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task4;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task6;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task7;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Which implementation of the heavy kernels a step calls. {@link #PLAIN} is the {@code lenet.kernels}
 * source, the only one TornadoVM ever gets; the JVM engine may swap in CPU-specialised twins with the
 * same signatures (and the same tests), so every run can say which code it ran.
 */
public record KernelSet(
        String name,
        Task11<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convForward,
        Task10<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convBackwardInput,
        Task10<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> convBackwardWeight,
        Task5<FloatArray, FloatArray, Integer, Integer, Integer> convBackwardBias,
        Task7<FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearForward,
        Task6<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearBackwardInput,
        Task6<FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> linearBackwardWeight,
        Task4<FloatArray, FloatArray, Integer, Integer> linearBackwardBias,
        Task3<FloatArray, FloatArray, Integer> sigmoidForward,
        Task4<FloatArray, FloatArray, FloatArray, Integer> sigmoidBackward,
        Task6<FloatArray, FloatArray, Integer, Integer, Integer, Integer> poolForward,
        Task6<FloatArray, FloatArray, Integer, Integer, Integer, Integer> poolBackward) {

    /** The plain kernels of {@code lenet.kernels}: the GPU source, also runnable on the JVM. */
    public static final KernelSet PLAIN = new KernelSet("plain",
            Conv2d::forward, Conv2d::backwardInput, Conv2d::backwardWeight, Conv2d::backwardBias,
            Linear::forward, Linear::backwardInput, Linear::backwardWeight, Linear::backwardBias,
            Sigmoid::forward, Sigmoid::backward,
            AvgPool2d::forward, AvgPool2d::backward);

    /**
     * The CPU twins of {@code lenet.kernels.cpu} (Vector API, same signatures and tests): the JVM engine's
     * default. Loss, batch gathering and SGD stay plain (they cost well under 1% of a step).
     */
    public static final KernelSet CPU = new KernelSet("cpu",
            Conv2dCpu::forward, Conv2dCpu::backwardInput, Conv2dCpu::backwardWeight, Conv2dCpu::backwardBias,
            LinearCpu::forward, LinearCpu::backwardInput, LinearCpu::backwardWeight, LinearCpu::backwardBias,
            SigmoidCpu::forward, SigmoidCpu::backward,
            AvgPool2dCpu::forward, AvgPool2dCpu::backward);

    /** The kernel sets by name, for {@code --kernels}. */
    public static final java.util.List<KernelSet> ALL = java.util.List.of(CPU, PLAIN);

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
