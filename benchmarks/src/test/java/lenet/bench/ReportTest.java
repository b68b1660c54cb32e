package lenet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads the TornadoVM run from its metrics JSON, not from its console output. The sample,
 * {@code e2e-tornado.json}, is the metrics.json of {@code lenet train --engine tornado --train-limit 1024
 * --test-limit 256 --epochs 1 --profile} under TornadoVM 5.2 on PoCL's CPU device; the expected figures
 * are read from it with Gson's tree, independently of lenet's classes.
 */
class ReportTest {
    private static String sample() throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream(Report.TORNADO_RUN)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonObject report(Path dir, String tornadoRun) throws IOException {
        Files.writeString(dir.resolve("machine.json"), "{\"mode\": \"smoke\", \"cores\": 2, \"peak_gflops\": 100}");
        Files.writeString(dir.resolve(Report.TORNADO_RUN), tornadoRun);
        // the console output of the run, with figures that are not the JSON's: the report must not read it
        Files.writeString(dir.resolve("tornado.log"), "kernels compiled in 999.0 s\nengine tornado on a console device; batch 256\n");
        Report.write(dir);
        return JsonParser.parseString(Files.readString(dir.resolve("summary.json"))).getAsJsonObject();
    }

    @Test
    void tornadoRowsCompileTimeAndDeviceComeFromTheMetricsJson(@TempDir Path dir) throws IOException {
        JsonObject run = JsonParser.parseString(sample()).getAsJsonObject();
        JsonObject summary = report(dir, sample());

        assertEquals(run.get("warmUpSeconds").getAsDouble(), summary.get("tornado_compile_s").getAsDouble(), 0);
        Map<String, Double> expectedUs = new HashMap<>();
        for (JsonElement e : run.getAsJsonObject("profile").getAsJsonArray("kernels")) {
            JsonObject k = e.getAsJsonObject();
            String id = k.get("id").getAsString();
            String kernel = Report.tornadoKernel(id);
            expectedUs.merge(kernel, k.get("deviceMs").getAsDouble() * 1e3, Double::sum);
        }
        Map<String, JsonObject> rows = new HashMap<>();
        for (JsonElement e : summary.getAsJsonArray("kernels")) {
            JsonObject r = e.getAsJsonObject();
            assertEquals("tornado", r.get("impl").getAsString(), "only the TornadoVM run is in this folder: " + r);
            rows.put(r.get("kernel").getAsString(), r);
        }
        assertEquals(expectedUs.keySet(), rows.keySet());
        // Task ids are the JMH names: the same layer.kernel, the SGD tasks of all tensors as one row
        assertTrue(rows.containsKey("sgd.update") && rows.keySet().stream().noneMatch(r -> r.startsWith("sgd.") && !r.equals("sgd.update")),
                rows.keySet().toString());
        assertTrue(rows.containsKey("loss.softmaxForward") && rows.containsKey("fc2.sigmoidBackward"), rows.keySet().toString());
        assertEquals(Flops.of("conv1", "poolForward", 256), rows.get("conv1.poolForward").get("flop").getAsLong());
        assertTrue(rows.get("conv1.poolForward").get("flop").getAsLong() > 0);
        for (Map.Entry<String, Double> e : expectedUs.entrySet()) {
            assertEquals(e.getValue(), rows.get(e.getKey()).get("us").getAsDouble(), 1e-9, e.getKey());
        }
        String device = run.get("device").getAsString();
        assertTrue(device.contains("CL_DEVICE_TYPE_CPU (available)"), "the sample is PoCL's CPU: " + device);
        String shown = rows.get("conv1.forward").get("device").getAsString();
        assertEquals("TornadoVM " + device.substring(0, device.indexOf(" CL_DEVICE_TYPE_CPU")), shown);
        // batch 256 (the run's, from the JSON): conv1.forward is 2 · 256 · 6·28·28 (padding 2) · 5·5 FLOP
        assertEquals(2L * 256 * 6 * 28 * 28 * 25, rows.get("conv1.forward").get("flop").getAsLong());
        assertFalse(summary.has("tornado_note"), summary.toString());
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "%.1f s", run.get("warmUpSeconds").getAsDouble())), md);
        assertFalse(md.contains("999.0") || md.contains("console device"), "read from tornado.log: " + md);
    }

    @Test
    void aRunWithoutAProfileIsSaidSo(@TempDir Path dir) throws IOException {
        JsonObject run = JsonParser.parseString(sample()).getAsJsonObject();
        run.remove("profile");
        JsonObject summary = report(dir, run.toString());
        assertEquals(new JsonArray(), summary.getAsJsonArray("kernels"));
        assertTrue(summary.get("tornado_note").getAsString().contains("no \"profile\""), summary.toString());
    }

    @Test
    void aFileThatIsNotMetricsJsonIsNamed(@TempDir Path dir) {
        Report.BadInput e = assertThrows(Report.BadInput.class, () -> report(dir, "engine tornado on x; kernels compiled in 3 s"));
        assertTrue(e.getMessage().contains(dir.resolve(Report.TORNADO_RUN).toString()), e.getMessage());
        assertThrows(Report.BadInput.class, () -> report(dir, "{\"profile\": {}}"), "no engine: not a lenet run's metrics");
    }

    /** JMH's JSON for one benchmark: its name, parameters, thread count and score (µs per call). */
    private static String jmhResult(String benchmark, int threads, double us, String params) {
        return "{\"benchmark\": \"lenet.bench." + benchmark + "\", \"threads\": " + threads + ", \"params\": {" + params + "}, "
                + "\"primaryMetric\": {\"score\": " + us + ", \"scoreError\": 1.0}}";
    }

    /**
     * PeakBench's calls become the measured peak (threads × FLOP per call / time), and the engine's rows
     * a share of it: of one thread's for the 1-thread step, of all threads' for the all-threads step.
     */
    @Test
    void peakBenchGivesTheMeasuredPeakAndTheEngineRowsAShareOfIt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("machine.json"), "{\"mode\": \"quick\", \"cores\": 2, \"peak_gflops\": 332}");
        double oneUs = PeakBench.FLOP_PER_CALL / 100e3;  // 100 GFLOP/s on one thread
        double allUs = PeakBench.FLOP_PER_CALL / 80e3;   // 80 GFLOP/s a thread, 160 on two
        double stepOneUs = 20_000;
        double stepAllUs = 11_000;
        Files.writeString(dir.resolve("jmh-0-peak.json"), "[" + jmhResult("PeakBench.oneThread", 1, oneUs, "")
                + ", " + jmhResult("PeakBench.allThreads", 2, allUs, "") + "]");
        Files.writeString(dir.resolve("jmh-4-engine.json"), "["
                + jmhResult("EngineBench.trainStep", 1, stepOneUs, "\"impl\": \"cpu\", \"threads\": \"1\", \"batch\": \"256\"") + ", "
                + jmhResult("EngineBench.trainStep", 1, stepAllUs, "\"impl\": \"cpu\", \"threads\": \"0\", \"batch\": \"256\"") + "]");
        Report.write(dir);
        JsonObject summary = JsonParser.parseString(Files.readString(dir.resolve("summary.json"))).getAsJsonObject();

        JsonObject peak = summary.getAsJsonObject("measured_peak");
        assertEquals(100, peak.get("one_thread_gflops").getAsDouble(), 1e-9);
        assertEquals(160, peak.get("all_threads_gflops").getAsDouble(), 1e-9);
        assertEquals(2, peak.get("threads").getAsInt());
        JsonArray engine = summary.getAsJsonArray("engine");
        double stepGflops = Flops.trainStep(256) / (stepOneUs * 1e3);
        assertEquals(100 * stepGflops / 100, engine.get(0).getAsJsonObject().get("pct_measured_peak").getAsDouble(), 1e-9);
        double allGflops = Flops.trainStep(256) / (stepAllUs * 1e3);
        assertEquals(100 * allGflops / 160, engine.get(1).getAsJsonObject().get("pct_measured_peak").getAsDouble(), 1e-9);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("100.0 GFLOP/s on one thread, 160.0 on all 2 threads"), md);
    }

    /** BatchBench's gather is a kernel row of its own, "batch.gather", plain and twin, with no FLOP counted. */
    @Test
    void batchBenchGivesTheGatherRows(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("machine.json"), "{\"mode\": \"quick\", \"cores\": 2, \"peak_gflops\": 332}");
        Files.writeString(dir.resolve("jmh-2-batch.json"), "["
                + jmhResult("BatchBench.gather", 1, 367, "\"impl\": \"plain\", \"n\": \"128\"") + ", "
                + jmhResult("BatchBench.gather", 1, 138, "\"impl\": \"cpu\", \"n\": \"128\"") + "]");
        Report.write(dir);
        JsonArray kernels = JsonParser.parseString(Files.readString(dir.resolve("summary.json"))).getAsJsonObject().getAsJsonArray("kernels");
        assertEquals(2, kernels.size(), kernels.toString());
        for (int i = 0; i < 2; i++) {
            JsonObject row = kernels.get(i).getAsJsonObject();
            assertEquals("batch.gather", row.get("kernel").getAsString(), row.toString());
            assertEquals(i == 0 ? 367 : 138, row.get("us").getAsDouble(), 1e-9);
            assertEquals(-1, row.get("flop").getAsLong(), row.toString());
        }
        assertEquals("plain", kernels.get(0).getAsJsonObject().get("impl").getAsString());
        assertEquals("cpu", kernels.get(1).getAsJsonObject().get("impl").getAsString());
    }
}
