package lenet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lenet.kernels.Conv2d;
import lenet.kernels.Linear;
import lenet.kernels.cpu.Conv2dCpu;
import lenet.kernels.cpu.LinearCpu;
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
 * Each convolution and linear kernel of LeNet, plain ({@code lenet.kernels}) against its CPU twin
 * ({@code lenet.kernels.cpu}), at LeNet's layer shapes, one call per op. Multiply-adds per example
 * (×2 for FLOP): conv1 117,600 (backwardInput counted the same, padding included), conv2 240,000,
 * fc1 48,000, fc2 10,080, fc3 840; bias gradients: one add per output element.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
public class KernelBench {
    @Param({"conv1", "conv2", "fc1", "fc2", "fc3"})
    public String layer;

    @Param({"plain", "cpu"})
    public String impl;

    @Param({"128", "256"})
    public int n;

    // conv: cin, h, w, cout, k, pad; linear: fin = cin, fout = cout, h = w = k = 1
    private int cin;
    private int h;
    private int cout;
    private int k;
    private int pad;
    private int ho;
    private boolean conv;
    private boolean twin;

    private FloatArray in;
    private FloatArray weight;
    private FloatArray bias;
    private FloatArray out;
    private FloatArray dOut;
    private FloatArray dIn;
    private FloatArray dWeight;
    private FloatArray dBias;

    @Setup
    public void setup() {
        switch (layer) {
            case "conv1" -> conv(1, LeNet.IMAGE, LeNet.C1, LeNet.KERNEL, LeNet.PAD1);
            case "conv2" -> conv(LeNet.C1, LeNet.P1, LeNet.C2, LeNet.KERNEL, 0);
            case "fc1" -> linear(LeNet.FLAT, LeNet.F1);
            case "fc2" -> linear(LeNet.F1, LeNet.F2);
            case "fc3" -> linear(LeNet.F2, LeNet.CLASSES);
            default -> throw new IllegalArgumentException("layer: conv1, conv2, fc1, fc2 or fc3, not " + layer);
        }
        twin = switch (impl) {
            case "plain" -> false;
            case "cpu" -> true;
            default -> throw new IllegalArgumentException("impl: plain or cpu, not " + impl);
        };
        Random r = new Random(42);
        in = random(r, cin * h * h * n);
        weight = random(r, cout * cin * k * k);
        bias = random(r, cout);
        out = new FloatArray(cout * ho * ho * n);
        dOut = random(r, cout * ho * ho * n);
        dIn = new FloatArray(cin * h * h * n);
        dWeight = new FloatArray(cout * cin * k * k);
        dBias = new FloatArray(cout);
    }

    private void conv(int cin, int h, int cout, int k, int pad) {
        this.conv = true;
        this.cin = cin;
        this.h = h;
        this.cout = cout;
        this.k = k;
        this.pad = pad;
        this.ho = h + 2 * pad - k + 1;
    }

    private void linear(int fin, int fout) {
        this.conv = false;
        this.cin = fin;
        this.h = 1;
        this.cout = fout;
        this.k = 1;
        this.pad = 0;
        this.ho = 1;
    }

    static FloatArray random(Random r, int size) {
        FloatArray a = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            a.set(j, 2 * r.nextFloat() - 1);
        }
        return a;
    }

    @Benchmark
    public FloatArray forward() {
        if (conv) {
            if (twin) {
                Conv2dCpu.forward(in, weight, bias, out, n, cin, h, h, cout, k, pad);
            } else {
                Conv2d.forward(in, weight, bias, out, n, cin, h, h, cout, k, pad);
            }
        } else if (twin) {
            LinearCpu.forward(in, weight, bias, out, n, cin, cout);
        } else {
            Linear.forward(in, weight, bias, out, n, cin, cout);
        }
        return out;
    }

    @Benchmark
    public FloatArray backwardInput() {
        if (conv) {
            if (twin) {
                Conv2dCpu.backwardInput(dOut, weight, dIn, n, cin, h, h, cout, k, pad);
            } else {
                Conv2d.backwardInput(dOut, weight, dIn, n, cin, h, h, cout, k, pad);
            }
        } else if (twin) {
            LinearCpu.backwardInput(dOut, weight, dIn, n, cin, cout);
        } else {
            Linear.backwardInput(dOut, weight, dIn, n, cin, cout);
        }
        return dIn;
    }

    @Benchmark
    public FloatArray backwardWeight() {
        if (conv) {
            if (twin) {
                Conv2dCpu.backwardWeight(dOut, in, dWeight, n, cin, h, h, cout, k, pad);
            } else {
                Conv2d.backwardWeight(dOut, in, dWeight, n, cin, h, h, cout, k, pad);
            }
        } else if (twin) {
            LinearCpu.backwardWeight(dOut, in, dWeight, n, cin, cout);
        } else {
            Linear.backwardWeight(dOut, in, dWeight, n, cin, cout);
        }
        return dWeight;
    }

    @Benchmark
    public FloatArray backwardBias() {
        if (conv) {
            if (twin) {
                Conv2dCpu.backwardBias(dOut, dBias, n, cout, ho * ho);
            } else {
                Conv2d.backwardBias(dOut, dBias, n, cout, ho * ho);
            }
        } else if (twin) {
            LinearCpu.backwardBias(dOut, dBias, n, cout);
        } else {
            Linear.backwardBias(dOut, dBias, n, cout);
        }
        return dBias;
    }
}
