package lenet.train;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Random;

import lenet.engine.Engine;

/**
 * The d2l training loop ({@code train_ch6}): each epoch reshuffles the training set, takes SGD steps on
 * batches (the last, partial batch is kept), reports progress five times per epoch, then measures test
 * accuracy. Examples/s counts, as d2l does, training examples over the time spent inside training steps
 * (evaluation excluded).
 */
public final class Trainer {
    private final TrainConfig config;
    private final Engine engine;
    private final int trainCount;
    private final int testCount;
    private final PrintWriter out;

    public Trainer(TrainConfig config, Engine engine, int trainCount, int testCount, PrintWriter out) {
        this.config = config;
        this.engine = engine;
        this.trainCount = trainCount;
        this.testCount = testCount;
        this.out = out;
    }

    /**
     * The permutation of the training set for an epoch (1-based): a function of the seed and the epoch
     * alone, so a run resumed at any epoch shuffles exactly as an uninterrupted one.
     */
    public static int[] epochOrder(long seed, int epoch, int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 1_000_003L + epoch);
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    public RunMetrics run() {
        RunMetrics m = new RunMetrics();
        m.engine = engine.name();
        m.device = engine.device();
        m.epochs = config.epochs();
        m.batchSize = config.batchSize();
        m.lr = config.lr();
        m.seed = config.seed();
        m.trainExamples = trainCount;
        m.testExamples = testCount;
        long wallStart = System.nanoTime();
        long trainNanos = 0;
        int batches = (trainCount + config.batchSize() - 1) / config.batchSize();
        int every = Math.max(1, batches / 5);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            engine.beginEpoch(epochOrder(config.seed(), epoch, trainCount), 0);
            long epochNanos = 0;
            for (int b = 0; b < batches; b++) {
                int start = b * config.batchSize();
                int count = Math.min(config.batchSize(), trainCount - start);
                long t0 = System.nanoTime();
                engine.trainBatch(start, count);
                boolean report = (b + 1) % every == 0 || b == batches - 1;
                Engine.Totals totals = report || engine.cheapTotals() ? engine.totals() : null;
                epochNanos += System.nanoTime() - t0;
                if (totals != null) {
                    checkFinite(totals, epoch, b + 1);
                }
                if (report) {
                    double at = epoch - 1 + (b + 1) / (double) batches;
                    m.progress.add(new RunMetrics.Point(at, totals.meanLoss(), totals.accuracy()));
                    out.printf(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f  train acc %.3f  %,.0f examples/s%n",
                            epoch, config.epochs(), b + 1, batches, totals.meanLoss(), totals.accuracy(),
                            totals.examples() / (epochNanos / 1e9));
                }
            }
            trainNanos += epochNanos;
            Engine.Totals totals = engine.totals();
            double testAcc = (double) engine.evaluate() / testCount;
            double seconds = epochNanos / 1e9;
            m.history.add(new RunMetrics.Epoch(epoch, totals.meanLoss(), totals.accuracy(), testAcc, seconds, trainCount / seconds));
            out.printf(Locale.ROOT, "epoch %d/%d: loss %.3f, train acc %.3f, test acc %.3f (%.1f s, %,.0f examples/s)%n",
                    epoch, config.epochs(), totals.meanLoss(), totals.accuracy(), testAcc, seconds, trainCount / seconds);
            m.loss = totals.meanLoss();
            m.trainAcc = totals.accuracy();
            m.testAcc = testAcc;
        }
        m.trainSeconds = trainNanos / 1e9;
        m.examplesPerSec = (double) trainCount * config.epochs() / m.trainSeconds;
        m.wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        out.printf(Locale.ROOT, "loss %.3f, train acc %.3f, test acc %.3f%n", m.loss, m.trainAcc, m.testAcc);
        out.printf(Locale.ROOT, "%.1f examples/sec on %s%n", m.examplesPerSec, m.device);
        return m;
    }

    private void checkFinite(Engine.Totals totals, int epoch, int step) {
        if (!Double.isFinite(totals.lossSum())) {
            throw new DivergedException(String.format(Locale.ROOT,
                    "training diverged at epoch %d, step %d: the loss is %s; try a smaller learning rate than --lr %s",
                    epoch, step, Double.isNaN(totals.lossSum()) ? "NaN" : "infinite", config.lr()));
        }
    }
}
