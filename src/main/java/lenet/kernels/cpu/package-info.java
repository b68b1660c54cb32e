/**
 * CPU twins of the hot kernels of {@code lenet.kernels}: {@link lenet.kernels.cpu.Conv2dCpu},
 * {@link lenet.kernels.cpu.LinearCpu}, {@link lenet.kernels.cpu.SigmoidCpu}, {@link lenet.kernels.cpu.AvgPool2dCpu},
 * {@link lenet.kernels.cpu.ReluCpu}, {@link lenet.kernels.cpu.MaxPool2dCpu} and {@link lenet.kernels.cpu.BatchCpu} (the batch gather) have the same static methods (name, parameters, math,
 * layouts) as their plain kernels, so the JVM engine can call either one; they are written with the
 * JDK Vector API ({@code jdk.incubator.vector}). TornadoVM always gets the plain kernels: these use
 * objects, scratch buffers and library calls that no GPU kernel may. The loss and SGD kernels touch too
 * little data to need twins.
 *
 * <p>The convolution and linear twins keep blocks of accumulators in vector registers, vectorised along
 * the batch axis (contiguous in the CHWN layout), or along the input features for the linear weight
 * gradient; the package-private class {@code Simd} describes the loop nests. They read and write the arrays'
 * memory segments directly. Results equal the plain kernels' up to float rounding (fused
 * multiply-adds, another summation order); pooling, the ReLU and the sigmoid's backward are equal bit for bit.
 *
 * <p>Scratch buffers (packed weights, a zero-bordered or transposed copy of an input) belong to the
 * calling thread, so the engine's threads may call the twins at the same time on different arrays.
 * The JIT needs a few seconds of a run to compile them; until then they run far slower than the
 * plain kernels do.
 */
package lenet.kernels.cpu;
