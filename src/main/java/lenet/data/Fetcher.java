package lenet.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads data files and verifies them: each file's decompressed bytes must have the expected size
 * and SHA-256. A download goes to a temporary file in the target folder and is moved into place
 * atomically once verified, so a failed or interrupted download leaves nothing behind; files already
 * present and valid are not downloaded again.
 */
public final class Fetcher {
    /** The public Fashion-MNIST location. */
    public static final URI FASHION_MNIST_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /** A file to download and the size and SHA-256 of its decompressed content. */
    public record Expected(String file, long size, String sha256) {
    }

    public static final List<Expected> FASHION_MNIST = List.of(
            new Expected("train-images-idx3-ubyte.gz", 47_040_016,
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new Expected("train-labels-idx1-ubyte.gz", 60_008,
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new Expected("t10k-images-idx3-ubyte.gz", 7_840_016,
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new Expected("t10k-labels-idx1-ubyte.gz", 10_008,
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"));

    private final URI base;
    private final Path dir;
    private final List<Expected> files;
    private final PrintWriter log;
    private final HttpClient client;

    /** @param log where progress goes (one line per file, updated in place) */
    public Fetcher(URI base, Path dir, List<Expected> files, PrintWriter log) {
        String url = base.toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.dir = dir;
        this.files = List.copyOf(files);
        this.log = log;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Downloads every file not yet present and valid; returns how many were downloaded. */
    public int fetchAll() {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw DataException.of(dir, "is a file, expected a folder");
        }
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw DataException.of(dir, "cannot create the folder (" + Idx.reason(e) + ")");
        }
        int downloaded = 0;
        try {
            for (Expected e : files) {
                Path target = dir.resolve(e.file());
                if (Files.isRegularFile(target) && valid(target, e)) {
                    log.println(e.file() + ": present and valid");
                } else {
                    download(e, target);
                    downloaded++;
                }
                log.flush();
            }
        } finally {
            if (created && downloaded == 0) {
                removeIfEmpty(dir); // a failed first download leaves no empty folder behind
            }
        }
        return downloaded;
    }

    private static void removeIfEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        } catch (IOException e) {
            // an empty folder is all that is left
        }
    }

    /** Whether the file's decompressed content has the expected size and SHA-256. */
    public static boolean valid(Path file, Expected e) {
        try {
            Digest d = digest(file);
            return d.size() == e.size() && d.sha256().equals(e.sha256());
        } catch (DataException ex) {
            return false;
        }
    }

    record Digest(long size, String sha256) {
    }

    /** Size and SHA-256 of a file's content, decompressed when it is gzip. */
    static Digest digest(Path file) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = Idx.open(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw Idx.readError(file, e);
        }
        return new Digest(size, HexFormat.of().formatHex(sha.digest()));
    }

    private void download(Expected e, Path target) {
        URI url = base.resolve(e.file());
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + e.file() + ".", ".part");
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new DataException(url + ": HTTP " + response.statusCode());
                }
                copy(in, tmp, e.file(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
            }
            Digest got;
            try {
                got = digest(tmp);
            } catch (DataException bad) {
                throw new DataException(url + ": downloaded data is unusable: " + bad.problem());
            }
            if (got.size() != e.size() || !got.sha256().equals(e.sha256())) {
                throw new DataException(url + ": downloaded data does not match: expected %d bytes with SHA-256 %s, got %d bytes with SHA-256 %s"
                        .formatted(e.size(), e.sha256(), got.size(), got.sha256()));
            }
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--")); // temp files are private
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            log.println(e.file() + ": verified");
        } catch (IOException ex) {
            throw new DataException(url + ": download failed (" + Idx.reason(ex) + ")");
        } catch (IllegalArgumentException ex) {
            throw new DataException(url + ": cannot download from there (" + Idx.reason(ex) + ")");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DataException(url + ": download interrupted");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the file is hidden and ends in .part
                }
            }
        }
    }

    /** Copies the response body to {@code tmp}, showing progress on one line. */
    private void copy(InputStream in, Path tmp, String name, long length) throws IOException {
        byte[] buf = new byte[1 << 16];
        long done = 0;
        long next = 0;
        long step = length > 0 ? Math.max(1, length / 20) : 5_000_000;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                if (done >= next) {
                    log.print("\r" + name + ": " + (length > 0 ? 100 * done / length + "% of " + human(length) : human(done)));
                    log.flush();
                    next = done + step;
                }
            }
        } finally {
            log.println("\r" + name + ": " + human(done) + " downloaded");
        }
    }

    private static String human(long bytes) {
        return bytes < 10_000 ? bytes + " B" : bytes < 1_000_000 ? "%.1f kB".formatted(bytes / 1e3) : "%.1f MB".formatted(bytes / 1e6);
    }
}
