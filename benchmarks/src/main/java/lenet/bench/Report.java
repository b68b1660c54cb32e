package lenet.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import lenet.engine.tornado.KernelProfile;
import lenet.train.MetricsFile;
import lenet.train.RunMetrics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Turns the raw results of {@code scripts/bench} in a results folder into {@code summary.json},
 * {@code results.md} and {@code kernels.png}. It reads, when present: {@code machine.json} (written by
 * the script: CPU, clock, the FP32 peak and how it was computed), {@code jmh-*.json} (JMH's own JSON;
 * {@link PeakBench}'s results are the measured peak the engine rows are also held against),
 * {@code e2e-tornado.json} (the metrics JSON of a {@code lenet train --engine tornado --profile} run: its
 * device, compile seconds and per-kernel profile; {@code tornado.log}, its console output, is for people)
 * or {@code tornado-skip.txt}, {@code compare.json} (benchmarks/compare_pytorch.py) and
 * {@code e2e-*.json} (lenet's --metrics-json of further end-to-end runs).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar lenet.bench.Report DIR</pre>
 */
public final class Report {
    /** The {@code --metrics-json} of scripts/bench's TornadoVM {@code --profile} run. */
    static final String TORNADO_RUN = "e2e-tornado.json";
    private static final List<String> LAYERS = List.of("conv1", "conv2", "fc1", "fc2", "fc3", "loss", "sgd", "batch");
    private static final List<String> OPS = List.of("forward", "sigmoidForward", "poolForward", "softmaxForward",
            "softmaxBackward", "poolBackward", "sigmoidBackward", "backwardInput", "backwardWeight", "backwardBias", "update");
    private static final List<String> IMPLS = List.of("plain", "cpu", "tornado");

    /** One kernel measurement. */
    record Row(String kernel, String impl, String device, double us, double error, long flop, double gflops,
            double pctPeak, String peakBasis) {
    }

    private final Path dir;
    private final JsonObject machine;
    private final double corePeak;
    private final double machinePeak;
    private final int cores;

    private Report(Path dir) throws IOException {
        this.dir = dir;
        Path m = dir.resolve("machine.json");
        machine = Files.exists(m) ? JsonParser.parseString(Files.readString(m)).getAsJsonObject() : new JsonObject();
        machinePeak = number(machine, "peak_gflops");
        cores = (int) number(machine, "cores");
        corePeak = cores > 0 ? machinePeak / cores : Double.NaN;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: java -cp benchmarks.jar lenet.bench.Report RESULTS_DIR (a folder scripts/bench wrote)");
            System.exit(2);
        }
        try {
            write(Path.of(args[0]));
        } catch (BadInput e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Writes summary.json, results.md and kernels.png into {@code dir}. */
    static void write(Path dir) throws IOException {
        new Report(dir).run();
    }

    /** A results file that is not what its name says: one line for the user. */
    static final class BadInput extends RuntimeException {
        BadInput(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A lenet run's metrics JSON ({@code --metrics-json}). */
    static RunMetrics metrics(Path file) throws IOException {
        try {
            RunMetrics m = MetricsFile.read(file);
            if (m == null || m.engine == null) {
                throw new JsonParseException("no \"engine\"");
            }
            return m;
        } catch (JsonParseException e) {
            throw new BadInput(file + " is not the metrics JSON of a lenet run (--metrics-json): " + e.getMessage(), e);
        }
    }

    private static double number(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsDouble() : Double.NaN;
    }

    private static String text(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "";
    }

    private void run() throws IOException {
        List<Row> kernels = new ArrayList<>();
        JsonObject measuredPeak = new JsonObject();
        JsonArray engine = new JsonArray();
        for (JsonObject r : jmh()) {
            String bench = text(r, "benchmark");
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            String op = bench.substring(bench.lastIndexOf('.') + 1);
            JsonObject params = r.has("params") ? r.getAsJsonObject("params") : new JsonObject();
            JsonObject metric = r.getAsJsonObject("primaryMetric");
            double us = metric.get("score").getAsDouble();
            double err = metric.get("scoreError").isJsonPrimitive() ? metric.get("scoreError").getAsDouble() : Double.NaN;
            String impl = text(params, "impl");
            switch (cls) {
                case "KernelBench", "ActivationBench", "LossSgdBench", "BatchBench" -> {
                    String layer = switch (cls) {
                        case "LossSgdBench" -> op.equals("update") ? "sgd" : "loss";
                        case "BatchBench" -> "batch";
                        default -> text(params, "layer");
                    };
                    long n = Long.parseLong(text(params, "n"));
                    kernels.add(row(layer + "." + op, impl, "JVM, 1 thread", us, err, Flops.of(layer, op, n), corePeak, "1 core"));
                }
                case "EngineBench" -> {
                    int threads = Integer.parseInt(text(params, "threads"));
                    int t = threads == 0 ? (int) number(r, "threads_all") : threads;
                    long batch = Long.parseLong(text(params, "batch"));
                    boolean train = op.equals("trainStep");
                    long examples = train ? batch : EngineBench.TEST;
                    long flop = train ? Flops.trainStep(batch) : Flops.forward(examples);
                    JsonObject e = new JsonObject();
                    e.addProperty("what", train ? "training step (batch " + batch + ")" : "inference (" + examples + " test examples)");
                    e.addProperty("impl", impl);
                    e.addProperty("threads", threads == 0 ? "all (" + (cores > 0 ? cores : "?") + ")" : String.valueOf(threads));
                    e.addProperty("us", us);
                    e.addProperty("error_us", err);
                    e.addProperty("examples_per_s", examples / (us * 1e-6));
                    e.addProperty("gflops", flop / (us * 1e3));
                    double peak = threads == 0 ? machinePeak : corePeak * threads;
                    e.addProperty("pct_peak", 100 * flop / (us * 1e3) / peak);
                    engine.add(e);
                }
                case "PeakBench" -> {
                    int threads = (int) number(r, "threads");
                    measuredPeak.addProperty(op.equals("oneThread") ? "one_thread_gflops" : "all_threads_gflops",
                            threads * PeakBench.FLOP_PER_CALL / (us * 1e3));
                    if (!op.equals("oneThread")) {
                        measuredPeak.addProperty("threads", threads);
                    }
                }
                default -> {
                    // StepBench and others: kept in the raw JSON only
                }
            }
        }
        for (JsonElement e : engine) {
            // the step on one thread against one thread's peak, on all threads against all threads'
            JsonObject row = e.getAsJsonObject();
            String threads = text(row, "threads");
            double peak = threads.equals("1") ? number(measuredPeak, "one_thread_gflops")
                    : threads.startsWith("all") ? number(measuredPeak, "all_threads_gflops") : Double.NaN;
            if (!Double.isNaN(peak)) {
                row.addProperty("pct_measured_peak", 100 * number(row, "gflops") / peak);
            }
        }
        String tornadoDevice = null;
        String tornadoNote = null;
        double compileSeconds = Double.NaN;
        Path tornado = dir.resolve(TORNADO_RUN);
        if (Files.exists(tornado)) {
            RunMetrics t = metrics(tornado);
            tornadoDevice = t.device == null ? "TornadoVM" : "TornadoVM " + deviceLabel(t.device);
            compileSeconds = t.warmUpSeconds;
            if (t.profile == null) {
                tornadoNote = "TornadoVM: the run wrote no profile (" + TORNADO_RUN + " has no \"profile\"; see tornado.log)";
            } else {
                kernels.addAll(tornadoRows(t.profile, Math.min(t.batchSize, t.trainExamples), tornadoDevice));
            }
        } else if (Files.exists(dir.resolve("tornado-skip.txt"))) {
            tornadoNote = Files.readString(dir.resolve("tornado-skip.txt")).strip();
        }
        kernels.sort(Comparator.comparingInt((Row r) -> index(LAYERS, r.kernel().split("\\.", 2)[0]))
                .thenComparingInt(r -> index(OPS, r.kernel().substring(r.kernel().indexOf('.') + 1)))
                .thenComparing(Row::kernel).thenComparingInt(r -> index(IMPLS, r.impl())));

        JsonObject summary = new JsonObject();
        summary.add("machine", machine);
        summary.add("measured_peak", measuredPeak);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
        summary.add("kernels", gson.toJsonTree(kernels));
        summary.add("engine", engine);
        if (tornadoNote != null) {
            summary.addProperty("tornado_note", tornadoNote);
        }
        if (!Double.isNaN(compileSeconds)) {
            summary.addProperty("tornado_compile_s", compileSeconds);
        }
        JsonObject e2e = endToEnd();
        summary.add("end_to_end", e2e);
        Files.writeString(dir.resolve("summary.json"), gson.toJson(summary) + "\n");
        Files.writeString(dir.resolve("results.md"), markdown(kernels, engine, e2e, tornadoNote, compileSeconds, measuredPeak));
        chart(kernels, tornadoDevice);
        System.out.println("bench: wrote " + dir.resolve("summary.json") + ", results.md, kernels.png");
    }

    /** A TornadoVM device as the report shows it: without OpenCL's CPU type and TornadoVM's "(available)" and after. */
    static String deviceLabel(String device) {
        return device.replaceFirst(" \\(available\\).*", "").replace(" CL_DEVICE_TYPE_CPU", "");
    }

    private static int index(List<String> order, String s) {
        int i = order.indexOf(s);
        return i < 0 ? order.size() : i;
    }

    private Row row(String kernel, String impl, String device, double us, double err, long flop, double peak, String basis) {
        double gflops = flop > 0 ? flop / (us * 1e3) : Double.NaN;
        return new Row(kernel, impl, device, us, err, flop, gflops, flop > 0 ? 100 * gflops / peak : Double.NaN, basis);
    }

    private List<JsonObject> jmh() throws IOException {
        List<JsonObject> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "jmh-*.json")) {
            List<Path> sorted = new ArrayList<>();
            files.forEach(sorted::add);
            sorted.sort(null);
            for (Path f : sorted) {
                for (JsonElement e : JsonParser.parseString(Files.readString(f)).getAsJsonArray()) {
                    JsonObject o = e.getAsJsonObject();
                    o.addProperty("threads_all", cores);
                    out.add(o);
                }
            }
        }
        return out;
    }

    /**
     * The kernel rows of a {@code --profile} run's profile (device ms per task of one training step of
     * {@code batch} examples); tasks that are one JMH kernel (the SGD update of each tensor) are summed.
     */
    private List<Row> tornadoRows(KernelProfile profile, long batch, String device) {
        Map<String, Double> ms = new LinkedHashMap<>();
        for (KernelProfile.Kernel k : profile.kernels()) {
            ms.merge(tornadoKernel(k.id()), k.deviceMs(), Double::sum);
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Double> e : ms.entrySet()) {
            String[] k = e.getKey().split("\\.", 2);
            long flop = k.length == 2 ? Flops.of(k[0], k[1], batch) : 0;
            rows.add(row(e.getKey(), "tornado", device, e.getValue() * 1e3, Double.NaN, flop, machinePeak, "all cores"));
        }
        return rows;
    }

    /**
     * A TornadoVM task id (layer.kernel: conv1.forward, fc2.backwardInput, conv1.poolForward, loss.forward,
     * sgd.fc1.weight) as the JMH name: the same, but one row for the SGD updates of all tensors and the loss
     * kernels named as their JMH benchmarks (softmaxForward, softmaxBackward).
     */
    static String tornadoKernel(String id) {
        if (id.startsWith("sgd.")) {
            return "sgd.update";
        }
        return switch (id) {
            case "loss.forward" -> "loss.softmaxForward";
            case "loss.backward" -> "loss.softmaxBackward";
            default -> id;
        };
    }

    private JsonObject endToEnd() throws IOException {
        JsonObject out = new JsonObject();
        JsonArray rows = new JsonArray();
        Path compare = dir.resolve("compare.json");
        double torch = Double.NaN;
        if (Files.exists(compare)) {
            JsonObject c = JsonParser.parseString(Files.readString(compare)).getAsJsonObject();
            JsonObject l = c.getAsJsonArray("lenet").get(0).getAsJsonObject();
            JsonObject p = c.getAsJsonArray("pytorch").get(0).getAsJsonObject();
            torch = number(p, "examples_per_sec");
            rows.add(e2eRow("lenet java", text(l, "device"), number(l, "examples_per_sec"), number(l, "test_acc"), number(l, "peak_rss_mb")));
            rows.add(e2eRow("PyTorch", c.get("threads").getAsInt() + " threads, " + text(p, "blas"), torch, number(p, "test_acc"),
                    number(p, "peak_rss_mb")));
            out.addProperty("epochs", c.get("epochs").getAsInt());
            out.addProperty("ratio_java_cpu_vs_pytorch", number(c, "ratio"));
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "e2e-*.json")) {
            List<Path> sorted = new ArrayList<>();
            files.forEach(sorted::add);
            sorted.sort(null);
            for (Path f : sorted) {
                JsonObject m = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
                String name = f.getFileName().toString().replaceAll("^e2e-|\\.json$", "");
                rows.add(e2eRow("lenet " + name.replace('-', ' '), text(m, "device"), number(m, "examplesPerSec"), number(m, "testAcc"), Double.NaN));
            }
        }
        for (JsonElement e : rows) {
            JsonObject r = e.getAsJsonObject();
            r.addProperty("ratio_vs_pytorch", number(r, "examples_per_s") / torch);
        }
        out.add("runs", rows);
        return out;
    }

    private static JsonObject e2eRow(String name, String device, double eps, double acc, double rss) {
        JsonObject r = new JsonObject();
        r.addProperty("engine", name);
        r.addProperty("device", device);
        r.addProperty("examples_per_s", eps);
        r.addProperty("test_acc", acc);
        if (!Double.isNaN(rss)) {
            r.addProperty("peak_rss_mb", rss);
        }
        return r;
    }

    private static String f(String format, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
    }

    private String markdown(List<Row> kernels, JsonArray engine, JsonObject e2e, String tornadoNote, double compileSeconds,
            JsonObject measuredPeak) {
        StringBuilder b = new StringBuilder();
        b.append("# lenet benchmarks (").append(text(machine, "mode")).append(" mode, ").append(text(machine, "date")).append(")\n\n");
        b.append("Machine: ").append(text(machine, "cpu")).append(", ").append(cores).append(" cores at ")
                .append(f("%.2f", number(machine, "ghz"))).append(" GHz; FP32 peak ").append(f("%.1f", machinePeak))
                .append(" GFLOP/s (").append(f("%.1f", corePeak)).append(" per core) = ").append(text(machine, "peak_formula"))
                .append(". ").append(text(machine, "java")).append(".\n\n");
        if (measuredPeak.size() > 0) {
            b.append("Measured FP32 throughput (`PeakBench`: fused multiply-adds only, no memory traffic): ")
                    .append(f("%.1f", number(measuredPeak, "one_thread_gflops"))).append(" GFLOP/s on one thread, ")
                    .append(f("%.1f", number(measuredPeak, "all_threads_gflops"))).append(" on all ")
                    .append(f("%.0f", number(measuredPeak, "threads"))).append(" threads.\n\n");
        }
        b.append("## Kernels (batch 256)\n\n");
        b.append("One call of each kernel. JVM rows: JMH, one thread (a kernel call is single-threaded on the JVM; "
                + "the engine runs one shard per thread), % of one core's peak. TornadoVM rows: device time from "
                + "`--profile` (training step 2, after the kernels were compiled), % of the whole machine's peak. "
                + "GFLOP/s from the FLOP counts in `benchmarks/src/main/java/lenet/bench/Flops.java` (— : not counted).\n\n");
        b.append("| kernel | impl | device | µs per call | GFLOP/s | % of peak |\n|---|---|---|---:|---:|---:|\n");
        for (Row r : kernels) {
            String us = r.us() >= 100 ? f("%.0f", r.us()) : f("%.2f", r.us());
            if (!Double.isNaN(r.error()) && r.error() > 0) {
                us += " ± " + (r.error() >= 100 ? f("%.0f", r.error()) : f("%.2f", r.error()));
            }
            b.append("| ").append(r.kernel()).append(" | ").append(r.impl()).append(" | ").append(r.device()).append(" | ")
                    .append(us).append(" | ").append(f("%.2f", r.gflops())).append(" | ")
                    .append(Double.isNaN(r.pctPeak()) ? "—" : f("%.1f%%", r.pctPeak()) + " (" + r.peakBasis() + ")").append(" |\n");
        }
        if (kernels.stream().anyMatch(r -> r.pctPeak() > 100)) {
            b.append("\nA share above 100% means the peak is underestimated: the clock read from /proc/cpuinfo is "
                    + "below the clock the core ran at (turbo; under a hypervisor it is often the nominal clock). "
                    + "Set LENET_CPU_GHZ to the boost clock to correct it.\n");
        }
        if (tornadoNote != null) {
            b.append("\n").append(tornadoNote).append("\n");
        }
        if (!Double.isNaN(compileSeconds)) {
            b.append("\nTornadoVM compile time (JIT + device compiler, all graphs, before the clock): ")
                    .append(f("%.1f", compileSeconds)).append(" s, not in the device times above.\n");
        }
        if (!engine.isEmpty()) {
            b.append("\n## JVM engine (JvmEngine, JMH)\n\n");
            b.append("| what | kernels | threads | ms | examples/s | GFLOP/s | % of peak (those threads' cores) | % of measured |\n"
                    + "|---|---|---|---:|---:|---:|---:|---:|\n");
            for (JsonElement e : engine) {
                JsonObject r = e.getAsJsonObject();
                b.append("| ").append(text(r, "what")).append(" | ").append(text(r, "impl")).append(" | ").append(text(r, "threads"))
                        .append(" | ").append(f("%.2f", number(r, "us") / 1e3)).append(" ± ").append(f("%.2f", number(r, "error_us") / 1e3))
                        .append(" | ").append(f("%,.0f", number(r, "examples_per_s"))).append(" | ").append(f("%.2f", number(r, "gflops")))
                        .append(" | ").append(f("%.1f%%", number(r, "pct_peak")))
                        .append(" | ").append(f("%.1f%%", number(r, "pct_measured_peak"))).append(" |\n");
            }
        }
        JsonArray runs = e2e.getAsJsonArray("runs");
        if (!runs.isEmpty()) {
            b.append("\n## End to end: one training epoch\n\n");
            b.append("examples/s as d2l counts them (training steps only, evaluation outside the timer), "
                    + "all runs in this invocation, one after the other.\n\n");
            b.append("| run | device | examples/s | test acc | peak RSS | vs PyTorch |\n|---|---|---:|---:|---:|---:|\n");
            for (JsonElement e : runs) {
                JsonObject r = e.getAsJsonObject();
                b.append("| ").append(text(r, "engine")).append(" | ").append(text(r, "device")).append(" | ")
                        .append(f("%,.0f", number(r, "examples_per_s"))).append(" | ").append(f("%.3f", number(r, "test_acc")))
                        .append(" | ").append(r.has("peak_rss_mb") ? f("%.0f MB", number(r, "peak_rss_mb")) : "—").append(" | ")
                        .append(f("%.2f×", number(r, "ratio_vs_pytorch"))).append(" |\n");
            }
            String notes = text(machine, "e2e_note");
            if (!notes.isEmpty()) {
                b.append("\n").append(notes).append("\n");
            }
        }
        b.append("\nReproduce: `").append(text(machine, "command")).append("`\n");
        return b.toString();
    }

    private void chart(List<Row> kernels, String tornadoDevice) {
        System.setProperty("java.awt.headless", "true");
        Set<String> names = new LinkedHashSet<>();
        // Only kernels every implementation measured (a log axis cannot show a missing bar).
        Set<String> impls = new LinkedHashSet<>();
        kernels.forEach(r -> impls.add(r.impl()));
        for (Row r : kernels) {
            if (impls.stream().allMatch(i -> kernels.stream().anyMatch(o -> o.kernel().equals(r.kernel()) && o.impl().equals(i)))) {
                names.add(r.kernel());
            }
        }
        if (names.isEmpty()) {
            return;
        }
        List<String> x = new ArrayList<>(names);
        CategoryChart chart = new CategoryChartBuilder().width(1400).height(700)
                .title("LeNet kernels, batch 256: time per call (log scale; lower is faster)")
                .xAxisTitle("kernel").yAxisTitle("µs per call").build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setSeriesColors(new Color[] {new Color(0x9E9E9E), new Color(0x1F77B4), new Color(0xD62728)});
        Map<String, String> label = Map.of("plain", "JVM plain kernels (1 thread)", "cpu", "JVM CPU twins (1 thread)",
                "tornado", tornadoDevice == null ? "TornadoVM" : tornadoDevice + " (all cores)");
        for (String impl : IMPLS) {
            List<Double> y = new ArrayList<>();
            boolean any = false;
            for (String k : x) {
                Double v = null; // never stays null: every kernel in x has every impl
                for (Row r : kernels) {
                    if (r.kernel().equals(k) && r.impl().equals(impl)) {
                        v = Math.max(r.us(), 0.01);
                    }
                }
                any |= v != null;
                y.add(v);
            }
            if (any) {
                chart.addSeries(label.get(impl), x, y);
            }
        }
        // Bars start at the axis minimum: a power of ten below the fastest kernel (0 cannot be on a log axis).
        double fastest = kernels.stream().filter(r -> names.contains(r.kernel())).mapToDouble(r -> Math.max(r.us(), 0.01)).min().orElse(1);
        double top = kernels.stream().filter(r -> names.contains(r.kernel())).mapToDouble(Row::us).max().orElse(10);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(fastest))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(top * 1.01))));
        try {
            BitmapEncoder.saveBitmap(chart, dir.resolve("kernels.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("bench: cannot write " + dir.resolve("kernels.png") + ": " + e.getMessage(), e);
        }
    }
}
