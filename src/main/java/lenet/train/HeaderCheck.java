package lenet.train;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import lenet.data.Idx;
import lenet.data.IoErrors;

/**
 * Checks a checkpoint's JSON header field by field before it is turned into objects: every field the
 * reader needs is there, of its type and in its range, so a header that passes the checksum but was
 * made by hand (or by a bug) is refused with one line naming the file and the field
 * ({@code state.history[2].testAcc}), never with an exception from deep inside.
 */
final class HeaderCheck {
    private final Path file;

    private HeaderCheck(Path file) {
        this.file = file;
    }

    static void check(Path file, String json) {
        new HeaderCheck(file).header(json);
    }

    private void header(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new CheckpointException(file, "corrupt checkpoint header (" + IoErrors.reason(e) + ")");
        }
        if (!root.isJsonObject()) {
            throw bad("the header", "is not a JSON object");
        }
        JsonObject h = root.getAsJsonObject();
        string(h, "format", "format");
        if (h.has("model")) { // absent in files written before there was a choice of models
            string(h, "model", "model");
        }
        if (!h.has("tensors") || !h.get("tensors").isJsonArray()) {
            throw bad("tensors", h.has("tensors") ? "is not a list" : "is missing");
        }
        JsonObject config = object(h, "config", "config");
        int epochs = (int) integer(config, "config", "epochs", 1, TrainConfig.MAX_EPOCHS);
        int batch = (int) integer(config, "config", "batchSize", 1, TrainConfig.MAX_BATCH_SIZE);
        double lr = number(config, "config", "lr", TrainConfig.MIN_LR, TrainConfig.MAX_LR);
        integer(config, "config", "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        string(config, "config.engine", "engine");
        integer(config, "config", "threads", 0, Integer.MAX_VALUE);
        if (!TrainConfig.lrInRange((float) lr)) {
            throw bad("config.lr", "is " + lr + ", expected " + TrainConfig.LR_RANGE);
        }

        JsonObject data = object(h, "data", "data");
        long train = integer(data, "data", "trainExamples", 1, Idx.MAX_COUNT);
        integer(data, "data", "testExamples", 1, Idx.MAX_COUNT);
        integer(data, "data", "trainCrc32", 0, 0xFFFFFFFFL);
        if (data.has("testCrc32") && !data.get("testCrc32").isJsonNull()) {
            integer(data, "data", "testCrc32", 0, 0xFFFFFFFFL);
        }

        JsonObject state = object(h, "state", "state");
        int epoch = (int) integer(state, "state", "epoch", 1, epochs + 1L);
        long next = integer(state, "state", "next", 0, train - 1);
        if (next % batch != 0) {
            throw bad("state.next", "is " + next + ", expected a multiple of the batch size " + batch);
        }
        number(state, "state", "lossSum", 0, Double.MAX_VALUE);
        integer(state, "state", "correct", 0, next);
        number(state, "state", "epochSeconds", 0, Double.MAX_VALUE);
        number(state, "state", "trainSeconds", 0, Double.MAX_VALUE);
        JsonArray history = array(state, "state", "history");
        if (history.size() != epoch - 1) {
            throw bad("state.history", "holds " + history.size() + " epochs, expected " + (epoch - 1) + " (state.epoch is " + epoch + ")");
        }
        for (int i = 0; i < history.size(); i++) {
            String at = "state.history[" + i + "]";
            JsonObject e = element(history, i, at);
            integer(e, at, "epoch", i + 1, i + 1);
            number(e, at, "loss", 0, Double.MAX_VALUE);
            number(e, at, "trainAcc", 0, 1);
            number(e, at, "testAcc", 0, 1);
            number(e, at, "trainSeconds", 0, Double.MAX_VALUE);
            number(e, at, "examplesPerSec", 0, Double.POSITIVE_INFINITY);
        }
        JsonArray progress = array(state, "state", "progress");
        for (int i = 0; i < progress.size(); i++) {
            String at = "state.progress[" + i + "]";
            JsonObject p = element(progress, i, at);
            number(p, at, "epoch", 0, epochs + 1.0);
            number(p, at, "loss", 0, Double.MAX_VALUE);
            number(p, at, "trainAcc", 0, 1);
        }
    }

    private CheckpointException bad(String field, String problem) {
        return new CheckpointException(file, "corrupt checkpoint header: " + field + " " + problem);
    }

    private JsonObject object(JsonObject o, String path, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw bad(path, "is missing");
        }
        if (!e.isJsonObject()) {
            throw bad(path, "is not an object");
        }
        return e.getAsJsonObject();
    }

    private JsonArray array(JsonObject o, String parent, String name) {
        JsonElement e = o.get(name);
        String path = parent + "." + name;
        if (e == null || e.isJsonNull()) {
            throw bad(path, "is missing");
        }
        if (!e.isJsonArray()) {
            throw bad(path, "is not a list");
        }
        return e.getAsJsonArray();
    }

    private JsonObject element(JsonArray a, int i, String path) {
        JsonElement e = a.get(i);
        if (!e.isJsonObject()) {
            throw bad(path, "is not an object");
        }
        return e.getAsJsonObject();
    }

    private void string(JsonObject o, String path, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw bad(path, "is missing");
        }
        if (!(e instanceof JsonPrimitive p) || !p.isString()) {
            throw bad(path, "is " + e + ", expected a string");
        }
    }

    private JsonPrimitive numeric(JsonObject o, String path) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw bad(path, "is missing");
        }
        if (e instanceof JsonPrimitive p && (p.isNumber() || p.isString() && isSpecial(p.getAsString()))) {
            return p;
        }
        throw bad(path, "is " + e + ", expected a number");
    }

    private static boolean isSpecial(String s) {
        return s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity");
    }

    /** A whole number in [min, max]. */
    private long integer(JsonObject o, String parent, String name, long min, long max) {
        String path = parent + "." + name;
        JsonPrimitive p = numeric(o, path);
        BigDecimal v;
        try {
            v = p.getAsBigDecimal();
        } catch (NumberFormatException e) {
            throw bad(path, "is " + p + ", expected a whole number from " + min + " to " + max);
        }
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0
                || v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw bad(path, "is " + p + ", expected a whole number from " + min + " to " + max);
        }
        return v.longValueExact();
    }

    /** A number in [min, max] (NaN never). */
    private double number(JsonObject o, String parent, String name, double min, double max) {
        String path = parent + "." + name;
        JsonPrimitive p = numeric(o, path);
        double v = p.isString() ? Double.parseDouble(p.getAsString()) : p.getAsDouble();
        if (!(v >= min && v <= max)) {
            throw bad(path, "is " + p.getAsString() + ", expected " + range(min, max));
        }
        return v;
    }

    private static String range(double min, double max) {
        if (max == Double.MAX_VALUE) {
            return "a finite number from " + fmt(min);
        }
        if (max == Double.POSITIVE_INFINITY) {
            return "a number from " + fmt(min);
        }
        return "a number from " + fmt(min) + " to " + fmt(max);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
