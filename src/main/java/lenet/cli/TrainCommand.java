package lenet.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lenet.data.Dataset;
import lenet.data.FashionMnist;
import picocli.CommandLine.Command;
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
        PrintWriter err = spec.commandLine().getErr();
        err.println("lenet train: training is not wired in yet");
        return 3;
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
