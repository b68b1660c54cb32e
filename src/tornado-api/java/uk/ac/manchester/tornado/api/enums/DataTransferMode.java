package uk.ac.manchester.tornado.api.enums;

/** When a task graph copies a buffer: int constants, as in TornadoVM. */
public class DataTransferMode {
    public static final int FIRST_EXECUTION = 0;
    public static final int EVERY_EXECUTION = 1;
    public static final int UNDER_DEMAND = 2;

    private DataTransferMode() {
    }
}
