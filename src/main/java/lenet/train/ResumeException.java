package lenet.train;

/** A resume that would not continue the checkpoint's run: the command line asks for other settings. One line. */
public final class ResumeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResumeException(String message) {
        super(message);
    }
}
