package lenet.data;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST: where its four IDX files are looked for, and loading its train and test sets.
 *
 * <p>A data folder holds {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed
 * ({@code .gz}). Without {@code --data DIR} the folders tried, in order, are {@code $LENET_DATA},
 * {@link #SYSTEM_DIR} (Debian package {@code dataset-fashion-mnist}) and {@link #cacheDir()} (where
 * {@code lenet fetch-data} puts them). When none holds them, {@link #locateOrFetch} downloads them into
 * the cache folder (as {@code fetch-data} does) unless downloads are turned off.
 */
public final class FashionMnist {
    private FashionMnist() {
    }

    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int CLASSES = CLASS_NAMES.size();
    public static final int SIDE = 28;

    /** The four files, without the optional {@code .gz}. */
    public static final List<String> FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    public static final String ENV = "LENET_DATA";
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Set (to anything but empty or 0) to never download the data set: {@code --no-download} for every command. */
    public static final String NO_DOWNLOAD_ENV = "LENET_NO_DOWNLOAD";
    static final String HOW_TO_GET = "install them with 'apt-get install dataset-fashion-mnist'"
            + " or download them with 'scripts/lenet fetch-data'";
    /** The three ways to get the data, for a download that was refused or failed. */
    static final String THREE_WAYS = "get it with 'apt-get install dataset-fashion-mnist', 'scripts/lenet fetch-data'"
            + " (downloads into ~/.cache/lenet/fashion-mnist), or point --data DIR at a folder holding the four files";

    public static Path cacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "lenet", "fashion-mnist");
    }

    /** The data folder: {@code explicit} (from {@code --data}) when given, else the first default folder holding all four files. */
    public static Path locate(Path explicit) {
        String env = System.getenv(ENV);
        return locate(explicit, env == null || env.isBlank() ? null : Path.of(env), List.of(SYSTEM_DIR, cacheDir()));
    }

    /** Whether {@code $LENET_NO_DOWNLOAD} turns downloads off. */
    public static boolean downloadsOffByEnvironment() {
        String v = System.getenv(NO_DOWNLOAD_ENV);
        return v != null && !v.isBlank() && !v.equals("0");
    }

    /**
     * The data folder as {@link #locate(Path)} finds it; when no default folder holds the data (and no
     * {@code --data} was given), downloads it from {@code url} into {@link #cacheDir()} with {@link Fetcher}
     * (progress on {@code log}) and returns that folder; with {@code download} false, says how to get it.
     */
    public static Path locateOrFetch(Path explicit, boolean download, URI url, PrintWriter log) {
        String env = System.getenv(ENV);
        return locateOrFetch(explicit, env == null || env.isBlank() ? null : Path.of(env), List.of(SYSTEM_DIR), cacheDir(), download, url, log);
    }

    /** {@link #locateOrFetch(Path, boolean, URI, PrintWriter)} with the folders to look in given: {@code cache} is tried last and downloaded into. */
    static Path locateOrFetch(Path explicit, Path envDir, List<Path> others, Path cache, boolean download, URI url, PrintWriter log) {
        List<Path> defaults = new ArrayList<>(others);
        defaults.add(cache);
        if (explicit != null) {
            return locate(explicit, envDir, defaults);
        }
        try {
            return locate(null, envDir, defaults);
        } catch (DataException notFound) {
            if (!download) {
                throw new DataException(notFound.getMessage().replace(HOW_TO_GET, "downloads are off (--no-download or $"
                        + NO_DOWNLOAD_ENV + "); " + THREE_WAYS));
            }
        }
        log.println("Fashion-MNIST not found; downloading it from " + url + " into " + cache + " (once; --no-download to refuse)");
        log.flush();
        try {
            new Fetcher(url, cache, Fetcher.FASHION_MNIST, log).fetchAll();
        } catch (DataException failed) {
            throw new DataException("Fashion-MNIST could not be downloaded (" + failed.getMessage() + "); " + THREE_WAYS);
        }
        return cache;
    }

    static Path locate(Path explicit, Path envDir, List<Path> defaults) {
        if (explicit != null) {
            if (!Files.exists(explicit)) {
                throw new DataException("--data " + explicit + ": no such folder");
            }
            if (!Files.isDirectory(explicit)) {
                throw new DataException("--data " + explicit + ": not a folder");
            }
            List<String> missing = missing(explicit);
            if (!missing.isEmpty()) {
                throw new DataException("--data " + explicit + ": no Fashion-MNIST there (missing "
                        + String.join(", ", missing) + ", raw or .gz); " + HOW_TO_GET);
            }
            return explicit;
        }
        List<Path> tried = new ArrayList<>();
        if (envDir != null) {
            tried.add(envDir);
        }
        tried.addAll(defaults);
        List<String> looked = new ArrayList<>();
        for (Path dir : tried) {
            List<String> missing = missing(dir);
            if (missing.isEmpty()) {
                return dir;
            }
            String where = dir == envDir ? "$" + ENV + "=" + dir : dir.toString();
            looked.add(missing.size() < FILES.size() && Files.isDirectory(dir)
                    ? where + " (missing " + String.join(", ", missing) + ")" : where);
        }
        throw new DataException("Fashion-MNIST not found (looked in " + String.join(", ", looked) + "); " + HOW_TO_GET);
    }

    /** The files of {@link #FILES} that {@code dir} lacks (in either form). */
    public static List<String> missing(Path dir) {
        return FILES.stream().filter(f -> file(dir, f) == null).toList();
    }

    /** {@code dir/name.gz} if present, else {@code dir/name} if present, else null. */
    static Path file(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        Path raw = dir.resolve(name);
        return Files.exists(raw) ? raw : null;
    }

    public static Dataset train(Path dir) {
        return load(dir, "train");
    }

    public static Dataset test(Path dir) {
        return load(dir, "t10k");
    }

    /** Loads {@code prefix-images-idx3-ubyte} and {@code prefix-labels-idx1-ubyte} from {@code dir}. */
    static Dataset load(Path dir, String prefix) {
        Path imageFile = require(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = require(dir, prefix + "-labels-idx1-ubyte");
        Idx.Images images = Idx.readImages(imageFile);
        if (images.rows() != SIDE || images.cols() != SIDE) {
            throw DataException.of(imageFile, "images are %d×%d, expected %d×%d"
                    .formatted(images.rows(), images.cols(), SIDE, SIDE));
        }
        int[] labels = Idx.readLabels(labelFile, CLASSES);
        if (labels.length != images.count()) {
            throw DataException.of(labelFile, "%d labels, but %s holds %d images"
                    .formatted(labels.length, imageFile.getFileName(), images.count()));
        }
        return new Dataset(prefix, images.count(), images.rows(), images.cols(), images.pixels(), labels);
    }

    private static Path require(Path dir, String name) {
        Path file = file(dir, name);
        if (file == null) {
            throw DataException.of(dir, "missing " + name + "(.gz); " + HOW_TO_GET);
        }
        return file;
    }
}
