package lenet.engine;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM engine's threads: {@link #run} runs a list of jobs at once, the first on the calling thread
 * and job i on worker thread i − 1, and returns when every job has ended.
 *
 * <p>A training step hands work out and collects it once per batch, every few milliseconds. A thread
 * pool parks its idle workers, and waking a parked thread is slow on a virtual machine (the idle
 * virtual CPU has to be woken too): on 2 cores, a pool's worker started its shard 80–140 µs (median)
 * after the hand-off and the caller resumed 13–95 µs after the last shard ended, together 2–6% of a 6 ms
 * step. So a waiting thread here first spins ({@link Thread#onSpinWait}) for up to {@link #SPIN_NANOS}
 * and parks only after that: the median hand-off became 2 µs. The spin covers the gap between two
 * steps (the other shard's end, the gradient sum and the SGD step); at 1 ms it ran out in one step in
 * ten (hand-offs of 65–80 µs at the 90th percentile), at 5 ms the 90th percentile was 2–7 µs. It
 * spins only when every thread has a processor of its own (threads ≤ available processors): with more
 * threads than processors a spinning thread would take a processor from one with work, so there
 * every waiting thread parks at once.
 */
final class ShardThreads {
    /** How long a waiting thread spins before it parks. */
    static final long SPIN_NANOS = 5_000_000;

    private final Worker[] workers;
    private final boolean spin;
    private volatile Thread caller;
    private volatile boolean callerParked;
    private volatile boolean closed;

    private final class Worker extends Thread {
        private Runnable job;
        private Throwable failure;
        /** How many jobs were posted to this worker, and how many it has finished. */
        private volatile long posted;
        private volatile long finished;
        private volatile boolean parked;

        Worker(int index) {
            super("lenet-jvm-" + index);
            setDaemon(true);
        }

        void post(Runnable j) {
            job = j;
            failure = null;
            posted = posted + 1; // the volatile write publishes job
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long done = 0;
            while (true) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (posted == done && !closed) {
                    if (spin && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (posted == done && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                done = posted;
                try {
                    job.run();
                } catch (Throwable t) {
                    failure = t;
                }
                job = null;
                finished = done; // the volatile write publishes failure
                if (callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /**
     * @param workers threads besides the caller's
     * @param spin whether waiting threads spin before they park (see {@link ShardThreads})
     */
    ShardThreads(int workers, boolean spin) {
        this.spin = spin;
        this.workers = new Worker[workers];
        for (int i = 0; i < workers; i++) {
            this.workers[i] = new Worker(i + 1);
            this.workers[i].start();
        }
    }

    /** Spinning pays where every thread, the caller's and the workers', has a processor of its own. */
    static boolean spinFor(int threads) {
        return threads <= Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs the jobs, the first on the calling thread, the others on the workers (at most one more job
     * than there are workers); returns once every job has ended, then throws the first job's failure, or
     * else the first worker's (as an {@link IllegalStateException} with it as the cause). One caller at a
     * time.
     */
    void run(List<? extends Runnable> jobs) {
        if (jobs.size() - 1 > workers.length) {
            throw new IllegalArgumentException(jobs.size() + " jobs for " + (workers.length + 1) + " threads");
        }
        if (closed) {
            throw new IllegalStateException("the engine's threads were shut down");
        }
        caller = Thread.currentThread();
        for (int i = 1; i < jobs.size(); i++) {
            workers[i - 1].post(jobs.get(i));
        }
        RuntimeException mine = null;
        Error myError = null;
        try {
            jobs.getFirst().run();
        } catch (RuntimeException e) {
            mine = e;
        } catch (Error e) {
            myError = e;
        }
        Throwable theirs = null;
        for (int i = 1; i < jobs.size(); i++) {
            Worker w = workers[i - 1];
            awaitFinished(w);
            if (theirs == null && w.failure != null) {
                theirs = w.failure;
            }
        }
        if (myError != null) {
            throw myError;
        }
        if (mine != null) {
            throw mine;
        }
        if (theirs != null) {
            throw new IllegalStateException(theirs);
        }
    }

    /** Waits until w has finished its job; keeps waiting when interrupted (the job still uses its shard's buffers). */
    private void awaitFinished(Worker w) {
        long target = w.posted;
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (w.finished != target) {
            if (spin && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (w.finished != target) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
    }

    /** Stops the workers once their jobs have ended. */
    void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }
}
