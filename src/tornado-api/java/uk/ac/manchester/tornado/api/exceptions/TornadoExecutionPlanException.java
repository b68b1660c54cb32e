package uk.ac.manchester.tornado.api.exceptions;

public class TornadoExecutionPlanException extends Exception {
    public TornadoExecutionPlanException(String message) {
        super(message);
    }
}
