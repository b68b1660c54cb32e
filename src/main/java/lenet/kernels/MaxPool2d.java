package lenet.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * 2×2 max pooling, stride 2 (PyTorch's {@code MaxPool2d(kernel_size=2, stride=2)}), h and w even.
 *
 * <p>Shapes: input {@code [c][h][w][n]}, output and argmax {@code [c][h/2][w/2][n]}. The argmax holds, for
 * each output, the window position d = 2·(y % 2) + (x % 2) of the input it took, 0 to 3 in row-major
 * order of the window: (0,0), (0,1), (1,0), (1,1). Ties go to the first maximum in that order, as
 * PyTorch's {@code max_pool2d} (it scans the window with {@code val > max}). The backward pass reads the
 * argmax instead of comparing values again: one work-item per input element gathers the gradient of its
 * window if the argmax points at it, so no two work-items write the same element (the scatter form, one
 * work-item per output writing into its window, would have to zero dIn first and then write once: two
 * launches).
 */
public final class MaxPool2d {
    private MaxPool2d() {
    }

    /**
     * out[ch][py][px][i] = max of the 2×2 window at (2py, 2px), argmax[ch][py][px][i] = its position d
     * (the first of equal maxima). Threads: one per output, c × (h/2·w/2) × n; the batch loop {@code i}
     * is the innermost {@code @Parallel} loop (GPU dimension 0).
     */
    public static void forward(FloatArray in, FloatArray out, IntArray argmax, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < ho * wo; p++) {      // output pixel py*wo + px
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int y = 2 * (p / wo);
                    int x = 2 * (p % wo);
                    int a = ((ch * h + y) * w + x) * n + i;
                    float best = in.get(a);
                    int arg = 0;
                    for (int d = 1; d < 4; d++) {              // window position (d/2, d%2)
                        float v = in.get(a + ((d / 2) * w + d % 2) * n);
                        if (v > best) {
                            best = v;
                            arg = d;
                        }
                    }
                    int o = (ch * ho * wo + p) * n + i;
                    out.set(o, best);
                    argmax.set(o, arg);
                }
            }
        }
    }

    /**
     * dIn[ch][y][x][i] = dOut[ch][y/2][x/2][i] if argmax[ch][y/2][x/2][i] is this pixel's window position
     * 2·(y % 2) + (x % 2), else 0: a gather through the saved argmax. Threads: one per input element,
     * c × (h·w) × n, batch innermost (GPU dimension 0).
     */
    public static void backward(FloatArray dOut, IntArray argmax, FloatArray dIn, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < h * w; p++) {        // input pixel y*w + x
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int y = p / w;
                    int x = p % w;
                    int o = ((ch * ho + y / 2) * wo + x / 2) * n + i;
                    int d = 2 * (y % 2) + x % 2;
                    dIn.set((ch * h * w + p) * n + i, argmax.get(o) == d ? dOut.get(o) : 0.0f);
                }
            }
        }
    }

    /**
     * {@link #backward} times the ReLU's derivative: dIn[ch][y][x][i] = that gradient if act[ch][y][x][i] &gt; 0,
     * else 0, with act the ReLU output this pool read ({@link Relu#backward}'s mask in the epilogue).
     * Threads: one per input element, c × (h·w) × n, batch innermost (GPU dimension 0).
     */
    public static void backwardRelu(FloatArray dOut, IntArray argmax, FloatArray act, FloatArray dIn, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        for (@Parallel int ch = 0; ch < c; ch++) {              // channel
            for (@Parallel int p = 0; p < h * w; p++) {        // input pixel y*w + x
                for (@Parallel int i = 0; i < n; i++) {        // example
                    int y = p / w;
                    int x = p % w;
                    int o = ((ch * ho + y / 2) * wo + x / 2) * n + i;
                    int d = 2 * (y % 2) + x % 2;
                    int a = (ch * h * w + p) * n + i;
                    dIn.set(a, argmax.get(o) == d && act.get(a) > 0.0f ? dOut.get(o) : 0.0f);
                }
            }
        }
    }
}
