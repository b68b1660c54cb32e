package uk.ac.manchester.tornado.api;

/** Timings of the last execution. The stand-in knows only the host wall time of its in-order run. */
public class TornadoProfilerResult {
    private final long totalNanos;

    TornadoProfilerResult(long totalNanos) {
        this.totalNanos = totalNanos;
    }

    public long getTotalTime() {
        return totalNanos;
    }

    public long getCompileTime() {
        return 0;
    }

    public long getDeviceKernelTime() {
        return totalNanos;
    }

    public long getDataTransfersTime() {
        return 0;
    }
}
