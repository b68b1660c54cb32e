package lenet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import lenet.report.Curves;
import lenet.train.Checkpoint;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import lenet.train.TrainListener;
import lenet.train.TrainState;

/**
 * A run's output folder, kept up to date as it trains: after every epoch metrics.json, metrics.csv
 * and the learning curves (and, with --save-every-epoch, a checkpoint); at the end, or when the run is
 * interrupted, the checkpoint. Every file is replaced atomically. A metrics file or chart that cannot be
 * written costs a warning, not the run; a checkpoint that cannot be written is an error.
 */
final class RunFolder implements TrainListener {
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
    private final Function<TrainState, Checkpoint> checkpoint;
    private boolean metricsWarned;
    private boolean plotWarned;

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

    /** Creates the folder. */
    void create() {
        try {
            Files.createDirectories(paths.out());
        } catch (IOException e) {
            throw new UncheckedIOException("--out " + paths.out() + ": cannot create the folder (" + e.getMessage() + ")", e);
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

    @Override
    public void epochEnded(RunMetrics metrics, TrainState state) {
        if (paths.saveEveryEpoch()) {
            Checkpoint.write(paths.epochCheckpoint(state.epochsDone()), checkpoint.apply(state));
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
                    err.println("lenet: warning: cannot draw " + paths.plot() + " (" + e + "); training goes on "
                            + "(--no-plot turns the chart off)");
                }
            }
        }
    }
}
