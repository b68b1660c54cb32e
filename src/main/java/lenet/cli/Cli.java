package lenet.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import lenet.data.DataException;
import lenet.engine.EngineException;
import lenet.train.CheckpointException;
import lenet.train.DivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code lenet} command line and its subcommands. Exit codes: 0 ok, 1 runtime error (one line
 * {@code lenet: message}), 2 usage error, 130 training interrupted (Ctrl-C) after saving a checkpoint.
 */
@Command(name = "lenet", mixinStandardHelpOptions = true, version = "lenet 1.0.0",
        description = "LeNet-5 on Fashion-MNIST, every layer a Java kernel that runs on JVM threads or, under TornadoVM, on a GPU.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ShapesCommand.class, DevicesCommand.class,
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
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Cli::usageError)
                .setExecutionExceptionHandler(Cli::runtimeError);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: train, eval, predict, shapes, devices, check-kernels or fetch-data");
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("lenet: " + e.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        return USAGE;
    }

    private static int runtimeError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        if (e instanceof DataException || e instanceof UncheckedIOException || e instanceof EngineException
                || e instanceof DivergedException || e instanceof CheckpointException) {
            cl.getErr().println("lenet: " + e.getMessage());
        } else {
            e.printStackTrace(cl.getErr());
        }
        return ERROR;
    }
}
