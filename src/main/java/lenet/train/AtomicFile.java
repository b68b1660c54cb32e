package lenet.train;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

import lenet.data.IoErrors;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part:
 * the content goes to a temporary file in the same folder, which is flushed to disk ({@code fsync})
 * and then renamed over the target; the folder is synced too, so the rename survives a crash. When
 * anything fails, the temporary file is removed and the target is left as it was.
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFile() {
    }

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code content} writes.
     *
     * @param what names the file in the error message ("checkpoint", "metrics")
     * @throws UncheckedIOException with a one-line message naming the file when it cannot be written
     */
    public static void write(Path target, String what, Content content) {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        Path tmp = null;
        try {
            tmp = temporary(dir, file.getFileName().toString());
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncFolder(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write " + what + " (" + reason(e) + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // the failure being reported matters more than a stray temporary file
                }
            }
        }
    }

    /**
     * A new empty file next to the target, created as any file (permissions from the umask, unlike
     * {@link Files#createTempFile}, which makes it private to the user).
     */
    private static Path temporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong() & 0xFFFFFFFFFFFFL) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename durable: some file systems (and Windows) cannot open a folder; then it is skipped. */
    private static void syncFolder(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    /** Why a file operation failed, in the operating system's words. */
    public static String reason(IOException e) {
        return e instanceof NoSuchFileException ? "no such folder" : IoErrors.reason(e);
    }
}
