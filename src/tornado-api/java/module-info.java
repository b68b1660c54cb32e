/**
 * A stand-in for the part of TornadoVM 5.2.0's {@code tornado.api} module that lenet uses.
 *
 * <p>TornadoVM is not published to Maven Central, so lenet compiles against this module instead.
 * Every type and method here has the same name and signature as in TornadoVM 5.2.0, so the lenet
 * jar built against it links unchanged against the real SDK, whose own {@code tornado.api} then
 * takes its place on the module path. This jar is never packed into the lenet jar.
 *
 * <p>Behaviour: {@code FloatArray}/{@code IntArray}/{@code ByteArray} are off-heap and indexed like the real ones;
 * {@code TaskGraph}/{@code TornadoExecutionPlan} run their tasks in order on the calling thread, on
 * device copies of the arrays kept apart from host memory as TornadoVM 5.2 keeps them: data moves
 * only through the transfers a graph declares, and graphs share device copies only through
 * {@code persistOnDevice}/{@code consumeFromDevice}. A task that reads device memory nothing gave a
 * value is an error. This lets the TornadoVM engine's graphs, transfers included, be tested without
 * TornadoVM; the runtime reports no backends and no devices, so nothing run through this module can
 * claim to be a GPU.
 *
 * <p>The package {@code uk.ac.manchester.tornado.api.standin} is the stand-in's own (a record of
 * transfers for tests, and the hook that swaps an array's memory); it is not exported, as the real
 * module has no such package: tests reach it with {@code --add-exports}.
 */
module tornado.api {
    exports uk.ac.manchester.tornado.api;
    exports uk.ac.manchester.tornado.api.annotations;
    exports uk.ac.manchester.tornado.api.common;
    exports uk.ac.manchester.tornado.api.enums;
    exports uk.ac.manchester.tornado.api.exceptions;
    exports uk.ac.manchester.tornado.api.math;
    exports uk.ac.manchester.tornado.api.runtime;
    exports uk.ac.manchester.tornado.api.types.arrays;
}
