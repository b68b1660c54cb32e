package lenet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of {@code lenet train} that say where a run's files go, how it resumes, and how it shows progress. */
public final class OutputOptions {
    public static final String METRICS_JSON = "metrics.json";
    public static final String METRICS_CSV = "metrics.csv";
    public static final String CURVES = "curves.png";
    public static final String MODEL = "model.ckpt";
    static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Option(names = "--out", paramLabel = "DIR",
            description = "Folder for the run's files: metrics.json, metrics.csv, curves.png, model.ckpt "
                    + "(default: runs/<yyyyMMdd-HHmmss>; with --resume, the checkpoint's folder). Must be new or empty.")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "The learning curves, a PNG redrawn after every epoch (default: <out>/curves.png).")
    Path plot;

    @Option(names = "--no-plot", description = "Do not draw the learning curves.")
    boolean noPlot;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Where the final checkpoint goes, and an interrupted run's (default: <out>/model.ckpt).")
    Path save;

    @Option(names = "--save-every-epoch", description = "Also save a checkpoint after every epoch: <out>/epoch-<N>.ckpt.")
    boolean saveEveryEpoch;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run saved in checkpoint FILE, with its settings, to the same weights as an uninterrupted run.")
    Path resume;

    @Option(names = "--plain", description = "Plain progress lines even in a terminal (no progress bar).")
    boolean plain;

    /**
     * Resolves and checks the paths: a usage error when the folder holds something other than the run
     * being resumed, or a file would land in a folder that does not exist.
     *
     * @param resumed the folder of the checkpoint given with --resume, or null
     */
    RunFolder.Paths resolve(CommandSpec spec, Path resumed) {
        if (plot != null && noPlot) {
            throw usage(spec, "--plot and --no-plot do not go together");
        }
        Path dir = out;
        if (dir == null) {
            dir = resumed != null ? resumed : freshRunFolder(Path.of("runs"), LocalDateTime.now());
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw usage(spec, "--out " + dir + " is a file, expected a folder");
        }
        if (!isEmpty(dir) && (resumed == null || !sameFile(dir, resumed))) {
            throw usage(spec, "--out " + dir + " is not empty: give a new folder"
                    + (resumed == null && Files.isRegularFile(dir.resolve(MODEL)) ? ", or --resume " + dir.resolve(MODEL) + " to continue that run" : ""));
        }
        Path savePath = save != null ? save : dir.resolve(MODEL);
        if (save != null) {
            if (Files.isDirectory(save)) {
                throw usage(spec, "--save " + save + " is a folder, expected a file name");
            }
            if (Files.exists(save) && (this.resume == null || !sameFile(save, this.resume))) {
                throw usage(spec, "--save " + save + " exists: give a new file name");
            }
            parentExists(spec, "--save", save, dir);
        }
        Path plotPath = noPlot ? null : plot != null ? plot : dir.resolve(CURVES);
        if (plot != null) {
            if (Files.isDirectory(plot)) {
                throw usage(spec, "--plot " + plot + " is a folder, expected a file name");
            }
            parentExists(spec, "--plot", plot, dir);
        }
        return new RunFolder.Paths(dir, plotPath, savePath, saveEveryEpoch, resume);
    }

    /** Whether progress is a bar: a terminal, not CI, not --plain. */
    boolean bar() {
        var console = System.console();
        String ci = System.getenv("CI");
        return !plain && console != null && console.isTerminal() && (ci == null || ci.isEmpty() || ci.equals("false"))
                && !"dumb".equals(System.getenv("TERM"));
    }

    /** runs/<time>, or runs/<time>-2, -3, … when a run started in the same second. */
    static Path freshRunFolder(Path runs, LocalDateTime now) {
        String name = RUN_NAME.format(now);
        Path dir = runs.resolve(name);
        for (int i = 2; !isEmpty(dir); i++) {
            dir = runs.resolve(name + "-" + i);
        }
        return dir;
    }

    static boolean isEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return !Files.exists(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** A file's folder must exist, unless it is the run folder (created when the run starts). */
    private static void parentExists(CommandSpec spec, String option, Path file, Path runFolder) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)
                && !parent.normalize().equals(runFolder.toAbsolutePath().normalize())) {
            throw usage(spec, option + " " + file + ": folder " + parent + " does not exist");
        }
    }

    private static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
