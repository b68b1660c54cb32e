package lenet.kernels;

/**
 * Host reference for {@link AvgPool2d} (2×2 windows, stride 2) in double precision, as plain loops: EJML
 * has no pooling. Layouts NCHW: input {@code [n][c][h][w]}, output {@code [n][c][h/2][w/2]}.
 */
public final class AvgPool2dReference {
    private AvgPool2dReference() {
    }

    /** The shape of a pooling layer: batch n, c channels of h × w (even) in. */
    public record Shape(String name, int n, int c, int h, int w) {
        public int inSize() {
            return n * c * h * w;
        }

        public int outSize() {
            return n * c * (h / 2) * (w / 2);
        }

        @Override
        public String toString() {
            return String.format("%s n=%d c=%d %dx%d", name, n, c, h, w);
        }
    }

    /** out[i][c][py][px] = ¼ Σ in[i][c][2py+dy][2px+dx], dy, dx ∈ {0, 1}; with ¼ Σ|terms|. */
    public static Tensors.Sums forward(Shape s, double[] in) {
        int ho = s.h() / 2;
        int wo = s.w() / 2;
        double[] out = new double[s.outSize()];
        double[] mag = new double[s.outSize()];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int py = 0; py < ho; py++) {
                    for (int px = 0; px < wo; px++) {
                        double sum = 0;
                        double abs = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                double v = in[((i * s.c() + c) * s.h() + 2 * py + dy) * s.w() + 2 * px + dx];
                                sum += v;
                                abs += Math.abs(v);
                            }
                        }
                        int o = ((i * s.c() + c) * ho + py) * wo + px;
                        out[o] = 0.25 * sum;
                        mag[o] = 0.25 * abs;
                    }
                }
            }
        }
        return new Tensors.Sums(out, mag);
    }

    /** dIn[i][c][y][x] = ¼ dOut[i][c][⌊y/2⌋][⌊x/2⌋]: each input pixel lies in exactly one window. */
    public static double[] backward(Shape s, double[] dOut) {
        int ho = s.h() / 2;
        int wo = s.w() / 2;
        double[] dIn = new double[s.inSize()];
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int y = 0; y < s.h(); y++) {
                    for (int x = 0; x < s.w(); x++) {
                        dIn[((i * s.c() + c) * s.h() + y) * s.w() + x] = 0.25 * dOut[((i * s.c() + c) * ho + y / 2) * wo + x / 2];
                    }
                }
            }
        }
        return dIn;
    }
}
