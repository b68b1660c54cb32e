package lenet.train;

import java.util.Locale;

/**
 * How to train: the d2l defaults are 10 epochs, batch 256, learning rate 0.9. Each setting has a
 * range, checked here, on the command line (before anything is allocated) and in a checkpoint's header.
 */
public record TrainConfig(int epochs, int batchSize, float lr, long seed) {
    /** The most epochs a run may have: a checkpoint keeps the history of every one. */
    public static final int MAX_EPOCHS = 10_000;
    /** The largest batch: its activations and gradients take about 0.1 MB an example. */
    public static final int MAX_BATCH_SIZE = 4096;
    /** The learning rate is a positive float32 that is neither subnormal nor infinite. */
    public static final float MIN_LR = Float.MIN_NORMAL;
    public static final float MAX_LR = Float.MAX_VALUE;

    /** "--lr must be a number from 1.2e-38 to 3.4e38 (a positive float32)". */
    public static final String LR_RANGE = String.format(Locale.ROOT, "a number from %.1e to %.1e (a positive float32)", MIN_LR, MAX_LR);

    public TrainConfig {
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("--epochs must be 1.." + MAX_EPOCHS + ", got " + epochs);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("--batch-size must be 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (!lrInRange(lr)) {
            throw new IllegalArgumentException("--lr must be " + LR_RANGE + ", got " + lr);
        }
    }

    /** Whether {@code lr} is a learning rate this trainer takes. */
    public static boolean lrInRange(double lr) {
        return lr >= MIN_LR && lr <= MAX_LR;
    }
}
