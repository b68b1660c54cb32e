package lenet.engine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import lenet.engine.tornado.KernelProfile;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code --verify-every N}: every N steps, the reference engine (the JVM engine, one thread, plain kernels)
 * takes the same step from the same parameters as the engine under test, and what the step changed is
 * compared: per tensor, the largest difference of the two updates relative to the reference update's
 * largest magnitude, {@code max|Δ − Δref| / max|Δref|} with {@code Δ = after − before} (the gradient times
 * the learning rate). The worst tensor is reported; beyond {@link #TOLERANCE} the run stops with one line.
 *
 * <p>Comparing the update rather than the parameters matters: one SGD step moves conv1's weights by
 * about 1e-3 to 4e-3 of their magnitude, so a gradient 3% wrong changes the parameters by about 1e-4 of their
 * scale, inside any bound that allows rounding to compound over a trajectory; relative to the update
 * itself it is 3e-2. Starting both engines from the same parameters at every check keeps rounding from
 * compounding: each check sees one step's rounding only, whatever the step count.
 *
 * <p>Everything else (totals, evaluation, the parameters the run reports) comes from the engine under
 * test; the reference runs only the checked steps.
 */
public final class VerifyingEngine implements Engine {
    /**
     * The tolerance on one step's update, relative to the largest element of each tensor's update. Both
     * engines compute in float32 but another compiler sums in another order (and TornadoVM/OpenCL may
     * contract a·b+c into an FMA), so the gradient sums differ by rounding; and an update read back as
     * {@code after − before} carries rounding of the parameters' own ulps, up to about 1e-4 of the update for
     * conv1's weights, whose steps are the smallest relative to their values. Measured on PoCL (README,
     * Running under TornadoVM; 21 checks over 2 epochs of 1,000 and of 2,560 examples): at most 8.5e-5, in
     * conv1's weights or bias, differences of one or two ulps of the parameters. A gradient 3% wrong gives
     * 3e-2, a wrong index or a missing term about 1; 5e-3 sits a factor of 6 below the first and 60 above
     * the rounding seen.
     */
    public static final double TOLERANCE = 5e-3;

    private final Engine engine;
    private final Engine reference;
    private final int every;
    private final PrintWriter out;
    private long steps;
    private Check worst;

    /** The engines are closed with this one. */
    public VerifyingEngine(Engine engine, Engine reference, int every, PrintWriter out) {
        if (every < 1) {
            throw new IllegalArgumentException("verify every " + every + " steps");
        }
        this.engine = engine;
        this.reference = reference;
        this.every = every;
        this.out = out;
    }

    /** A comparison: the worst tensor, its largest difference of the updates, the reference update's largest magnitude, and their ratio. */
    public record Check(long step, String tensor, double maxAbs, double scale, double relative) {
    }

    /**
     * Compares one step's updates tensor by tensor: {@code before} the parameters both engines started
     * from, {@code actual} and {@code expected} where each ended.
     */
    public static Check compare(long step, Params before, Params actual, Params expected) {
        List<FloatArray> b = before.tensors();
        List<FloatArray> a = actual.tensors();
        List<FloatArray> e = expected.tensors();
        Check worst = null;
        double weightScale = 0;
        for (int t = 0; t < a.size(); t++) {
            double maxAbs = 0;
            double scale = 0;
            LeNet.Param p = actual.model.params().get(t);
            boolean nan = false;
            for (int j = 0; j < e.get(t).getSize(); j++) {
                double x = (double) a.get(t).get(j) - b.get(t).get(j);
                double y = (double) e.get(t).get(j) - b.get(t).get(j);
                nan |= Double.isNaN(x) != Double.isNaN(y);
                maxAbs = Math.max(maxAbs, Math.abs(x - y));
                scale = Math.max(scale, Math.abs(y));
            }
            if (actual.model.feedsBatchNorm(p)) {
                // its gradient is zero up to rounding: the update is noise, judged against its layer's weights'
                scale = Math.max(scale, weightScale);
            }
            weightScale = p.bias() ? 0 : scale;
            double rel = nan ? Double.POSITIVE_INFINITY : maxAbs / Math.max(scale, Float.MIN_NORMAL);
            if (worst == null || rel > worst.relative() || Double.isNaN(rel)) {
                worst = new Check(step, p.name(), maxAbs, scale, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
            }
        }
        return worst;
    }

    /** The worst comparison so far, or null before the first. */
    public Check worst() {
        return worst;
    }

    @Override
    public EngineKind kind() {
        return engine.kind();
    }

    @Override
    public String device() {
        return engine.device();
    }

    @Override
    public KernelProfile profile() {
        return engine.profile();
    }

    @Override
    public long deviceMemoryBytes() {
        return engine.deviceMemoryBytes();
    }

    /** Compiles both engines' kernels before the clock starts. */
    @Override
    public double warmUp() {
        return engine.warmUp() + reference.warmUp();
    }

    @Override
    public double jitWaitSeconds() {
        return engine.jitWaitSeconds() + reference.jitWaitSeconds();
    }

    @Override
    public void beginEpoch(int[] order, int first) {
        engine.beginEpoch(order, first);
        reference.beginEpoch(order, first);
    }

    @Override
    public void trainBatch(int start, int count) {
        steps++;
        if (steps % every != 0) {
            engine.trainBatch(start, count);
            return;
        }
        Params before = engine.params();
        reference.setParams(before);
        engine.trainBatch(start, count);
        reference.trainBatch(start, count);
        verify(before);
    }

    private void verify(Params before) {
        if (steps == every) {
            out.printf(Locale.ROOT, "verify: every %d steps, the step's update against the JVM engine's (1 thread, plain kernels) from the same "
                    + "parameters on the same batch; tolerance %.0e of each tensor's largest update%n", every, TOLERANCE);
        }
        Check c = compare(steps, before, engine.params(), reference.params());
        if (worst == null || c.relative() > worst.relative()) {
            worst = c;
        }
        out.printf(Locale.ROOT, "verify step %d: largest difference %s in %s (%s of its largest update %.3g), tolerance %.1e%n",
                steps, number(c.maxAbs(), "%.3g"), c.tensor(), number(c.relative(), "%.2e"), c.scale(), TOLERANCE);
        out.flush();
        if (!(c.relative() <= TOLERANCE)) {
            throw new EngineException(String.format(Locale.ROOT,
                    "verify: at step %d the %s engine's update of %s differs from the JVM engine's by %.3g, %.2e of its largest element %.3g, beyond the tolerance %.1e",
                    steps, engine.kind(), c.tensor(), c.maxAbs(), c.relative(), c.scale(), TOLERANCE));
        }
    }

    private static String number(double x, String format) {
        return x == 0 ? "0" : String.format(Locale.ROOT, format, x);
    }

    @Override
    public boolean cheapTotals() {
        return engine.cheapTotals();
    }

    @Override
    public Totals totals() {
        return engine.totals();
    }

    @Override
    public int evaluate() {
        return engine.evaluate();
    }

    @Override
    public Params params() {
        return engine.params();
    }

    @Override
    public void setParams(Params params) {
        engine.setParams(params);
        reference.setParams(params);
    }

    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            reference.close();
        }
    }
}
