package lenet.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import lenet.train.TrainListener;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a run trains: a shutdown hook asks the run to stop at the next batch
 * boundary ({@link #stopRequested()}) and holds the JVM's exit until {@link #close()}, which the run calls
 * once it has saved its checkpoint. The JVM then exits with the signal's status, 128 + its number: 130 for
 * SIGINT, 143 for SIGTERM (README: Errors and exit codes).
 */
final class StopSignal implements TrainListener, AutoCloseable {
    /** How long the hook waits for the save: a step (or the first step's JIT compilation) ends well before. */
    static final long MAX_WAIT_MINUTES = 10;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(boolean install) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                released.await(MAX_WAIT_MINUTES, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lenet-stop");
        if (install) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /** Installs the shutdown hook. */
    static StopSignal install() {
        return new StopSignal(true);
    }

    /** One that only {@link #request()} sets. */
    static StopSignal manual() {
        return new StopSignal(false);
    }

    void request() {
        requested.set(true);
    }

    @Override
    public boolean stopRequested() {
        return requested.get();
    }

    /** Lets a waiting shutdown go on; removes the hook when no shutdown has begun. */
    @Override
    public void close() {
        released.countDown();
        if (!requested.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already, or never installed
            }
        }
    }
}
