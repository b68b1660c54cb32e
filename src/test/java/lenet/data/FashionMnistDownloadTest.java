package lenet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that needs Fashion-MNIST and finds it nowhere downloads it into the cache folder: from a
 * loopback server that serves the real files (the Debian package's), verified by their SHA-256.
 */
class FashionMnistDownloadTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private URI url;
    private final AtomicInteger requests = new AtomicInteger();
    private final StringWriter log = new StringWriter();
    private boolean serve = true;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fashion/", exchange -> {
            requests.incrementAndGet();
            Path file = FashionMnist.SYSTEM_DIR.resolve(exchange.getRequestURI().getPath().substring("/fashion/".length()));
            byte[] body = serve && Files.isRegularFile(file) ? Files.readAllBytes(file) : "not here".getBytes();
            exchange.sendResponseHeaders(serve && Files.isRegularFile(file) ? 200 : 404, body.length);
            try (var os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        url = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/fashion/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Path locate(boolean download) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("system"));
        return FashionMnist.locateOrFetch(null, null, List.of(empty), dir.resolve("cache"), download, url, new PrintWriter(log, true));
    }

    @Test
    void missingDataIsDownloadedIntoTheCacheOnceAndLoads() throws IOException {
        assumeTrue(FashionMnist.missing(FashionMnist.SYSTEM_DIR).isEmpty() && Files.exists(FashionMnist.SYSTEM_DIR.resolve(
                "train-images-idx3-ubyte.gz")), "the server serves the Debian package's .gz files");
        Path cache = dir.resolve("cache");
        assertEquals(cache, locate(true));
        assertEquals(4, requests.get());
        assertTrue(log.toString().startsWith("Fashion-MNIST not found; downloading it from " + url + " into " + cache), log.toString());
        assertTrue(log.toString().contains("train-images-idx3-ubyte.gz: verified"), log.toString());
        assertEquals(10_000, FashionMnist.test(cache).count());
        assertEquals(60_000, FashionMnist.train(cache).count());

        assertEquals(cache, locate(true));
        assertEquals(4, requests.get(), "found in the cache the second time: nothing downloaded");
    }

    @Test
    void withDownloadsOffTheMessageNamesTheThreeWays() {
        DataException e = assertThrows(DataException.class, () -> locate(false));
        assertTrue(e.getMessage().startsWith("Fashion-MNIST not found (looked in "), e.getMessage());
        assertTrue(e.getMessage().contains("downloads are off (--no-download or $LENET_NO_DOWNLOAD)"), e.getMessage());
        assertTrue(e.getMessage().contains("'apt-get install dataset-fashion-mnist', 'scripts/lenet fetch-data'")
                && e.getMessage().contains("--data DIR"), e.getMessage());
        assertEquals(0, requests.get());
        assertFalse(Files.exists(dir.resolve("cache")));
    }

    @Test
    void aFailedDownloadEndsWithOneLineAndLeavesNoFile() throws IOException {
        serve = false;
        DataException e = assertThrows(DataException.class, () -> locate(true));
        assertTrue(e.getMessage().startsWith("Fashion-MNIST could not be downloaded (" + url + "train-images-idx3-ubyte.gz: HTTP 404)"), e.getMessage());
        assertTrue(e.getMessage().contains("'apt-get install dataset-fashion-mnist', 'scripts/lenet fetch-data'")
                && e.getMessage().contains("--data DIR"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(dir.resolve("cache")), "no partial file, and no empty folder, is left");
    }

    @Test
    void anExplicitFolderIsNeverDownloadedInto() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("mine"));
        DataException e = assertThrows(DataException.class, () -> FashionMnist.locateOrFetch(empty, null, List.of(), dir.resolve("cache"),
                true, url, new PrintWriter(log, true)));
        assertTrue(e.getMessage().startsWith("--data " + empty + ": no Fashion-MNIST there"), e.getMessage());
        assertEquals(0, requests.get());
    }
}
