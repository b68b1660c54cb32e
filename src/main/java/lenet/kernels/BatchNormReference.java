package lenet.kernels;

import static lenet.kernels.Tensors.gamma;

/**
 * Host reference for {@link BatchNorm} in double precision, as plain loops (per-channel sums and
 * element-wise formulas: nothing for EJML to do), and the error bounds of the float kernels.
 *
 * <p>Layout: batch-outermost {@code [n][c][hw]} (NCHW for a convolution's output with hw = h·w,
 * {@code [n][features]} for a linear layer's with hw = 1), PyTorch's; per-channel vectors {@code [c]}.
 * Statistics are over the n·hw values of a channel: the mean and the biased variance (M2 / count) in the
 * normalisation, the unbiased variance (M2 / (count − 1)) in the running estimate.
 *
 * <p>Bounds. u = 2⁻²⁴; a float sum of m terms is bounded by {@link Tensors#sumTolerance}. OpenCL C allows
 * float x/y an error of 2.5 ulp and sqrt 3 ulp (exp 3 ulp); one ulp is at most 2u relative, so a division
 * counts as {@link #DIV} = 5 roundings, a square root as {@link #SQRT} = 6 (on the JVM both round
 * correctly, one rounding each). The sigmoid {@code 1 / (1 + e^−x)}: the error of e^−x damped by
 * e^−x/(1 + e^−x) ≤ 1, the addition, the division: {@link #SIGMOID} roundings of σ.
 */
public final class BatchNormReference {
    private BatchNormReference() {
    }

    /** Roundings counted for a float division (OpenCL: 2.5 ulp). */
    public static final int DIV = 5;
    /** Roundings counted for a float square root (OpenCL: 3 ulp). */
    public static final int SQRT = 6;
    /** Roundings counted for σ = 1 / (1 + e^−x): exp 3 ulp, one addition, one division. */
    public static final int SIGMOID = 6 + 1 + DIV;

    /** The normalised tensor: n examples of c channels of hw positions. */
    public record Shape(String name, int n, int c, int hw) {
        public int size() {
            return n * c * hw;
        }

        /** Values per channel: n·hw. */
        public int count() {
            return n * hw;
        }

        @Override
        public String toString() {
            return String.format("%s n=%d c=%d hw=%d", name, n, c, hw);
        }
    }

    /** Per channel: the number of values, their mean and M2 = Σ (x − mean)². */
    public record Moments(double[] count, double[] mean, double[] m2) {
        /** The biased variance M2 / count. */
        public double[] variance() {
            double[] v = new double[mean.length];
            for (int ch = 0; ch < v.length; ch++) {
                v[ch] = m2[ch] / count[ch];
            }
            return v;
        }
    }

    // ---- statistics ----

    /**
     * The moments of each channel over examples from, from + step, … &lt; to of {@code z} ({@code [n][c][hw]}), by two
     * passes in double (a slice of {@link BatchNorm#statsPartials}: its first example, the end of its batch or shard,
     * the slice count).
     */
    public static Moments moments(Shape s, double[] z, int from, int to, int step) {
        int examples = (to - from + step - 1) / step;
        double[] count = new double[s.c()];
        double[] mean = new double[s.c()];
        double[] m2 = new double[s.c()];
        for (int ch = 0; ch < s.c(); ch++) {
            double sum = 0;
            for (int i = from; i < to; i += step) {
                for (int p = 0; p < s.hw(); p++) {
                    sum += z[(i * s.c() + ch) * s.hw() + p];
                }
            }
            count[ch] = (double) examples * s.hw();
            mean[ch] = sum / count[ch];
            double acc = 0;
            for (int i = from; i < to; i += step) {
                for (int p = 0; p < s.hw(); p++) {
                    double d = z[(i * s.c() + ch) * s.hw() + p] - mean[ch];
                    acc += d * d;
                }
            }
            m2[ch] = acc;
        }
        return new Moments(count, mean, m2);
    }

    /** The moments of the whole batch. */
    public static Moments moments(Shape s, double[] z) {
        return moments(s, z, 0, s.n(), 1);
    }

    /**
     * {@link BatchNorm#statsPartials}' output as the reference computes it: {@code [slices][c][3]} (count,
     * mean, M2) of its slices: slices(n, sliceSize) interleaved ones, slice sl holding examples sl, sl + slices, ….
     */
    public static double[] partials(Shape s, double[] z, int sliceSize) {
        int slices = BatchNorm.slices(s.n(), sliceSize);
        double[] part = new double[slices * s.c() * 3];
        for (int sl = 0; sl < slices; sl++) {
            Moments m = moments(s, z, sl, s.n(), slices);
            for (int ch = 0; ch < s.c(); ch++) {
                part[(sl * s.c() + ch) * 3] = m.count()[ch];
                part[(sl * s.c() + ch) * 3 + 1] = m.mean()[ch];
                part[(sl * s.c() + ch) * 3 + 2] = m.m2()[ch];
            }
        }
        return part;
    }

    /**
     * The moments of the union of {@code slices} slices given as (count, mean, M2) partials
     * ({@code [slices][c][3]}): count = Σ counts, mean = Σ count_s·mean_s / count, and
     * M2 = Σ M2_s + Σ count_s·(mean_s − mean)² (the exact decomposition that Chan's pairwise formula
     * computes step by step), in double.
     */
    public static Moments combine(double[] part, int slices, int c) {
        double[] count = new double[c];
        double[] mean = new double[c];
        double[] m2 = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int s = 0; s < slices; s++) {
                count[ch] += part[(s * c + ch) * 3];
                sum += part[(s * c + ch) * 3] * part[(s * c + ch) * 3 + 1];
            }
            mean[ch] = sum / count[ch];
            for (int s = 0; s < slices; s++) {
                double d = part[(s * c + ch) * 3 + 1] - mean[ch];
                m2[ch] += part[(s * c + ch) * 3 + 2] + part[(s * c + ch) * 3] * d * d;
            }
        }
        return new Moments(count, mean, m2);
    }

    /** The running estimates after one training batch: (1 − momentum)·running + momentum·batch, the variance unbiased (count &gt; 1; else unchanged). */
    public static double[][] updateRunning(double[] mean, double[] var, double[] runningMean, double[] runningVar, long count, double momentum) {
        double[] rm = new double[mean.length];
        double[] rv = new double[mean.length];
        for (int ch = 0; ch < mean.length; ch++) {
            rm[ch] = (1 - momentum) * runningMean[ch] + momentum * mean[ch];
            rv[ch] = count > 1 ? (1 - momentum) * runningVar[ch] + momentum * var[ch] * count / (count - 1) : runningVar[ch];
        }
        return new double[][] {rm, rv};
    }

    // ---- forward and backward ----

    /** The forward outputs: xhat, and act = σ(gamma·xhat + beta), both {@code [n][c][hw]}. */
    public record Forward(double[] xhat, double[] act) {
    }

    /** xhat = (z − mean[ch]) / √(var[ch] + eps), act = σ(gamma[ch]·xhat + beta[ch]). */
    public static Forward forward(Shape s, double[] z, double[] mean, double[] var, double[] gammaCh, double[] beta, double eps) {
        double[] xhat = new double[s.size()];
        double[] act = new double[s.size()];
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                double sd = Math.sqrt(var[ch] + eps);
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    xhat[at] = (z[at] - mean[ch]) / sd;
                    act[at] = 1.0 / (1.0 + Math.exp(-(gammaCh[ch] * xhat[at] + beta[ch])));
                }
            }
        }
        return new Forward(xhat, act);
    }

    /** The backward outputs: dz {@code [n][c][hw]}, dGamma and dBeta {@code [c]}. */
    public record Backward(double[] dz, double[] dGamma, double[] dBeta) {
    }

    /**
     * The gradients in training (batch statistics) by the analytic formula: with dy the gradient with
     * respect to gamma·xhat + beta and m = count = n·hw, dBeta = Σ dy, dGamma = Σ dy·xhat, and
     * dz = gamma / √(var + eps) · (dy − dBeta/m − xhat·dGamma/m).
     */
    public static Backward backward(Shape s, double[] dy, double[] xhat, double[] var, double[] gammaCh, double eps) {
        double[] dGamma = new double[s.c()];
        double[] dBeta = new double[s.c()];
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    dBeta[ch] += dy[at];
                    dGamma[ch] += dy[at] * xhat[at];
                }
            }
        }
        double m = s.count();
        double[] dz = new double[s.size()];
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                double scale = gammaCh[ch] / Math.sqrt(var[ch] + eps);
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    dz[at] = scale * (dy[at] - dBeta[ch] / m - xhat[at] * dGamma[ch] / m);
                }
            }
        }
        return new Backward(dz, dGamma, dBeta);
    }

    /**
     * The composite that the finite-difference check differentiates: L = Σ weight·σ(gamma·xhat + beta) with
     * xhat normalised by the batch's own mean and biased variance, all in double.
     */
    public static double loss(Shape s, double[] z, double[] gammaCh, double[] beta, double[] weight, double eps) {
        Moments m = moments(s, z);
        double[] act = forward(s, z, m.mean(), m.variance(), gammaCh, beta, eps).act();
        double l = 0;
        for (int j = 0; j < act.length; j++) {
            l += weight[j] * act[j];
        }
        return l;
    }

    // ---- bounds of the float kernels ----

    /**
     * The relative bound of m roundings in a chain: γ(m), or λ·√m·u when smaller (m &gt; 64), the bound
     * {@link Tensors#sumTolerance} takes for sums, for the same reason (see {@link Tensors}).
     */
    static double chain(int m) {
        return Math.min(gamma(m), Tensors.LAMBDA * Math.sqrt(m) * Tensors.U);
    }

    /**
     * The bound of {@link BatchNorm#statsPartials}' mean and M2 for examples from, from + step, … &lt; to, per channel
     * ({@code [2][c]}: mean, M2), given the exact moments {@code m} of those examples. The mean: the sum's
     * bound over count terms, divided by count, plus the division (DIV roundings). M2: a float sum of count
     * non-negative terms (its own bound), each term's subtraction and square (3 roundings), and the offset of
     * the float mean: Σ (x − mean − δ)² − Σ (x − mean)² = count·δ² for a mean off by δ.
     */
    public static double[][] partialBounds(Shape s, double[] z, int from, int to, int step, Moments m) {
        double[] meanTol = new double[s.c()];
        double[] m2Tol = new double[s.c()];
        int count = (to - from + step - 1) / step * s.hw();
        for (int ch = 0; ch < s.c(); ch++) {
            double abs = 0;
            for (int i = from; i < to; i += step) {
                for (int p = 0; p < s.hw(); p++) {
                    abs += Math.abs(z[(i * s.c() + ch) * s.hw() + p]);
                }
            }
            double sumTol = Tensors.sumTolerance(new double[] {abs}, count)[0] / count;
            meanTol[ch] = sumTol + gamma(DIV) * (Math.abs(m.mean()[ch]) + sumTol);
            m2Tol[ch] = Tensors.sumTolerance(new double[] {m.m2()[ch]}, count)[0] + gamma(3) * m.m2()[ch]
                    + count * meanTol[ch] * meanTol[ch];
        }
        return new double[][] {meanTol, m2Tol};
    }

    /**
     * The bound of {@link BatchNorm#stats}' mean and variance ({@code [2][c]}) from partials {@code part}
     * ({@code [slices][c][3]}, the floats the kernel reads) whose means and M2s may be off by up to
     * {@code partMeanTol} and {@code partM2Tol} ({@code [slices][c]}; zeros for exact inputs).
     *
     * <p>Propagated: the mean is Σ (count_s/count)·mean_s, so the partial means' errors weigh count_s/count;
     * M2 = Σ M2_s + Σ count_s (mean_s − mean)², whose derivative with respect to mean_s is
     * 2·count_s·(mean_s − mean). Rounded, over S slices: a step of the mean rounds δ, count_b/count_ab (DIV),
     * the product and the sum, each relative to at most 2·max|mean_s|: γ(15·S)·max|mean_s| in all (γ(m)
     * here and below: the smaller of γ(m) and λ·√m·u, as for sums); a step of
     * M2 rounds count_a·count_b, the division (DIV), δ² (3 with δ's own), the product and two additions, of
     * non-negative terms: γ(12·S)·M2, plus δ's error from the running mean's, 2·|δ|·count_a·count_b/count_ab
     * times the mean's bound, per step. The variance: M2's bound / count, plus the division (DIV).
     */
    public static double[][] statsBounds(double[] part, int slices, int c, double[] partMeanTol, double[] partM2Tol) {
        Moments exact = combine(part, slices, c);
        double[] meanTol = new double[c];
        double[] varTol = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double n = exact.count()[ch];
            double mu = exact.mean()[ch];
            double maxMean = 0;
            double inMean = 0;
            double inM2 = 0;
            for (int s = 0; s < slices; s++) {
                int at = (s * c + ch) * 3;
                maxMean = Math.max(maxMean, Math.abs(part[at + 1]));
                inMean += part[at] / n * partMeanTol[s * c + ch];
                inM2 += partM2Tol[s * c + ch] + 2 * part[at] * Math.abs(part[at + 1] - mu) * partMeanTol[s * c + ch];
            }
            double roundMean = chain(15 * slices) * maxMean;
            double cross = 0;
            double na = 0;
            double ma = 0;
            for (int s = 0; s < slices; s++) {
                int at = (s * c + ch) * 3;
                double nb = part[at];
                double delta = part[at + 1] - ma;
                double nab = na + nb;
                cross += 2 * Math.abs(delta) * (na * nb / nab) * roundMean;
                ma += delta * nb / nab;
                na = nab;
            }
            meanTol[ch] = inMean + roundMean;
            double m2Tol = inM2 + chain(12 * slices) * exact.m2()[ch] + cross;
            double var = exact.m2()[ch] / n;
            varTol[ch] = m2Tol / n + gamma(DIV) * (var + m2Tol / n);
        }
        return new double[][] {meanTol, varTol};
    }

    /**
     * The bounds of {@link BatchNorm#forwardSigmoid}'s xhat and act ({@code [2][size]}) for the exact
     * {@code f} of the same float inputs. xhat = (z − mean) / √(var + eps): the subtraction, the addition
     * (halved by the root), the root (SQRT), the division (DIV), relative to |xhat|. act: the argument
     * gamma·xhat + beta carries |gamma| times xhat's bound plus two roundings of |gamma·xhat| + |beta|,
     * through σ' ≤ ¼, plus σ's own roundings.
     */
    public static double[][] forwardBounds(Shape s, Forward f, double[] gammaCh, double[] beta) {
        double[] xTol = new double[s.size()];
        double[] aTol = new double[s.size()];
        int xRoundings = 1 + 1 + SQRT + DIV;
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    xTol[at] = gamma(xRoundings) * Math.abs(f.xhat()[at]);
                    double argTol = Math.abs(gammaCh[ch]) * xTol[at] + gamma(2) * (Math.abs(gammaCh[ch] * f.xhat()[at]) + Math.abs(beta[ch]));
                    aTol[at] = 0.25 * argTol + gamma(SIGMOID) * f.act()[at];
                }
            }
        }
        return new double[][] {xTol, aTol};
    }

    /**
     * The bound of {@link BatchNorm#backwardInput}'s dz for the exact value from the same float inputs: the
     * scale gamma/√(var + eps) (the addition halved, SQRT, DIV), the two means dBeta/count and
     * dGamma/count (DIV each), xhat times the second, two subtractions: γ(8) of
     * B = |dy| + |dBeta/count| + |xhat·dGamma/count| for the bracket, which may cancel, γ(13) of the
     * scale, one for the product.
     */
    public static double[] backwardInputBound(Shape s, double[] dy, double[] xhat, double[] var, double[] gammaCh,
            double[] dGamma, double[] dBeta, double eps) {
        double[] tol = new double[s.size()];
        double m = s.count();
        for (int i = 0; i < s.n(); i++) {
            for (int ch = 0; ch < s.c(); ch++) {
                double scale = Math.abs(gammaCh[ch]) / Math.sqrt(var[ch] + eps);
                for (int p = 0; p < s.hw(); p++) {
                    int at = (i * s.c() + ch) * s.hw() + p;
                    double b = Math.abs(dy[at]) + Math.abs(dBeta[ch] / m) + Math.abs(xhat[at] * dGamma[ch] / m);
                    tol[at] = scale * b * (gamma(1 + DIV + 2) + gamma(1 + SQRT + DIV + 1));
                }
            }
        }
        return tol;
    }

    /**
     * The bounds of {@link BatchNorm#updateRunning}'s running mean and variance ({@code [2][c]}) for float
     * inputs: the mean rounds 1 − momentum, two products and the sum (γ(4) of the two terms); the variance
     * also count/(count − 1) (DIV) and var times it.
     */
    public static double[][] updateRunningBounds(double[] mean, double[] var, double[] runningMean, double[] runningVar,
            long count, double momentum) {
        double[] rmTol = new double[mean.length];
        double[] rvTol = new double[mean.length];
        for (int ch = 0; ch < mean.length; ch++) {
            rmTol[ch] = gamma(4) * ((1 - momentum) * Math.abs(runningMean[ch]) + momentum * Math.abs(mean[ch]));
            rvTol[ch] = count > 1 ? gamma(4 + DIV + 1) * ((1 - momentum) * runningVar[ch] + momentum * var[ch] * count / (count - 1)) : 0;
        }
        return new double[][] {rmTol, rvTol};
    }
}
