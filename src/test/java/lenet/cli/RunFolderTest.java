package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import lenet.train.TrainState;

/** The run folder: the checkpoint goes before the metrics that describe it, the lock, the room a run needs. */
class RunFolderTest {
    @TempDir
    Path dir;

    static final Checkpoint.Config CONFIG = new Checkpoint.Config(3, 4, 0.5f, 42, "java", "JVM", 1, "cpu");
    static final Checkpoint.Data DATA = new Checkpoint.Data(10, 6, 0, 0L);

    static RunMetrics metrics(int epochs) {
        RunMetrics m = new RunMetrics();
        for (int e = 1; e <= epochs; e++) {
            m.history.add(new RunMetrics.Epoch(e, 2.0, 0.2, 0.2, 1.0, 10.0));
        }
        return m;
    }

    static TrainState after(RunMetrics m) {
        return new TrainState(m.history.size() + 1, 0, 0, 0, 0, m.history.size(), m.history, m.progress);
    }

    @Test
    void afterEveryEpochTheCheckpointAndThenTheMetrics() throws IOException {
        Path out = dir.resolve("run");
        RunFolder.Paths paths = new RunFolder.Paths(out, null, out.resolve("model.ckpt"), false, null);
        // The checkpoint of epoch 2 cannot be written (a full disk, say): the run stops there.
        RunFolder folder = new RunFolder(paths, null, new PrintWriter(new StringWriter()), state -> {
            if (state.epochsDone() == 2) {
                throw new UncheckedIOException(out.resolve("model.ckpt") + ": cannot write checkpoint (No space left on device)",
                        new IOException("No space left on device"));
            }
            return new Checkpoint(CONFIG, DATA, state, Params.xavier(1));
        });
        folder.open(false, 3);
        try {
            folder.epochEnded(metrics(1), after(metrics(1)));
            assertEquals(1, Checkpoint.read(out.resolve("model.ckpt")).state().epochsDone(), "saved after epoch 1, not only at the end");
            assertThrows(UncheckedIOException.class, () -> folder.epochEnded(metrics(2), after(metrics(2))));
        } finally {
            folder.close();
        }
        // The folder claims no more than its checkpoint holds.
        assertEquals(Checkpoint.read(out.resolve("model.ckpt")).state().history(), MetricsFile.read(out.resolve("metrics.json")).history);
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size(), "header and epoch 1");
        assertFalse(Files.exists(out.resolve(RunLock.NAME)), "unlocked at the end");
    }

    @Test
    void aLockedFolderIsRefusedNamingItsProcess() throws Exception {
        Path out = Files.createDirectories(dir.resolve("run"));
        try (RunLock held = RunLock.acquire(out)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(out.resolve(RunLock.NAME)));
            RunLock.Busy busy = assertThrows(RunLock.Busy.class, () -> RunLock.acquire(out));
            assertEquals("process " + ProcessHandle.current().pid(), busy.getMessage());
            RunFolder second = new RunFolder(new RunFolder.Paths(out, null, out.resolve("model.ckpt"), false, null), null,
                    new PrintWriter(new StringWriter()), s -> null);
            RunFolder.UsageError e = assertThrows(RunFolder.UsageError.class, () -> second.open(false, 1));
            assertEquals("--out " + out + " is in use by another lenet train run (process " + ProcessHandle.current().pid()
                    + "): wait for it to end, or give another folder", e.getMessage());
            assertTrue(Files.exists(out.resolve(RunLock.NAME)), "the first run's lock stays");
        }
        assertFalse(Files.exists(out.resolve(RunLock.NAME)));
        // A lock file left by a killed run holds no lock: it is taken over, and the folder counts as empty.
        Files.writeString(out.resolve(RunLock.NAME), "999999\n");
        assertTrue(OutputOptions.isEmpty(out));
        try (RunLock taken = RunLock.acquire(out)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(out.resolve(RunLock.NAME)));
        }
    }

    @Test
    void aFolderThatCouldNotBeReadiedIsRemoved() {
        Path out = dir.resolve("run");
        RunFolder folder = new RunFolder(new RunFolder.Paths(out, Path.of("/sys/lenet-test.png"), out.resolve("model.ckpt"), false, null),
                null, new PrintWriter(new StringWriter()), s -> null);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> folder.open(false, 1));
        assertTrue(e.getMessage().startsWith("--plot /sys/lenet-test.png: cannot write into /sys ("), e.getMessage());
        assertFalse(Files.exists(out), "the folder it made is gone");
    }

    @Test
    void theRoomARunNeedsIsCheckedAndCoversWhatItWrites() throws IOException {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RunFolder.checkSpace("--out runs/a", 3_000_000, 1_000_000));
        assertEquals("--out runs/a: not enough free space: the run writes up to 3,000,000 bytes, the file system has 1,000,000 free",
                e.getMessage());
        RunFolder.checkSpace("--out runs/a", 3_000_000, 3_000_000);

        // A real run of 3 epochs with a checkpoint per epoch writes less than the estimate.
        Path data = FashionFiles.write(dir.resolve("data"), 10, 6);
        Path out = dir.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--epochs", "3", "--batch-size", "4", "--threads", "1",
                "--out", out.toString(), "--save-every-epoch", "--metrics-json", dir.resolve("m.json").toString());
        assertEquals(0, r.code(), r.err());
        long written;
        try (Stream<Path> files = Stream.concat(Files.list(out), Stream.of(dir.resolve("m.json")))) {
            written = files.mapToLong(p -> p.toFile().length()).sum();
        }
        RunFolder folder = new RunFolder(new RunFolder.Paths(out, out.resolve("curves.png"), out.resolve("model.ckpt"), true, null),
                dir.resolve("m.json"), new PrintWriter(new StringWriter()), s -> null);
        assertTrue(folder.bytesNeeded(3) > written, folder.bytesNeeded(3) + " bytes estimated, " + written + " written");
        assertEquals(List.of("curves.png", "epoch-1.ckpt", "epoch-2.ckpt", "epoch-3.ckpt", "metrics.csv", "metrics.json", "model.ckpt"),
                Files.list(out).map(p -> p.getFileName().toString()).sorted().toList(), "and no lock left");
    }
}
