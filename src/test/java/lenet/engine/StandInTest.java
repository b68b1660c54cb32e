package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.FIRST_EXECUTION;
import static uk.ac.manchester.tornado.api.enums.DataTransferMode.UNDER_DEMAND;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.standin.StandIn;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The {@code tornado.api} stand-in keeps device memory apart from the host as TornadoVM 5.2 does, so that
 * the engine tests can fail for a missing transfer: each rule, on graphs of one or two tiny tasks.
 */
class StandInTest {
    static void addOne(FloatArray in, FloatArray out) {
        for (int i = 0; i < out.getSize(); i++) {
            out.set(i, in.get(i) + 1);
        }
    }

    static void increment(FloatArray a) {
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, a.get(i) + 1);
        }
    }

    static void fill(FloatArray a) {
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, 7);
        }
    }

    static void widen(ByteArray in, FloatArray out) {
        for (int i = 0; i < out.getSize(); i++) {
            out.set(i, in.get(i) & 0xFF);
        }
    }

    static void doubleBytes(ByteArray a) {
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, (byte) (2 * a.get(i)));
        }
    }

    /** Byte arrays (the images) live in device memory as the others do: uploaded, read, written, copied back. */
    @Test
    void byteArraysMoveOnlyThroughDeclaredTransfers() throws Exception {
        ByteArray in = ByteArray.fromElements((byte) 1, (byte) 200, (byte) 3);
        FloatArray out = floats(0, 0, 0);
        TaskGraph missing = new TaskGraph("m").task("widen", StandInTest::widen, in, out).transferToHost(EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(missing.snapshot())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, plan::execute);
            assertTrue(e.getMessage().startsWith("task graph m, task widen: argument 0 (ByteArray[3], 3 of 3 elements unset)"), e.getMessage());
        }
        TaskGraph g = new TaskGraph("g").transferToDevice(FIRST_EXECUTION, in).task("double", StandInTest::doubleBytes, in)
                .task("widen", StandInTest::widen, in, out).transferToHost(EVERY_EXECUTION, out).transferToHost(UNDER_DEMAND, in);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot()); StandIn.Recording rec = StandIn.record()) {
            TornadoExecutionResult r = plan.execute();
            assertEquals(2f, out.get(0));
            assertEquals((400 & 0xFF), out.get(1), "bytes wrap as on a device");
            assertEquals((byte) 1, in.get(0), "the host's bytes stay as they were until copied back");
            r.transferToHost(in);
            assertEquals((byte) 2, in.get(0));
            assertEquals(List.of("TO_DEVICE ByteArray[3] 3", "TO_HOST FloatArray[3] 12", "TO_HOST ByteArray[3] 3"),
                    rec.transfers().stream().map(t -> t.direction() + " " + StandIn.describe(t.array()) + " " + t.bytes()).toList());
        }
    }

    private static FloatArray floats(float... v) {
        return FloatArray.fromArray(v);
    }

    @Test
    void theHostSeesResultsOnlyThroughDeclaredTransfers() throws Exception {
        FloatArray in = floats(1, 2);
        FloatArray out = floats(0, 0);
        TaskGraph g = new TaskGraph("g").transferToDevice(EVERY_EXECUTION, in).task("t", StandInTest::addOne, in, out)
                .transferToHost(UNDER_DEMAND, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            TornadoExecutionResult r = plan.execute();
            assertEquals(0f, out.get(0), "without a copy out the host keeps its own value");
            r.transferToHost(out);
            assertEquals(2f, out.get(0));
            assertEquals(3f, out.get(1));
        }
        FloatArray every = floats(0, 0);
        TaskGraph h = new TaskGraph("h").transferToDevice(EVERY_EXECUTION, in).task("t", StandInTest::addOne, in, every)
                .transferToHost(EVERY_EXECUTION, every);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(h.snapshot())) {
            plan.execute();
            assertEquals(2f, every.get(0));
        }
    }

    @Test
    void firstExecutionUploadsOnceEveryExecutionEachTime() throws Exception {
        FloatArray once = floats(1);
        FloatArray each = floats(1);
        FloatArray outOnce = floats(0);
        FloatArray outEach = floats(0);
        TaskGraph g = new TaskGraph("g").transferToDevice(FIRST_EXECUTION, once).transferToDevice(EVERY_EXECUTION, each)
                .task("a", StandInTest::addOne, once, outOnce).task("b", StandInTest::addOne, each, outEach)
                .transferToHost(EVERY_EXECUTION, outOnce, outEach);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot()); StandIn.Recording rec = StandIn.record()) {
            plan.execute();
            assertEquals(4, rec.transfers().size(), rec.transfers().toString());
            rec.clear();
            once.set(0, 10);
            each.set(0, 10);
            plan.execute();
            assertEquals(2f, outOnce.get(0), "FIRST_EXECUTION: the device keeps the first upload");
            assertEquals(11f, outEach.get(0), "EVERY_EXECUTION: uploaded again");
            assertEquals(List.of("TO_DEVICE FloatArray[1] EVERY_EXECUTION", "TO_HOST FloatArray[1] EVERY_EXECUTION", "TO_HOST FloatArray[1] EVERY_EXECUTION"),
                    rec.transfers().stream().map(t -> t.direction() + " " + StandIn.describe(t.array()) + " " + t.cause()).toList());
        }
    }

    @Test
    void aTaskReadingAnArrayNeverTransferredFailsNamingGraphTaskAndArgument() throws Exception {
        FloatArray in = floats(1, 2);
        FloatArray out = floats(0, 0);
        TaskGraph g = new TaskGraph("g").task("t", StandInTest::addOne, in, out).transferToHost(EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, plan::execute);
            assertTrue(e.getMessage().startsWith("task graph g, task t: argument 0 (FloatArray[2]"), e.getMessage());
        }
        // An output written without being read needs no upload; incrementing it does.
        TaskGraph written = new TaskGraph("w").task("fill", StandInTest::fill, out).task("inc", StandInTest::increment, out)
                .transferToHost(EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(written.snapshot())) {
            plan.execute();
            assertEquals(8f, out.get(1));
        }
        TaskGraph incremented = new TaskGraph("i").task("inc", StandInTest::increment, out).transferToHost(EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(incremented.snapshot())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, plan::execute);
            assertTrue(e.getMessage().contains("task inc: argument 0"), e.getMessage());
        }
    }

    @Test
    void graphsShareDeviceCopiesOnlyThroughPersistAndConsume() throws Exception {
        FloatArray w = floats(1, 1);
        TaskGraph producer = new TaskGraph("producer").transferToDevice(FIRST_EXECUTION, w).task("inc", StandInTest::increment, w)
                .persistOnDevice(w);
        TaskGraph consumer = new TaskGraph("consumer").consumeFromDevice("producer", w).task("inc", StandInTest::increment, w)
                .transferToHost(UNDER_DEMAND, w);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(producer.snapshot(), consumer.snapshot())) {
            plan.withGraph(0).execute();
            TornadoExecutionResult r = plan.withGraph(1).execute();
            r.transferToHost(w);
            assertEquals(3f, w.get(0), "the consumer works on the producer's device copy");
        }

        FloatArray v = floats(1, 1);
        TaskGraph keeps = new TaskGraph("keeps").transferToDevice(FIRST_EXECUTION, v).task("inc", StandInTest::increment, v);
        TaskGraph takes = new TaskGraph("takes").consumeFromDevice("keeps", v).task("inc", StandInTest::increment, v);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(keeps.snapshot(), takes.snapshot())) {
            plan.withGraph(0).execute();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.withGraph(1).execute());
            assertTrue(e.getMessage().contains("keeps, does not persist it"), e.getMessage());
        }
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(producer.snapshot(), consumer.snapshot())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.withGraph(1).execute());
            assertTrue(e.getMessage().contains("no graph of this plan has run before it"), e.getMessage());
        }
    }

    /** As in TornadoVM 5.2, a graph takes consumed arrays from the graph executed just before it, whatever source it names. */
    @Test
    void consumedArraysComeFromTheGraphExecutedLast() throws Exception {
        FloatArray w = floats(1);
        FloatArray other = floats(5);
        TaskGraph producer = new TaskGraph("producer").transferToDevice(FIRST_EXECUTION, w).task("inc", StandInTest::increment, w)
                .persistOnDevice(w);
        TaskGraph consumer = new TaskGraph("consumer").consumeFromDevice("producer", w).task("inc", StandInTest::increment, w)
                .persistOnDevice(w);
        TaskGraph unrelated = new TaskGraph("unrelated").transferToDevice(FIRST_EXECUTION, other).task("inc", StandInTest::increment, other);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(producer.snapshot(), consumer.snapshot(), unrelated.snapshot())) {
            plan.withGraph(0).execute();
            plan.withGraph(1).execute();
            plan.withGraph(1).execute(); // after itself: keeps its copies
            plan.withGraph(2).execute();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.withGraph(1).execute());
            assertTrue(e.getMessage().contains("the graph executed before it, unrelated, has no device copy of it"), e.getMessage());
            plan.withGraph(0).execute();
            plan.withGraph(1).execute().transferToHost(w);
            assertEquals(6f, w.get(0), "1 uploaded once, then producer, consumer, consumer, producer, consumer");
        }
    }

    @Test
    void aResultCopiesOutOfTheGraphsThePlanSelectsWhenAsked() throws Exception {
        FloatArray w = floats(1);
        FloatArray other = floats(5);
        TaskGraph a = new TaskGraph("a").transferToDevice(FIRST_EXECUTION, w).task("inc", StandInTest::increment, w)
                .transferToHost(UNDER_DEMAND, w);
        TaskGraph b = new TaskGraph("b").transferToDevice(FIRST_EXECUTION, other).task("inc", StandInTest::increment, other);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(a.snapshot(), b.snapshot())) {
            TornadoExecutionResult fromA = plan.withGraph(0).execute();
            plan.withGraph(1).execute();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fromA.transferToHost(w));
            assertTrue(e.getMessage().contains("no selected task graph (b) declares it"), e.getMessage());
            plan.withGraph(0);
            fromA.transferToHost(w);
            assertEquals(2f, w.get(0));
        }
    }
}
