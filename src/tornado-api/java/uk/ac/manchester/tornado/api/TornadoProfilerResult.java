package uk.ac.manchester.tornado.api;

/**
 * Timings of the last execution. The stand-in knows only host wall times of its in-order run; it has
 * no compiler and no bus, so compile and transfer times are 0.
 */
public class TornadoProfilerResult {
    private final long totalNanos;
    private final String profileLog;

    TornadoProfilerResult(long totalNanos, String profileLog) {
        this.totalNanos = totalNanos;
        this.profileLog = profileLog;
    }

    public long getTotalTime() {
        return totalNanos;
    }

    public long getCompileTime() {
        return 0;
    }

    public long getTornadoCompilerTime() {
        return 0;
    }

    public long getDriverInstallTime() {
        return 0;
    }

    public long getDeviceKernelTime() {
        return totalNanos;
    }

    public long getDataTransfersTime() {
        return 0;
    }

    public long getDeviceWriteTime() {
        return 0;
    }

    public long getDeviceReadTime() {
        return 0;
    }

    public long getTotalBytesCopyIn() {
        return 0;
    }

    public long getTotalBytesCopyOut() {
        return 0;
    }

    /** The profile log as TornadoVM writes it: JSON objects, one per profiled execution, concatenated. */
    public String getProfileLog() {
        return profileLog;
    }
}
