package lenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import lenet.engine.Engine;

/** The console output of a run: d2l's lines when it is not a terminal, a bar in place of the progress lines when it is. */
class ConsoleReportTest {
    static RunMetrics metrics() {
        RunMetrics m = new RunMetrics();
        m.epochs = 2;
        m.device = "JVM, 2 threads, plain kernels";
        m.history.add(new RunMetrics.Epoch(1, 0.5, 0.8, 0.75, 2.0, 30000));
        m.loss = 0.5;
        m.trainAcc = 0.8;
        m.testAcc = 0.75;
        m.examplesPerSec = 30000;
        return m;
    }

    /** Step 2 of 4 of epoch 1: 2,000 of 4,000 examples in 0.5 s, loss sum 4,600 (mean 2.3), 1,000 correct. */
    static TrainListener.Step half(boolean point) {
        return new TrainListener.Step(1, 2, 2, 4, 2000, 4000, 0.5, new Engine.Totals(4600, 1000, 2000),
                point ? new RunMetrics.Point(0.5, 2.3, 0.5) : null);
    }

    @Test
    void plainModePrintsTheD2lLines() {
        StringWriter s = new StringWriter();
        ConsoleReport r = new ConsoleReport(new PrintWriter(s), false);
        r.stepped(half(false));
        assertEquals("", s.toString(), "no line between progress points");
        r.stepped(half(true));
        r.epochEnded(metrics(), null);
        r.finished(metrics());
        assertEquals("""
                epoch 1/2  batch 2/4  loss 2.3000  train acc 0.500  4,000 examples/s
                epoch 1/2: loss 0.500, train acc 0.800, test acc 0.750 (2.0 s, 30,000 examples/s)
                loss 0.500, train acc 0.800, test acc 0.750
                30000.0 examples/sec on JVM, 2 threads, plain kernels
                """, s.toString().replace(System.lineSeparator(), "\n"));
    }

    /** A run on a device (TornadoVM) ends with the device memory its buffers took; a JVM run has no such line (above). */
    @Test
    void aDeviceRunEndsWithItsDeviceMemory() {
        StringWriter s = new StringWriter();
        RunMetrics m = metrics();
        m.device = "opencl-0-0 a GPU";
        m.deviceMemoryBytes = 84_512_345L;
        new ConsoleReport(new PrintWriter(s), false).finished(m);
        assertEquals("""
                loss 0.500, train acc 0.800, test acc 0.750
                30000.0 examples/sec on opencl-0-0 a GPU
                device memory: 84.5 MB in the engine's buffers
                """, s.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void barModeRedrawsOneLineAndClearsItBeforeTheEpochLine() {
        StringWriter s = new StringWriter();
        ConsoleReport r = new ConsoleReport(new PrintWriter(s), true, 80);
        r.stepped(half(true));
        String bar = s.toString();
        assertTrue(bar.startsWith("\r"), "drawn in place: " + bar);
        assertFalse(bar.contains("\n"), "no new line while the epoch runs: " + bar);
        assertTrue(bar.length() - 1 < 80, "shorter than the terminal: " + bar.length());
        assertEquals("\repoch 1/2 [=========>       ]  50%  4,000 ex/s  ETA 0:01  loss 2.300  acc 0.500", bar);
        r.epochEnded(metrics(), null);
        String all = s.toString();
        String after = all.substring(bar.length());
        assertEquals("\r" + " ".repeat(bar.length() - 1) + "\r"
                + "epoch 1/2: loss 0.500, train acc 0.800, test acc 0.750 (2.0 s, 30,000 examples/s)" + System.lineSeparator(), after);
    }

    @Test
    void theBarFitsNarrowTerminalsAndShowsTheEta() {
        // 1,000 of 60,000 examples at 100 examples/s: 590 s to go.
        var slow = new TrainListener.Step(3, 10, 1, 235, 1000, 60000, 10.0, null, null);
        String line = ConsoleReport.barLine(slow, Double.NaN, Double.NaN, 59);
        assertTrue(line.length() <= 59, line);
        assertTrue(line.startsWith("epoch 3/10 ["), line);
        assertTrue(line.contains("  2%  100 ex/s  ETA 9:50"), line);
        assertFalse(line.contains("loss"), "no loss before one is known: " + line);
        assertEquals("9:50", ConsoleReport.duration(590));
        assertEquals("1:01:01", ConsoleReport.duration(3661));
        var last = new TrainListener.Step(3, 10, 235, 235, 60000, 60000, 600.0, null, null);
        assertTrue(ConsoleReport.barLine(last, 0.5, 0.8, 79).contains("] 100%  100 ex/s  testing  loss 0.500  acc 0.800"),
                ConsoleReport.barLine(last, 0.5, 0.8, 79));
        assertEquals("0:00", ConsoleReport.duration(0.2));
    }
}
