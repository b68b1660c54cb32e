package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import lenet.kernels.AvgPool2d;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link AvgPool2dCpu} against {@link AvgPool2d} on random data: the twin adds the same four values in
 * the same order and scales by the same ¼, so the results must be equal bit for bit.
 */
class AvgPool2dCpuTest {
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

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardEqualsPlainKernel(Shape s) {
        FloatArray in = random(new Random(1), s.c * s.h * s.w * s.n);
        int outSize = s.c * (s.h / 2) * (s.w / 2) * s.n;
        FloatArray plain = nan(outSize);
        FloatArray twin = nan(outSize);
        AvgPool2d.forward(in, plain, s.n, s.c, s.h, s.w);
        AvgPool2dCpu.forward(in, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < outSize; j++) {
            assertEquals(plain.get(j), twin.get(j), "forward " + s + ", element " + j);
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardEqualsPlainKernel(Shape s) {
        FloatArray dOut = random(new Random(2), s.c * (s.h / 2) * (s.w / 2) * s.n);
        int inSize = s.c * s.h * s.w * s.n;
        FloatArray plain = nan(inSize);
        FloatArray twin = nan(inSize);
        AvgPool2d.backward(dOut, plain, s.n, s.c, s.h, s.w);
        AvgPool2dCpu.backward(dOut, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < inSize; j++) {
            assertEquals(plain.get(j), twin.get(j), "backward " + s + ", element " + j);
        }
    }

    /** A backward pass's inputs: random dOut and act. */
    record Backward(FloatArray dOut, FloatArray act) {
        static Backward random(Shape s, Random r) {
            FloatArray dOut = TwinCheck.random(r, s.c * (s.h / 2) * (s.w / 2) * s.n);
            return new Backward(dOut, TwinCheck.random(r, s.c * s.h * s.w * s.n));
        }
    }

    /** The sigmoid's derivative in the epilogue: the same products in the same order, equal bit for bit. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardSigmoidEqualsPlainKernel(Shape s) {
        Backward b = Backward.random(s, new Random(3));
        int inSize = b.act.getSize();
        FloatArray plain = nan(inSize);
        FloatArray twin = nan(inSize);
        AvgPool2d.backwardSigmoid(b.dOut, b.act, plain, s.n, s.c, s.h, s.w);
        AvgPool2dCpu.backwardSigmoid(b.dOut, b.act, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < inSize; j++) {
            assertEquals(plain.get(j), twin.get(j), "backwardSigmoid " + s + ", element " + j);
        }
    }

    /**
     * In place (dIn = act, as the JVM engine runs it): the plain kernel and the twin each give what they
     * give into a buffer of their own, bit for bit; each element's activation is read before its gradient
     * is written there.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardSigmoidInPlaceEqualsOutOfPlace(Shape s) {
        Backward b = Backward.random(s, new Random(5));
        int inSize = b.act.getSize();
        FloatArray apart = nan(inSize);
        AvgPool2d.backwardSigmoid(b.dOut, b.act, apart, s.n, s.c, s.h, s.w);
        FloatArray plain = copy(b.act);
        FloatArray twin = copy(b.act);
        AvgPool2d.backwardSigmoid(b.dOut, plain, plain, s.n, s.c, s.h, s.w);
        AvgPool2dCpu.backwardSigmoid(b.dOut, twin, twin, s.n, s.c, s.h, s.w);
        for (int j = 0; j < inSize; j++) {
            assertEquals(apart.get(j), plain.get(j), "plain backwardSigmoid in place " + s + ", element " + j);
            assertEquals(apart.get(j), twin.get(j), "twin backwardSigmoid in place " + s + ", element " + j);
        }
    }

    static FloatArray copy(FloatArray a) {
        FloatArray c = new FloatArray(a.getSize());
        for (int j = 0; j < a.getSize(); j++) {
            c.set(j, a.get(j));
        }
        return c;
    }
}
