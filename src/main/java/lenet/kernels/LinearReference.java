package lenet.kernels;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.mult.MatrixMatrixMult_DDRM;

/**
 * Host reference for {@link Linear} in double precision, as EJML matrix products.
 *
 * <p>Layouts: activations and their gradients {@code [n][features]} (one row per example, PyTorch's layout),
 * weight {@code [fout][fin]}, bias {@code [fout]}. With X the {@code n × fin} input and W the {@code fout × fin}
 * weight:
 * <ul>
 * <li>forward: Y = X·Wᵀ + 1·biasᵀ;</li>
 * <li>backward input: dX = dY·W;</li>
 * <li>backward weight: dW = dYᵀ·X;</li>
 * <li>backward bias: dBias = column sums of dY.</li>
 * </ul>
 * Each result also carries Σ|terms| (the same products on absolute values) for the error bound.
 *
 * <p>The products call EJML's {@code MatrixMatrixMult_DDRM} directly rather than {@code CommonOps_DDRM.mult}:
 * those have the same binary signature in EJML 0.38, the version the TornadoVM SDK carries and that takes
 * the place of lenet's under TornadoVM, while {@code CommonOps_DDRM}'s changed their return type since.
 */
public final class LinearReference {
    private LinearReference() {
    }

    /** The shape of a linear layer: batch n, fin features in, fout out. */
    public record Shape(String name, int n, int fin, int fout) {
        @Override
        public String toString() {
            return String.format("%s n=%d %d->%d", name, n, fin, fout);
        }
    }

    /** Forward: input {@code [n][fin]}, weight {@code [fout][fin]}, bias {@code [fout]} → output {@code [n][fout]}. */
    public static Tensors.Sums forward(Shape s, double[] in, double[] weight, double[] bias) {
        DMatrixRMaj x = DMatrixRMaj.wrap(s.n(), s.fin(), in);
        DMatrixRMaj w = DMatrixRMaj.wrap(s.fout(), s.fin(), weight);
        DMatrixRMaj y = new DMatrixRMaj(s.n(), s.fout());
        MatrixMatrixMult_DDRM.multTransB(x, w, y);
        DMatrixRMaj mag = new DMatrixRMaj(s.n(), s.fout());
        MatrixMatrixMult_DDRM.multTransB(Tensors.abs(x), Tensors.abs(w), mag);
        for (int i = 0; i < s.n(); i++) {
            for (int j = 0; j < s.fout(); j++) {
                y.add(i, j, bias[j]);
                mag.add(i, j, Math.abs(bias[j]));
            }
        }
        return new Tensors.Sums(y.data, mag.data);
    }

    /** Backward to the input: dOut {@code [n][fout]}, weight {@code [fout][fin]} → dIn {@code [n][fin]}. */
    public static Tensors.Sums backwardInput(Shape s, double[] dOut, double[] weight) {
        DMatrixRMaj dy = DMatrixRMaj.wrap(s.n(), s.fout(), dOut);
        DMatrixRMaj w = DMatrixRMaj.wrap(s.fout(), s.fin(), weight);
        DMatrixRMaj dx = new DMatrixRMaj(s.n(), s.fin());
        MatrixMatrixMult_DDRM.mult_reorder(dy, w, dx);
        DMatrixRMaj mag = new DMatrixRMaj(s.n(), s.fin());
        MatrixMatrixMult_DDRM.mult_reorder(Tensors.abs(dy), Tensors.abs(w), mag);
        return new Tensors.Sums(dx.data, mag.data);
    }

    /** Backward to the weight: dOut {@code [n][fout]}, input {@code [n][fin]} → dWeight {@code [fout][fin]}. */
    public static Tensors.Sums backwardWeight(Shape s, double[] dOut, double[] in) {
        DMatrixRMaj dy = DMatrixRMaj.wrap(s.n(), s.fout(), dOut);
        DMatrixRMaj x = DMatrixRMaj.wrap(s.n(), s.fin(), in);
        DMatrixRMaj dw = new DMatrixRMaj(s.fout(), s.fin());
        MatrixMatrixMult_DDRM.multTransA_reorder(dy, x, dw);
        DMatrixRMaj mag = new DMatrixRMaj(s.fout(), s.fin());
        MatrixMatrixMult_DDRM.multTransA_reorder(Tensors.abs(dy), Tensors.abs(x), mag);
        return new Tensors.Sums(dw.data, mag.data);
    }

    /** Backward to the bias: dOut {@code [n][fout]} → dBias {@code [fout]}. */
    public static Tensors.Sums backwardBias(Shape s, double[] dOut) {
        DMatrixRMaj dy = DMatrixRMaj.wrap(s.n(), s.fout(), dOut);
        return new Tensors.Sums(CommonOps_DDRM.sumCols(dy, null).data,
                CommonOps_DDRM.sumCols(Tensors.abs(dy), null).data);
    }
}
