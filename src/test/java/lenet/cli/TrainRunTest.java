package lenet.cli;

import static lenet.cli.CliTest.fails;
import static lenet.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.cli.CliTest.Result;
import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;

/** {@code lenet train}'s run folder, checkpoints and --resume, from the command line. */
class TrainRunTest {
    @TempDir
    Path dir;
    Path data;

    @BeforeEach
    void data() {
        data = FashionFiles.write(dir.resolve("data"), 10, 6);
    }

    /** A short run: 10 examples in batches of 4 (steps of 4, 4, 2), one thread. */
    Result train(String... more) {
        String[] base = {"train", "--data", data.toString(), "--batch-size", "4", "--threads", "1", "--lr", "0.5"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return run(args);
    }

    @Test
    void aRunFillsItsFolder() throws IOException {
        Path out = dir.resolve("run");
        Result r = train("--epochs", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("run folder: " + out, lines.get(2), "named at the start");
        assertEquals("run folder: " + out + " (model.ckpt, metrics.json, metrics.csv, curves.png)", lines.getLast(), "and at the end");
        assertTrue(lines.stream().anyMatch(l -> l.matches("epoch 1/2  batch 3/3  loss \\d\\.\\d{4}  train acc \\d\\.\\d{3}  [\\d,]+ examples/s")),
                "d2l progress lines: " + r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("epoch 2/2: loss ")), r.out());

        RunMetrics m = MetricsFile.read(out.resolve("metrics.json"));
        assertEquals(2, m.history.size());
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(List.of(MetricsFile.CSV_HEADER), csv.subList(0, 1));
        assertEquals(3, csv.size(), "a row per epoch: " + csv);
        assertTrue(csv.get(2).startsWith("2,"), csv.get(2));
        assertEquals(720, ImageIO.read(out.resolve("curves.png").toFile()).getWidth());
        Checkpoint c = Checkpoint.read(out.resolve("model.ckpt"));
        assertTrue(c.state().complete(2));
        assertEquals(new Checkpoint.Config(2, 4, 0.5f, 42, "java", "JVM, 1 thread, cpu kernels", 1, "cpu"), c.config());
        assertEquals(10, c.data().trainExamples());
        assertEquals(m.history, c.state().history());
    }

    @Test
    void aFolderInUseIsRefused() throws IOException {
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("notes.txt"), "mine");
        fails(2, "--out " + used + " is not empty: give a new folder", "train", "--data", data.toString(), "--out", used.toString());
        Files.writeString(used.resolve("model.ckpt"), "x");
        fails(2, "give a new folder, or --resume " + used.resolve("model.ckpt") + " to continue that run",
                "train", "--data", data.toString(), "--out", used.toString());
        fails(2, "--out " + used.resolve("notes.txt") + " is a file, expected a folder",
                "train", "--out", used.resolve("notes.txt").toString());
        fails(2, "--save " + used.resolve("model.ckpt") + " exists: give a new file name",
                "train", "--out", dir.resolve("new").toString(), "--save", used.resolve("model.ckpt").toString());
        fails(2, "--plot and --no-plot do not go together", "train", "--plot", "x.png", "--no-plot");
        assertEquals(List.of("model.ckpt", "notes.txt"), Files.list(used).map(p -> p.getFileName().toString()).sorted().toList(),
                "nothing touched");
        assertFalse(Files.exists(dir.resolve("new")));
    }

    @Test
    void defaultFoldersAreNamedByTimeAndNeverShared() throws IOException {
        Path runs = dir.resolve("runs");
        LocalDateTime t = LocalDateTime.of(2026, 3, 4, 5, 6, 7);
        assertEquals(runs.resolve("20260304-050607"), OutputOptions.freshRunFolder(runs, t));
        Files.writeString(Files.createDirectories(runs.resolve("20260304-050607")).resolve("metrics.json"), "{}");
        assertEquals(runs.resolve("20260304-050607-2"), OutputOptions.freshRunFolder(runs, t));
        Files.createDirectories(runs.resolve("20260304-050607-2"));
        assertEquals(runs.resolve("20260304-050607-2"), OutputOptions.freshRunFolder(runs, t), "an empty folder is fine");
    }

    @Test
    void noPlotSaveElsewhereAndACheckpointPerEpoch() throws IOException {
        Path out = dir.resolve("run");
        Path save = dir.resolve("final.ckpt");
        Path json = dir.resolve("copy.json");
        Result r = train("--epochs", "2", "--out", out.toString(), "--no-plot", "--save", save.toString(), "--save-every-epoch",
                "--metrics-json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("curves.png")));
        assertTrue(Checkpoint.read(save).state().complete(2));
        assertEquals(2, Checkpoint.read(out.resolve("epoch-1.ckpt")).state().epoch());
        assertEquals(1, Checkpoint.read(out.resolve("epoch-1.ckpt")).state().history().size());
        assertTrue(Checkpoint.read(out.resolve("epoch-2.ckpt")).state().complete(2));
        assertEquals(2, MetricsFile.read(json).history.size());
        assertTrue(r.out().contains("run folder: " + out + " (" + save + ", metrics.json, metrics.csv)"), r.out());
    }

    @Test
    void resumingFromTheCommandLineEndsWithTheSameWeights() throws IOException {
        Path full = dir.resolve("full");
        assertEquals(0, train("--epochs", "2", "--out", full.toString(), "--no-plot").code());
        Path part = dir.resolve("part");
        assertEquals(0, train("--epochs", "1", "--out", part.toString(), "--no-plot").code());
        Path ckpt = part.resolve("model.ckpt");

        // The settings come from the checkpoint; only --epochs is given, to train on.
        Result r = run("train", "--data", data.toString(), "--resume", ckpt.toString(), "--epochs", "2", "--no-plot");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run folder: " + part + System.lineSeparator()), "the checkpoint's folder: " + r.out());
        assertTrue(r.out().contains("resuming " + ckpt + ": the end of epoch 1/2"), r.out());
        assertFalse(r.out().contains("epoch 1/2  batch") || r.out().contains("epoch 1/2: loss"), "epoch 1 is not run again: " + r.out());
        Params a = Checkpoint.read(full.resolve("model.ckpt")).params();
        Params b = Checkpoint.read(ckpt).params();
        assertEquals(0.0f, a.maxAbsDiff(b), "weights of 1 + 1 epochs vs 2 epochs");
        lenet.train.ResumeTestAccess.assertBitwiseEqual(a, b);
        assertEquals(2, Files.readAllLines(part.resolve("metrics.csv")).size() - 1, "both epochs in metrics.csv");
    }

    @Test
    void aResumeThatCannotContinueThatRunIsRefused() throws IOException {
        Path part = dir.resolve("part");
        assertEquals(0, train("--epochs", "1", "--out", part.toString(), "--no-plot").code());
        String ckpt = part.resolve("model.ckpt").toString();
        fails(2, "--lr 0.1 differs from the checkpoint's 0.5 (--resume continues a run with its settings)",
                "train", "--data", data.toString(), "--resume", ckpt, "--lr", "0.1", "--epochs", "2");
        fails(2, "--batch-size 8 differs from the checkpoint's 4", "train", "--data", data.toString(), "--resume", ckpt,
                "--batch-size", "8", "--epochs", "2");
        fails(2, "--resume " + ckpt + ": that run has done 1 epoch; give --epochs N with N > 1 to train on",
                "train", "--data", data.toString(), "--resume", ckpt);
        fails(2, "--train-limit 8 differs from the checkpoint's 10 training examples", "train", "--data", data.toString(),
                "--resume", ckpt, "--epochs", "2", "--train-limit", "8");
        // The same labels, one pixel changed.
        Path other = FashionFiles.write(dir.resolve("other"), 10, 6);
        Files.write(other.resolve("train-images-idx3-ubyte.gz"), FashionFiles.gzip(flipFirstPixel(data.resolve("train-images-idx3-ubyte.gz"))));
        fails(1, "trained on other data", "train", "--data", other.toString(), "--resume", ckpt, "--epochs", "2");
        fails(2, "--out " + dir.resolve("data") + " is not empty", "train", "--data", data.toString(), "--resume", ckpt,
                "--epochs", "2", "--out", dir.resolve("data").toString());
        Path bad = Files.write(dir.resolve("bad.ckpt"), new byte[] {'L', 'E', 'N', 'E', 'T', 'C', 'K', 'P', 1, 0, 0, 0});
        fails(1, "lenet: " + bad + ": truncated checkpoint (12 bytes)", "train", "--data", data.toString(), "--resume", bad.toString());
        fails(1, "lenet: " + dir.resolve("none.ckpt") + ": no such file", "train", "--resume", dir.resolve("none.ckpt").toString());
    }

    /** The images of a gzip IDX file with the first pixel changed. */
    static byte[] flipFirstPixel(Path gz) throws IOException {
        byte[] raw;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            raw = in.readAllBytes();
        }
        raw[16] ^= 1;
        return raw;
    }

    @Test
    void aThreadCountBeyondTheMachineOrTheBatchIsCappedWithANote() {
        int cores = Runtime.getRuntime().availableProcessors();
        Path out = dir.resolve("run");
        Result r = run("train", "--data", data.toString(), "--batch-size", "4", "--lr", "0.5", "--epochs", "1", "--no-plot",
                "--threads", "2147483647", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        int used = Math.min(cores, 4);
        assertEquals("lenet: note: --threads 2147483647: using " + used + ", "
                + (used == cores ? "the cores this machine has" : "the examples of a batch (--batch-size 4)"), r.err().strip());
        assertEquals(used, Checkpoint.read(out.resolve("model.ckpt")).config().threads());
        assertTrue(r.out().contains("engine java on JVM, " + used + " thread"), r.out());

        // A batch of one example keeps one thread busy at most.
        Result one = run("train", "--data", data.toString(), "--batch-size", "1", "--epochs", "1", "--no-plot", "--threads", "64",
                "--out", dir.resolve("one").toString());
        assertEquals(0, one.code(), one.err());
        assertEquals("lenet: note: --threads 64: using 1, " + (cores == 1 ? "the cores this machine has" : "the examples of a batch (--batch-size 1)"),
                one.err().strip());

        Result eval = run("eval", out.resolve("model.ckpt").toString(), "--data", data.toString(), "--threads", "100000");
        assertEquals(0, eval.code(), eval.err());
        assertEquals("lenet: note: --threads 100000: using " + cores + ", the cores this machine has", eval.err().strip());
    }

    @Test
    void helpListsTheNewCommands() {
        Result r = run("--help");
        assertTrue(r.out().contains("eval") && r.out().contains("predict"), r.out());
        for (String command : new String[] {"eval", "predict"}) {
            Result h = run(command, "--help");
            assertEquals(0, h.code(), command);
            assertTrue(h.out().startsWith("Usage: lenet " + command), h.out());
        }
        Result t = run("train", "--help");
        for (String option : new String[] {"--out", "--plot", "--no-plot", "--save", "--save-every-epoch", "--resume", "--plain"}) {
            assertTrue(t.out().contains(option), option + " in " + t.out());
        }
    }
}
