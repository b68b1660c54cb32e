package lenet.engine;

import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Whether the JVM's JIT compilers have work in hand: a method being compiled or waiting in a compile
 * queue. It asks HotSpot's diagnostic command {@code Compiler.queue} (what {@code jcmd PID
 * Compiler.queue} prints), through the platform MBean server; about 0.2-0.4 ms a question. Where the
 * command is missing (another JVM, or a runtime image without {@code jdk.management}) {@link #open}
 * gives {@code null} and the caller falls back to watching the compilation time.
 *
 * <p>The JVM engine's warm-up ends once nothing is queued or being compiled: the total compilation time
 * ({@link java.lang.management.CompilationMXBean}) moves only when a compilation ends, so it cannot tell
 * a quiet JIT from one in the middle of a long C2 compilation; the queue can.
 */
final class JitQueue {
    private final MBeanServer server;
    private final ObjectName command;

    private JitQueue(MBeanServer server, ObjectName command) {
        this.server = server;
        this.command = command;
    }

    /** The queue of this JVM, or {@code null} where it cannot be asked. */
    static JitQueue open() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
            JitQueue q = new JitQueue(server, command);
            q.text(); // throws where the command is missing
            return q;
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    /** True when no method is being compiled and every compile queue is empty; false too if asking fails. */
    boolean idle() {
        try {
            return idle(text());
        } catch (JMException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits until {@code idle} says so, asking every {@code pollNanos}, at most {@code maxNanos}; returns
     * the nanoseconds waited (0 when it was idle at once).
     */
    static long awaitIdle(BooleanSupplier idle, long maxNanos, long pollNanos) {
        long start = System.nanoTime();
        while (!idle.getAsBoolean()) {
            long waited = System.nanoTime() - start;
            if (waited >= maxNanos) {
                return waited;
            }
            LockSupport.parkNanos(Math.min(pollNanos, maxNanos - waited));
        }
        return System.nanoTime() - start;
    }

    private String text() throws JMException {
        return (String) server.invoke(command, "compilerQueue", new Object[] {null}, new String[] {String[].class.getName()});
    }

    /**
     * Reads {@code Compiler.queue}'s report: idle when it names no method, that is when every line is
     * blank, a heading ("Current compiles:", "C1 compile queue:", "C2 compile queue:") or "Empty". A line
     * after "Current compiles:" is a compiler thread and the method it compiles; a line under a queue's
     * heading is a method waiting.
     */
    static boolean idle(String report) {
        for (String line : report.split("\n")) {
            String s = line.strip();
            if (!(s.isEmpty() || s.equals("Empty") || s.equals("Current compiles:") || s.endsWith("compile queue:"))) {
                return false;
            }
        }
        return true;
    }
}
