package uk.ac.manchester.tornado.api;

/** What {@link TornadoExecutionPlan#execute()} returns. On the stand-in, host memory is always current. */
public class TornadoExecutionResult {
    private final TornadoProfilerResult profilerResult;

    TornadoExecutionResult(TornadoProfilerResult profilerResult) {
        this.profilerResult = profilerResult;
    }

    public TornadoProfilerResult getProfilerResult() {
        return profilerResult;
    }

    public TornadoExecutionResult transferToHost(Object... objects) {
        return this;
    }

    public boolean isReady() {
        return true;
    }
}
