package lenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import lenet.engine.EngineData;
import lenet.engine.JvmEngine;
import lenet.engine.KernelSet;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A run interrupted anywhere (between epochs or inside one), saved to a checkpoint file, read back
 * and resumed, ends with exactly the weights of an uninterrupted run: same bits, on the JVM engine
 * with one and with two threads.
 */
class ResumeTest {
    /**
     * 11 training examples in batches of 4: steps of 4, 4 and a tail of 3 per epoch (with two threads,
     * shards of 2+2 and 2+1); 2 epochs = 6 steps. Small, because the plain kernels are slow on a CPU.
     */
    static final int TRAIN = 11;
    static final int TEST = 4;
    static final int BATCH = 4;
    static final int STEPS_PER_EPOCH = 3;
    static final TrainConfig CONFIG = new TrainConfig(2, BATCH, 0.5f, 7);
    /** The uninterrupted run, per thread count. */
    private static final java.util.Map<Integer, Outcome> FULL = new java.util.concurrent.ConcurrentHashMap<>();

    @TempDir
    Path dir;

    static EngineData data() {
        Random r = new Random(11);
        byte[] train = new byte[TRAIN * LeNet.PIXELS];
        byte[] test = new byte[TEST * LeNet.PIXELS];
        r.nextBytes(train);
        r.nextBytes(test);
        return EngineData.of(train, r.ints(TRAIN, 0, 10).toArray(), TRAIN, test, r.ints(TEST, 0, 10).toArray(), TEST);
    }

    /** Asks to stop once {@code limit} steps have been taken in this run. */
    static final class StopAfter implements TrainListener {
        private final int limit;
        private int steps;

        StopAfter(int limit) {
            this.limit = limit;
        }

        @Override
        public void stepped(Step step) {
            steps++;
        }

        @Override
        public boolean stopRequested() {
            return steps >= limit;
        }
    }

    record Outcome(Params params, RunMetrics metrics, TrainState state, boolean stopped) {
    }

    static Outcome full(EngineData data, int threads) {
        return FULL.computeIfAbsent(threads, t -> train(data, t, Params.xavier(CONFIG.seed()), TrainState.start(), new TrainListener() { }));
    }

    static Outcome train(EngineData data, int threads, Params start, TrainState from, TrainListener listener) {
        try (JvmEngine engine = new JvmEngine(data, start, CONFIG.lr(), CONFIG.batchSize(), threads, KernelSet.PLAIN)) {
            Trainer trainer = new Trainer(CONFIG, engine, TRAIN, TEST, listener, from);
            RunMetrics m = trainer.run();
            return new Outcome(engine.params(), m, trainer.state(), trainer.stopped());
        }
    }

    /** Saves the state and parameters of a stopped run to a file and reads them back. */
    Checkpoint roundTrip(Outcome stopped, int threads, String name) {
        Checkpoint c = new Checkpoint(new Checkpoint.Config(CONFIG.epochs(), CONFIG.batchSize(), CONFIG.lr(), CONFIG.seed(),
                "java", "test", threads, "plain"), new Checkpoint.Data(TRAIN, TEST, 0), stopped.state(), stopped.params());
        Path file = dir.resolve(name);
        Checkpoint.write(file, c);
        return Checkpoint.read(file);
    }

    @ParameterizedTest(name = "{0} thread(s), stopped after {1} steps")
    @CsvSource({"1, 1", "1, 3", "1, 5", "2, 2", "2, 4"})
    void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne(int threads, int stopAfter) {
        EngineData data = data();
        Outcome full = full(data, threads);
        assertFalse(full.stopped());

        Outcome first = train(data, threads, Params.xavier(CONFIG.seed()), TrainState.start(), new StopAfter(stopAfter));
        assertTrue(first.stopped(), "the run should stop");
        TrainState s = first.state();
        assertEquals(stopAfter / STEPS_PER_EPOCH + 1, s.epoch(), "epoch in progress");
        assertEquals(stopAfter % STEPS_PER_EPOCH * BATCH, s.next(), "position in the epoch");
        assertEquals(stopAfter / STEPS_PER_EPOCH, s.history().size(), "finished epochs");

        Checkpoint c = roundTrip(first, threads, "stopped.ckpt");
        assertEquals(s, c.state(), "the state survives the file");
        assertBitwiseEqual(first.params(), c.params(), "parameters survive the file");

        Outcome resumed = train(data, threads, c.params(), c.state(), new TrainListener() { });
        assertFalse(resumed.stopped());
        assertBitwiseEqual(full.params(), resumed.params(), "final parameters");
        sameHistory(full.metrics(), resumed.metrics());
    }

    @Test
    void aRunInterruptedTwiceStillEndsWithTheSameWeights() {
        EngineData data = data();
        Outcome full = full(data, 2);
        Outcome a = train(data, 2, Params.xavier(CONFIG.seed()), TrainState.start(), new StopAfter(1));
        Checkpoint ca = roundTrip(a, 2, "a.ckpt");
        Outcome b = train(data, 2, ca.params(), ca.state(), new StopAfter(3));   // 1 + 3 = step 4: inside epoch 2
        assertTrue(b.stopped());
        assertEquals(2, b.state().epoch());
        Checkpoint cb = roundTrip(b, 2, "b.ckpt");
        Outcome c = train(data, 2, cb.params(), cb.state(), new TrainListener() { });
        assertBitwiseEqual(full.params(), c.params(), "final parameters");
        sameHistory(full.metrics(), c.metrics());
    }

    @Test
    void aFinishedRunCanBeExtendedByMoreEpochs() {
        EngineData data = data();
        TrainConfig one = new TrainConfig(1, BATCH, CONFIG.lr(), CONFIG.seed());
        Params afterOne;
        TrainState state;
        try (JvmEngine engine = new JvmEngine(data, Params.xavier(CONFIG.seed()), CONFIG.lr(), BATCH, 1, KernelSet.PLAIN)) {
            Trainer t = new Trainer(one, engine, TRAIN, TEST, new TrainListener() { }, TrainState.start());
            t.run();
            afterOne = engine.params();
            state = t.state();
        }
        assertTrue(state.complete(1));
        assertEquals(2, state.epoch());
        Outcome extended = train(data, 1, afterOne, state, new TrainListener() { });
        assertBitwiseEqual(full(data, 1).params(), extended.params(), "1 epoch, then a second = 2 epochs");
    }

    /** Same epochs and progress points; loss and accuracies equal up to the order of a double sum. */
    static void sameHistory(RunMetrics full, RunMetrics resumed) {
        assertEquals(full.history.size(), resumed.history.size());
        for (int e = 0; e < full.history.size(); e++) {
            RunMetrics.Epoch a = full.history.get(e);
            RunMetrics.Epoch b = resumed.history.get(e);
            assertEquals(a.epoch(), b.epoch());
            // A resumed epoch adds the saved partial loss sum to the rest: the same terms, summed in another
            // order; 11 terms of about 2.3 in double precision agree far below 1e-12.
            assertEquals(a.loss(), b.loss(), 1e-12, "loss, epoch " + a.epoch());
            assertEquals(a.trainAcc(), b.trainAcc(), 0.0, "train acc, epoch " + a.epoch());
            assertEquals(a.testAcc(), b.testAcc(), 0.0, "test acc, epoch " + a.epoch());
        }
        assertEquals(full.progress.stream().map(RunMetrics.Point::epoch).toList(),
                resumed.progress.stream().map(RunMetrics.Point::epoch).toList(), "progress points");
    }

    static void assertBitwiseEqual(Params expected, Params actual, String what) {
        List<FloatArray> a = expected.tensors();
        List<FloatArray> b = actual.tensors();
        int differ = 0;
        for (int j = 0; j < a.size(); j++) {
            for (int i = 0; i < a.get(j).getSize(); i++) {
                if (Float.floatToRawIntBits(a.get(j).get(i)) != Float.floatToRawIntBits(b.get(j).get(i))) {
                    differ++;
                }
            }
        }
        assertEquals(0, differ, what + ": " + differ + " of " + LeNet.parameterCount() + " values differ, max |diff| "
                + expected.maxAbsDiff(actual));
    }
}
