package lenet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lenet.kernels.AvgPool2d;
import lenet.kernels.Sigmoid;
import lenet.kernels.cpu.AvgPool2dCpu;
import lenet.kernels.cpu.SigmoidCpu;
import lenet.model.LeNet;
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
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The element-wise kernels of LeNet, plain against CPU twin: sigmoid (forward, backward) and
 * 2×2 average pooling (forward, backward) on the output of conv1 (6×28×28) or conv2 (16×10×10).
 * Memory-bound: compare elements per second, not FLOP.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
public class ActivationBench {
    @Param({"conv1", "conv2"})
    public String layer;

    @Param({"plain", "cpu"})
    public String impl;

    @Param({"128"})
    public int n;

    private int c;
    private int h;
    private int size;
    private boolean twin;
    private FloatArray x;
    private FloatArray y;
    private FloatArray dy;
    private FloatArray pooled;

    @Setup
    public void setup() {
        switch (layer) {
            case "conv1" -> {
                c = LeNet.C1;
                h = LeNet.H1;
            }
            case "conv2" -> {
                c = LeNet.C2;
                h = LeNet.H2;
            }
            default -> throw new IllegalArgumentException("layer: conv1 or conv2, not " + layer);
        }
        twin = switch (impl) {
            case "plain" -> false;
            case "cpu" -> true;
            default -> throw new IllegalArgumentException("impl: plain or cpu, not " + impl);
        };
        size = c * h * h * n;
        Random r = new Random(42);
        x = KernelBench.random(r, size);
        y = new FloatArray(size);
        Sigmoid.forward(x, y, size);
        dy = KernelBench.random(r, size);
        pooled = KernelBench.random(r, size / 4);
    }

    @Benchmark
    public FloatArray sigmoidForward() {
        // x → y (not in place, so every call sees the same inputs)
        if (twin) {
            SigmoidCpu.forward(x, y, size);
        } else {
            Sigmoid.forward(x, y, size);
        }
        return y;
    }

    @Benchmark
    public FloatArray sigmoidBackward() {
        if (twin) {
            SigmoidCpu.backward(y, dy, x, size);
        } else {
            Sigmoid.backward(y, dy, x, size);
        }
        return x;
    }

    @Benchmark
    public FloatArray poolForward() {
        if (twin) {
            AvgPool2dCpu.forward(dy, pooled, n, c, h, h);
        } else {
            AvgPool2d.forward(dy, pooled, n, c, h, h);
        }
        return pooled;
    }

    @Benchmark
    public FloatArray poolBackward() {
        if (twin) {
            AvgPool2dCpu.backward(pooled, dy, n, c, h, h);
        } else {
            AvgPool2d.backward(pooled, dy, n, c, h, h);
        }
        return dy;
    }
}
