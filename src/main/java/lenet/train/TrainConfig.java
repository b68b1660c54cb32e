package lenet.train;

/** How to train: the d2l defaults are 10 epochs, batch 256, learning rate 0.9. */
public record TrainConfig(int epochs, int batchSize, float lr, long seed) {
    public TrainConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
    }
}
