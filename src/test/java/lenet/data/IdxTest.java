package lenet.data;

import static lenet.data.IdxFiles.gzip;
import static lenet.data.IdxFiles.idx;
import static lenet.data.IdxFiles.images;
import static lenet.data.IdxFiles.labels;
import static lenet.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** Asserts that reading fails with one line naming the file and containing {@code expected}. */
    static void fails(Path file, String expected, Executable read) {
        DataException e = assertThrows(DataException.class, read);
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), "message should start with the file name: " + m);
        assertTrue(m.contains(expected), "message should contain '" + expected + "': " + m);
        assertFalse(m.contains("\n"), "message should be one line: " + m);
    }

    static void failsImages(Path file, String expected) {
        fails(file, expected, () -> Idx.readImages(file));
    }

    @Test
    void readsRawImagesAsBytesOver255() {
        Idx.Images im = Idx.readImages(write(dir, "im", images(3, 28, 28)));
        assertEquals(3, im.count());
        assertEquals(28, im.rows());
        assertEquals(28, im.cols());
        assertEquals(3 * 28 * 28, im.pixels().getSize());
        for (int j = 0; j < im.pixels().getSize(); j++) {
            assertEquals((byte) j, im.pixels().get(j), "pixel " + j);
            // Exact: the same float32 division as torchvision's ToTensor.
            assertEquals((j % 256) / 255f, Idx.value(im.pixels().get(j)), 0f, "pixel " + j);
        }
        assertEquals(1f, Idx.value(im.pixels().get(255)), 0f);
    }

    @Test
    void readsGzipByContentWhateverTheName() {
        byte[] raw = images(2, 5, 7);
        Idx.Images a = Idx.readImages(write(dir, "raw", raw));
        Idx.Images b = Idx.readImages(write(dir, "compressed-without-gz-suffix", gzip(raw)));
        assertEquals(5, b.rows());
        assertEquals(7, b.cols());
        assertArrayEquals(a.pixels().toHeapArray(), b.pixels().toHeapArray());
    }

    @Test
    void readsLabels() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1},
                Idx.readLabels(write(dir, "lb.gz", gzip(labels(12))), 10));
    }

    @Test
    void wrongMagic() {
        failsImages(write(dir, "labels-as-images", labels(4)),
                "wrong magic number 0x00000801 (IDX labels), expected 0x00000803 (IDX images)");
        Path lb = write(dir, "images-as-labels", images(1, 2, 2));
        fails(lb, "wrong magic number 0x00000803 (IDX images), expected 0x00000801", () -> Idx.readLabels(lb, 10));
        failsImages(write(dir, "text", "hello, world\n".repeat(3).getBytes()), "(not an IDX file)");
        failsImages(write(dir, "floats", idx(0x00000D03, new int[] {1, 1, 1}, new byte[4])), "(IDX type 0x0D, 3 dimensions)");
    }

    @Test
    void wrongDimensions() {
        failsImages(write(dir, "zero-rows", idx(Idx.IMAGES_MAGIC, new int[] {1, 0, 28}, new byte[0])),
                "image size 0×28 is out of range (1..4096)");
        failsImages(write(dir, "huge-cols", idx(Idx.IMAGES_MAGIC, new int[] {1, 28, 5000}, new byte[28])),
                "image size 28×5000 is out of range");
    }

    @Test
    void truncatedHeader() {
        failsImages(write(dir, "short-header", Arrays.copyOf(images(1, 28, 28), 10)), "truncated: the file ends inside the IDX header");
    }

    @Test
    void rawFileSizeMustMatchTheHeader() {
        byte[] good = images(3, 28, 28);
        failsImages(write(dir, "truncated", Arrays.copyOf(good, good.length - 1)),
                "truncated: header declares 3 images of 28×28 (2368 bytes with the header) but the file has 2367 bytes");
        failsImages(write(dir, "overlong", Arrays.copyOf(good, good.length + 5)),
                "too long: header declares 3 images of 28×28 (2368 bytes with the header) but the file has 2373 bytes");
        Path lb = write(dir, "labels-truncated", Arrays.copyOf(labels(10), 15));
        fails(lb, "truncated: header declares 10 labels (18 bytes with the header) but the file has 15 bytes",
                () -> Idx.readLabels(lb, 10));
    }

    @Test
    void absurdCounts() {
        failsImages(write(dir, "count-max", idx(Idx.IMAGES_MAGIC, new int[] {-1, 28, 28}, new byte[16])),
                "header declares 4294967295 images, expected 1..10000000");
        failsImages(write(dir, "count-zero", idx(Idx.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0])),
                "header declares 0 images");
        failsImages(write(dir, "too-many-pixels", idx(Idx.IMAGES_MAGIC, new int[] {10_000_000, 4096, 4096}, new byte[16])),
                "more pixels than one array holds");
        Path lb = write(dir, "labels-count", idx(Idx.LABELS_MAGIC, new int[] {20_000_000}, new byte[16]));
        fails(lb, "header declares 20000000 labels, expected 1..10000000", () -> Idx.readLabels(lb, 10));
    }

    @Test
    void gzipPromisingMoreThanItHoldsAllocatesOnlyWhatItHolds() {
        // 2.7 million 28×28 images = 2.1 GB declared, 1 KB present.
        Path file = write(dir, "liar.gz", gzip(idx(Idx.IMAGES_MAGIC, new int[] {2_700_000, 28, 28}, new byte[1024])));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        failsImages(file, "truncated: header declares 2700000 images of 28×28 (2116800000 data bytes) but the data ends after 1024 bytes");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The first chunk is 1 MiB; everything else (streams, buffers, message) is far below 16 MiB.
        assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes for a 1 KB file");
    }

    @Test
    void gzipContentSizeMustMatchTheHeader() {
        byte[] good = images(3, 28, 28);
        failsImages(write(dir, "short.gz", gzip(Arrays.copyOf(good, good.length - 100))),
                "truncated: header declares 3 images of 28×28 (2352 data bytes) but the data ends after 2252 bytes");
        failsImages(write(dir, "long.gz", gzip(Arrays.copyOf(good, good.length + 1))),
                "too long: more data follows the 3 images of 28×28 the header declares");
    }

    @Test
    void labelOutOfRange() {
        byte[] file = labels(5);
        file[8 + 3] = 10;
        Path lb = write(dir, "bad-label", file);
        fails(lb, "label 10 at index 3 is out of range (0..9)", () -> Idx.readLabels(lb, 10));
    }

    @Test
    void corruptGzip() {
        byte[] gz = gzip(images(3, 28, 28));
        byte[] garbled = gz.clone();
        for (int i = 10; i < 40; i++) {
            garbled[i] ^= (byte) 0x5A;
        }
        failsImages(write(dir, "garbled.gz", garbled), "corrupt gzip data");
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 6] ^= 1;
        failsImages(write(dir, "bad-crc.gz", badCrc), "corrupt gzip data (Corrupt GZIP trailer)");
        failsImages(write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2)), "truncated gzip data");
        failsImages(write(dir, "header-only.gz", new byte[] {0x1f, (byte) 0x8b}), "truncated gzip data");
    }

    @Test
    void emptyFile() {
        failsImages(write(dir, "empty", new byte[0]), "empty file");
    }

    @Test
    void directoryInsteadOfFile() throws IOException {
        failsImages(Files.createDirectory(dir.resolve("train-images-idx3-ubyte.gz")), "is a directory, expected a file");
    }

    @Test
    void missingFile() {
        failsImages(dir.resolve("nothing-here"), "no such file");
    }

    @Test
    void aSocketOrAFifoIsNotRead() throws IOException, InterruptedException {
        // A Unix socket cannot be opened as a file; a FIFO would block until someone writes to it.
        Path socket = dir.resolve("socket");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            failsImages(socket, "not a regular file (a pipe, socket or device), expected a file");
        }
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        failsImages(fifo, "not a regular file (a pipe, socket or device), expected a file");
    }

    @Test
    void unreadableWithoutPermission() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads files whatever their permissions");
        Path file = write(dir, "secret", images(1, 28, 28));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        failsImages(file, "cannot read: permission denied");
    }
}
