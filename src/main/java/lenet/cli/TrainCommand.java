package lenet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;
import lenet.data.Dataset;
import lenet.engine.Engine;
import lenet.engine.EngineData;
import lenet.engine.Engines;
import lenet.engine.KernelSet;
import lenet.engine.TornadoRuntimeInfo;
import lenet.model.LeNet;
import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.CheckpointException;
import lenet.train.ConsoleReport;
import lenet.train.RunMetrics;
import lenet.train.TrainConfig;
import lenet.train.TrainListener;
import lenet.train.TrainState;
import lenet.train.Trainer;
import lenet.data.FashionMnist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lenet train}: loads Fashion-MNIST and trains LeNet-5 on it. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains LeNet-5 on Fashion-MNIST (SGD, cross-entropy) and reports loss and accuracy per epoch.")
public final class TrainCommand implements Callable<Integer> {
    public static final List<String> ENGINES = List.of("auto", "java", "tornado");
    private static final Pattern DEVICE = Pattern.compile("(\\d{1,4}):(\\d{1,4})");

    @Spec
    CommandSpec spec;

    /** --out, --plot, --save, --resume and the like: where the run's files go. */
    @Mixin
    OutputOptions output;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four Fashion-MNIST IDX files (default: $LENET_DATA, "
                    + "/usr/share/datasets/fashion-mnist, ~/.cache/lenet/fashion-mnist).")
    Path data;

    @Mixin
    DownloadOptions download = new DownloadOptions();

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.9", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed for weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kernels", paramLabel = "SET", defaultValue = "cpu",
            description = "JVM engine kernels: cpu (Vector API twins of the heavy kernels) or plain (the TornadoVM kernel "
                    + "source, run as plain Java loops) (default: ${DEFAULT-VALUE}). TornadoVM always runs the plain kernels.")
    String kernels;

    @Option(names = "--threads", paramLabel = "N", description = "JVM engine threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples.")
    Integer testLimit;

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Also write the metrics to FILE as JSON.")
    Path metricsJson;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "java, tornado, or auto: tornado when TornadoVM is running, else java (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--device", paramLabel = "B:D",
            description = "TornadoVM device: backend B, device D, as 'lenet devices' numbers them (default: TornadoVM's default device).")
    String device;

    @Mixin
    StudyOptions study = new StudyOptions();

    @Override
    public Integer call() {
        TrainOptions options = options();
        Checkpoint resume = output.resume == null ? null : Checkpoint.read(output.resume);
        if (resume != null) {
            options = resumed(options, resume);
        }
        RunFolder.Paths paths = output.resolve(spec, resume == null ? null : output.resume.toAbsolutePath().getParent());
        Path dir = download.locate(options.data(), spec.commandLine().getErr());
        Dataset train = FashionMnist.train(dir).limit(options.trainLimit());
        Dataset test = FashionMnist.test(dir).limit(options.testLimit());
        return runTraining(options, paths, resume, train, test);
    }

    /** Trains and reports; returns the exit code. */
    int runTraining(TrainOptions options, Dataset train, Dataset test) {
        return runTraining(options, output.resolve(spec, null), null, train, test);
    }

    /**
     * Trains and reports, into the run folder {@code paths}, from the start or from {@code resume};
     * returns the exit code ({@link #INTERRUPTED} when a signal stopped the run and its checkpoint was saved).
     */
    int runTraining(TrainOptions options, RunFolder.Paths paths, Checkpoint resume, Dataset train, Dataset test) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrainConfig config = new TrainConfig(options.epochs(), options.batchSize(), options.lr(), options.seed());
        Checkpoint.Data fingerprint = Checkpoint.Data.of(train.pixels(), train.labels(), train.count(), test.count());
        if (resume != null && (resume.data().trainExamples() != fingerprint.trainExamples()
                || resume.data().trainCrc32() != fingerprint.trainCrc32())) {
            throw new CheckpointException(output.resume, String.format(Locale.ROOT,
                    "trained on other data (%,d training examples, CRC-32 %08x) than this run has (%,d, %08x); "
                            + "resume with the same --data and --train-limit", resume.data().trainExamples(),
                    resume.data().trainCrc32(), fingerprint.trainExamples(), fingerprint.trainCrc32()));
        }
        EngineData data = EngineData.of(train.pixels(), train.labels(), train.count(), test.pixels(), test.labels(), test.count());
        Engines.Choice choice = new Engines.Choice(options.engine(), options.device() == null ? null : options.device().toString(),
                options.threads(), kernelSet());
        long start = System.nanoTime();
        try (Engine engine = Engines.start(choice, study.study(out), data, Params.xavier(options.seed()), options.lr(), options.batchSize())) {
            out.printf(Locale.ROOT, "LeNet-5, %,d parameters; %s; %s%n", LeNet.parameterCount(), train, test);
            out.printf(Locale.ROOT, "engine %s on %s%s; batch %d, lr %s, epochs %d, seed %d%n", engine.name(), engine.device(),
                    options.engine().equals("auto") ? " (auto: " + (TornadoRuntimeInfo.isPresent() ? "TornadoVM present" : "TornadoVM not found") + ")" : "",
                    config.batchSize(), config.lr(), config.epochs(), config.seed());

            // A resumed run starts from the checkpoint's parameters and position (before its first step).
            TrainState from = resume != null ? resume.state() : TrainState.start();
            if (resume != null) {
                engine.setParams(resume.params());
            }
            int threads = engine.name().equals("java") ? options.threads() : 0;
            String kernels = engine.name().equals("java") ? choice.kernels().name() : KernelSet.PLAIN.name();
            Checkpoint.Config saved = new Checkpoint.Config(config.epochs(), config.batchSize(), config.lr(), config.seed(),
                    engine.name(), engine.device(), threads, kernels);
            RunFolder folder = new RunFolder(paths, options.metricsJson(), err,
                    state -> new Checkpoint(saved, fingerprint, state, engine.params()));
            folder.create();
            out.println("run folder: " + paths.out());
            if (resume != null) {
                out.printf(Locale.ROOT, "resuming %s: %s%n", output.resume, position(from, config, train.count()));
            }
            TrainListener describe = new TrainListener() {
                @Override
                public void started(RunMetrics m, TrainState state) {
                    m.threads = threads;
                    m.kernels = kernels;
                }
            };
            ConsoleReport console = new ConsoleReport(out, output.bar(), columns());
            try (StopSignal stop = StopSignal.install()) {
                Trainer trainer = new Trainer(config, engine, train.count(), test.count(),
                        TrainListener.of(describe, console, folder, stop), from);
                RunMetrics metrics = trainer.run();
                metrics.wallSeconds = (System.nanoTime() - start) / 1e9;
                folder.complete(metrics, trainer.state());
                if (trainer.stopped()) {
                    err.printf(Locale.ROOT, "lenet: interrupted at %s; saved %s (continue with: lenet train --resume %s)%n",
                            position(trainer.state(), config, train.count()), paths.save(), paths.save());
                    err.flush();
                    return INTERRUPTED;
                }
                out.println("run folder: " + paths.out() + " (" + String.join(", ", folder.contents()) + ")");
                if (options.metricsJson() != null) {
                    out.println("metrics: " + options.metricsJson());
                }
                out.flush();
            }
        }
        return 0;
    }

    /** Exit code of a run stopped by a signal (as the JVM exits after SIGINT: 128 + 2). */
    public static final int INTERRUPTED = 130;

    /** "epoch 3/10, batch 12/235" (the next step to take), or "the end of epoch 10/10". */
    static String position(TrainState s, TrainConfig config, int trainCount) {
        int batches = (trainCount + config.batchSize() - 1) / config.batchSize();
        if (s.next() == 0 && s.epoch() > 1) {
            return String.format(Locale.ROOT, "the end of epoch %d/%d", s.epoch() - 1, config.epochs());
        }
        return String.format(Locale.ROOT, "epoch %d/%d, batch %d/%d", s.epoch(), config.epochs(),
                s.next() / config.batchSize() + 1, batches);
    }

    /** The terminal's width when the shell exports it ($COLUMNS), else 80. */
    private static int columns() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 80 : Integer.parseInt(c.trim());
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /**
     * The options of a resumed run: the checkpoint's settings, where the command line does not name
     * them; naming a different batch size, learning rate or seed is a usage error (that would be
     * another run). {@code --epochs} may extend or shorten the run, down to the epochs already done.
     */
    TrainOptions resumed(TrainOptions o, Checkpoint c) {
        Checkpoint.Config k = c.config();
        var parsed = spec.commandLine().getParseResult();
        same(parsed.hasMatchedOption("--batch-size"), "--batch-size", o.batchSize(), k.batchSize());
        same(parsed.hasMatchedOption("--lr"), "--lr", o.lr(), k.lr());
        same(parsed.hasMatchedOption("--seed"), "--seed", o.seed(), k.seed());
        int epochs = parsed.hasMatchedOption("--epochs") ? o.epochs() : k.epochs();
        if (c.state().complete(epochs)) {
            int done = c.state().epochsDone();
            throw usage("--resume " + output.resume + ": that run has done " + done + (done == 1 ? " epoch" : " epochs")
                    + "; give --epochs N with N > " + done + " to train on");
        }
        int threads = parsed.hasMatchedOption("--threads") || k.threads() < 1 ? o.threads() : k.threads();
        int trainLimit = parsed.hasMatchedOption("--train-limit") ? o.trainLimit() : c.data().trainExamples();
        int testLimit = parsed.hasMatchedOption("--test-limit") ? o.testLimit() : c.data().testExamples();
        return new TrainOptions(o.data(), epochs, k.batchSize(), k.lr(), k.seed(), threads, trainLimit, testLimit,
                o.metricsJson(), o.engine(), o.device());
    }

    private void same(boolean given, String option, Object value, Object saved) {
        if (given && !value.equals(saved)) {
            throw usage(option + " " + value + " differs from the checkpoint's " + saved
                    + " (--resume continues a run with its settings)");
        }
    }

    /** The options, validated: a bad one fails with a one-line usage error. */
    TrainOptions options() {
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        positive("--threads", threads);
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw usage("--lr must be a positive number, got " + lr);
        }
        if (trainLimit != null) {
            positive("--train-limit", trainLimit);
        }
        if (testLimit != null) {
            positive("--test-limit", testLimit);
        }
        if (!ENGINES.contains(engine)) {
            throw usage("--engine must be one of " + String.join(", ", ENGINES) + ", got '" + engine + "'");
        }
        TrainOptions.Device dev = null;
        if (device != null) {
            Matcher m = DEVICE.matcher(device);
            if (!m.matches()) {
                throw usage("--device must be BACKEND:DEVICE, e.g. 0:0 (see 'lenet devices'), got '" + device + "'");
            }
            if (engine.equals("java")) {
                throw usage("--device selects a TornadoVM device and does not go with --engine java");
            }
            dev = new TrainOptions.Device(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        if (metricsJson != null) {
            Path parent = metricsJson.toAbsolutePath().getParent();
            if (Files.isDirectory(metricsJson)) {
                throw usage("--metrics-json " + metricsJson + " is a folder, expected a file name");
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw usage("--metrics-json " + metricsJson + ": folder " + parent + " does not exist");
            }
        }
        return new TrainOptions(data, epochs, batchSize, lr, seed, threads,
                trainLimit == null ? Integer.MAX_VALUE : trainLimit,
                testLimit == null ? Integer.MAX_VALUE : testLimit,
                metricsJson, engine, dev);
    }

    /** The {@code --kernels} set; only the JVM engine can run the CPU twins. */
    private KernelSet kernelSet() {
        if (!KernelSet.ALL.stream().anyMatch(k -> k.name().equals(kernels))) {
            throw usage("--kernels must be cpu or plain, got '" + kernels + "'");
        }
        boolean explicit = spec.commandLine().getParseResult().hasMatchedOption("--kernels");
        if (explicit && kernels.equals("cpu") && Engines.resolve(engine).equals("tornado")) {
            throw usage("--kernels cpu runs on the JVM engine only: TornadoVM compiles the plain kernels");
        }
        return KernelSet.named(kernels);
    }

    private void positive(String option, int value) {
        if (value < 1) {
            throw usage(option + " must be positive, got " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
