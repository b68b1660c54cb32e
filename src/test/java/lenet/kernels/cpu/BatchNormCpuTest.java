package lenet.kernels.cpu;

import static lenet.kernels.cpu.TwinCheck.nan;
import static lenet.kernels.cpu.TwinCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import lenet.kernels.BatchNorm;
import lenet.model.LeNet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@link BatchNormCpu} against {@link BatchNorm} on random data. The partial sums and the input gradient add
 * and multiply the same floats in the same order as the plain kernels, so they must be equal bit for bit; so
 * must xhat. act and the pooled values go through the vector e^x and may differ by a few ulps.
 *
 * <p>The shapes are lenet-bn's four batch norms at batches that take each path of the twins: a batch below one
 * vector (1, 3), one full vector and a masked lane (17), slice counts that are a multiple of the vector width
 * (conv1 at 128 and 256: 64 and 128 slices) and ones that are not (conv1 at 200: 100 slices, the linear
 * layers' 4 to 8), and slice counts that fill whole vectors while the batch ends in a partial one (conv2 at
 * 121: 16 slices). Each shard writes its slices after {@code firstSlice} others, as the JVM engine's second
 * shard does.
 */
class BatchNormCpuTest {
    record Shape(String name, int n, int c, int h, int w, int sliceSize, int firstSlice) {
        int hw() {
            return h * w;
        }

        int size() {
            return c * h * w * n;
        }

        int slices() {
            return BatchNorm.slices(n, sliceSize);
        }
    }

    /** σ(x) ∈ (0, 1) through the vector e^x: a few float32 ulps of 1 (1.2e-7 each), as {@code SigmoidCpuTest}. */
    private static final float SIGMOID_TOLERANCE = 1e-6f;

    static Stream<Shape> shapes() {
        Stream.Builder<Shape> b = Stream.builder();
        for (int n : new int[] {1, 3, 17, 121, 128, 200, 256}) {
            for (int first : new int[] {0, 3}) {
                b.add(new Shape("bn1", n, LeNet.C1, LeNet.H1, LeNet.H1, BatchNorm.CONV1_SLICE, first));
                b.add(new Shape("bn2", n, LeNet.C2, LeNet.H2, LeNet.H2, BatchNorm.CONV2_SLICE, first));
                b.add(new Shape("bn3", n, LeNet.F1, 1, 1, BatchNorm.LINEAR_SLICE, first));
                b.add(new Shape("bn4", n, LeNet.F2, 1, 1, BatchNorm.LINEAR_SLICE, first));
            }
        }
        return b.build();
    }

    /** Values around a channel-dependent offset, so that a mean or a deviation taken from the wrong slice or channel shows. */
    private static FloatArray activations(Random r, Shape s) {
        FloatArray z = random(r, s.size());
        for (int j = 0; j < s.size(); j++) {
            int ch = j / (s.hw() * s.n);
            z.set(j, 3.0f * z.get(j) + 0.5f * ch - 1.0f);
        }
        return z;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void statsPartialsEqualPlainKernelBitForBit(Shape s) {
        FloatArray z = activations(new Random(1), s);
        int size = (s.firstSlice + s.slices() + 2) * s.c * 3;      // room before and after this shard's slices
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        BatchNorm.statsPartials(z, plain, s.n, s.c, s.hw(), s.sliceSize, s.firstSlice);
        BatchNormCpu.statsPartials(z, twin, s.n, s.c, s.hw(), s.sliceSize, s.firstSlice);
        assertArrayEquals(plain.toHeapArray(), twin.toHeapArray(), s.toString());
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardPartialsEqualPlainKernelBitForBit(Shape s) {
        Random r = new Random(2);
        FloatArray dy = activations(r, s);
        FloatArray xhat = random(r, s.size());
        int size = (s.firstSlice + s.slices() + 2) * s.c * 2;
        FloatArray plain = nan(size);
        FloatArray twin = nan(size);
        BatchNorm.backwardPartials(dy, xhat, plain, s.n, s.c, s.hw(), s.sliceSize, s.firstSlice);
        BatchNormCpu.backwardPartials(dy, xhat, twin, s.n, s.c, s.hw(), s.sliceSize, s.firstSlice);
        assertArrayEquals(plain.toHeapArray(), twin.toHeapArray(), s.toString());
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardInputEqualsPlainKernelBitForBit(Shape s) {
        Random r = new Random(3);
        FloatArray dy = random(r, s.size());
        FloatArray xhat = random(r, s.size());
        FloatArray var = positive(r, s.c);
        FloatArray gamma = random(r, s.c);
        FloatArray dGamma = random(r, s.c);
        FloatArray dBeta = random(r, s.c);
        int count = 2 * s.n * s.hw();                                // a shard of a batch twice its size
        FloatArray plain = nan(s.size());
        FloatArray twin = nan(s.size());
        BatchNorm.backwardInput(dy, xhat, var, gamma, dGamma, dBeta, plain, s.n, s.c, s.hw(), count, BatchNorm.EPS);
        BatchNormCpu.backwardInput(dy, xhat, var, gamma, dGamma, dBeta, twin, s.n, s.c, s.hw(), count, BatchNorm.EPS);
        assertArrayEquals(plain.toHeapArray(), twin.toHeapArray(), s.toString());
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardSigmoidMatchesPlainKernel(Shape s) {
        Random r = new Random(4);
        FloatArray z = activations(r, s);
        FloatArray mean = random(r, s.c);
        FloatArray var = positive(r, s.c);
        FloatArray gamma = random(r, s.c);
        FloatArray beta = random(r, s.c);
        FloatArray plainXhat = nan(s.size());
        FloatArray plainAct = nan(s.size());
        FloatArray twinXhat = nan(s.size());
        FloatArray twinAct = nan(s.size());
        BatchNorm.forwardSigmoid(z, mean, var, gamma, beta, plainXhat, plainAct, s.n, s.c, s.hw(), BatchNorm.EPS);
        BatchNormCpu.forwardSigmoid(z, mean, var, gamma, beta, twinXhat, twinAct, s.n, s.c, s.hw(), BatchNorm.EPS);
        assertArrayEquals(plainXhat.toHeapArray(), twinXhat.toHeapArray(), "xhat " + s);
        assertClose("act " + s, plainAct, twinAct);
        if (s.h > 1) {
            FloatArray pooled = nan(s.size() / 4);
            FloatArray twinPooled = nan(s.size() / 4);
            plainXhat.init(Float.NaN);
            plainAct.init(Float.NaN);
            twinXhat.init(Float.NaN);
            twinAct.init(Float.NaN);
            BatchNorm.forwardSigmoidPool(z, mean, var, gamma, beta, plainXhat, plainAct, pooled, s.n, s.c, s.h, s.w, BatchNorm.EPS);
            BatchNormCpu.forwardSigmoidPool(z, mean, var, gamma, beta, twinXhat, twinAct, twinPooled, s.n, s.c, s.h, s.w, BatchNorm.EPS);
            assertArrayEquals(plainXhat.toHeapArray(), twinXhat.toHeapArray(), "pool xhat " + s);
            assertClose("pool act " + s, plainAct, twinAct);
            assertClose("pooled " + s, pooled, twinPooled);
        }
    }

    /** Values in [0.5, 1.5): variances. */
    private static FloatArray positive(Random r, int size) {
        FloatArray a = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            a.set(j, 0.5f + r.nextFloat());
        }
        return a;
    }

    private static void assertClose(String what, FloatArray plain, FloatArray twin) {
        for (int j = 0; j < plain.getSize(); j++) {
            float err = Math.abs(plain.get(j) - twin.get(j));
            if (!(err <= SIGMOID_TOLERANCE)) {
                fail(what + ": element " + j + ": plain " + plain.get(j) + ", twin " + twin.get(j) + ", tolerance " + SIGMOID_TOLERANCE);
            }
        }
    }
}
