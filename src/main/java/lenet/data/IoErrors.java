package lenet.data;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.Locale;

/**
 * The words for a failed file or network operation, for one-line messages: the operating system's
 * reason ("Read-only file system", "No space left on device"), never a Java class name.
 */
public final class IoErrors {
    /** A qualified Java class name with a colon, as {@code Throwable.toString()} writes it: "java.io.IOException: ". */
    private static final Pattern CLASS_PREFIX = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?");

    private IoErrors() {
    }

    /** Why {@code e} failed, in a few words. */
    public static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists" + (f.getFile() != null && !Files.isDirectory(Path.of(f.getFile())) ? " and is not a folder" : "");
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + " is not a folder";
        }
        if (e instanceof DirectoryNotEmptyException f) {
            return f.getFile() + " is a folder that is not empty";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof HttpConnectTimeoutException || e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException && (e.getMessage() == null || e.getMessage().isBlank())) {
            return "connection refused";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getCause() != null && e.getCause() != e ? reason(e.getCause()) : words(e.getClass().getSimpleName());
        }
        return clean(m.lines().findFirst().orElse(m)).strip();
    }

    /**
     * Why a folder could not be created: a file in the way ("a/b exists and is not a folder") when one of
     * its parents is a file, else {@link #reason(Throwable)}.
     */
    public static String folderReason(Path dir, Throwable e) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) ? reason(e) : p + " exists and is not a folder";
            }
        }
        return reason(e);
    }

    /** {@code message} without the Java class names that {@code Throwable.toString()} puts in front of causes. */
    public static String clean(String message) {
        return CLASS_PREFIX.matcher(message).replaceAll("");
    }

    /** "EOFException" → "EOF", "ClosedChannelException" → "closed channel". */
    private static String words(String className) {
        String s = className.replaceAll("(Exception|Error)$", "");
        return s.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** For {@link IOException}s: the same as {@link #reason(Throwable)}. */
    public static String reason(IOException e) {
        return reason((Throwable) e);
    }
}
