package lenet.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Small synthetic IDX files for the data tests. */
final class IdxFiles {
    private IdxFiles() {
    }

    /** An IDX header (magic, then the sizes) followed by {@code data}. */
    static byte[] idx(int magic, int[] sizes, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
        b.putInt(magic);
        for (int s : sizes) {
            b.putInt(s);
        }
        return b.put(data).array();
    }

    /** count images of rows×cols; the file's pixel bytes run 0, 1, .., 255, 0, 1, .. */
    static byte[] images(int count, int rows, int cols) {
        return idx(Idx.IMAGES_MAGIC, new int[] {count, rows, cols}, pixels(count * rows * cols));
    }

    static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int j = 0; j < n; j++) {
            p[j] = (byte) j;
        }
        return p;
    }

    /** count labels: i mod 10. */
    static byte[] labels(int count) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) {
            l[i] = (byte) (i % 10);
        }
        return idx(Idx.LABELS_MAGIC, new int[] {count}, l);
    }

    static byte[] gzip(byte[] content) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The four Fashion-MNIST files with {@code train} and {@code test} 28×28 examples, gzip or raw. */
    static void fashion(Path dir, int train, int test, boolean gzip) {
        String ext = gzip ? ".gz" : "";
        write(dir, "train-images-idx3-ubyte" + ext, maybeGzip(images(train, 28, 28), gzip));
        write(dir, "train-labels-idx1-ubyte" + ext, maybeGzip(labels(train), gzip));
        write(dir, "t10k-images-idx3-ubyte" + ext, maybeGzip(images(test, 28, 28), gzip));
        write(dir, "t10k-labels-idx1-ubyte" + ext, maybeGzip(labels(test), gzip));
    }

    private static byte[] maybeGzip(byte[] content, boolean gzip) {
        return gzip ? gzip(content) : content;
    }
}
