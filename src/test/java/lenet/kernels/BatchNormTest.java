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

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

import lenet.kernels.BatchNormReference.Backward;
import lenet.kernels.BatchNormReference.Forward;
import lenet.kernels.BatchNormReference.Moments;
import lenet.kernels.BatchNormReference.Shape;
import lenet.fixture.Fixture;
import lenet.model.LeNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link BatchNorm}'s kernels against {@link BatchNormReference} (double) on seeded random data, within the
 * reference's bounds (see its class comment): the statistics slice by slice and combined, for several slice
 * sizes (1, 3, the whole batch, the layer's constant) and for a batch split into two shards that write one
 * partial buffer ({@code firstSlice}); the forward outputs, with and without the pooling; the running
 * estimates; the backward sums and the input gradient against the analytic formula, whose own derivation
 * is checked by finite differences of the composite normalise → sigmoid → loss in double.
 *
 * <p>The data give every example its own offset (uniform in [−2, 2)) and every channel its own, plus noise in
 * [−1, 1): the slices' means differ, so Chan's between-slice term is a large part of M2 (a wrong one shows),
 * and the mean is away from zero (a one-pass Σx² − (Σx)²/n would lose digits).
 *
 * <p>Batch of one with hw = 1 (count 1): the biased variance is 0, xhat is 0 and act = σ(beta); the unbiased
 * variance is undefined, so {@link BatchNorm#updateRunning} leaves the running variance as it is and moves
 * the running mean (PyTorch refuses to train on one value per channel).
 */
class BatchNormTest {

    /** A case: the normalised shape, h × w when it is a convolution's output (hw = h·w), else h = hw, w = 1. */
    record Case(String name, int n, int c, int h, int w, boolean conv, int layerSlice) {
        Shape shape() {
            return new Shape(name, n, c, h * w);
        }

        int hw() {
            return h * w;
        }

        @Override
        public String toString() {
            return String.format("%s n=%d c=%d %s", name, n, c, conv ? h + "x" + w : "features");
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("linear batch 1", 1, 5, 1, 1, false, 1),
                new Case("conv batch 1", 1, 3, 4, 4, true, 1),
                new Case("odd linear", 7, 5, 1, 1, false, 3),
                new Case("odd conv", 5, 3, 6, 4, true, 2),
                new Case("conv1", 256, LeNet.C1, LeNet.H1, LeNet.H1, true, BatchNorm.CONV1_SLICE),
                new Case("conv2", 256, LeNet.C2, LeNet.H2, LeNet.H2, true, BatchNorm.CONV2_SLICE),
                new Case("fc1", 256, LeNet.F1, 1, 1, false, BatchNorm.LINEAR_SLICE));
    }

    /** The slice sizes every case is summed with: 1, 3, the whole batch, and the layer's constant. */
    static int[] sliceSizes(Case k) {
        return new TreeSet<>(java.util.List.of(1, 3, k.n(), k.layerSlice())).stream().mapToInt(Integer::intValue).toArray();
    }

    /** z {@code [n][c][hw]}: an offset per example and per channel plus noise (see the class comment). */
    static float[] data(Shape s, SplittableRandom r) {
        float[] z = new float[s.size()];
        for (int i = 0; i < s.n(); i++) {
            double offset = r.nextDouble(-2, 2);
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < s.hw(); p++) {
                    z[(i * s.c() + ch) * s.hw() + p] = (float) (offset + 0.5 * ch + r.nextDouble(-1, 1));
                }
            }
        }
        return z;
    }

    /** Examples [from, to) of a batch-outermost array, handed to a kernel batch-innermost. */
    static FloatArray shard(float[] outer, Shape s, int from, int to) {
        int row = s.c() * s.hw();
        return device(toBatchInnermost(Arrays.copyOfRange(outer, from * row, to * row), to - from, row));
    }

    /** Field {@code field} of {@code width} of each (slice, channel) record of a partial buffer. */
    static float[] field(float[] part, int width, int field) {
        float[] f = new float[part.length / width];
        for (int j = 0; j < f.length; j++) {
            f[j] = part[j * width + field];
        }
        return f;
    }

    static double[] field(double[] part, int width, int field) {
        double[] f = new double[part.length / width];
        for (int j = 0; j < f.length; j++) {
            f[j] = part[j * width + field];
        }
        return f;
    }

    /**
     * Runs {@link BatchNorm#statsPartials} over shards [bounds[0], bounds[1]), [bounds[1], bounds[2]), … into
     * one partial buffer, each shard from the slice after the previous shard's, checks every slice against the
     * reference on its own examples, then {@link BatchNorm#stats} against the whole batch's moments.
     * Returns the kernel's mean and var.
     */
    static float[][] checkStatistics(String what, Shape s, float[] z, int sliceSize, int... bounds) {
        int slices = 0;
        for (int b = 0; b + 1 < bounds.length; b++) {
            slices += BatchNorm.slices(bounds[b + 1] - bounds[b], sliceSize);
        }
        FloatArray part = nanFilled(slices * s.c() * 3);
        double[] zd = toDouble(z);
        double[] ref = new double[slices * s.c() * 3];
        double[] meanTol = new double[slices * s.c()];
        double[] m2Tol = new double[slices * s.c()];
        int first = 0;
        for (int b = 0; b + 1 < bounds.length; b++) {
            int nShard = bounds[b + 1] - bounds[b];
            FloatArray zShard = shard(z, s, bounds[b], bounds[b + 1]);
            float[] before = host(zShard);
            BatchNorm.statsPartials(zShard, part, nShard, s.c(), s.hw(), sliceSize, first);
            Tensors.assertUnchanged("z", before, zShard);
            int shardSlices = BatchNorm.slices(nShard, sliceSize);
            for (int sl = 0; sl < shardSlices; sl++) {
                Moments m = BatchNormReference.moments(s, zd, bounds[b] + sl, bounds[b + 1], shardSlices);
                double[][] tol = BatchNormReference.partialBounds(s, zd, bounds[b] + sl, bounds[b + 1], shardSlices, m);
                for (int ch = 0; ch < s.c(); ch++) {
                    int at = (first + sl) * s.c() + ch;
                    ref[at * 3] = m.count()[ch];
                    ref[at * 3 + 1] = m.mean()[ch];
                    ref[at * 3 + 2] = m.m2()[ch];
                    meanTol[at] = tol[0][ch];
                    m2Tol[at] = tol[1][ch];
                }
            }
            first += BatchNorm.slices(nShard, sliceSize);
        }
        float[] p = host(part);
        int[] dims = {slices, s.c()};
        String name = what + ", slices of " + sliceSize + ", shards " + Arrays.toString(bounds);
        Tensors.assertClose("BatchNorm.statsPartials count " + name, field(p, 3, 0), field(ref, 3, 0), new double[slices * s.c()], dims, "[s,ch]");
        Tensors.assertClose("BatchNorm.statsPartials mean " + name, field(p, 3, 1), field(ref, 3, 1), meanTol, dims, "[s,ch]");
        Tensors.assertClose("BatchNorm.statsPartials M2 " + name, field(p, 3, 2), field(ref, 3, 2), m2Tol, dims, "[s,ch]");

        FloatArray mean = nanFilled(s.c());
        FloatArray var = nanFilled(s.c());
        BatchNorm.stats(part, mean, var, slices, s.c());
        Moments whole = BatchNormReference.moments(s, zd);
        double[][] tol = BatchNormReference.statsBounds(toDouble(p), slices, s.c(), meanTol, m2Tol);
        Tensors.assertClose("BatchNorm.stats mean " + name, host(mean), whole.mean(), tol[0], new int[] {s.c()}, "[ch]");
        Tensors.assertClose("BatchNorm.stats var " + name, host(var), whole.variance(), tol[1], new int[] {s.c()}, "[ch]");
        return new float[][] {host(mean), host(var)};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void statisticsDoNotDependOnTheSlicing(Case k) {
        Shape s = k.shape();
        float[] z = data(s, Tensors.random("z " + k));
        for (int sliceSize : sliceSizes(k)) {
            checkStatistics(k.toString(), s, z, sliceSize, 0, s.n());
        }
    }

    /** Two shards of different sizes (the first ⌈n/2⌉ + 1 examples, the rest) writing one buffer: the whole batch's statistics. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shardsWriteOneBufferFromTheirFirstSlice(Case k) {
        Shape s = k.shape();
        if (s.n() < 3) {
            return;
        }
        float[] z = data(s, Tensors.random("z " + k));
        int split = s.n() / 2 + 1;
        for (int sliceSize : sliceSizes(k)) {
            checkStatistics(k.toString(), s, z, sliceSize, 0, split, s.n());
        }
    }

    /** Per-channel inputs of the forward and backward kernels: gamma around 1, beta around 0. */
    record Params(float[] gamma, float[] beta) {
        static Params of(int c, SplittableRandom r) {
            return new Params(Tensors.uniform(r, c, 0.5, 2), Tensors.uniform(r, c, -1, 1));
        }
    }

    /** forwardSigmoid, with the batch statistics as {@link BatchNorm#stats} computes them (training) and with running ones (evaluation). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardSigmoid(Case k) {
        Shape s = k.shape();
        SplittableRandom r = Tensors.random("forward " + k);
        float[] z = data(s, r);
        Params q = Params.of(s.c(), r);
        float[][] batch = checkStatistics(k.toString(), s, z, k.layerSlice(), 0, s.n());
        float[][] running = {Tensors.uniform(r, s.c(), -1, 2), Tensors.uniform(r, s.c(), 0.2, 3)};
        for (float[][] stats : new float[][][] {batch, running}) {
            FloatArray xhat = nanFilled(s.size());
            FloatArray act = nanFilled(s.size());
            BatchNorm.forwardSigmoid(device(toBatchInnermost(z, s.n(), s.c() * s.hw())), device(stats[0]), device(stats[1]),
                    device(q.gamma()), device(q.beta()), xhat, act, s.n(), s.c(), s.hw(), BatchNorm.EPS);
            Forward ref = BatchNormReference.forward(s, toDouble(z), toDouble(stats[0]), toDouble(stats[1]), toDouble(q.gamma()),
                    toDouble(q.beta()), BatchNorm.EPS);
            double[][] tol = BatchNormReference.forwardBounds(s, ref, toDouble(q.gamma()), toDouble(q.beta()));
            int[] dims = {s.n(), s.c(), s.hw()};
            String what = k + (stats == batch ? " (batch statistics)" : " (running statistics)");
            Tensors.assertClose("BatchNorm.forwardSigmoid xhat " + what, toBatchOutermost(host(xhat), s.n(), s.c() * s.hw()), ref.xhat(), tol[0], dims, "[i,ch,p]");
            Tensors.assertClose("BatchNorm.forwardSigmoid act " + what, toBatchOutermost(host(act), s.n(), s.c() * s.hw()), ref.act(), tol[1], dims, "[i,ch,p]");
        }
    }

    /** forwardSigmoidPool: xhat and act as {@link #forwardSigmoid}, pooled the window means of act (AvgPool2dReference) within the mean of act's bounds plus γ(4). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardSigmoidPool(Case k) {
        if (!k.conv()) {
            return;
        }
        Shape s = k.shape();
        SplittableRandom r = Tensors.random("forward pool " + k);
        float[] z = data(s, r);
        Params q = Params.of(s.c(), r);
        float[][] stats = checkStatistics(k.toString(), s, z, k.layerSlice(), 0, s.n());
        FloatArray xhat = nanFilled(s.size());
        FloatArray act = nanFilled(s.size());
        FloatArray pooled = nanFilled(s.size() / 4);
        BatchNorm.forwardSigmoidPool(device(toBatchInnermost(z, s.n(), s.c() * s.hw())), device(stats[0]), device(stats[1]),
                device(q.gamma()), device(q.beta()), xhat, act, pooled, s.n(), s.c(), k.h(), k.w(), BatchNorm.EPS);
        Forward ref = BatchNormReference.forward(s, toDouble(z), toDouble(stats[0]), toDouble(stats[1]), toDouble(q.gamma()),
                toDouble(q.beta()), BatchNorm.EPS);
        double[][] tol = BatchNormReference.forwardBounds(s, ref, toDouble(q.gamma()), toDouble(q.beta()));
        int[] dims = {s.n(), s.c(), k.h(), k.w()};
        Tensors.assertClose("BatchNorm.forwardSigmoidPool xhat " + k, toBatchOutermost(host(xhat), s.n(), s.c() * s.hw()), ref.xhat(), tol[0], dims, "[i,ch,y,x]");
        Tensors.assertClose("BatchNorm.forwardSigmoidPool act " + k, toBatchOutermost(host(act), s.n(), s.c() * s.hw()), ref.act(), tol[1], dims, "[i,ch,y,x]");
        AvgPool2dReference.Shape ps = new AvgPool2dReference.Shape(k.name(), s.n(), s.c(), k.h(), k.w());
        double[] pool = AvgPool2dReference.forward(ps, ref.act()).value();
        double[] poolTol = AvgPool2dReference.forward(ps, tol[1]).value();
        for (int j = 0; j < pool.length; j++) {
            poolTol[j] += Tensors.gamma(4) * pool[j];
        }
        Tensors.assertClose("BatchNorm.forwardSigmoidPool pooled " + k, toBatchOutermost(host(pooled), s.n(), s.size() / 4 / s.n()), pool, poolTol,
                new int[] {s.n(), s.c(), k.h() / 2, k.w() / 2}, "[i,ch,py,px]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void updateRunning(Case k) {
        Shape s = k.shape();
        SplittableRandom r = Tensors.random("running " + k);
        float[] mean = Tensors.uniform(r, s.c(), -2, 2);
        float[] var = Tensors.uniform(r, s.c(), 0, 3);
        float[] rm = Tensors.uniform(r, s.c(), -1, 1);
        float[] rv = Tensors.uniform(r, s.c(), 0.5, 2);
        FloatArray runningMean = device(rm);
        FloatArray runningVar = device(rv);
        BatchNorm.updateRunning(device(mean), device(var), runningMean, runningVar, s.count(), s.c(), BatchNorm.MOMENTUM);
        double[][] ref = BatchNormReference.updateRunning(toDouble(mean), toDouble(var), toDouble(rm), toDouble(rv), s.count(), BatchNorm.MOMENTUM);
        double[][] tol = BatchNormReference.updateRunningBounds(toDouble(mean), toDouble(var), toDouble(rm), toDouble(rv), s.count(), BatchNorm.MOMENTUM);
        Tensors.assertClose("BatchNorm.updateRunning mean " + k, host(runningMean), ref[0], tol[0], new int[] {s.c()}, "[ch]");
        Tensors.assertClose("BatchNorm.updateRunning var " + k, host(runningVar), ref[1], tol[1], new int[] {s.c()}, "[ch]");
        if (s.count() == 1) {
            assertArrayEquals(rv, host(runningVar), "count 1: the running variance stays as it was");
        }
    }

    /** The unbiased variance: with count 2 the running variance takes twice the biased one (not the biased one itself). */
    @Test
    void theRunningVarianceIsUnbiased() {
        FloatArray runningMean = device(new float[] {0f});
        FloatArray runningVar = device(new float[] {0f});
        BatchNorm.updateRunning(device(new float[] {0f}), device(new float[] {1f}), runningMean, runningVar, 2, 1, 1.0f);
        assertEquals(2f, runningVar.get(0), "momentum 1, biased variance 1 over 2 values: unbiased 2");
    }

    /**
     * The backward sums slice by slice and combined ({@link BatchNorm#backwardPartials}, {@link BatchNorm#sums}) for every slice size and
     * for two shards, then {@link BatchNorm#backwardInput} against the analytic formula: given the kernel's sums, within
     * {@link BatchNormReference#backwardInputBound}; against the exact sums, with the sums' bounds carried through (∂dz/∂dBeta = −scale/count,
     * ∂dz/∂dGamma = −scale·xhat/count).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backward(Case k) {
        Shape s = k.shape();
        SplittableRandom r = Tensors.random("backward " + k);
        float[] dy = Tensors.uniform(r, s.size(), -1, 1);
        float[] xhat = Tensors.uniform(r, s.size(), -2, 2);
        float[] var = Tensors.uniform(r, s.c(), 0.1, 3);
        float[] g = Tensors.uniform(r, s.c(), 0.5, 2);
        Backward exact = BatchNormReference.backward(s, toDouble(dy), toDouble(xhat), toDouble(var), toDouble(g), BatchNorm.EPS);
        int split = Math.max(1, s.n() / 2 + 1);
        for (int sliceSize : sliceSizes(k)) {
            for (int[] bounds : s.n() < 3 ? new int[][] {{0, s.n()}} : new int[][] {{0, s.n()}, {0, split, s.n()}}) {
                String what = k + ", slices of " + sliceSize + ", shards " + Arrays.toString(bounds);
                int slices = 0;
                for (int b = 0; b + 1 < bounds.length; b++) {
                    slices += BatchNorm.slices(bounds[b + 1] - bounds[b], sliceSize);
                }
                FloatArray part = nanFilled(slices * s.c() * 2);
                double[] ref = new double[slices * s.c() * 2];
                double[] tol = new double[slices * s.c() * 2];
                int first = 0;
                for (int b = 0; b + 1 < bounds.length; b++) {
                    int nShard = bounds[b + 1] - bounds[b];
                    BatchNorm.backwardPartials(shard(dy, s, bounds[b], bounds[b + 1]), shard(xhat, s, bounds[b], bounds[b + 1]), part,
                            nShard, s.c(), s.hw(), sliceSize, first);
                    int shardSlices = BatchNorm.slices(nShard, sliceSize);
                    for (int sl = 0; sl < shardSlices; sl++) {
                        for (int ch = 0; ch < s.c(); ch++) {
                            double sumDy = 0;
                            double absDy = 0;
                            double sumDyX = 0;
                            double absDyX = 0;
                            int terms = 0;
                            for (int i = bounds[b] + sl; i < bounds[b + 1]; i += shardSlices) {
                                terms += s.hw();
                                for (int p = 0; p < s.hw(); p++) {
                                    int at = (i * s.c() + ch) * s.hw() + p;
                                    sumDy += dy[at];
                                    absDy += Math.abs(dy[at]);
                                    sumDyX += (double) dy[at] * xhat[at];
                                    absDyX += Math.abs((double) dy[at] * xhat[at]);
                                }
                            }
                            int at = ((first + sl) * s.c() + ch) * 2;
                            ref[at] = sumDy;
                            tol[at] = Tensors.sumTolerance(new double[] {absDy}, terms)[0];
                            ref[at + 1] = sumDyX;
                            tol[at + 1] = Tensors.sumTolerance(new double[] {absDyX}, terms)[0];
                        }
                    }
                    first += BatchNorm.slices(nShard, sliceSize);
                }
                float[] p = host(part);
                Tensors.assertClose("BatchNorm.backwardPartials " + what, p, ref, tol, new int[] {slices, s.c(), 2}, "[s,ch,{dy,dy·xhat}]");

                FloatArray dGamma = nanFilled(s.c());
                FloatArray dBeta = nanFilled(s.c());
                BatchNorm.sums(part, dGamma, dBeta, slices, s.c());
                double[] dBetaTol = new double[s.c()];
                double[] dGammaTol = new double[s.c()];
                for (int ch = 0; ch < s.c(); ch++) {
                    double absB = 0;
                    double absG = 0;
                    for (int sl = 0; sl < slices; sl++) {
                        absB += Math.abs(p[(sl * s.c() + ch) * 2]);
                        absG += Math.abs(p[(sl * s.c() + ch) * 2 + 1]);
                        dBetaTol[ch] += tol[(sl * s.c() + ch) * 2];
                        dGammaTol[ch] += tol[(sl * s.c() + ch) * 2 + 1];
                    }
                    dBetaTol[ch] += Tensors.sumTolerance(new double[] {absB}, slices)[0];
                    dGammaTol[ch] += Tensors.sumTolerance(new double[] {absG}, slices)[0];
                }
                Tensors.assertClose("BatchNorm.sums dGamma " + what, host(dGamma), exact.dGamma(), dGammaTol, new int[] {s.c()}, "[ch]");
                Tensors.assertClose("BatchNorm.sums dBeta " + what, host(dBeta), exact.dBeta(), dBetaTol, new int[] {s.c()}, "[ch]");

                // the input gradient, shard by shard with the whole batch's count
                float[] dz = new float[s.size()];
                for (int b = 0; b + 1 < bounds.length; b++) {
                    int nShard = bounds[b + 1] - bounds[b];
                    FloatArray dzShard = nanFilled(nShard * s.c() * s.hw());
                    BatchNorm.backwardInput(shard(dy, s, bounds[b], bounds[b + 1]), shard(xhat, s, bounds[b], bounds[b + 1]), device(var),
                            device(g), dGamma, dBeta, dzShard, nShard, s.c(), s.hw(), s.count(), BatchNorm.EPS);
                    float[] outer = toBatchOutermost(host(dzShard), nShard, s.c() * s.hw());
                    System.arraycopy(outer, 0, dz, bounds[b] * s.c() * s.hw(), outer.length);
                }
                double[] given = dzGiven(s, toDouble(dy), toDouble(xhat), toDouble(var), toDouble(g), toDouble(host(dGamma)), toDouble(host(dBeta)));
                double[] dzTol = BatchNormReference.backwardInputBound(s, toDouble(dy), toDouble(xhat), toDouble(var), toDouble(g),
                        toDouble(host(dGamma)), toDouble(host(dBeta)), BatchNorm.EPS);
                int[] dims = {s.n(), s.c(), s.hw()};
                Tensors.assertClose("BatchNorm.backwardInput (the kernel's sums) " + what, dz, given, dzTol, dims, "[i,ch,p]");
                double[] carried = dzTol.clone();
                for (int i = 0; i < s.n(); i++) {
                    for (int ch = 0; ch < s.c(); ch++) {
                        double scale = g[ch] / Math.sqrt(var[ch] + (double) BatchNorm.EPS) / s.count();
                        for (int q = 0; q < s.hw(); q++) {
                            int at = (i * s.c() + ch) * s.hw() + q;
                            carried[at] += scale * (dBetaTol[ch] + Math.abs(xhat[at]) * dGammaTol[ch]);
                        }
                    }
                }
                Tensors.assertClose("BatchNorm.backwardInput (exact sums) " + what, dz, exact.dz(), carried, dims, "[i,ch,p]");
            }
        }
    }

    /** The analytic formula on given (float) sums, in double: what backwardInput should compute from the sums it is handed. */
    private static double[] dzGiven(Shape s, double[] dy, double[] xhat, double[] var, double[] g, double[] dGamma, double[] dBeta) {
        double[] dz = new double[s.size()];
        double m = s.count();
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                double scale = g[ch] / Math.sqrt(var[ch] + BatchNorm.EPS);
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    dz[at] = scale * (dy[at] - dBeta[ch] / m - xhat[at] * dGamma[ch] / m);
                }
            }
        }
        return dz;
    }

    /**
     * The analytic backward (dz, dGamma, dBeta of {@link BatchNormReference#backward}, with dy = weight·σ') against central finite
     * differences of L = Σ weight·σ(gamma·xhat + beta), xhat from the batch's own statistics, all in double: step 1e-5, whose truncation
     * error (~h²·L''') and cancellation (~1e-16·|L|/h) are both below 1e-9 here; tolerance 1e-7 of the largest gradient plus 1e-8.
     */
    @Test
    void theAnalyticBackwardMatchesFiniteDifferences() {
        for (Shape s : new Shape[] {new Shape("conv", 3, 2, 6), new Shape("linear", 5, 3, 1), new Shape("pair", 2, 2, 1)}) {
            SplittableRandom r = Tensors.random("finite differences " + s);
            double[] z = toDouble(data(s, r));
            double[] g = toDouble(Tensors.uniform(r, s.c(), 0.5, 2));
            double[] beta = toDouble(Tensors.uniform(r, s.c(), -1, 1));
            double[] weight = toDouble(Tensors.uniform(r, s.size(), -1, 1));
            double eps = BatchNorm.EPS;
            Moments m = BatchNormReference.moments(s, z);
            Forward f = BatchNormReference.forward(s, z, m.mean(), m.variance(), g, beta, eps);
            double[] dy = new double[s.size()];
            for (int j = 0; j < dy.length; j++) {
                dy[j] = weight[j] * f.act()[j] * (1 - f.act()[j]);
            }
            Backward b = BatchNormReference.backward(s, dy, f.xhat(), m.variance(), g, eps);
            double h = 1e-5;
            double[] fdZ = new double[z.length];
            for (int j = 0; j < z.length; j++) {
                double[] plus = z.clone();
                double[] minus = z.clone();
                plus[j] += h;
                minus[j] -= h;
                fdZ[j] = (BatchNormReference.loss(s, plus, g, beta, weight, eps) - BatchNormReference.loss(s, minus, g, beta, weight, eps)) / (2 * h);
            }
            double[] fdG = new double[s.c()];
            double[] fdB = new double[s.c()];
            for (int ch = 0; ch < s.c(); ch++) {
                double[] plus = g.clone();
                double[] minus = g.clone();
                plus[ch] += h;
                minus[ch] -= h;
                fdG[ch] = (BatchNormReference.loss(s, z, plus, beta, weight, eps) - BatchNormReference.loss(s, z, minus, beta, weight, eps)) / (2 * h);
                plus = beta.clone();
                minus = beta.clone();
                plus[ch] += h;
                minus[ch] -= h;
                fdB[ch] = (BatchNormReference.loss(s, z, g, plus, weight, eps) - BatchNormReference.loss(s, z, g, minus, weight, eps)) / (2 * h);
            }
            assertNear("dz " + s, fdZ, b.dz());
            assertNear("dGamma " + s, fdG, b.dGamma());
            assertNear("dBeta " + s, fdB, b.dBeta());
        }
    }

    private static void assertNear(String what, double[] finite, double[] analytic) {
        double scale = 0;
        for (double v : finite) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int j = 0; j < finite.length; j++) {
            double tol = 1e-7 * scale + 1e-8;
            int at = j;
            assertTrue(Math.abs(finite[j] - analytic[j]) <= tol,
                    () -> String.format("%s[%d]: finite differences %.12g, analytic %.12g, tolerance %.3g", what, at, finite[at], analytic[at], tol));
        }
    }

    // ---- against PyTorch ----

    private static final boolean VERBOSE = Boolean.getBoolean("lenet.fixture.verbose");

    /**
     * The kernels as a training step and an evaluation run them, against torch.nn.BatchNorm2d / BatchNorm1d
     * (PyTorch 1.13, {@code benchmarks/batchnorm_fixture.py}, {@code src/test/resources/lenet/fixture/batchnorm_fixture.bin}):
     * a batch split into two shards with slices of 2 (bn2d: 5 examples, 3 channels of 6×4, then 2×2 pooling) and of 3
     * (bn1d: 7 examples, 5 features); training: statistics, the running estimates, act = σ(bn(z)) (and the pooled means),
     * then with dy = weight·act·(1 − act) (the loss Σ weight·act) the gradients of z, gamma and beta; evaluation: act
     * with the updated running estimates.
     *
     * <p>Tolerance: max |lenet − PyTorch| ≤ 2e-6 · max(1, max |PyTorch|) per tensor. Both sides compute in float32 in
     * different orders; the largest discrepancies measured were 4.8e-7 (bn2d's dgamma, of magnitude 1.5, a sum of 120
     * terms) and 1.8e-7 (bn1d's dz), printed with {@code -Dlenet.fixture.verbose=true}; a running variance that took the
     * biased variance would be off by about 1e-3 (bn2d, count 120) and 2e-2 (bn1d, count 7).
     */
    @Test
    void equalsPyTorch() throws IOException {
        Fixture f = Fixture.resource("batchnorm_fixture.bin");
        matchPyTorch(f, "bn2d", 2, true);
        matchPyTorch(f, "bn1d", 3, false);
    }

    private static void matchPyTorch(Fixture f, String k, int sliceSize, boolean conv) {
        int[] dims = f.shape(k + ".z");
        int n = dims[0];
        int c = dims[1];
        int h = conv ? dims[2] : 1;
        int w = conv ? dims[3] : 1;
        Shape s = new Shape(k, n, c, h * w);
        float[] z = f.floats(k + ".z");
        float[] weight = f.floats(k + ".weight");
        FloatArray gammaA = device(f.floats(k + ".gamma"));
        FloatArray betaA = device(f.floats(k + ".beta"));
        int[] bounds = {0, n / 2 + 1, n};
        int slices = BatchNorm.slices(bounds[1], sliceSize) + BatchNorm.slices(n - bounds[1], sliceSize);

        // training: statistics over both shards, running estimates, forward
        FloatArray part = nanFilled(slices * c * 3);
        for (int b = 0, first = 0; b < 2; first += BatchNorm.slices(bounds[b + 1] - bounds[b], sliceSize), b++) {
            BatchNorm.statsPartials(shard(z, s, bounds[b], bounds[b + 1]), part, bounds[b + 1] - bounds[b], c, s.hw(), sliceSize, first);
        }
        FloatArray mean = nanFilled(c);
        FloatArray var = nanFilled(c);
        BatchNorm.stats(part, mean, var, slices, c);
        FloatArray runningMean = device(f.floats(k + ".running_mean.before"));
        FloatArray runningVar = device(f.floats(k + ".running_var.before"));
        BatchNorm.updateRunning(mean, var, runningMean, runningVar, s.count(), c, BatchNorm.MOMENTUM);
        float[][] train = forwardShards(s, z, bounds, mean, var, gammaA, betaA, h, w, conv);

        // training: backward, dy = weight·σ'
        float[] dy = new float[s.size()];
        for (int j = 0; j < dy.length; j++) {
            dy[j] = weight[j] * train[1][j] * (1.0f - train[1][j]);
        }
        FloatArray bpart = nanFilled(slices * c * 2);
        for (int b = 0, first = 0; b < 2; first += BatchNorm.slices(bounds[b + 1] - bounds[b], sliceSize), b++) {
            BatchNorm.backwardPartials(shard(dy, s, bounds[b], bounds[b + 1]), shard(train[0], s, bounds[b], bounds[b + 1]), bpart,
                    bounds[b + 1] - bounds[b], c, s.hw(), sliceSize, first);
        }
        FloatArray dGamma = nanFilled(c);
        FloatArray dBeta = nanFilled(c);
        BatchNorm.sums(bpart, dGamma, dBeta, slices, c);
        float[] dz = new float[s.size()];
        for (int b = 0; b < 2; b++) {
            int nShard = bounds[b + 1] - bounds[b];
            FloatArray dzShard = nanFilled(nShard * c * s.hw());
            BatchNorm.backwardInput(shard(dy, s, bounds[b], bounds[b + 1]), shard(train[0], s, bounds[b], bounds[b + 1]), var, gammaA,
                    dGamma, dBeta, dzShard, nShard, c, s.hw(), s.count(), BatchNorm.EPS);
            System.arraycopy(toBatchOutermost(host(dzShard), nShard, c * s.hw()), 0, dz, bounds[b] * c * s.hw(), nShard * c * s.hw());
        }

        // evaluation: the updated running estimates
        float[][] eval = forwardShards(s, z, bounds, runningMean, runningVar, gammaA, betaA, h, w, conv);

        near(f, k + ".train.act", train[1]);
        near(f, k + ".train.running_mean", host(runningMean));
        near(f, k + ".train.running_var", host(runningVar));
        near(f, k + ".train.grad.z", dz);
        near(f, k + ".train.grad.gamma", host(dGamma));
        near(f, k + ".train.grad.beta", host(dBeta));
        near(f, k + ".eval.act", eval[1]);
        if (conv) {
            near(f, k + ".train.pooled", train[2]);
            near(f, k + ".eval.pooled", eval[2]);
        }
    }

    /** forwardSigmoid (or forwardSigmoidPool) shard by shard: xhat, act (and pooled), batch-outermost. */
    private static float[][] forwardShards(Shape s, float[] z, int[] bounds, FloatArray mean, FloatArray var, FloatArray gammaA, FloatArray betaA,
            int h, int w, boolean conv) {
        float[] xhat = new float[s.size()];
        float[] act = new float[s.size()];
        float[] pooled = new float[s.size() / 4];
        int row = s.c() * s.hw();
        for (int b = 0; b < 2; b++) {
            int nShard = bounds[b + 1] - bounds[b];
            FloatArray x = nanFilled(nShard * row);
            FloatArray a = nanFilled(nShard * row);
            if (conv) {
                FloatArray p = nanFilled(nShard * row / 4);
                BatchNorm.forwardSigmoidPool(shard(z, s, bounds[b], bounds[b + 1]), mean, var, gammaA, betaA, x, a, p, nShard, s.c(), h, w, BatchNorm.EPS);
                System.arraycopy(toBatchOutermost(host(p), nShard, row / 4), 0, pooled, bounds[b] * row / 4, nShard * row / 4);
            } else {
                BatchNorm.forwardSigmoid(shard(z, s, bounds[b], bounds[b + 1]), mean, var, gammaA, betaA, x, a, nShard, s.c(), s.hw(), BatchNorm.EPS);
            }
            System.arraycopy(toBatchOutermost(host(x), nShard, row), 0, xhat, bounds[b] * row, nShard * row);
            System.arraycopy(toBatchOutermost(host(a), nShard, row), 0, act, bounds[b] * row, nShard * row);
        }
        return new float[][] {xhat, act, pooled};
    }

    private static void near(Fixture f, String name, float[] lenet) {
        float[] torch = f.floats(name);
        assertEquals(torch.length, lenet.length, name + ": size");
        double max = 0;
        double worst = 0;
        for (int j = 0; j < torch.length; j++) {
            max = Math.max(max, Math.abs(torch[j]));
            worst = Math.max(worst, Math.abs((double) lenet[j] - torch[j]));
        }
        double tol = 2e-6 * Math.max(1, max);
        if (VERBOSE) {
            System.out.printf("%-28s max |lenet - PyTorch| %.3e (max |PyTorch| %.3e, tolerance %.3e)%n", name, worst, max, tol);
        }
        double w = worst;
        assertTrue(w <= tol, () -> String.format("%s: max |lenet - PyTorch| %.3e over the tolerance %.3e", name, w, tol));
    }
}
