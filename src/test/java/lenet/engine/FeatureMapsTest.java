package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lenet.model.LeNet;
import lenet.model.Params;

/**
 * The feature maps {@code lenet inspect} draws are the network's, image by image: conv1 and conv2 after the
 * sigmoid and the class probabilities of three different images run as one batch equal d2l's LeNet computed
 * here directly, one image at a time, in double precision (so a map read transposed, from the wrong
 * channel or from another example of the batch-innermost layout fails).
 */
class FeatureMapsTest {
    static java.util.List<KernelSet> kernelSets() {
        return KernelSet.ALL;
    }

    @ParameterizedTest
    @MethodSource("kernelSets")
    void mapsAndProbabilitiesAreEachImagesOwn(KernelSet kernels) {
        int n = 3;
        Params w = Params.xavier(5);
        Random r = new Random(11);
        float[] pixels = new float[n * LeNet.PIXELS];
        for (int j = 0; j < pixels.length; j++) {
            pixels[j] = r.nextFloat();
        }
        FeatureMaps maps = FeatureMaps.of(w, pixels, n, kernels);
        assertEquals(n, maps.count());
        for (int i = 0; i < n; i++) {
            Reference ref = new Reference(w, pixels, i);
            for (int c = 0; c < LeNet.C1; c++) {
                for (int y = 0; y < LeNet.H1; y++) {
                    for (int x = 0; x < LeNet.H1; x++) {
                        assertEquals(ref.a1[c][y][x], maps.conv1(i, c, y, x), 1e-5, "conv1 image " + i + " map " + c + " at y " + y + ", x " + x);
                    }
                }
            }
            for (int c = 0; c < LeNet.C2; c++) {
                for (int y = 0; y < LeNet.H2; y++) {
                    for (int x = 0; x < LeNet.H2; x++) {
                        assertEquals(ref.a2[c][y][x], maps.conv2(i, c, y, x), 1e-5, "conv2 image " + i + " map " + c + " at y " + y + ", x " + x);
                    }
                }
            }
            for (int c = 0; c < LeNet.CLASSES; c++) {
                assertEquals(ref.probs[c], maps.probability(i, c), 1e-5, "image " + i + " class " + c);
            }
        }
    }

    /** d2l's LeNet on image i, loop by loop: conv (pad 2) → sigmoid → avg pool → conv → sigmoid → avg pool → 3 linear layers → softmax. */
    static final class Reference {
        final double[][][] a1 = new double[LeNet.C1][LeNet.H1][LeNet.H1];
        final double[][][] a2 = new double[LeNet.C2][LeNet.H2][LeNet.H2];
        final double[] probs = new double[LeNet.CLASSES];

        Reference(Params w, float[] pixels, int i) {
            int k = LeNet.KERNEL;
            for (int c = 0; c < LeNet.C1; c++) {
                for (int y = 0; y < LeNet.H1; y++) {
                    for (int x = 0; x < LeNet.H1; x++) {
                        double s = w.c1b.get(c);
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = y + ky - LeNet.PAD1;
                                int ix = x + kx - LeNet.PAD1;
                                if (iy >= 0 && iy < LeNet.IMAGE && ix >= 0 && ix < LeNet.IMAGE) {
                                    s += w.c1w.get((c * k + ky) * k + kx) * (double) pixels[i * LeNet.PIXELS + iy * LeNet.IMAGE + ix];
                                }
                            }
                        }
                        a1[c][y][x] = sigmoid(s);
                    }
                }
            }
            double[][][] p1 = pool(a1, LeNet.P1);
            for (int o = 0; o < LeNet.C2; o++) {
                for (int y = 0; y < LeNet.H2; y++) {
                    for (int x = 0; x < LeNet.H2; x++) {
                        double s = w.c2b.get(o);
                        for (int c = 0; c < LeNet.C1; c++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    s += w.c2w.get(((o * LeNet.C1 + c) * k + ky) * k + kx) * p1[c][y + ky][x + kx];
                                }
                            }
                        }
                        a2[o][y][x] = sigmoid(s);
                    }
                }
            }
            double[][][] p2 = pool(a2, LeNet.P2);
            double[] flat = new double[LeNet.FLAT];
            for (int c = 0; c < LeNet.C2; c++) {
                for (int y = 0; y < LeNet.P2; y++) {
                    for (int x = 0; x < LeNet.P2; x++) {
                        flat[(c * LeNet.P2 + y) * LeNet.P2 + x] = p2[c][y][x];
                    }
                }
            }
            double[] h1 = linear(w.f1w, w.f1b, flat, LeNet.F1, true);
            double[] h2 = linear(w.f2w, w.f2b, h1, LeNet.F2, true);
            double[] z = linear(w.f3w, w.f3b, h2, LeNet.CLASSES, false);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < z.length; c++) {
                probs[c] = Math.exp(z[c] - max);
                sum += probs[c];
            }
            for (int c = 0; c < z.length; c++) {
                probs[c] /= sum;
            }
        }

        private static double[][][] pool(double[][][] a, int side) {
            double[][][] p = new double[a.length][side][side];
            for (int c = 0; c < a.length; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        p[c][y][x] = (a[c][2 * y][2 * x] + a[c][2 * y][2 * x + 1] + a[c][2 * y + 1][2 * x] + a[c][2 * y + 1][2 * x + 1]) / 4;
                    }
                }
            }
            return p;
        }

        private static double[] linear(uk.ac.manchester.tornado.api.types.arrays.FloatArray weight,
                uk.ac.manchester.tornado.api.types.arrays.FloatArray bias, double[] in, int out, boolean sigmoid) {
            double[] o = new double[out];
            for (int j = 0; j < out; j++) {
                double s = bias.get(j);
                for (int f = 0; f < in.length; f++) {
                    s += weight.get(j * in.length + f) * in[f];
                }
                o[j] = sigmoid ? sigmoid(s) : s;
            }
            return o;
        }

        private static double sigmoid(double s) {
            return 1 / (1 + Math.exp(-s));
        }
    }
}
