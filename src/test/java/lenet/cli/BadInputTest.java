package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import lenet.data.Dataset;
import lenet.data.FashionMnist;
import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.CheckpointFiles;
import lenet.train.RunMetrics;
import lenet.train.TrainState;
import java.util.TreeSet;
import java.security.NoSuchAlgorithmException;

/**
 * Bad and odd inputs against the whole command line, one table: each case runs {@code lenet} in this JVM
 * and must exit with its code, print exactly one line on stderr ({@code lenet: …}, naming what is wrong,
 * no Java class name, no stack trace), nothing on stdout, and leave every file of the test's folder as it
 * was (no file changed, none created, none removed).
 *
 * <p>Placeholders in the arguments: {@code {root}} the shared folder, {@code {data}} a valid data folder
 * (10 training and 6 test images), {@code {ckpt}} a checkpoint of one finished epoch on that data (batch 4,
 * lr 0.5, seed 42) in {@code {run}}, its run folder; {@code {bad}} a folder of checkpoints with a valid
 * SHA-256 and a bad header or bad tensors; {@code {new}} a folder that does not exist.
 */
class BadInputTest {
    @TempDir
    static Path root;
    static Path data;
    static Path run;
    static Path ckpt;
    static FileChannel lockChannel;
    static FileLock lock;
    static FileChannel lockChannel2;
    static FileLock lock2;
    static int closedPort;

    /** The checkpoint of the fixture: 1 epoch of 1 done, on {@code data}. */
    static Checkpoint checkpoint;

    @BeforeAll
    static void setUp() throws IOException {
        data = FashionFiles.write(root.resolve("data"), 10, 6);
        Dataset train = FashionMnist.train(data);
        Dataset test = FashionMnist.test(data);
        Checkpoint.Data fingerprint = Checkpoint.Data.of(train.pixels(), train.labels(), 10, test.pixels(), test.labels(), 6);
        TrainState state = new TrainState(2, 0, 0, 0, 0, 0.5,
                List.of(new RunMetrics.Epoch(1, 2.3, 0.1, 0.17, 0.5, 20.0)),
                List.of(new RunMetrics.Point(0.5, 2.31, 0.0), new RunMetrics.Point(1.0, 2.3, 0.1)));
        checkpoint = new Checkpoint(new Checkpoint.Config(1, 4, 0.5f, 42, "java", "JVM, 1 thread, cpu kernels", 1, "cpu"),
                fingerprint, state, Params.xavier(42));
        run = Files.createDirectories(root.resolve("run"));
        ckpt = run.resolve("model.ckpt");
        Checkpoint.write(ckpt, checkpoint);
        Files.writeString(run.resolve("metrics.json"), "{}\n");
        Files.writeString(root.resolve("existing.txt"), "someone's notes\n");
        Files.write(root.resolve("existing.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.createSymbolicLink(root.resolve("link.png"), root.resolve("existing.png"));
        Files.createSymbolicLink(root.resolve("dangling.ckpt"), root.resolve("nowhere.ckpt"));
        Files.createDirectories(root.resolve("empty"));

        // Data that differs from the checkpoint's: a test set of 4, another test set of 6, another training set.
        FashionFiles.write(root.resolve("fewer-test"), 10, 4);
        Path otherTest = FashionFiles.write(root.resolve("other-test"), 10, 6);
        Files.write(otherTest.resolve("t10k-images-idx3-ubyte.gz"),
                FashionFiles.gzip(TrainRunTest.flipFirstPixel(data.resolve("t10k-images-idx3-ubyte.gz"))));
        Path otherTrain = FashionFiles.write(root.resolve("other-train"), 10, 6);
        Files.write(otherTrain.resolve("train-images-idx3-ubyte.gz"),
                FashionFiles.gzip(TrainRunTest.flipFirstPixel(data.resolve("train-images-idx3-ubyte.gz"))));

        // A data folder whose images are FIFOs, and a checkpoint that is one: reading would block.
        Path fifoData = FashionFiles.write(root.resolve("fifo-data"), 10, 6);
        for (String images : new String[] {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"}) {
            Files.delete(fifoData.resolve(images));
            mkfifo(fifoData.resolve(images));
        }
        mkfifo(root.resolve("fifo.ckpt"));

        // A run folder held by another run: its lock file is locked (here, by this JVM) and names process 4242.
        Path locked = Files.createDirectories(root.resolve("locked"));
        Checkpoint.write(locked.resolve("model.ckpt"), checkpoint);
        lockChannel = FileChannel.open(locked.resolve(RunLock.NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lockChannel.write(ByteBuffer.wrap("4242\n".getBytes(StandardCharsets.US_ASCII)));
        lock = lockChannel.lock();
        // A run that has just begun: its folder holds only its lock, held by process 4343.
        Path lockedEmpty = Files.createDirectories(root.resolve("locked-empty"));
        lockChannel2 = FileChannel.open(lockedEmpty.resolve(RunLock.NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lockChannel2.write(ByteBuffer.wrap("4343\n".getBytes(StandardCharsets.US_ASCII)));
        lock2 = lockChannel2.lock();

        writeBadCheckpoints(Files.createDirectories(root.resolve("bad")));

        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // closed again: connections are refused at once
        }
    }

    @AfterAll
    static void tearDown() throws IOException {
        lock.release();
        lockChannel.close();
        lock2.release();
        lockChannel2.close();
    }

    static void mkfifo(Path p) throws IOException {
        try {
            assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor(), "mkfifo " + p);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    /** Header edits that keep the SHA-256 valid: name → edit. */
    static final Map<String, Consumer<JsonObject>> HEADER_EDITS = new TreeMap<>();

    static {
        HEADER_EDITS.put("epoch-negative", h -> state(h).addProperty("epoch", -1));
        HEADER_EDITS.put("epoch-zero", h -> state(h).addProperty("epoch", 0));
        HEADER_EDITS.put("epoch-beyond", h -> state(h).addProperty("epoch", 99));
        HEADER_EDITS.put("epoch-fraction", h -> state(h).addProperty("epoch", 1.5));
        HEADER_EDITS.put("epoch-string", h -> state(h).addProperty("epoch", "two"));
        HEADER_EDITS.put("history-missing", h -> state(h).remove("history"));
        HEADER_EDITS.put("history-null", h -> state(h).add("history", null));
        HEADER_EDITS.put("history-short", h -> state(h).add("history", new JsonArray()));
        HEADER_EDITS.put("history-acc", h -> state(h).getAsJsonArray("history").get(0).getAsJsonObject().addProperty("testAcc", 1.5));
        HEADER_EDITS.put("history-nan", h -> state(h).getAsJsonArray("history").get(0).getAsJsonObject().addProperty("loss", Double.NaN));
        HEADER_EDITS.put("history-number", h -> state(h).getAsJsonArray("history").set(0, new JsonPrimitive(3)));
        HEADER_EDITS.put("progress-missing", h -> state(h).remove("progress"));
        HEADER_EDITS.put("progress-acc", h -> state(h).getAsJsonArray("progress").get(0).getAsJsonObject().addProperty("trainAcc", 2));
        HEADER_EDITS.put("next-odd", h -> state(h).addProperty("next", 3));
        HEADER_EDITS.put("next-beyond", h -> state(h).addProperty("next", 12));
        HEADER_EDITS.put("correct-beyond", h -> state(h).addProperty("correct", 5));
        HEADER_EDITS.put("loss-negative", h -> state(h).addProperty("lossSum", -1));
        HEADER_EDITS.put("seconds-infinite", h -> state(h).addProperty("trainSeconds", Double.POSITIVE_INFINITY));
        HEADER_EDITS.put("lr-negative", h -> config(h).addProperty("lr", -0.5));
        HEADER_EDITS.put("lr-infinite", h -> config(h).addProperty("lr", Double.POSITIVE_INFINITY));
        HEADER_EDITS.put("lr-zero", h -> config(h).addProperty("lr", 0));
        HEADER_EDITS.put("batch-zero", h -> config(h).addProperty("batchSize", 0));
        HEADER_EDITS.put("batch-huge", h -> config(h).addProperty("batchSize", 2147483647));
        HEADER_EDITS.put("epochs-negative", h -> config(h).addProperty("epochs", -1));
        HEADER_EDITS.put("threads-negative", h -> config(h).addProperty("threads", -2));
        HEADER_EDITS.put("seed-fraction", h -> config(h).addProperty("seed", 1.5));
        HEADER_EDITS.put("engine-number", h -> config(h).addProperty("engine", 5));
        HEADER_EDITS.put("config-missing", h -> h.remove("config"));
        HEADER_EDITS.put("data-missing", h -> h.remove("data"));
        HEADER_EDITS.put("train-negative", h -> h.getAsJsonObject("data").addProperty("trainExamples", -1));
        HEADER_EDITS.put("crc-negative", h -> h.getAsJsonObject("data").addProperty("trainCrc32", -1));
        HEADER_EDITS.put("format-missing", h -> h.remove("format"));
        HEADER_EDITS.put("tensors-object", h -> h.add("tensors", new JsonObject()));
        HEADER_EDITS.put("tensor-null", h -> h.getAsJsonArray("tensors").set(0, null));
    }

    static JsonObject state(JsonObject h) {
        return h.getAsJsonObject("state");
    }

    static JsonObject config(JsonObject h) {
        return h.getAsJsonObject("config");
    }

    static void writeBadCheckpoints(Path dir) {
        HEADER_EDITS.forEach((name, edit) -> CheckpointFiles.writeEdited(dir.resolve(name + ".ckpt"), checkpoint, edit));
        CheckpointFiles.writeText(dir.resolve("malformed.ckpt"), checkpoint, h -> h.replaceFirst("\\{", "{\"a\":"));
        CheckpointFiles.writeText(dir.resolve("array.ckpt"), checkpoint, h -> "[1, 2]");
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Params p = checkpoint.params().copy();
            p.tensors().get(4).set(17, bad);
            Checkpoint.write(dir.resolve((Float.isNaN(bad) ? "nan" : "inf") + "-weight.ckpt"),
                    new Checkpoint(checkpoint.config(), checkpoint.data(), checkpoint.state(), p));
        }
    }

    /** One bad input: the exit code, what the one line contains, the arguments (with placeholders). */
    static Arguments bad(String name, int code, String expected, String... args) {
        return Arguments.of(name, code, expected, List.of(args));
    }

    static Stream<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        String[] t = {"train", "--data", "{data}", "--out", "{new}", "--batch-size", "4", "--threads", "1"};
        // 1. Outputs that collide, or would replace a file that is not the run's.
        c.add(bad("plot onto the checkpoint", 2, "--plot {new}/model.ckpt is the same file as the checkpoint model.ckpt: each output needs a file of its own",
                with(t, "--plot", "{new}/model.ckpt")));
        c.add(bad("plot onto --save", 2, "--save {root}/a.ckpt is the same file as --plot", with(t, "--save", "{root}/a.ckpt", "--plot", "{root}/a.ckpt")));
        c.add(bad("metrics-json onto --save", 2, "--save {root}/a.ckpt is the same file as --metrics-json",
                with(t, "--save", "{root}/a.ckpt", "--metrics-json", "{root}/a.ckpt")));
        c.add(bad("metrics-json onto --plot", 2, "--plot {root}/a.png is the same file as --metrics-json",
                with(t, "--plot", "{root}/a.png", "--metrics-json", "{root}/a.png")));
        c.add(bad("plot onto metrics.json", 2, "--plot {new}/metrics.json is the same file as metrics.json", with(t, "--plot", "{new}/metrics.json")));
        c.add(bad("metrics-json onto metrics.csv", 2, "--metrics-json {new}/metrics.csv is the same file as metrics.csv",
                with(t, "--metrics-json", "{new}/metrics.csv")));
        c.add(bad("metrics-json onto the run's metrics.json", 2, "is the same file as metrics.json", with(t, "--metrics-json", "{new}/metrics.json")));
        c.add(bad("save onto the curves", 2, "--save {new}/curves.png is the same file as the learning curves", with(t, "--save", "{new}/curves.png")));
        c.add(bad("plot onto an epoch checkpoint", 2, "--plot {new}/epoch-1.ckpt is where --save-every-epoch saves",
                with(t, "--save-every-epoch", "--plot", "{new}/epoch-1.ckpt")));
        c.add(bad("save onto an epoch checkpoint", 2, "--save {new}/epoch-2.ckpt is where --save-every-epoch saves",
                with(t, "--save-every-epoch", "--save", "{new}/epoch-2.ckpt")));
        c.add(bad("same file through a link", 2, "is the same file as",
                with(t, "--force", "--plot", "{root}/link.png", "--metrics-json", "{root}/existing.png")));
        c.add(bad("plot onto an existing file", 2, "--plot {root}/existing.png exists: give a new file name, or --force to replace it",
                with(t, "--plot", "{root}/existing.png")));
        c.add(bad("metrics-json onto an existing file", 2, "--metrics-json {root}/existing.txt exists: give a new file name, or --force",
                with(t, "--metrics-json", "{root}/existing.txt")));
        c.add(bad("metrics-json onto a data file", 2, "--metrics-json {data}/train-labels-idx1-ubyte.gz exists",
                with(t, "--metrics-json", "{data}/train-labels-idx1-ubyte.gz")));
        c.add(bad("save onto an existing file", 2, "--save {root}/existing.txt exists: give a new file name", with(t, "--save", "{root}/existing.txt")));
        c.add(bad("save onto a dangling link", 2, "--save {root}/dangling.ckpt exists", with(t, "--save", "{root}/dangling.ckpt")));
        c.add(bad("plot onto the checkpoint resumed", 2, "needs a file of its own",
                "train", "--data", "{data}", "--resume", "{ckpt}", "--epochs", "2", "--plot", "{ckpt}"));
        c.add(bad("metrics-json onto the checkpoint resumed", 2, "--metrics-json {ckpt} is the checkpoint being resumed",
                "train", "--data", "{data}", "--resume", "{ckpt}", "--epochs", "2", "--save", "{root}/s.ckpt", "--metrics-json", "{ckpt}"));
        c.add(bad("plot is a folder", 2, "--plot {root}/empty is a folder, expected a file name", with(t, "--plot", "{root}/empty")));
        c.add(bad("metrics-json is a folder", 2, "--metrics-json {root}/empty is a folder", with(t, "--metrics-json", "{root}/empty")));
        c.add(bad("save is a folder", 2, "--save {root}/empty is a folder", with(t, "--save", "{root}/empty")));
        c.add(bad("plot in a missing folder", 2, "--plot {root}/none/c.png: folder {root}/none does not exist", with(t, "--plot", "{root}/none/c.png")));
        c.add(bad("save in a missing folder", 2, "--save {root}/none/m.ckpt: folder {root}/none does not exist", with(t, "--save", "{root}/none/m.ckpt")));
        c.add(bad("metrics-json in a missing folder", 2, "folder {root}/none does not exist", with(t, "--metrics-json", "{root}/none/m.json")));
        c.add(bad("out is a file", 2, "--out {root}/existing.txt is a file, expected a folder",
                "train", "--data", "{data}", "--out", "{root}/existing.txt"));
        c.add(bad("out is not empty", 2, "--out {run} is not empty: give a new folder, or --resume {ckpt} to continue that run",
                "train", "--data", "{data}", "--out", "{run}"));
        c.add(bad("out is the data folder", 2, "--out {data} is not empty", "train", "--data", "{data}", "--out", "{data}"));
        c.add(bad("plot and no-plot", 2, "--plot and --no-plot do not go together", with(t, "--plot", "{root}/p.png", "--no-plot")));

        // 2. Two runs, one folder.
        c.add(bad("a folder in use", 2, "--out {root}/locked is in use by another lenet train run (process 4242)",
                "train", "--data", "{data}", "--resume", "{root}/locked/model.ckpt", "--epochs", "2"));
        c.add(bad("a new run into a folder in use", 2, "--out {root}/locked is in use by another lenet train run (process 4242)",
                "train", "--data", "{data}", "--out", "{root}/locked"));
        c.add(bad("a new run into a folder just begun", 2, "--out {root}/locked-empty is in use by another lenet train run (process 4343)",
                "train", "--data", "{data}", "--out", "{root}/locked-empty"));
        c.add(bad("a folder in use, named with --out", 2, "is in use by another lenet train run (process 4242)",
                "train", "--data", "{data}", "--resume", "{root}/locked/model.ckpt", "--epochs", "2", "--out", "{root}/locked"));

        // 3. Failures that used to be found only at the end of the run.
        c.add(bad("save where nothing can be written", 1, "--save /sys/lenet-test.ckpt: cannot write into /sys (",
                with(t, "--save", "/sys/lenet-test.ckpt")));
        c.add(bad("plot where nothing can be written", 1, "--plot /sys/lenet-test.png: cannot write into /sys (", with(t, "--plot", "/sys/lenet-test.png")));
        c.add(bad("metrics-json where nothing can be written", 1, "--metrics-json /sys/lenet-test.json: cannot write into /sys (",
                with(t, "--metrics-json", "/sys/lenet-test.json")));
        c.add(bad("out where no folder can be made", 1, "--out /sys/lenet-test-run: cannot create the folder (",
                "train", "--data", "{data}", "--out", "/sys/lenet-test-run"));
        c.add(bad("out below a file", 1, "--out {root}/existing.txt/run: cannot create the folder ({root}/existing.txt exists and is not a folder)",
                "train", "--data", "{data}", "--out", "{root}/existing.txt/run"));

        // 4. A resume that would change what the history means.
        String[] r = {"train", "--data", "{data}", "--resume", "{ckpt}", "--epochs", "2"};
        c.add(bad("resume with another test limit", 2, "--test-limit 3 differs from the checkpoint's 6 test examples", with(r, "--test-limit", "3")));
        c.add(bad("resume with another train limit", 2, "--train-limit 8 differs from the checkpoint's 10 training examples",
                with(r, "--train-limit", "8")));
        c.add(bad("resume with another batch size", 2, "--batch-size 2 differs from the checkpoint's 4", with(r, "--batch-size", "2")));
        c.add(bad("resume with another lr", 2, "--lr 0.1 differs from the checkpoint's 0.5", with(r, "--lr", "0.1")));
        c.add(bad("resume with another seed", 2, "--seed 7 differs from the checkpoint's 42", with(r, "--seed", "7")));
        c.add(bad("resume on a smaller test set", 1, "{ckpt}: tested on other data (6 test examples",
                "train", "--data", "{root}/fewer-test", "--resume", "{ckpt}", "--epochs", "2"));
        c.add(bad("resume on another test set", 1, "{ckpt}: tested on other data (6 test examples, CRC-32",
                "train", "--data", "{root}/other-test", "--resume", "{ckpt}", "--epochs", "2"));
        c.add(bad("resume on another training set", 1, "{ckpt}: trained on other data (10 training examples",
                "train", "--data", "{root}/other-train", "--resume", "{ckpt}", "--epochs", "2"));
        c.add(bad("resume a finished run", 2, "--resume {ckpt}: that run has done 1 epoch; give --epochs N with N > 1",
                "train", "--data", "{data}", "--resume", "{ckpt}"));
        c.add(bad("resume into another full folder", 2, "--out {data} is not empty", with(r, "--out", "{data}")));
        c.add(bad("resume a folder", 1, "{run}: is a folder, expected a checkpoint file", "train", "--data", "{data}", "--resume", "{run}"));
        c.add(bad("resume a data file", 1, "not a lenet checkpoint", "train", "--data", "{data}", "--resume", "{data}/train-labels-idx1-ubyte.gz"));

        // 5. Numbers out of range, refused before anything is allocated.
        for (String v : new String[] {"2147483647", "4097", "0", "-5"}) {
            c.add(bad("batch size " + v, 2, "--batch-size must be 1..4096, got " + v, "train", "--batch-size", v));
        }
        for (String v : new String[] {"0", "-1", "10001", "2147483647"}) {
            c.add(bad("epochs " + v, 2, "--epochs must be 1..10000, got " + v, "train", "--epochs", v));
        }
        c.add(bad("epochs beyond an int", 2, "'99999999999' is not an int", "train", "--epochs", "99999999999"));
        c.add(bad("epochs empty", 2, "'' is not an int", "train", "--epochs", ""));
        for (String v : new String[] {"0", "-1", "-2147483648"}) {
            c.add(bad("threads " + v, 2, "--threads must be 1 or more", "train", "--threads", v));
        }
        String lrRange = "--lr must be a number from 1.2e-38 to 3.4e+38 (a positive float32), got ";
        for (String v : new String[] {"1e39", "1e-50", "1e-39", "0", "-0.5", "NaN", "Infinity", "-Infinity"}) {
            c.add(bad("lr " + v, 2, lrRange + v, "train", "--lr", v));
        }
        c.add(bad("lr not a number", 2, "'fast' is not a float", "train", "--lr", "fast"));
        c.add(bad("train limit 0", 2, "--train-limit must be positive, got 0", "train", "--train-limit", "0"));
        c.add(bad("test limit -3", 2, "--test-limit must be positive, got -3", "train", "--test-limit", "-3"));
        c.add(bad("verify every 0", 2, "--verify-every must be positive, got 0", "train", "--verify-every", "0"));
        c.add(bad("seed not a long", 2, "'1e3' is not a long", "train", "--seed", "1e3"));
        c.add(bad("eval threads 0", 2, "--threads must be 1 or more", "eval", "{ckpt}", "--data", "{data}", "--threads", "0"));
        c.add(bad("eval test limit 0", 2, "--test-limit must be positive, got 0", "eval", "{ckpt}", "--test-limit", "0"));
        c.add(bad("predict top 0", 2, "--top must be 1..10, got 0", "predict", "{ckpt}", "x.png", "--top", "0"));
        c.add(bad("predict top 11", 2, "--top must be 1..10, got 11", "predict", "{ckpt}", "x.png", "--top", "11"));
        c.add(bad("predict limit 0", 2, "--limit must be positive, got 0", "predict", "{ckpt}", "x.png", "--limit", "0"));
        c.add(bad("predict threads -1", 2, "--threads must be 1 or more", "predict", "{ckpt}", "x.png", "--threads", "-1"));

        // 5–6. Checkpoints whose SHA-256 holds but whose header or tensors do not.
        Map<String, String> field = Map.ofEntries(
                Map.entry("epoch-negative", "state.epoch is -1, expected a whole number from 1 to 2"),
                Map.entry("epoch-zero", "state.epoch is 0"),
                Map.entry("epoch-beyond", "state.epoch is 99"),
                Map.entry("epoch-fraction", "state.epoch is 1.5"),
                Map.entry("epoch-string", "state.epoch is \"two\", expected a number"),
                Map.entry("history-missing", "state.history is missing"),
                Map.entry("history-null", "state.history is missing"),
                Map.entry("history-short", "state.history holds 0 epochs, expected 1"),
                Map.entry("history-acc", "state.history[0].testAcc is 1.5, expected a number from 0 to 1"),
                Map.entry("history-nan", "state.history[0].loss is NaN"),
                Map.entry("history-number", "state.history[0] is not an object"),
                Map.entry("progress-missing", "state.progress is missing"),
                Map.entry("progress-acc", "state.progress[0].trainAcc is 2"),
                Map.entry("next-odd", "state.next is 3, expected a multiple of the batch size 4"),
                Map.entry("next-beyond", "state.next is 12, expected a whole number from 0 to 9"),
                Map.entry("correct-beyond", "state.correct is 5, expected a whole number from 0 to 0"),
                Map.entry("loss-negative", "state.lossSum is -1"),
                Map.entry("seconds-infinite", "state.trainSeconds is Infinity"),
                Map.entry("lr-negative", "config.lr is -0.5"),
                Map.entry("lr-infinite", "config.lr is Infinity"),
                Map.entry("lr-zero", "config.lr is 0"),
                Map.entry("batch-zero", "config.batchSize is 0, expected a whole number from 1 to 4096"),
                Map.entry("batch-huge", "config.batchSize is 2147483647"),
                Map.entry("epochs-negative", "config.epochs is -1"),
                Map.entry("threads-negative", "config.threads is -2"),
                Map.entry("seed-fraction", "config.seed is 1.5"),
                Map.entry("engine-number", "config.engine is 5, expected a string"),
                Map.entry("config-missing", "config is missing"),
                Map.entry("data-missing", "data is missing"),
                Map.entry("train-negative", "data.trainExamples is -1"),
                Map.entry("crc-negative", "data.trainCrc32 is -1"),
                Map.entry("format-missing", "format is missing"),
                Map.entry("tensors-object", "tensors is not a list"),
                Map.entry("tensor-null", "tensors[0] lacks its name or shape"));
        assertEquals(HEADER_EDITS.keySet(), new TreeSet<>(field.keySet()));
        List<String> commands = List.of("eval", "predict", "resume");
        int k = 0;
        for (var e : new TreeMap<>(field).entrySet()) {
            String file = "{bad}/" + e.getKey() + ".ckpt";
            String expected = file + ": corrupt checkpoint header: " + e.getValue();
            // Each header case under one command, in turn, and the first few under all three.
            for (String command : k < 3 ? commands : List.of(commands.get(k % 3))) {
                c.add(switch (command) {
                    case "eval" -> bad("eval, header " + e.getKey(), 1, expected, "eval", file, "--data", "{data}");
                    case "predict" -> bad("predict, header " + e.getKey(), 1, expected, "predict", file, "{data}/t10k-images-idx3-ubyte.gz");
                    default -> bad("resume, header " + e.getKey(), 1, expected, "train", "--data", "{data}", "--resume", file, "--epochs", "3");
                });
            }
            k++;
        }
        c.add(bad("malformed header", 1, "{bad}/malformed.ckpt: corrupt checkpoint header (", "eval", "{bad}/malformed.ckpt", "--data", "{data}"));
        c.add(bad("header not an object", 1, "{bad}/array.ckpt: corrupt checkpoint header: the header is not a JSON object",
                "eval", "{bad}/array.ckpt", "--data", "{data}"));
        for (String w : new String[] {"nan", "inf"}) {
            String value = w.equals("nan") ? "NaN" : "Infinity";
            String expected = "{bad}/" + w + "-weight.ckpt: tensor fc1.weight holds " + value + " at index 17: not a usable model";
            c.add(bad("eval, " + w + " weight", 1, expected, "eval", "{bad}/" + w + "-weight.ckpt", "--data", "{data}"));
            c.add(bad("predict, " + w + " weight", 1, expected, "predict", "{bad}/" + w + "-weight.ckpt", "{data}/t10k-images-idx3-ubyte.gz"));
            c.add(bad("resume, " + w + " weight", 1, expected, "train", "--data", "{data}", "--resume", "{bad}/" + w + "-weight.ckpt", "--epochs", "2"));
        }

        // 6. Settings that cannot go with the engine the run uses.
        c.add(bad("device under auto on the JVM", 2, "--device selects a TornadoVM device, and this run uses the JVM engine (--engine auto: TornadoVM not found",
                with(t, "--device", "0:0")));
        c.add(bad("device with the java engine", 2, "--device selects a TornadoVM device and does not go with --engine java",
                with(t, "--engine", "java", "--device", "0:0")));
        c.add(bad("device malformed", 2, "--device must be BACKEND:DEVICE", with(t, "--device", "gpu")));
        c.add(bad("device too large", 2, "--device must be BACKEND:DEVICE", with(t, "--device", "99999:0")));
        c.add(bad("engine unknown", 2, "--engine must be one of auto, java, tornado, got 'cuda'", with(t, "--engine", "cuda")));
        c.add(bad("kernels unknown", 2, "--kernels must be cpu or plain, got 'gpu'", with(t, "--kernels", "gpu")));
        c.add(bad("kernels cpu under tornado", 2, "--kernels cpu runs on the JVM engine only", with(t, "--engine", "tornado", "--kernels", "cpu")));
        c.add(bad("tornado engine without TornadoVM", 1, "--engine tornado needs the TornadoVM runtime", with(t, "--engine", "tornado")));

        // 7. Exit codes of --profile / --print-kernels on the JVM, and FIFOs.
        c.add(bad("profile on the JVM (auto)", 2, "--profile shows what TornadoVM does and needs the TornadoVM engine", with(t, "--profile")));
        c.add(bad("profile with --engine java", 2, "--profile shows what TornadoVM does", with(t, "--engine", "java", "--profile")));
        c.add(bad("print-kernels on the JVM", 2, "--print-kernels shows what TornadoVM does", with(t, "--print-kernels", "{root}/kernels")));
        c.add(bad("a FIFO among the data files", 1, "{root}/fifo-data/train-images-idx3-ubyte.gz: not a regular file",
                "train", "--data", "{root}/fifo-data", "--out", "{new}"));
        c.add(bad("resume a FIFO", 1, "{root}/fifo.ckpt: not a regular file", "train", "--data", "{data}", "--resume", "{root}/fifo.ckpt"));
        c.add(bad("eval a FIFO", 1, "{root}/fifo.ckpt: not a regular file", "eval", "{root}/fifo.ckpt", "--data", "{data}"));
        c.add(bad("eval a device", 1, "/dev/zero: not a regular file", "eval", "/dev/zero", "--data", "{data}"));
        c.add(bad("predict a FIFO image", 1, "{root}/fifo.ckpt: not a regular file", "predict", "{ckpt}", "{root}/fifo.ckpt"));
        c.add(bad("predict /dev/null", 1, "/dev/null: not a regular file", "predict", "{ckpt}", "/dev/null"));
        c.add(bad("eval with FIFO test data", 1, "{root}/fifo-data/t10k-images-idx3-ubyte.gz: not a regular file", "eval", "{ckpt}", "--data", "{root}/fifo-data"));

        // 8. Messages that used to mislead.
        for (String option : new String[] {"--out", "--save", "--plot", "--metrics-json", "--data", "--resume", "--print-kernels"}) {
            c.add(bad("empty " + option, 2, "Invalid value for option '" + option + "': an empty path, expected a file or folder name",
                    "train", option, ""));
        }
        c.add(bad("eval --out empty", 2, "an empty path", "eval", "{ckpt}", "--out", ""));
        c.add(bad("fetch-data --dir empty", 2, "an empty path", "fetch-data", "--dir", ""));
        c.add(bad("a NUL in a path", 2, "is not a path (Nul character not allowed)", "train", "--out", "a\0b"));
        c.add(bad("eval out below a file", 1, "--out {root}/existing.txt/e: cannot create the folder ({root}/existing.txt exists and is not a folder)",
                "eval", "{ckpt}", "--data", "{data}", "--out", "{root}/existing.txt/e"));
        c.add(bad("eval out where nothing can be made", 1, "--out /sys/lenet-eval: cannot create the folder (",
                "eval", "{ckpt}", "--data", "{data}", "--out", "/sys/lenet-eval"));

        // fetch-data with URLs it cannot use: one line, and no folder left behind.
        String[] f = {"fetch-data", "--dir", "{new}", "--url"};
        c.add(bad("url without scheme", 2, "--url notaurl: no scheme; expected an http:// or https:// URL", with(f, "notaurl")));
        c.add(bad("url ftp", 2, "--url ftp://example.org/fm/: the scheme ftp is not supported", with(f, "ftp://example.org/fm/")));
        c.add(bad("url file", 2, "--url file:///tmp/fm: the scheme file is not supported", with(f, "file:///tmp/fm")));
        c.add(bad("url mailto", 2, "the scheme mailto is not supported", with(f, "mailto:someone@example.org")));
        c.add(bad("url without host", 2, "--url http:///fm: no host name", with(f, "http:///fm")));
        c.add(bad("url with a space", 2, "--url 'ht tp://x' is not a URL (Illegal character in scheme name at index 2)", with(f, "ht tp://x")));
        c.add(bad("url empty", 2, "--url : no scheme", with(f, "")));
        c.add(bad("url refused", 1, "/train-images-idx3-ubyte.gz: download failed (", with(f, "http://127.0.0.1:{port}")));
        c.add(bad("fetch into a file", 1, "{root}/existing.txt: is a file, expected a folder",
                "fetch-data", "--dir", "{root}/existing.txt", "--url", "http://127.0.0.1:{port}"));

        // Beyond: commands, arguments, data folders.
        c.add(bad("no command", 2, "missing a command"));
        c.add(bad("unknown command", 2, "Unmatched argument at index 0: 'trian'", "trian"));
        c.add(bad("unknown option", 2, "Unknown options: '--epoch', '2'", "train", "--epoch", "2"));
        c.add(bad("option without value", 2, "Missing required parameter for option '--epochs'", "train", "--epochs"));
        c.add(bad("eval without checkpoint", 2, "Missing required parameter: 'CHECKPOINT'", "eval"));
        c.add(bad("predict without images", 2, "Missing required parameter", "predict", "{ckpt}"));
        c.add(bad("data is a file", 1, "--data {root}/existing.txt: not a folder", "train", "--data", "{root}/existing.txt", "--out", "{new}"));
        c.add(bad("data missing", 1, "--data {root}/none: no such folder", "train", "--data", "{root}/none", "--out", "{new}"));
        c.add(bad("data empty", 1, "--data {root}/empty: no Fashion-MNIST there", "train", "--data", "{root}/empty", "--out", "{new}"));
        c.add(bad("eval a missing checkpoint", 1, "{root}/none.ckpt: no such file", "eval", "{root}/none.ckpt"));
        c.add(bad("eval a text file", 1, "{root}/existing.txt: not a lenet checkpoint", "eval", "{root}/existing.txt"));
        c.add(bad("predict a text file", 1, "{root}/existing.txt: ", "predict", "{ckpt}", "{root}/existing.txt"));
        c.add(bad("predict a missing image", 1, "{root}/none.png: no such file", "predict", "{ckpt}", "{root}/none.png"));
        c.add(bad("predict a folder", 1, "{root}/empty: is a directory", "predict", "{ckpt}", "{root}/empty"));
        c.add(bad("predict image N beyond the file", 1, "{data}/t10k-images-idx3-ubyte.gz#6: no image 6: {data}/t10k-images-idx3-ubyte.gz holds 6 (#0 to #5)",
                "predict", "{ckpt}", "{data}/t10k-images-idx3-ubyte.gz#6"));

        // inspect: nothing is drawn, no folder made (not even the default one beside the checkpoint).
        String test0 = "{data}/t10k-images-idx3-ubyte.gz#0";
        c.add(bad("inspect without images", 2, "Missing required parameter: 'IMAGE'", "inspect", "{ckpt}"));
        c.add(bad("inspect a missing checkpoint", 1, "{root}/none.ckpt: no such file", "inspect", "{root}/none.ckpt", test0));
        c.add(bad("inspect a text file as checkpoint", 1, "{root}/existing.txt: not a lenet checkpoint", "inspect", "{root}/existing.txt", test0));
        c.add(bad("inspect a FIFO checkpoint", 1, "{root}/fifo.ckpt: not a regular file", "inspect", "{root}/fifo.ckpt", test0));
        c.add(bad("inspect a checkpoint with NaN", 1, "{bad}/nan-weight.ckpt: tensor fc1.weight holds NaN at index 17: not a usable model",
                "inspect", "{bad}/nan-weight.ckpt", test0));
        c.add(bad("inspect a checkpoint with a bad header", 1, "{bad}/lr-zero.ckpt: corrupt checkpoint header: ", "inspect", "{bad}/lr-zero.ckpt", test0));
        c.add(bad("inspect a text file as image", 1, "{root}/existing.txt: not a PNG image nor an IDX images file",
                "inspect", "{ckpt}", test0, "{root}/existing.txt"));
        c.add(bad("inspect a broken PNG", 1, "{root}/existing.png: not a PNG image nor an IDX images file", "inspect", "{ckpt}", "{root}/existing.png"));
        c.add(bad("inspect a missing image", 1, "{root}/none.png: no such file", "inspect", "{ckpt}", "{root}/none.png"));
        c.add(bad("inspect a folder as image", 1, "{root}/empty: is a directory", "inspect", "{ckpt}", "{root}/empty"));
        c.add(bad("inspect a FIFO image", 1, "{root}/fifo.ckpt: not a regular file", "inspect", "{ckpt}", "{root}/fifo.ckpt"));
        c.add(bad("inspect /dev/null", 1, "/dev/null: not a regular file", "inspect", "{ckpt}", "/dev/null"));
        c.add(bad("inspect a whole IDX file", 1, "{data}/t10k-images-idx3-ubyte.gz: an IDX file of many images; name one of them as "
                + "{data}/t10k-images-idx3-ubyte.gz#N (N from 0)", "inspect", "{ckpt}", "{data}/t10k-images-idx3-ubyte.gz"));
        c.add(bad("inspect image N beyond the file", 1, "{data}/t10k-images-idx3-ubyte.gz#6: no image 6: {data}/t10k-images-idx3-ubyte.gz holds 6 (#0 to #5)",
                "inspect", "{ckpt}", "{data}/t10k-images-idx3-ubyte.gz#6"));
        c.add(bad("inspect #N of a labels file", 1, "{data}/t10k-labels-idx1-ubyte.gz: wrong magic number 0x00000801 (IDX labels), "
                + "expected 0x00000803 (IDX images)", "inspect", "{ckpt}", "{data}/t10k-labels-idx1-ubyte.gz#0"));
        c.add(bad("inspect top 0", 2, "--top must be 1..10, got 0", "inspect", "{ckpt}", test0, "--top", "0"));
        c.add(bad("inspect top 11", 2, "--top must be 1..10, got 11", "inspect", "{ckpt}", test0, "--top", "11"));
        String[] many = new String[2 + 17];
        many[0] = "inspect";
        many[1] = "{ckpt}";
        Arrays.fill(many, 2, many.length, test0);
        c.add(bad("inspect 17 images", 2, "at most 16 images, got 17", many));
        c.add(bad("inspect out empty", 2, "Invalid value for option '--out': an empty path", "inspect", "{ckpt}", test0, "--out", ""));
        c.add(bad("inspect out a file", 2, "--out {root}/existing.txt is a file, expected a folder", "inspect", "{ckpt}", test0, "--out", "{root}/existing.txt"));
        c.add(bad("inspect out below a file", 1, "--out {root}/existing.txt/i: cannot create the folder ({root}/existing.txt exists and is not a folder)",
                "inspect", "{ckpt}", test0, "--out", "{root}/existing.txt/i"));
        c.add(bad("inspect out where nothing can be made", 1, "--out /sys/lenet-inspect: cannot create the folder (",
                "inspect", "{ckpt}", test0, "--out", "/sys/lenet-inspect"));
        return c.stream();
    }

    static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** The placeholders filled in; {@code {new}} is a folder of the case's own, so a case that fails cannot spoil the next. */
    static String fill(String s, String name) {
        return s.replace("{new}", root.resolve("new-" + name.replaceAll("[^A-Za-z0-9]+", "-")).toString())
                .replace("{root}", root.toString()).replace("{data}", data.toString()).replace("{ckpt}", ckpt.toString())
                .replace("{run}", run.toString()).replace("{bad}", root.resolve("bad").toString())
                .replace("{port}", Integer.toString(closedPort));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineTheExitCodeAndNoFileChanged(String name, int code, String expected, List<String> args) throws IOException {
        String[] filled = args.stream().map(a -> fill(a, name)).toArray(String[]::new);
        Map<String, String> before = snapshot(root);
        List<String> runsBefore = listing(Path.of("runs"));
        // A FIFO read would block for ever: a case that hangs fails instead.
        CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliTest.run(filled), name);
        String err = r.err();
        assertEquals(code, r.code(), name + ": exit code; stderr: " + err + "; stdout: " + r.out());
        assertEquals(1, err.lines().count(), name + ": one line: " + err);
        assertTrue(err.startsWith("lenet: "), name + ": " + err);
        assertTrue(err.contains(fill(expected, name)), name + ": stderr should contain '" + fill(expected, name) + "': " + err);
        assertFalse(err.matches("(?s).*\\b(java|javax|com|sun|jdk)\\.[a-z]+\\.\\w*.*"), name + ": no Java class name: " + err);
        assertEquals("", r.out(), name + ": nothing on stdout");
        assertEquals(before, snapshot(root), name + ": no file changed, created or removed");
        assertEquals(runsBefore, listing(Path.of("runs")), name + ": no run folder made in the current folder");
    }

    @Test
    void theTableHoldsAtLeastAHundredCases() {
        assertTrue(cases().count() >= 100, cases().count() + " cases");
    }

    /** Every file and folder under {@code dir}: its kind, size and, for a regular file, its content's SHA-256 and time. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isDirectory() ? "folder" : a.isSymbolicLink() ? "link " + Files.readSymbolicLink(p)
                        : a.isRegularFile() ? "file " + a.size() + " " + sha256(p) + " " + a.lastModifiedTime() : "other";
                files.put(dir.relativize(p).toString(), what);
            }
        }
        return files;
    }

    static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::toString).sorted().toList();
        }
    }

    private static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
