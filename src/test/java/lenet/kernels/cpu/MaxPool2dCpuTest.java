package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import lenet.kernels.MaxPool2d;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link MaxPool2dCpu} against {@link MaxPool2d} (and {@link lenet.kernels.Relu}) on random data, with ties: the
 * twin compares and copies the same values in the same order, so the results must be equal bit for bit, argmax
 * included.
 */
class MaxPool2dCpuTest {
    record Shape(int n, int c, int h, int w) {
    }

    /** Batch 1, n=3 with an odd channel count and a non-square input, n=37, and LeNet's two pools at n=48, 128, 256. */
    static Stream<Shape> shapes() {
        Stream.Builder<Shape> b = Stream.builder();
        b.add(new Shape(1, LeNet.C1, LeNet.H1, LeNet.H1)).add(new Shape(3, 3, 6, 8)).add(new Shape(37, 3, 6, 8));
        for (int n : new int[] {48, 128, 256}) {
            b.add(new Shape(n, LeNet.C1, LeNet.H1, LeNet.H1)).add(new Shape(n, LeNet.C2, LeNet.H2, LeNet.H2));
        }
        return b.build();
    }

    /** Values from {−1, −½, 0, ½, 1}: ties for the maximum in many windows. */
    private static FloatArray coarse(Random r, int size) {
        FloatArray a = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            a.set(j, 0.5f * r.nextInt(5) - 1.0f);
        }
        return a;
    }

    private static IntArray minusOnes(int size) {
        IntArray a = new IntArray(size);
        a.init(-1);
        return a;
    }

    /**
     * The ReLU in place and the pool ({@link MaxPool2dCpu#reluForward}, the epilogue of {@link Conv2dCpu#forwardReluMaxPool})
     * against {@link lenet.kernels.Relu#forward} then {@link MaxPool2d#forward}, on random values and on values with ties
     * (including the ReLU's zeros, and −0).
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void reluForwardEqualsReluThenPlainKernel(Shape s) {
        int size = s.c * s.h * s.w * s.n;
        for (FloatArray act : new FloatArray[] {random(new Random(1), size), coarse(new Random(3), size)}) {
            act.set(size - 1, -0.0f);
            FloatArray plainAct = new FloatArray(size);
            lenet.kernels.Relu.forward(act, plainAct, size);
            int outSize = size / 4;
            FloatArray plain = nan(outSize);
            FloatArray twin = nan(outSize);
            IntArray plainArg = minusOnes(outSize);
            IntArray twinArg = minusOnes(outSize);
            MaxPool2d.forward(plainAct, plain, plainArg, s.n, s.c, s.h, s.w);
            MaxPool2dCpu.reluForward(act, twin, twinArg, s.n, s.c, s.h, s.w);
            assertArrayEquals(plainAct.toHeapArray(), act.toHeapArray(), "act " + s);
            assertArrayEquals(plain.toHeapArray(), twin.toHeapArray(), "pooled " + s);
            assertArrayEquals(plainArg.toHeapArray(), twinArg.toHeapArray(), "argmax " + s);
        }
    }

    /** A backward pass's inputs: random dOut, random window positions as the argmax, act after a ReLU. */
    record Backward(FloatArray dOut, IntArray argmax, FloatArray act) {
        static Backward random(Shape s, Random r) {
            int outSize = s.c * (s.h / 2) * (s.w / 2) * s.n;
            int inSize = outSize * 4;
            FloatArray dOut = TwinCheck.random(r, outSize);
            IntArray argmax = new IntArray(outSize);
            for (int j = 0; j < outSize; j++) {
                argmax.set(j, r.nextInt(4));
            }
            FloatArray act = TwinCheck.random(r, inSize);
            lenet.kernels.Relu.forward(act, act, inSize);
            return new Backward(dOut, argmax, act);
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardReluEqualsPlainKernel(Shape s) {
        Backward b = Backward.random(s, new Random(4));
        int inSize = b.act.getSize();
        FloatArray plain = nan(inSize);
        FloatArray twin = nan(inSize);
        MaxPool2d.backwardRelu(b.dOut, b.argmax, b.act, plain, s.n, s.c, s.h, s.w);
        MaxPool2dCpu.backwardRelu(b.dOut, b.argmax, b.act, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < inSize; j++) {
            assertEquals(Float.floatToRawIntBits(plain.get(j)), Float.floatToRawIntBits(twin.get(j)), "backwardRelu " + s + ", element " + j);
        }
    }

    /** In place (dIn = act, as the JVM engine runs lenet-relu): the same bits as into a buffer of its own, plain kernel and twin. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardReluInPlaceEqualsOutOfPlace(Shape s) {
        Backward b = Backward.random(s, new Random(6));
        int inSize = b.act.getSize();
        FloatArray apart = nan(inSize);
        MaxPool2d.backwardRelu(b.dOut, b.argmax, b.act, apart, s.n, s.c, s.h, s.w);
        FloatArray plain = AvgPool2dCpuTest.copy(b.act);
        FloatArray twin = AvgPool2dCpuTest.copy(b.act);
        MaxPool2d.backwardRelu(b.dOut, b.argmax, plain, plain, s.n, s.c, s.h, s.w);
        MaxPool2dCpu.backwardRelu(b.dOut, b.argmax, twin, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < inSize; j++) {
            assertEquals(Float.floatToRawIntBits(apart.get(j)), Float.floatToRawIntBits(plain.get(j)), "plain backwardRelu in place " + s + ", element " + j);
            assertEquals(Float.floatToRawIntBits(apart.get(j)), Float.floatToRawIntBits(twin.get(j)), "twin backwardRelu in place " + s + ", element " + j);
        }
    }
}
