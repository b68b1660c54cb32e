package lenet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lenet.kernels.Sgd;
import lenet.kernels.SoftmaxCrossEntropy;
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
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The kernels that have no CPU twin (every engine runs the plain ones): softmax cross-entropy forward
 * and backward on n examples' logits, and one SGD update of all 61,706 parameters (the ten tensors,
 * one call each, as a step runs them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 3, time = 1)
public class LossSgdBench {
    @Param({"plain"})
    public String impl;

    @Param({"256"})
    public int n;

    private FloatArray logits;
    private IntArray labels;
    private FloatArray probs;
    private FloatArray loss;
    private FloatArray dLogits;
    private FloatArray[] params;
    private FloatArray[] grads;

    @Setup
    public void setup() {
        if (!impl.equals("plain")) {
            throw new IllegalArgumentException("impl: plain only (loss and SGD have no CPU twin), not " + impl);
        }
        Random r = new Random(42);
        logits = KernelBench.random(r, LeNet.CLASSES * n);
        labels = new IntArray(n);
        for (int i = 0; i < n; i++) {
            labels.set(i, r.nextInt(LeNet.CLASSES));
        }
        probs = new FloatArray(LeNet.CLASSES * n);
        loss = new FloatArray(n);
        dLogits = new FloatArray(LeNet.CLASSES * n);
        SoftmaxCrossEntropy.forward(logits, labels, probs, loss, n, LeNet.CLASSES);
        params = new FloatArray[LeNet.PARAMS.size()];
        grads = new FloatArray[params.length];
        for (int p = 0; p < params.length; p++) {
            params[p] = KernelBench.random(r, LeNet.PARAMS.get(p).size());
            grads[p] = KernelBench.random(r, LeNet.PARAMS.get(p).size());
        }
    }

    @Benchmark
    public FloatArray softmaxForward() {
        SoftmaxCrossEntropy.forward(logits, labels, probs, loss, n, LeNet.CLASSES);
        return loss;
    }

    @Benchmark
    public FloatArray softmaxBackward() {
        SoftmaxCrossEntropy.backward(probs, labels, dLogits, n, LeNet.CLASSES, 1.0f / n);
        return dLogits;
    }

    /** All ten parameter tensors; lr 0 keeps the parameters as they are from call to call. */
    @Benchmark
    public FloatArray[] update() {
        for (int p = 0; p < params.length; p++) {
            Sgd.update(params[p], grads[p], 0.0f, params[p].getSize());
        }
        return params;
    }
}
