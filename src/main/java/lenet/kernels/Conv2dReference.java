package lenet.kernels;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.mult.MatrixMatrixMult_DDRM;

/**
 * Host reference for {@link Conv2d} in double precision: convolution as im2col and a matrix product (EJML).
 *
 * <p>Layouts: activations and their gradients NCHW, {@code [n][c][h][w]}; weight OIHW
 * {@code [cout][cin][k][k]}, i.e. a {@code cout × (cin·k·k)} matrix W; bias {@code [cout]}. The column
 * matrix of an input has one row per tap (ci, ky, kx), {@code cin·k·k} rows, and one column per output
 * position (i, oy, ox), {@code n·ho·wo} columns, holding the input pixel that tap reads (0 in the padding).
 * Then
 * <ul>
 * <li>forward: out = W · cols + bias (a {@code cout × n·ho·wo} matrix);</li>
 * <li>backward input: dIn = col2im(Wᵀ · dOut), col2im adding each column entry back onto the pixel it was read from;</li>
 * <li>backward weight: dW = dOut · colsᵀ;</li>
 * <li>backward bias: dBias = row sums of dOut,</li>
 * </ul>
 * with dOut as that {@code cout × n·ho·wo} matrix. Each result also carries Σ|terms| (the same products on
 * absolute values) for the error bound of the kernel's float sums.
 *
 * <p>The products call EJML's {@code MatrixMatrixMult_DDRM} directly rather than {@code CommonOps_DDRM.mult}:
 * those have the same binary signature in EJML 0.38, the version the TornadoVM SDK carries and that takes
 * the place of lenet's under TornadoVM, while {@code CommonOps_DDRM}'s changed their return type since.
 */
public final class Conv2dReference {
    private Conv2dReference() {
    }

    /** The shape of a convolution: batch n, cin × h × w in, cout × ho × wo out, k × k kernel, zero padding pad. */
    public record Shape(String name, int n, int cin, int h, int w, int cout, int k, int pad) {
        public int ho() {
            return h + 2 * pad - k + 1;
        }

        public int wo() {
            return w + 2 * pad - k + 1;
        }

        public int taps() {
            return cin * k * k;
        }

        public int inSize() {
            return n * cin * h * w;
        }

        public int outSize() {
            return n * cout * ho() * wo();
        }

        public int weightSize() {
            return cout * taps();
        }

        @Override
        public String toString() {
            return String.format("%s n=%d cin=%d %dx%d cout=%d k=%d pad=%d", name, n, cin, h, w, cout, k, pad);
        }
    }

    /** Forward: input NCHW, weight OIHW, bias [cout] → output NCHW {@code [n][cout][ho][wo]}. */
    public static Tensors.Sums forward(Shape s, double[] in, double[] weight, double[] bias) {
        DMatrixRMaj w = DMatrixRMaj.wrap(s.cout(), s.taps(), weight);
        DMatrixRMaj cols = im2col(s, in);
        DMatrixRMaj out = new DMatrixRMaj(s.cout(), cols.numCols);
        MatrixMatrixMult_DDRM.mult_reorder(w, cols, out);
        DMatrixRMaj mag = new DMatrixRMaj(s.cout(), cols.numCols);
        MatrixMatrixMult_DDRM.mult_reorder(Tensors.abs(w), Tensors.abs(cols), mag);
        for (int co = 0; co < s.cout(); co++) {
            for (int j = 0; j < cols.numCols; j++) {
                out.add(co, j, bias[co]);
                mag.add(co, j, Math.abs(bias[co]));
            }
        }
        return new Tensors.Sums(fromChannelMatrix(s.n(), s.cout(), s.ho() * s.wo(), out),
                fromChannelMatrix(s.n(), s.cout(), s.ho() * s.wo(), mag));
    }

    /** Backward to the input: dOut NCHW {@code [n][cout][ho][wo]}, weight OIHW → dIn NCHW {@code [n][cin][h][w]}. */
    public static Tensors.Sums backwardInput(Shape s, double[] dOut, double[] weight) {
        DMatrixRMaj w = DMatrixRMaj.wrap(s.cout(), s.taps(), weight);
        DMatrixRMaj d = toChannelMatrix(s.n(), s.cout(), s.ho() * s.wo(), dOut);
        DMatrixRMaj cols = new DMatrixRMaj(s.taps(), d.numCols);
        MatrixMatrixMult_DDRM.multTransA_reorder(w, d, cols);
        DMatrixRMaj mag = new DMatrixRMaj(s.taps(), d.numCols);
        MatrixMatrixMult_DDRM.multTransA_reorder(Tensors.abs(w), Tensors.abs(d), mag);
        return new Tensors.Sums(col2im(s, cols), col2im(s, mag));
    }

    /** Backward to the weight: dOut NCHW, input NCHW → dWeight OIHW {@code [cout][cin][k][k]}. */
    public static Tensors.Sums backwardWeight(Shape s, double[] dOut, double[] in) {
        DMatrixRMaj d = toChannelMatrix(s.n(), s.cout(), s.ho() * s.wo(), dOut);
        DMatrixRMaj cols = im2col(s, in);
        DMatrixRMaj dw = new DMatrixRMaj(s.cout(), s.taps());
        MatrixMatrixMult_DDRM.multTransB(d, cols, dw);
        DMatrixRMaj mag = new DMatrixRMaj(s.cout(), s.taps());
        MatrixMatrixMult_DDRM.multTransB(Tensors.abs(d), Tensors.abs(cols), mag);
        return new Tensors.Sums(dw.data, mag.data);
    }

    /** Backward to the bias: dOut NCHW → dBias {@code [cout]}. */
    public static Tensors.Sums backwardBias(Shape s, double[] dOut) {
        DMatrixRMaj d = toChannelMatrix(s.n(), s.cout(), s.ho() * s.wo(), dOut);
        DMatrixRMaj sums = CommonOps_DDRM.sumRows(d, null);
        DMatrixRMaj mag = CommonOps_DDRM.sumRows(Tensors.abs(d), null);
        return new Tensors.Sums(sums.data, mag.data);
    }

    /** Input NCHW → the {@code (cin·k·k) × (n·ho·wo)} column matrix. */
    public static DMatrixRMaj im2col(Shape s, double[] in) {
        int ho = s.ho();
        int wo = s.wo();
        int k = s.k();
        DMatrixRMaj cols = new DMatrixRMaj(s.taps(), s.n() * ho * wo);
        for (int ci = 0; ci < s.cin(); ci++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = (ci * k + ky) * k + kx;
                    for (int i = 0; i < s.n(); i++) {
                        for (int oy = 0; oy < ho; oy++) {
                            int y = oy + ky - s.pad();
                            for (int ox = 0; ox < wo; ox++) {
                                int x = ox + kx - s.pad();
                                if (y >= 0 && y < s.h() && x >= 0 && x < s.w()) {
                                    cols.set(row, (i * ho + oy) * wo + ox, in[((i * s.cin() + ci) * s.h() + y) * s.w() + x]);
                                }
                            }
                        }
                    }
                }
            }
        }
        return cols;
    }

    /** The adjoint of {@link #im2col}: adds each column entry onto the input pixel it reads; → NCHW. */
    public static double[] col2im(Shape s, DMatrixRMaj cols) {
        int ho = s.ho();
        int wo = s.wo();
        int k = s.k();
        double[] in = new double[s.inSize()];
        for (int ci = 0; ci < s.cin(); ci++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = (ci * k + ky) * k + kx;
                    for (int i = 0; i < s.n(); i++) {
                        for (int oy = 0; oy < ho; oy++) {
                            int y = oy + ky - s.pad();
                            for (int ox = 0; ox < wo; ox++) {
                                int x = ox + kx - s.pad();
                                if (y >= 0 && y < s.h() && x >= 0 && x < s.w()) {
                                    in[((i * s.cin() + ci) * s.h() + y) * s.w() + x] += cols.get(row, (i * ho + oy) * wo + ox);
                                }
                            }
                        }
                    }
                }
            }
        }
        return in;
    }

    /** NCHW {@code [n][c][hw]} → the {@code c × (n·hw)} matrix, column (i, pixel). */
    public static DMatrixRMaj toChannelMatrix(int n, int c, int hw, double[] nchw) {
        DMatrixRMaj m = new DMatrixRMaj(c, n * hw);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    m.set(ch, i * hw + p, nchw[(i * c + ch) * hw + p]);
                }
            }
        }
        return m;
    }

    /** The inverse of {@link #toChannelMatrix}. */
    public static double[] fromChannelMatrix(int n, int c, int hw, DMatrixRMaj m) {
        double[] nchw = new double[n * c * hw];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    nchw[(i * c + ch) * hw + p] = m.get(ch, i * hw + p);
                }
            }
        }
        return nchw;
    }
}
