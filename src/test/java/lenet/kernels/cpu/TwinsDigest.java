package lenet.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import lenet.kernels.BatchNorm;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Runs CPU twins whose results could depend on the JIT (the vectorised e^x of the sigmoid, lane sums of the
 * weight and bias gradients, the compare-and-blend of the ReLU and the max pool and its int argmax, batch norm's
 * normalisation and partial sums) on fixed inputs, {@code rounds} times, and writes one line per twin after the
 * last round to a file: the twin and a digest of its output's bits. {@link TwinsAcrossJitTiersTest} runs it interpreted and under C2.
 */
public final class TwinsDigest {
    private TwinsDigest() {
    }

    /** LeNet's conv2 at a batch of 17: one full vector of examples and one masked lane on AVX-512, more on narrower ones. */
    static final int N = 17;

    /** Arguments: the number of rounds, the file to write the digests to. */
    public static void main(String[] args) throws IOException {
        int rounds = Integer.parseInt(args[0]);
        Random r = new Random(5);
        FloatArray x = random(r, 6 * 14 * 14 * N, 4.0f);
        FloatArray w = random(r, 16 * 6 * 25, 0.3f);
        FloatArray b = random(r, 16, 0.3f);
        FloatArray a = new FloatArray(16 * 10 * 10 * N);
        FloatArray s = new FloatArray(16 * 10 * 10 * N);
        FloatArray dOut = random(r, 16 * 10 * 10 * N, 1.0f);
        FloatArray dw = new FloatArray(16 * 6 * 25);
        FloatArray db = new FloatArray(16);
        FloatArray fin = random(r, 400 * N, 1.0f);
        FloatArray fdOut = random(r, 120 * N, 1.0f);
        FloatArray fdw = new FloatArray(120 * 400);
        FloatArray fdb = new FloatArray(120);
        FloatArray ra = new FloatArray(16 * 10 * 10 * N);
        FloatArray rp = new FloatArray(16 * 5 * 5 * N);
        IntArray rarg = new IntArray(16 * 5 * 5 * N);
        FloatArray rdp = random(r, 16 * 5 * 5 * N, 1.0f);
        FloatArray rda = new FloatArray(16 * 10 * 10 * N);
        FloatArray fw = random(r, 120 * 400, 0.1f);
        FloatArray fb = random(r, 120, 0.3f);
        FloatArray fy = new FloatArray(120 * N);
        FloatArray fdIn = new FloatArray(400 * N);
        FloatArray fact = random(r, 400 * N, 1.0f);
        FloatArray bnMean = random(r, 16, 0.5f);
        FloatArray bnVar = random(r, 16, 0.5f);
        for (int j = 0; j < 16; j++) {
            bnVar.set(j, bnVar.get(j) + 1.0f);
        }
        FloatArray bnXhat = new FloatArray(16 * 10 * 10 * N);
        FloatArray bnAct = new FloatArray(16 * 10 * 10 * N);
        FloatArray bnPooled = new FloatArray(16 * 5 * 5 * N);
        FloatArray bnZ = random(r, 16 * 10 * 10 * 32, 2.0f);         // 32 examples in 16 slices of 2: whole vectors of slices
        FloatArray bnPart = new FloatArray(16 * 16 * 3);
        for (int round = 1; round <= rounds; round++) {
            Conv2dCpu.forward(x, w, b, a, N, 6, 14, 14, 16, 5, 0);
            SigmoidCpu.forward(a, s, s.getSize());
            Conv2dCpu.backwardWeight(dOut, x, dw, N, 6, 14, 14, 16, 5, 0);
            Conv2dCpu.backwardBias(dOut, db, N, 16, 100);
            LinearCpu.backwardWeight(fdOut, fin, fdw, N, 400, 120);
            LinearCpu.backwardBias(fdOut, fdb, N, 120);
            Conv2dCpu.forwardReluMaxPool(x, w, b, ra, rp, rarg, N, 6, 14, 14, 16, 5, 0);
            MaxPool2dCpu.backwardRelu(rdp, rarg, ra, rda, N, 16, 10, 10);
            LinearCpu.forwardRelu(fin, fw, fb, fy, N, 400, 120);
            LinearCpu.backwardInputRelu(fdOut, fw, fact, fdIn, N, 400, 120);
            BatchNormCpu.forwardSigmoidPool(a, bnMean, bnVar, b, bnMean, bnXhat, bnAct, bnPooled, N, 16, 10, 10, BatchNorm.EPS);
            BatchNormCpu.statsPartials(bnZ, bnPart, 32, 16, 100, 2, 0);
        }
        List<String> lines = new ArrayList<>();
        lines.add("conv2.forward " + digest(a));
        lines.add("sigmoid.forward " + digest(s));
        lines.add("conv2.backwardWeight " + digest(dw));
        lines.add("conv2.backwardBias " + digest(db));
        lines.add("fc1.backwardWeight " + digest(fdw));
        lines.add("fc1.backwardBias " + digest(fdb));
        lines.add("conv2.forwardReluMaxPool " + digest(ra) + " " + digest(rp) + " " + digest(rarg));
        lines.add("conv2.maxPoolBackwardRelu " + digest(rda));
        lines.add("fc1.forwardRelu " + digest(fy));
        lines.add("fc1.backwardInputRelu " + digest(fdIn));
        lines.add("bn2.forwardSigmoidPool " + digest(bnXhat) + " " + digest(bnAct) + " " + digest(bnPooled));
        lines.add("bn2.statsPartials " + digest(bnPart));
        Files.write(Path.of(args[1]), lines);
    }

    private static FloatArray random(Random r, int size, float scale) {
        FloatArray f = new FloatArray(size);
        for (int j = 0; j < size; j++) {
            f.set(j, scale * (2 * r.nextFloat() - 1));
        }
        return f;
    }

    private static String digest(IntArray a) {
        long h = 1125899906842597L;
        for (int j = 0; j < a.getSize(); j++) {
            h = 31 * h + a.get(j);
        }
        return Long.toHexString(h);
    }

    private static String digest(FloatArray f) {
        long h = 1125899906842597L;
        for (int j = 0; j < f.getSize(); j++) {
            h = 31 * h + Float.floatToRawIntBits(f.get(j));
        }
        return Long.toHexString(h);
    }
}
