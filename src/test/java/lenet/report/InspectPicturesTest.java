package lenet.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.data.FashionMnist;
import lenet.engine.FeatureMaps;
import lenet.model.LeNet;
import lenet.model.Params;

/**
 * The pictures of {@code lenet inspect} draw each value where it belongs: known maps, each pixel of each
 * channel of each image a different value, are drawn, and every screen pixel of every tile is checked
 * against the colour of the value that belongs there (row y, column x of map c of image i).
 */
class InspectPicturesTest {
    @TempDir
    Path dir;

    static final int N = 3;

    /** A value for every (image, channel, y, x), different when x and y swap, the channel or the image changes. */
    static float value(int i, int c, int y, int x) {
        return ((i * 7 + c * 13 + y * 29 + x * 3) % 97) / 96f - 0.25f;
    }

    static FeatureMaps known() {
        float[] a1 = new float[LeNet.C1 * LeNet.H1 * LeNet.H1 * N];
        float[] a2 = new float[LeNet.C2 * LeNet.H2 * LeNet.H2 * N];
        float[] probs = new float[LeNet.CLASSES * N];
        // Batch-innermost, as the kernels write them (LeNet): ((c*H + y)*W + x)*n + i.
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < LeNet.C1; c++) {
                for (int y = 0; y < LeNet.H1; y++) {
                    for (int x = 0; x < LeNet.H1; x++) {
                        a1[((c * LeNet.H1 + y) * LeNet.H1 + x) * N + i] = value(i, c, y, x);
                    }
                }
            }
            for (int c = 0; c < LeNet.C2; c++) {
                for (int y = 0; y < LeNet.H2; y++) {
                    for (int x = 0; x < LeNet.H2; x++) {
                        a2[((c * LeNet.H2 + y) * LeNet.H2 + x) * N + i] = 2 * value(i, c, y, x) + 3;
                    }
                }
            }
            for (int c = 0; c < LeNet.CLASSES; c++) {
                probs[c * N + i] = c == i ? 0.55f : 0.05f;
            }
        }
        return new FeatureMaps(N, a1, a2, probs);
    }

    static float[] pixels() {
        float[] p = new float[N * LeNet.PIXELS];
        for (int i = 0; i < N; i++) {
            for (int y = 0; y < LeNet.IMAGE; y++) {
                for (int x = 0; x < LeNet.IMAGE; x++) {
                    p[i * LeNet.PIXELS + y * LeNet.IMAGE + x] = ((i * 5 + y * 11 + x * 2) % 29) / 28f;
                }
            }
        }
        return p;
    }

    static InspectPictures pictures() {
        return new InspectPictures(known(), List.of("a", "b", "c"), new int[] {0, -1, 7}, pixels(), FashionMnist.CLASS_NAMES, 5);
    }

    /** Every screen pixel of map c of image i in tile t (at offset ox, oy in the picture) has the colour of its value. */
    static void tileShows(BufferedImage image, int ox, int oy, Rectangle t, int scale, int side, InspectPictures.Range r,
            int i, int c, float a, float b) {
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int expected = InspectPictures.viridis(r.position(a * value(i, c, y, x) + b));
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        int got = image.getRGB(ox + t.x + x * scale + dx, oy + t.y + y * scale + dy) & 0xFFFFFF;
                        if (got != expected) {
                            throw new AssertionError("image " + i + " map " + c + " at y " + y + ", x " + x + ": colour "
                                    + Integer.toHexString(got) + ", expected " + Integer.toHexString(expected));
                        }
                    }
                }
            }
        }
    }

    static void cardShows(BufferedImage image, int ox, int oy, InspectPictures p, int i) {
        for (int c = 0; c < LeNet.C1; c++) {
            tileShows(image, ox, oy, p.conv1Tile(c), InspectPictures.CONV1_SCALE, LeNet.H1, p.conv1Range(), i, c, 1, 0);
        }
        for (int c = 0; c < LeNet.C2; c++) {
            tileShows(image, ox, oy, p.conv2Tile(c), InspectPictures.CONV2_SCALE, LeNet.H2, p.conv2Range(), i, c, 2, 3);
        }
        Rectangle in = p.inputTile();
        float[] px = pixels();
        for (int y = 0; y < LeNet.IMAGE; y++) {
            for (int x = 0; x < LeNet.IMAGE; x++) {
                int v = Math.round(px[i * LeNet.PIXELS + y * LeNet.IMAGE + x] * 255);
                int got = image.getRGB(ox + in.x + x * InspectPictures.INPUT_SCALE + 1, oy + in.y + y * InspectPictures.INPUT_SCALE + 2) & 0xFFFFFF;
                assertEquals(v << 16 | v << 8 | v, got, "input of image " + i + " at y " + y + ", x " + x);
            }
        }
    }

    @Test
    void eachCardDrawsItsOwnImagesMapsInPlace() {
        InspectPictures p = pictures();
        // One scale per layer, over all the images: conv1's values run from -0.25 to 0.75, conv2's 2v + 3.
        assertEquals(new InspectPictures.Range(-0.25f, 0.75f), p.conv1Range());
        assertEquals(new InspectPictures.Range(2.5f, 4.5f), p.conv2Range());
        for (int i = 0; i < N; i++) {
            BufferedImage card = p.card(i);
            assertEquals(p.cardWidth(), card.getWidth());
            assertEquals(p.cardHeight(), card.getHeight());
            cardShows(card, 0, 0, p, i);
        }
    }

    @Test
    void sideBySideHoldsEveryCard() {
        InspectPictures p = pictures();
        BufferedImage all = p.sideBySide();
        assertEquals(N * p.cardWidth() + N - 1, all.getWidth());
        assertEquals(p.cardHeight(), all.getHeight());
        for (int i = 0; i < N; i++) {
            cardShows(all, i * (p.cardWidth() + 1), 0, p, i);
        }
    }

    @Test
    void fiveImagesWrapAfterFour() {
        int n = 5;
        float[] a1 = new float[LeNet.C1 * LeNet.H1 * LeNet.H1 * n];
        float[] a2 = new float[LeNet.C2 * LeNet.H2 * LeNet.H2 * n];
        float[] probs = new float[LeNet.CLASSES * n];
        var p = new InspectPictures(new FeatureMaps(n, a1, a2, probs), List.of("a", "b", "c", "d", "e"), new int[n],
                new float[n * LeNet.PIXELS], FashionMnist.CLASS_NAMES, 3);
        BufferedImage all = p.sideBySide();
        assertEquals(4 * p.cardWidth() + 3, all.getWidth());
        assertEquals(2 * p.cardHeight() + 1, all.getHeight());
    }

    @Test
    void filtersAreDrawnWeightByWeightOnADivergingScale() {
        Params w = Params.xavier(3);
        BufferedImage image = InspectPictures.filters(w);
        float m = 0;
        for (int j = 0; j < w.c1w.getSize(); j++) {
            m = Math.max(m, Math.abs(w.c1w.get(j)));
        }
        int k = LeNet.KERNEL;
        int s = InspectPictures.FILTER_SCALE;
        for (int c = 0; c < LeNet.C1; c++) {
            Rectangle t = InspectPictures.filterTile(c);
            assertTrue(t.x + t.width <= image.getWidth() && t.y + t.height <= image.getHeight());
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int expected = InspectPictures.diverging(0.5 + 0.5 * w.c1w.get((c * k + ky) * k + kx) / m);
                    assertEquals(Integer.toHexString(expected),
                            Integer.toHexString(image.getRGB(t.x + kx * s + s / 2, t.y + ky * s + s / 2) & 0xFFFFFF),
                            "filter " + c + " weight y " + ky + ", x " + kx);
                }
            }
        }
    }

    @Test
    void colourScalesRunFromEndToEnd() {
        assertEquals(0x440154, InspectPictures.viridis(0));
        assertEquals(0xFDE725, InspectPictures.viridis(1));
        assertEquals(0x21918C, InspectPictures.viridis(0.5));
        assertEquals(0x2166AC, InspectPictures.diverging(0));
        assertEquals(0xF7F7F7, InspectPictures.diverging(0.5));
        assertEquals(0xB2182B, InspectPictures.diverging(1));
        // Between two anchors, halfway in each channel.
        assertEquals(0x440154 + ((0x48 - 0x44 + 1) / 2 << 16 | ((0x24 - 0x01 + 1) / 2) << 8 | (0x75 - 0x54 + 1) / 2),
                InspectPictures.viridis(0.05));
        assertNotEquals(InspectPictures.viridis(0.3), InspectPictures.viridis(0.31));
        assertEquals(0.5, new InspectPictures.Range(1f, 1f).position(1f), "a single value sits in the middle");
        assertEquals(1.0, new InspectPictures.Range(0f, 2f).position(3f), "clamped");
    }

    @Test
    void writesAPng() throws Exception {
        Path file = dir.resolve("card.png");
        InspectPictures p = pictures();
        InspectPictures.writePng(p.card(1), file);
        BufferedImage back = ImageIO.read(file.toFile());
        assertEquals(p.cardWidth(), back.getWidth());
        cardShows(back, 0, 0, p, 1);
    }
}
