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
}
