package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lenet.kernels.cpu.Vectors;
import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import lenet.train.Trainer;

/** The JVM engine's sharding: deterministic for a thread count, and thread counts agree up to float summation order. */
class JvmEngineTest {
    static EngineData data(int train, int test) {
        Random r = new Random(9);
        byte[] a = new byte[train * LeNet.PIXELS];
        byte[] b = new byte[test * LeNet.PIXELS];
        r.nextBytes(a);
        r.nextBytes(b);
        return EngineData.of(a, r.ints(train, 0, 10).toArray(), train, b, r.ints(test, 0, 10).toArray(), test);
    }

    /** Two epochs of 70 examples in batches of 32 (32, 32, 6): the parameters and figures at the end. */
    static Params train(EngineData data, int threads, KernelSet kernels, double[] figures) {
        try (JvmEngine engine = new JvmEngine(data, Params.xavier(1), 0.9f, 32, threads, kernels)) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                engine.beginEpoch(Trainer.epochOrder(3, epoch, data.trainCount()), 0);
                for (int start = 0; start < data.trainCount(); start += 32) {
                    engine.trainBatch(start, Math.min(32, data.trainCount() - start));
                }
            }
            figures[0] = engine.totals().lossSum();
            figures[1] = engine.totals().correct();
            figures[2] = engine.evaluate();
            return engine.params();
        }
    }

    @Test
    void theSameSeedAndThreadCountGiveTheSameResultTwice() {
        EngineData data = data(70, 20);
        double[] a = new double[3];
        double[] b = new double[3];
        Params first = train(data, 2, KernelSet.PLAIN, a);
        Params second = train(data, 2, KernelSet.PLAIN, b);
        assertEquals(0.0f, first.maxAbsDiff(second));
        assertEquals(a[0], b[0]);
        assertEquals(a[1], b[1]);
        assertEquals(a[2], b[2]);
    }

    /**
     * One and two threads sum each batch's gradient in a different order (two shard sums added, against one
     * sum), so parameters differ by float rounding only. Measured here: 1.5e-7 after the 6 steps; changing
     * just two pixels of one training example moves the parameters by 1.9e-6. The tolerance, 1e-6, sits
     * between: several times the rounding, below the smallest change of data.
     */
    @Test
    void oneAndTwoThreadsAgreeUpToSummationOrder() {
        EngineData data = data(70, 20);
        double[] a = new double[3];
        double[] b = new double[3];
        Params one = train(data, 1, KernelSet.PLAIN, a);
        Params two = train(data, 2, KernelSet.PLAIN, b);
        float diff = one.maxAbsDiff(two);
        assertTrue(diff <= 1e-6f, "parameters of 1 and 2 threads differ by " + diff);
        assertEquals(a[0], b[0], 1e-4 * a[0], "epoch loss sums");
        assertEquals(a[2], b[2], "test correct counts");
    }

    /**
     * {@code warmUp} builds and runs every program an epoch uses, so none is built inside the run's clock:
     * with 3 threads, 70 examples in batches of 32 are shards of 11, 11, 10 and a tail of 6 (2, 2, 2).
     * A program built during a step allocates its shard's buffers and recorded calls on the calling
     * thread (measured: about 40 KB for the 10-example shard); after a complete warm-up the first epoch's
     * steps allocate no more than the second epoch's (measured: the same few KB of task lists), plus a
     * margin of 8 KB for the JVM's own noise. The warm-up takes its steps on a scratch copy of the
     * parameters and counts none of them: called after a step of an epoch, it leaves the run's parameters
     * and the epoch's totals as they were.
     */
    @Test
    void warmUpPreparesTheProgramsOfTheBatchesAndTheTailAnEpochRuns() {
        EngineData data = data(70, 20);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (JvmEngine engine = new JvmEngine(data, Params.xavier(1), 0.9f, 32, 3, KernelSet.PLAIN)) {
            engine.beginEpoch(Trainer.epochOrder(3, 1, data.trainCount()), 0);
            engine.trainBatch(0, 32);
            Params paramsBefore = engine.params();
            Engine.Totals totals = engine.totals();
            engine.warmUp();
            assertEquals(0.0f, paramsBefore.maxAbsDiff(engine.params()), "the warm-up changed the run's parameters");
            assertEquals(totals, engine.totals(), "the warm-up counted its steps in the epoch's totals");
            long[] bytes = new long[2];
            for (int epoch = 1; epoch <= 2; epoch++) {
                engine.beginEpoch(Trainer.epochOrder(3, epoch, data.trainCount()), 0);
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int start = 0; start < data.trainCount(); start += 32) {
                    engine.trainBatch(start, Math.min(32, data.trainCount() - start));
                }
                bytes[epoch - 1] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(bytes[0] <= bytes[1] + 8192, "the first epoch's steps allocated " + bytes[0] + " bytes, the second's " + bytes[1]);
        }
    }

    /**
     * With the CPU twins a batch is never cut into shards below {@link Vectors#MIN_SHARD} examples, however
     * many threads there are: 64 threads train exactly as many threads as a batch of 256 has such shards
     * (with 64 shards of 4 the twins would run the plain kernels, which round differently), and the run says
     * how it split the work.
     */
    @Test
    void manyThreadsKeepShardsTheTwinsServe() {
        int batch = 256;
        int working = batch / Vectors.MIN_SHARD;
        EngineData data = data(batch + 96, 8);
        Params init = Params.xavier(3);
        int[] order = Trainer.epochOrder(1, 1, batch + 96);
        try (JvmEngine many = new JvmEngine(data, init, 0.9f, batch, 64, KernelSet.CPU);
                JvmEngine fitting = new JvmEngine(data, init, 0.9f, batch, working, KernelSet.CPU)) {
            assertEquals(working, many.shardsFor(batch));
            assertEquals(96 / Vectors.MIN_SHARD, many.shardsFor(96), "the last, partial batch");
            assertEquals(1, many.shardsFor(Vectors.MIN_SHARD - 1));
            assertTrue(many.device().endsWith("(" + working + " of them on a batch of 256: shards of at least " + Vectors.MIN_SHARD + " examples)"),
                    many.device());
            for (JvmEngine e : new JvmEngine[] {many, fitting}) {
                e.beginEpoch(order, 0);
                e.trainBatch(0, batch);
                e.trainBatch(batch, 96);
            }
            assertEquals(0.0f, many.params().maxAbsDiff(fitting.params()));
        }
    }

    /** Two epochs of a model at batch 64 (64, 64, 12 of 140 examples): the parameters at the end. */
    private static Params train(EngineData data, Model model, int threads, KernelSet kernels) {
        try (JvmEngine engine = new JvmEngine(data, Params.xavier(model, 1), 0.9f, 64, threads, kernels)) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                engine.beginEpoch(Trainer.epochOrder(3, epoch, data.trainCount()), 0);
                for (int start = 0; start < data.trainCount(); start += 64) {
                    engine.trainBatch(start, Math.min(64, data.trainCount() - start));
                }
            }
            return engine.params();
        }
    }

    /**
     * lenet-bn normalises with the statistics of the whole batch, however many shards it is cut into: one,
     * two and three threads (with the CPU twins shards of at least 32: 64 as 32 + 32, the tail of 12 whole)
     * agree up to summation order, running estimates included. Measured: 9.3e-6 apart at most; the
     * tolerance is 3e-5.
     */
    @ParameterizedTest
    @MethodSource("kernelSets")
    void batchNormSeesTheWholeBatchOnEveryThreadCount(KernelSet kernels) {
        EngineData data = data(140, 8);
        Params one = train(data, Model.LENET_BN, 1, kernels);
        for (int threads : new int[] {2, 3}) {
            float diff = one.maxAbsDiff(train(data, Model.LENET_BN, threads, kernels));
            assertTrue(diff <= 3e-5f, kernels.name() + ": 1 and " + threads + " threads differ by " + diff);
        }
    }

    static List<KernelSet> kernelSets() {
        return KernelSet.ALL;
    }

    /** The warm-up trains on scratch copies: the run's parameters, batch norms' running estimates included, do not move. */
    @Test
    void warmUpLeavesRunningEstimatesAlone() {
        EngineData data = data(140, 8);
        Params init = Params.xavier(Model.LENET_BN, 2);
        try (JvmEngine engine = new JvmEngine(data, init, 0.9f, 64, 2, KernelSet.CPU)) {
            engine.warmUp();
            assertEquals(0.0f, engine.params().maxAbsDiff(init));
        }
    }
}
