package lenet.data;

import static lenet.data.IdxFiles.gzip;
import static lenet.data.IdxFiles.images;
import static lenet.data.IdxFiles.labels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback HTTP server: good files, a corrupted one, a server error. */
class FetcherTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private URI base;
    /** File name → body; a name in {@code errors} answers 500, an unknown one 404. */
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<String, Boolean> errors = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final StringWriter log = new StringWriter();

    private static final byte[] IMAGES = images(4, 28, 28);
    private static final byte[] LABELS = labels(4);
    private static final List<Fetcher.Expected> EXPECTED = List.of(
            new Fetcher.Expected("images.gz", IMAGES.length, sha256(IMAGES)),
            new Fetcher.Expected("labels.gz", LABELS.length, sha256(LABELS)));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/data/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/data/".length());
            byte[] body = bodies.get(name);
            int status = errors.containsKey(name) ? 500 : body == null ? 404 : 200;
            byte[] out = status == 200 ? body : ("error " + status).getBytes();
            exchange.sendResponseHeaders(status, out.length);
            try (var os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
        base = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/data/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Fetcher fetcher() {
        return new Fetcher(base, dir, EXPECTED, new PrintWriter(log, true));
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadsVerifiesAndSkipsWhatIsPresent() throws IOException {
        bodies.put("images.gz", gzip(IMAGES));
        bodies.put("labels.gz", gzip(LABELS));
        assertEquals(2, fetcher().fetchAll());
        assertEquals(List.of("images.gz", "labels.gz"), files());
        assertArrayEquals(bodies.get("images.gz"), Files.readAllBytes(dir.resolve("images.gz")));
        assertEquals(4, Idx.readImages(dir.resolve("images.gz")).count());
        assertTrue(Files.getPosixFilePermissions(dir.resolve("images.gz")).contains(PosixFilePermission.OTHERS_READ),
                "readable by all, like any file the user creates");
        assertTrue(log.toString().contains("images.gz: verified"), log.toString());
        assertEquals(2, requests.get());

        assertEquals(0, fetcher().fetchAll());
        assertEquals(2, requests.get(), "valid files are not downloaded again");
        assertTrue(log.toString().contains("images.gz: present and valid"), log.toString());
    }

    @Test
    void replacesAnInvalidFile() throws IOException {
        bodies.put("images.gz", gzip(IMAGES));
        bodies.put("labels.gz", gzip(LABELS));
        Files.write(dir.resolve("labels.gz"), gzip(labels(3)));
        assertEquals(2, fetcher().fetchAll());
        assertArrayEquals(bodies.get("labels.gz"), Files.readAllBytes(dir.resolve("labels.gz")));
    }

    @Test
    void corruptedDownloadLeavesNothingBehind() throws IOException {
        bodies.put("images.gz", gzip(IMAGES));
        byte[] wrong = LABELS.clone();
        wrong[9] = 7;
        bodies.put("labels.gz", gzip(wrong));
        DataException e = assertThrows(DataException.class, () -> fetcher().fetchAll());
        assertEquals(base + "labels.gz: downloaded data does not match: expected 12 bytes with SHA-256 "
                + sha256(LABELS) + ", got 12 bytes with SHA-256 " + sha256(wrong), e.getMessage());
        assertEquals(List.of("images.gz"), files(), "only the good file, no partial or temporary file");
    }

    @Test
    void corruptGzipDownloadLeavesNothingBehind() throws IOException {
        byte[] gz = gzip(IMAGES);
        bodies.put("images.gz", java.util.Arrays.copyOf(gz, gz.length / 2));
        DataException e = assertThrows(DataException.class, () -> fetcher().fetchAll());
        assertEquals(base + "images.gz: downloaded data is unusable: truncated gzip data (the compressed stream ends early)",
                e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void serverErrorLeavesNothingBehind() throws IOException {
        bodies.put("images.gz", gzip(IMAGES));
        errors.put("images.gz", true);
        DataException e = assertThrows(DataException.class, () -> fetcher().fetchAll());
        assertEquals(base + "images.gz: HTTP 500", e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void unreachableServer() throws IOException {
        server.stop(0);
        DataException e = assertThrows(DataException.class, () -> fetcher().fetchAll());
        assertTrue(e.getMessage().startsWith(base + "images.gz: download failed ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(List.of(), files());
    }

    @Test
    void fashionMnistTableMatchesTheSpecifiedFiles() {
        assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
                Fetcher.FASHION_MNIST.stream().map(Fetcher.Expected::file).toList());
        assertEquals(47_040_016 + 60_008 + 7_840_016 + 10_008,
                Fetcher.FASHION_MNIST.stream().mapToLong(Fetcher.Expected::size).sum());
    }
}
