package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.kernels.LinearReference.Shape;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link Linear}'s four kernels against {@link LinearReference} on seeded random data.
 *
 * <p>Tolerance: each output is a float sum of m terms (forward fin products + bias, backward input fout,
 * backward weight and bias n); the bound is {@link Tensors#sumTolerance} of the reference's Σ|terms|
 * (worst case γ(m) for m ≤ 64, 8·√m·u above: see {@link Tensors}).
 */
class LinearTest {

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("fc1 batch 1", 1, LeNet.FLAT, LeNet.F1),
                new Shape("odd", 3, 7, 5),
                new Shape("one input feature", 5, 1, 3),
                new Shape("fc1", 256, LeNet.FLAT, LeNet.F1),
                new Shape("fc2", 256, LeNet.F1, LeNet.F2),
                new Shape("fc3", 256, LeNet.F2, LeNet.CLASSES));
    }

    /** Seeded data for one shape, in the reference's layouts ([n][features], [fout][fin]). */
    record Data(float[] in, float[] weight, float[] bias, float[] dOut) {
        static Data of(Shape s) {
            SplittableRandom r = Tensors.random(s.toString());
            return new Data(Tensors.uniform(r, s.n() * s.fin(), -1, 1), Tensors.uniform(r, s.fout() * s.fin(), -1, 1),
                    Tensors.uniform(r, s.fout(), -1, 1), Tensors.uniform(r, s.n() * s.fout(), -1, 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forward(Shape s) {
        Data d = Data.of(s);
        float[] inFn = toBatchInnermost(d.in(), s.n(), s.fin());
        FloatArray in = device(inFn);
        FloatArray weight = device(d.weight());
        FloatArray bias = device(d.bias());
        FloatArray out = nanFilled(s.n() * s.fout());

        Linear.forward(in, weight, bias, out, s.n(), s.fin(), s.fout());

        Tensors.assertUnchanged("input", inFn, in);
        Tensors.assertUnchanged("weight", d.weight(), weight);
        Tensors.Sums ref = LinearReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        Tensors.assertClose("Linear.forward " + s, toBatchOutermost(host(out), s.n(), s.fout()), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.fin() + 1), new int[] {s.n(), s.fout()}, "[i,j]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardInput(Shape s) {
        Data d = Data.of(s);
        float[] dOutFn = toBatchInnermost(d.dOut(), s.n(), s.fout());
        FloatArray dOut = device(dOutFn);
        FloatArray weight = device(d.weight());
        FloatArray dIn = nanFilled(s.n() * s.fin());

        Linear.backwardInput(dOut, weight, dIn, s.n(), s.fin(), s.fout());

        Tensors.assertUnchanged("dOut", dOutFn, dOut);
        Tensors.Sums ref = LinearReference.backwardInput(s, toDouble(d.dOut()), toDouble(d.weight()));
        Tensors.assertClose("Linear.backwardInput " + s, toBatchOutermost(host(dIn), s.n(), s.fin()), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.fout()), new int[] {s.n(), s.fin()}, "[i,f]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardWeight(Shape s) {
        Data d = Data.of(s);
        float[] dOutFn = toBatchInnermost(d.dOut(), s.n(), s.fout());
        float[] inFn = toBatchInnermost(d.in(), s.n(), s.fin());
        FloatArray dOut = device(dOutFn);
        FloatArray in = device(inFn);
        FloatArray dWeight = nanFilled(s.fout() * s.fin());

        Linear.backwardWeight(dOut, in, dWeight, s.n(), s.fin(), s.fout());

        Tensors.assertUnchanged("dOut", dOutFn, dOut);
        Tensors.assertUnchanged("input", inFn, in);
        Tensors.Sums ref = LinearReference.backwardWeight(s, toDouble(d.dOut()), toDouble(d.in()));
        Tensors.assertClose("Linear.backwardWeight " + s, host(dWeight), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.n()), new int[] {s.fout(), s.fin()}, "[j,f]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardBias(Shape s) {
        Data d = Data.of(s);
        FloatArray dOut = device(toBatchInnermost(d.dOut(), s.n(), s.fout()));
        FloatArray dBias = nanFilled(s.fout());

        Linear.backwardBias(dOut, dBias, s.n(), s.fout());

        Tensors.Sums ref = LinearReference.backwardBias(s, toDouble(d.dOut()));
        Tensors.assertClose("Linear.backwardBias " + s, host(dBias), ref.value(),
                Tensors.sumTolerance(ref.magnitude(), s.n()), new int[] {s.fout()}, "[j]");
    }
}
