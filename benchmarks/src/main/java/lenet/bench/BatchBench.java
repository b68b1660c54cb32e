package lenet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lenet.engine.EngineData;
import lenet.kernels.Batch;
import lenet.kernels.cpu.BatchCpu;
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
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The batch gather, plain against CPU twin: n of the 60,000 training images (bytes, example-major), picked
 * through a shuffled order, into the batch-innermost input x[784][n]. Memory-bound: no FLOP counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
public class BatchBench {
    private static final int COUNT = 60_000;

    @Param({"plain", "cpu"})
    public String impl;

    @Param({"128"})
    public int n;

    private boolean twin;
    private ByteArray images;
    private FloatArray levels;
    private IntArray allLabels;
    private IntArray order;
    private IntArray cursor;
    private FloatArray x;
    private IntArray labels;
    private int step;

    @Setup
    public void setup() {
        twin = switch (impl) {
            case "plain" -> false;
            case "cpu" -> true;
            default -> throw new IllegalArgumentException("impl: plain or cpu, not " + impl);
        };
        Random r = new Random(42);
        byte[] bytes = new byte[COUNT * LeNet.PIXELS];
        r.nextBytes(bytes);
        images = ByteArray.fromArray(bytes);
        levels = EngineData.levelTable();
        allLabels = new IntArray(COUNT);
        order = new IntArray(COUNT);
        for (int e = 0; e < COUNT; e++) {
            allLabels.set(e, r.nextInt(LeNet.CLASSES));
            order.set(e, e);
        }
        for (int e = COUNT - 1; e > 0; e--) {
            int j = r.nextInt(e + 1);
            int t = order.get(e);
            order.set(e, order.get(j));
            order.set(j, t);
        }
        cursor = new IntArray(1);
        x = new FloatArray(LeNet.PIXELS * n);
        labels = new IntArray(n);
    }

    @Benchmark
    public FloatArray gather() {
        cursor.set(0, step);                            // the next n examples of the epoch, as training reads them
        step = step + 2 * n <= COUNT ? step + n : 0;
        if (twin) {
            BatchCpu.gather(images, levels, allLabels, order, cursor, x, labels, n, LeNet.PIXELS);
        } else {
            Batch.gather(images, levels, allLabels, order, cursor, x, labels, n, LeNet.PIXELS);
        }
        return x;
    }
}
