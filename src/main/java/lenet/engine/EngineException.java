package lenet.engine;

/** An engine cannot start or go on (no runtime, unknown device, a kernel that does not compile): one line for the user. */
public final class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
