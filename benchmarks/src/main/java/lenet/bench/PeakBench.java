package lenet.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FP32 throughput this machine's cores reach in practice: nothing but fused multiply-adds of the
 * Vector API's preferred species (the one the CPU twins use), 16 independent accumulators, no memory
 * traffic. A call is {@link #FLOP_PER_CALL} FLOP (an FMA counted as 2). {@link #oneThread} runs on
 * one thread, {@link #allThreads} on as many as the machine has processors, each with its own
 * accumulators: the second is the whole machine's measured peak, the figure to hold the training step's
 * GFLOP/s against where the peak computed from the CPU's specification (cores × clock × FMA units ×
 * lanes × 2, {@code scripts/bench}) is a guess (under a hypervisor, two virtual cores may share one
 * physical core's FMA units, and the clock /proc/cpuinfo reports is not the clock the core runs at).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakBench {
    /** FLOP in one call of either benchmark: 2^26, about a millisecond at 60 GFLOP/s. */
    public static final long FLOP_PER_CALL = 1L << 26;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 16;
    /** Loop trips per call: each trip is CHAINS FMAs of S.length() lanes, 2 FLOP a lane. */
    private static final long TRIPS = FLOP_PER_CALL / (CHAINS * 2L * S.length());

    public float multiplier = 0.999_999f;
    public float addend = 1e-7f;

    @Benchmark
    @Threads(1)
    public float oneThread() {
        return fmas(multiplier, addend);
    }

    @Benchmark
    @Threads(Threads.MAX)
    public float allThreads() {
        return fmas(multiplier, addend);
    }

    /** {@link #TRIPS} × 16 independent FMA chains; the sum of the lanes keeps the JIT from dropping them. */
    static float fmas(float x, float y) {
        FloatVector m = FloatVector.broadcast(S, x);
        FloatVector c = FloatVector.broadcast(S, y);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < TRIPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8.add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15))
                .reduceLanes(VectorOperators.ADD);
    }
}
