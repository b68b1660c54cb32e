package lenet.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.function.UnaryOperator;

/** Checkpoint files for tests of other packages: valid ones whose header a test edits (the SHA-256 still matches). */
public final class CheckpointFiles {
    private CheckpointFiles() {
    }

    /** Writes {@code c} with its JSON header passed through {@code edit}, and a checksum that matches. */
    public static Path writeEdited(Path file, Checkpoint c, Consumer<JsonObject> edit) {
        return writeText(file, c, header -> {
            JsonObject h = JsonParser.parseString(header).getAsJsonObject();
            edit.accept(h);
            return new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(h);
        });
    }

    /** Writes {@code c} with its header text replaced by what {@code edit} makes of it. */
    public static Path writeText(Path file, Checkpoint c, UnaryOperator<String> edit) {
        try {
            return Files.write(file, Checkpoint.encode(c, Checkpoint.VERSION, edit));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
