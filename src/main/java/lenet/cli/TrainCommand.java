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
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import lenet.train.TrainConfig;
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

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four Fashion-MNIST IDX files (default: $LENET_DATA, "
                    + "/usr/share/datasets/fashion-mnist, ~/.cache/lenet/fashion-mnist).")
    Path data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.9", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed for weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

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
        Path dir = FashionMnist.locate(options.data());
        Dataset train = FashionMnist.train(dir).limit(options.trainLimit());
        Dataset test = FashionMnist.test(dir).limit(options.testLimit());
        return runTraining(options, train, test);
    }

    /** Trains and reports; returns the exit code. */
    int runTraining(TrainOptions options, Dataset train, Dataset test) {
        PrintWriter out = spec.commandLine().getOut();
        TrainConfig config = new TrainConfig(options.epochs(), options.batchSize(), options.lr(), options.seed());
        EngineData data = EngineData.of(train.pixels(), train.labels(), train.count(), test.pixels(), test.labels(), test.count());
        Engines.Choice choice = new Engines.Choice(options.engine(), options.device() == null ? null : options.device().toString(),
                options.threads(), KernelSet.PLAIN);
        long start = System.nanoTime();
        try (Engine engine = Engines.start(choice, study.study(out), data, Params.xavier(options.seed()), options.lr(), options.batchSize())) {
            out.printf(Locale.ROOT, "LeNet-5, %,d parameters; %s; %s%n", LeNet.parameterCount(), train, test);
            out.printf(Locale.ROOT, "engine %s on %s%s; batch %d, lr %s, epochs %d, seed %d%n", engine.name(), engine.device(),
                    options.engine().equals("auto") ? " (auto: " + (TornadoRuntimeInfo.isPresent() ? "TornadoVM present" : "TornadoVM not found") + ")" : "",
                    config.batchSize(), config.lr(), config.epochs(), config.seed());
            RunMetrics metrics = new Trainer(config, engine, train.count(), test.count(), out).run();
            metrics.threads = engine.name().equals("java") ? options.threads() : 0;
            metrics.kernels = engine.name().equals("java") ? choice.kernels().name() : KernelSet.PLAIN.name();
            metrics.wallSeconds = (System.nanoTime() - start) / 1e9;
            if (options.metricsJson() != null) {
                MetricsFile.write(options.metricsJson(), metrics);
                out.println("metrics: " + options.metricsJson());
            }
        }
        return 0;
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

    private void positive(String option, int value) {
        if (value < 1) {
            throw usage(option + " must be positive, got " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
