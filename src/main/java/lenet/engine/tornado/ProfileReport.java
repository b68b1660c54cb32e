package lenet.engine.tornado;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import lenet.engine.EngineException;

/**
 * {@code --profile}: reads TornadoVM's profile log ({@code TornadoProfilerResult.getProfileLog()}) and
 * prints one execution of a graph as a table, kernels sorted by device time with their share of the
 * step. The log is JSON, one object per profiled execution, concatenated: {@code {"train": {
 * "TOTAL_TASK_GRAPH_TIME": "…", "COPY_IN_TIME": "…", …, "train.conv1.forward": {"METHOD": "Conv2d.forward",
 * "TASK_KERNEL_TIME": "…", "TASK_COMPILE_GRAAL_TIME": "…", …}, …}}}, every time in nanoseconds, every
 * value a string. Compile times appear only in the execution that compiled the graph (its first).
 */
public final class ProfileReport {
    private ProfileReport() {
    }

    /** One task of one execution; times in nanoseconds. */
    public record Task(String id, String method, long kernelNanos, long compileNanos) {
    }

    /** One execution of a graph; times in nanoseconds. */
    public record Step(String graph, long totalNanos, long kernelNanos, long copyInNanos, long copyOutNanos,
            long copyInBytes, long copyOutBytes, long dispatchNanos, List<Task> tasks) {
        Task task(String id) {
            return tasks.stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
        }
    }

    private static final Pattern TRAILING_COMMA = Pattern.compile(",(\\s*})");

    /**
     * The last execution of {@code graph} in the log, or null when the log has none. Entries without a
     * graph total (TornadoVM logs a transfer to the host on its own, with a trailing comma that is not
     * JSON: it is dropped) are skipped.
     */
    public static Step parse(String log, String graph) {
        JsonObject last = null;
        if (log == null || log.isBlank()) {
            return null;
        }
        String json = TRAILING_COMMA.matcher(log).replaceAll("$1");
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.LENIENT);
        try {
            while (reader.peek() != JsonToken.END_DOCUMENT) {
                JsonElement e = JsonParser.parseReader(reader);
                if (e.isJsonObject() && e.getAsJsonObject().has(graph) && e.getAsJsonObject().get(graph).isJsonObject()
                        && e.getAsJsonObject().getAsJsonObject(graph).has("TOTAL_TASK_GRAPH_TIME")) {
                    last = e.getAsJsonObject().getAsJsonObject(graph);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new EngineException("--profile: cannot read TornadoVM's profile log: " + e.getMessage(), e);
        }
        if (last == null) {
            return null;
        }
        List<Task> tasks = new ArrayList<>();
        for (Map.Entry<String, JsonElement> entry : last.entrySet()) {
            if (entry.getValue().isJsonObject()) {
                JsonObject t = entry.getValue().getAsJsonObject();
                String id = entry.getKey().startsWith(graph + ".") ? entry.getKey().substring(graph.length() + 1) : entry.getKey();
                long compile = number(t, "TASK_COMPILE_GRAAL_TIME") + number(t, "TASK_CODE_GENERATION_TIME") + number(t, "TASK_COMPILE_DRIVER_TIME");
                tasks.add(new Task(id, t.has("METHOD") ? t.get("METHOD").getAsString() : "", number(t, "TASK_KERNEL_TIME"), compile));
            }
        }
        return new Step(graph, number(last, "TOTAL_TASK_GRAPH_TIME"), number(last, "TOTAL_KERNEL_TIME"),
                number(last, "COPY_IN_TIME"), number(last, "COPY_OUT_TIME"),
                number(last, "TOTAL_COPY_IN_SIZE_BYTES"), number(last, "TOTAL_COPY_OUT_SIZE_BYTES"),
                number(last, "TOTAL_DISPATCH_KERNEL_TIME") + number(last, "TOTAL_DISPATCH_DATA_TRANSFERS_TIME"), List.copyOf(tasks));
    }

    private static long number(JsonObject o, String key) {
        if (!o.has(key)) {
            return 0;
        }
        try {
            return Long.parseLong(o.get(key).getAsString().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The table: {@code step} (a steady-state execution) with each kernel's device time and share of the
     * step's total, and the compile time each kernel took in {@code first} (the compiling execution; may
     * be {@code step} itself, or null).
     */
    public static String format(String title, Step step, Step first) {
        StringBuilder b = new StringBuilder(title).append('\n');
        double total = Math.max(1, step.totalNanos());
        String transfers = "transfers (" + bytes(step.copyInBytes()) + " in, " + bytes(step.copyOutBytes()) + " out)";
        int width = Math.max(transfers.length(), step.tasks().stream().mapToInt(t -> t.id().length()).max().orElse(0)) + 1;
        String row = "  %-" + width + "s %12s %7s %14s%n";
        b.append(String.format(Locale.ROOT, row, "kernel", "device ms", "share", "compile ms¹"));
        List<Task> sorted = new ArrayList<>(step.tasks());
        sorted.sort(Comparator.comparingLong(Task::kernelNanos).reversed().thenComparing(Task::id));
        long compileSum = 0;
        for (Task t : sorted) {
            Task compiled = first == null ? null : first.task(t.id());
            long compile = compiled == null ? 0 : compiled.compileNanos();
            compileSum += compile;
            b.append(String.format(Locale.ROOT, row, t.id(), ms(t.kernelNanos()), pct(t.kernelNanos() / total),
                    compiled == null ? "-" : ms(compile)));
        }
        long kernels = step.tasks().stream().mapToLong(Task::kernelNanos).sum();
        b.append(String.format(Locale.ROOT, row, "all " + step.tasks().size() + " kernels", ms(kernels), pct(kernels / total),
                first == null ? "-" : ms(compileSum)));
        b.append(String.format(Locale.ROOT, row, transfers,
                ms(step.copyInNanos() + step.copyOutNanos()), pct((step.copyInNanos() + step.copyOutNanos()) / total), ""));
        b.append(String.format(Locale.ROOT, row, "dispatch (host)", ms(step.dispatchNanos()), pct(step.dispatchNanos() / total), ""));
        b.append(String.format(Locale.ROOT, row, "step (graph total)", ms(step.totalNanos()), "100%", ""));
        b.append(first == null ? "  ¹ not in this profile: the warm-up compiled the graph before its first execution; "
                : "  ¹ in graph " + step.graph() + "'s first execution: Graal, code generation and driver compile time; ")
                .append("every other number is from the execution profiled\n");
        return b.toString();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String bytes(long n) {
        return n < 10_000 ? n + " B" : n < 10_000_000 ? n / 1000 + " kB" : n / 1_000_000 + " MB";
    }
}
