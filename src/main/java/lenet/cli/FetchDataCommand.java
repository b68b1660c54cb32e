package lenet.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import lenet.data.FashionMnist;
import lenet.data.Fetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lenet fetch-data}: downloads Fashion-MNIST and verifies it. */
@Command(name = "fetch-data", mixinStandardHelpOptions = true,
        description = "Downloads the four Fashion-MNIST files and verifies their SHA-256; files already present and valid are kept.")
public final class FetchDataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put them (default: ~/.cache/lenet/fashion-mnist).")
    Path dir = FashionMnist.cacheDir();

    @Option(names = "--url", paramLabel = "URL", description = "Where to download them from (default: ${DEFAULT-VALUE}).")
    URI url = Fetcher.FASHION_MNIST_URL;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        new Fetcher(url, dir, Fetcher.FASHION_MNIST, err).fetchAll();
        spec.commandLine().getOut().println("Fashion-MNIST is in " + dir);
        return Cli.OK;
    }
}
