package lenet.engine;

import lenet.kernels.AvgPool2d;
import lenet.kernels.Conv2d;
import lenet.kernels.Linear;
import lenet.kernels.Sigmoid;
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
}
