package lenet.engine.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;


/**
 * {@code --profile}: TornadoVM's profile log read and printed as a table. The sample resource is written
 * by hand in TornadoVM 5.2's layout, quirks included: executions concatenated, a host-transfer entry
 * with a trailing comma (not JSON), compile times only in the first execution of a graph.
 */
class ProfileReportTest {
    static String sample() throws IOException {
        try (InputStream in = ProfileReportTest.class.getResourceAsStream("tornadovm-profile-sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheLastExecutionOfTheGraph() throws IOException {
        ProfileReport.Step step = ProfileReport.parse(sample(), "train");
        assertEquals(10_000_000, step.totalNanos());
        assertEquals(40_000, step.copyInNanos());
        assertEquals(10_000, step.copyOutNanos());
        assertEquals(500_000, step.dispatchNanos());
        assertEquals(List.of("conv1.forward", "conv1.sigmoidForward", "sgd.conv1.weight"), step.tasks().stream().map(ProfileReport.Task::id).toList());
        assertEquals(5_000_000, step.tasks().get(0).kernelNanos());
        assertEquals("Conv2d.forward", step.tasks().get(0).method());
        assertEquals(0, step.tasks().get(0).compileNanos(), "a steady-state execution compiles nothing");
        assertNull(ProfileReport.parse(sample(), "eval"));
        assertNull(ProfileReport.parse("", "train"));
    }

    /** The log as it stood after the first training step: everything before the host-transfer entry. */
    static String afterFirstStep(String log) {
        return log.substring(0, log.indexOf("{\n    \"train\": {\n        \"COPY_OUT_TIME_SYNC"));
    }

    @Test
    void theFirstExecutionHoldsTheCompileTimes() throws IOException {
        ProfileReport.Step compiling = ProfileReport.parse(afterFirstStep(sample()), "train");
        assertEquals(9_000_000_000L, compiling.totalNanos());
        assertEquals(600_000_000, compiling.tasks().get(0).compileNanos(), "Graal + code generation + driver");
    }

    @Test
    void theTableSortsKernelsByDeviceTimeWithTheirShareOfTheStep() throws IOException {
        String log = sample();
        ProfileReport.Step compiling = ProfileReport.parse(afterFirstStep(log), "train");
        String table = ProfileReport.format("title", ProfileReport.parse(log, "train"), compiling);
        List<String> lines = table.lines().toList();
        assertEquals("title", lines.get(0));
        assertTrue(lines.get(2).matches("  conv1\\.forward +5\\.000 +50\\.0% +600\\.000"), lines.get(2));
        assertTrue(lines.get(3).matches("  sgd\\.conv1\\.weight +2\\.000 +20\\.0% +250\\.000"), lines.get(3));
        assertTrue(lines.get(4).matches("  conv1\\.sigmoidForward +1\\.000 +10\\.0% +150\\.000"), lines.get(4));
        assertTrue(lines.get(5).matches("  all 3 kernels +8\\.000 +80\\.0% +1000\\.000"), lines.get(5));
        assertTrue(lines.get(6).matches("  transfers \\(48 B in, 24 B out\\) +0\\.050 +0\\.5% *"), lines.get(6));
        assertTrue(lines.get(7).matches("  dispatch \\(host\\) +0\\.500 +5\\.0% *"), lines.get(7));
        assertTrue(lines.get(8).matches("  step \\(graph total\\) +10\\.000 +100% *"), lines.get(8));
    }
}
