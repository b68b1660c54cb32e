package lenet.engine;

import lenet.engine.tornado.KernelProfile;
import lenet.model.Params;

/**
 * What the trainer asks of whoever runs the kernels. An engine owns the parameters, the data sets and
 * every buffer; the trainer only says which examples form the next batch.
 */
public interface Engine extends AutoCloseable {
    /** Which engine this is: {@link EngineKind#JAVA} or {@link EngineKind#TORNADO}. */
    EngineKind kind();

    /** Where the kernels run, for the run's report (e.g. "JVM, 2 threads, cpu kernels"). */
    String device();

    /**
     * Starts an epoch: {@code order} is the permutation of training examples and {@code first} the
     * position in it of the next batch (0, or where a resumed run left off); resets the epoch's totals.
     */
    void beginEpoch(int[] order, int first);

    /** One SGD step on the examples {@code order[start .. start+count)}. */
    void trainBatch(int start, int count);

    /**
     * Compiles the kernels (the JVM's JIT, or TornadoVM's) before the clock starts, without changing the
     * parameters or the totals. Returns the seconds it took.
     */
    default double warmUp() {
        return 0;
    }

    /**
     * Whether {@link #totals()} is cheap enough to call after every step (true when the totals live in
     * host memory); otherwise the trainer reads them only when it reports progress.
     */
    default boolean cheapTotals() {
        return true;
    }

    /** {@code --profile}'s figures once a step was profiled (for metrics.json), or null. */
    default KernelProfile profile() {
        return null;
    }

    /**
     * Bytes of device memory the engine's buffers take once all its programs have run (data sets,
     * parameters, gradients, activations); -1 for an engine that runs on the host.
     */
    default long deviceMemoryBytes() {
        return -1;
    }

    /**
     * Seconds the engine has waited, outside its training steps, for the JIT to finish compiling what the
     * work between epochs left behind ({@link JvmEngine#beginEpoch}); 0 for an engine that does not wait.
     */
    default double jitWaitSeconds() {
        return 0;
    }

    /** Sum of per-example losses and count of correct predictions since {@link #beginEpoch}. */
    Totals totals();

    /** Number of correctly classified test examples with the current parameters. */
    int evaluate();

    /** A host copy of the current parameters. */
    Params params();

    /** Replaces the current parameters. */
    void setParams(Params params);

    @Override
    void close();

    /** Running sums over the examples of the epoch so far. */
    record Totals(double lossSum, long correct, long examples) {
        public double meanLoss() {
            return lossSum / Math.max(1, examples);
        }

        public double accuracy() {
            return (double) correct / Math.max(1, examples);
        }
    }
}
