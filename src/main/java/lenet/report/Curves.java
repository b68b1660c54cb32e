package lenet.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import lenet.train.RunMetrics;

/**
 * The learning curves d2l draws while it trains ({@code train_ch6}): train loss and train accuracy at
 * the progress points within each epoch, test accuracy after each epoch, against the epoch.
 */
public final class Curves {
    public static final int WIDTH = 720;
    public static final int HEIGHT = 450;
    static final Color LOSS = new Color(0x1F77B4);        // d2l: '-'   (matplotlib's first colour)
    static final Color TRAIN_ACC = new Color(0xBF00BF);   // d2l: 'm--'
    static final Color TEST_ACC = new Color(0x008000);    // d2l: 'g-.'

    private Curves() {
    }

    /** The chart of a run so far; the x axis spans all its planned epochs, so the frame stays put as it grows. */
    public static XYChart chart(RunMetrics m) {
        Charts.headless();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "LeNet-5 on Fashion-MNIST: batch %d, lr %s, %s engine",
                        m.batchSize, m.lr, m.engine))
                .xAxisTitle("epoch").yAxisTitle("loss / accuracy").build();
        var s = chart.getStyler();
        Charts.style(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setAxisTitleFont(Charts.TEXT);
        s.setAxisTickLabelsFont(Charts.TEXT);
        s.setPlotGridLinesColor(new Color(0xE0E0E0));
        s.setPlotBorderVisible(true);
        s.setXAxisMin(0.0);
        s.setXAxisMax((double) Math.max(1, m.epochs));
        s.setYAxisMin(0.0);
        double top = 1.0;
        for (RunMetrics.Point p : m.progress) {
            top = Math.max(top, p.loss());
        }
        s.setYAxisMax(Math.ceil(top * 10) / 10);
        s.setXAxisDecimalPattern("0.##");
        s.setYAxisDecimalPattern("0.0");
        s.setMarkerSize(7);

        // An invisible series spanning the x axis, added first: XChart needs a series to draw axes, and
        // when the x values it sees (in series order) are equally spaced, as progress points are, it
        // puts a tick at every one of them instead of at round numbers.
        XYSeries frame = chart.addSeries(" ", new double[] {0, Math.max(1, m.epochs)}, new double[] {0, 0});
        frame.setMarker(SeriesMarkers.NONE);
        frame.setShowInLegend(false);
        frame.setLineColor(new Color(0, 0, 0, 0));
        List<RunMetrics.Point> points = m.progress;
        s.setLegendVisible(!points.isEmpty());
        if (points.isEmpty()) {
            return chart;
        }
        double[] at = points.stream().mapToDouble(RunMetrics.Point::epoch).toArray();
        line(chart, "train loss", at, points.stream().mapToDouble(RunMetrics.Point::loss).toArray(), LOSS,
                new BasicStroke(2f));
        line(chart, "train acc", at, points.stream().mapToDouble(RunMetrics.Point::trainAcc).toArray(), TRAIN_ACC,
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f));
        if (!m.history.isEmpty()) {
            XYSeries test = line(chart, "test acc",
                    m.history.stream().mapToDouble(RunMetrics.Epoch::epoch).toArray(),
                    m.history.stream().mapToDouble(RunMetrics.Epoch::testAcc).toArray(), TEST_ACC,
                    new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {10f, 4f, 2f, 4f}, 0f));
            test.setMarker(SeriesMarkers.CIRCLE);
            test.setMarkerColor(TEST_ACC);
        }
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color color, BasicStroke stroke) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Writes the chart of {@code m} to {@code file} as PNG, atomically. */
    public static void write(RunMetrics m, Path file) {
        Charts.writePng(chart(m), file);
    }
}
