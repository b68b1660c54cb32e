package lenet.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Small synthetic Fashion-MNIST folders for command-line tests: random 28×28 images, labels i mod 10. */
final class FashionFiles {
    private FashionFiles() {
    }

    /** The four gzip files: {@code train} and {@code test} images, pixel bytes from a seeded generator. */
    static Path write(Path dir, int train, int test) {
        Random r = new Random(1);
        try {
            Files.createDirectories(dir);
            for (String set : new String[] {"train", "t10k"}) {
                int n = set.equals("train") ? train : test;
                ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
                byte[] pixels = new byte[n * 784];
                r.nextBytes(pixels);
                images.put(pixels);
                Files.write(dir.resolve(set + "-images-idx3-ubyte.gz"), gzip(images.array()));
                ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
                for (int i = 0; i < n; i++) {
                    labels.put((byte) (i % 10));
                }
                Files.write(dir.resolve(set + "-labels-idx1-ubyte.gz"), gzip(labels.array()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] content) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }
}
