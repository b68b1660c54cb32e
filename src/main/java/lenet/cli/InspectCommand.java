package lenet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import lenet.data.DataException;
import lenet.data.FashionMnist;
import lenet.data.ImageFiles;
import lenet.data.IoErrors;
import lenet.engine.FeatureMaps;
import lenet.engine.Inference;
import lenet.engine.KernelSet;
import lenet.model.LeNet;
import lenet.report.InspectPictures;
import lenet.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lenet inspect CHECKPOINT IMAGE…}: pictures of what a saved model computes inside for a few images:
 * the input, conv1's and conv2's feature maps after their activation and the most probable classes, one
 * PNG per image, the images side by side in one more, and conv1's filters.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Draws what a saved model computes inside (JVM engine): for each image a PNG of the input, conv1's 6 and "
                + "conv2's 16 feature maps after their activation, and the most probable classes; with 2 or more images also "
                + InspectCommand.SIDE_BY_SIDE_NAME + ", all of them side by side; and " + InspectCommand.FILTERS_NAME + ", conv1's 6 filters.",
                "Every map of a layer is coloured on one scale, the layer's range over the images given, stated on the picture.",
                "An image is a 28×28 grayscale PNG (as for 'lenet predict') or FILE#N, image N (from 0) of an IDX images file "
                        + "such as the test set, whose true class is shown when the labels file lies beside it."})
public final class InspectCommand implements Callable<Integer> {
    static final String SIDE_BY_SIDE_NAME = "side-by-side.png";
    static final String FILTERS_NAME = "conv1-filters.png";
    static final String SUFFIX = "-inside.png";
    /** The most images one command draws (the side-by-side picture grows with them). */
    public static final int MAX_IMAGES = 16;
    /** The default output folder, beside the checkpoint. */
    static final String DEFAULT_FOLDER = "inspect";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by 'lenet train'.")
    Path checkpoint;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE",
            description = "PNG images, or FILE#N: image N of an IDX images file (at most " + MAX_IMAGES + ").")
    List<Path> images;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the pictures, created if missing "
            + "(default: a new folder beside the checkpoint: " + DEFAULT_FOLDER + ", or " + DEFAULT_FOLDER + "-2, -3, … when that one is not empty).")
    Path out;

    @Option(names = "--force", description = "Replace pictures that already exist in --out (without it, they are refused).")
    boolean force;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes drawn as bars per image, 1..10 (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--invert", description = "Invert the images first (for dark objects on a light background).")
    boolean invert;

    @Override
    public Integer call() {
        if (top < 1 || top > LeNet.CLASSES) {
            throw usage("--top must be 1.." + LeNet.CLASSES + ", got " + top);
        }
        if (images.size() > MAX_IMAGES) {
            throw usage("at most " + MAX_IMAGES + " images, got " + images.size());
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw usage("--out " + out + " is a file, expected a folder");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Checkpoint c = Checkpoint.read(checkpoint);

        // Every image is read before anything is written: a bad one fails the command with one line.
        List<String> notes = new ArrayList<>();
        List<ImageFiles.Image> read = new ArrayList<>();
        for (Path f : images) {
            if (ImageFiles.isIdxFile(f)) {
                throw new DataException(f + ": an IDX file of many images; name one of them as " + f + "#N (N from 0)");
            }
            read.addAll(ImageFiles.read(f, Integer.MAX_VALUE, invert, notes::add));
        }
        notes.forEach(n -> err.println("note: " + n));
        err.flush();

        Path dir = out != null ? out : defaultFolder(checkpoint);
        Map<Path, Integer> files = plan(dir, read);
        prepare(dir);

        int n = read.size();
        float[] pixels = new float[n * LeNet.PIXELS];
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            System.arraycopy(read.get(i).pixels(), 0, pixels, i * LeNet.PIXELS, LeNet.PIXELS);
            labels[i] = read.get(i).label();
            names.add(read.get(i).name());
        }
        FeatureMaps maps = FeatureMaps.of(c.params(), pixels, n, KernelSet.CPU);
        InspectPictures pictures = new InspectPictures(maps, names, labels, pixels, FashionMnist.CLASS_NAMES, top);
        Inference.Result result = result(maps);
        for (Map.Entry<Path, Integer> e : files.entrySet()) {
            int i = e.getValue();
            if (i >= 0) {
                InspectPictures.writePng(pictures.card(i), e.getKey());
            } else if (i == SIDE_BY_SIDE) {
                InspectPictures.writePng(pictures.sideBySide(), e.getKey());
            } else {
                InspectPictures.writePng(InspectPictures.filters(c.params()), e.getKey());
            }
        }
        for (int i = 0; i < n; i++) {
            o.println(names.get(i) + ": " + PredictCommand.topClasses(result, i, Math.min(3, top))
                    + (labels[i] >= 0 ? "; true class " + FashionMnist.CLASS_NAMES.get(labels[i]) : ""));
        }
        o.println(String.format(Locale.ROOT, "colour scales: conv1 %.3f to %.3f, conv2 %.3f to %.3f (over the %d image%s)",
                pictures.conv1Range().lo(), pictures.conv1Range().hi(), pictures.conv2Range().lo(), pictures.conv2Range().hi(),
                n, n == 1 ? "" : "s"));
        o.println("wrote " + dir + ": " + String.join(", ", files.keySet().stream().map(p -> p.getFileName().toString()).toList()));
        o.flush();
        return 0;
    }

    private static final int SIDE_BY_SIDE = -1;
    private static final int FILTERS = -2;

    /**
     * The pictures and what each shows (image i, or {@link #SIDE_BY_SIDE}, {@link #FILTERS}), in the order
     * they are listed: one per image named after it, each name once. An existing file is refused unless
     * --force, and an input image is never replaced.
     */
    private Map<Path, Integer> plan(Path dir, List<ImageFiles.Image> read) {
        Map<Path, Integer> files = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>(List.of(SIDE_BY_SIDE_NAME, FILTERS_NAME));
        for (int i = 0; i < read.size(); i++) {
            String stem = stem(read.get(i).name());
            String name = stem + SUFFIX;
            for (int k = 2; !taken.add(name); k++) {
                name = stem + "-" + k + SUFFIX;
            }
            files.put(dir.resolve(name), i);
        }
        if (read.size() > 1) {
            files.put(dir.resolve(SIDE_BY_SIDE_NAME), SIDE_BY_SIDE);
        }
        files.put(dir.resolve(FILTERS_NAME), FILTERS);
        for (Path f : files.keySet()) {
            if (Files.isDirectory(f)) {
                throw usage("--out " + dir + ": " + f.getFileName() + " there is a folder, expected a file name");
            }
            for (Path input : images) {
                if (Files.exists(input) && OutputOptions.sameFile(f, input)) {
                    throw usage("--out " + dir + ": the picture " + f.getFileName() + " would replace the input image " + input
                            + ": give another folder");
                }
            }
            if (Files.exists(f, LinkOption.NOFOLLOW_LINKS) && !force) {
                throw usage("--out " + dir + ": " + f.getFileName() + " exists: give another folder, or --force to replace it");
            }
        }
        return files;
    }

    /** An image's name as a file name: "coat.png" → "coat", "t10k-images-idx3-ubyte.gz#6" → "t10k-images-idx3-ubyte-6". */
    static String stem(String name) {
        String s = name.replaceFirst("\\.gz(?=#|$)", "").replaceFirst("\\.(?i:png|jpe?g|bmp|gif)$", "").replace('#', '-');
        s = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "image" + s : s;
    }

    /** {@code inspect} beside the checkpoint, or {@code inspect-2}, {@code -3}, … when that is not empty. */
    static Path defaultFolder(Path checkpoint) {
        Path base = checkpoint.getParent() != null ? checkpoint.getParent() : Path.of("");
        Path dir = base.resolve(DEFAULT_FOLDER);
        for (int i = 2; !OutputOptions.isEmpty(dir); i++) {
            dir = base.resolve(DEFAULT_FOLDER + "-" + i);
        }
        return dir;
    }

    /** Creates the folder and checks that files can be made in it, before any picture is drawn. */
    private void prepare(Path dir) {
        String what = out != null ? "--out " + dir : dir + " (the default output folder, beside the checkpoint; --out DIR for another)";
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".lenet-probe-", ".tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot " + (Files.isDirectory(dir) ? "write into" : "create")
                    + " the folder (" + IoErrors.folderReason(dir, e) + ")", e);
        }
    }

    /** The probabilities in {@code predict}'s form, for its way of printing them. */
    private static Inference.Result result(FeatureMaps maps) {
        int n = maps.count();
        float[] p = new float[n * LeNet.CLASSES];
        int[] best = new int[n];
        for (int i = 0; i < n; i++) {
            for (int cl = 0; cl < LeNet.CLASSES; cl++) {
                p[i * LeNet.CLASSES + cl] = maps.probability(i, cl);
                if (p[i * LeNet.CLASSES + cl] > p[i * LeNet.CLASSES + best[i]]) {
                    best[i] = cl;
                }
            }
        }
        return new Inference.Result(n, p, best);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
