package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.abs;
import static lenet.kernels.cpu.TwinCheck.assertSumsClose;
import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;
import lenet.kernels.Conv2d;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** {@link Conv2dCpu} against {@link Conv2d} on random data (tolerance: {@link TwinCheck#SUM_TOLERANCE}). */
class Conv2dCpuTest {
    record Shape(String name, int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho() {
            return h + 2 * pad - k + 1;
        }

        int wo() {
            return w + 2 * pad - k + 1;
        }

        @Override
        public String toString() {
            return name + " n=" + n;
        }
    }

    static Shape conv1(int n) {
        return new Shape("conv1", n, 1, LeNet.IMAGE, LeNet.IMAGE, LeNet.C1, LeNet.KERNEL, LeNet.PAD1);
    }

    static Shape conv2(int n) {
        return new Shape("conv2", n, LeNet.C1, LeNet.P1, LeNet.P1, LeNet.C2, LeNet.KERNEL, 0);
    }

    static Shape odd(int n) {
        return new Shape("odd", n, 2, 7, 7, 3, 3, 1);
    }

    /**
     * Batch 1 and n=3 (the plain-kernel fallback of forward and backwardInput; weight sums finished one
     * float at a time), n=37 and 40 (vector blocks plus an overlapping last block), n=48 (the shard of
     * the last, 96-example batch), 128 and 256 at LeNet's layer shapes.
     */
    static Stream<Shape> shapes() {
        return Stream.of(conv1(1), conv2(1), odd(3), odd(37), odd(40), conv1(48), conv2(48),
                conv1(128), conv2(128), conv1(256), conv2(256));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardMatchesPlainKernel(Shape s) {
        Random r = new Random(1);
        FloatArray in = random(r, s.cin * s.h * s.w * s.n);
        FloatArray weight = random(r, s.cout * s.cin * s.k * s.k);
        FloatArray bias = random(r, s.cout);
        int outSize = s.cout * s.ho() * s.wo() * s.n;
        FloatArray plain = nan(outSize);
        FloatArray twin = nan(outSize);
        FloatArray scale = nan(outSize);
        Conv2d.forward(in, weight, bias, plain, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2d.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2dCpu.forward(in, weight, bias, twin, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        assertSumsClose("forward " + s, plain, twin, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardInputMatchesPlainKernel(Shape s) {
        Random r = new Random(2);
        FloatArray dOut = random(r, s.cout * s.ho() * s.wo() * s.n);
        FloatArray weight = random(r, s.cout * s.cin * s.k * s.k);
        int inSize = s.cin * s.h * s.w * s.n;
        FloatArray plain = nan(inSize);
        FloatArray twin = nan(inSize);
        FloatArray scale = nan(inSize);
        Conv2d.backwardInput(dOut, weight, plain, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2d.backwardInput(abs(dOut), abs(weight), scale, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2dCpu.backwardInput(dOut, weight, twin, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        assertSumsClose("backwardInput " + s, plain, twin, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardWeightMatchesPlainKernel(Shape s) {
        Random r = new Random(3);
        FloatArray dOut = random(r, s.cout * s.ho() * s.wo() * s.n);
        FloatArray in = random(r, s.cin * s.h * s.w * s.n);
        int size = s.cout * s.cin * s.k * s.k;
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        FloatArray scale = nan(size);
        Conv2d.backwardWeight(dOut, in, plain, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2d.backwardWeight(abs(dOut), abs(in), scale, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2dCpu.backwardWeight(dOut, in, twin, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        assertSumsClose("backwardWeight " + s, plain, twin, scale);
        // the scratch buffer of the padded copy is reused: a second call must give the same result
        FloatArray again = nan(size);
        Conv2dCpu.backwardWeight(dOut, in, again, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        assertSumsClose("backwardWeight (second call) " + s, plain, again, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardBiasMatchesPlainKernel(Shape s) {
        Random r = new Random(4);
        int hwo = s.ho() * s.wo();
        FloatArray dOut = random(r, s.cout * hwo * s.n);
        FloatArray plain = nan(s.cout);
        FloatArray twin = nan(s.cout);
        FloatArray scale = nan(s.cout);
        Conv2d.backwardBias(dOut, plain, s.n, s.cout, hwo);
        Conv2d.backwardBias(abs(dOut), scale, s.n, s.cout, hwo);
        Conv2dCpu.backwardBias(dOut, twin, s.n, s.cout, hwo);
        assertSumsClose("backwardBias " + s, plain, twin, scale);
    }

    /**
     * conv → sigmoid → pool: act within {@link TwinCheck#SUM_TOLERANCE} of the convolution's Σ|terms|
     * (σ' ≤ ¼ shrinks the convolution's difference; the vector exp's ulp or two are far below), pooled
     * within the same of the window's mean Σ|terms|. Shapes whose output pools (even height and width).
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void forwardSigmoidPoolMatchesPlainKernel(Shape s) {
        if (s.ho() % 2 != 0 || s.wo() % 2 != 0) {
            return;
        }
        Random r = new Random(5);
        FloatArray in = random(r, s.cin * s.h * s.w * s.n);
        FloatArray weight = random(r, s.cout * s.cin * s.k * s.k);
        FloatArray bias = random(r, s.cout);
        int outSize = s.cout * s.ho() * s.wo() * s.n;
        FloatArray plainAct = nan(outSize);
        FloatArray twinAct = nan(outSize);
        FloatArray plainPool = nan(outSize / 4);
        FloatArray twinPool = nan(outSize / 4);
        FloatArray scale = nan(outSize);
        FloatArray poolScale = nan(outSize / 4);
        Conv2d.forwardSigmoidPool(in, weight, bias, plainAct, plainPool, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2dCpu.forwardSigmoidPool(in, weight, bias, twinAct, twinPool, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2d.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        lenet.kernels.AvgPool2d.forward(scale, poolScale, s.n, s.cout, s.ho(), s.wo());
        assertSumsClose("forwardSigmoidPool act " + s, plainAct, twinAct, scale);
        assertSumsClose("forwardSigmoidPool pooled " + s, plainPool, twinPool, poolScale);
    }

    /**
     * The ReLU and the max pool in the epilogue: act within {@link TwinCheck#SUM_TOLERANCE} of the
     * convolution's Σ|terms| (the ReLU moves no value further than the sum's difference); pooled and argmax
     * exactly what {@link lenet.kernels.MaxPool2d#forward} makes of the twin's own act (the twin may break a
     * near tie otherwise than the plain kernel, whose sums differ in the last bits). Shapes whose output pools.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void forwardReluMaxPoolMatchesPlainKernel(Shape s) {
        if (s.ho() % 2 != 0 || s.wo() % 2 != 0) {
            return;
        }
        Random r = new Random(7);
        FloatArray in = random(r, s.cin * s.h * s.w * s.n);
        FloatArray weight = random(r, s.cout * s.cin * s.k * s.k);
        FloatArray bias = random(r, s.cout);
        int outSize = s.cout * s.ho() * s.wo() * s.n;
        FloatArray plainAct = nan(outSize);
        FloatArray twinAct = nan(outSize);
        FloatArray plainPool = nan(outSize / 4);
        FloatArray twinPool = nan(outSize / 4);
        IntArray plainArg = new IntArray(outSize / 4);
        IntArray twinArg = new IntArray(outSize / 4);
        twinArg.init(-1);
        FloatArray scale = nan(outSize);
        Conv2d.forwardReluMaxPool(in, weight, bias, plainAct, plainPool, plainArg, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2dCpu.forwardReluMaxPool(in, weight, bias, twinAct, twinPool, twinArg, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        Conv2d.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad);
        assertSumsClose("forwardReluMaxPool act " + s, plainAct, twinAct, scale);
        FloatArray ownPool = nan(outSize / 4);
        IntArray ownArg = new IntArray(outSize / 4);
        lenet.kernels.MaxPool2d.forward(twinAct, ownPool, ownArg, s.n, s.cout, s.ho(), s.wo());
        assertArrayEquals(ownPool.toHeapArray(), twinPool.toHeapArray(), "forwardReluMaxPool pooled " + s);
        assertArrayEquals(ownArg.toHeapArray(), twinArg.toHeapArray(), "forwardReluMaxPool argmax " + s);
        FloatArray poolScale = nan(outSize / 4);
        lenet.kernels.MaxPool2d.forward(scale, poolScale, new IntArray(outSize / 4), s.n, s.cout, s.ho(), s.wo());
        assertSumsClose("forwardReluMaxPool pooled vs plain " + s, plainPool, twinPool, poolScale);
    }

    /** One slice, the CPU's shape: the weight and bias partials are the whole batch's gradient. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardPartialsMatchesPlainKernel(Shape s) {
        Random r = new Random(6);
        int hwo = s.ho() * s.wo();
        FloatArray dOut = random(r, s.cout * hwo * s.n);
        FloatArray in = random(r, s.cin * s.h * s.w * s.n);
        int size = s.cout * s.cin * s.k * s.k;
        FloatArray plainW = nan(size);
        FloatArray plainB = nan(s.cout);
        FloatArray twinW = nan(size);
        FloatArray twinB = nan(s.cout);
        FloatArray scaleW = nan(size);
        FloatArray scaleB = nan(s.cout);
        Conv2d.backwardPartials(dOut, in, plainW, plainB, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad, 1);
        Conv2d.backwardPartials(abs(dOut), abs(in), scaleW, scaleB, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad, 1);
        Conv2dCpu.backwardPartials(dOut, in, twinW, twinB, s.n, s.cin, s.h, s.w, s.cout, s.k, s.pad, 1);
        assertSumsClose("backwardPartials weight " + s, plainW, twinW, scaleW);
        assertSumsClose("backwardPartials bias " + s, plainB, twinB, scaleB);
    }
}
