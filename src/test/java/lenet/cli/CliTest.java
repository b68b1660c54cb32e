package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import lenet.engine.EngineKind;
import lenet.model.Model;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Cli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** A failure: the exit code, and one line on stderr starting with "lenet: " and containing {@code expected}. */
    static void fails(int code, String expected, String... args) {
        Result r = run(args);
        assertEquals(code, r.code(), "exit code; stderr: " + r.err());
        assertTrue(r.err().startsWith("lenet: "), r.err());
        assertTrue(r.err().contains(expected), "stderr should contain '" + expected + "': " + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void shapes() {
        Result r = run("shapes");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                Reshape      output shape: 1×1×28×28
                Conv2d       output shape: 1×6×28×28
                Sigmoid      output shape: 1×6×28×28
                AvgPool2d    output shape: 1×6×14×14
                Conv2d       output shape: 1×16×10×10
                Sigmoid      output shape: 1×16×10×10
                AvgPool2d    output shape: 1×16×5×5
                Flatten      output shape: 1×400
                Linear       output shape: 1×120
                Sigmoid      output shape: 1×120
                Linear       output shape: 1×84
                Sigmoid      output shape: 1×84
                Linear       output shape: 1×10

                parameters: 61,706
                """, r.out().replace(System.lineSeparator(), "\n"));
    }

    /** d2l 8.5's listing (with lenet's padding) and the ReLU variant; a model that does not exist is a usage error. */
    @Test
    void shapesOfEachModel() {
        Result bn = run("shapes", "--model", "lenet-bn");
        assertEquals(0, bn.code(), bn.err());
        assertEquals("""
                Reshape      output shape: 1×1×28×28
                Conv2d       output shape: 1×6×28×28
                BatchNorm2d  output shape: 1×6×28×28
                Sigmoid      output shape: 1×6×28×28
                AvgPool2d    output shape: 1×6×14×14
                Conv2d       output shape: 1×16×10×10
                BatchNorm2d  output shape: 1×16×10×10
                Sigmoid      output shape: 1×16×10×10
                AvgPool2d    output shape: 1×16×5×5
                Flatten      output shape: 1×400
                Linear       output shape: 1×120
                BatchNorm1d  output shape: 1×120
                Sigmoid      output shape: 1×120
                Linear       output shape: 1×84
                BatchNorm1d  output shape: 1×84
                Sigmoid      output shape: 1×84
                Linear       output shape: 1×10

                parameters: 62,158
                running statistics: 452 (batch norms' mean and variance, not trained)
                """, bn.out().replace(System.lineSeparator(), "\n"));
        Result relu = run("shapes", "--model", "lenet-relu");
        assertEquals(0, relu.code(), relu.err());
        assertEquals("""
                Reshape      output shape: 1×1×28×28
                Conv2d       output shape: 1×6×28×28
                ReLU         output shape: 1×6×28×28
                MaxPool2d    output shape: 1×6×14×14
                Conv2d       output shape: 1×16×10×10
                ReLU         output shape: 1×16×10×10
                MaxPool2d    output shape: 1×16×5×5
                Flatten      output shape: 1×400
                Linear       output shape: 1×120
                ReLU         output shape: 1×120
                Linear       output shape: 1×84
                ReLU         output shape: 1×84
                Linear       output shape: 1×10

                parameters: 61,706
                """, relu.out().replace(System.lineSeparator(), "\n"));
        Result wrong = run("shapes", "--model", "alexnet");
        assertEquals(Cli.USAGE, wrong.code());
        assertTrue(wrong.err().startsWith("lenet: --model must be lenet, lenet-bn or lenet-relu, got 'alexnet'"), wrong.err());
    }

    @Test
    void devicesWithoutTornadoVm() {
        Result r = run("devices");
        assertEquals(0, r.code(), r.err());
        int cores = Runtime.getRuntime().availableProcessors();
        assertTrue(r.out().startsWith("java: JVM " + Runtime.version() + ", " + cores + " threads (" + cores + " cores)"), r.out());
        assertTrue(r.out().contains("TornadoVM: not found (running on plain Java; see README: Running under TornadoVM)"), r.out());
    }

    @Test
    void helpForEveryCommand() {
        for (String command : new String[] {"train", "shapes", "devices", "fetch-data"}) {
            Result r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: lenet " + command), r.out());
        }
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("fetch-data"), r.out());
    }

    @Test
    void usageErrorsExitWith2() {
        fails(2, "missing a command");
        fails(2, "Unmatched argument at index 0: 'bogus'", "bogus");
        fails(2, "--epochs must be 1..10000, got 0", "train", "--epochs", "0");
        fails(2, "Invalid value for option '--epochs': 'x' is not an int", "train", "--epochs", "x");
        fails(2, "--batch-size must be 1..4096, got -1", "train", "--batch-size", "-1");
        fails(2, "--lr must be a number from 1.2e-38 to 3.4e+38 (a positive float32), got NaN", "train", "--lr", "NaN");
        fails(2, "--train-limit must be positive, got 0", "train", "--train-limit", "0");
        fails(2, "--engine must be one of auto, java, tornado, got 'cuda'", "train", "--engine", "cuda");
        fails(2, "--device must be BACKEND:DEVICE", "train", "--device", "gpu");
        fails(2, "does not go with --engine java", "train", "--engine", "java", "--device", "0:1");
        fails(2, "does not exist", "train", "--metrics-json", dir.resolve("no/such/folder/m.json").toString());
    }

    @Test
    void trainOptionsDefaultsAndValues() {
        var cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs();
        TrainOptions o = cmd.options();
        assertEquals(new TrainOptions(null, 10, 256, 0.9f, 42, Runtime.getRuntime().availableProcessors(),
                Integer.MAX_VALUE, Integer.MAX_VALUE, null, EngineKind.AUTO, null, Model.LENET), o);

        cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs("--data", "d", "--epochs", "3", "--batch-size", "64", "--lr", "0.1",
                "--seed", "7", "--threads", "1", "--train-limit", "1000", "--test-limit", "500",
                "--metrics-json", dir.resolve("m.json").toString(), "--engine", "tornado", "--device", "1:2");
        assertEquals(new TrainOptions(Path.of("d"), 3, 64, 0.1f, 7, 1, 1000, 500, dir.resolve("m.json"), EngineKind.TORNADO,
                new TrainOptions.Device(1, 2), Model.LENET), cmd.options());
        assertNull(new TrainOptions(null, 1, 1, 1, 1, 1, 1, 1, null, EngineKind.JAVA, null, Model.LENET).device());

        // Each model trains with its own learning rate unless --lr names one.
        for (Model m : Model.values()) {
            cmd = new TrainCommand();
            new CommandLine(cmd).parseArgs("--model", m.id());
            assertEquals(m, cmd.options().model());
            assertEquals(m.defaultLr(), cmd.options().lr(), m.id());
            cmd = new TrainCommand();
            new CommandLine(cmd).parseArgs("--model", m.id(), "--lr", "0.25");
            assertEquals(0.25f, cmd.options().lr(), m.id());
        }
        assertEquals(1.0f, Model.LENET_BN.defaultLr(), "d2l 8.5 trains LeNet with batch norm at lr 1.0");
    }

    @Test
    void badDataFileIsOneLineAndExit1() throws IOException {
        writeFashion(dir, 4);
        Path bad = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(bad, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        fails(1, "lenet: " + bad + ": truncated gzip data", "train", "--data", dir.toString(), "--out", dir.resolve("run").toString());
        Result r = run("train", "--data", dir.toString(), "--out", dir.resolve("run").toString());
        assertFalse(r.err().contains("Exception"), r.err());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        fails(1, "lenet: --data " + empty + ": no Fashion-MNIST there", "train", "--data", empty.toString(),
                "--out", dir.resolve("run").toString());
        assertFalse(Files.exists(dir.resolve("run")), "no run folder for a run that did not start");
    }

    @Test
    void trainRunsAndWritesMetrics() throws IOException {
        writeFashion(dir, 4);
        Path metrics = dir.resolve("m.json");
        Result r = run("train", "--data", dir.toString(), "--epochs", "2", "--batch-size", "3", "--threads", "2",
                "--metrics-json", metrics.toString(), "--out", dir.resolve("run").toString(), "--no-plot");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 2/2: loss "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("loss \\d+\\.\\d{3}, train acc \\d\\.\\d{3}, test acc \\d\\.\\d{3}")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("[\\d.]+ examples/sec on JVM, 2 threads, .*")), r.out());
        RunMetrics m = MetricsFile.read(metrics);
        assertEquals(2, m.history.size());
        assertEquals("java", m.engine);
        assertEquals(4, m.trainExamples);
    }

    @Test
    void anAbsurdLearningRateStopsWithOneLine() throws IOException {
        writeFashion(dir, 4);
        Result r = run("train", "--data", dir.toString(), "--epochs", "20", "--batch-size", "1", "--lr", "1e38",
                "--out", dir.resolve("run").toString(), "--no-plot");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().matches("lenet: training diverged at epoch \\d+, step \\d+: the loss is (NaN|infinite); "
                + "try a smaller learning rate than --lr 1.0E38\\R"), r.err());
    }

    @Test
    void fetchDataReportsAServerThatCannotBeReached() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: the connection is refused at once
        }
        String url = "http://127.0.0.1:" + port;
        fails(1, "lenet: " + url + "/train-images-idx3-ubyte.gz: download failed (", "fetch-data",
                "--url", url, "--dir", dir.resolve("fm").toString());
        assertFalse(Files.exists(dir.resolve("fm")), "nothing left behind, not even the folder");
    }

    /** The four Fashion-MNIST files, gzip, each set with n blank 28×28 images labelled 0. */
    private static void writeFashion(Path dir, int n) throws IOException {
        for (String set : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(set + "-images-idx3-ubyte.gz"),
                    gzip(ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28).array()));
            ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n; i++) {
                labels.put((byte) (i % 10));   // varied labels: a model that favours one class cannot reach zero loss
            }
            Files.write(dir.resolve(set + "-labels-idx1-ubyte.gz"), gzip(labels.array()));
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }
}
