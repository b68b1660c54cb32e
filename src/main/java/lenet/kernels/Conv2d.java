package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * 2-D convolution, stride 1, square kernel k×k, zero padding {@code pad} (PyTorch's {@code Conv2d}).
 *
 * <p>Shapes (batch-innermost): input {@code [cin][h][w][n]}, weight {@code [cout][cin][k][k]}, bias
 * {@code [cout]}, output {@code [cout][ho][wo][n]} with {@code ho = h + 2*pad - k + 1} (likewise wo).
 */
public final class Conv2d {
    private Conv2d() {
    }

    /**
     * out[co][oy][ox][i] = bias[co] + Σ_ci Σ_ky Σ_kx weight[co][ci][ky][kx] · in[ci][oy+ky-pad][ox+kx-pad][i].
     *
     * <p>Threads: one per output element, cout × (ho·wo) × n; each sums cin·k·k products.
     */
    public static void forward(FloatArray in, FloatArray weight, FloatArray bias, FloatArray out,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        for (@Parallel int co = 0; co < cout; co++) {           // output channel
            for (@Parallel int p = 0; p < ho * wo; p++) {      // output pixel oy*wo + ox
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int oy = p / wo;
                    int ox = p % wo;
                    float acc = bias.get(co);
                    for (int ci = 0; ci < cin; ci++) {
                        for (int ky = 0; ky < k; ky++) {
                            int y = oy + ky - pad;
                            for (int kx = 0; kx < k; kx++) {
                                int x = ox + kx - pad;
                                if (y >= 0 && y < h && x >= 0 && x < w) {
                                    acc += weight.get(((co * cin + ci) * k + ky) * k + kx) * in.get(((ci * h + y) * w + x) * n + i);
                                }
                            }
                        }
                    }
                    out.set((co * ho * wo + p) * n + i, acc);
                }
            }
        }
    }

    /**
     * The forward step of a convolution followed by a sigmoid and a 2×2 average pool, in one kernel:
     * act[co][oy][ox][i] = σ(conv(in)[co][oy][ox][i]) (as {@link #forward}, then {@link Sigmoid#of}) and
     * pooled[co][py][px][i] = ¼ Σ of act over the window at (2py, 2px), ho and wo even. {@code act} is kept
     * for the backward pass (the sigmoid's derivative is y·(1−y)).
     *
     * <p>Threads: one per pooled output, cout × (ho/2·wo/2) × n; the batch loop {@code i} is the innermost
     * {@code @Parallel} loop (GPU dimension 0). Each work-item computes the four outputs of its window
     * (4·cin·k·k products) and owns them, so the activation and the pooling cost no launch of their own.
     */
    public static void forwardSigmoidPool(FloatArray in, FloatArray weight, FloatArray bias, FloatArray act, FloatArray pooled,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        int hp = ho / 2;
        int wp = wo / 2;
        for (@Parallel int co = 0; co < cout; co++) {           // output channel
            for (@Parallel int q = 0; q < hp * wp; q++) {      // pooled pixel py*wp + px
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int py = q / wp;
                    int px = q % wp;
                    float sum = 0.0f;
                    for (int d = 0; d < 4; d++) {              // window position (d/2, d%2)
                        int oy = 2 * py + d / 2;
                        int ox = 2 * px + d % 2;
                        float acc = bias.get(co);
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                int y = oy + ky - pad;
                                for (int kx = 0; kx < k; kx++) {
                                    int x = ox + kx - pad;
                                    if (y >= 0 && y < h && x >= 0 && x < w) {
                                        acc += weight.get(((co * cin + ci) * k + ky) * k + kx) * in.get(((ci * h + y) * w + x) * n + i);
                                    }
                                }
                            }
                        }
                        float s = Sigmoid.of(acc);
                        act.set(((co * ho + oy) * wo + ox) * n + i, s);
                        sum += s;
                    }
                    pooled.set((co * hp * wp + q) * n + i, 0.25f * sum);
                }
            }
        }
    }

    /**
     * The forward step of a convolution followed by a ReLU and a 2×2 max pool, in one kernel:
     * act[co][oy][ox][i] = relu(conv(in)[co][oy][ox][i]) (as {@link #forward}, then {@link Relu#of}),
     * pooled[co][py][px][i] = the largest act of the window at (2py, 2px), ho and wo even, and
     * argmax[co][py][px][i] its window position d = 2·(oy % 2) + (ox % 2), the first of equal maxima
     * (as {@link MaxPool2d#forward}). {@code act} and {@code argmax} are kept for the backward pass
     * ({@link MaxPool2d#backwardRelu}).
     *
     * <p>Threads: one per pooled output, cout × (ho/2·wo/2) × n; the batch loop {@code i} is the innermost
     * {@code @Parallel} loop (GPU dimension 0). Each work-item computes the four outputs of its window
     * (4·cin·k·k products) and owns them, as {@link #forwardSigmoidPool}.
     */
    public static void forwardReluMaxPool(FloatArray in, FloatArray weight, FloatArray bias, FloatArray act, FloatArray pooled, IntArray argmax,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        int hp = ho / 2;
        int wp = wo / 2;
        for (@Parallel int co = 0; co < cout; co++) {           // output channel
            for (@Parallel int q = 0; q < hp * wp; q++) {      // pooled pixel py*wp + px
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int py = q / wp;
                    int px = q % wp;
                    float best = 0.0f;
                    int arg = 0;
                    for (int d = 0; d < 4; d++) {              // window position (d/2, d%2)
                        int oy = 2 * py + d / 2;
                        int ox = 2 * px + d % 2;
                        float acc = bias.get(co);
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                int y = oy + ky - pad;
                                for (int kx = 0; kx < k; kx++) {
                                    int x = ox + kx - pad;
                                    if (y >= 0 && y < h && x >= 0 && x < w) {
                                        acc += weight.get(((co * cin + ci) * k + ky) * k + kx) * in.get(((ci * h + y) * w + x) * n + i);
                                    }
                                }
                            }
                        }
                        float s = Relu.of(acc);
                        act.set(((co * ho + oy) * wo + ox) * n + i, s);
                        if (d == 0 || s > best) {              // the first maximum wins a tie
                            best = s;
                            arg = d;
                        }
                    }
                    pooled.set((co * hp * wp + q) * n + i, best);
                    argmax.set((co * hp * wp + q) * n + i, arg);
                }
            }
        }
    }

    /**
     * dIn[ci][y][x][i] = Σ_co Σ_ky Σ_kx dOut[co][y+pad-ky][x+pad-kx][i] · weight[co][ci][ky][kx]
     * (the transposed convolution; output pixels outside [0,ho)×[0,wo) contribute nothing).
     *
     * <p>Threads: one per input element, cin × (h·w) × n; a "gather" form, so no two threads write the same
     * element and no atomics are needed (the "scatter" form, one thread per output adding into k×k
     * inputs, would race).
     */
    public static void backwardInput(FloatArray dOut, FloatArray weight, FloatArray dIn,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        for (@Parallel int ci = 0; ci < cin; ci++) {           // input channel
            for (@Parallel int p = 0; p < h * w; p++) {        // input pixel y*w + x
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int y = p / w;
                    int x = p % w;
                    float acc = 0.0f;
                    for (int co = 0; co < cout; co++) {
                        for (int ky = 0; ky < k; ky++) {
                            int oy = y + pad - ky;
                            for (int kx = 0; kx < k; kx++) {
                                int ox = x + pad - kx;
                                if (oy >= 0 && oy < ho && ox >= 0 && ox < wo) {
                                    acc += dOut.get(((co * ho + oy) * wo + ox) * n + i) * weight.get(((co * cin + ci) * k + ky) * k + kx);
                                }
                            }
                        }
                    }
                    dIn.set((ci * h * w + p) * n + i, acc);
                }
            }
        }
    }

    /**
     * dWeight[co][ci][ky][kx] = Σ_i Σ_oy Σ_ox dOut[co][oy][ox][i] · in[ci][oy+ky-pad][ox+kx-pad][i].
     *
     * <p>Threads: one per weight, cout × (cin·k·k); each sums ho·wo·n products over the whole batch, so
     * the reduction over examples stays inside one thread.
     */
    public static void backwardWeight(FloatArray dOut, FloatArray in, FloatArray dWeight,
            int n, int cin, int h, int w, int cout, int k, int pad) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        for (@Parallel int co = 0; co < cout; co++) {           // output channel
            for (@Parallel int t = 0; t < cin * k * k; t++) {  // tap (ci*k + ky)*k + kx
                int ci = t / (k * k);
                int ky = (t / k) % k;
                int kx = t % k;
                float acc = 0.0f;
                for (int oy = 0; oy < ho; oy++) {
                    int y = oy + ky - pad;
                    for (int ox = 0; ox < wo; ox++) {
                        int x = ox + kx - pad;
                        if (y >= 0 && y < h && x >= 0 && x < w) {
                            int o = ((co * ho + oy) * wo + ox) * n;
                            int a = ((ci * h + y) * w + x) * n;
                            for (int i = 0; i < n; i++) {
                                acc += dOut.get(o + i) * in.get(a + i);
                            }
                        }
                    }
                }
                dWeight.set(co * cin * k * k + t, acc);
            }
        }
    }

    /**
     * dBias[co] = Σ_i Σ_p dOut[co][p][i].
     *
     * <p>Threads: one per output channel, summing (ho·wo)·n values.
     */
    public static void backwardBias(FloatArray dOut, FloatArray dBias, int n, int cout, int hwo) {
        for (@Parallel int co = 0; co < cout; co++) {
            float acc = 0.0f;
            for (int j = 0; j < hwo * n; j++) {
                acc += dOut.get(co * hwo * n + j);
            }
            dBias.set(co, acc);
        }
    }

    /**
     * Stage 1 of the weight and bias gradients, a two-stage sum without atomics: the examples are dealt
     * into {@code slices} interleaved slices (slice s holds examples s, s+slices, s+2·slices, …) and
     * <pre>
     * wPart[s][co][ci][ky][kx] = Σ_{i in slice s} Σ_oy Σ_ox dOut[co][oy][ox][i] · in[ci][oy+ky-pad][ox+kx-pad][i]
     * bPart[s][co]             = Σ_{i in slice s} Σ_oy Σ_ox dOut[co][oy][ox][i]
     * </pre>
     * Stage 2 ({@link Partials#sum}, or {@link Sgd#sumAndUpdate} which also takes the SGD step) adds the
     * slices in order s = 0, 1, …: the gradient is {@link #backwardWeight}'s and {@link #backwardBias}'s.
     *
     * <p>Threads: cout × (cin·k·k + 1) × slices; tap t = cin·k·k is the bias (its "input" is 1). The slice
     * loop is the innermost {@code @Parallel} loop, GPU dimension 0: neighbouring work-items read
     * neighbouring examples of the same pixel, so their loads coalesce. Each work-item sums
     * ho·wo·⌈n/slices⌉ products: the slice count sets the length of the serial chain (2·ho·wo·n/slices
     * loads), where {@link #backwardWeight} runs one chain over the whole batch per weight.
     */
    public static void backwardPartials(FloatArray dOut, FloatArray in, FloatArray wPart, FloatArray bPart,
            int n, int cin, int h, int w, int cout, int k, int pad, int slices) {
        int ho = h + 2 * pad - k + 1;
        int wo = w + 2 * pad - k + 1;
        int taps = cin * k * k;
        for (@Parallel int co = 0; co < cout; co++) {           // output channel
            for (@Parallel int t = 0; t <= taps; t++) {        // tap (ci*k + ky)*k + kx; t == taps: the bias
                for (@Parallel int s = 0; s < slices; s++) {   // slice: examples s, s + slices, ...
                    float acc = 0.0f;
                    if (t < taps) {
                        int ci = t / (k * k);
                        int ky = (t / k) % k;
                        int kx = t % k;
                        for (int oy = 0; oy < ho; oy++) {
                            int y = oy + ky - pad;
                            for (int ox = 0; ox < wo; ox++) {
                                int x = ox + kx - pad;
                                if (y >= 0 && y < h && x >= 0 && x < w) {
                                    int o = ((co * ho + oy) * wo + ox) * n;
                                    int a = ((ci * h + y) * w + x) * n;
                                    for (int i = s; i < n; i += slices) {
                                        acc += dOut.get(o + i) * in.get(a + i);
                                    }
                                }
                            }
                        }
                        wPart.set(s * cout * taps + co * taps + t, acc);
                    } else {
                        for (int p = 0; p < ho * wo; p++) {
                            int o = (co * ho * wo + p) * n;
                            for (int i = s; i < n; i += slices) {
                                acc += dOut.get(o + i);
                            }
                        }
                        bPart.set(s * cout + co, acc);
                    }
                }
            }
        }
    }
}
