package lenet.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import lenet.data.DataException;
import lenet.data.IoErrors;
import lenet.engine.EngineException;
import lenet.train.CheckpointException;
import lenet.train.DivergedException;
import lenet.train.ResumeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code lenet} command line and its subcommands. Exit codes (README, Errors and exit codes):
 *
 * <ul>
 * <li>{@value #OK}: success;
 * <li>{@value #ERROR}: an error in the data, a checkpoint, a download, a file that cannot be written, an
 *     engine (one line {@code lenet: message});
 * <li>{@value #USAGE}: a usage error: a bad option or command, an option out of its range, options that do
 *     not go together, an output that would replace a file, a run folder in use (one line);
 * <li>130 ({@link TrainCommand#INTERRUPTED}) and 143: training stopped by SIGINT (Ctrl-C) or SIGTERM after
 *     saving its checkpoint (128 + the signal's number, as the shell counts; the JVM exits so).
 * </ul>
 */
@Command(name = "lenet", mixinStandardHelpOptions = true, version = "lenet 1.0.0",
        description = "LeNet-5 on Fashion-MNIST, every layer a Java kernel that runs on JVM threads or, under TornadoVM, on a GPU.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, InspectCommand.class, ShapesCommand.class, DevicesCommand.class,
                CheckKernelsCommand.class,
                FetchDataCommand.class})
public final class Cli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        return run(args, new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    /** Runs the command line with the given output and error writers; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Cli())
                .registerConverter(Path.class, Cli::path)
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Cli::usageError)
                .setExecutionExceptionHandler(Cli::runtimeError);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("lenet: out of memory (" + IoErrors.reason(e) + "): try a smaller --batch-size or --threads, "
                    + "or give the JVM more: -Xmx for the heap, -XX:MaxDirectMemorySize for the data and activations"
                    + " (scripts/lenet: in $LENET_JAVA_OPTS)");
            return ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: train, eval, predict, inspect, shapes, devices, check-kernels or fetch-data");
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("lenet: " + oneLine(e.getMessage()) + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        return USAGE;
    }

    /**
     * {@code --threads} of eval and predict: no more than the machine's cores, with a note when the command
     * line asked for more.
     */
    static int threads(CommandSpec spec, int threads) {
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1 or more (more than the cores are capped), got " + threads);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads <= cores) {
            return threads;
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--threads")) {
            spec.commandLine().getErr().println("lenet: note: --threads " + threads + ": using " + cores + ", the cores this machine has");
        }
        return cores;
    }

    /** A path option: not empty, and a path the operating system can take (no NUL character). */
    static Path path(String value) {
        if (value.isEmpty()) {
            throw new CommandLine.TypeConversionException("an empty path, expected a file or folder name");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + value.replace("\0", "\\0") + "' is not a path (" + e.getReason() + ")");
        }
    }

    private static int runtimeError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof ResumeException || e instanceof RunFolder.UsageError) {
            return usageError(new ParameterException(cl, e.getMessage()), parsed.originalArgs().toArray(String[]::new));
        }
        if (e instanceof DataException || e instanceof UncheckedIOException || e instanceof EngineException
                || e instanceof DivergedException || e instanceof CheckpointException) {
            cl.getErr().println("lenet: " + oneLine(e.getMessage()));
        } else {
            // Not a bad input but a fault in lenet: the whole trace, for a report.
            e.printStackTrace(cl.getErr());
        }
        return ERROR;
    }

    /** The first line of a message, without the Java class names exceptions put in front of their causes. */
    static String oneLine(String message) {
        String m = message == null ? "failed" : message;
        return IoErrors.clean(m.lines().findFirst().orElse(m));
    }
}
