package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import lenet.model.Params;
import lenet.train.Trainer;

/** {@code --verify-every N}: the lockstep comparison with the JVM engine and where it stops a run. */
class VerifyingEngineTest {
    @Test
    void theToleranceStartsAtOneStepsBoundAndGrowsSlowly() {
        assertEquals(VerifyingEngine.ONE_STEP, VerifyingEngine.tolerance(1));
        assertEquals(2 * VerifyingEngine.ONE_STEP, VerifyingEngine.tolerance(4), 1e-12);
        assertEquals(VerifyingEngine.CAP, VerifyingEngine.tolerance(Long.MAX_VALUE / 2));
    }

    @Test
    void comparesEachTensorRelativeToItsScale() {
        Params a = Params.xavier(1);
        Params b = a.copy();
        assertEquals(0.0, VerifyingEngine.compare(1, a, b).relative());
        // 11.bias: the largest magnitude is the scale; a change of 1e-3 of it is 1e-3 relative.
        float scale = 0;
        for (int j = 0; j < b.f3b.getSize(); j++) {
            scale = Math.max(scale, Math.abs(b.f3b.get(j)));
        }
        b.f3b.set(3, b.f3b.get(3) + 1e-3f * scale);
        VerifyingEngine.Check c = VerifyingEngine.compare(7, b, a);
        assertEquals("11.bias", c.tensor());
        assertEquals(7, c.step());
        // float rounding of the sum moves it by at most half an ulp of the scale: 6e-8 relative
        assertEquals(1e-3, c.relative(), 1e-6, "measured " + c.relative());
        b.c1w.set(0, Float.NaN);
        assertEquals(Double.POSITIVE_INFINITY, VerifyingEngine.compare(1, a, b).relative(), "a NaN on one side only is a mismatch");
    }

    @Test
    void theTornadoGraphsPassAndReportEveryCheck() {
        EngineData data = TornadoEngineTest.data();
        StringWriter text = new StringWriter();
        try (VerifyingEngine v = new VerifyingEngine(new TornadoEngine(data, Params.xavier(5), 0.9f, 4, null),
                new JvmEngine(data, Params.xavier(5), 0.9f, 4, 1, KernelSet.PLAIN), 2, new PrintWriter(text, true))) {
            v.beginEpoch(Trainer.epochOrder(1, 1, 10), 0);
            for (int start = 0; start < 10; start += 4) {
                v.trainBatch(start, Math.min(4, 10 - start));
            }
            assertEquals(0.0, v.worst().relative(), "the stand-in runs the same kernels in the same order");
        }
        assertEquals(2, text.toString().lines().count(), text.toString());
        assertTrue(text.toString().lines().skip(1).allMatch(l -> l.startsWith("verify step 2: largest difference 0 in ")), text.toString());
    }

    /** An engine whose parameters drift from the reference's by {@code drift} of 0.weight's scale at every step. */
    private static Engine drifting(Engine engine, float drift) {
        return new Engine() {
            @Override public String name() { return "drifting"; }
            @Override public String device() { return "test"; }
            @Override public void beginEpoch(int[] order, int first) { engine.beginEpoch(order, first); }
            @Override public void trainBatch(int start, int count) {
                engine.trainBatch(start, count);
                Params p = engine.params();
                p.c1w.set(0, p.c1w.get(0) + drift);
                engine.setParams(p);
            }
            @Override public Totals totals() { return engine.totals(); }
            @Override public int evaluate() { return engine.evaluate(); }
            @Override public Params params() { return engine.params(); }
            @Override public void setParams(Params params) { engine.setParams(params); }
            @Override public void close() { engine.close(); }
        };
    }

    @Test
    void aMismatchBeyondTheToleranceStopsTheRunWithOneLine() {
        EngineData data = TornadoEngineTest.data();
        StringWriter text = new StringWriter();
        // 0.weight's Xavier scale is about 0.2; 1e-3 per step is 5e-3 of it, fifty times the one-step tolerance.
        try (VerifyingEngine v = new VerifyingEngine(drifting(new JvmEngine(data, Params.xavier(5), 0.9f, 4, 1, KernelSet.PLAIN), 1e-3f),
                new JvmEngine(data, Params.xavier(5), 0.9f, 4, 1, KernelSet.PLAIN), 1, new PrintWriter(text, true))) {
            v.beginEpoch(Trainer.epochOrder(1, 1, 10), 0);
            EngineException e = assertThrows(EngineException.class, () -> v.trainBatch(0, 4));
            assertTrue(e.getMessage().matches("verify: at step 1 the drifting parameters differ from the JVM engine's by 0\\.00100, "
                    + "\\S+ of their scale \\S+, beyond the tolerance 1\\.0e-04"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }
}
