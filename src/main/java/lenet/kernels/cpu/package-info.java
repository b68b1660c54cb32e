/**
 * CPU twins of the hot kernels of {@code lenet.kernels}: the same static methods (name, parameters,
 * math, layouts), written with the JDK Vector API ({@code jdk.incubator.vector}) for the JVM engine's
 * threads, so the engine can call either one. TornadoVM always gets the plain kernels: these use
 * objects and library calls that no GPU kernel may.
 *
 * <p>All of them vectorise along the batch axis, contiguous in the CHWN layout, reading and writing
 * the arrays' memory segments directly; results equal the plain kernels' up to float rounding
 * (fused multiply-adds and another summation order).
 */
package lenet.kernels.cpu;
