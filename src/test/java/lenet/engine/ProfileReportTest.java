package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import lenet.model.Params;

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
        assertEquals(List.of("conv1.forward", "sigmoid1.forward", "sgd.0.weight"), step.tasks().stream().map(ProfileReport.Task::id).toList());
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
        assertTrue(lines.get(3).matches("  sgd\\.0\\.weight +2\\.000 +20\\.0% +250\\.000"), lines.get(3));
        assertTrue(lines.get(4).matches("  sigmoid1\\.forward +1\\.000 +10\\.0% +150\\.000"), lines.get(4));
        assertTrue(lines.get(5).matches("  all 3 kernels +8\\.000 +80\\.0% +1000\\.000"), lines.get(5));
        assertTrue(lines.get(6).matches("  transfers \\(48 B in, 24 B out\\) +0\\.050 +0\\.5% *"), lines.get(6));
        assertTrue(lines.get(7).matches("  dispatch \\(host\\) +0\\.500 +5\\.0% *"), lines.get(7));
        assertTrue(lines.get(8).matches("  step \\(graph total\\) +10\\.000 +100% *"), lines.get(8));
    }

    @Test
    void theEngineProfilesItsSecondTrainingStep() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        Study study = new Study(null, true, 0, out);
        try (TornadoEngine engine = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(5), 0.9f, 4, null, study, null)) {
            engine.beginEpoch(lenet.train.Trainer.epochOrder(1, 1, 10), 0);
            engine.trainBatch(0, 4);
            assertEquals("", text.toString(), "the first step compiles: it is not the one shown");
            engine.trainBatch(4, 4);
            engine.trainBatch(8, 2);
        }
        String report = text.toString();
        assertTrue(report.startsWith("profile of training step 2 (graph train, 24 kernels) on "), report);
        for (String task : List.of("batch.gather", "conv1.forwardSigmoidPool", "conv2.backwardPartials", "linear3.sumAndUpdate", "loss.accumulate")) {
            assertTrue(report.lines().anyMatch(l -> l.startsWith("  " + task + " ")), task + " in " + report);
        }
        assertEquals(1, report.lines().filter(l -> l.startsWith("profile of")).count(), "one step is shown: " + report);
    }
}
