package lenet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import lenet.data.FashionMnist;
import lenet.data.ImageFiles;
import lenet.engine.Inference;
import lenet.engine.KernelSet;
import lenet.model.LeNet;
import lenet.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lenet predict CHECKPOINT FILE…}: the most likely classes of images, with their probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classifies images with a saved model (JVM engine): the top classes and their probabilities.",
                "An image is a 28×28 grayscale PNG, a light object on a black background as in Fashion-MNIST "
                        + "(pixel/255; colour is converted to gray, with a note), or an IDX images file (raw or .gz)."})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint written by 'lenet train'.")
    Path checkpoint;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE", description = "PNG images, IDX images files, or FILE#N: image N (from 0) of an IDX images file.")
    List<Path> files;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "Classes shown per image, 1..10 (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--limit", paramLabel = "N", description = "At most the first N images of each IDX file (N >= 1).")
    Integer limit;

    @Option(names = "--invert", description = "Invert the images first (for dark objects on a light background).")
    boolean invert;

    @Option(names = "--threads", paramLabel = "N", description = "Threads, 1 or more; more than the cores are capped, with a note (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
        if (top < 1 || top > LeNet.CLASSES) {
            throw new ParameterException(spec.commandLine(), "--top must be 1.." + LeNet.CLASSES + ", got " + top);
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be positive, got " + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int threads = Cli.threads(spec, this.threads);
        Checkpoint c = Checkpoint.read(checkpoint);
        // Every file is read before anything is printed: a bad one fails the command with one line.
        List<String> notes = new ArrayList<>();
        List<ImageFiles.Image> images = new ArrayList<>();
        for (Path f : files) {
            images.addAll(ImageFiles.read(f, limit == null ? Integer.MAX_VALUE : limit, invert, notes::add));
        }
        notes.forEach(n -> err.println("note: " + n));
        err.flush();
        float[] pixels = new float[images.size() * LeNet.PIXELS];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).pixels(), 0, pixels, i * LeNet.PIXELS, LeNet.PIXELS);
        }
        Inference.Result r = Inference.run(c.params(), pixels, images.size(), threads, KernelSet.CPU);
        for (int i = 0; i < images.size(); i++) {
            out.println(images.get(i).name() + ": " + topClasses(r, i, top));
        }
        out.flush();
        return 0;
    }

    /** "Ankle boot 0.912, Sneaker 0.071, Sandal 0.012": the k most probable classes, most probable first. */
    static String topClasses(Inference.Result r, int example, int k) {
        List<Integer> order = new ArrayList<>();
        for (int cl = 0; cl < LeNet.CLASSES; cl++) {
            order.add(cl);
        }
        order.sort((a, b) -> Float.compare(r.probability(example, b), r.probability(example, a)));
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            int cl = order.get(j);
            parts.add(String.format(Locale.ROOT, "%s %.3f", FashionMnist.CLASS_NAMES.get(cl), r.probability(example, cl)));
        }
        return String.join(", ", parts);
    }
}
