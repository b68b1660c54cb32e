package lenet.train;

import java.util.ArrayList;
import java.util.List;

import lenet.engine.tornado.KernelProfile;

/** What a training run measured: written as the run's metrics JSON and used for its chart. */
public final class RunMetrics {
    /** One epoch's figures. */
    public record Epoch(int epoch, double loss, double trainAcc, double testAcc, double trainSeconds, double examplesPerSec) {
    }

    /** A progress point within an epoch, as d2l plots them (epoch as a fraction: 1.2 = 20% into epoch 2). */
    public record Point(double epoch, double loss, double trainAcc) {
    }

    public String engine;
    public String device;
    public int threads;
    public String kernels;
    public int epochs;
    public int batchSize;
    public float lr;
    public long seed;
    public int trainExamples;
    public int testExamples;
    public double loss;
    public double trainAcc;
    public double testAcc;
    public double examplesPerSec;
    public double trainSeconds;
    public double wallSeconds;
    /** Seconds spent compiling the kernels before training (JIT warm-up), not counted in examples/sec. */
    public double warmUpSeconds;
    /**
     * Seconds spent between epochs waiting for the JIT to finish compiling what the evaluation, checkpoint
     * and charts left behind (the JVM engine), counted in the wall time, not in examples/sec.
     */
    public double jitWaitSeconds;
    /** {@code --profile}: the profiled training step's figures per kernel, as printed; null (absent) otherwise. */
    public KernelProfile profile;
    /**
     * Device memory the engine's buffers took at the end of the run (data set, parameters, activations,
     * gradients), in bytes, as the device runtime counts it; null (absent) for the JVM engine.
     */
    public Long deviceMemoryBytes;
    public final List<Epoch> history = new ArrayList<>();
    public final List<Point> progress = new ArrayList<>();
}
