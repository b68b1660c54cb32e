package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM engine's warm-up ends when the JIT is idle: {@link JitQueue} must read HotSpot's
 * {@code Compiler.queue} report right (the reports below are as HotSpot 25 prints them) and must be
 * readable on the JVM the project runs on, or the warm-up falls back to the slower rule.
 */
class JitQueueTest {
    static final String IDLE = """
            Current compiles:\s

            C1 compile queue:
            Empty

            C2 compile queue:
            Empty

            """;

    /** A C2 compilation running, nothing queued: not idle (the compilation time has not moved yet). */
    static final String COMPILING = """
            Current compiles:\s
            C2 CompilerThread0  2377 %     4       lenet.kernels.cpu.Simd::correlate @ 113 (616 bytes)

            C1 compile queue:
            Empty

            C2 compile queue:
            Empty

            """;

    /** Nothing running at this instant, one method waiting for C2. */
    static final String QUEUED = """
            Current compiles:\s

            C1 compile queue:
            Empty

            C2 compile queue:
            1387       4       lenet.kernels.SoftmaxCrossEntropy::evaluate (109 bytes)

            """;

    /** Without tiered compilation (-XX:-TieredCompilation) there is no C1 queue. */
    static final String C2_ONLY_IDLE = """
            Current compiles:\s

            C2 compile queue:
            Empty

            """;

    @Test
    void anIdleReportIsIdle() {
        assertTrue(JitQueue.idle(IDLE));
        assertTrue(JitQueue.idle(C2_ONLY_IDLE));
    }

    @Test
    void aCompilationInProgressOrQueuedIsNotIdle() {
        assertFalse(JitQueue.idle(COMPILING), "a method being compiled");
        assertFalse(JitQueue.idle(QUEUED), "a method in a queue");
    }

    /**
     * On this JVM the queue can be read, and it is seen busy at least once while another thread makes
     * the JIT compile: the reader does not answer "idle" whatever the JVM does.
     */
    @Test
    void thisJvmsQueueCanBeReadAndIsSeenBusy() throws InterruptedException {
        JitQueue queue = JitQueue.open();
        assertNotNull(queue, "Compiler.queue could not be read through the platform MBean server");
        AtomicBoolean stop = new AtomicBoolean();
        Thread work = new Thread(() -> {
            // fresh lambdas and classes keep the compilers busy
            long seed = 1;
            while (!stop.get()) {
                Runnable r = new Runnable() {
                    long x;

                    @Override
                    public void run() {
                        for (int i = 0; i < 20_000; i++) {
                            x += Long.toString(i * 31L).hashCode();
                        }
                    }
                };
                r.run();
                seed += String.format("%d %s", seed, java.time.LocalDate.ofEpochDay(seed % 10_000)).length();
            }
        });
        work.start();
        boolean seenBusy = false;
        long until = System.nanoTime() + 10_000_000_000L;
        while (!seenBusy && System.nanoTime() < until) {
            seenBusy = !queue.idle();
        }
        stop.set(true);
        work.join();
        assertTrue(seenBusy, "the JIT's queue was never seen busy in 10 s of compiling");
    }

    /** The wait before an epoch asks until the JIT is idle, and not once more. */
    @Test
    void awaitIdleAsksUntilIdle() {
        AtomicInteger asked = new AtomicInteger();
        long waited = JitQueue.awaitIdle(() -> asked.incrementAndGet() >= 4, 5_000_000_000L, 1_000_000L);
        assertEquals(4, asked.get(), "questions until the fourth answered idle");
        assertTrue(waited >= 3_000_000L, "three polls of 1 ms apart, waited " + waited + " ns");
        assertTrue(waited < 5_000_000_000L, "returned at idle, not at the limit");

        AtomicInteger once = new AtomicInteger();
        assertTrue(JitQueue.awaitIdle(() -> once.incrementAndGet() > 0, 5_000_000_000L, 1_000_000L) < 5_000_000_000L);
        assertEquals(1, once.get(), "idle at once: one question");
    }

    /** A JIT that never goes quiet holds the epoch back no longer than the limit. */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void awaitIdleGivesUpAtTheLimit() {
        AtomicInteger asked = new AtomicInteger();
        long start = System.nanoTime();
        long waited = JitQueue.awaitIdle(() -> asked.incrementAndGet() == Integer.MIN_VALUE, 50_000_000L, 5_000_000L);
        long took = System.nanoTime() - start;
        assertTrue(waited >= 50_000_000L, "waited the whole limit, " + waited + " ns");
        assertTrue(took < 2_000_000_000L, "and not much longer: " + took + " ns");
        assertTrue(asked.get() >= 2 && asked.get() <= 12, "asked every 5 ms: " + asked.get());
    }
}
