package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * 2×2 average pooling, stride 2 (PyTorch's {@code AvgPool2d(kernel_size=2, stride=2)}), h and w even.
 *
 * <p>Shapes: input {@code [c][h][w][n]}, output {@code [c][h/2][w/2][n]}.
 */
public final class AvgPool2d {
    private AvgPool2d() {
    }

    /** out[ch][py][px][i] = ¼ Σ of the 2×2 window at (2py, 2px). Threads: one per output, c × (h/2·w/2) × n. */
    public static void forward(FloatArray in, FloatArray out, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < ho * wo; p++) {      // output pixel py*wo + px
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int y = 2 * (p / wo);
                    int x = 2 * (p % wo);
                    int a = ((ch * h + y) * w + x) * n + i;
                    float s = in.get(a) + in.get(a + n) + in.get(a + w * n) + in.get(a + w * n + n);
                    out.set((ch * ho * wo + p) * n + i, 0.25f * s);
                }
            }
        }
    }

    /**
     * dIn[ch][y][x][i] = ¼ dOut[ch][y/2][x/2][i]: each input lies in exactly one window.
     * Threads: one per input element, c × (h·w) × n.
     */
    public static void backward(FloatArray dOut, FloatArray dIn, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < h * w; p++) {        // input pixel y*w + x
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int py = (p / w) / 2;
                    int px = (p % w) / 2;
                    dIn.set((ch * h * w + p) * n + i, 0.25f * dOut.get(((ch * ho + py) * wo + px) * n + i));
                }
            }
        }
    }

    /**
     * dIn[ch][y][x][i] = ¼ dOut[ch][y/2][x/2][i] · y·(1 − y) with y = act[ch][y][x][i], the sigmoid output
     * this pool read: {@link #backward} with the sigmoid's derivative ({@link Sigmoid#backward}) in its
     * epilogue. Threads: one per input element, c × (h·w) × n, batch innermost.
     */
    public static void backwardSigmoid(FloatArray dOut, FloatArray act, FloatArray dIn, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < h * w; p++) {        // input pixel y*w + x
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int py = (p / w) / 2;
                    int px = (p % w) / 2;
                    int a = (ch * h * w + p) * n + i;
                    float s = act.get(a);
                    dIn.set(a, 0.25f * dOut.get(((ch * ho + py) * wo + px) * n + i) * s * (1.0f - s));
                }
            }
        }
    }
}
