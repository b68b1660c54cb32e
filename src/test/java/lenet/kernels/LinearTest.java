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

    /**
     * Linear with the sigmoid in its epilogue, against {@link LinearReference} (EJML) then
     * {@link SigmoidReference}: the linear bound times σ' ≤ ¼, plus the sigmoid's four roundings.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forwardSigmoid(Shape s) {
        Data d = Data.of(s);
        FloatArray out = nanFilled(s.n() * s.fout());

        Linear.forwardSigmoid(device(toBatchInnermost(d.in(), s.n(), s.fin())), device(d.weight()), device(d.bias()), out,
                s.n(), s.fin(), s.fout());

        Tensors.Sums ref = LinearReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        double[] tol = Tensors.sumTolerance(ref.magnitude(), s.fin() + 1);
        double[] y = SigmoidReference.forward(ref.value());
        for (int j = 0; j < y.length; j++) {
            tol[j] = 0.25 * tol[j] + Tensors.gamma(4) * y[j];
        }
        Tensors.assertClose("Linear.forwardSigmoid " + s, toBatchOutermost(host(out), s.n(), s.fout()), y, tol,
                new int[] {s.n(), s.fout()}, "[i,j]");
    }

    /**
     * Wᵀ dOut times the derivative y·(1 − y) of the sigmoid that produced this layer's input y, against
     * {@link LinearReference} (EJML) then {@link SigmoidReference#backward}: the sum's bound times
     * y·(1 − y), plus three roundings.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardInputSigmoid(Shape s) {
        Data d = Data.of(s);
        float[] y = Tensors.uniform(Tensors.random("y " + s), s.n() * s.fin(), 0, 1);
        FloatArray dIn = nanFilled(s.n() * s.fin());

        Linear.backwardInputSigmoid(device(toBatchInnermost(d.dOut(), s.n(), s.fout())), device(d.weight()),
                device(toBatchInnermost(y, s.n(), s.fin())), dIn, s.n(), s.fin(), s.fout());

        Tensors.Sums sum = LinearReference.backwardInput(s, toDouble(d.dOut()), toDouble(d.weight()));
        double[] ref = SigmoidReference.backward(toDouble(y), sum.value());
        double[] tol = Tensors.sumTolerance(sum.magnitude(), s.fout());
        for (int j = 0; j < tol.length; j++) {
            tol[j] = y[j] * (1.0 - y[j]) * tol[j] + Tensors.gamma(3) * Math.abs(ref[j]);
        }
        Tensors.assertClose("Linear.backwardInputSigmoid " + s, toBatchOutermost(host(dIn), s.n(), s.fin()), ref, tol,
                new int[] {s.n(), s.fin()}, "[i,f]");
    }

    /** Linear with the ReLU in its epilogue, against {@link LinearReference} (EJML) then {@link ReluReference}: the sum's bound (the ReLU adds none). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forwardRelu(Shape s) {
        Data d = Data.of(s);
        FloatArray out = nanFilled(s.n() * s.fout());

        Linear.forwardRelu(device(toBatchInnermost(d.in(), s.n(), s.fin())), device(d.weight()), device(d.bias()), out,
                s.n(), s.fin(), s.fout());

        Tensors.Sums ref = LinearReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        Tensors.assertClose("Linear.forwardRelu " + s, toBatchOutermost(host(out), s.n(), s.fout()), ReluReference.forward(ref.value()),
                Tensors.sumTolerance(ref.magnitude(), s.fin() + 1), new int[] {s.n(), s.fout()}, "[i,j]");
    }

    /**
     * Wᵀ dOut masked by the ReLU that produced this layer's input y (half of it 0), against
     * {@link LinearReference} (EJML) then {@link ReluReference#backward}: the sum's bound where y &gt; 0, exactly
     * 0 elsewhere.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardInputRelu(Shape s) {
        Data d = Data.of(s);
        float[] y = Tensors.uniform(Tensors.random("y " + s), s.n() * s.fin(), -1, 1);
        for (int j = 0; j < y.length; j++) {
            y[j] = Math.max(y[j], 0.0f);
        }
        FloatArray dIn = nanFilled(s.n() * s.fin());

        Linear.backwardInputRelu(device(toBatchInnermost(d.dOut(), s.n(), s.fout())), device(d.weight()),
                device(toBatchInnermost(y, s.n(), s.fin())), dIn, s.n(), s.fin(), s.fout());

        Tensors.Sums sum = LinearReference.backwardInput(s, toDouble(d.dOut()), toDouble(d.weight()));
        double[] ref = ReluReference.backward(toDouble(y), sum.value());
        double[] tol = ReluReference.backward(toDouble(y), Tensors.sumTolerance(sum.magnitude(), s.fout()));
        Tensors.assertClose("Linear.backwardInputRelu " + s, toBatchOutermost(host(dIn), s.n(), s.fin()), ref, tol,
                new int[] {s.n(), s.fin()}, "[i,f]");
    }

    /**
     * The two-stage weight and bias gradient: each slice's partial sums against {@link LinearReference}
     * (EJML) on that slice's examples alone, then {@link Partials#sum} against the whole batch's reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardPartials(Shape s) {
        Data d = Data.of(s);
        FloatArray dOut = device(toBatchInnermost(d.dOut(), s.n(), s.fout()));
        FloatArray in = device(toBatchInnermost(d.in(), s.n(), s.fin()));
        int ws = s.fout() * s.fin();
        for (int slices : Conv2dTest.sliceCounts(s.n())) {
            FloatArray wPart = nanFilled(slices * ws);
            FloatArray bPart = nanFilled(slices * s.fout());

            Linear.backwardPartials(dOut, in, wPart, bPart, s.n(), s.fin(), s.fout(), slices);

            float[] wp = host(wPart);
            float[] bp = host(bPart);
            for (int sl = 0; sl < slices; sl++) {
                Shape sub = new Shape(s.name() + " slice " + sl + "/" + slices, (s.n() - sl + slices - 1) / slices, s.fin(), s.fout());
                double[] subDOut = toDouble(Conv2dTest.slice(d.dOut(), s.n(), s.fout(), sl, slices));
                Tensors.Sums rw = LinearReference.backwardWeight(sub, subDOut, toDouble(Conv2dTest.slice(d.in(), s.n(), s.fin(), sl, slices)));
                Tensors.assertClose("Linear.backwardPartials weight " + sub, java.util.Arrays.copyOfRange(wp, sl * ws, (sl + 1) * ws),
                        rw.value(), Tensors.sumTolerance(rw.magnitude(), sub.n()), new int[] {s.fout(), s.fin()}, "[j,f]");
                Tensors.Sums rb = LinearReference.backwardBias(sub, subDOut);
                Tensors.assertClose("Linear.backwardPartials bias " + sub, java.util.Arrays.copyOfRange(bp, sl * s.fout(), (sl + 1) * s.fout()),
                        rb.value(), Tensors.sumTolerance(rb.magnitude(), sub.n()), new int[] {s.fout()}, "[j]");
            }
            FloatArray dWeight = nanFilled(ws);
            FloatArray dBias = nanFilled(s.fout());
            Partials.sum(wPart, bPart, dWeight, dBias, slices, ws, s.fout());
            Tensors.Sums rw = LinearReference.backwardWeight(s, toDouble(d.dOut()), toDouble(d.in()));
            Tensors.assertClose("Partials.sum of Linear.backwardPartials weight, " + slices + " slices, " + s, host(dWeight), rw.value(),
                    Tensors.sumTolerance(rw.magnitude(), s.n() + slices), new int[] {s.fout(), s.fin()}, "[j,f]");
            Tensors.Sums rb = LinearReference.backwardBias(s, toDouble(d.dOut()));
            Tensors.assertClose("Partials.sum of Linear.backwardPartials bias, " + slices + " slices, " + s, host(dBias), rb.value(),
                    Tensors.sumTolerance(rb.magnitude(), s.n() + slices), new int[] {s.fout()}, "[j]");
        }
    }
}
