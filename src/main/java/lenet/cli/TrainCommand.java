package lenet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;
import lenet.data.Dataset;
import lenet.engine.Engine;
import lenet.engine.EngineData;
import lenet.engine.EngineKind;
import lenet.engine.Engines;
import lenet.engine.KernelSet;
import lenet.engine.TornadoRuntimeInfo;
import lenet.model.Model;
import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.ConsoleReport;
import lenet.train.Resume;
import lenet.train.ResumeException;
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

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs, 1..10000 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Mini-batch size, 1..4096 (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "lenet",
            description = "The network: lenet (d2l's LeNet-5), lenet-bn (batch norm before each sigmoid, d2l 8.5) or lenet-relu "
                    + "(ReLU and max-pooling) (default: ${DEFAULT-VALUE}); 'lenet shapes --model NAME' prints its layers.")
    String model;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "SGD learning rate, a positive float32 from 1.2e-38 to 3.4e38 (default: the model's, lenet 0.9, lenet-bn 1.0, "
                    + "lenet-relu 0.3).")
    Float lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed for weights and shuffling, any 64-bit integer (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kernels", paramLabel = "SET", defaultValue = "cpu",
            description = "JVM engine kernels: cpu (Vector API twins of the heavy kernels) or plain (the TornadoVM kernel "
                    + "source, run as plain Java loops) (default: ${DEFAULT-VALUE}). TornadoVM always runs the plain kernels.")
    String kernels;

    @Option(names = "--threads", paramLabel = "N", description = "JVM engine threads, 1 or more; more than the cores or the batch size are capped, with a note (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training examples (N >= 1).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples (N >= 1).")
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
        Checkpoint resume = null;
        if (output.resume != null) {
            resume = Checkpoint.read(output.resume);
            options = resumed(options, resume);
        }
        RunFolder.Paths paths = output.resolve(spec, resume == null ? null : output.resume.toAbsolutePath().getParent(),
                options.metricsJson());
        Path dir = download.locate(options.data(), spec.commandLine().getErr());
        Dataset train = FashionMnist.train(dir).limit(options.trainLimit());
        Dataset test = FashionMnist.test(dir).limit(options.testLimit());
        return runTraining(options, paths, resume, train, test);
    }

    /** Trains and reports; returns the exit code. */
    int runTraining(TrainOptions options, Dataset train, Dataset test) {
        return runTraining(options, output.resolve(spec, null, options.metricsJson()), null, train, test);
    }

    /**
     * Trains and reports, into the run folder {@code paths}, from the start or from {@code resume};
     * returns the exit code ({@link #INTERRUPTED} when a signal stopped the run and its checkpoint was saved).
     */
    int runTraining(TrainOptions options, RunFolder.Paths paths, Checkpoint resume, Dataset train, Dataset test) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrainConfig config = new TrainConfig(options.epochs(), options.batchSize(), options.lr(), options.seed());
        Checkpoint.Data fingerprint = Checkpoint.Data.of(train.pixels(), train.labels(), train.count(),
                test.pixels(), test.labels(), test.count());
        if (resume != null) {
            Resume.checkData(output.resume, resume, fingerprint);
        }
        KernelSet kernelSet = kernelSet();
        EngineData data = EngineData.of(train, test);
        long start = System.nanoTime();
        // The folder is readied (created, locked, checked for writing and room) before the engine starts.
        try (RunFolder folder = new RunFolder(paths, options.metricsJson(), err)) {
            try {
                folder.open(resume != null && OutputOptions.sameFile(paths.out(), output.resume.toAbsolutePath().getParent()),
                        config.epochs());
            } catch (RunFolder.UsageError e) {
                throw usage(e.getMessage());
            }
            int threads = threads(options, config, err);
            Engines.Choice choice = new Engines.Choice(options.engine(), options.device() == null ? null : options.device().toString(),
                    threads, kernelSet);
            try (Engine engine = Engines.start(choice, study.study(out), data, Params.xavier(options.model(), options.seed()), options.lr(),
                    options.batchSize())) {
                out.printf(Locale.ROOT, "%s, %,d parameters; %s; %s%n", options.model().title(), options.model().trainedCount(), train, test);
                out.printf(Locale.ROOT, "engine %s on %s%s; batch %d, lr %s, epochs %d, seed %d%n", engine.kind(), engine.device(),
                        options.engine() == EngineKind.AUTO ? " (auto: " + (TornadoRuntimeInfo.isPresent() ? "TornadoVM present" : "TornadoVM not found") + ")" : "",
                        config.batchSize(), config.lr(), config.epochs(), config.seed());

                // A resumed run starts from the checkpoint's parameters and position (before its first step).
                TrainState from = resume != null ? resume.state() : TrainState.start();
                if (resume != null) {
                    engine.setParams(resume.params());
                }
                boolean jvm = engine.kind() == EngineKind.JAVA;
                int engineThreads = jvm ? threads : 0;
                String kernels = jvm ? choice.kernels().name() : KernelSet.PLAIN.name();
                Checkpoint.Config saved = new Checkpoint.Config(config.epochs(), config.batchSize(), config.lr(), config.seed(),
                        engine.kind().id(), engine.device(), engineThreads, kernels);
                folder.checkpoints(state -> new Checkpoint(saved, fingerprint, state, engine.params()));
                out.println("run folder: " + paths.out());
                if (resume != null) {
                    out.printf(Locale.ROOT, "resuming %s: %s%n", output.resume, position(from, config, train.count()));
                }
                TrainListener describe = new TrainListener() {
                    @Override
                    public void started(RunMetrics m, TrainState state) {
                        m.threads = engineThreads;
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
                        // Unlock the folder before the stop signal lets a SIGTERM/SIGINT exit go on: the JVM
                        // does not wait for this thread once the shutdown hook returns.
                        folder.close();
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
        }
        return 0;
    }

    /**
     * The JVM engine's thread count: no more than the machine's cores, nor than the examples of a batch
     * (a thread works on a shard of the batch); a note says so when the command line (or the resumed
     * checkpoint) asked for more.
     */
    int threads(TrainOptions options, TrainConfig config, PrintWriter err) {
        int cores = Runtime.getRuntime().availableProcessors();
        int usable = Math.min(cores, config.batchSize());
        if (options.threads() <= usable) {
            return options.threads();
        }
        boolean asked = spec.commandLine().getParseResult().hasMatchedOption("--threads") || output.resume != null;
        if (asked && options.engine().resolve() == EngineKind.JAVA) {
            err.printf(Locale.ROOT, "lenet: note: --threads %d: using %d, %s%n", options.threads(), usable,
                    usable == cores ? "the cores this machine has" : "the examples of a batch (--batch-size " + config.batchSize() + ")");
        }
        return usable;
    }

    /** Exit code of a run stopped by SIGINT (Ctrl-C) after saving its checkpoint: 128 + 2, as the shell counts. */
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
     * The options of a resumed run: the checkpoint's settings where the command line names none
     * ({@link Resume#settings}); naming other ones is a usage error.
     */
    TrainOptions resumed(TrainOptions o, Checkpoint c) {
        var parsed = spec.commandLine().getParseResult();
        Resume.Asked asked = new Resume.Asked(
                parsed.hasMatchedOption("--epochs") ? o.epochs() : null,
                parsed.hasMatchedOption("--batch-size") ? o.batchSize() : null,
                lr != null ? o.lr() : null,
                parsed.hasMatchedOption("--seed") ? o.seed() : null,
                parsed.hasMatchedOption("--threads") ? o.threads() : null,
                parsed.hasMatchedOption("--train-limit") ? o.trainLimit() : null,
                parsed.hasMatchedOption("--test-limit") ? o.testLimit() : null);
        Resume.Settings r;
        try {
            r = Resume.settings(output.resume, c, asked);
        } catch (ResumeException e) {
            throw usage(e.getMessage());
        }
        Model saved = c.params().model;
        if (parsed.hasMatchedOption("--model") && o.model() != saved) {
            throw usage("--model " + o.model().id() + " does not go with --resume " + output.resume + ", which holds a "
                    + saved.id() + " model (leave --model out to continue it)");
        }
        return new TrainOptions(o.data(), r.epochs(), r.batchSize(), r.lr(), r.seed(), r.threads() != null ? r.threads() : o.threads(),
                r.trainLimit(), r.testLimit(), o.metricsJson(), o.engine(), o.device(), saved);
    }

    /** The options, validated, each against its range, before anything is loaded: a bad one fails with a one-line usage error. */
    TrainOptions options() {
        range("--epochs", epochs, 1, TrainConfig.MAX_EPOCHS);
        range("--batch-size", batchSize, 1, TrainConfig.MAX_BATCH_SIZE);
        if (threads < 1) {
            throw usage("--threads must be 1 or more (more than the cores or the batch size are capped), got " + threads);
        }
        Model net;
        try {
            net = Model.named(model);
        } catch (IllegalArgumentException e) {
            throw usage("--model must be " + Model.choices() + ", got '" + model + "'");
        }
        float rate = lr != null ? lr : net.defaultLr();
        if (!TrainConfig.lrInRange(rate)) {
            var given = spec.commandLine().getParseResult().matchedOption("--lr");
            String raw = given == null || given.stringValues().isEmpty() ? Float.toString(rate) : given.stringValues().getFirst();
            throw usage("--lr must be " + TrainConfig.LR_RANGE + ", got " + raw);
        }
        if (trainLimit != null) {
            range("--train-limit", trainLimit, 1, Integer.MAX_VALUE);
        }
        if (testLimit != null) {
            range("--test-limit", testLimit, 1, Integer.MAX_VALUE);
        }
        EngineKind asked = engineKind();
        EngineKind resolved = asked.resolve();
        TrainOptions.Device dev = null;
        if (device != null) {
            Matcher m = DEVICE.matcher(device);
            if (!m.matches()) {
                throw usage("--device must be BACKEND:DEVICE, e.g. 0:0 (see 'lenet devices'), got '" + device + "'");
            }
            if (asked == EngineKind.JAVA) {
                throw usage("--device selects a TornadoVM device and does not go with --engine java");
            }
            if (resolved == EngineKind.JAVA) {
                throw usage("--device selects a TornadoVM device, and this run uses the JVM engine "
                        + "(--engine auto: TornadoVM not found; see README, Running under TornadoVM)");
            }
            dev = new TrainOptions.Device(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        study.check(resolved, asked);
        return new TrainOptions(data, epochs, batchSize, rate, seed, threads,
                trainLimit == null ? Integer.MAX_VALUE : trainLimit,
                testLimit == null ? Integer.MAX_VALUE : testLimit,
                metricsJson, asked, dev, net);
    }

    /** The {@code --engine} asked for; anything but auto, java or tornado is a usage error. */
    private EngineKind engineKind() {
        return EngineKind.of(engine).orElseThrow(() -> usage("--engine must be one of " + EngineKind.ids() + ", got '" + engine + "'"));
    }

    /** The {@code --kernels} set; only the JVM engine can run the CPU twins. */
    private KernelSet kernelSet() {
        if (!KernelSet.ALL.stream().anyMatch(k -> k.name().equals(kernels))) {
            throw usage("--kernels must be cpu or plain, got '" + kernels + "'");
        }
        boolean explicit = spec.commandLine().getParseResult().hasMatchedOption("--kernels");
        if (explicit && kernels.equals("cpu") && engineKind().resolve() == EngineKind.TORNADO) {
            throw usage("--kernels cpu runs on the JVM engine only: TornadoVM compiles the plain kernels");
        }
        return KernelSet.named(kernels);
    }

    private void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw usage(option + " must be " + (max == Integer.MAX_VALUE ? "positive" : min + ".." + max) + ", got " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
