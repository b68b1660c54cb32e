package lenet.train;

import java.io.PrintWriter;
import java.util.Random;

import lenet.engine.Engine;

/**
 * The d2l training loop ({@code train_ch6}): each epoch reshuffles the training set, takes SGD steps on
 * batches (the last, partial batch is kept), reports progress five times per epoch, then measures test
 * accuracy. Examples/s counts, as d2l does, training examples over the time spent inside training steps
 * (evaluation excluded, and so are the epoch-end files and the JVM engine's wait for its JIT before an
 * epoch, {@link Engine#jitWaitSeconds}).
 *
 * <p>A run can start from a {@link TrainState} (a resumed run) and can be asked to stop between two
 * steps ({@link TrainListener#stopRequested()}); {@link #state()} then says where it stands. Since the
 * shuffle is a function of the seed and the epoch alone and SGD keeps no state besides the parameters,
 * a run resumed from a state and the parameters of that moment ends with the same parameters as an
 * uninterrupted one (bit for bit on the same engine and thread count).
 */
public final class Trainer {
    private final TrainConfig config;
    private final Engine engine;
    private final int trainCount;
    private final int testCount;
    private final TrainListener listener;
    private final TrainState from;
    private TrainState state;
    private boolean stopped;

    /** A run from the start that prints the d2l lines to {@code out}. */
    public Trainer(TrainConfig config, Engine engine, int trainCount, int testCount, PrintWriter out) {
        this(config, engine, trainCount, testCount, new ConsoleReport(out, false), TrainState.start());
    }

    /**
     * @param from where to start: {@link TrainState#start()}, or a saved state, with the engine holding
     *             the parameters saved with it
     */
    public Trainer(TrainConfig config, Engine engine, int trainCount, int testCount, TrainListener listener, TrainState from) {
        if (from.next() % config.batchSize() != 0 || from.next() >= Math.max(1, trainCount)) {
            throw new IllegalArgumentException("cannot start at example " + from.next() + " of an epoch of "
                    + trainCount + " in batches of " + config.batchSize());
        }
        this.config = config;
        this.engine = engine;
        this.trainCount = trainCount;
        this.testCount = testCount;
        this.listener = listener;
        this.from = from;
        this.state = from;
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

    /** Where the run stands: after {@link #run()}, at its end or where it stopped. */
    public TrainState state() {
        return state;
    }

    /** Whether the last {@link #run()} stopped before its last epoch because a stop was requested. */
    public boolean stopped() {
        return stopped;
    }

    public RunMetrics run() {
        RunMetrics m = new RunMetrics();
        m.engine = engine.kind().id();
        m.device = engine.device();
        m.epochs = config.epochs();
        m.batchSize = config.batchSize();
        m.lr = config.lr();
        m.seed = config.seed();
        m.trainExamples = trainCount;
        m.testExamples = testCount;
        m.history.addAll(from.history());
        m.progress.addAll(from.progress());
        stopped = false;
        listener.started(m, from);
        // Compile the kernels last, once everything else of the run is loaded: loading new classes later
        // (a chart library, say) can make the JIT throw compiled kernels away.
        m.warmUpSeconds = engine.warmUp();
        listener.warmedUp(m.warmUpSeconds);
        long wallStart = System.nanoTime();
        double trainSeconds = from.trainSeconds();
        int batch = config.batchSize();
        int batches = (trainCount + batch - 1) / batch;
        int every = Math.max(1, batches / 5);
        for (int epoch = from.epoch(); epoch <= config.epochs(); epoch++) {
            boolean resumed = epoch == from.epoch();
            int first = resumed ? from.next() : 0;
            double lossBefore = resumed ? from.lossSum() : 0;
            long correctBefore = resumed ? from.correct() : 0;
            long epochNanos = resumed ? Math.round(from.epochSeconds() * 1e9) : 0;
            long examples = first;
            engine.beginEpoch(epochOrder(config.seed(), epoch, trainCount), first);
            for (int b = first / batch; b < batches; b++) {
                if (listener.stopRequested()) {
                    Engine.Totals t = engine.totals();
                    state = new TrainState(epoch, (int) examples, lossBefore + t.lossSum(), correctBefore + t.correct(),
                            epochNanos / 1e9, trainSeconds, m.history, m.progress);
                    stopped = true;
                    summarise(m, trainSeconds, wallStart);
                    listener.stopped(m, state);
                    return m;
                }
                int start = b * batch;
                int count = Math.min(batch, trainCount - start);
                long t0 = System.nanoTime();
                engine.trainBatch(start, count);
                boolean report = (b + 1) % every == 0 || b == batches - 1;
                Engine.Totals raw = report || engine.cheapTotals() ? engine.totals() : null;
                epochNanos += System.nanoTime() - t0;
                examples += count;
                Engine.Totals totals = raw == null ? null
                        : new Engine.Totals(lossBefore + raw.lossSum(), correctBefore + raw.correct(), examples);
                if (totals != null) {
                    checkFinite(totals, epoch, b + 1);
                }
                RunMetrics.Point point = null;
                if (report) {
                    point = new RunMetrics.Point(epoch - 1 + (b + 1) / (double) batches, totals.meanLoss(), totals.accuracy());
                    m.progress.add(point);
                }
                listener.stepped(new TrainListener.Step(epoch, config.epochs(), b + 1, batches, examples, trainCount,
                        epochNanos / 1e9, totals, point));
            }
            Engine.Totals raw = engine.totals();
            Engine.Totals totals = new Engine.Totals(lossBefore + raw.lossSum(), correctBefore + raw.correct(), examples);
            double testAcc = (double) engine.evaluate() / testCount;
            double seconds = epochNanos / 1e9;
            trainSeconds += seconds;
            m.history.add(new RunMetrics.Epoch(epoch, totals.meanLoss(), totals.accuracy(), testAcc, seconds, trainCount / seconds));
            m.loss = totals.meanLoss();
            m.trainAcc = totals.accuracy();
            m.testAcc = testAcc;
            summarise(m, trainSeconds, wallStart);
            state = new TrainState(epoch + 1, 0, 0, 0, 0, trainSeconds, m.history, m.progress);
            listener.epochEnded(m, state);
        }
        listener.finished(m);
        return m;
    }

    /** Fills in the run's totals so far: training time and throughput of the finished epochs, wall time. */
    private void summarise(RunMetrics m, double trainSeconds, long wallStart) {
        m.trainSeconds = trainSeconds;
        m.examplesPerSec = m.history.isEmpty() ? 0 : (double) trainCount * m.history.size() / trainSeconds;
        m.wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        m.jitWaitSeconds = engine.jitWaitSeconds();
        m.profile = engine.profile();
        long device = engine.deviceMemoryBytes();
        m.deviceMemoryBytes = device >= 0 ? device : null;
    }

    private void checkFinite(Engine.Totals totals, int epoch, int step) {
        if (!Double.isFinite(totals.lossSum())) {
            throw new DivergedException(String.format(java.util.Locale.ROOT,
                    "training diverged at epoch %d, step %d: the loss is %s; try a smaller learning rate than --lr %s",
                    epoch, step, Double.isNaN(totals.lossSum()) ? "NaN" : "infinite", config.lr()));
        }
    }
}
