package lenet.train;

import java.nio.file.Path;

/** A checkpoint file that cannot be used. The message is one line naming the file and what is wrong. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
