package lenet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.nio.file.LinkOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--force", description = "Replace existing files named by --save, --plot and --metrics-json "
            + "(without it, an existing file there is refused).")
    boolean force;

    /**
     * Plans the run's files before anything is loaded or written: the folder is new or empty (or the
     * folder of the checkpoint being resumed), every output has a file of its own (two options naming one
     * file are refused), no existing file is replaced unless it is this run's own or {@code --force} says
     * so, and every file's folder exists or is the run folder. A usage error names the option.
     *
     * @param resumed the folder of the checkpoint given with --resume, or null
     * @param metricsJson the file of --metrics-json, or null
     */
    RunFolder.Paths resolve(CommandSpec spec, Path resumed, Path metricsJson) {
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
        String holder = Files.isDirectory(dir) ? RunLock.holder(dir) : null;
        if (holder != null) {
            throw usage(spec, "--out " + dir + " is in use by another lenet train run (" + holder
                    + "): wait for it to end, or give another folder");
        }
        if (!isEmpty(dir) && (resumed == null || !sameFile(dir, resumed))) {
            throw usage(spec, "--out " + dir + " is not empty: give a new folder"
                    + (resumed == null && Files.isRegularFile(dir.resolve(MODEL)) ? ", or --resume " + dir.resolve(MODEL) + " to continue that run" : ""));
        }
        Path savePath = save != null ? save : dir.resolve(MODEL);
        Path plotPath = noPlot ? null : plot != null ? plot : dir.resolve(CURVES);
        RunFolder.Paths paths = new RunFolder.Paths(dir, plotPath, savePath, saveEveryEpoch, resume);

        // Every output, named as the messages name it; the first of two that share a file is the one named.
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put(save != null ? "--save" : "the checkpoint " + MODEL, savePath);
        outputs.put(METRICS_JSON, paths.metricsJson());
        outputs.put(METRICS_CSV, paths.metricsCsv());
        if (plotPath != null) {
            outputs.put(plot != null ? "--plot" : "the learning curves " + CURVES, plotPath);
        }
        if (metricsJson != null) {
            outputs.put("--metrics-json", metricsJson);
        }
        List<Map.Entry<String, Path>> all = List.copyOf(outputs.entrySet());
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (sameFile(all.get(i).getValue(), all.get(j).getValue())) {
                    Map.Entry<String, Path> a = all.get(j).getKey().startsWith("--") ? all.get(j) : all.get(i);
                    Map.Entry<String, Path> b = a == all.get(j) ? all.get(i) : all.get(j);
                    throw usage(spec, a.getKey() + " " + a.getValue() + " is the same file as " + b.getKey()
                            + ": each output needs a file of its own");
                }
            }
            Map.Entry<String, Path> e = all.get(i);
            if (saveEveryEpoch && isEpochCheckpoint(e.getValue(), dir)) {
                throw usage(spec, e.getKey() + " " + e.getValue() + " is where --save-every-epoch saves an epoch's checkpoint: "
                        + "each output needs a file of its own");
            }
            if (resume != null && !e.getKey().equals("--save") && !e.getKey().startsWith("the checkpoint") && sameFile(e.getValue(), resume)) {
                throw usage(spec, e.getKey() + " " + e.getValue() + " is the checkpoint being resumed: each output needs a file of its own");
            }
        }
        if (save != null) {
            named(spec, "--save", save, dir, resume != null && sameFile(save, resume));
        }
        if (plot != null) {
            named(spec, "--plot", plot, dir, resumed != null && sameFile(plot, resumed.resolve(CURVES)));
        }
        if (metricsJson != null) {
            named(spec, "--metrics-json", metricsJson, dir, false);
        }
        return paths;
    }

    /** A file named by an option: not a folder, not an existing file (unless it is the run's own, or --force), in a folder that exists. */
    private void named(CommandSpec spec, String option, Path file, Path runFolder, boolean ours) {
        if (Files.isDirectory(file)) {
            throw usage(spec, option + " " + file + " is a folder, expected a file name");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !ours && !force) {
            throw usage(spec, option + " " + file + " exists: give a new file name, or --force to replace it");
        }
        parentExists(spec, option, file, runFolder);
    }

    private static boolean isEpochCheckpoint(Path file, Path runFolder) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent != null && parent.equals(runFolder.toAbsolutePath().normalize())
                && file.getFileName().toString().matches("epoch-\\d+\\.ckpt");
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

    /** Whether {@code dir} is missing or holds nothing (a lock file left by a killed run counts as nothing). */
    static boolean isEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return !Files.exists(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.allMatch(p -> p.getFileName().toString().equals(RunLock.NAME));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether two paths name one file: the same path once normalised, or (existing) the same file through links. */
    static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
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
