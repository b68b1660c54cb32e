package lenet.kernels;

import static lenet.kernels.Tensors.device;
import static lenet.kernels.Tensors.host;
import static lenet.kernels.Tensors.nanFilled;
import static lenet.kernels.Tensors.toBatchInnermost;
import static lenet.kernels.Tensors.toBatchOutermost;
import static lenet.kernels.Tensors.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import lenet.kernels.AvgPool2dReference.Shape;
import lenet.model.LeNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link MaxPool2d}'s kernels against {@link MaxPool2dReference} on seeded random data, with and without ties,
 * and against PyTorch's {@code max_pool2d} on a tensor full of ties ({@code maxpool_torch.txt}, written by
 * {@code benchmarks/maxpool_ties.py}). Tolerance: none; the kernels only compare and copy.
 */
class MaxPool2dTest {

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("one window", 1, 1, 2, 2),
                new Shape("conv1 pooling, batch 1", 1, LeNet.C1, LeNet.H1, LeNet.H1),
                new Shape("non-square", 3, 2, 6, 4),
                new Shape("odd batch", 37, 3, 6, 8),
                new Shape("conv1 pooling", 256, LeNet.C1, LeNet.H1, LeNet.H1),
                new Shape("conv2 pooling", 256, LeNet.C2, LeNet.H2, LeNet.H2));
    }

    private static int in(Shape s) {
        return s.inSize() / s.n();
    }

    private static int out(Shape s) {
        return s.outSize() / s.n();
    }

    /** Runs {@link MaxPool2d#forward} on a batch-outermost input; checks it left the input alone; returns {pooled, argmax} batch-outermost. */
    private static Object[] forward(Shape s, float[] x) {
        float[] xChwn = toBatchInnermost(x, s.n(), in(s));
        FloatArray input = device(xChwn);
        FloatArray pooled = nanFilled(s.outSize());
        IntArray argmax = new IntArray(s.outSize());
        argmax.init(-1);
        MaxPool2d.forward(input, pooled, argmax, s.n(), s.c(), s.h(), s.w());
        Tensors.assertUnchanged("input", xChwn, input);
        return new Object[] {toBatchOutermost(host(pooled), s.n(), out(s)), outermost(argmax.toHeapArray(), s.n(), out(s))};
    }

    private static void assertForward(String what, Shape s, float[] x) {
        Object[] k = forward(s, x);
        MaxPool2dReference.Forward ref = MaxPool2dReference.forward(s, toDouble(x));
        Tensors.assertClose(what + " out " + s, (float[]) k[0], ref.out(), new double[ref.out().length],
                new int[] {s.n(), s.c(), s.h() / 2, s.w() / 2}, "[i,c,py,px]");
        assertArrayEquals(ref.argmax(), (int[]) k[1], what + " argmax " + s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forward(Shape s) {
        assertForward("MaxPool2d.forward", s, Tensors.uniform(Tensors.random(s.toString()), s.inSize(), -1, 1));
    }

    /**
     * Inputs from 5 values, so that windows tie for their maximum, often at a later position too: the
     * argmax must be the first. The test counts the windows whose maximum appears twice, so it cannot pass
     * on data without ties.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forwardResolvesTiesToTheFirstMaximum(Shape s) {
        SplittableRandom r = Tensors.random("ties " + s);
        float[] x = new float[s.inSize()];
        for (int j = 0; j < x.length; j++) {
            x[j] = 0.5f * r.nextInt(5) - 1.0f;
        }
        if (s.outSize() > 1) {
            assertTrue(tiedWindows(s, x) >= s.outSize() / 10, "too few ties: " + tiedWindows(s, x) + " of " + s.outSize());
        } else {
            x = new float[] {0.5f, 1.0f, -1.0f, 1.0f};      // the one window: its maximum at positions 1 and 3
        }
        assertForward("MaxPool2d.forward with ties", s, x);
    }

    /** Windows whose largest value appears more than once. */
    private static int tiedWindows(Shape s, float[] x) {
        MaxPool2dReference.Forward ref = MaxPool2dReference.forward(s, toDouble(x));
        int ties = 0;
        for (int i = 0; i < s.n(); i++) {
            for (int c = 0; c < s.c(); c++) {
                for (int py = 0; py < s.h() / 2; py++) {
                    for (int px = 0; px < s.w() / 2; px++) {
                        double max = ref.out()[((i * s.c() + c) * (s.h() / 2) + py) * (s.w() / 2) + px];
                        int equal = 0;
                        for (int d = 0; d < 4; d++) {
                            equal += x[((i * s.c() + c) * s.h() + 2 * py + d / 2) * s.w() + 2 * px + d % 2] == max ? 1 : 0;
                        }
                        ties += equal > 1 ? 1 : 0;
                    }
                }
            }
        }
        return ties;
    }

    /** A gather through a random argmax against the reference's scatter: exact. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backward(Shape s) {
        SplittableRandom r = Tensors.random(s.toString());
        float[] dy = Tensors.uniform(r, s.outSize(), -1, 1);
        int[] argmax = Tensors.uniformInts(r, s.outSize(), 4);
        float[] dyChwn = toBatchInnermost(dy, s.n(), out(s));
        FloatArray dOut = device(dyChwn);
        FloatArray dIn = nanFilled(s.inSize());

        MaxPool2d.backward(dOut, IntArray.fromArray(toBatchInnermost(argmax, s.n(), out(s))), dIn, s.n(), s.c(), s.h(), s.w());

        Tensors.assertUnchanged("dOut", dyChwn, dOut);
        double[] ref = MaxPool2dReference.backward(s, argmax, toDouble(dy));
        Tensors.assertClose("MaxPool2d.backward " + s, toBatchOutermost(host(dIn), s.n(), in(s)), ref, new double[ref.length],
                new int[] {s.n(), s.c(), s.h(), s.w()}, "[i,c,y,x]");
    }

    /** The gather masked by the ReLU output the pool read (half of it 0): {@link ReluReference#backward} of the scatter, exact. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void backwardRelu(Shape s) {
        SplittableRandom r = Tensors.random("relu " + s);
        float[] dy = Tensors.uniform(r, s.outSize(), -1, 1);
        int[] argmax = Tensors.uniformInts(r, s.outSize(), 4);
        float[] act = Tensors.uniform(r, s.inSize(), -1, 1);
        for (int j = 0; j < act.length; j++) {
            act[j] = Math.max(act[j], 0.0f);
        }
        FloatArray dIn = nanFilled(s.inSize());

        MaxPool2d.backwardRelu(device(toBatchInnermost(dy, s.n(), out(s))), IntArray.fromArray(toBatchInnermost(argmax, s.n(), out(s))),
                device(toBatchInnermost(act, s.n(), in(s))), dIn, s.n(), s.c(), s.h(), s.w());

        double[] ref = ReluReference.backward(toDouble(act), MaxPool2dReference.backward(s, argmax, toDouble(dy)));
        Tensors.assertClose("MaxPool2d.backwardRelu " + s, toBatchOutermost(host(dIn), s.n(), in(s)), ref, new double[ref.length],
                new int[] {s.n(), s.c(), s.h(), s.w()}, "[i,c,y,x]");
    }

    // ---- against PyTorch ----

    private static Map<String, float[]> torch;
    private static Shape torchShape;

    @BeforeAll
    static void readPyTorchFixture() throws IOException {
        torch = new HashMap<>();
        try (InputStream s = MaxPool2dTest.class.getResourceAsStream("maxpool_torch.txt")) {
            for (String line : new String(s.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" : ");
                String[] head = parts[0].split(" ");
                String[] values = parts[1].split(" ");
                float[] v = new float[values.length];
                for (int j = 0; j < v.length; j++) {
                    v[j] = Float.parseFloat(values[j]);
                }
                torch.put(head[0], v);
                if (head[0].equals("in")) {
                    torchShape = new Shape("PyTorch fixture", Integer.parseInt(head[1]), Integer.parseInt(head[2]),
                            Integer.parseInt(head[3]), Integer.parseInt(head[4]));
                }
            }
        }
    }

    /** PyTorch's flat index y·w + x of each maximum → the window position 2·(y % 2) + (x % 2), checking it lies in its window. */
    private static int[] windowPositions(Shape s, float[] indices) {
        int wo = s.w() / 2;
        int ho = s.h() / 2;
        int[] d = new int[indices.length];
        for (int o = 0; o < d.length; o++) {
            int y = (int) indices[o] / s.w();
            int x = (int) indices[o] % s.w();
            assertEquals((o / wo) % ho, y / 2, "PyTorch's index " + indices[o] + " of output " + o + " outside its window");
            assertEquals(o % wo, x / 2, "PyTorch's index " + indices[o] + " of output " + o + " outside its window");
            d[o] = 2 * (y % 2) + x % 2;
        }
        return d;
    }

    /**
     * Pooled values, argmax and input gradient equal PyTorch's on an input of values from {−1, −½, 0, ½, 1}
     * (many windows tie for their maximum), directly and through a ReLU (whose zeros tie).
     */
    @Test
    void matchesPyTorchWithTies() {
        Shape s = torchShape;
        int[] expected = windowPositions(s, torch.get("indices"));
        assertTrue(tiedWindows(s, torch.get("in")) >= 5, "the fixture has too few ties");
        Object[] k = forward(s, torch.get("in"));
        assertArrayEquals(torch.get("out"), (float[]) k[0], "pooled vs PyTorch");
        assertArrayEquals(expected, (int[]) k[1], "argmax vs PyTorch's indices");

        IntArray argmax = IntArray.fromArray(toBatchInnermost((int[]) k[1], s.n(), out(s)));
        FloatArray dOut = device(toBatchInnermost(torch.get("dOut"), s.n(), out(s)));
        FloatArray dIn = nanFilled(s.inSize());
        MaxPool2d.backward(dOut, argmax, dIn, s.n(), s.c(), s.h(), s.w());
        assertArrayEquals(torch.get("dIn"), toBatchOutermost(host(dIn), s.n(), in(s)), "dIn vs PyTorch");
    }

    @Test
    void matchesPyTorchThroughAReluWithTies() {
        Shape s = torchShape;
        float[] act = torch.get("in").clone();
        for (int j = 0; j < act.length; j++) {
            act[j] = Relu.of(act[j]);
        }
        Object[] k = forward(s, act);
        assertArrayEquals(torch.get("reluOut"), (float[]) k[0], "pooled vs PyTorch");
        assertArrayEquals(windowPositions(s, torch.get("reluIndices")), (int[]) k[1], "argmax vs PyTorch's indices");

        FloatArray dIn = nanFilled(s.inSize());
        MaxPool2d.backwardRelu(device(toBatchInnermost(torch.get("dOut"), s.n(), out(s))),
                IntArray.fromArray(toBatchInnermost((int[]) k[1], s.n(), out(s))), device(toBatchInnermost(act, s.n(), in(s))),
                dIn, s.n(), s.c(), s.h(), s.w());
        assertArrayEquals(torch.get("reluDIn"), toBatchOutermost(host(dIn), s.n(), in(s)), "dIn through the ReLU vs PyTorch");
    }

    /** Batch-innermost {@code [features][n]} ints → {@code [n][features]}. */
    static int[] outermost(int[] inner, int n, int features) {
        int[] t = new int[inner.length];
        for (int f = 0; f < features; f++) {
            for (int i = 0; i < n; i++) {
                t[i * features + f] = inner[f * n + i];
            }
        }
        return t;
    }
}
