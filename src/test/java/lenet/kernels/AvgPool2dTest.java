package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.kernels.AvgPool2dReference.Shape;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@link AvgPool2d}'s kernels against {@link AvgPool2dReference} on seeded random data. */
class AvgPool2dTest {

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("one window", 1, 1, 2, 2),
                new Shape("conv1 pooling, batch 1", 1, LeNet.C1, LeNet.H1, LeNet.H1),
                new Shape("non-square", 3, 2, 6, 4),
                new Shape("conv1 pooling", 256, LeNet.C1, LeNet.H1, LeNet.H1),
                new Shape("conv2 pooling", 256, LeNet.C2, LeNet.H2, LeNet.H2));
    }

    /**
     * Tolerance: a float sum of 4 terms times ¼ (exact in binary), so the worst case γ(4)·¼Σ|terms|
     * ({@link Tensors#sumTolerance}, rigorous for so few terms).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forward(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] x = Tensors.uniform(r, s.inSize(), -1, 1);
        int features = s.inSize() / s.n();
        float[] xChwn = toBatchInnermost(x, s.n(), features);
        FloatArray in = device(xChwn);
        FloatArray out = nanFilled(s.outSize());

        AvgPool2d.forward(in, out, s.n(), s.c(), s.h(), s.w());

        Tensors.assertUnchanged("input", xChwn, in);
        Tensors.Sums ref = AvgPool2dReference.forward(s, toDouble(x));
        Tensors.assertClose("AvgPool2d.forward " + s, toBatchOutermost(host(out), s.n(), s.outSize() / s.n()), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), 4), new int[] {s.n(), s.c(), s.h() / 2, s.w() / 2}, "[i,c,py,px]");
    }

    /** Tolerance: none. The kernel only multiplies by ¼, which is exact in float for these (normal) values. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backward(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] dy = Tensors.uniform(r, s.outSize(), -1, 1);
        float[] dyChwn = toBatchInnermost(dy, s.n(), s.outSize() / s.n());
        FloatArray dOut = device(dyChwn);
        FloatArray dIn = nanFilled(s.inSize());

        AvgPool2d.backward(dOut, dIn, s.n(), s.c(), s.h(), s.w());

        Tensors.assertUnchanged("dOut", dyChwn, dOut);
        double[] ref = AvgPool2dReference.backward(s, toDouble(dy));
        Tensors.assertClose("AvgPool2d.backward " + s, toBatchOutermost(host(dIn), s.n(), s.inSize() / s.n()), ref,
                new double[ref.length], new int[] {s.n(), s.c(), s.h(), s.w()}, "[i,c,y,x]");
    }

    /**
     * Pool backward with the derivative of the sigmoid that produced the pool's input, against
     * {@link AvgPool2dReference#backward} then {@link SigmoidReference#backward}: ¼ is exact, the two
     * products with y and 1 − y and the subtraction round: γ(3)·|reference|.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardSigmoid(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] dy = Tensors.uniform(r, s.outSize(), -1, 1);
        float[] act = Tensors.uniform(r, s.inSize(), 0, 1);
        FloatArray dIn = nanFilled(s.inSize());

        AvgPool2d.backwardSigmoid(device(toBatchInnermost(dy, s.n(), s.outSize() / s.n())),
                device(toBatchInnermost(act, s.n(), s.inSize() / s.n())), dIn, s.n(), s.c(), s.h(), s.w());

        double[] ref = SigmoidReference.backward(toDouble(act), AvgPool2dReference.backward(s, toDouble(dy)));
        Tensors.assertClose("AvgPool2d.backwardSigmoid " + s, toBatchOutermost(host(dIn), s.n(), s.inSize() / s.n()), ref,
                Tensors.relativeTolerance(ref, 3), new int[] {s.n(), s.c(), s.h(), s.w()}, "[i,c,y,x]");
    }
}
