package lenet.report;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import lenet.train.AtomicFile;

/** Writes XChart charts as PNG, headless (no display needed), atomically; and the look they share. */
final class Charts {
    static {
        // AWT reads this once, when it first starts; lenet never opens a window.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        // Encode in memory: no cache file in the temporary folder (and no shutdown hook for it).
        javax.imageio.ImageIO.setUseCache(false);
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    private Charts() {
    }

    /** Does nothing but make sure the headless setting above is in place before AWT starts. */
    static void headless() {
    }

    /** White backgrounds, light grid, readable fonts. */
    static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setChartTitleFont(TITLE);
        s.setLegendFont(TEXT);
        s.setLegendBorderColor(new Color(0xCCCCCC));
        s.setAntiAlias(true);
    }

    /**
     * Renders {@code chart} and replaces {@code file} with it.
     *
     * @throws java.io.UncheckedIOException when the file cannot be written (one line naming it)
     */
    static void writePng(Chart<?, ?> chart, Path file) {
        AtomicFile.write(file, "chart", out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
