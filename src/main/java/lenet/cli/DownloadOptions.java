package lenet.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import lenet.data.FashionMnist;
import lenet.data.Fetcher;
import picocli.CommandLine.Option;

/**
 * {@code --no-download} and {@code --data-url}: whether a command that needs Fashion-MNIST and finds it in
 * no data folder downloads it into the user cache (as {@code fetch-data} does), and from where.
 */
final class DownloadOptions {
    @Option(names = "--no-download", description = "Never download Fashion-MNIST; fail when no data folder holds it "
            + "(also: $" + FashionMnist.NO_DOWNLOAD_ENV + "=1).")
    boolean noDownload;

    @Option(names = "--data-url", paramLabel = "URL", description = "Where to download Fashion-MNIST from when no data folder "
            + "holds it (default: ${DEFAULT-VALUE}).")
    URI url = Fetcher.FASHION_MNIST_URL;

    /** The data folder: {@code data} (from {@code --data}) or the first default folder holding the files, else a fresh download. */
    Path locate(Path data, PrintWriter log) {
        return FashionMnist.locateOrFetch(data, !noDownload && !FashionMnist.downloadsOffByEnvironment(), url, log);
    }
}
