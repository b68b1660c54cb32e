package lenet.engine;

import java.lang.foreign.MemorySegment;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import lenet.kernels.cpu.Vectors;
import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Runs the kernels on JVM threads, data-parallel: each batch is cut into one shard per thread, each
 * thread runs the whole step (gather, forward, backward) on its shard with its own buffers and gradient
 * (the conv stages' gradients written over their activations, {@link Activations#Activations(Model, int,
 * boolean)}: a smaller share of the caches for each thread), then the shard gradients are summed in shard
 * order and one SGD step is taken. With the CPU twins no
 * shard is smaller than {@link Vectors#MIN_SHARD} examples (below a vector the twins would run the plain
 * kernels): on a machine with more cores than a batch has such shards, some threads sit out that batch. For a given seed and
 * thread count the result is deterministic; different thread counts differ only in the order float
 * gradients are summed.
 *
 * <p>Batch norm ({@code lenet-bn}) normalises with statistics over the whole batch, not the shard: the
 * shards of a batch write their partial sums into shared buffers ({@link LeNetGraph.Split}) and wait for
 * each other ({@link TaskSink#join}, a barrier) before combining them, so every thread count computes the
 * same batch statistics, and the batch norms' gradients (sums over the whole batch in every shard) are
 * taken from shard 0 instead of summed.
 */
public final class JvmEngine implements Engine {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /**
     * Calls after which HotSpot's C2 compiles a method with a loop ({@code Tier4MinInvocationThreshold},
     * 600 by default), with a margin: {@link #warmUp} runs the shards' programs at least this often.
     */
    static final int C2_CALLS = 660;
    /** The longest {@link #beginEpoch} waits for the JIT to go quiet. */
    static final long QUIET_WAIT_MS = 1000;
    private final EngineData data;
    private final KernelSet kernels;
    private final int threads;
    private final int batch;
    private final int minShard;
    private final Model model;
    private final Params params;
    private final Params gradSum;
    /** The shards of each batch size: their splits and the barrier they meet at. */
    private final Map<Integer, Meeting> meetings = new HashMap<>();
    private final Recorder update = new Recorder();
    private final IntArray order;
    private final IntArray testOrder;
    private final List<Map<Integer, Shard>> shards = new ArrayList<>();
    private final ShardThreads workers;
    private double lossSum;
    private long correct;
    private long examples;
    private JitQueue jitQueue;
    private boolean jitQueueAsked;
    private boolean warmedUp;
    private long jitWaitNanos;
    /** When the last epoch (or, before the first, the warm-up) began, in {@link System#nanoTime}. */
    private long epochMark;

    /** The shards a batch of some size is cut into: each shard's {@link LeNetGraph.Split}, and their barrier. */
    private record Meeting(List<LeNetGraph.Split> splits, CyclicBarrier barrier) {
    }

    private Meeting meeting(int count) {
        return meetings.computeIfAbsent(count, c -> {
            int[] sizes = shardSizes(c);
            return new Meeting(LeNetGraph.Split.shards(model, kernels, sizes), new CyclicBarrier(sizes.length));
        });
    }

    /** The sizes of the shards a batch of {@code count} examples is cut into, in order. */
    private int[] shardSizes(int count) {
        int k = shardsFor(count);
        int base = count / k;
        int extra = count % k;
        int[] sizes = new int[k];
        for (int t = 0; t < k; t++) {
            sizes[t] = base + (t < extra ? 1 : 0);
        }
        return sizes;
    }

    /**
     * One thread's buffers for shards of {@code n} examples, with its recorded programs: evaluation, and
     * one training program per batch size B (the loss gradient is scaled by 1/B; B changes only for the
     * last, partial batch of an epoch).
     */
    private final class Shard {
        final Activations b;
        final IntArray cursor = new IntArray(1);
        final Params grads = Params.zeros(model);
        final Recorder eval = new Recorder();
        final Map<Integer, Recorder> train = new HashMap<>();

        Shard(int n) {
            b = new Activations(model, n, true);
            cursor.set(0, 0);
            eval.task("batch.gather", kernels.gather(), data.testImages(), data.levels(), data.testLabels(), testOrder, cursor, b.x, b.labels, n, LeNet.PIXELS);
            LeNetGraph.forward(eval, kernels, params, b);
        }

        /** The training program of this shard, shard {@code index} of a batch of {@code batchSize}. */
        Recorder train(int batchSize, int index) {
            return train.computeIfAbsent(batchSize, size -> {
                Meeting m = meeting(size);
                LeNetGraph.Split split = m.splits().get(index);
                Recorder r = new Recorder(() -> await(m.barrier()));
                r.task("batch.gather", kernels.gather(), data.trainImages(), data.levels(), data.trainLabels(), order, cursor, b.x, b.labels, b.n, LeNet.PIXELS);
                LeNetGraph.forward(r, kernels, params, b, split);
                LeNetGraph.backward(r, kernels, params, grads, b, split, false);
                return r;
            });
        }
    }

    /**
     * @param batchSize the largest batch {@link #trainBatch} will be given (sizes the shard buffers)
     */
    public JvmEngine(EngineData data, Params initial, float lr, int batchSize, int threads, KernelSet kernels) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.data = data;
        this.kernels = kernels;
        this.threads = threads;
        this.batch = Math.min(batchSize, data.trainCount());
        this.minShard = kernels == KernelSet.CPU ? Vectors.MIN_SHARD : 1;
        this.model = initial.model;
        this.params = initial.copy();
        this.gradSum = Params.zeros(model);
        this.order = new IntArray(data.trainCount());
        for (int i = 0; i < data.trainCount(); i++) {
            order.set(i, i);
        }
        this.testOrder = new IntArray(data.testCount());
        for (int i = 0; i < data.testCount(); i++) {
            testOrder.set(i, i);
        }
        for (int t = 0; t < threads; t++) {
            shards.add(new HashMap<>());
        }
        LeNetGraph.update(update, kernels, params, gradSum, lr);
        // the calling thread runs the first shard of every batch itself (see invokeAll): threads - 1 more
        workers = threads > 1 ? new ShardThreads(threads - 1, ShardThreads.spinFor(threads)) : null;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.JAVA;
    }

    @Override
    public String device() {
        int working = shardsFor(batch);
        return "JVM, " + threads + (threads == 1 ? " thread, " : " threads, ") + kernels.name() + " kernels"
                + (working < threads ? " (" + working + " of them on a batch of " + batch + ": shards of at least " + minShard + " examples)" : "");
    }

    /** Into how many shards a batch of {@code count} examples is cut: one per thread, none below {@code minShard} examples. */
    int shardsFor(int count) {
        return Math.max(1, Math.min(threads, count / minShard));
    }

    /**
     * Starts an epoch. Once the engine has warmed up, it first waits until the JIT has nothing being
     * compiled or queued ({@link JitQueue}): the work between two epochs (the evaluation, the checkpoint,
     * the charts) leaves compilations behind, and the compiler threads that run them take cores from the
     * shards. Measured on 2 cores, 4-epoch runs of the whole data set, 5 alternating rounds: the first fifth
     * of epochs 2-4 ran at 31-42k examples/s against 42-55k for their other fifths; waiting before each
     * epoch (7-391 ms, 1.2 s epochs) it ran as fast as the rest, and the runs at 44-55k against 41-47k. The
     * wait is at most a quarter of the time since the previous epoch began (since the warm-up began, for the
     * first) and at most {@value #QUIET_WAIT_MS} ms, so a run on a few examples does not wait on a JIT busy
     * with other work. Where the queue cannot be read, no wait.
     */
    @Override
    public void beginEpoch(int[] permutation, int first) {
        for (int i = 0; i < permutation.length; i++) {
            order.set(i, permutation[i]);
        }
        lossSum = 0;
        correct = 0;
        examples = 0;
        JitQueue queue = warmedUp ? jitQueue() : null;
        long now = System.nanoTime();
        if (queue != null) {
            long limit = Math.min(QUIET_WAIT_MS * 1_000_000L, (now - epochMark) / 4);
            jitWaitNanos += JitQueue.awaitIdle(queue::idle, limit, 2_000_000L);
        }
        epochMark = now;
    }

    @Override
    public double jitWaitSeconds() {
        return jitWaitNanos / 1e9;
    }

    private Shard shard(int thread, int n) {
        return shards.get(thread).computeIfAbsent(n, Shard::new);
    }

    /**
     * Splits the examples {@code start .. start+count)} over the threads, one shard each, and runs the
     * training program (or, with {@code train} false, evaluation) of every shard in parallel (with
     * {@code inline}, one after the other on the calling thread, except the training shards of a model with
     * batch norm, which wait for each other).
     */
    private List<Shard> runShards(int start, int count, boolean train, boolean inline) {
        if (count > batch) {
            throw new IllegalArgumentException("a batch of " + count + " exceeds the engine's batch size, " + batch);
        }
        int[] sizes = shardSizes(count);
        List<Shard> used = new ArrayList<>();
        List<Runnable> jobs = new ArrayList<>();
        CyclicBarrier barrier = train ? meeting(count).barrier() : null;
        int first = start;
        for (int t = 0; t < sizes.length; t++) {
            int n = sizes[t];
            Shard s = shards.get(t).computeIfAbsent(n, Shard::new);
            Recorder program = train ? s.train(count, t) : s.eval;
            int at = first;
            first += n;
            used.add(s);
            jobs.add(() -> {
                s.cursor.set(0, at);
                try {
                    program.run();
                } catch (RuntimeException | Error e) {
                    if (barrier != null) {
                        barrier.reset(); // the other shards stop waiting for this one
                    }
                    throw e;
                }
            });
        }
        // Shards that meet at a barrier (batch norm) cannot run one after the other on one thread.
        invokeAll(jobs, inline && !(train && model.batchNorm()));
        return used;
    }

    private static void await(CyclicBarrier barrier) {
        if (barrier.getParties() == 1) {
            return;
        }
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the shards of a batch met", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("another shard of the batch failed", e);
        }
    }

    /**
     * Runs the jobs: with {@code inline} (or one job, or one thread) one after the other on the calling
     * thread; otherwise at once, the first on the calling thread ({@link ShardThreads}), which saves a
     * step a hand-off to another thread and back (measured on 2 cores: two 128-example shards scaled
     * 1.73× over one thread instead of 1.60×, medians of 6 rounds). Returns once every job has ended;
     * the first failure is then thrown.
     */
    private void invokeAll(List<Runnable> jobs, boolean inline) {
        if (workers == null || jobs.size() == 1 || inline) {
            for (Runnable j : jobs) {
                j.run();
            }
            return;
        }
        workers.run(jobs);
    }

    /**
     * Runs training steps until the JIT has compiled what an epoch runs and has nothing left to compile,
     * so that the first epoch runs at the speed of the later ones. It first runs the programs an epoch
     * runs besides its full training batches, the evaluation (its full and its last, partial batch) and
     * the last, partial training batch, so that the profiles the
     * optimising compiler (C2) compiles from include their shapes (code compiled without them is thrown
     * away, "deoptimised", the first time they run). Then it takes full-batch steps, at different places of
     * the training set, each exactly as {@link #trainBatch} takes it (shards, gradient sum, SGD update,
     * loss and accuracy totals), with the partial batch every tenth pass: first with the shards run one
     * after the other on the calling thread, which leaves the other cores to the compiler threads (C2 has
     * far more to compile than the passes take: the kernels, and the Vector API's own Java code that
     * runs until they are compiled), then on the engine's threads, as the epoch runs them. Each stage
     * ends once the median of its last 5 passes takes no longer than 1.25× the fastest pass of the stage
     * and the JIT has been idle at the end of the last 3 passes: nothing being compiled, nothing queued
     * ({@link JitQueue}); the first stage after at least 40 passes (the Vector API kernels need about 30
     * before C2 has them all), the second, which compiles little (the hand-offs between threads), after 5.
     * Between the two, partial-batch steps on the engine's threads (the cheapest step an epoch takes)
     * until the shards' programs have run {@value #C2_CALLS} times in all: a method a program calls once
     * (the loss, conv1's padding, the weight gradients' outer loop; the engine's loss and accuracy sums)
     * reaches C2 only after that many calls, and the first stage ends long before (measured on 2 cores
     * with Java Flight Recorder: without these steps C2 spent about 250 ms of a core on those methods
     * during the first epoch, with them during the warm-up); at most one epoch's worth of examples, so
     * that a run whose epochs are short does not pay more for them than they save. Where the JIT's
     * queue cannot be read, idle means that no compilation finished in the last 3 passes and for a second
     * (one kernel's C2 compilation can take that long), a quarter of a second in the second stage. At
     * most 60 s in all. An evaluation of the whole test set ends it.
     *
     * <p>The SGD step is applied to a scratch copy of the parameters and the totals are put back: the
     * run's own parameters and figures are as they were.
     */
    @Override
    public double warmUp() {
        long start = System.nanoTime();
        epochMark = start;
        Params saved = params.copy(); // batch norms' running estimates move in training passes
        double lossBefore = lossSum;
        long correctBefore = correct;
        long examplesBefore = examples;
        Recorder scratchUpdate = new Recorder();
        LeNetGraph.update(scratchUpdate, kernels, params.copy(), gradSum, 0.0f);
        int tail = data.trainCount() % batch;
        // The evaluation's two shapes, a full batch and the last, partial one (not yet the whole test
        // set: this code is still interpreted), then the training's partial batch.
        int testTail = data.testCount() % batch;
        runShards(0, Math.min(batch, data.testCount()), false, false);
        if (testTail > 0 && data.testCount() > batch) {
            runShards(data.testCount() - testTail, testTail, false, false);
        }
        if (tail > 0) {
            step(0, tail, scratchUpdate, false);
        }
        long deadline = start + 60_000_000_000L;
        int passes = settle(scratchUpdate, true, 40, 1_000_000_000L, deadline);
        int small = tail > 0 ? tail : batch;
        long budget = data.trainCount(); // examples: one epoch's worth at most
        for (int calls = passes * shardsFor(batch); calls < C2_CALLS && budget >= small && System.nanoTime() < deadline;
                calls += shardsFor(small), budget -= small) {
            step(0, small, scratchUpdate, false);
        }
        settle(scratchUpdate, false, 5, 250_000_000L, deadline);
        evaluate();
        lossSum = lossBefore;
        correct = correctBefore;
        examples = examplesBefore;
        params.copyFrom(saved);
        warmedUp = true;
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * One stage of {@link #warmUp}: full-batch steps (applied by {@code scratchUpdate}) until at least
     * {@code minPasses} are done, the median of the last 5 took no longer than 1.25× the fastest, and the
     * JIT has been idle for 3 passes ({@code quietNanos} too where only its compilation time can be
     * watched); or until {@code deadline} ({@link System#nanoTime}). Returns the number of steps it took.
     */
    private int settle(Recorder scratchUpdate, boolean inline, int minPasses, long quietNanos, long deadline) {
        JitQueue queue = jitQueue();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = queue == null && jit != null && jit.isCompilationTimeMonitoringSupported();
        long jitMillis = watchJit ? jit.getTotalCompilationTime() : 0;
        long quietSince = System.nanoTime();
        int quietPasses = 0;
        int tail = data.trainCount() % batch;
        int places = data.trainCount() - batch + 1;
        long fastest = Long.MAX_VALUE;
        long[] recent = new long[5];
        for (int pass = 0; ; pass++) {
            long t0 = System.nanoTime();
            step((int) ((long) pass * batch % places), batch, scratchUpdate, inline);
            long took = System.nanoTime() - t0;
            if (tail > 0 && pass % 10 == 9) {
                step(0, tail, scratchUpdate, inline);
            }
            fastest = Math.min(fastest, took);
            recent[pass % recent.length] = took;
            long now = System.nanoTime();
            boolean quiet;
            if (queue != null) {
                quietPasses = queue.idle() ? quietPasses + 1 : 0;
                quiet = quietPasses >= 3;
            } else {
                long millis = watchJit ? jit.getTotalCompilationTime() : 0;
                if (millis != jitMillis) {
                    jitMillis = millis;
                    quietSince = now;
                    quietPasses = 0;
                } else {
                    quietPasses++;
                }
                quiet = quietPasses >= 3 && now - quietSince >= quietNanos;
            }
            boolean steady = pass + 1 >= recent.length && median(recent) <= 1.25 * fastest;
            if ((pass + 1 >= minPasses && steady && quiet) || now > deadline) {
                return pass + 1;
            }
        }
    }

    /** The JIT's compile queue, or {@code null} where it cannot be read (asked once per engine). */
    private JitQueue jitQueue() {
        if (!jitQueueAsked) {
            jitQueue = JitQueue.open();
            jitQueueAsked = true;
        }
        return jitQueue;
    }

    private static long median(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Override
    public void trainBatch(int start, int count) {
        step(start, count, update, false);
    }

    /**
     * One SGD step on the examples {@code start .. start+count)}, {@code sgd} applying it; counts the
     * totals. With {@code inline} the shards run one after the other on the calling thread.
     */
    private void step(int start, int count, Recorder sgd, boolean inline) {
        List<Shard> used = runShards(start, count, true, inline);
        sumGradients(used);
        sgd.run();
        for (Shard s : used) {
            lossSum += sum(s.b.loss, s.b.n);
            correct += count(s.b.correct, s.b.n);
        }
        examples += count;
    }

    /**
     * Sums the shard gradients into {@code gradSum}, in shard order (deterministic). A batch norm's scale and
     * shift gradients are whole-batch sums in every shard already: shard 0's is taken.
     */
    private void sumGradients(List<Shard> used) {
        List<FloatArray> sum = gradSum.tensors();
        List<LeNet.Param> specs = model.params();
        for (int j = 0; j < sum.size(); j++) {
            FloatArray total = sum.get(j);
            total.getSegment().copyFrom(used.get(0).grads.tensors().get(j).getSegment());
            LeNet.Role role = specs.get(j).role();
            if (role != LeNet.Role.WEIGHT && role != LeNet.Role.BIAS) {
                continue;
            }
            for (int s = 1; s < used.size(); s++) {
                add(total, used.get(s).grads.tensors().get(j));
            }
        }
    }

    @Override
    public Totals totals() {
        return new Totals(lossSum, correct, examples);
    }

    @Override
    public int evaluate() {
        int right = 0;
        for (int start = 0; start < data.testCount(); start += batch) {
            for (Shard s : runShards(start, Math.min(batch, data.testCount() - start), false, false)) {
                right += count(s.b.correct, s.b.n);
            }
        }
        return right;
    }

    @Override
    public Params params() {
        return params.copy();
    }

    @Override
    public void setParams(Params p) {
        params.copyFrom(p);
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
    }

    /**
     * sum[j] += part[j], vector by vector (one rounding a lane, the same floats as element by element, which
     * took 0.1 ms a step for LeNet's 61,706 parameters through {@code FloatArray.get}/{@code set}).
     */
    private static void add(FloatArray sum, FloatArray part) {
        MemorySegment s = sum.getSegment();
        MemorySegment q = part.getSegment();
        int size = sum.getSize();
        int full = size - size % SPECIES.length();
        for (long j = 0; j < full; j += SPECIES.length()) {
            FloatVector.fromMemorySegment(SPECIES, s, 4 * j, ByteOrder.nativeOrder())
                    .add(FloatVector.fromMemorySegment(SPECIES, q, 4 * j, ByteOrder.nativeOrder()))
                    .intoMemorySegment(s, 4 * j, ByteOrder.nativeOrder());
        }
        for (int j = full; j < size; j++) {
            sum.set(j, sum.get(j) + part.get(j));
        }
    }

    private static double sum(FloatArray a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a.get(i);
        }
        return s;
    }

    private static long count(IntArray a, int n) {
        long c = 0;
        for (int i = 0; i < n; i++) {
            c += a.get(i);
        }
        return c;
    }
}
