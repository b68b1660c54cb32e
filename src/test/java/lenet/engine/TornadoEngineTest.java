package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lenet.model.LeNet;
import lenet.model.Params;
import lenet.train.Trainer;

/**
 * The TornadoVM engine's graphs, run by the stand-in {@code tornado.api} (tasks in order on the calling
 * thread): the same arithmetic as the JVM engine with one thread, bit for bit, and the graph layout the
 * engine promises (what moves across the bus, and when).
 */
class TornadoEngineTest {
    /** 10 training examples in batches of 4 (4, 4, then a tail of 2); 7 test examples (4, tail of 3). */
    static EngineData data() {
        Random r = new Random(3);
        float[] train = new float[10 * LeNet.PIXELS];
        float[] test = new float[7 * LeNet.PIXELS];
        for (int j = 0; j < train.length; j++) {
            train[j] = r.nextFloat();
        }
        for (int j = 0; j < test.length; j++) {
            test[j] = r.nextFloat();
        }
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

    @Test
    void aTrainingStepMovesNothingAcrossTheBus() {
        try (TornadoEngine tornado = new TornadoEngine(data(), Params.xavier(5), 0.9f, 4, null)) {
            List<GraphSink> graphs = tornado.graphs();
            assertEquals(List.of("epoch", "train", "trainTail", "eval", "evalTail"), graphs.stream().map(GraphSink::name).toList());

            GraphSink epoch = graphs.get(0);
            assertEquals(List.of("batch.seek"), epoch.tasks());
            assertTrue(epoch.transfers().contains("toDevice(EVERY_EXECUTION): order, epochStart"), epoch.transfers().toString());

            for (GraphSink train : List.of(graphs.get(1), graphs.get(2))) {
                List<String> tasks = train.tasks();
                assertEquals(List.of("batch.gather", "conv1.forwardSigmoidPool"), tasks.subList(0, 2));
                assertEquals(List.of("conv1.sumAndUpdate", "loss.accumulate"), tasks.subList(tasks.size() - 2, tasks.size()));
                assertTrue(tasks.contains("conv2.backwardInput") && tasks.contains("loss.forwardBackward") && !tasks.contains("conv1.backwardInput"),
                        tasks.toString());
                assertFalse(train.transfers().stream().anyMatch(t -> t.startsWith("toDevice(EVERY_EXECUTION)")),
                        train.name() + " uploads at every step: " + train.transfers());
                assertTrue(train.transfers().stream().anyMatch(t -> t.startsWith("toHost(UNDER_DEMAND): trainTotals")), train.transfers().toString());
            }
            assertTrue(graphs.get(1).transfers().contains("consume(epoch): order, trainCursor"), graphs.get(1).transfers().toString());
            for (int g : new int[] {2, 3}) {
                assertTrue(graphs.get(g).transfers().stream().anyMatch(t -> t.startsWith("consume(train): 0.weight")),
                        graphs.get(g).name() + " must take the parameters over from train: " + graphs.get(g).transfers());
            }
        }
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
        float[] train = new float[count * LeNet.PIXELS];
        for (int j = 0; j < train.length; j++) {
            train[j] = r.nextFloat();
        }
        int[] labels = r.ints(count, 0, 10).toArray();
        EngineData data = EngineData.of(train, labels, count, train, labels, count);
        try (TornadoEngine tornado = new TornadoEngine(data, Params.xavier(5), 0.9f, 256, null)) {
            List<GraphSink> graphs = tornado.graphs();
            GraphSink step = graphs.get(1);
            assertEquals("train", step.name());
            assertEquals(24, step.tasks().size(), step.tasks().toString());
            GraphSink eval = graphs.get(3);
            assertEquals("eval", eval.name());
            assertEquals(8, eval.tasks().size(), eval.tasks().toString());
        }
    }
}
