package lenet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lenet.engine.EngineData;
import lenet.engine.JvmEngine;
import lenet.engine.KernelSet;
import lenet.model.LeNet;
import lenet.model.Params;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The real {@link JvmEngine}: one training step of a batch (forward, loss, backward on one shard per
 * thread, the shard gradients summed, SGD) and inference over a test set of 10,000 examples (forward
 * only, counting the correct predictions), with 1 thread or all of them ({@code threads=0}: one per
 * available processor). The data are seeded random images: speed does not depend on the pixels.
 * Examples/s = batch / time per step, or 10,000 / time per inference. Setup runs the engine's
 * {@link JvmEngine#warmUp()} first, as {@code lenet train} does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineBench {
    /** Examples in the test set {@link #inference} runs over (Fashion-MNIST's t10k). */
    public static final int TEST = 10_000;
    private static final int TRAIN_BATCHES = 10;

    @Param({"cpu", "plain"})
    public String impl;

    /** Threads of the engine; 0 = one per available processor. */
    @Param({"1", "0"})
    public int threads;

    @Param({"256"})
    public int batch;

    private JvmEngine engine;
    private int next;

    @Setup
    public void setup() {
        KernelSet kernels = switch (impl) {
            case "plain" -> KernelSet.PLAIN;
            case "cpu" -> KernelSet.CPU;
            default -> throw new IllegalArgumentException("impl: plain or cpu, not " + impl);
        };
        int trainCount = TRAIN_BATCHES * batch;
        Random r = new Random(3);
        byte[] train = new byte[trainCount * LeNet.PIXELS];
        byte[] test = new byte[TEST * LeNet.PIXELS];
        r.nextBytes(train);
        r.nextBytes(test);
        int[] trainLabels = r.ints(trainCount, 0, LeNet.CLASSES).toArray();
        int[] testLabels = r.ints(TEST, 0, LeNet.CLASSES).toArray();
        EngineData data = EngineData.of(train, trainLabels, trainCount, test, testLabels, TEST);
        int t = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        // lr 0.01: random labels must not drive the sigmoids into saturation (or NaN) during the run
        engine = new JvmEngine(data, Params.xavier(0), 0.01f, batch, t, kernels);
        int[] order = new int[trainCount];
        for (int i = 0; i < trainCount; i++) {
            order[i] = i;
        }
        engine.beginEpoch(order, 0);
        // The engine's own warm-up (as `lenet train` runs it before the clock starts): full-batch passes
        // until the JIT has compiled every kernel, then the tail and one evaluation.
        engine.warmUp();
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public Object trainStep() {
        engine.trainBatch(next * batch, batch);
        next = (next + 1) % TRAIN_BATCHES;
        return engine.totals();
    }

    @Benchmark
    public int inference() {
        return engine.evaluate();
    }
}
