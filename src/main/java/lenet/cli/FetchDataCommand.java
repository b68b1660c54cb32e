package lenet.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import lenet.data.FashionMnist;
import lenet.data.Fetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lenet fetch-data}: downloads Fashion-MNIST and verifies it. */
@Command(name = "fetch-data", mixinStandardHelpOptions = true,
        description = "Downloads the four Fashion-MNIST files and verifies their SHA-256; files already present and valid are kept.")
public final class FetchDataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put them (default: ~/.cache/lenet/fashion-mnist).")
    Path dir = FashionMnist.cacheDir();

    @Option(names = "--url", paramLabel = "URL", description = "Where to download them from, an http:// or https:// URL (default: ${DEFAULT-VALUE}).")
    String url = Fetcher.FASHION_MNIST_URL.toString();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        new Fetcher(base(url), dir, Fetcher.FASHION_MNIST, err).fetchAll();
        spec.commandLine().getOut().println("Fashion-MNIST is in " + dir);
        return Cli.OK;
    }

    /** The --url, checked: an absolute http or https URL with a host. */
    private URI base(String value) {
        String expected = "expected an http:// or https:// URL such as " + Fetcher.FASHION_MNIST_URL;
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--url '" + value + "' is not a URL (" + e.getReason()
                    + " at index " + e.getIndex() + "): " + expected);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ParameterException(spec.commandLine(), "--url " + value + ": "
                    + (scheme.isEmpty() ? "no scheme" : "the scheme " + u.getScheme() + " is not supported") + "; " + expected);
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--url " + value + ": no host name; " + expected);
        }
        return u;
    }
}
