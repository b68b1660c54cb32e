package lenet.bench;

/**
 * Where a shard's training step spends its time, stage by stage (not a JMH benchmark: System.nanoTime
 * around each kernel call, after a warm-up). Run:
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
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            step.run(times);
        }
        double total = (System.nanoTime() - start) / 1e6 / steps;
        System.out.printf("%s kernels, n=%d, %d steps: %.3f ms per step, %.0f examples/s%n",
                twins ? "cpu" : "plain", n, steps, total, n / total * 1e3);
        for (int j = 0; j < times.length; j++) {
            double ms = times[j] / 1e6 / steps;
            System.out.printf("  %-26s %8.3f ms %5.1f%%%n", Step.STAGES[j], ms, 100 * ms / total);
        }
    }
}
