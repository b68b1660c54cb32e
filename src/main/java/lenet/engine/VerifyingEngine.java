package lenet.engine;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code --verify-every N}: runs a reference engine (the JVM engine, one thread, plain kernels) in
 * lockstep with the engine under test, on the same batches, and every N steps compares their parameters.
 * The difference is measured per tensor relative to the tensor's scale, {@code max|Δ| / max|reference|},
 * and the worst tensor is reported; beyond {@link #tolerance(long)} the run stops with one line.
 *
 * <p>Everything else (totals, evaluation, the parameters the run reports) comes from the engine under test.
 */
public final class VerifyingEngine implements Engine {
    /**
     * Relative tolerance after one step. Float32 on another device and compiler sums in another order
     * (and TornadoVM/OpenCL may contract a·b+c into an FMA): each step's update differs by a few ulps of
     * the gradient sums. Measured on PoCL (README, Running under TornadoVM): see there; the bound leaves
     * a wide margin above it while a wrong kernel (an off-by-one, a missing term) differs by 1e-2 or more.
     */
    public static final double ONE_STEP = 1e-4;

    /**
     * Rounding differences compound as SGD follows two slightly different trajectories; measured growth on
     * PoCL is slower than linear in the step count. The tolerance grows as {@code ONE_STEP · √step}, capped
     * at {@link #CAP}.
     */
    public static final double CAP = 1e-2;

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

    /** The tolerance after {@code step} steps, relative to each tensor's scale. */
    public static double tolerance(long step) {
        return Math.min(CAP, ONE_STEP * Math.sqrt(Math.max(1, step)));
    }

    /** A comparison: the worst tensor, its largest absolute difference, and that relative to its scale. */
    public record Check(long step, String tensor, double maxAbs, double scale, double relative) {
    }

    /** Compares two sets of parameters tensor by tensor (relative to the reference's largest magnitude). */
    public static Check compare(long step, Params actual, Params expected) {
        List<FloatArray> a = actual.tensors();
        List<FloatArray> e = expected.tensors();
        Check worst = null;
        for (int t = 0; t < a.size(); t++) {
            double maxAbs = 0;
            double scale = 0;
            boolean nan = false;
            for (int j = 0; j < e.get(t).getSize(); j++) {
                float x = a.get(t).get(j);
                float y = e.get(t).get(j);
                nan |= Float.isNaN(x) != Float.isNaN(y);
                maxAbs = Math.max(maxAbs, Math.abs((double) x - y));
                scale = Math.max(scale, Math.abs(y));
            }
            double rel = nan ? Double.POSITIVE_INFINITY : maxAbs / Math.max(scale, Float.MIN_NORMAL);
            if (worst == null || rel > worst.relative() || Double.isNaN(rel)) {
                worst = new Check(step, LeNet.PARAMS.get(t).name(), maxAbs, scale, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
            }
        }
        return worst;
    }

    /** The worst comparison so far, or null before the first. */
    public Check worst() {
        return worst;
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public String device() {
        return engine.device();
    }

    /** Compiles both engines' kernels before the clock starts. */
    @Override
    public double warmUp() {
        return engine.warmUp() + reference.warmUp();
    }

    @Override
    public void beginEpoch(int[] order, int first) {
        engine.beginEpoch(order, first);
        reference.beginEpoch(order, first);
    }

    @Override
    public void trainBatch(int start, int count) {
        engine.trainBatch(start, count);
        reference.trainBatch(start, count);
        steps++;
        if (steps % every == 0) {
            verify();
        }
    }

    private void verify() {
        if (steps == every) {
            out.printf(Locale.ROOT, "verify: every %d steps, the parameters against the JVM engine (1 thread, plain kernels) on the same batches; "
                    + "tolerance %.0e × √step of each tensor's scale, at most %.0e%n", every, ONE_STEP, CAP);
        }
        Check c = compare(steps, engine.params(), reference.params());
        if (worst == null || c.relative() > worst.relative()) {
            worst = c;
        }
        double tol = tolerance(steps);
        out.printf(Locale.ROOT, "verify step %d: largest difference %s in %s (%s of its scale %.3g), tolerance %.1e%n",
                steps, number(c.maxAbs(), "%.3g"), c.tensor(), number(c.relative(), "%.2e"), c.scale(), tol);
        out.flush();
        if (!(c.relative() <= tol)) {
            throw new EngineException(String.format(Locale.ROOT,
                    "verify: at step %d the %s parameters differ from the JVM engine's by %.3g, %.2e of their scale %.3g, beyond the tolerance %.1e",
                    steps, engine.name(), c.maxAbs(), c.relative(), c.scale(), tol));
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
