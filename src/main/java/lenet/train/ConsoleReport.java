package lenet.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The d2l lines of a run: five progress lines per epoch, a line per epoch and two final lines. With
 * {@code bar} (a terminal), a progress bar redrawn in place with a carriage return replaces the five
 * progress lines; the epoch and final lines are the same in both modes.
 */
public final class ConsoleReport implements TrainListener {
    /** Redraw the bar at most this often. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean bar;
    private final int columns;
    private long lastDraw;
    private int drawn;
    private double loss = Double.NaN;
    private double acc = Double.NaN;

    /** @param bar draw a progress bar (for a terminal) instead of the five progress lines per epoch */
    public ConsoleReport(PrintWriter out, boolean bar) {
        this(out, bar, 80);
    }

    /** @param columns the terminal's width: the bar line stays shorter, so it never wraps */
    public ConsoleReport(PrintWriter out, boolean bar, int columns) {
        this.out = out;
        this.bar = bar;
        this.columns = Math.max(40, columns);
    }

    @Override
    public void warmedUp(double seconds) {
        if (seconds > 0) {
            out.printf(Locale.ROOT, "kernels compiled in %.1f s (warm-up, not counted in examples/sec)%n", seconds);
            out.flush();
        }
    }

    @Override
    public void stepped(Step s) {
        if (s.totals() != null) {
            loss = s.totals().meanLoss();
            acc = s.totals().accuracy();
        }
        if (!bar) {
            if (s.point() != null) {
                out.printf(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f  train acc %.3f  %,.0f examples/s%n",
                        s.epoch(), s.epochs(), s.batch(), s.batches(), s.totals().meanLoss(), s.totals().accuracy(),
                        s.totals().examples() / s.epochSeconds());
            }
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || s.batch() == s.batches()) {
            lastDraw = now;
            draw(barLine(s, loss, acc, columns - 1));
        }
    }

    @Override
    public void epochEnded(RunMetrics m, TrainState state) {
        clear();
        RunMetrics.Epoch e = m.history.getLast();
        out.printf(Locale.ROOT, "epoch %d/%d: loss %.3f, train acc %.3f, test acc %.3f (%.1f s, %,.0f examples/s)%n",
                e.epoch(), m.epochs, e.loss(), e.trainAcc(), e.testAcc(), e.trainSeconds(), e.examplesPerSec());
        out.flush();
    }

    @Override
    public void finished(RunMetrics m) {
        clear();
        out.printf(Locale.ROOT, "loss %.3f, train acc %.3f, test acc %.3f%n", m.loss, m.trainAcc, m.testAcc);
        out.printf(Locale.ROOT, "%.1f examples/sec on %s%n", m.examplesPerSec, m.device);
        if (m.deviceMemoryBytes != null) {
            out.printf(Locale.ROOT, "device memory: %.1f MB in the engine's buffers%n", m.deviceMemoryBytes / 1e6);
        }
        out.flush();
    }

    @Override
    public void stopped(RunMetrics metrics, TrainState state) {
        clear();
    }

    /**
     * One line of at most {@code width} characters:
     * {@code epoch 3/10 [=========>         ]  47%  12,345 ex/s  ETA 0:07  loss 0.512  acc 0.812}
     * ("testing" instead of the ETA after the last step); loss and accuracy appear once known (NaN: not yet).
     */
    static String barLine(Step s, double loss, double acc, int width) {
        double fraction = (double) s.examples() / s.epochExamples();
        double rate = s.examplesPerSec();
        String head = String.format(Locale.ROOT, "epoch %d/%d ", s.epoch(), s.epochs());
        // After the last step comes the test set: no time left to estimate, but something to wait for.
        String tail = String.format(Locale.ROOT, " %3.0f%%  %,.0f ex/s  %s", 100 * fraction, rate, s.batch() == s.batches()
                ? "testing" : "ETA " + duration((s.epochExamples() - s.examples()) / Math.max(rate, 1e-9)));
        if (!Double.isNaN(loss)) {
            tail += String.format(Locale.ROOT, "  loss %.3f  acc %.3f", loss, acc);
        }
        int inner = Math.max(10, Math.min(30, width - head.length() - tail.length() - 2));
        int filled = (int) Math.round(fraction * inner);
        StringBuilder line = new StringBuilder(head).append('[');
        for (int i = 0; i < inner; i++) {
            line.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        line.append(']').append(tail);
        return line.length() <= width ? line.toString() : line.substring(0, width);
    }

    /** m:ss, or h:mm:ss from an hour on. */
    static String duration(double seconds) {
        long s = Math.round(Math.min(seconds, 359_999));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private void draw(String line) {
        StringBuilder b = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < drawn; i++) {
            b.append(' ');
        }
        out.print(b);
        out.flush();
        drawn = line.length();
    }

    /** Wipes the bar, so the next line starts at the left margin of an empty line. */
    private void clear() {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            out.flush();
            drawn = 0;
        }
    }
}
