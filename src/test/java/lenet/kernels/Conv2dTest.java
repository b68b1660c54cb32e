package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.kernels.Conv2dReference.Shape;
import lenet.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

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

    /** The shapes whose output has an even height and width, which {@link Conv2d#forwardSigmoidPool} pools. */
    static Stream<Shape> poolableShapes() {
        return Stream.concat(shapes().filter(s -> s.ho() % 2 == 0 && s.wo() % 2 == 0),
                Stream.of(new Shape("small, padded", 3, 2, 6, 8, 3, 3, 1)));
    }

    /**
     * conv → sigmoid → 2×2 average pool in one kernel, against the references chained: {@link Conv2dReference}
     * (EJML), {@link SigmoidReference}, {@link AvgPool2dReference}. Tolerance of act: the convolution's
     * bound times σ' ≤ ¼, plus the sigmoid's own four roundings; of pooled: the window's mean of those plus
     * γ(4) of the result (three additions and the exact ¼).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("poolableShapes")
    void forwardSigmoidPool(Shape s) {
        Data d = Data.of(s);
        float[] inChwn = toBatchInnermost(d.in(), s.n(), s.cin() * s.h() * s.w());
        FloatArray in = device(inChwn);
        FloatArray act = nanFilled(s.outSize());
        FloatArray pooled = nanFilled(s.outSize() / 4);

        Conv2d.forwardSigmoidPool(in, device(d.weight()), device(d.bias()), act, pooled,
                s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());

        Tensors.assertUnchanged("input", inChwn, in);
        Tensors.Sums conv = Conv2dReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        double[] convTol = Tensors.sumTolerance(conv.magnitude(), s.taps() + 1);
        double[] y = SigmoidReference.forward(conv.value());
        double[] actTol = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            actTol[j] = 0.25 * convTol[j] + Tensors.gamma(4) * y[j];
        }
        Tensors.assertClose("Conv2d.forwardSigmoidPool act " + s, toBatchOutermost(host(act), s.n(), s.cout() * s.ho() * s.wo()),
                y, actTol, outShape(s), "[i,co,oy,ox]");
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), s.n(), s.cout(), s.ho(), s.wo());
        double[] pool = AvgPool2dReference.forward(ps, y).value();
        double[] poolTol = AvgPool2dReference.forward(ps, actTol).value();
        for (int j = 0; j < pool.length; j++) {
            poolTol[j] += Tensors.gamma(4) * pool[j];
        }
        Tensors.assertClose("Conv2d.forwardSigmoidPool pooled " + s,
                toBatchOutermost(host(pooled), s.n(), s.cout() * (s.ho() / 2) * (s.wo() / 2)), pool, poolTol,
                new int[] {s.n(), s.cout(), s.ho() / 2, s.wo() / 2}, "[i,co,py,px]");
    }

    /**
     * conv → ReLU → 2×2 max pool in one kernel, against the references chained: {@link Conv2dReference} (EJML),
     * {@link ReluReference}, {@link MaxPool2dReference}. Tolerance of act: the convolution's bound (the ReLU
     * adds no rounding and moves no value further than the sum's error); of pooled: the largest bound of its
     * window; the argmax exact, except where a window's values lie within their bounds of each other
     * ({@link MaxPool2dReference#argmaxTolerance}). And exactly: pooled and argmax are what
     * {@link MaxPool2d#forward} makes of the kernel's own act (the first maximum, ties included).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("poolableShapes")
    void forwardReluMaxPool(Shape s) {
        Data d = Data.of(s);
        float[] inChwn = toBatchInnermost(d.in(), s.n(), s.cin() * s.h() * s.w());
        FloatArray in = device(inChwn);
        FloatArray act = nanFilled(s.outSize());
        FloatArray pooled = nanFilled(s.outSize() / 4);
        IntArray argmax = new IntArray(s.outSize() / 4);
        argmax.init(-1);

        Conv2d.forwardReluMaxPool(in, device(d.weight()), device(d.bias()), act, pooled, argmax,
                s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());

        Tensors.assertUnchanged("input", inChwn, in);
        Tensors.Sums conv = Conv2dReference.forward(s, toDouble(d.in()), toDouble(d.weight()), toDouble(d.bias()));
        double[] convTol = Tensors.sumTolerance(conv.magnitude(), s.taps() + 1);
        double[] y = ReluReference.forward(conv.value());
        Tensors.assertClose("Conv2d.forwardReluMaxPool act " + s, toBatchOutermost(host(act), s.n(), s.cout() * s.ho() * s.wo()),
                y, convTol, outShape(s), "[i,co,oy,ox]");
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), s.n(), s.cout(), s.ho(), s.wo());
        MaxPool2dReference.Forward pool = MaxPool2dReference.forward(ps, y);
        int pooledFeatures = s.cout() * (s.ho() / 2) * (s.wo() / 2);
        int[] pooledShape = {s.n(), s.cout(), s.ho() / 2, s.wo() / 2};
        Tensors.assertClose("Conv2d.forwardReluMaxPool pooled " + s, toBatchOutermost(host(pooled), s.n(), pooledFeatures),
                pool.out(), MaxPool2dReference.forward(ps, convTol).out(), pooledShape, "[i,co,py,px]");
        double[] lo = new double[y.length];
        double[] hi = new double[y.length];
        for (int j = 0; j < y.length; j++) {
            lo[j] = Math.max(conv.value()[j] - convTol[j], 0);
            hi[j] = Math.max(conv.value()[j] + convTol[j], 0);
        }
        int[] kernelArgmax = MaxPool2dTest.outermost(argmax.toHeapArray(), s.n(), pooledFeatures);
        float[] asFloats = new float[kernelArgmax.length];
        for (int j = 0; j < asFloats.length; j++) {
            asFloats[j] = kernelArgmax[j];
        }
        double[] refArgmax = java.util.Arrays.stream(pool.argmax()).asDoubleStream().toArray();
        Tensors.assertClose("Conv2d.forwardReluMaxPool argmax " + s, asFloats, refArgmax,
                MaxPool2dReference.argmaxTolerance(ps, lo, hi, pool.argmax()), pooledShape, "[i,co,py,px]");

        FloatArray again = nanFilled(s.outSize() / 4);
        IntArray againArgmax = new IntArray(s.outSize() / 4);
        MaxPool2d.forward(act, again, againArgmax, s.n(), s.cout(), s.ho(), s.wo());
        assertArrayEquals(host(again), host(pooled), "pooled: the maxima of the kernel's own act");
        assertArrayEquals(againArgmax.toHeapArray(), argmax.toHeapArray(), "argmax: the first maxima of the kernel's own act");
    }

    /**
     * Ties through the fused kernel: a 1×1 convolution with weight 1 and bias 0 passes its input through
     * exactly, so act = relu(input) and the pool sees the ties of an input drawn from {−1, −½, 0, ½, 1} (and
     * the ReLU's zeros): pooled and argmax exactly {@link MaxPool2dReference}'s, the first maximum of each
     * window. Batches of 1 and 5.
     */
    @Test
    void forwardReluMaxPoolResolvesTiesToTheFirstMaximum() {
        for (int n : new int[] {1, 5}) {
            Shape s = new Shape("1x1 identity", n, 1, 6, 8, 1, 1, 0);
            SplittableRandom r = Tensors.random(s.toString());
            float[] x = new float[s.inSize()];
            for (int j = 0; j < x.length; j++) {
                x[j] = 0.5f * r.nextInt(5) - 1.0f;
            }
            FloatArray act = nanFilled(s.outSize());
            FloatArray pooled = nanFilled(s.outSize() / 4);
            IntArray argmax = new IntArray(s.outSize() / 4);
            argmax.init(-1);
            Conv2d.forwardReluMaxPool(device(toBatchInnermost(x, n, s.cin() * s.h() * s.w())), device(new float[] {1}), device(new float[] {0}),
                    act, pooled, argmax, n, 1, s.h(), s.w(), 1, 1, 0);
            AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(s.name(), n, 1, s.h(), s.w());
            MaxPool2dReference.Forward ref = MaxPool2dReference.forward(ps, ReluReference.forward(toDouble(x)));
            int features = (s.h() / 2) * (s.w() / 2);
            int[] got = MaxPool2dTest.outermost(argmax.toHeapArray(), n, features);
            int later = 0;
            for (int o = 0; o < got.length; o++) {
                assertEquals(ref.argmax()[o], got[o], "argmax at " + o + " " + s);
                assertEquals((float) ref.out()[o], toBatchOutermost(host(pooled), n, features)[o], "pooled at " + o + " " + s);
            }
            for (int o = 0; o < got.length; o++) {
                int i = o / features;
                int p = o % features;
                int base = (i * s.h() + 2 * (p / (s.w() / 2))) * s.w() + 2 * (p % (s.w() / 2));
                for (int e = got[o] + 1; e < 4; e++) {
                    later += Relu.of(x[base + (e / 2) * s.w() + e % 2]) == ref.out()[o] ? 1 : 0;
                }
            }
            assertTrue(later >= 3, "too few windows whose maximum recurs after the first: " + later);
        }
    }

    /** Slice counts to try for a batch of n: one, a few that do not divide n, and one per example. */
    static int[] sliceCounts(int n) {
        return java.util.stream.IntStream.of(1, 2, 3, 7, n).filter(c -> c <= n).distinct().toArray();
    }

    /** The examples of slice {@code slice} of {@code slices} (i ≡ slice mod slices), NCHW rows of {@code size}. */
    static float[] slice(float[] nchw, int n, int size, int slice, int slices) {
        int m = (n - slice + slices - 1) / slices;
        float[] out = new float[m * size];
        for (int e = 0; e < m; e++) {
            System.arraycopy(nchw, (slice + e * slices) * size, out, e * size, size);
        }
        return out;
    }

    /**
     * The two-stage weight and bias gradient: each slice's partial sums against {@link Conv2dReference}
     * (EJML) on that slice's examples alone (tolerance of a sum of m·ho·wo terms, m examples in the slice),
     * then {@link Partials#sum} of the slices against the whole batch's reference (n·ho·wo + slices terms).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardPartials(Shape s) {
        Data d = Data.of(s);
        int inRow = s.cin() * s.h() * s.w();
        int outRow = s.cout() * s.ho() * s.wo();
        FloatArray dOut = device(toBatchInnermost(d.dOut(), s.n(), outRow));
        FloatArray in = device(toBatchInnermost(d.in(), s.n(), inRow));
        for (int slices : sliceCounts(s.n())) {
            FloatArray wPart = nanFilled(slices * s.weightSize());
            FloatArray bPart = nanFilled(slices * s.cout());

            Conv2d.backwardPartials(dOut, in, wPart, bPart, s.n(), s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad(), slices);

            float[] wp = host(wPart);
            float[] bp = host(bPart);
            for (int sl = 0; sl < slices; sl++) {
                Shape sub = new Shape(s.name() + " slice " + sl + "/" + slices, (s.n() - sl + slices - 1) / slices,
                        s.cin(), s.h(), s.w(), s.cout(), s.k(), s.pad());
                double[] subDOut = toDouble(slice(d.dOut(), s.n(), outRow, sl, slices));
                Tensors.Sums rw = Conv2dReference.backwardWeight(sub, subDOut, toDouble(slice(d.in(), s.n(), inRow, sl, slices)));
                Tensors.assertClose("Conv2d.backwardPartials weight " + sub,
                        java.util.Arrays.copyOfRange(wp, sl * s.weightSize(), (sl + 1) * s.weightSize()), rw.value(),
                        Tensors.sumTolerance(rw.magnitude(), sub.n() * s.ho() * s.wo()), new int[] {s.cout(), s.cin(), s.k(), s.k()}, "[co,ci,ky,kx]");
                Tensors.Sums rb = Conv2dReference.backwardBias(sub, subDOut);
                Tensors.assertClose("Conv2d.backwardPartials bias " + sub,
                        java.util.Arrays.copyOfRange(bp, sl * s.cout(), (sl + 1) * s.cout()), rb.value(),
                        Tensors.sumTolerance(rb.magnitude(), sub.n() * s.ho() * s.wo()), new int[] {s.cout()}, "[co]");
            }
            FloatArray dWeight = nanFilled(s.weightSize());
            FloatArray dBias = nanFilled(s.cout());
            Partials.sum(wPart, bPart, dWeight, dBias, slices, s.weightSize(), s.cout());
            Tensors.Sums rw = Conv2dReference.backwardWeight(s, toDouble(d.dOut()), toDouble(d.in()));
            Tensors.assertClose("Partials.sum of Conv2d.backwardPartials weight, " + slices + " slices, " + s, host(dWeight), rw.value(),
                    Tensors.sumTolerance(rw.magnitude(), s.n() * s.ho() * s.wo() + slices), new int[] {s.cout(), s.cin(), s.k(), s.k()}, "[co,ci,ky,kx]");
            Tensors.Sums rb = Conv2dReference.backwardBias(s, toDouble(d.dOut()));
            Tensors.assertClose("Partials.sum of Conv2d.backwardPartials bias, " + slices + " slices, " + s, host(dBias), rb.value(),
                    Tensors.sumTolerance(rb.magnitude(), s.n() * s.ho() * s.wo() + slices), new int[] {s.cout()}, "[co]");
        }
    }
}
