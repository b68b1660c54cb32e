package lenet.train;

import java.util.List;

/**
 * Where a training run stands, between two steps: everything besides the parameters that a resumed
 * run needs to go on exactly as an uninterrupted one would.
 *
 * @param epoch        the epoch in progress, 1-based ({@code epochs + 1} once the run is complete)
 * @param next         position in the epoch's shuffled order ({@link Trainer#epochOrder}) of the next
 *                     example to train on: 0 at the start of an epoch, else a multiple of the batch size
 * @param lossSum      sum of per-example losses over the first {@code next} examples of the epoch
 * @param correct      correctly classified examples among them
 * @param epochSeconds time spent in training steps of this epoch so far
 * @param trainSeconds time spent in training steps in all the epochs before this one
 * @param history      the finished epochs
 * @param progress     the progress points so far, this epoch's included
 */
public record TrainState(int epoch, int next, double lossSum, long correct, double epochSeconds, double trainSeconds,
        List<RunMetrics.Epoch> history, List<RunMetrics.Point> progress) {

    public TrainState {
        if (epoch < 1 || next < 0) {
            throw new IllegalArgumentException("bad training position: epoch " + epoch + ", example " + next);
        }
        history = List.copyOf(history);
        progress = List.copyOf(progress);
    }

    /** A run that has not taken a step yet. */
    public static TrainState start() {
        return new TrainState(1, 0, 0, 0, 0, 0, List.of(), List.of());
    }

    /** Epochs finished (trained and evaluated). */
    public int epochsDone() {
        return epoch - 1;
    }

    /** Whether a run of {@code epochs} epochs has nothing left to do from here. */
    public boolean complete(int epochs) {
        return epoch > epochs;
    }
}
