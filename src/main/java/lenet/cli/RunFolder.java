package lenet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import lenet.data.IoErrors;
import lenet.model.LeNet;
import lenet.report.Curves;
import lenet.train.Checkpoint;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import lenet.train.TrainListener;
import lenet.train.TrainState;
import java.util.Locale;

/**
 * A run's output folder, kept up to date as it trains: after every epoch the checkpoint (and, with
 * --save-every-epoch, a copy per epoch), then metrics.json, metrics.csv and the learning curves; at the
 * end, or when the run is interrupted, the checkpoint, then the metrics. Every file is replaced atomically.
 * The folder is locked while the run lasts. A metrics file or chart that cannot be
 * written costs a warning, not the run; a checkpoint that cannot be written is an error.
 */
final class RunFolder implements TrainListener, AutoCloseable {
    /**
     * The run's files.
     *
     * @param plot   the learning curves PNG, or null for none
     * @param resume the checkpoint the run continues, or null
     */
    record Paths(Path out, Path plot, Path save, boolean saveEveryEpoch, Path resume) {
        Path metricsJson() {
            return out.resolve(OutputOptions.METRICS_JSON);
        }

        Path metricsCsv() {
            return out.resolve(OutputOptions.METRICS_CSV);
        }

        Path epochCheckpoint(int epoch) {
            return out.resolve("epoch-" + epoch + ".ckpt");
        }
    }

    private final Paths paths;
    private final Path extraJson;
    private final PrintWriter err;
    private Function<TrainState, Checkpoint> checkpoint;
    private boolean metricsWarned;
    private boolean plotWarned;
    private RunLock lock;
    private boolean created;

    /**
     * @param extraJson  another copy of metrics.json (--metrics-json), or null
     * @param checkpoint makes the checkpoint of a state (with the engine's current parameters)
     */
    RunFolder(Paths paths, Path extraJson, PrintWriter err, Function<TrainState, Checkpoint> checkpoint) {
        this.paths = paths;
        this.extraJson = extraJson;
        this.err = err;
        this.checkpoint = checkpoint;
    }

    /** A folder whose checkpoints are made by what {@link #checkpoints} gives, once the engine runs. */
    RunFolder(Paths paths, Path extraJson, PrintWriter err) {
        this(paths, extraJson, err, null);
    }

    /** How the run's checkpoints are made: of a state, with the engine's current parameters. */
    void checkpoints(Function<TrainState, Checkpoint> make) {
        this.checkpoint = make;
    }

    /**
     * Readies the folder before the engine starts and the first step runs, so that nothing is found wrong at
     * the end: creates it, locks it against a second run ({@link RunLock}), checks again under the lock that
     * it is empty (or the resumed run's), that every folder the run writes into takes a file, and that there
     * is room for what the run writes ({@link #bytesNeeded}). On failure it leaves nothing behind.
     *
     * @param resuming whether the folder is that of the checkpoint being resumed (its files are the run's)
     * @param epochs   the epochs the run will end, for the size of its files
     * @throws UsageError when another run holds the folder or it was filled in the meantime
     * @throws UncheckedIOException with one line naming the option and the reason otherwise
     */
    void open(boolean resuming, int epochs) {
        Path dir = paths.out();
        boolean existed = Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("--out " + dir + ": cannot create the folder (" + IoErrors.folderReason(dir, e) + ")", e);
        }
        created = !existed;
        try {
            try {
                lock = RunLock.acquire(dir);
            } catch (RunLock.Busy b) {
                throw new UsageError("--out " + dir + " is in use by another lenet train run (" + b.getMessage()
                        + "): wait for it to end, or give another folder");
            } catch (IOException e) {
                throw new UncheckedIOException("--out " + dir + ": cannot write there (" + IoErrors.reason(e) + ")", e);
            }
            if (!resuming && !OutputOptions.isEmpty(dir)) {
                throw new UsageError("--out " + dir + " is not empty: give a new folder");
            }
            probe("--out", dir);
            probe("--save", paths.save());
            if (paths.plot() != null) {
                probe("--plot", paths.plot());
            }
            if (extraJson != null) {
                probe("--metrics-json", extraJson);
            }
            checkSpace(epochs);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Unlocks the folder; removes it when this run created it and wrote nothing into it. */
    @Override
    public void close() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
        if (created && OutputOptions.isEmpty(paths.out())) {
            try {
                Files.deleteIfExists(paths.out());
            } catch (IOException e) {
                // an empty folder is all that is left
            }
        }
    }

    /** A usage error found while opening the folder (exit status 2). */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** Writes and removes a file where {@code file} goes (or in {@code file}, a folder): a read-only place fails now. */
    private static void probe(String option, Path file) {
        Path dir = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
        try {
            Path p = Files.createTempFile(dir, ".lenet-probe-", ".tmp");
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(option + " " + file + ": cannot write into " + dir + " (" + IoErrors.reason(e) + ")", e);
        }
    }

    /**
     * Bytes the run's files can take at once, at most: the checkpoint twice (a new one is written before the
     * old one goes), once more per epoch with --save-every-epoch, the metrics files and the chart.
     */
    long bytesNeeded(int epochs) {
        long checkpoint = CHECKPOINT_BYTES + HISTORY_BYTES_PER_EPOCH * epochs;
        long checkpoints = 2 * checkpoint + (paths.saveEveryEpoch() ? epochs * checkpoint : 0);
        long metrics = 2 * (METRICS_BYTES + HISTORY_BYTES_PER_EPOCH * epochs) * (extraJson != null ? 3 : 2);
        return checkpoints + metrics + (paths.plot() != null ? 2 * CHART_BYTES : 0);
    }

    static final long CHECKPOINT_BYTES = 16 + 4L * LeNet.parameterCount() + 32 + 4096;
    static final long HISTORY_BYTES_PER_EPOCH = 1024;
    static final long METRICS_BYTES = 4096;
    static final long CHART_BYTES = 256 << 10;

    private void checkSpace(int epochs) {
        long needed = bytesNeeded(epochs);
        long usable;
        try {
            usable = Files.getFileStore(paths.out()).getUsableSpace();
        } catch (IOException e) {
            return; // a file system that cannot say: the writes will tell
        }
        checkSpace("--out " + paths.out(), needed, usable);
    }

    /** Fails when {@code usable} bytes cannot hold the {@code needed}. */
    static void checkSpace(String where, long needed, long usable) {
        if (usable < needed) {
            throw new UncheckedIOException(where + ": not enough free space: the run writes up to "
                    + String.format(Locale.ROOT, "%,d", needed) + " bytes, the file system has "
                    + String.format(Locale.ROOT, "%,d", usable) + " free", new IOException("No space left on device"));
        }
    }

    Paths paths() {
        return paths;
    }

    /**
     * Draws the chart at once (a resumed run's history, or empty axes): the file is there from the
     * start, and AWT starts now, not after a Ctrl-C, when the JVM no longer lets it register its
     * shutdown hooks.
     */
    @Override
    public void started(RunMetrics metrics, TrainState from) {
        writeChart(metrics);
    }

    /**
     * After an epoch: its checkpoint first, then the metrics that describe it, so the folder never claims more
     * epochs than its checkpoint holds (a checkpoint that cannot be written stops the run before the metrics).
     */
    @Override
    public void epochEnded(RunMetrics metrics, TrainState state) {
        Checkpoint c = checkpoint.apply(state);
        Checkpoint.write(paths.save(), c);
        if (paths.saveEveryEpoch()) {
            Checkpoint.write(paths.epochCheckpoint(state.epochsDone()), c);
        }
        writeMetrics(metrics);
    }

    /** The end of a run, finished or interrupted: its checkpoint, then its metrics and chart. */
    void complete(RunMetrics metrics, TrainState state) {
        Checkpoint.write(paths.save(), checkpoint.apply(state));
        writeMetrics(metrics);
    }

    /** The files the folder holds for this run, for the last line of the run. */
    List<String> contents() {
        List<String> names = new ArrayList<>();
        for (Path p : new Path[] {paths.save(), paths.metricsJson(), paths.metricsCsv(), paths.plot()}) {
            if (p != null && Files.isRegularFile(p)) {
                names.add(p.toAbsolutePath().getParent().equals(paths.out().toAbsolutePath()) ? p.getFileName().toString() : p.toString());
            }
        }
        return names;
    }

    private void writeMetrics(RunMetrics metrics) {
        try {
            MetricsFile.write(paths.metricsJson(), metrics);
            MetricsFile.writeCsv(paths.metricsCsv(), metrics);
            if (extraJson != null) {
                MetricsFile.write(extraJson, metrics);
            }
        } catch (UncheckedIOException e) {
            if (!metricsWarned) {
                metricsWarned = true;
                err.println("lenet: warning: " + e.getMessage() + "; training goes on");
            }
        }
        writeChart(metrics);
    }

    private void writeChart(RunMetrics metrics) {
        if (paths.plot() != null) {
            try {
                Curves.write(metrics, paths.plot());
            } catch (RuntimeException | Error e) {
                // No fonts or no AWT libraries on a minimal system must not cost the run.
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                if (!plotWarned) {
                    plotWarned = true;
                    err.println("lenet: warning: cannot draw " + paths.plot() + " (" + IoErrors.reason(e) + "); training goes on "
                            + "(--no-plot turns the chart off)");
                }
            }
        }
    }
}
