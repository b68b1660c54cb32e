package lenet.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * Writes a run's metrics, atomically ({@link AtomicFile}): a reader never sees half a file, and a failed
 * write keeps the old one. JSON holds everything ({@link RunMetrics}); CSV one row per epoch.
 */
public final class MetricsFile {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    /** The header of {@link #toCsv}. */
    public static final String CSV_HEADER = "epoch,loss,train_acc,test_acc,train_seconds,examples_per_sec";

    private MetricsFile() {
    }

    public static String toJson(RunMetrics metrics) {
        return GSON.toJson(metrics);
    }

    public static RunMetrics read(Path file) throws IOException {
        return GSON.fromJson(Files.readString(file), RunMetrics.class);
    }

    public static void write(Path file, RunMetrics metrics) {
        byte[] json = (toJson(metrics) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, "metrics", out -> out.write(json));
    }

    /** One row per epoch of {@code metrics.history}, after {@link #CSV_HEADER}. */
    public static String toCsv(RunMetrics metrics) {
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (RunMetrics.Epoch e : metrics.history) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.3f,%.1f\n",
                    e.epoch(), e.loss(), e.trainAcc(), e.testAcc(), e.trainSeconds(), e.examplesPerSec()));
        }
        return csv.toString();
    }

    public static void writeCsv(Path file, RunMetrics metrics) {
        byte[] csv = toCsv(metrics).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, "metrics", out -> out.write(csv));
    }
}
