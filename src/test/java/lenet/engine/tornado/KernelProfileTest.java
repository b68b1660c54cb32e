package lenet.engine.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.train.MetricsFile;
import lenet.train.RunMetrics;

/**
 * {@code --profile}'s figures as metrics.json keeps them ({@link KernelProfile}): the same execution and
 * numbers as the printed table (the hand-written log of {@link ProfileReportTest}), written and read back
 * under the field names the benchmark report and the README use.
 */
class KernelProfileTest {
    private final StringWriter printed = new StringWriter();

    private StepProfile profile() {
        return new StepProfile("train", "the device", new PrintWriter(printed));
    }

    @Test
    void keepsTheSecondStepWithTheFirstStepsCompileTimes() throws IOException {
        StepProfile p = profile();
        p.add(ProfileReportTest.afterFirstStep(ProfileReportTest.sample()));
        assertEquals(1, p.result().step(), "a run that ends here reports its one step");
        p.add(ProfileReportTest.sample());
        KernelProfile k = p.result();
        assertEquals(2, k.step());
        assertEquals("train", k.graph());
        assertEquals("the device", k.device());
        assertEquals(10.0, k.stepMs(), 1e-12);
        assertEquals(8.0, k.kernelsMs(), 1e-12);
        assertEquals(0.05, k.transfersMs(), 1e-12);
        assertEquals(0.5, k.dispatchMs(), 1e-12);
        assertEquals(48, k.copyInBytes());
        assertEquals(24, k.copyOutBytes());
        assertEquals(List.of(new KernelProfile.Kernel("conv1.forward", "Conv2d.forward", 5.0, 0.5, 600.0),
                new KernelProfile.Kernel("sgd.conv1.weight", "Sgd.update", 2.0, 0.2, 250.0),
                new KernelProfile.Kernel("conv1.sigmoidForward", "Sigmoid.forward", 1.0, 0.1, 150.0)), k.kernels());
        assertTrue(printed.toString().contains("profile of training step 2"), printed.toString());
    }

    @Test
    void noCompileTimesWhenTheWarmUpCompiledTheGraph() throws IOException {
        StepProfile p = profile();
        p.add(ProfileReportTest.sample()); // a steady-state execution first: no compile times in it
        p.add(ProfileReportTest.sample());
        RunMetrics m = new RunMetrics();
        m.engine = "tornado";
        m.profile = p.result();
        assertTrue(m.profile.kernels().stream().allMatch(k -> k.compileMs() == null));
        JsonObject kernel = JsonParser.parseString(MetricsFile.toJson(m)).getAsJsonObject().getAsJsonObject("profile")
                .getAsJsonArray("kernels").get(0).getAsJsonObject();
        assertFalse(kernel.has("compileMs"), "absent, not 0: " + kernel);
    }

    @Test
    void aRunOfOneStepReportsThatStep() throws IOException {
        StepProfile p = profile();
        p.add(ProfileReportTest.afterFirstStep(ProfileReportTest.sample()));
        KernelProfile k = p.result();
        assertEquals(1, k.step());
        assertEquals(9000.0, k.stepMs(), 1e-9);
        assertEquals(600.0, k.kernels().get(0).compileMs(), 1e-9);
    }

    @Test
    void metricsJsonHoldsTheProfileUnderTheDocumentedNames(@TempDir Path dir) throws IOException {
        StepProfile p = profile();
        p.add(ProfileReportTest.afterFirstStep(ProfileReportTest.sample()));
        p.add(ProfileReportTest.sample());
        RunMetrics m = new RunMetrics();
        m.engine = "tornado";
        m.profile = p.result();
        Path file = dir.resolve("metrics.json");
        MetricsFile.write(file, m);
        assertEquals(m.profile, MetricsFile.read(file).profile);
        JsonObject profile = JsonParser.parseString(Files.readString(file)).getAsJsonObject().getAsJsonObject("profile");
        for (String key : List.of("step", "graph", "device", "stepMs", "kernelsMs", "transfersMs", "dispatchMs", "copyInBytes",
                "copyOutBytes", "kernels")) {
            assertTrue(profile.has(key), key + " in " + profile);
        }
        JsonObject first = profile.getAsJsonArray("kernels").get(0).getAsJsonObject();
        assertEquals("conv1.forward", first.get("id").getAsString());
        for (String key : List.of("method", "deviceMs", "share", "compileMs")) {
            assertTrue(first.has(key), key + " in " + first);
        }
        assertFalse(JsonParser.parseString(MetricsFile.toJson(new RunMetrics())).getAsJsonObject().has("profile"),
                "a run without --profile has no profile");
    }
}
