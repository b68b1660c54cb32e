package lenet.engine.tornado;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code --profile}: keeps the first training step's profile (the compile times are in it when that step
 * compiled the graph, not when the warm-up did) and prints the second, a steady-state step, with them. After two steps it wants no
 * more: the engine then turns TornadoVM's profiler off.
 */
public final class StepProfile {
    private final String graph;
    private final String device;
    private final PrintWriter out;
    private int steps;
    private ProfileReport.Step first;
    private KernelProfile result;

    /**
     * @param graph  the training graph's name, as TornadoVM's profile log names it
     * @param device the device, for the report's title
     * @param out    where the report goes
     */
    public StepProfile(String graph, String device, PrintWriter out) {
        this.graph = graph;
        this.device = device;
        this.out = out;
    }

    /** Whether it still wants the profile of a step. */
    public boolean wantsMore() {
        return steps < 2;
    }

    /** Takes the profile log of one execution of the training graph (TornadoVM's, since the last clear). */
    public void add(String log) {
        if (!wantsMore()) {
            return;
        }
        steps++;
        ProfileReport.Step step = ProfileReport.parse(log, graph);
        if (steps == 1) {
            first = step;
        } else {
            print(step, "training step 2");
        }
    }

    /** At the end of the run: a run of one step reports that step. */
    public void finish() {
        if (steps == 1) {
            print(first, "training step 1, the only one (its times include compilation)");
        }
    }

    /** The figures printed (the run's metrics.json keeps them), or null before they are printed or when the log had none. */
    public KernelProfile result() {
        if (result == null && steps == 1 && first != null) {
            return KernelProfile.of(1, device, first, compiledFirst()); // a run of one step: what finish() prints
        }
        return result;
    }

    /** The first step, when it compiled the graph (it has the compile times); null when the warm-up did. */
    private ProfileReport.Step compiledFirst() {
        return first != null && first.tasks().stream().anyMatch(t -> t.compileNanos() > 0) ? first : null;
    }

    private void print(ProfileReport.Step step, String which) {
        if (step == null) {
            out.println("profile: TornadoVM's profile log has no entry for the training graph");
        } else {
            // when the warm-up compiled the graph, its first step has no compile times to show
            result = KernelProfile.of(steps, device, step, compiledFirst());
            out.print(ProfileReport.format(String.format(Locale.ROOT, "profile of %s (graph %s, %d kernels) on %s, TornadoVM profiler:",
                    which, step.graph(), step.tasks().size(), device), step, compiledFirst()));
        }
        out.flush();
    }
}
