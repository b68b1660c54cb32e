package lenet.data;

import java.nio.file.Path;

/** A data file or folder that cannot be used. The message is one line naming it and what is wrong. */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What is wrong, without the file name. */
    private final String problem;

    public DataException(String message) {
        super(message);
        this.problem = message;
    }

    private DataException(Path file, String problem) {
        super(file + ": " + problem);
        this.problem = problem;
    }

    /** "FILE: problem". */
    static DataException of(Path file, String problem) {
        return new DataException(file, problem);
    }

    /** The message without the file name it starts with. */
    public String problem() {
        return problem;
    }
}
