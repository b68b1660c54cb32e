package lenet.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import lenet.model.LeNet;
import lenet.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lenet shapes}: each layer's output shape for one 1×1×28×28 input, as d2l prints them. */
@Command(name = "shapes", mixinStandardHelpOptions = true,
        description = "Prints each layer's output shape for one 1×1×28×28 input, and the parameter count.")
public final class ShapesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet",
            description = "lenet, lenet-bn or lenet-relu (default: ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() {
        Model m;
        try {
            m = Model.named(model);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--model must be " + Model.choices() + ", got '" + model + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        for (LeNet.Layer layer : m.layers()) {
            out.printf("%-12s output shape: %s%n", layer.name(), shape(layer.shape()));
        }
        out.println();
        out.printf(Locale.ROOT, "parameters: %,d%n", m.trainedCount());
        if (m.parameterCount() > m.trainedCount()) {
            out.printf(Locale.ROOT, "running statistics: %,d (batch norms' mean and variance, not trained)%n",
                    m.parameterCount() - m.trainedCount());
        }
        return Cli.OK;
    }

    /** "1×C×H×W" (batch of one first). */
    static String shape(int[] dims) {
        return "1×" + Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("×"));
    }
}
