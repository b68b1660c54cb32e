/**
 * A stand-in for the part of TornadoVM 5.2.0's {@code tornado.api} module that lenet uses.
 *
 * <p>TornadoVM is not published to Maven Central, so lenet compiles against this module instead.
 * Every type and method here has the same name and signature as in TornadoVM 5.2.0, so the lenet
 * jar built against it links unchanged against the real SDK, whose own {@code tornado.api} then
 * takes its place on the module path. This jar is never packed into the lenet jar.
 *
 * <p>Behaviour: {@code FloatArray}/{@code IntArray} are off-heap and indexed like the real ones;
 * {@code TaskGraph}/{@code TornadoExecutionPlan} run their tasks in order on the calling thread,
 * which lets the TornadoVM engine's graph building be tested without TornadoVM; the runtime
 * reports no backends and no devices, so nothing run through this module can claim to be a GPU.
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
