package lenet.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole training step (forward, loss, backward, SGD; see {@link Step}) on one shard of n examples on
 * one thread: examples/s per core = n / (time per op). The JVM engine runs one such shard per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
public class StepBench {
    @Param({"plain", "cpu"})
    public String impl;

    @Param({"128"})
    public int n;

    private Step step;

    @Setup
    public void setup() {
        step = new Step(n, switch (impl) {
            case "plain" -> false;
            case "cpu" -> true;
            default -> throw new IllegalArgumentException("impl: plain or cpu, not " + impl);
        });
    }

    @Benchmark
    public Object step() {
        step.run(null);
        return step.loss;
    }
}
