package lenet.data;

import static lenet.data.IdxFiles.fashion;
import static lenet.data.IdxFiles.images;
import static lenet.data.IdxFiles.labels;
import static lenet.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void loadsTrainAndTestFromRawOrGzipFiles() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path d = Files.createDirectory(dir.resolve("gzip-" + gzip));
            fashion(d, 12, 5, gzip);
            Dataset train = FashionMnist.train(d);
            Dataset test = FashionMnist.test(d);
            assertEquals("train", train.name());
            assertEquals(12, train.count());
            assertEquals(28, train.rows());
            assertEquals(28, train.cols());
            assertEquals(12 * 784, train.pixels().getSize());
            assertEquals((byte) 255, train.pixels().get(255));
            assertEquals(1f, train.image(0)[255], 0f);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, train.labels());
            assertEquals("t10k", test.name());
            assertEquals(5, test.count());
        }
    }

    /**
     * The images are read once, straight into their off-heap bytes: loading them takes one byte per pixel of
     * native memory (not four, as floats would; not two copies) and next to nothing of the Java heap.
     */
    @Test
    void loadingHoldsTheImagesOnceAsBytesOffTheHeap() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BufferPoolMXBean nativeMemory = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        int count = 3000;
        long pixels = count * 784L;
        for (boolean gzip : new boolean[] {false, true}) {
            Path d = Files.createDirectory(dir.resolve("gzip-" + gzip));
            fashion(d, count, 1, gzip);
            System.gc(); // what earlier tests left is freed before, not during, the load
            long heapBefore = threads.getCurrentThreadAllocatedBytes();
            long nativeBefore = nativeMemory.getMemoryUsed();
            Dataset train = FashionMnist.train(d);
            long heap = threads.getCurrentThreadAllocatedBytes() - heapBefore;
            long offHeap = nativeMemory.getMemoryUsed() - nativeBefore;
            assertEquals(1, train.pixels().getElementSize(), "one byte a pixel");
            assertEquals(pixels, train.pixels().getNumBytesOfSegment());
            // The pixels, their array's header and alignment; the labels are on the heap.
            assertTrue(offHeap <= pixels + 1024, "gzip " + gzip + ": " + offHeap + " bytes of native memory for " + pixels + " pixels");
            // Read buffers (64 KiB each, and the gzip streams' for the two files), the labels (int[] and the file's
            // bytes): under 1 MiB, less than half the pixels' bytes.
            assertTrue(heap < 1 << 20, "gzip " + gzip + ": " + heap + " bytes of Java heap allocated to load " + pixels + " pixels");
        }
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        fashion(dir, 12, 5, false);
        Path lb = write(dir, "t10k-labels-idx1-ubyte", labels(4));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.test(dir));
        assertEquals(lb + ": 4 labels, but t10k-images-idx3-ubyte holds 5 images", e.getMessage());
    }

    @Test
    void imagesMustBe28By28() {
        fashion(dir, 3, 3, false);
        Path im = write(dir, "train-images-idx3-ubyte", images(3, 32, 32));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.train(dir));
        assertEquals(im + ": images are 32×32, expected 28×28", e.getMessage());
    }

    @Test
    void gzipFilesComeFirst() {
        fashion(dir, 3, 3, false);
        write(dir, "train-labels-idx1-ubyte.gz", IdxFiles.gzip(labels(4)));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz: 4 labels"), e.getMessage());
    }

    @Test
    void explicitFolderMustHoldTheFiles() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.locate(empty, null, List.of()));
        assertEquals("--data " + empty + ": no Fashion-MNIST there (missing train-images-idx3-ubyte, "
                + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz); "
                + FashionMnist.HOW_TO_GET, e.getMessage());
        Path absent = dir.resolve("absent");
        assertEquals("--data " + absent + ": no such folder",
                assertThrows(DataException.class, () -> FashionMnist.locate(absent, null, List.of())).getMessage());
        Path file = write(dir, "file", new byte[1]);
        assertEquals("--data " + file + ": not a folder",
                assertThrows(DataException.class, () -> FashionMnist.locate(file, null, List.of())).getMessage());
    }

    @Test
    void lookupOrder() throws IOException {
        Path explicit = Files.createDirectory(dir.resolve("explicit"));
        Path env = Files.createDirectory(dir.resolve("env"));
        Path system = Files.createDirectory(dir.resolve("system"));
        Path cache = Files.createDirectory(dir.resolve("cache"));
        List<Path> defaults = List.of(system, cache);
        fashion(cache, 1, 1, true);
        assertSame(cache, FashionMnist.locate(null, env, defaults));
        fashion(system, 1, 1, true);
        assertSame(system, FashionMnist.locate(null, env, defaults));
        fashion(env, 1, 1, false);
        assertSame(env, FashionMnist.locate(null, env, defaults));
        fashion(explicit, 1, 1, false);
        assertSame(explicit, FashionMnist.locate(explicit, env, defaults));
    }

    @Test
    void notFoundAnywhereSaysWhereItLookedAndHowToGetIt() throws IOException {
        Path env = dir.resolve("env");
        Path partial = Files.createDirectory(dir.resolve("partial"));
        fashion(partial, 1, 1, true);
        Files.delete(partial.resolve("t10k-labels-idx1-ubyte.gz"));
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.locate(null, env, List.of(partial, dir.resolve("cache"))));
        assertEquals("Fashion-MNIST not found (looked in $LENET_DATA=" + env + ", " + partial
                + " (missing t10k-labels-idx1-ubyte), " + dir.resolve("cache") + "); install them with "
                + "'apt-get install dataset-fashion-mnist' or download them with 'scripts/lenet fetch-data'", e.getMessage());
    }

    @Test
    void missingFileInLoad() {
        DataException e = assertThrows(DataException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().startsWith(dir + ": missing train-images-idx3-ubyte(.gz)"), e.getMessage());
    }

    @Test
    void limitKeepsTheFirstExamples() {
        fashion(dir, 12, 5, false);
        Dataset train = FashionMnist.train(dir);
        Dataset first = train.limit(3);
        assertEquals(3, first.count());
        assertArrayEquals(new int[] {0, 1, 2}, first.labels());
        assertArrayEquals(java.util.Arrays.copyOf(train.pixels().toHeapArray(), 3 * 784), first.pixels().toHeapArray());
        assertSame(train, train.limit(12));
        assertSame(train, train.limit(Integer.MAX_VALUE));
    }

    @Test
    void classNames() {
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
        assertEquals("T-shirt/top", FashionMnist.CLASS_NAMES.get(0));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
    }

    /** The real files, when installed (Debian package dataset-fashion-mnist): sizes, hashes, first examples. */
    @Test
    void realFashionMnist() {
        Path system = FashionMnist.SYSTEM_DIR;
        assumeTrue(FashionMnist.missing(system).isEmpty(), "Fashion-MNIST is not installed in " + system);
        for (Fetcher.Expected e : Fetcher.FASHION_MNIST) {
            assertTrue(Fetcher.valid(system.resolve(e.file()), e), e.file() + " does not match its SHA-256");
        }
        Dataset train = FashionMnist.train(system);
        Dataset test = FashionMnist.test(system);
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        assertEquals(9, train.labels()[0], "the first training image is an ankle boot");
        assertEquals(9, test.labels()[0], "the first test image is an ankle boot");
        int[] perClass = new int[10];
        for (int label : train.labels()) {
            perClass[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, perClass[c], "training images of class " + c);
        }
    }
}
