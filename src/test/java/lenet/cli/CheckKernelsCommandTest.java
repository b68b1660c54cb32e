package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import lenet.engine.KernelChecks;
import lenet.engine.KernelSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task12;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@code lenet check-kernels} on the JVM: a line per kernel and set; a wrong kernel fails it, named. */
class CheckKernelsCommandTest {
    /** A small odd batch keeps the test short and still runs the twins' vectors and their tails (17 = 16 + 1). */
    private static final String BATCH = "17";

    record Run(int code, String out, String err) {
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void onTheJvmEveryKernelOfBothSetsIsWithinToleranceOneLineEach() {
        Run r = cli("check-kernels", "--engine", "java", "--batch", BATCH);
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("check-kernels: batch 17, engine java (this JVM's threads); kernel sets: plain, cpu", lines.get(0));
        List<String> expected = new ArrayList<>();
        for (KernelChecks.Check c : KernelChecks.ALL) {
            expected.add("plain " + c.id());
            if (c.fromKernelSet()) {
                expected.add("cpu " + c.id());
            }
        }
        List<String> kernelLines = lines.subList(1, lines.size() - 1);
        assertEquals(expected, kernelLines.stream().map(l -> l.split("\\s+")[0] + " " + l.split("\\s+")[1]).toList());
        for (String line : kernelLines) {
            assertTrue(line.matches("\\S+\\s+\\S+\\s+max \\|error\\| \\S+  (tolerance exact|max error/tolerance \\S+ \\(tolerance there \\S+\\))  ok"), line);
        }
        assertEquals("all " + expected.size() + " kernels within tolerance", lines.get(lines.size() - 1));
    }

    /**
     * The CPU set with the fused convolution's pooled output wrong by 1e-3 of its value at a single element
     * (pooled values are means of sigmoids, about ½; their tolerance is a few 1e-7): both convolution rows fail,
     * named, and the other kernels of the set still pass.
     */
    @Test
    void aWrongKernelFailsTheCommandWhichNamesIt() {
        Task12<FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer, Integer, Integer, Integer, Integer> wrong =
                (in, weight, bias, act, pooled, n, cin, h, w, cout, k, pad) -> {
                    KernelSet.CPU.convForwardSigmoidPool().apply(in, weight, bias, act, pooled, n, cin, h, w, cout, k, pad);
                    int j = pooled.getSize() / 3;
                    pooled.set(j, pooled.get(j) * 1.001f);
                };
        KernelSet cpu = KernelSet.CPU;
        KernelSet planted = new KernelSet("planted", cpu.sliced(), cpu.gather(), cpu.sgd(), wrong, cpu.convBackwardInput(), cpu.convBackwardPartials(),
                cpu.linearForward(), cpu.linearForwardSigmoid(), cpu.linearBackwardInput(), cpu.linearBackwardInputSigmoid(),
                cpu.linearBackwardPartials(), cpu.poolBackwardSigmoid(), cpu.convForward(), cpu.convForwardReluMaxPool(),
                cpu.linearForwardRelu(), cpu.linearBackwardInputRelu(), cpu.maxPoolBackwardRelu(), cpu.normForwardSigmoid(),
                cpu.normForwardSigmoidPool(), cpu.normStatsPartials(), cpu.normBackwardPartials(), cpu.normBackwardInput());
        Run r = run(new CommandLine(new CheckKernelsCommand(List.of(KernelSet.PLAIN, planted))), "--engine", "java", "--batch", BATCH);
        assertEquals(Cli.ERROR, r.code(), r.out() + r.err());
        long lines = KernelChecks.ALL.size() + KernelChecks.ALL.stream().filter(KernelChecks.Check::fromKernelSet).count();
        assertEquals("lenet: check-kernels: 2 of " + lines + " kernels failed: planted conv1.forwardSigmoidPool, planted conv2.forwardSigmoidPool\n",
                r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("planted conv1\\.forwardSigmoidPool\\s+max \\|error\\| \\S+  max error/tolerance \\S+ "
                + "\\(tolerance there \\S+\\)  FAILED, out of tolerance: conv1\\.forwardSigmoidPool pooled: .*")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("planted conv2\\.backwardInput\\s+max .* ok")), r.out());
    }

    @Test
    void badOptionsAreOneLineUsageErrors() {
        Run device = cli("check-kernels", "--engine", "java", "--device", "0:0");
        assertEquals(Cli.USAGE, device.code());
        assertEquals("lenet: --device selects a TornadoVM device and does not go with --engine java (see 'lenet check-kernels --help')\n",
                device.err());
        Run batch = cli("check-kernels", "--batch", "0");
        assertEquals(Cli.USAGE, batch.code());
        assertEquals("lenet: --batch must be positive, got 0 (see 'lenet check-kernels --help')\n", batch.err());
        Run engine = cli("check-kernels", "--engine", "gpu");
        assertEquals(Cli.USAGE, engine.code());
        assertTrue(engine.err().startsWith("lenet: --engine must be one of auto, java, tornado, got 'gpu'"), engine.err());
    }

    /** Without TornadoVM, asking for the device is an error, not a JVM run reported as a device run. */
    @Test
    void tornadoWithoutTornadoVmIsAnError() {
        Run r = cli("check-kernels", "--engine", "tornado");
        assertEquals(Cli.ERROR, r.code());
        assertTrue(r.err().startsWith("lenet: --engine tornado needs the TornadoVM runtime"), r.err());
        assertEquals("", r.out());
    }
}
