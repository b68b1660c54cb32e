package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Batch normalisation (PyTorch's {@code BatchNorm2d} for a convolution's output, {@code BatchNorm1d} for a
 * linear layer's), followed by the sigmoid (and, after a convolution, the 2×2 average pooling) in the same
 * kernel: d2l's LeNet with batch normalisation puts it after every convolution and hidden linear layer,
 * before the sigmoid.
 *
 * <p>Shapes (batch-innermost): the normalised tensor is {@code [c][hw][n]}: a convolution's output
 * {@code [c][h][w][n]} with hw = h·w (statistics per channel over the batch and the pixels), a linear
 * layer's output {@code [f][n]} with c = f and hw = 1 (statistics per feature over the batch). gamma, beta,
 * mean, var and the running estimates are {@code [c]}.
 *
 * <p>Training normalises with the batch's mean and biased variance; the running estimates move by
 * {@link #MOMENTUM} towards the batch mean and the unbiased variance; evaluation normalises with the running
 * estimates. The per-channel sums over the batch are two-stage, with no atomics and no long serial chain:
 * a stage over slices of at most {@code sliceSize} examples writing one partial per slice and channel,
 * then a stage combining the slices in slice order. The n examples are dealt into slices(n, sliceSize) =
 * ⌈n/sliceSize⌉ interleaved slices, slice s holding examples s, s + slices, s + 2·slices, … (as
 * {@link Conv2d#backwardPartials} deals them): ⌈(n − s)/slices⌉ ≤ sliceSize of them, so the last slices may
 * hold one fewer. The slice loop is the innermost {@code @Parallel} loop (GPU dimension 0), so neighbouring
 * work-items read neighbouring examples of the same position: coalesced loads. A partial buffer may gather the slices of
 * several calls (the JVM engine's shards of one batch, each with its own n): a call writes its slices from
 * slice {@code firstSlice} on, and the combining kernel reads them all. The slice sizes below keep every
 * work-item at batch 256 under 4,096 global loads (both partial kernels read 2·sliceSize·hw values).
 */
public final class BatchNorm {
    private BatchNorm() {
    }

    /** PyTorch's default ε, added to the variance before the square root. */
    public static final float EPS = 1e-5f;
    /** PyTorch's default momentum of the running estimates. */
    public static final float MOMENTUM = 0.1f;

    /** Examples per slice after conv1 ([6][28·28][n]): 2·2·784 = 3,136 loads a work-item, 128 slices at batch 256. */
    public static final int CONV1_SLICE = 2;
    /** Examples per slice after conv2 ([16][10·10][n]): 2·8·100 = 1,600 loads a work-item, 32 slices at batch 256 (as conv2's weight gradient). */
    public static final int CONV2_SLICE = 8;
    /** Examples per slice after a hidden linear layer ([120][n], [84][n]): 2·32 = 64 loads a work-item, 8 slices at batch 256. */
    public static final int LINEAR_SLICE = 32;

    /** The slices of a batch (or shard) of n examples: ⌈n / sliceSize⌉. */
    public static int slices(int n, int sliceSize) {
        return (n + sliceSize - 1) / sliceSize;
    }

    /**
     * Stage 1 of the statistics: part[((firstSlice + s)·c + ch)·3 + {0, 1, 2}] = (count, mean, M2) of channel
     * ch over slice s's examples (s, s + slices, …) and all hw positions: count = examples·hw, mean their mean, M2 = Σ (z − mean)²
     * (two passes over the slice: the sum, then the squared deviations from its mean).
     *
     * <p>Threads: c × slices(n, sliceSize), the slice loop innermost (GPU dimension 0). A work-item reads its
     * slice twice: 2·sliceSize·hw loads.
     */
    public static void statsPartials(FloatArray z, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int s = 0; s < slices; s++) {       // slice: examples s, s + slices, ...
                float count = (float) (((n - s + slices - 1) / slices) * hw);
                float sum = 0.0f;
                for (int p = 0; p < hw; p++) {
                    int row = (ch * hw + p) * n;
                    for (int i = s; i < n; i += slices) {
                        sum += z.get(row + i);
                    }
                }
                float mean = sum / count;
                float m2 = 0.0f;
                for (int p = 0; p < hw; p++) {
                    int row = (ch * hw + p) * n;
                    for (int i = s; i < n; i += slices) {
                        float d = z.get(row + i) - mean;
                        m2 += d * d;
                    }
                }
                int at = ((firstSlice + s) * c + ch) * 3;
                part.set(at, count);
                part.set(at + 1, mean);
                part.set(at + 2, m2);
            }
        }
    }

    /**
     * Stage 2 of the statistics: mean[ch] and the biased var[ch] = M2/count of the union of {@code slices}
     * slices, combined in slice order by Chan, Golub and LeVeque's pairwise formula: with δ = mean_b − mean_a
     * and count_ab = count_a + count_b,
     * <pre>
     * mean_ab = mean_a + δ · count_b / count_ab
     * M2_ab   = M2_a + M2_b + δ² · count_a · count_b / count_ab
     * </pre>
     * (starting from count 0, the first slice is taken as it is). Threads: one per channel, each reading
     * 3·slices values.
     */
    public static void stats(FloatArray part, FloatArray mean, FloatArray var, int slices, int c) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            float na = 0.0f;
            float ma = 0.0f;
            float m2a = 0.0f;
            for (int s = 0; s < slices; s++) {
                int at = (s * c + ch) * 3;
                float nb = part.get(at);
                float delta = part.get(at + 1) - ma;
                float nab = na + nb;
                ma += delta * (nb / nab);
                m2a += part.get(at + 2) + delta * delta * (na * nb / nab);
                na = nab;
            }
            mean.set(ch, ma);
            var.set(ch, m2a / na);
        }
    }

    /**
     * runningMean = (1 − momentum)·runningMean + momentum·mean and runningVar = (1 − momentum)·runningVar
     * + momentum·var·count/(count − 1): the running estimates take the batch's unbiased variance
     * (PyTorch's), where var is the biased one of {@link #stats} over {@code count} = examples·hw values.
     * With count = 1 the unbiased variance is undefined (0/0; PyTorch refuses to train on one value per
     * channel): the running mean moves, the running variance is left as it is. Threads: one per channel.
     */
    public static void updateRunning(FloatArray mean, FloatArray var, FloatArray runningMean, FloatArray runningVar,
            int count, int c, float momentum) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            runningMean.set(ch, (1.0f - momentum) * runningMean.get(ch) + momentum * mean.get(ch));
            if (count > 1) {
                float unbiased = var.get(ch) * ((float) count / (float) (count - 1));
                runningVar.set(ch, (1.0f - momentum) * runningVar.get(ch) + momentum * unbiased);
            }
        }
    }

    /**
     * xhat = (z − mean[ch]) / √(var[ch] + eps) and act = σ(gamma[ch]·xhat + beta[ch]) ({@link Sigmoid#of}):
     * training passes the batch's mean and variance ({@link #stats}), evaluation the running ones. xhat is
     * kept for the backward pass, act for the sigmoid's derivative and the next layer.
     *
     * <p>Threads: one per element, c × hw × n, the batch loop innermost (GPU dimension 0).
     */
    public static void forwardSigmoid(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, int n, int c, int hw, float eps) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < hw; p++) {           // position (pixel y·w + x; 0 after a linear layer)
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int at = (ch * hw + p) * n + i;
                    float x = (z.get(at) - mean.get(ch)) / TornadoMath.sqrt(var.get(ch) + eps);
                    xhat.set(at, x);
                    act.set(at, Sigmoid.of(gamma.get(ch) * x + beta.get(ch)));
                }
            }
        }
    }

    /**
     * {@link #forwardSigmoid} for a convolution's output {@code [c][h][w][n]} (h, w even) with the 2×2
     * average pooling in its epilogue: each work-item normalises the four elements of one pooling window,
     * stores their xhat and act, and pooled[ch][py][px][i] = ¼ Σ act over the window at (2py, 2px) (as
     * {@link Conv2d#forwardSigmoidPool}'s epilogue). pooled is {@code [c][h/2][w/2][n]}.
     *
     * <p>Threads: one per pooled output, c × (h/2·w/2) × n, the batch loop innermost (GPU dimension 0).
     */
    public static void forwardSigmoidPool(FloatArray z, FloatArray mean, FloatArray var, FloatArray gamma, FloatArray beta,
            FloatArray xhat, FloatArray act, FloatArray pooled, int n, int c, int h, int w, float eps) {
        int hp = h / 2;
        int wp = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int q = 0; q < hp * wp; q++) {      // pooled pixel py·wp + px
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int py = q / wp;
                    int px = q % wp;
                    float m = mean.get(ch);
                    float sd = TornadoMath.sqrt(var.get(ch) + eps);
                    float g = gamma.get(ch);
                    float b = beta.get(ch);
                    float sum = 0.0f;
                    for (int d = 0; d < 4; d++) {              // window position (d/2, d%2)
                        int at = ((ch * h + 2 * py + d / 2) * w + 2 * px + d % 2) * n + i;
                        float x = (z.get(at) - m) / sd;
                        float a = Sigmoid.of(g * x + b);
                        xhat.set(at, x);
                        act.set(at, a);
                        sum += a;
                    }
                    pooled.set((ch * hp * wp + q) * n + i, 0.25f * sum);
                }
            }
        }
    }

    /**
     * Stage 1 of the backward sums: part[((firstSlice + s)·c + ch)·2 + {0, 1}] = (Σ dy, Σ dy·xhat) over slice
     * s's examples and all hw positions, dy the gradient with respect to the batch norm's output
     * gamma·xhat + beta (the sigmoid's derivative already applied). Slices as in {@link #statsPartials}.
     *
     * <p>Threads: c × slices(n, sliceSize), the slice loop innermost; 2·sliceSize·hw loads a work-item.
     */
    public static void backwardPartials(FloatArray dy, FloatArray xhat, FloatArray part, int n, int c, int hw, int sliceSize, int firstSlice) {
        int slices = (n + sliceSize - 1) / sliceSize;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int s = 0; s < slices; s++) {       // slice: examples s, s + slices, ...
                float sumDy = 0.0f;
                float sumDyXhat = 0.0f;
                for (int p = 0; p < hw; p++) {
                    int row = (ch * hw + p) * n;
                    for (int i = s; i < n; i += slices) {
                        float g = dy.get(row + i);
                        sumDy += g;
                        sumDyXhat += g * xhat.get(row + i);
                    }
                }
                int at = ((firstSlice + s) * c + ch) * 2;
                part.set(at, sumDy);
                part.set(at + 1, sumDyXhat);
            }
        }
    }

    /**
     * Stage 2 of the backward sums: dGamma[ch] = Σ_s Σ dy·xhat and dBeta[ch] = Σ_s Σ dy over {@code slices}
     * slices in slice order: the gradients of gamma and beta, and the two sums {@link #backwardInput} needs.
     * Threads: one per channel, each reading 2·slices values.
     */
    public static void sums(FloatArray part, FloatArray dGamma, FloatArray dBeta, int slices, int c) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            float sumDy = 0.0f;
            float sumDyXhat = 0.0f;
            for (int s = 0; s < slices; s++) {
                int at = (s * c + ch) * 2;
                sumDy += part.get(at);
                sumDyXhat += part.get(at + 1);
            }
            dGamma.set(ch, sumDyXhat);
            dBeta.set(ch, sumDy);
        }
    }

    /**
     * The gradient with respect to the batch norm's input in training (batch statistics):
     * dz = gamma[ch] / √(var[ch] + eps) · (dy − dBeta[ch]/count − xhat · dGamma[ch]/count), count =
     * examples of the whole batch · hw (the batch's mean and variance depend on every z, hence the two
     * per-channel sums of {@link #sums}). Threads: one per element, c × hw × n, batch innermost.
     */
    public static void backwardInput(FloatArray dy, FloatArray xhat, FloatArray var, FloatArray gamma, FloatArray dGamma, FloatArray dBeta,
            FloatArray dz, int n, int c, int hw, int count, float eps) {
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < hw; p++) {           // position
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int at = (ch * hw + p) * n + i;
                    float scale = gamma.get(ch) / TornadoMath.sqrt(var.get(ch) + eps);
                    float meanDy = dBeta.get(ch) / (float) count;
                    float meanDyXhat = dGamma.get(ch) / (float) count;
                    dz.set(at, scale * (dy.get(at) - meanDy - xhat.get(at) * meanDyXhat));
                }
            }
        }
    }
}
