package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ShardThreads}: every job runs, at once, on its own thread, and {@code run} returns only after all of them. */
class ShardThreadsTest {

    @ParameterizedTest(name = "spin {0}")
    @ValueSource(booleans = {true, false})
    void runsEveryJobOnItsOwnThreadAtOnceFirstOnTheCaller(boolean spin) throws Exception {
        ShardThreads threads = new ShardThreads(3, spin);
        try {
            for (int round = 0; round < 200; round++) {
                // each job waits for all four to have started: they can only all end if they run at once
                CountDownLatch started = new CountDownLatch(4);
                Thread[] ran = new Thread[4];
                List<Runnable> jobs = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    int index = j;
                    jobs.add(() -> {
                        ran[index] = Thread.currentThread();
                        started.countDown();
                        try {
                            assertTrue(started.await(10, TimeUnit.SECONDS), "the jobs did not run at once");
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
                threads.run(jobs);
                assertSame(Thread.currentThread(), ran[0]);
                Set<Thread> distinct = new HashSet<>(List.of(ran));
                assertEquals(4, distinct.size(), "round " + round);
            }
        } finally {
            threads.close();
        }
    }

    @ParameterizedTest(name = "spin {0}")
    @ValueSource(booleans = {true, false})
    void returnsOnlyOnceEveryJobHasEndedAndSeesItsWrites(boolean spin) {
        ShardThreads threads = new ShardThreads(2, spin);
        try {
            long[] out = new long[3];
            for (int round = 1; round <= 500; round++) {
                long r = round;
                threads.run(List.of(() -> out[0] = r,
                        () -> out[1] = slowly(r),
                        () -> out[2] = slowly(2 * r)));
                assertEquals(r, out[0]);
                assertEquals(r, out[1], "round " + round + ": returned before job 1 had ended");
                assertEquals(2 * r, out[2], "round " + round + ": returned before job 2 had ended");
            }
        } finally {
            threads.close();
        }
    }

    @ParameterizedTest(name = "spin {0}")
    @ValueSource(booleans = {true, false})
    void fewerJobsThanThreadsLeaveTheOthersIdle(boolean spin) {
        ShardThreads threads = new ShardThreads(3, spin);
        try {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger count = new AtomicInteger();
            for (int round = 0; round < 100; round++) {
                List<Runnable> jobs = new ArrayList<>();
                for (int j = 0; j <= round % 4; j++) {
                    jobs.add(() -> {
                        seen.add(Thread.currentThread());
                        count.incrementAndGet();
                    });
                }
                threads.run(jobs);
            }
            assertEquals(25 * (1 + 2 + 3 + 4), count.get());
            assertEquals(4, seen.size());
            assertThrows(IllegalArgumentException.class, () -> threads.run(List.of(() -> { }, () -> { }, () -> { }, () -> { }, () -> { })));
        } finally {
            threads.close();
        }
    }

    @ParameterizedTest(name = "spin {0}")
    @ValueSource(booleans = {true, false})
    void failuresAreThrownAfterEveryJobHasEnded(boolean spin) {
        ShardThreads threads = new ShardThreads(1, spin);
        try {
            AtomicLong other = new AtomicLong();
            IllegalArgumentException mine = new IllegalArgumentException("shard 0");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> threads.run(List.of(() -> {
                        throw mine;
                    }, () -> other.set(slowly(7)))));
            assertSame(mine, thrown);
            assertEquals(7, other.get(), "thrown before the other job had ended");

            IllegalArgumentException theirs = new IllegalArgumentException("shard 1");
            IllegalStateException wrapped = assertThrows(IllegalStateException.class,
                    () -> threads.run(List.of(() -> other.set(slowly(8)), () -> {
                        throw theirs;
                    })));
            assertSame(theirs, wrapped.getCause());
            assertNotSame(theirs, wrapped);
            assertEquals(8, other.get());

            // the worker that failed takes the next job
            long[] out = new long[2];
            threads.run(List.of(() -> out[0] = 1, () -> out[1] = 2));
            assertEquals(2, out[1]);
        } finally {
            threads.close();
        }
    }

    @ParameterizedTest(name = "spin {0}")
    @ValueSource(booleans = {true, false})
    void closeStopsTheWorkers(boolean spin) throws Exception {
        ShardThreads threads = new ShardThreads(2, spin);
        Thread[] ran = new Thread[3];
        threads.run(List.of(() -> ran[0] = Thread.currentThread(), () -> ran[1] = Thread.currentThread(),
                () -> ran[2] = Thread.currentThread()));
        threads.close();
        ran[1].join(10_000);
        ran[2].join(10_000);
        assertTrue(!ran[1].isAlive() && !ran[2].isAlive(), "the workers are still running");
        assertThrows(IllegalStateException.class, () -> threads.run(List.of(() -> { })));
    }

    /** v, after about a millisecond of work (so that the caller gets to wait). */
    private static long slowly(long v) {
        long end = System.nanoTime() + 1_000_000;
        long x = v;
        while (System.nanoTime() < end) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x == 42 ? v + 1 : v; // never 42 in practice; keeps the loop from being removed
    }
}
