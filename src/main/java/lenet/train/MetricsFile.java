package lenet.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** Writes a run's metrics as JSON, atomically: a reader never sees half a file, and a failed write keeps the old one. */
public final class MetricsFile {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private MetricsFile() {
    }

    public static String toJson(RunMetrics metrics) {
        return GSON.toJson(metrics);
    }

    public static RunMetrics read(Path file) throws IOException {
        return GSON.fromJson(Files.readString(file), RunMetrics.class);
    }

    public static void write(Path file, RunMetrics metrics) {
        Path target = file.toAbsolutePath();
        try {
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, toJson(metrics) + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write metrics: " + e.getMessage(), e);
        }
    }
}
