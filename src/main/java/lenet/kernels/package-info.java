/**
 * The kernels: one class per layer kind, each holding that layer's forward and backward kernels as
 * short static methods over TornadoVM's {@code FloatArray}/{@code IntArray}.
 *
 * <p>The same methods are the GPU source (TornadoVM compiles them to OpenCL C or PTX) and plain CPU code
 * (the JVM engine calls them on its threads with {@code --kernels plain}; by default it calls their Vector
 * API twins in {@link lenet.kernels.cpu}, which the tests hold to the same results). Rules every kernel
 * follows, because TornadoVM needs them:
 * <ul>
 * <li>loops marked {@code @Parallel} become device threads (at most three nested), sequential loops
 *     inside them do the sums;</li>
 * <li>every thread owns the outputs it writes: no atomics, no TornadoVM reductions, no shared accumulator;</li>
 * <li>no objects, exceptions, allocation, I/O or library calls inside a kernel, only float math
 *     ({@code TornadoMath.exp(float)}, not the double {@code Math.exp});</li>
 * <li>every size is an argument: on the JVM one method serves any batch size; TornadoVM compiles a
 *     task for the sizes it was given (they become constants in the generated code), which is why the
 *     TornadoVM engine has a second graph for the last, smaller batch of an epoch.</li>
 * </ul>
 *
 * <p>Activations are batch-innermost (see {@link lenet.model.LeNet}): {@code n} is the batch size and
 * the innermost {@code @Parallel} loop walks the examples of a batch.
 */
package lenet.kernels;
