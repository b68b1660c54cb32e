package lenet.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import lenet.data.IoErrors;

/**
 * A run folder's lock: the file {@value #NAME} in it, locked by the operating system for as long as the
 * run lasts and holding the run's process id. A second run in the folder cannot take the lock and is
 * refused, naming the first's process; a lock file left by a killed process holds no lock and is taken
 * over. The file is removed when the run ends.
 */
final class RunLock implements AutoCloseable {
    static final String NAME = ".lenet.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process holds the lock; the message names it. */
    static final class Busy extends Exception {
        private static final long serialVersionUID = 1L;

        Busy(String owner) {
            super(owner);
        }
    }

    /**
     * Locks {@code dir} (which exists).
     *
     * @throws Busy        when another run holds it: the message is "process N" (or "another process")
     * @throws IOException when the lock file cannot be made
     */
    static RunLock acquire(Path dir) throws Busy, IOException {
        Path file = dir.resolve(NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this very process holds it (a run started from within the same JVM)
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String owner = owner(file);
            channel.close();
            throw new Busy(owner);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
        } catch (IOException e) {
            lock.release();
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
        return new RunLock(file, channel, lock);
    }

    /** Who holds the lock of {@code dir}: "process 1234", or null when no one does (nothing is changed). */
    static String holder(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock != null) {
                lock.release();
                return null;
            }
            return owner(file);
        } catch (IOException e) {
            return null; // the lock taken at the start of the run will tell
        }
    }

    /** "process 1234", as the lock's holder wrote it (it may still be writing it: wait a moment). */
    private static String owner(Path file) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
                if (pid.matches("\\d{1,19}")) {
                    return "process " + pid;
                }
                Thread.sleep(50);
            } catch (IOException e) {
                return "another process (" + IoErrors.reason(e) + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "another process";
    }

    /** Removes the lock file and releases the lock. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale lock file holds no lock: the next run takes it over
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case
        }
    }
}
