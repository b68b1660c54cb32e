package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.kernels.Conv2dReference.Shape;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link Conv2d}'s four kernels against {@link Conv2dReference} on seeded random data.
 *
 * <p>Tolerance: each output is a float sum of m terms (forward cin·k·k products + bias, backward input
 * cout·k·k, backward weight and bias n·ho·wo); the bound is {@link Tensors#sumTolerance} of the
 * reference's Σ|terms| (worst case γ(m) for m ≤ 64, 8·√m·u above: see {@link Tensors}).
 */
class Conv2dTest {

    static Stream<Shape> shapes() {
        int k = LeNet.KERNEL;
        return Stream.of(
                new Shape("conv1 batch 1", 1, 1, LeNet.IMAGE, LeNet.IMAGE, LeNet.C1, k, LeNet.PAD1),
                new Shape("odd", 3, 2, 7, 7, 3, 3, 1),
                new Shape("non-square", 2, 3, 6, 9, 4, 3, 0),
                new Shape("padding wider than half the image", 5, 2, 4, 5, 3, 5, 2),
                new Shape("1x1 kernel", 4, 3, 3, 2, 2, 1, 0),
                new Shape("conv1", 256, 1, LeNet.IMAGE, LeNet.IMAGE, LeNet.C1, k, LeNet.PAD1),
                new Shape("conv2", 256, LeNet.C1, LeNet.P1, LeNet.P1, LeNet.C2, k, 0));
    }

    /** Seeded data for one shape, in the references' layouts (NCHW, OIHW). */
    record Data(float[] in, float[] weight, float[] bias, float[] dOut) {
        static Data of(Shape s) {
            SplittableRandom r = Tensors.random(s.toString());
            return new Data(Tensors.uniform(r, s.inSize(), -1, 1), Tensors.uniform(r, s.weightSize(), -1, 1),
                    Tensors.uniform(r, s.cout(), -1, 1), Tensors.uniform(r, s.outSize(), -1, 1));
        }
    }

    private static int[] outShape(Shape s) {
        return new int[] {s.n(), s.cout(), s.ho(), s.wo()};
    }

    private static int[] inShape(Shape s) {
        return new int[] {s.n(), s.cin(), s.h(), s.w()};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forward(Shape s) {
        Data d = Data.of(s);
        float[] inChwn = toBatchInnermost(d.in(), s.n(), s.cin() * s.h() * s.w());
        FloatArray in = device(inChwn);
        FloatArray weight = device(d.weight());
        FloatArray bias = device(d.bias());
        FloatArray out = nanFilled(s.outSize());

        Conv2d.forward(in, weight, bias, out, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());

        Tensors.assertUnchanged("input", inChwn, in);
        Tensors.assertUnchanged("weight", d.weight(), weight);
        Tensors.Sums ref = Conv2dReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        Tensors.assertClose("Conv2d.forward " + s, toBatchOutermost(host(out), s.n(), s.cout() * s.ho() * s.wo()),
                ref.value(), Tensors.sumTolerance(ref.magnitude(), s.taps() + 1), outShape(s), "[i,co,oy,ox]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardInput(Shape s) {
        Data d = Data.of(s);
        float[] dOutChwn = toBatchInnermost(d.dOut(), s.n(), s.cout() * s.ho() * s.wo());
        FloatArray dOut = device(dOutChwn);
        FloatArray weight = device(d.weight());
        FloatArray dIn = nanFilled(s.inSize());

        Conv2d.backwardInput(dOut, weight, dIn, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());

        Tensors.assertUnchanged("dOut", dOutChwn, dOut);
        Tensors.Sums ref = Conv2dReference.backwardInput(s, toDouble(d.dOut()), toDouble(d.weight()));
        Tensors.assertClose("Conv2d.backwardInput " + s, toBatchOutermost(host(dIn), s.n(), s.cin() * s.h() * s.w()),
                ref.value(), Tensors.sumTolerance(ref.magnitude(), s.cout() * s.k() * s.k()), inShape(s), "[i,ci,y,x]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardWeight(Shape s) {
        Data d = Data.of(s);
        float[] dOutChwn = toBatchInnermost(d.dOut(), s.n(), s.cout() * s.ho() * s.wo());
        float[] inChwn = toBatchInnermost(d.in(), s.n(), s.cin() * s.h() * s.w());
        FloatArray dOut = device(dOutChwn);
        FloatArray in = device(inChwn);
        FloatArray dWeight = nanFilled(s.weightSize());

        Conv2d.backwardWeight(dOut, in, dWeight, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());

        Tensors.assertUnchanged("dOut", dOutChwn, dOut);
        Tensors.assertUnchanged("input", inChwn, in);
        Tensors.Sums ref = Conv2dReference.backwardWeight(s, toDouble(d.dOut()), toDouble(d.in()));
        Tensors.assertClose("Conv2d.backwardWeight " + s, host(dWeight), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.n() * s.ho() * s.wo()),
                new int[] {s.cout(), s.cin(), s.k(), s.k()}, "[co,ci,ky,kx]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardBias(Shape s) {
        Data d = Data.of(s);
        FloatArray dOut = device(toBatchInnermost(d.dOut(), s.n(), s.cout() * s.ho() * s.wo()));
        FloatArray dBias = nanFilled(s.cout());

        Conv2d.backwardBias(dOut, dBias, s.n(), s.cout(), s.ho() * s.wo());

        Tensors.Sums ref = Conv2dReference.backwardBias(s, toDouble(d.dOut()));
        Tensors.assertClose("Conv2d.backwardBias " + s, host(dBias), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.n() * s.ho() * s.wo()), new int[] {s.cout()}, "[co]");
    }
}
