package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import lenet.train.Trainer;
import uk.ac.manchester.tornado.api.standin.StandIn;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The TornadoVM engine's graphs, run by the stand-in {@code tornado.api} (tasks in order on the calling
 * thread, on device memory kept apart from the host's): the same arithmetic as the JVM engine with one
 * thread, bit for bit, what moves across the bus and when (as the stand-in records it), and that every
 * transfer the plan declares is needed.
 */
class TornadoEngineTest {
    /** 10 training examples in batches of 4 (4, 4, then a tail of 2); 7 test examples (4, tail of 3). */
    static EngineData data() {
        Random r = new Random(3);
        byte[] train = new byte[10 * LeNet.PIXELS];
        byte[] test = new byte[7 * LeNet.PIXELS];
        r.nextBytes(train);
        r.nextBytes(test);
        int[] trainLabels = r.ints(10, 0, 10).toArray();
        int[] testLabels = r.ints(7, 0, 10).toArray();
        return EngineData.of(train, trainLabels, 10, test, testLabels, 7);
    }

    @Test
    void anEpochEqualsTheJvmEngineWithOneThreadExactly() {
        EngineData data = data();
        Params init = Params.xavier(5);
        try (TornadoEngine tornado = new TornadoEngine(data, init, 0.9f, 4, null);
                JvmEngine jvm = new JvmEngine(data, init, 0.9f, 4, 1, KernelSet.PLAIN)) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                int[] order = Trainer.epochOrder(1, epoch, 10);
                tornado.beginEpoch(order, 0);
                jvm.beginEpoch(order, 0);
                // before the epoch's first batch its sums are zero (a stop here saves them in the checkpoint)
                assertEquals(jvm.totals(), tornado.totals(), "sums at the start of epoch " + epoch);
                assertEquals(0.0f, tornado.params().maxAbsDiff(jvm.params()), "parameters at the start of epoch " + epoch);
                for (int start = 0; start < 10; start += 4) {
                    tornado.trainBatch(start, Math.min(4, 10 - start));
                    jvm.trainBatch(start, Math.min(4, 10 - start));
                    assertEquals(0.0f, tornado.params().maxAbsDiff(jvm.params()),
                            "parameters after epoch " + epoch + ", batch at " + start);
                }
                // Loss sums: float on the device, double on the JVM; 10 terms of ≈ 2.3: 1e-5 covers float rounding.
                assertEquals(jvm.totals().lossSum(), tornado.totals().lossSum(), 1e-5 * jvm.totals().lossSum());
                assertEquals(jvm.totals().correct(), tornado.totals().correct());
                assertEquals(jvm.totals().examples(), tornado.totals().examples());
                assertEquals(jvm.evaluate(), tornado.evaluate());
            }
        }
    }

    /** An epoch of steps as the trainer makes them, then the test set; the transfers recorded meanwhile. */
    private static void epoch(TornadoEngine tornado, int epoch) {
        tornado.beginEpoch(Trainer.epochOrder(1, epoch, 10), 0);
        for (int start = 0; start < 10; start += 4) {
            tornado.trainBatch(start, Math.min(4, 10 - start));
        }
        tornado.totals();
        tornado.evaluate();
        tornado.params();
    }

    private static List<String> moves(StandIn.Recording rec) {
        List<String> m = rec.transfers().stream().map(t -> t.direction() + " " + t.bytes()).toList();
        rec.clear();
        return m;
    }

    @Test
    void aTrainingStepMovesNothingAcrossTheBus() {
        long paramBytes = 4L * LeNet.parameterCount();
        try (TornadoEngine tornado = new TornadoEngine(data(), Params.xavier(5), 0.9f, 4, null);
                StandIn.Recording rec = StandIn.record()) {
            epoch(tornado, 1); // first executions: their FIRST_EXECUTION uploads
            rec.clear();

            tornado.beginEpoch(Trainer.epochOrder(1, 2, 10), 0);
            assertEquals(List.of("TO_DEVICE 40", "TO_DEVICE 4"), moves(rec), "an epoch uploads its order (10 ints) and first index");
            assertEquals(0, tornado.totals().examples());
            assertEquals(List.of(), moves(rec), "no batch yet: nothing to fetch");
            tornado.trainBatch(0, 4);
            tornado.trainBatch(4, 4);
            tornado.trainBatch(8, 2);
            assertEquals(List.of(), moves(rec), "training steps, the tail's included");
            tornado.totals();
            assertEquals(List.of("TO_HOST 8"), moves(rec), "the running sums: two floats");
            tornado.evaluate();
            // the host sets the test cursor before each of the two test batches, then reads the two sums
            assertEquals(List.of("TO_DEVICE 4", "TO_DEVICE 4", "TO_HOST 8"), moves(rec));
            tornado.params();
            List<StandIn.Transfer> down = rec.transfers();
            assertEquals(LeNet.PARAMS.size(), down.size(), down.toString());
            assertEquals(paramBytes, down.stream().filter(t -> t.direction() == StandIn.Direction.TO_HOST).mapToLong(StandIn.Transfer::bytes).sum());
        }
    }

    /**
     * The device memory the engine reports, counted from its graphs, is what the stand-in allocates once
     * every graph has run: one buffer per array a graph names, none for what it consumes from another
     * graph (the data sets and parameters are on the device once).
     */
    @Test
    void theDeviceMemoryReportedIsWhatTheGraphsAllocate() {
        try (TornadoEngine tornado = new TornadoEngine(data(), Params.xavier(5), 0.9f, 4, null)) {
            epoch(tornado, 1);
            long allocated = tornado.planDeviceMemoryUsage();
            assertTrue(allocated > (10 + 7) * LeNet.PIXELS + 4L * LeNet.parameterCount(), "the stand-in allocated " + allocated + " bytes");
            assertEquals(allocated, tornado.deviceMemoryBytes());
            epoch(tornado, 2);
            assertEquals(allocated, tornado.planDeviceMemoryUsage(), "a second epoch allocates nothing more");
        }
    }

    /** Each transfer the plan declares is needed: without it, the stand-in stops the run, naming graph and task or buffer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("drops")
    void droppingATransferFromThePlanFails(String what, Predicate<StandIn.Declaration> drop) throws Exception {
        try (AutoCloseable without = StandIn.without(drop);
                TornadoEngine tornado = new TornadoEngine(data(), Params.xavier(5), 0.9f, 4, null)) {
            // the engine reports the stand-in's error as a failed graph (EngineException), the stand-in's message inside
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                epoch(tornado, 1);
                epoch(tornado, 2);
            });
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertTrue(cause instanceof IllegalStateException && cause.getMessage().startsWith("task graph "), e.toString());
        }
    }

    private static boolean sized(Object o, int size) {
        return o instanceof FloatArray f && f.getSize() == size;
    }

    static Stream<Arguments> drops() {
        int conv1 = LeNet.PARAMS.get(0).size();
        int fc3Bias = LeNet.PARAMS.get(LeNet.PARAMS.size() - 1).size();
        return Stream.of(
                Arguments.of("train images upload", (Predicate<StandIn.Declaration>) d -> d.kind() == StandIn.Kind.TO_DEVICE
                        && d.object() instanceof ByteArray b && b.getSize() == 10 * LeNet.PIXELS),
                Arguments.of("levels upload to eval", (Predicate<StandIn.Declaration>) d -> d.graph().equals("eval") && d.kind() == StandIn.Kind.TO_DEVICE
                        && sized(d.object(), 256)),
                Arguments.of("conv1 weight upload", (Predicate<StandIn.Declaration>) d -> d.kind() == StandIn.Kind.TO_DEVICE && sized(d.object(), conv1)),
                Arguments.of("epoch order upload", (Predicate<StandIn.Declaration>) d -> d.graph().equals("epoch") && d.kind() == StandIn.Kind.TO_DEVICE
                        && d.object() instanceof IntArray a && a.getSize() == 10),
                Arguments.of("epoch state persisted", (Predicate<StandIn.Declaration>) d -> d.graph().equals("epoch") && d.kind() == StandIn.Kind.PERSIST),
                Arguments.of("parameters consumed by eval", (Predicate<StandIn.Declaration>) d -> d.graph().equals("eval") && d.kind() == StandIn.Kind.CONSUME
                        && sized(d.object(), conv1)),
                Arguments.of("parameters consumed by the training tail", (Predicate<StandIn.Declaration>) d -> d.graph().equals("trainTail")
                        && d.kind() == StandIn.Kind.CONSUME && sized(d.object(), fc3Bias)),
                Arguments.of("parameters persisted by train", (Predicate<StandIn.Declaration>) d -> d.graph().equals("train")
                        && (d.kind() == StandIn.Kind.PERSIST || d.kind() == StandIn.Kind.TO_HOST) && sized(d.object(), conv1)));
    }

    /**
     * At batch 256 the training step is 24 launches and an evaluation batch 8: gather; two convolutions
     * with sigmoid and pooling; two linear layers with sigmoid and the last one; the loss; per layer the
     * input gradient (with the sigmoid's derivative, or followed by the pool's), the partial sums and
     * the sum that takes the SGD step; the bookkeeping.
     */
    @Test
    void theStepAtBatch256Is24Tasks() {
        Random r = new Random(3);
        int count = 300;
        byte[] train = new byte[count * LeNet.PIXELS];
        r.nextBytes(train);
        int[] labels = r.ints(count, 0, 10).toArray();
        EngineData data = EngineData.of(train, labels, count, train, labels, count);
        // lenet-relu has lenet's shape, with ReLU and max-pooling in the same fused kernels; lenet-bn adds per
        // batch norm 4 forward tasks (partial statistics, their combination, the running estimates, normalise
        // with the sigmoid) and 4 backward (partial sums, their combination, dz, the SGD step of γ and β), and
        // takes conv and linear layers' forward out of the kernels that fused the activation.
        for (Model model : Model.values()) {
            int trainTasks = model.batchNorm() ? 56 : 24;
            int evalTasks = model.batchNorm() ? 12 : 8;
            try (TornadoEngine tornado = new TornadoEngine(data, Params.xavier(model, 5), 0.9f, 256, null)) {
                List<GraphSink> graphs = tornado.graphs();
                GraphSink step = graphs.get(1);
                assertEquals("train", step.name());
                assertEquals(trainTasks, step.tasks().size(), model + ": " + step.tasks());
                GraphSink eval = graphs.get(3);
                assertEquals("eval", eval.name());
                assertEquals(evalTasks, eval.tasks().size(), model + ": " + eval.tasks());
            }
        }
    }
}
