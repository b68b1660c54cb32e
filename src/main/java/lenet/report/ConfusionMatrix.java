package lenet.report;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Counts of (true class, predicted class) pairs over a labelled set: row = true class, column =
 * predicted class, so the diagonal holds the correct predictions and row c sums to the examples of class c.
 */
public final class ConfusionMatrix {
    private final List<String> classes;
    private final long[][] counts;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public void add(int actual, int predicted) {
        counts[actual][predicted]++;
    }

    public List<String> classes() {
        return classes;
    }

    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** Examples of class c. */
    public long support(int c) {
        long n = 0;
        for (long v : counts[c]) {
            n += v;
        }
        return n;
    }

    public long total() {
        long n = 0;
        for (int c = 0; c < counts.length; c++) {
            n += support(c);
        }
        return n;
    }

    public long correct() {
        long n = 0;
        for (int c = 0; c < counts.length; c++) {
            n += counts[c][c];
        }
        return n;
    }

    public double accuracy() {
        return (double) correct() / Math.max(1, total());
    }

    /** Accuracy on the examples of class c (recall); NaN when there are none. */
    public double accuracy(int c) {
        long n = support(c);
        return n == 0 ? Double.NaN : (double) counts[c][c] / n;
    }

    /** Per-class accuracy, one line per class, then the matrix with one row per true class. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        int name = classes.stream().mapToInt(String::length).max().orElse(5);
        b.append(String.format(Locale.ROOT, "%-" + name + "s  accuracy  examples%n", "class"));
        for (int c = 0; c < classes.size(); c++) {
            double a = accuracy(c);
            b.append(String.format(Locale.ROOT, "%-" + name + "s  %8s  %,8d%n", classes.get(c),
                    Double.isNaN(a) ? "-" : String.format(Locale.ROOT, "%.3f", a), support(c)));
        }
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        int cell = Math.max(5, Long.toString(max).length() + 1);
        b.append(String.format(Locale.ROOT, "%nconfusion matrix (rows: true class, columns: predicted class, both by number)%n"));
        int number = Integer.toString(classes.size() - 1).length();
        b.append(" ".repeat(number + 1 + name));
        for (int c = 0; c < classes.size(); c++) {
            b.append(String.format(Locale.ROOT, "%" + cell + "d", c));
        }
        b.append(System.lineSeparator());
        for (int r = 0; r < classes.size(); r++) {
            b.append(String.format(Locale.ROOT, "%" + number + "d %-" + name + "s", r, classes.get(r)));
            for (int c = 0; c < classes.size(); c++) {
                b.append(String.format(Locale.ROOT, "%" + cell + "d", counts[r][c]));
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }

    /** The matrix as CSV: a header of predicted classes, then one row per true class. */
    public String toCsv() {
        StringBuilder b = new StringBuilder("true\\predicted");
        for (String c : classes) {
            b.append(',').append(csv(c));
        }
        b.append('\n');
        for (int r = 0; r < classes.size(); r++) {
            b.append(csv(classes.get(r)));
            for (int c = 0; c < classes.size(); c++) {
                b.append(',').append(counts[r][c]);
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A heat map of the counts, as the text matrix: rows true classes (the first at the top), columns predicted ones. */
    public HeatMapChart chart(String title) {
        Charts.headless();
        HeatMapChart chart = new HeatMapChartBuilder().width(760).height(680).title(title)
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        var s = chart.getStyler();
        Charts.style(s);
        s.setLegendVisible(false);
        s.setPlotGridLinesVisible(false);
        s.setAxisTitleFont(Charts.TEXT);
        s.setAxisTickLabelsFont(Charts.TEXT);
        s.setXAxisLabelRotation(40);
        s.setShowValue(true);
        s.setValueFont(Charts.TEXT);
        s.setValueFontColor(Color.BLACK);
        s.setHeatMapValueDecimalPattern("0");
        s.setRangeColors(new Color[] {Color.WHITE, new Color(0xC6DBEF), new Color(0x6BAED6)});
        int n = classes.size();
        long max = 1;
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                // y runs bottom-up: the first class goes at the top, as in the text matrix.
                cells.add(new Number[] {c, n - 1 - r, counts[r][c]});
                max = Math.max(max, counts[r][c]);
            }
        }
        s.setMin(0);
        s.setMax(max);
        chart.addSeries("counts", classes, new ArrayList<>(classes).reversed(), cells);
        return chart;
    }

    /** Writes the heat map as PNG, atomically. */
    public void writePng(Path file, String title) {
        Charts.writePng(chart(title), file);
    }
}
