package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.train.Checkpoint;
import lenet.train.MetricsFile;
import java.io.Writer;

/**
 * Ctrl-C during training, for real: a {@code lenet train} process gets SIGINT while it trains, saves a
 * checkpoint (and its metrics and chart) at the next batch boundary, says so in one line, and exits
 * with status 130 (SIGTERM: 143); the checkpoint then resumes.
 */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void sigintSavesACheckpointAndExits130() throws Exception {
        Path data = FashionFiles.write(dir.resolve("data"), 10, 4);
        Path out = dir.resolve("run");
        Path save = out.resolve("model.ckpt");
        List<String> command = new ArrayList<>();
        // SIGINT may be ignored by whoever started the tests (a background job), and an ignored signal
        // stays ignored across exec: restore its default where env can.
        if (envResetsSignals()) {
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--module-path", System.getProperty("jdk.module.path"), "-m", "lenet/lenet.cli.Cli",
                "train", "--data", data.toString(), "--epochs", "1000", "--batch-size", "2", "--threads", "1",
                "--out", out.toString()));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = stdout.readLine()) != null && !line.startsWith("epoch 1/1000  batch 2/5")) {
                // header lines, then progress: five steps per epoch, a line each
            }
            assertTrue(line != null, "the run did not get to train; stderr: " + Files.readString(dir.resolve("stderr.txt")));
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            stdout.transferTo(Writer.nullWriter());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process should end");
        } finally {
            p.destroyForcibly();
        }
        // The JVM's own notice that the Vector API (an incubator module, used by the CPU kernels) is in use.
        String err = Files.readString(dir.resolve("stderr.txt")).replaceFirst("WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
        assertEquals(130, p.exitValue(), "stderr: " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.matches("lenet: interrupted at (epoch \\d+/1000, batch \\d/5|the end of epoch \\d+/1000); saved " + save
                + " \\(continue with: lenet train --resume " + save + "\\)\\R"), err);

        Checkpoint c = Checkpoint.read(save);
        assertFalse(c.state().complete(1000));
        assertTrue(c.state().epoch() > 1 || c.state().next() >= 4, "at least the two steps seen: " + c.state());
        assertEquals(c.state().history(), MetricsFile.read(out.resolve("metrics.json")).history);
        assertTrue(Files.size(out.resolve("curves.png")) > 0, "the chart, drawn even though the JVM is shutting down");

        // And the run goes on from there, to the end of the epoch it was in.
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--resume", save.toString(),
                "--epochs", Integer.toString(c.state().epoch()), "--no-plot");
        assertEquals(0, r.code(), r.err());
        assertTrue(Checkpoint.read(save).state().complete(c.state().epoch()));
    }

    /**
     * SIGTERM, as a service manager or {@code kill} sends it: the same save, and status 143 (128 + 15, as the
     * shell counts). While the run trains, its folder is locked: a second run into it is refused, naming the
     * first's process, and changes nothing.
     */
    @Test
    void sigtermSavesExits143AndARunningFolderIsLocked() throws Exception {
        Path data = FashionFiles.write(dir.resolve("data"), 10, 4);
        Path out = dir.resolve("run");
        Path save = out.resolve("model.ckpt");
        List<String> command = new ArrayList<>();
        if (envResetsSignals()) {
            command.addAll(List.of("env", "--default-signal=TERM"));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--module-path", System.getProperty("jdk.module.path"), "-m", "lenet/lenet.cli.Cli",
                "train", "--data", data.toString(), "--epochs", "1000", "--batch-size", "2", "--threads", "1",
                "--out", out.toString(), "--no-plot"));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = stdout.readLine()) != null && !line.startsWith("epoch 1/1000  batch 2/5")) {
                // header lines, then progress
            }
            assertTrue(line != null, "the run did not get to train; stderr: " + Files.readString(dir.resolve("stderr.txt")));

            // A second run into the same folder, while the first trains.
            CliTest.fails(2, "--out " + out + " is in use by another lenet train run (process " + p.pid() + ")",
                    "train", "--data", data.toString(), "--out", out.toString());
            assertTrue(p.isAlive(), "the first run goes on");

            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
            stdout.transferTo(Writer.nullWriter());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process should end");
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(dir.resolve("stderr.txt")).replaceFirst("WARNING: Using incubator modules: jdk.incubator.vector\\R", "");
        assertEquals(143, p.exitValue(), "stderr: " + err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("lenet: interrupted at "), err);
        Checkpoint c = Checkpoint.read(save);
        assertEquals(c.state().history(), MetricsFile.read(out.resolve("metrics.json")).history, "the folder agrees with its checkpoint");
        assertFalse(Files.exists(out.resolve(RunLock.NAME)), "the lock is gone with the run");
    }

    private static boolean envResetsSignals() throws IOException, InterruptedException {
        try {
            return new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
