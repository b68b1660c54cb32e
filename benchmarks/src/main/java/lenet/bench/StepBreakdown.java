package lenet.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Where a shard's training step spends its time, stage by stage (not a JMH benchmark: the thread's CPU
 * time around each kernel call, after a warm-up; CPU time because a busy machine inflates it less than
 * wall time). Run:
 * {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar lenet.bench.StepBreakdown [n] [steps] [plain|cpu]}.
 */
public final class StepBreakdown {
    private StepBreakdown() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        boolean twins = args.length <= 2 || args[2].equals("cpu");
        Step step = new Step(n, twins);
        for (int s = 0; s < steps; s++) {
            step.run(null);
        }
        long[] times = new long[Step.STAGES.length];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            step.run(times);
        }
        double total = (System.nanoTime() - start) / 1e6 / steps;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / steps;
        System.out.printf("%s kernels, n=%d, %d steps: %.3f ms per step (%.3f ms of CPU time), %.0f examples/s (%.0f per CPU second)%n",
                twins ? "cpu" : "plain", n, steps, total, cpu, n / total * 1e3, n / cpu * 1e3);
        for (int j = 0; j < times.length; j++) {
            double ms = times[j] / 1e6 / steps;
            System.out.printf("  %-26s %8.3f ms %5.1f%%%n", Step.STAGES[j], ms, 100 * ms / cpu);
        }
    }
}
