package lenet.data;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (recognised by the
 * gzip magic bytes 1f 8b, whatever the file name).
 *
 * <p>An IDX file is a big-endian header (magic number {@code 0x000008nn}: unsigned bytes, {@code nn}
 * dimensions; then one 32-bit size per dimension) followed by the data. Nothing is allocated from a
 * header before it passes the sanity bounds below and, for a raw file, matches the file size; for a gzip
 * file, before it declares no more than the file could decompress to ({@link #GZIP_MAX_RATIO} times its
 * size): a header promising more is read through without keeping anything, to say where the data ends.
 * The data is then read straight into an array of its final size, once.
 */
public final class Idx {
    private Idx() {
    }

    /** Unsigned bytes, three dimensions: count, rows, columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, one dimension: count. */
    public static final int LABELS_MAGIC = 0x00000801;
    public static final long MAX_COUNT = 10_000_000;
    public static final int MAX_SIDE = 4096;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /**
     * The most bytes one byte of DEFLATE data decompresses to (a 258-byte match in 2 bits): a gzip file of
     * {@code s} bytes holds at most {@code GZIP_MAX_RATIO·s} bytes, whatever its header says.
     */
    static final long GZIP_MAX_RATIO = 1032;

    /**
     * Images as their bytes, example-major ({@code [count][rows·cols]}), off-heap where the kernels read
     * them; byte {@code b} stands for the pixel value {@link #value value(b)} in [0, 1].
     */
    public record Images(int count, int rows, int cols, ByteArray pixels) {
    }

    /** The value in [0, 1] a pixel byte stands for: {@code (b & 0xFF) / 255f}, the float32 division of torchvision's ToTensor. */
    public static float value(byte b) {
        return (b & 0xFF) / 255f;
    }

    public static Images readImages(Path file) {
        try (Reader in = new Reader(file)) {
            in.magic(IMAGES_MAGIC);
            long count = in.count("images");
            long rows = in.u32();
            long cols = in.u32();
            if (rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE) {
                throw in.error("image size %d×%d is out of range (1..%d)".formatted(rows, cols, MAX_SIDE));
            }
            String what = "%d images of %d×%d".formatted(count, rows, cols);
            long size = count * rows * cols;
            if (size > MAX_ARRAY) {
                throw in.error("header declares " + what + ", more pixels than one array holds");
            }
            in.declares(16, size, what);
            ByteArray pixels;
            try {
                pixels = new ByteArray((int) size);
            } catch (OutOfMemoryError e) {
                throw in.error("too large to load: " + what + " do not fit in memory (-XX:MaxDirectMemorySize, by default -Xmx)");
            }
            in.body(pixels.getSegment(), what);
            return new Images((int) count, (int) rows, (int) cols, pixels);
        }
    }

    /** Labels, each checked to lie in 0..classes-1. */
    public static int[] readLabels(Path file, int classes) {
        try (Reader in = new Reader(file)) {
            in.magic(LABELS_MAGIC);
            long count = in.count("labels");
            String what = count + " labels";
            in.declares(8, count, what);
            byte[] data;
            try {
                data = new byte[(int) count];
            } catch (OutOfMemoryError e) {
                throw in.error("too large to load: " + what + " do not fit in the Java heap (-Xmx)");
            }
            in.body(MemorySegment.ofArray(data), what);
            int[] labels = new int[data.length];
            for (int i = 0; i < data.length; i++) {
                labels[i] = data[i] & 0xFF;
                if (labels[i] >= classes) {
                    throw in.error("label %d at index %d is out of range (0..%d)".formatted(labels[i], i, classes - 1));
                }
            }
            return labels;
        }
    }

    /**
     * Opens a file for reading, decompressing it when it starts with the gzip magic bytes. Fails with a
     * {@link DataException} when the file is missing, a directory, empty or unreadable.
     */
    public static InputStream open(Path file) {
        if (Files.isDirectory(file)) {
            throw DataException.of(file, "is a directory, expected a file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or a device would block or never end: only plain files are read.
            throw DataException.of(file, "not a regular file (a pipe, socket or device), expected a file");
        }
        InputStream raw;
        long size;
        try {
            raw = Files.newInputStream(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw DataException.of(file, "no such file");
        } catch (AccessDeniedException e) {
            throw DataException.of(file, "cannot read: permission denied");
        } catch (IOException e) {
            throw DataException.of(file, "cannot read (" + reason(e) + ")");
        }
        try {
            if (size == 0) {
                throw DataException.of(file, "empty file");
            }
            var in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return gzip ? new GZIPInputStream(in, 1 << 16) : in;
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof DataException d ? d : readError(file, e);
        }
    }

    /** The one-line message for a failed read. */
    static DataException readError(Path file, Exception e) {
        if (e instanceof DataException d) {
            return d;
        }
        if (e instanceof EOFException) {
            return DataException.of(file, "truncated gzip data (the compressed stream ends early)");
        }
        if (e instanceof ZipException) {
            return DataException.of(file, "corrupt gzip data (" + reason(e) + ")");
        }
        return DataException.of(file, "cannot read (" + reason(e) + ")");
    }

    static String reason(Exception e) {
        return IoErrors.reason(e);
    }

    /** A stream over one IDX file that counts what it has read and words its errors. */
    private static final class Reader implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;
        private final long fileSize;

        Reader(Path file) {
            this.file = file;
            this.in = open(file);
            this.gzip = in instanceof GZIPInputStream;
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                close();
                throw readError(file, e);
            }
            this.fileSize = size;
        }

        DataException error(String what) {
            return DataException.of(file, what);
        }

        long u32() {
            byte[] b = new byte[4];
            if (read(b, 0, 4) < 4) {
                throw error("truncated: the file ends inside the IDX header");
            }
            return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
        }

        void magic(int expected) {
            long magic = u32();
            if (magic != expected) {
                throw error("wrong magic number 0x%08X (%s), expected 0x%08X (%s)"
                        .formatted(magic, describe(magic), expected, describe(expected)));
            }
        }

        long count(String items) {
            long count = u32();
            if (count < 1 || count > MAX_COUNT) {
                throw error("header declares %d %s, expected 1..%d".formatted(count, items, MAX_COUNT));
            }
            return count;
        }

        /**
         * Checks that the file can hold the {@code size} data bytes after a {@code header}-byte header that
         * its header declares: a raw file must be exactly that long; a gzip file must be large enough to
         * decompress to that much, else its stream is read to its end (nothing kept) to say where it ends.
         */
        void declares(long header, long size, String what) {
            if (!gzip && fileSize != header + size) {
                throw error("%s: header declares %s (%d bytes with the header) but the file has %d bytes"
                        .formatted(fileSize < header + size ? "truncated" : "too long", what, header + size, fileSize));
            }
            if (gzip && size > GZIP_MAX_RATIO * fileSize) {
                byte[] scratch = new byte[1 << 16];
                long filled = 0;
                for (int n; (n = read(scratch, 0, scratch.length)) > 0; ) {
                    filled += n;
                }
                throw truncated(what, size, filled);
            }
        }

        private DataException truncated(String what, long size, long filled) {
            return error("truncated: header declares %s (%d data bytes) but the data ends after %d bytes".formatted(what, size, filled));
        }

        /** Reads exactly {@code into.byteSize()} data bytes into {@code into} (after {@link #declares}), then the end. */
        void body(MemorySegment into, String what) {
            long size = into.byteSize();
            byte[] chunk = new byte[(int) Math.min(size, 1 << 16)];
            long filled = 0;
            while (filled < size) {
                int n = read(chunk, 0, (int) Math.min(chunk.length, size - filled));
                if (n <= 0) {
                    throw truncated(what, size, filled);
                }
                MemorySegment.copy(chunk, 0, into, JAVA_BYTE, filled, n);
                filled += n;
            }
            if (read(new byte[1], 0, 1) > 0) {
                throw error("too long: more data follows the " + what + " the header declares");
            }
        }

        /** Reads up to len bytes, fewer only at the end of the stream. */
        private int read(byte[] b, int off, int len) {
            try {
                return in.readNBytes(b, off, len);
            } catch (IOException e) {
                throw readError(file, e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // nothing was written: nothing to lose
            }
        }

        private static String describe(long magic) {
            if (magic == IMAGES_MAGIC) {
                return "IDX images";
            } else if (magic == LABELS_MAGIC) {
                return "IDX labels";
            } else if ((magic >>> 16) == 0) {
                return "IDX type 0x%02X, %d dimensions".formatted((magic >>> 8) & 0xFF, magic & 0xFF);
            }
            return "not an IDX file";
        }
    }
}
