package lenet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import lenet.data.Dataset;
import lenet.data.FashionMnist;
import lenet.data.IoErrors;
import lenet.engine.Inference;
import lenet.engine.KernelSet;
import lenet.report.ConfusionMatrix;
import lenet.train.AtomicFile;
import lenet.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lenet eval CHECKPOINT}: a saved model's accuracy on the Fashion-MNIST test set, per class, and its confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Tests a saved model on the Fashion-MNIST test set (JVM engine): accuracy, accuracy per class, confusion matrix.")
public final class EvalCommand implements Callable<Integer> {
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String CONFUSION_CSV = "confusion.csv";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by 'lenet train' (e.g. runs/<time>/model.ckpt).")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with the Fashion-MNIST files (default: as 'lenet train').")
    Path data;

    @Mixin
    DownloadOptions download = new DownloadOptions();

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples (N >= 1).")
    Integer testLimit;

    @Option(names = "--threads", paramLabel = "N", description = "Threads, 1 or more; more than the cores are capped, with a note (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--out", paramLabel = "DIR", description = "Also write the confusion matrix there: "
            + CONFUSION_PNG + " (a heat map) and " + CONFUSION_CSV + ".")
    Path out;

    @Override
    public Integer call() {
        if (testLimit != null && testLimit < 1) {
            throw new ParameterException(spec.commandLine(), "--test-limit must be positive, got " + testLimit);
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a file, expected a folder");
        }
        PrintWriter o = spec.commandLine().getOut();
        int threads = Cli.threads(spec, this.threads);
        Checkpoint c = Checkpoint.read(checkpoint);
        Dataset test = FashionMnist.test(download.locate(data, spec.commandLine().getErr())).limit(testLimit == null ? Integer.MAX_VALUE : testLimit);
        if (out != null) {
            // Before anything is printed: a folder that cannot be made or written fails the command at once.
            try {
                Files.createDirectories(out);
                Files.delete(Files.createTempFile(out, ".lenet-probe-", ".tmp"));
            } catch (IOException e) {
                throw new UncheckedIOException("--out " + out + ": cannot " + (Files.isDirectory(out) ? "write into" : "create")
                        + " the folder (" + IoErrors.folderReason(out, e) + ")", e);
            }
        }
        Inference.Result r = Inference.run(c.params(), test.pixels(), test.count(), threads, KernelSet.CPU);
        ConfusionMatrix m = new ConfusionMatrix(FashionMnist.CLASS_NAMES);
        for (int i = 0; i < test.count(); i++) {
            m.add(test.labels()[i], r.predicted()[i]);
        }
        o.println("model: " + checkpoint + " (" + describe(c) + ")");
        o.printf(Locale.ROOT, "test accuracy %.4f (%,d of %,d)%n%n", m.accuracy(), m.correct(), m.total());
        o.print(m.toText());
        if (out != null) {
            byte[] csv = m.toCsv().getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(out.resolve(CONFUSION_CSV), "confusion matrix", s -> s.write(csv));
            m.writePng(out.resolve(CONFUSION_PNG), String.format(Locale.ROOT,
                    "Fashion-MNIST test set: accuracy %.3f (%,d examples)", m.accuracy(), m.total()));
            o.println();
            o.println("wrote " + out.resolve(CONFUSION_PNG) + ", " + out.resolve(CONFUSION_CSV));
        }
        o.flush();
        return 0;
    }

    /** "10 epochs of 10, batch 256, lr 0.9, seed 42, java engine", or where an interrupted run stopped. */
    static String describe(Checkpoint c) {
        Checkpoint.Config k = c.config();
        String done = c.state().next() == 0
                ? String.format(Locale.ROOT, "%d epoch%s of %d", c.state().epochsDone(), c.state().epochsDone() == 1 ? "" : "s", k.epochs())
                : String.format(Locale.ROOT, "stopped in epoch %d of %d at example %,d", c.state().epoch(), k.epochs(), c.state().next());
        return String.format(Locale.ROOT, "%s, batch %d, lr %s, seed %d, %s engine", done, k.batchSize(), k.lr(), k.seed(), k.engine());
    }
}
