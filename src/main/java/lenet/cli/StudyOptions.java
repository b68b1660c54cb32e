package lenet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import lenet.engine.EngineKind;
import lenet.engine.Study;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of {@code lenet train} for studying the TornadoVM engine (README: Running under TornadoVM). */
public final class StudyOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--print-kernels", paramLabel = "DIR",
            description = "TornadoVM engine: write the OpenCL C / PTX TornadoVM generates, one file per task (DIR/<graph>.<task>.cl).")
    Path printKernels;

    @Option(names = "--profile",
            description = "TornadoVM engine: print each kernel's device time and share of a training step, and its compile time.")
    boolean profile;

    @Option(names = "--verify-every", paramLabel = "N",
            description = "Every N steps (N >= 1), compare the step's update with the JVM engine's (1 thread, plain kernels) "
                    + "from the same parameters on the same batch; stop beyond 5e-3 of each tensor's largest update.")
    Integer verifyEvery;

    /**
     * Refuses, as a usage error, what cannot go with the engine the run will use: --print-kernels and
     * --profile show what TornadoVM does and need its engine.
     *
     * @param resolved the engine the run uses (java or tornado)
     * @param asked    the engine the command line named (auto, java or tornado)
     */
    void check(EngineKind resolved, EngineKind asked) {
        if (verifyEvery != null && verifyEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--verify-every must be positive, got " + verifyEvery);
        }
        if ((printKernels != null || profile) && resolved == EngineKind.JAVA) {
            throw new ParameterException(spec.commandLine(), (printKernels != null ? "--print-kernels" : "--profile")
                    + " shows what TornadoVM does and needs the TornadoVM engine, but this run uses the JVM engine"
                    + (asked == EngineKind.AUTO ? " (--engine auto: TornadoVM not found; see README, Running under TornadoVM)" : ""));
        }
        if (printKernels != null && Files.exists(printKernels) && !Files.isDirectory(printKernels)) {
            throw new ParameterException(spec.commandLine(), "--print-kernels " + printKernels + " is a file, expected a folder");
        }
    }

    /** The options, validated; reports go to {@code out}. */
    Study study(PrintWriter out) {
        if (verifyEvery != null && verifyEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--verify-every must be positive, got " + verifyEvery);
        }
        if (printKernels != null && Files.exists(printKernels) && !Files.isDirectory(printKernels)) {
            throw new ParameterException(spec.commandLine(), "--print-kernels " + printKernels + " is a file, expected a folder");
        }
        return new Study(printKernels, profile, verifyEvery == null ? 0 : verifyEvery, out);
    }
}
