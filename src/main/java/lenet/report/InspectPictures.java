package lenet.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import lenet.engine.FeatureMaps;
import lenet.model.LeNet;
import lenet.model.Params;
import lenet.train.AtomicFile;

/**
 * Pictures of what the network computes inside ({@code lenet inspect}). For each image a card: the input,
 * the most probable classes as bars, conv1's 6 feature maps (28×28) and conv2's 16 (10×10) after their
 * activation; the cards of several images side by side in one picture; and conv1's 6 filters.
 *
 * <p>Every map of a layer is coloured on one scale, the layer's range (least to greatest value) over all
 * the images drawn together, so that a map of one image compares with the same map of another; the card
 * states the range next to a colour bar. Maps use viridis (dark purple = least, yellow = greatest), the
 * input gray (black = 0, white = 1, as Fashion-MNIST stores it), the filters a diverging blue–white–red
 * scale symmetric around 0. A map's pixel (row y, column x) is a square of {@link #CONV1_SCALE} or
 * {@link #CONV2_SCALE} screen pixels at (x, y) of its tile: the image is drawn as it is stored, row 0 at the top.
 */
public final class InspectPictures {
    public static final int INPUT_SCALE = 4;
    public static final int CONV1_SCALE = 3;
    public static final int CONV2_SCALE = 6;
    public static final int FILTER_SCALE = 16;
    static final int CONV2_PER_ROW = 8;
    static final int PAD = 14;
    static final int GAP = 8;
    static final int LABEL = 14;
    static final int BAR = 150;
    static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Color TEXT = new Color(0x222222);
    static final Color MUTED = new Color(0x666666);
    static final Color PREDICTED = new Color(0x1F77B4);
    static final Color TRUE_CLASS = new Color(0x2CA02C);

    /** The value range a layer's maps are coloured over. */
    public record Range(float lo, float hi) {
        /** Where v lies in the range, 0..1 (clamped; the middle when the range is a single value). */
        public double position(float v) {
            if (!(hi > lo)) {
                return 0.5;
            }
            return Math.clamp((v - (double) lo) / ((double) hi - lo), 0.0, 1.0);
        }
    }

    private final FeatureMaps maps;
    private final List<String> names;
    private final int[] labels;
    private final float[] pixels;
    private final List<String> classes;
    private final int top;
    private final Range conv1;
    private final Range conv2;
    // The card's layout, the same for every image.
    private final int width;
    private final int height;
    private final Rectangle input;
    private final int barsX;
    private final int conv1Y;
    private final int conv2Y;

    /**
     * @param maps    the network's maps for the images (example i of the batch is image i)
     * @param names   the images' names, as titles
     * @param labels  their true classes, or -1 where not known
     * @param pixels  the input images, example-major 28×28, values in [0, 1]
     * @param classes the class names
     * @param top     how many of the most probable classes are drawn as bars
     */
    public InspectPictures(FeatureMaps maps, List<String> names, int[] labels, float[] pixels, List<String> classes, int top) {
        int n = maps.count();
        if (names.size() != n || labels.length != n || pixels.length != n * LeNet.PIXELS || top < 1 || top > classes.size()) {
            throw new IllegalArgumentException(n + " maps, " + names.size() + " names, " + labels.length + " labels, "
                    + pixels.length + " pixels, top " + top);
        }
        Charts.headless();
        this.maps = maps;
        this.names = List.copyOf(names);
        this.labels = labels.clone();
        this.pixels = pixels;
        this.classes = List.copyOf(classes);
        this.top = top;
        this.conv1 = range(n, LeNet.C1, LeNet.H1, maps::conv1);
        this.conv2 = range(n, LeNet.C2, LeNet.H2, maps::conv2);

        int mapsWidth = Math.max(LeNet.C1 * LeNet.H1 * CONV1_SCALE + (LeNet.C1 - 1) * GAP,
                CONV2_PER_ROW * LeNet.H2 * CONV2_SCALE + (CONV2_PER_ROW - 1) * GAP);
        width = PAD + mapsWidth + PAD;
        int side = LeNet.IMAGE * INPUT_SCALE;
        int title = PAD + 20;
        input = new Rectangle(PAD, title + LABEL + 4, side, side);
        barsX = PAD + side + 2 * PAD;
        int rows = top + 2; // the top classes, the true class when it is not among them, a line for the true class
        int upper = Math.max(input.y + side + LABEL + 4, title + LABEL + 4 + rows * 18);
        conv1Y = upper + PAD;
        conv2Y = conv1Y + 22 + LABEL + LeNet.H1 * CONV1_SCALE + PAD;
        int conv2Rows = (LeNet.C2 + CONV2_PER_ROW - 1) / CONV2_PER_ROW;
        height = conv2Y + 22 + conv2Rows * (LABEL + LeNet.H2 * CONV2_SCALE + 4) + PAD;
    }

    interface MapValue {
        float at(int example, int channel, int y, int x);
    }

    private static Range range(int n, int channels, int side, MapValue v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        float a = v.at(i, c, y, x);
                        lo = Math.min(lo, a);
                        hi = Math.max(hi, a);
                    }
                }
            }
        }
        return new Range(lo, hi);
    }

    /** conv1's colour range over all the images. */
    public Range conv1Range() {
        return conv1;
    }

    /** conv2's colour range over all the images. */
    public Range conv2Range() {
        return conv2;
    }

    /** The size of a card. */
    public int cardWidth() {
        return width;
    }

    public int cardHeight() {
        return height;
    }

    /** Where a card draws the input image. */
    public Rectangle inputTile() {
        return new Rectangle(input);
    }

    /** Where a card draws conv1's map {@code channel}. */
    public Rectangle conv1Tile(int channel) {
        int side = LeNet.H1 * CONV1_SCALE;
        return new Rectangle(PAD + channel * (side + GAP), conv1Y + 22 + LABEL, side, side);
    }

    /** Where a card draws conv2's map {@code channel}: {@value #CONV2_PER_ROW} to a row. */
    public Rectangle conv2Tile(int channel) {
        int side = LeNet.H2 * CONV2_SCALE;
        int row = channel / CONV2_PER_ROW;
        int col = channel % CONV2_PER_ROW;
        return new Rectangle(PAD + col * (side + GAP), conv2Y + 22 + LABEL + row * (LABEL + side + 4), side, side);
    }

    /** The card of image {@code example}. */
    public BufferedImage card(int example) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        drawCard(g, example);
        g.dispose();
        return image;
    }

    /** The cards of every image side by side, up to four to a row. */
    public BufferedImage sideBySide() {
        int n = maps.count();
        int perRow = Math.min(n, 4);
        int rows = (n + perRow - 1) / perRow;
        BufferedImage image = new BufferedImage(perRow * width + (perRow - 1), rows * height + (rows - 1), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        g.setColor(new Color(0xBBBBBB));
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < n; i++) {
            Graphics2D c = (Graphics2D) g.create((i % perRow) * (width + 1), (i / perRow) * (height + 1), width, height);
            drawCard(c, i);
            c.dispose();
        }
        g.dispose();
        return image;
    }

    private void drawCard(Graphics2D g, int i) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(TEXT);
        g.setFont(Charts.TITLE);
        g.drawString(fit(g, names.get(i), width - 2 * PAD), PAD, PAD + 14);

        // The input, gray as stored: row y of the image at the top of its tile's row y.
        g.setFont(Charts.TEXT);
        g.drawString("input (28×28)", input.x, input.y - 5);
        for (int y = 0; y < LeNet.IMAGE; y++) {
            for (int x = 0; x < LeNet.IMAGE; x++) {
                int v = Math.round(Math.clamp(pixels[i * LeNet.PIXELS + y * LeNet.IMAGE + x], 0f, 1f) * 255f);
                g.setColor(new Color(v, v, v));
                g.fillRect(input.x + x * INPUT_SCALE, input.y + y * INPUT_SCALE, INPUT_SCALE, INPUT_SCALE);
            }
        }
        g.setColor(MUTED);
        g.drawRect(input.x - 1, input.y - 1, input.width + 1, input.height + 1);
        g.setFont(SMALL);
        g.drawString("gray: black 0, white 1", input.x, input.y + input.height + LABEL);

        drawBars(g, i);

        drawLayer(g, "conv1: 6 maps after the activation (28×28)", conv1Y, conv1);
        for (int c = 0; c < LeNet.C1; c++) {
            Rectangle t = conv1Tile(c);
            drawMap(g, t, CONV1_SCALE, LeNet.H1, conv1, i, c, maps::conv1);
        }
        drawLayer(g, "conv2: 16 maps after the activation (10×10)", conv2Y, conv2);
        for (int c = 0; c < LeNet.C2; c++) {
            Rectangle t = conv2Tile(c);
            drawMap(g, t, CONV2_SCALE, LeNet.H2, conv2, i, c, maps::conv2);
        }
    }

    /** The most probable classes, most probable first, as bars of length probability; the true class in green. */
    private void drawBars(Graphics2D g, int i) {
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            order.add(c);
        }
        order.sort(Comparator.comparingDouble((Integer c) -> -maps.probability(i, c)));
        List<Integer> shown = new ArrayList<>(order.subList(0, top));
        int label = labels[i];
        boolean apart = label >= 0 && !shown.contains(label);
        if (apart) {
            shown.add(label);
        }
        g.setFont(Charts.TEXT);
        g.setColor(TEXT);
        int y = input.y - 5;
        g.drawString("predicted: " + classes.get(order.getFirst()) + (label < 0 ? "" : ", true: " + classes.get(label)), barsX, y);
        FontMetrics fm = g.getFontMetrics();
        int nameWidth = classes.stream().mapToInt(fm::stringWidth).max().orElse(80);
        for (int r = 0; r < shown.size(); r++) {
            int c = shown.get(r);
            int rowY = input.y + 4 + r * 18 + (apart && r == shown.size() - 1 ? 6 : 0);
            float p = maps.probability(i, c);
            Color colour = c == label ? TRUE_CLASS : PREDICTED;
            g.setColor(TEXT);
            g.drawString(classes.get(c), barsX + nameWidth - fm.stringWidth(classes.get(c)), rowY + 11);
            int x0 = barsX + nameWidth + 6;
            g.setColor(new Color(0xEEEEEE));
            g.fillRect(x0, rowY, BAR, 13);
            g.setColor(colour);
            g.fillRect(x0, rowY, Math.round(Math.clamp(p, 0f, 1f) * BAR), 13);
            g.setColor(TEXT);
            g.drawString(String.format(Locale.ROOT, "%.3f", p), x0 + BAR + 6, rowY + 11);
        }
        g.setFont(SMALL);
        g.setColor(MUTED);
        int noteY = input.y + 4 + shown.size() * 18 + (apart ? 6 : 0) + 10;
        g.drawString(label < 0 ? "true class not known" : "green: the true class", barsX, noteY);
    }

    /** A layer's heading and its colour bar, least to greatest value over the images drawn. */
    private void drawLayer(Graphics2D g, String title, int y, Range r) {
        g.setFont(Charts.TEXT);
        g.setColor(TEXT);
        g.drawString(title, PAD, y + 14);
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        String lo = String.format(Locale.ROOT, "%.3f", r.lo());
        String hi = String.format(Locale.ROOT, "%.3f", r.hi());
        int barWidth = 100;
        int right = width - PAD;
        int hiX = right - fm.stringWidth(hi);
        int barX = hiX - 4 - barWidth;
        int loX = barX - 4 - fm.stringWidth(lo);
        for (int x = 0; x < barWidth; x++) {
            g.setColor(new Color(viridis(x / (double) (barWidth - 1))));
            g.fillRect(barX + x, y + 4, 1, 11);
        }
        g.setColor(TEXT);
        g.drawString(lo, loX, y + 14);
        g.drawString(hi, hiX, y + 14);
        g.setColor(MUTED);
        g.drawString("scale:", loX - 4 - fm.stringWidth("scale:"), y + 14);
    }

    private void drawMap(Graphics2D g, Rectangle t, int scale, int side, Range r, int i, int c, MapValue v) {
        g.setFont(SMALL);
        g.setColor(MUTED);
        g.drawString(Integer.toString(c), t.x, t.y - 3);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                g.setColor(new Color(viridis(r.position(v.at(i, c, y, x)))));
                g.fillRect(t.x + x * scale, t.y + y * scale, scale, scale);
            }
        }
    }

    /** conv1's 6 filters (5×5 weights), each with its bias, on a blue–white–red scale symmetric around 0. */
    public static BufferedImage filters(Params params) {
        Charts.headless();
        int k = LeNet.KERNEL;
        int side = k * FILTER_SCALE;
        int gap = 2 * GAP;
        int w = 2 * PAD + LeNet.C1 * side + (LeNet.C1 - 1) * gap;
        int top = PAD + 20 + 22 + LABEL;
        int h = top + side + LABEL + 4 + PAD;
        float m = 0;
        for (int j = 0; j < LeNet.C1 * k * k; j++) {
            m = Math.max(m, Math.abs(params.c1w.get(j)));
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(TEXT);
        g.setFont(Charts.TITLE);
        g.drawString("conv1: 6 filters (5×5 weights) and their biases", PAD, PAD + 14);
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        String lo = String.format(Locale.ROOT, "%.3f", -m);
        String hi = String.format(Locale.ROOT, "+%.3f", m);
        int barX = PAD + fm.stringWidth("weights: " + lo) + 8;
        int y = PAD + 20;
        g.setColor(MUTED);
        g.drawString("weights: ", PAD, y + 14);
        g.setColor(TEXT);
        g.drawString(lo, PAD + fm.stringWidth("weights: "), y + 14);
        for (int x = 0; x < 120; x++) {
            g.setColor(new Color(diverging(x / 119.0)));
            g.fillRect(barX + x, y + 4, 1, 11);
        }
        g.setColor(TEXT);
        g.drawString(hi, barX + 124, y + 14);
        g.setColor(MUTED);
        g.drawString("(0 white; the scale spans the largest |weight|)", barX + 124 + fm.stringWidth(hi) + 10, y + 14);
        for (int c = 0; c < LeNet.C1; c++) {
            Rectangle t = filterTile(c);
            g.setColor(MUTED);
            g.drawString(Integer.toString(c), t.x, t.y - 3);
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    float v = params.c1w.get((c * k + ky) * k + kx); // OIHW, one input channel
                    g.setColor(new Color(diverging(m > 0 ? 0.5 + 0.5 * v / m : 0.5)));
                    g.fillRect(t.x + kx * FILTER_SCALE, t.y + ky * FILTER_SCALE, FILTER_SCALE, FILTER_SCALE);
                }
            }
            g.setColor(MUTED);
            g.drawRect(t.x - 1, t.y - 1, t.width + 1, t.height + 1);
            g.setColor(TEXT);
            g.drawString(String.format(Locale.ROOT, "bias %+.3f", params.c1b.get(c)), t.x, t.y + t.height + LABEL);
        }
        g.dispose();
        return image;
    }

    /** Where {@link #filters} draws filter {@code channel}; its weight (ky, kx) is the square at column kx, row ky. */
    public static Rectangle filterTile(int channel) {
        int side = LeNet.KERNEL * FILTER_SCALE;
        return new Rectangle(PAD + channel * (side + 2 * GAP), PAD + 20 + 22 + LABEL, side, side);
    }

    /** Writes {@code image} as PNG, atomically. */
    public static void writePng(BufferedImage image, Path file) {
        AtomicFile.write(file, "picture", out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    /** {@code s}, cut with an ellipsis to fit {@code width}. */
    private static String fit(Graphics2D g, String s, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth("…" + t) > width) {
            t = t.substring(1);
        }
        return "…" + t;
    }

    // matplotlib's viridis at 0, 0.1, …, 1.
    private static final int[] VIRIDIS = {0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884,
            0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725};
    // ColorBrewer's RdBu, reversed: blue (negative), white (0), red (positive).
    private static final int[] BLUE_WHITE_RED = {0x2166AC, 0x67A9CF, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xEF8A62, 0xB2182B};

    /** The colour (RGB) of position t in 0..1 on viridis: dark purple (0), teal, yellow (1). */
    public static int viridis(double t) {
        return interpolate(VIRIDIS, t);
    }

    /** The colour (RGB) of position t in 0..1 on the blue (0), white (0.5), red (1) scale. */
    public static int diverging(double t) {
        return interpolate(BLUE_WHITE_RED, t);
    }

    private static int interpolate(int[] anchors, double t) {
        double s = Math.clamp(t, 0.0, 1.0) * (anchors.length - 1);
        int j = Math.min((int) s, anchors.length - 2);
        double f = s - j;
        int a = anchors[j];
        int b = anchors[j + 1];
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int ca = (a >> shift) & 0xFF;
            int cb = (b >> shift) & 0xFF;
            rgb |= (int) Math.round(ca + (cb - ca) * f) << shift;
        }
        return rgb;
    }
}
