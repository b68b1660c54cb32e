package lenet.train;

import java.util.List;

import lenet.engine.Engine;

/**
 * What the {@link Trainer} tells the rest of a run (console, run folder, checkpoints), and how it is told
 * to stop. Every method has a default that does nothing, so a listener implements only what it needs;
 * all are called on the training thread, between steps.
 */
public interface TrainListener {
    /**
     * A step just taken.
     *
     * @param epoch        1-based
     * @param batch        steps done in this epoch (1-based index of the step just taken)
     * @param examples     examples trained on in this epoch so far (a resumed epoch counts those before it)
     * @param epochSeconds time spent in this epoch's training steps so far
     * @param totals       the epoch's loss and accuracy sums so far, or null when the engine's are costly
     *                     to read ({@link Engine#cheapTotals()}) and this step is not a progress point
     * @param point        the progress point this step reports (five per epoch, as d2l plots them), or null
     */
    record Step(int epoch, int epochs, int batch, int batches, long examples, int epochExamples, double epochSeconds,
            Engine.Totals totals, RunMetrics.Point point) {
        /** Examples per second in this epoch's training steps so far. */
        public double examplesPerSec() {
            return examples / Math.max(epochSeconds, 1e-9);
        }
    }

    /** Before the first step; {@code from} is where the run starts (a resumed one: past epoch 1, step 0). */
    default void started(RunMetrics metrics, TrainState from) {
    }

    /** After the engine compiled its kernels, before the first (timed) step. */
    default void warmedUp(double seconds) {
    }

    /** After every training step. */
    default void stepped(Step step) {
    }

    /** After an epoch's evaluation: {@code metrics.history} ends with it; {@code state} is the run's state now. */
    default void epochEnded(RunMetrics metrics, TrainState state) {
    }

    /** After the last epoch. */
    default void finished(RunMetrics metrics) {
    }

    /** The run stopped early because {@link #stopRequested()} said so; {@code state} is where it stands. */
    default void stopped(RunMetrics metrics, TrainState state) {
    }

    /** Asked before every step: true stops the run there (at a batch boundary). */
    default boolean stopRequested() {
        return false;
    }

    /** All of {@code listeners}, called in order; a stop is requested when any requests it. */
    static TrainListener of(TrainListener... listeners) {
        List<TrainListener> all = List.of(listeners);
        return new TrainListener() {
            @Override
            public void started(RunMetrics metrics, TrainState from) {
                all.forEach(l -> l.started(metrics, from));
            }

            @Override
            public void warmedUp(double seconds) {
                all.forEach(l -> l.warmedUp(seconds));
            }

            @Override
            public void stepped(Step step) {
                all.forEach(l -> l.stepped(step));
            }

            @Override
            public void epochEnded(RunMetrics metrics, TrainState state) {
                all.forEach(l -> l.epochEnded(metrics, state));
            }

            @Override
            public void finished(RunMetrics metrics) {
                all.forEach(l -> l.finished(metrics));
            }

            @Override
            public void stopped(RunMetrics metrics, TrainState state) {
                all.forEach(l -> l.stopped(metrics, state));
            }

            @Override
            public boolean stopRequested() {
                return all.stream().anyMatch(TrainListener::stopRequested);
            }
        };
    }
}
