package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --print-kernels / --profile / --verify-every} without TornadoVM (the stand-in runtime). */
class StudyOptionsTest {
    @TempDir
    Path dir;

    @Test
    void kernelsAndProfileNeedTheTornadoEngine() throws IOException {
        writeFashion(dir, 4);
        CliTest.fails(2, "lenet: --profile shows what TornadoVM does and needs the TornadoVM engine, but this run uses the JVM engine",
                "train", "--data", dir.toString(), "--profile");
        CliTest.fails(2, "lenet: --print-kernels shows what TornadoVM does",
                "train", "--data", dir.toString(), "--engine", "java", "--print-kernels", dir.resolve("k").toString());
    }

    @Test
    void badValuesAreUsageErrors() throws IOException {
        writeFashion(dir, 4);
        CliTest.fails(2, "lenet: --verify-every must be positive, got 0", "train", "--data", dir.toString(), "--verify-every", "0");
        Path file = Files.writeString(dir.resolve("f"), "");
        CliTest.fails(2, "lenet: --print-kernels " + file + " is a file, expected a folder",
                "train", "--data", dir.toString(), "--engine", "tornado", "--print-kernels", file.toString());
    }

    @Test
    void verifyEveryReportsEachCheck() throws IOException {
        writeFashion(dir, 6);
        CliTest.Result r = CliTest.run("train", "--data", dir.toString(), "--epochs", "1", "--batch-size", "2", "--threads", "1",
                "--engine", "java", "--verify-every", "2", "--out", dir.resolve("run").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("verify: every 2 steps, the step's update against the JVM engine's"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.matches("verify step 2: largest difference \\S+ in \\S+ \\(.*, tolerance 5\\.0e-03")).count(),
                r.out());
    }

    /** The four Fashion-MNIST files, gzip, each set with n blank 28×28 images, labels i mod 10. */
    private static void writeFashion(Path dir, int n) throws IOException {
        for (String set : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(set + "-images-idx3-ubyte.gz"),
                    gzip(ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28).array()));
            ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n; i++) {
                labels.put((byte) (i % 10));
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
