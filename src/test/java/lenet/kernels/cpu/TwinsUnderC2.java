package lenet.kernels.cpu;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import lenet.engine.KernelChecks;
import lenet.engine.KernelChecks.Case;
import lenet.engine.KernelChecks.Check;
import lenet.engine.KernelChecks.Expected;
import lenet.engine.KernelSet;
import lenet.kernels.Tensors;
import lenet.kernels.Tensors.Comparison;

/**
 * The program {@link TwinsUnderC2Test} runs in a JVM of its own, with C2 as the only JIT: every kernel of
 * the CPU set ({@link KernelSet#CPU}, the rows of {@link KernelChecks#ALL} that come from the kernel set) at
 * LeNet's shapes, with the gradient sums in the CPU set's one slice, for each size of {@link #SIZES}, {@code rounds} times over, so that the JIT compiles the
 * twins as training does; then the outputs of the last round are compared with the plain kernels' and with
 * the double-precision references.
 *
 * <p>It prints {@link #FINAL_ROUND} before the last round and {@link #END} after it on standard output, where
 * the JIT's log goes, so that the test can tell which code the last round ran; then, on standard error,
 * one line per failing comparison, starting with {@code FAIL}, and a summary; exit status 1 when a
 * comparison failed.
 */
public final class TwinsUnderC2 {
    static final String FINAL_ROUND = "twins-under-c2: final round";
    static final String END = "twins-under-c2: end of final round";
    /** A whole batch, a single example, and shard sizes that leave every kind of vector tail. */
    static final int[] SIZES = {256, 1, 15, 17, 33, 100};

    private TwinsUnderC2() {
    }

    /** A case and the outputs of the plain kernel on it. */
    private record Item(Check check, int n, Case twin, List<float[]> plain) {
    }

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        PrintStream out = System.err;
        KernelChecks.Runner jvm = KernelChecks.jvm();
        List<Item> items = new ArrayList<>();
        for (Check check : KernelChecks.ALL) {
            if (!check.fromKernelSet()) {
                continue;
            }
            for (int n : SIZES) {
                Case c = check.build(n, KernelSet.CPU);   // the CPU set's shape: the gradient sums in one slice
                jvm.run(c, KernelSet.PLAIN);
                items.add(new Item(check, n, c, c.outputs().stream().map(Expected::actual).toList()));
            }
        }
        for (int round = 0; round < rounds; round++) {
            if (round == rounds - 1) {
                mark(FINAL_ROUND);
            }
            for (Item it : items) {
                it.twin().resetOutputs();
                jvm.run(it.twin(), KernelSet.CPU);
            }
        }
        mark(END);
        int failures = 0;
        int comparisons = 0;
        for (Item it : items) {
            for (int o = 0; o < it.twin().outputs().size(); o++) {
                Expected twin = it.twin().outputs().get(o);
                float[] plain = it.plain().get(o);
                String what = "cpu " + it.check().id() + " n=" + it.n() + " " + twin.name();
                int[] shape = {twin.value().length};
                Comparison vsReference = Tensors.compare(what + " vs reference", twin.actual(), twin.value(), twin.tolerance(), shape, "[j]");
                Comparison vsPlain = Tensors.compare(what + " vs plain", twin.actual(), toDouble(plain),
                        plainTolerance(twin), shape, "[j]");
                for (Comparison c : List.of(vsReference, vsPlain)) {
                    comparisons++;
                    if (!c.ok()) {
                        failures++;
                        out.println("FAIL " + c.summary());
                    }
                }
            }
        }
        out.printf("twins-under-c2: %d comparisons, %d failed%n", comparisons, failures);
        out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    /**
     * Twin against plain kernel: twice the reference's tolerance, as both lie within it of the reference
     * (the data of the sums is mostly positive, so that tolerance is tight relative to the result: see
     * {@link KernelChecks#ALL}).
     */
    private static double[] plainTolerance(Expected e) {
        double[] tol = new double[e.value().length];
        for (int j = 0; j < tol.length; j++) {
            tol[j] = 2 * e.tolerance()[j];
        }
        return tol;
    }

    /** A marker line on standard output in one write, so that no line of the JIT's log splits it. */
    private static void mark(String marker) {
        System.out.flush();
        System.out.write((marker + "\n").getBytes(StandardCharsets.UTF_8), 0, marker.length() + 1);
        System.out.flush();
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            d[j] = v[j];
        }
        return d;
    }
}
