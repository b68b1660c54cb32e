package lenet.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.data.FashionMnist;
import lenet.train.RunMetrics;

/** The learning curves and the confusion matrix, drawn headless to PNG. */
class ChartsTest {
    @TempDir
    Path dir;

    static RunMetrics run(int epochs, int done) {
        RunMetrics m = new RunMetrics();
        m.epochs = epochs;
        m.batchSize = 256;
        m.lr = 0.9f;
        m.engine = "java";
        for (int e = 1; e <= done; e++) {
            for (int k = 1; k <= 5; k++) {
                double t = e - 1 + k / 5.0;
                m.progress.add(new RunMetrics.Point(t, 0.4 + 1.9 * Math.exp(-t), 0.85 - 0.7 * Math.exp(-t)));
            }
            m.history.add(new RunMetrics.Epoch(e, 0, 0, 0.8 - 0.6 * Math.exp(-e), 1, 1));
        }
        return m;
    }

    /** Pixels of (about) the given colour: anti-aliasing blends line edges, so ±40 per channel. */
    static int count(BufferedImage image, Color color) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                Color c = new Color(image.getRGB(x, y));
                if (Math.abs(c.getRed() - color.getRed()) < 40 && Math.abs(c.getGreen() - color.getGreen()) < 40
                        && Math.abs(c.getBlue() - color.getBlue()) < 40) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void learningCurvesArePngWithTheThreeLines() throws IOException {
        Path file = dir.resolve("curves.png");
        Curves.write(run(10, 4), file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(Curves.WIDTH, image.getWidth());
        assertEquals(Curves.HEIGHT, image.getHeight());
        // Each line (and its legend entry) leaves well over 100 pixels of its colour.
        assertTrue(count(image, Curves.LOSS) > 100, "train loss line: " + count(image, Curves.LOSS));
        assertTrue(count(image, Curves.TRAIN_ACC) > 100, "train acc line: " + count(image, Curves.TRAIN_ACC));
        assertTrue(count(image, Curves.TEST_ACC) > 100, "test acc line: " + count(image, Curves.TEST_ACC));
    }

    @Test
    void aRunWithoutPointsYetStillDraws() throws IOException {
        Path file = dir.resolve("empty.png");
        Curves.write(run(3, 0), file);
        assertEquals(Curves.WIDTH, ImageIO.read(file.toFile()).getWidth());
        assertEquals(0, count(ImageIO.read(file.toFile()), Curves.LOSS));
    }

    @Test
    void confusionMatrixCountsAndText() throws IOException {
        ConfusionMatrix m = new ConfusionMatrix(FashionMnist.CLASS_NAMES);
        m.add(0, 0);
        m.add(0, 6);
        m.add(6, 6);
        m.add(9, 9);
        m.add(9, 7);
        m.add(9, 9);
        assertEquals(6, m.total());
        assertEquals(4, m.correct());
        assertEquals(4 / 6.0, m.accuracy(), 1e-15);
        assertEquals(0.5, m.accuracy(0), 0);
        assertEquals(2 / 3.0, m.accuracy(9), 1e-15);
        assertTrue(Double.isNaN(m.accuracy(3)), "no examples of class 3");
        String text = m.toText();
        assertTrue(text.contains("T-shirt/top     0.500         2"), text);
        assertTrue(text.contains("Dress               -         0"), text);
        List<String> matrix = text.lines().dropWhile(l -> !l.startsWith("confusion matrix")).skip(1).toList();
        assertEquals(11, matrix.size(), "a header and a row per class: " + text);
        assertTrue(matrix.get(0).matches(" +0 +1 +2 +3 +4 +5 +6 +7 +8 +9"), matrix.get(0));
        assertEquals("9 Ankle boot     0    0    0    0    0    0    0    1    0    2", matrix.get(10), "the class number first, then 10 counts");
        for (String row : matrix) {
            assertEquals(matrix.get(0).length(), row.length(), "columns line up under the header: " + text);
        }
        List<String> csv = m.toCsv().lines().toList();
        assertEquals(11, csv.size());
        assertEquals("true\\predicted,T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot", csv.get(0));
        assertEquals("T-shirt/top,1,0,0,0,0,0,1,0,0,0", csv.get(1));

        Path png = dir.resolve("confusion.png");
        m.writePng(png, "test");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(760, image.getWidth());
        assertEquals(680, image.getHeight());
    }
}
