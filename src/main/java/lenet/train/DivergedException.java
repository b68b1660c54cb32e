package lenet.train;

/** The loss became NaN or infinite: training cannot go on. */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
