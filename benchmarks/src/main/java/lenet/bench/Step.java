package lenet.bench;

import static lenet.model.LeNet.C1;
import static lenet.model.LeNet.C2;
import static lenet.model.LeNet.CLASSES;
import static lenet.model.LeNet.F1;
import static lenet.model.LeNet.F2;
import static lenet.model.LeNet.FLAT;
import static lenet.model.LeNet.H1;
import static lenet.model.LeNet.H2;
import static lenet.model.LeNet.IMAGE;
import static lenet.model.LeNet.KERNEL;
import static lenet.model.LeNet.P1;
import static lenet.model.LeNet.P2;
import static lenet.model.LeNet.PAD1;

import java.util.Random;
import lenet.kernels.AvgPool2d;
import lenet.kernels.Conv2d;
import lenet.kernels.Linear;
import lenet.kernels.Sgd;
import lenet.kernels.Sigmoid;
import lenet.kernels.SoftmaxCrossEntropy;
import lenet.kernels.cpu.AvgPool2dCpu;
import lenet.kernels.cpu.Conv2dCpu;
import lenet.kernels.cpu.LinearCpu;
import lenet.kernels.cpu.SigmoidCpu;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One training step of LeNet on one shard of n examples, as the JVM engine's thread runs it: forward,
 * softmax cross-entropy, backward (every weight and bias gradient, no input gradient for conv1), and
 * SGD on all parameters. With {@code twins} the convolution, linear, sigmoid and pooling kernels are the CPU
 * twins; loss and SGD are the plain kernels either way.
 */
final class Step {
    /** Stage names, in the order {@link #run} times them. */
    static final String[] STAGES = {
        "conv1 forward", "conv1 sigmoidForward", "conv1 poolForward", "conv2 forward", "conv2 sigmoidForward", "conv2 poolForward",
        "fc1 forward", "fc1 sigmoidForward", "fc2 forward", "fc2 sigmoidForward", "fc3 forward", "softmax-CE fwd+bwd",
        "fc3 backward (W, b, in)", "fc2 sigmoidBackward", "fc2 backward (W, b, in)", "fc1 sigmoidBackward",
        "fc1 backwardWeight+Bias", "fc1 backwardInput", "conv2 poolBackward", "conv2 sigmoidBackward",
        "conv2 backwardWeight", "conv2 backwardBias", "conv2 backwardInput", "conv1 poolBackward", "conv1 sigmoidBackward",
        "conv1 backwardWeight", "conv1 backwardBias", "SGD"};

    final int n;
    final boolean twins;
    final float lr = 0.1f;
    final float scale;

    final FloatArray x;
    final IntArray labels;
    final FloatArray w1 = new FloatArray(C1 * KERNEL * KERNEL);
    final FloatArray b1 = new FloatArray(C1);
    final FloatArray w2 = new FloatArray(C2 * C1 * KERNEL * KERNEL);
    final FloatArray b2 = new FloatArray(C2);
    final FloatArray w3 = new FloatArray(F1 * FLAT);
    final FloatArray b3 = new FloatArray(F1);
    final FloatArray w4 = new FloatArray(F2 * F1);
    final FloatArray b4 = new FloatArray(F2);
    final FloatArray w5 = new FloatArray(CLASSES * F2);
    final FloatArray b5 = new FloatArray(CLASSES);
    final FloatArray[] params = {w1, b1, w2, b2, w3, b3, w4, b4, w5, b5};
    final FloatArray[] grads;

    // activations (sigmoids in place) and their gradients (in place where the kernels allow)
    final FloatArray s1;
    final FloatArray p1;
    final FloatArray s2;
    final FloatArray p2;
    final FloatArray f1;
    final FloatArray f2;
    final FloatArray logits;
    final FloatArray probs;
    final FloatArray loss;
    final FloatArray dLogits;
    final FloatArray df2;
    final FloatArray df1;
    final FloatArray dp2;
    final FloatArray ds2;
    final FloatArray dp1;
    final FloatArray ds1;

    Step(int n, boolean twins) {
        this.n = n;
        this.twins = twins;
        this.scale = 1.0f / (2 * n);
        Random r = new Random(7);
        x = new FloatArray(IMAGE * IMAGE * n);
        for (int j = 0; j < x.getSize(); j++) {
            x.set(j, r.nextFloat());
        }
        labels = new IntArray(n);
        for (int i = 0; i < n; i++) {
            labels.set(i, r.nextInt(CLASSES));
        }
        int[] fanIn = {KERNEL * KERNEL, KERNEL * KERNEL, C1 * KERNEL * KERNEL, C1 * KERNEL * KERNEL, FLAT, FLAT, F1, F1, F2, F2};
        grads = new FloatArray[params.length];
        for (int p = 0; p < params.length; p++) {
            float bound = (float) (1 / Math.sqrt(fanIn[p]));
            for (int j = 0; j < params[p].getSize(); j++) {
                params[p].set(j, bound * (2 * r.nextFloat() - 1));
            }
            grads[p] = new FloatArray(params[p].getSize());
        }
        s1 = new FloatArray(C1 * H1 * H1 * n);
        p1 = new FloatArray(C1 * P1 * P1 * n);
        s2 = new FloatArray(C2 * H2 * H2 * n);
        p2 = new FloatArray(FLAT * n);
        f1 = new FloatArray(F1 * n);
        f2 = new FloatArray(F2 * n);
        logits = new FloatArray(CLASSES * n);
        probs = new FloatArray(CLASSES * n);
        loss = new FloatArray(n);
        dLogits = new FloatArray(CLASSES * n);
        df2 = new FloatArray(F2 * n);
        df1 = new FloatArray(F1 * n);
        dp2 = new FloatArray(FLAT * n);
        ds2 = new FloatArray(C2 * H2 * H2 * n);
        dp1 = new FloatArray(C1 * P1 * P1 * n);
        ds1 = new FloatArray(C1 * H1 * H1 * n);
    }

    private void conv(FloatArray in, FloatArray w, FloatArray b, FloatArray out, int cin, int h, int cout, int pad) {
        if (twins) {
            Conv2dCpu.forward(in, w, b, out, n, cin, h, h, cout, KERNEL, pad);
        } else {
            Conv2d.forward(in, w, b, out, n, cin, h, h, cout, KERNEL, pad);
        }
    }

    private void convBackwardWeight(FloatArray dOut, FloatArray in, FloatArray dw, int cin, int h, int cout, int pad) {
        if (twins) {
            Conv2dCpu.backwardWeight(dOut, in, dw, n, cin, h, h, cout, KERNEL, pad);
        } else {
            Conv2d.backwardWeight(dOut, in, dw, n, cin, h, h, cout, KERNEL, pad);
        }
    }

    private void convBackwardBias(FloatArray dOut, FloatArray db, int cout, int hwo) {
        if (twins) {
            Conv2dCpu.backwardBias(dOut, db, n, cout, hwo);
        } else {
            Conv2d.backwardBias(dOut, db, n, cout, hwo);
        }
    }

    private void linear(FloatArray in, FloatArray w, FloatArray b, FloatArray out, int fin, int fout) {
        if (twins) {
            LinearCpu.forward(in, w, b, out, n, fin, fout);
        } else {
            Linear.forward(in, w, b, out, n, fin, fout);
        }
    }

    private void linearBackwardParams(FloatArray dOut, FloatArray in, FloatArray dw, FloatArray db, int fin, int fout) {
        if (twins) {
            LinearCpu.backwardWeight(dOut, in, dw, n, fin, fout);
            LinearCpu.backwardBias(dOut, db, n, fout);
        } else {
            Linear.backwardWeight(dOut, in, dw, n, fin, fout);
            Linear.backwardBias(dOut, db, n, fout);
        }
    }

    private void linearBackwardInput(FloatArray dOut, FloatArray w, FloatArray dIn, int fin, int fout) {
        if (twins) {
            LinearCpu.backwardInput(dOut, w, dIn, n, fin, fout);
        } else {
            Linear.backwardInput(dOut, w, dIn, n, fin, fout);
        }
    }

    private void pool(FloatArray in, FloatArray out, int c, int h) {
        if (twins) {
            AvgPool2dCpu.forward(in, out, n, c, h, h);
        } else {
            AvgPool2d.forward(in, out, n, c, h, h);
        }
    }

    private void poolBackward(FloatArray dOut, FloatArray dIn, int c, int h) {
        if (twins) {
            AvgPool2dCpu.backward(dOut, dIn, n, c, h, h);
        } else {
            AvgPool2d.backward(dOut, dIn, n, c, h, h);
        }
    }

    private void sigmoid(FloatArray a, int size) {
        if (twins) {
            SigmoidCpu.forward(a, a, size);
        } else {
            Sigmoid.forward(a, a, size);
        }
    }

    private void sigmoidBackward(FloatArray y, FloatArray d, int size) {
        if (twins) {
            SigmoidCpu.backward(y, d, d, size);
        } else {
            Sigmoid.backward(y, d, d, size);
        }
    }

    /** One step; with {@code times} non-null, adds each stage's CPU nanoseconds to times[stage]. */
    void run(long[] times) {
        Clock c = new Clock(times);
        conv(x, w1, b1, s1, 1, IMAGE, C1, PAD1);
        c.mark(0);
        sigmoid(s1, s1.getSize());
        c.mark(1);
        pool(s1, p1, C1, H1);
        c.mark(2);
        conv(p1, w2, b2, s2, C1, P1, C2, 0);
        c.mark(3);
        sigmoid(s2, s2.getSize());
        c.mark(4);
        pool(s2, p2, C2, H2);
        c.mark(5);
        linear(p2, w3, b3, f1, FLAT, F1);
        c.mark(6);
        sigmoid(f1, f1.getSize());
        c.mark(7);
        linear(f1, w4, b4, f2, F1, F2);
        c.mark(8);
        sigmoid(f2, f2.getSize());
        c.mark(9);
        linear(f2, w5, b5, logits, F2, CLASSES);
        c.mark(10);
        SoftmaxCrossEntropy.forward(logits, labels, probs, loss, n, CLASSES);
        SoftmaxCrossEntropy.backward(probs, labels, dLogits, n, CLASSES, scale);
        c.mark(11);

        linearBackwardParams(dLogits, f2, grads[8], grads[9], F2, CLASSES);
        linearBackwardInput(dLogits, w5, df2, F2, CLASSES);
        c.mark(12);
        sigmoidBackward(f2, df2, df2.getSize());
        c.mark(13);
        linearBackwardParams(df2, f1, grads[6], grads[7], F1, F2);
        linearBackwardInput(df2, w4, df1, F1, F2);
        c.mark(14);
        sigmoidBackward(f1, df1, df1.getSize());
        c.mark(15);
        linearBackwardParams(df1, p2, grads[4], grads[5], FLAT, F1);
        c.mark(16);
        linearBackwardInput(df1, w3, dp2, FLAT, F1);
        c.mark(17);
        poolBackward(dp2, ds2, C2, H2);
        c.mark(18);
        sigmoidBackward(s2, ds2, ds2.getSize());
        c.mark(19);
        convBackwardWeight(ds2, p1, grads[2], C1, P1, C2, 0);
        c.mark(20);
        convBackwardBias(ds2, grads[3], C2, H2 * H2);
        c.mark(21);
        if (twins) {
            Conv2dCpu.backwardInput(ds2, w2, dp1, n, C1, P1, P1, C2, KERNEL, 0);
        } else {
            Conv2d.backwardInput(ds2, w2, dp1, n, C1, P1, P1, C2, KERNEL, 0);
        }
        c.mark(22);
        poolBackward(dp1, ds1, C1, H1);
        c.mark(23);
        sigmoidBackward(s1, ds1, ds1.getSize());
        c.mark(24);
        convBackwardWeight(ds1, x, grads[0], 1, IMAGE, C1, PAD1);
        c.mark(25);
        convBackwardBias(ds1, grads[1], C1, H1 * H1);
        c.mark(26);
        for (int p = 0; p < params.length; p++) {
            Sgd.update(params[p], grads[p], lr, params[p].getSize());
        }
        c.mark(27);
    }

    /** Adds the calling thread's CPU time since the previous mark to times[stage] (CPU time: a busy machine inflates it less than wall time). */
    private static final class Clock {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        private final long[] times;
        private long last;

        Clock(long[] times) {
            this.times = times;
            this.last = times == null ? 0 : THREADS.getCurrentThreadCpuTime();
        }

        void mark(int stage) {
            if (times != null) {
                long now = THREADS.getCurrentThreadCpuTime();
                times[stage] += now - last;
                last = now;
            }
        }
    }
}
