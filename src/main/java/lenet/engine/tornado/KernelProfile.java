package lenet.engine.tornado;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code --profile}'s table as data, for the run's {@code metrics.json} ({@code "profile"}): the same
 * execution and the same figures as {@link ProfileReport#format}, times in milliseconds.
 *
 * @param step         which training step was profiled: 2 (steady state), or 1 when the run had one step
 * @param graph        the task graph, as TornadoVM's profile log names it
 * @param device       the device it ran on
 * @param stepMs       the graph's total time in that execution
 * @param kernelsMs    the sum of the kernels' device times
 * @param transfersMs  host-device copies, both ways
 * @param dispatchMs   host time dispatching kernels and transfers
 * @param copyInBytes  bytes copied to the device
 * @param copyOutBytes bytes copied to the host
 * @param kernels      one row per task, slowest first
 */
public record KernelProfile(int step, String graph, String device, double stepMs, double kernelsMs, double transfersMs,
        double dispatchMs, long copyInBytes, long copyOutBytes, List<Kernel> kernels) {

    /**
     * One task of the profiled execution.
     *
     * @param id        the task's id within the graph ({@code conv1.forward})
     * @param method    the kernel method TornadoVM names ({@code Conv2d.forward})
     * @param deviceMs  its device time
     * @param share     {@code deviceMs} as a fraction of the step's total (0..1)
     * @param compileMs Graal, code generation and driver compile time in the graph's first execution;
     *                  null (absent from the JSON) when the warm-up compiled the graph before it
     */
    public record Kernel(String id, String method, double deviceMs, double share, Double compileMs) {
    }

    /**
     * The figures of {@code step}, with each kernel's compile time from {@code first} (the compiling
     * execution, or null when the warm-up compiled the graph).
     */
    static KernelProfile of(int stepNumber, String device, ProfileReport.Step step, ProfileReport.Step first) {
        double total = Math.max(1, step.totalNanos());
        List<ProfileReport.Task> sorted = new ArrayList<>(step.tasks());
        sorted.sort(Comparator.comparingLong(ProfileReport.Task::kernelNanos).reversed().thenComparing(ProfileReport.Task::id));
        List<Kernel> kernels = new ArrayList<>();
        long kernelNanos = 0;
        for (ProfileReport.Task t : sorted) {
            ProfileReport.Task compiled = first == null ? null : first.task(t.id());
            kernels.add(new Kernel(t.id(), t.method(), ms(t.kernelNanos()), t.kernelNanos() / total,
                    compiled == null ? null : ms(compiled.compileNanos())));
            kernelNanos += t.kernelNanos();
        }
        return new KernelProfile(stepNumber, step.graph(), device, ms(step.totalNanos()), ms(kernelNanos),
                ms(step.copyInNanos() + step.copyOutNanos()), ms(step.dispatchNanos()), step.copyInBytes(), step.copyOutBytes(),
                List.copyOf(kernels));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
