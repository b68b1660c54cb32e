package lenet.kernels;

/**
 * Host reference for {@link MaxPool2d} (2×2 windows, stride 2) in double precision, as plain loops: EJML has
 * no pooling. Layouts NCHW: input {@code [n][c][h][w]}, output and argmax {@code [n][c][h/2][w/2]}. The
 * backward pass is written the other way round from the kernel's: it scatters each output's gradient onto
 * the input its argmax names (adding, so it needs no zeroing pass of its own), where the kernel gathers.
 */
public final class MaxPool2dReference {
    private MaxPool2dReference() {
    }

    /** The pooled values and the window position (0 to 3, row-major in the window) of each maximum. */
    public record Forward(double[] out, int[] argmax) {
    }

    /** out[i][c][py][px] = max of in[i][c][2py+dy][2px+dx], dy, dx ∈ {0, 1}; argmax = 2·dy + dx of the first maximum. */
    public static Forward forward(AvgPool2dReference.Shape s, double[] in) {
        int ho = s.h() / 2;
        int wo = s.w() / 2;
        double[] out = new double[s.outSize()];
        int[] argmax = new int[s.outSize()];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int py = 0; py < ho; py++) {
                    for (int px = 0; px < wo; px++) {
                        double best = Double.NEGATIVE_INFINITY;
                        int arg = -1;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                double v = in[((i * s.c() + c) * s.h() + 2 * py + dy) * s.w() + 2 * px + dx];
                                if (arg < 0 || v > best) {
                                    best = v;
                                    arg = 2 * dy + dx;
                                }
                            }
                        }
                        int o = ((i * s.c() + c) * ho + py) * wo + px;
                        out[o] = best;
                        argmax[o] = arg;
                    }
                }
            }
        }
        return new Forward(out, argmax);
    }

    /** dIn[i][c][2py+dy][2px+dx] += dOut[i][c][py][px] for 2·dy + dx = argmax[i][c][py][px]; 0 elsewhere. */
    public static double[] backward(AvgPool2dReference.Shape s, int[] argmax, double[] dOut) {
        int ho = s.h() / 2;
        int wo = s.w() / 2;
        double[] dIn = new double[s.inSize()];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int py = 0; py < ho; py++) {
                    for (int px = 0; px < wo; px++) {
                        int o = ((i * s.c() + c) * ho + py) * wo + px;
                        int d = argmax[o];
                        dIn[((i * s.c() + c) * s.h() + 2 * py + d / 2) * s.w() + 2 * px + d % 2] += dOut[o];
                    }
                }
            }
        }
        return dIn;
    }

    /**
     * Per output, how far (in window positions) a kernel's argmax may lie from {@code argmax}, the reference's,
     * when the kernel's inputs are only known to lie in [lo, hi] (per input, NCHW): 0 wherever only the
     * reference's position can be the kernel's first maximum, else the largest |d − argmax| over the positions d
     * that can. Position d can be the first maximum when it can exceed every earlier position (hi_d &gt; lo_e for
     * e &lt; d) and reach every later one (hi_d ≥ lo_e for e &gt; d). Inputs known exactly (lo = hi) give 0 everywhere,
     * ties included; so do several inputs that a ReLU sets to exactly 0.
     */
    public static double[] argmaxTolerance(AvgPool2dReference.Shape s, double[] lo, double[] hi, int[] argmax) {
        int ho = s.h() / 2;
        int wo = s.w() / 2;
        double[] tol = new double[s.outSize()];
        double[] l = new double[4];
        double[] u = new double[4];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int py = 0; py < ho; py++) {
                    for (int px = 0; px < wo; px++) {
                        for (int d = 0; d < 4; d++) {
                            int a = ((i * s.c() + c) * s.h() + 2 * py + d / 2) * s.w() + 2 * px + d % 2;
                            l[d] = lo[a];
                            u[d] = hi[a];
                        }
                        int o = ((i * s.c() + c) * ho + py) * wo + px;
                        for (int d = 0; d < 4; d++) {
                            boolean possible = true;
                            for (int e = 0; e < 4; e++) {
                                possible &= e == d || (e < d ? u[d] > l[e] : u[d] >= l[e]);
                            }
                            if (possible) {
                                tol[o] = Math.max(tol[o], Math.abs(d - argmax[o]));
                            }
                        }
                    }
                }
            }
        }
        return tol;
    }
}
