package lenet.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import lenet.engine.EngineKind;
import lenet.engine.Engines;
import lenet.engine.KernelChecks;
import lenet.engine.KernelSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lenet check-kernels}: every kernel, one by one, against its double-precision host reference
 * ({@link KernelChecks}). On the JVM it checks the plain kernels and the CPU twins; under TornadoVM the
 * plain kernels as the device runs them. One line per kernel; any kernel out of tolerance makes it fail.
 */
@Command(name = "check-kernels", mixinStandardHelpOptions = true,
        description = {"Runs every kernel alone on random inputs at LeNet's shapes and compares it with its host reference "
                + "(double precision, EJML) within the kernel tests' tolerances: one line per kernel with its largest error and "
                + "the tolerance there.",
                "On the JVM it checks the plain kernels and the CPU twins; with --engine tornado (under TornadoVM) each kernel runs "
                + "as a one-task graph on the device. Exits 1 when a kernel fails."})
public final class CheckKernelsCommand implements Callable<Integer> {
    private static final Pattern DEVICE = Pattern.compile("(\\d+):(\\d+)");

    @Spec
    CommandSpec spec;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "java (JVM: the plain kernels and the CPU twins), tornado (the plain kernels on a TornadoVM device), "
                    + "or auto (tornado when running under TornadoVM, else java). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--device", paramLabel = "B:D",
            description = "TornadoVM device: backend B, device D, as 'lenet devices' numbers them (default: TornadoVM's default device).")
    String device;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "256",
            description = "the batch the shapes are taken at (default: ${DEFAULT-VALUE}).")
    int batch;

    /** The kernel sets the JVM checks, in order. */
    private final List<KernelSet> jvmSets;

    public CheckKernelsCommand() {
        this(List.of(KernelSet.PLAIN, KernelSet.CPU));
    }

    /** With other kernel sets for the JVM (a test plants a wrong kernel in one). */
    CheckKernelsCommand(List<KernelSet> jvmSets) {
        this.jvmSets = List.copyOf(jvmSets);
    }

    @Override
    public Integer call() {
        EngineKind asked = EngineKind.of(engine).orElseThrow(
                () -> usage("--engine must be one of " + EngineKind.ids() + ", got '" + engine + "'"));
        if (batch < 1) {
            throw usage("--batch must be positive, got " + batch);
        }
        if (device != null) {
            if (!DEVICE.matcher(device).matches()) {
                throw usage("--device must be BACKEND:DEVICE, e.g. 0:0 (see 'lenet devices'), got '" + device + "'");
            }
            if (asked == EngineKind.JAVA) {
                throw usage("--device selects a TornadoVM device and does not go with --engine java");
            }
        }
        EngineKind resolved = asked.resolve();
        KernelChecks.Runner runner = Engines.kernelCheckRunner(resolved, device);
        boolean jvm = resolved == EngineKind.JAVA;
        List<KernelSet> sets = jvm ? jvmSets : List.of(KernelSet.PLAIN);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("check-kernels: batch %d, %s; kernel sets: %s%n", batch,
                jvm ? "engine java (this JVM's threads)" : "engine tornado on " + Engines.tornadoDeviceName(device),
                String.join(", ", sets.stream().map(KernelSet::name).toList()));
        List<String> failed = new ArrayList<>();
        int checked = 0;
        for (KernelChecks.Check check : KernelChecks.ALL) {
            for (KernelSet k : sets) {
                if (k != sets.get(0) && !check.fromKernelSet()) {
                    continue;   // not one of the set's kernels: the same in every set, checked once
                }
                KernelChecks.Result r = KernelChecks.run(check, k, batch, runner);   // at the set's shape of the gradient sums
                out.println(r.line());
                out.flush();
                checked++;
                if (!r.ok()) {
                    failed.add(r.set() + " " + r.id());
                }
            }
        }
        if (!failed.isEmpty()) {
            spec.commandLine().getErr().println("lenet: check-kernels: " + failed.size() + " of " + checked
                    + " kernels failed: " + String.join(", ", failed));
            return Cli.ERROR;
        }
        out.printf("all %d kernels within tolerance%n", checked);
        return Cli.OK;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
