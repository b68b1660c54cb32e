package uk.ac.manchester.tornado.api;

/** What {@link TornadoExecutionPlan#execute()} returns. */
public class TornadoExecutionResult {
    private final TornadoExecutionPlan plan;
    private final TornadoProfilerResult profilerResult;

    TornadoExecutionResult(TornadoExecutionPlan plan, TornadoProfilerResult profilerResult) {
        this.plan = plan;
        this.profilerResult = profilerResult;
    }

    public TornadoProfilerResult getProfilerResult() {
        return profilerResult;
    }

    /**
     * Copies arrays from the device to the host. As in TornadoVM, this acts on the graphs the plan selects
     * now (not necessarily the execution that returned this result), and copies only arrays they declare.
     */
    public TornadoExecutionResult transferToHost(Object... objects) {
        plan.transferToHost(objects);
        return this;
    }

    public boolean isReady() {
        return true;
    }
}
