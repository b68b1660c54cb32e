package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.abs;
import static lenet.kernels.cpu.TwinCheck.assertSumsClose;
import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;

import java.util.Random;
import java.util.stream.Stream;
import lenet.kernels.Linear;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link LinearCpu} against {@link Linear} on random data (tolerance: {@link TwinCheck#SUM_TOLERANCE}). */
class LinearCpuTest {
    record Shape(int n, int fin, int fout) {
        @Override
        public String toString() {
            return fin + "→" + fout + " n=" + n;
        }
    }

    /**
     * Batch 1 and n=3 (the plain-kernel fallback of forward and backwardInput), n=37 and odd feature
     * counts (overlapping last blocks, sums finished one float at a time), 37 input features (the
     * weight gradient's transposed path with an overlapping last block), and n=48, 128, 256 at
     * LeNet's three layers.
     */
    static Stream<Shape> shapes() {
        Stream.Builder<Shape> b = Stream.builder();
        b.add(new Shape(1, LeNet.FLAT, LeNet.F1)).add(new Shape(3, 5, 7)).add(new Shape(37, 5, 7)).add(new Shape(37, 13, 11))
                .add(new Shape(3, 37, 11)).add(new Shape(37, 37, 11));
        for (int n : new int[] {48, 128, 256}) {
            b.add(new Shape(n, LeNet.FLAT, LeNet.F1)).add(new Shape(n, LeNet.F1, LeNet.F2)).add(new Shape(n, LeNet.F2, LeNet.CLASSES));
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardMatchesPlainKernel(Shape s) {
        Random r = new Random(1);
        FloatArray in = random(r, s.fin * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray bias = random(r, s.fout);
        FloatArray plain = nan(s.fout * s.n);
        FloatArray twin = nan(s.fout * s.n);
        FloatArray scale = nan(s.fout * s.n);
        Linear.forward(in, weight, bias, plain, s.n, s.fin, s.fout);
        Linear.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.fin, s.fout);
        LinearCpu.forward(in, weight, bias, twin, s.n, s.fin, s.fout);
        assertSumsClose("forward " + s, plain, twin, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardInputMatchesPlainKernel(Shape s) {
        Random r = new Random(2);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray plain = nan(s.fin * s.n);
        FloatArray twin = nan(s.fin * s.n);
        FloatArray scale = nan(s.fin * s.n);
        Linear.backwardInput(dOut, weight, plain, s.n, s.fin, s.fout);
        Linear.backwardInput(abs(dOut), abs(weight), scale, s.n, s.fin, s.fout);
        LinearCpu.backwardInput(dOut, weight, twin, s.n, s.fin, s.fout);
        assertSumsClose("backwardInput " + s, plain, twin, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardWeightMatchesPlainKernel(Shape s) {
        Random r = new Random(3);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray in = random(r, s.fin * s.n);
        FloatArray plain = nan(s.fout * s.fin);
        FloatArray twin = nan(s.fout * s.fin);
        FloatArray scale = nan(s.fout * s.fin);
        Linear.backwardWeight(dOut, in, plain, s.n, s.fin, s.fout);
        Linear.backwardWeight(abs(dOut), abs(in), scale, s.n, s.fin, s.fout);
        LinearCpu.backwardWeight(dOut, in, twin, s.n, s.fin, s.fout);
        assertSumsClose("backwardWeight " + s, plain, twin, scale);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardBiasMatchesPlainKernel(Shape s) {
        Random r = new Random(4);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray plain = nan(s.fout);
        FloatArray twin = nan(s.fout);
        FloatArray scale = nan(s.fout);
        Linear.backwardBias(dOut, plain, s.n, s.fout);
        Linear.backwardBias(abs(dOut), scale, s.n, s.fout);
        LinearCpu.backwardBias(dOut, twin, s.n, s.fout);
        assertSumsClose("backwardBias " + s, plain, twin, scale);
    }

    /** The sigmoid in the epilogue: within {@link TwinCheck#SUM_TOLERANCE} of the linear layer's Σ|terms|. */
    @ParameterizedTest
    @MethodSource("shapes")
    void forwardSigmoidMatchesPlainKernel(Shape s) {
        Random r = new Random(5);
        FloatArray in = random(r, s.fin * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray bias = random(r, s.fout);
        FloatArray plain = nan(s.fout * s.n);
        FloatArray twin = nan(s.fout * s.n);
        FloatArray scale = nan(s.fout * s.n);
        Linear.forwardSigmoid(in, weight, bias, plain, s.n, s.fin, s.fout);
        Linear.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.fin, s.fout);
        LinearCpu.forwardSigmoid(in, weight, bias, twin, s.n, s.fin, s.fout);
        assertSumsClose("forwardSigmoid " + s, plain, twin, scale);
    }

    /** The sigmoid's derivative in the epilogue (y·(1 − y) ≤ ¼ scales the sum's difference down). */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardInputSigmoidMatchesPlainKernel(Shape s) {
        Random r = new Random(6);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray y = random(r, s.fin * s.n);
        FloatArray plain = nan(s.fin * s.n);
        FloatArray twin = nan(s.fin * s.n);
        FloatArray scale = nan(s.fin * s.n);
        Linear.backwardInputSigmoid(dOut, weight, y, plain, s.n, s.fin, s.fout);
        Linear.backwardInput(abs(dOut), abs(weight), scale, s.n, s.fin, s.fout);
        LinearCpu.backwardInputSigmoid(dOut, weight, y, twin, s.n, s.fin, s.fout);
        assertSumsClose("backwardInputSigmoid " + s, plain, twin, scale);
    }

    /** The ReLU in the epilogue: within {@link TwinCheck#SUM_TOLERANCE} of the linear layer's Σ|terms| (the ReLU moves no value further). */
    @ParameterizedTest
    @MethodSource("shapes")
    void forwardReluMatchesPlainKernel(Shape s) {
        Random r = new Random(7);
        FloatArray in = random(r, s.fin * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray bias = random(r, s.fout);
        FloatArray plain = nan(s.fout * s.n);
        FloatArray twin = nan(s.fout * s.n);
        FloatArray scale = nan(s.fout * s.n);
        Linear.forwardRelu(in, weight, bias, plain, s.n, s.fin, s.fout);
        Linear.forward(abs(in), abs(weight), abs(bias), scale, s.n, s.fin, s.fout);
        LinearCpu.forwardRelu(in, weight, bias, twin, s.n, s.fin, s.fout);
        assertSumsClose("forwardRelu " + s, plain, twin, scale);
    }

    /** The ReLU's mask in the epilogue: where y = 0 both are exactly 0, elsewhere the sums are close. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardInputReluMatchesPlainKernel(Shape s) {
        Random r = new Random(8);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray weight = random(r, s.fout * s.fin);
        FloatArray y = random(r, s.fin * s.n);
        lenet.kernels.Relu.forward(y, y, s.fin * s.n);
        FloatArray plain = nan(s.fin * s.n);
        FloatArray twin = nan(s.fin * s.n);
        FloatArray scale = nan(s.fin * s.n);
        Linear.backwardInputRelu(dOut, weight, y, plain, s.n, s.fin, s.fout);
        Linear.backwardInput(abs(dOut), abs(weight), scale, s.n, s.fin, s.fout);
        LinearCpu.backwardInputRelu(dOut, weight, y, twin, s.n, s.fin, s.fout);
        assertSumsClose("backwardInputRelu " + s, plain, twin, scale);
        for (int j = 0; j < s.fin * s.n; j++) {
            if (y.get(j) == 0) {
                org.junit.jupiter.api.Assertions.assertEquals(0, Float.floatToRawIntBits(twin.get(j)), "masked element " + j + " " + s);
            }
        }
    }

    /** One slice, the CPU's shape: the weight and bias partials are the whole batch's gradient. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardPartialsMatchesPlainKernel(Shape s) {
        Random r = new Random(7);
        FloatArray dOut = random(r, s.fout * s.n);
        FloatArray in = random(r, s.fin * s.n);
        FloatArray plainW = nan(s.fout * s.fin);
        FloatArray plainB = nan(s.fout);
        FloatArray twinW = nan(s.fout * s.fin);
        FloatArray twinB = nan(s.fout);
        FloatArray scaleW = nan(s.fout * s.fin);
        FloatArray scaleB = nan(s.fout);
        Linear.backwardPartials(dOut, in, plainW, plainB, s.n, s.fin, s.fout, 1);
        Linear.backwardPartials(abs(dOut), abs(in), scaleW, scaleB, s.n, s.fin, s.fout, 1);
        LinearCpu.backwardPartials(dOut, in, twinW, twinB, s.n, s.fin, s.fout, 1);
        assertSumsClose("backwardPartials weight " + s, plainW, twinW, scaleW);
        assertSumsClose("backwardPartials bias " + s, plainB, twinB, scaleB);
    }
}
