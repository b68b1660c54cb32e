package lenet.cli;

import static lenet.cli.CliTest.fails;
import static lenet.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.cli.CliTest.Result;
import lenet.data.FashionMnist;
import lenet.engine.Inference;
import lenet.engine.KernelSet;
import lenet.model.Params;
import lenet.train.Checkpoint;
import lenet.train.TrainState;
import lenet.train.RunMetrics;

/** {@code lenet eval} and {@code lenet predict} on a checkpoint. */
class EvalPredictTest {
    static final String CLASS = "(T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)";
    static final String TOP3 = CLASS + " \\d\\.\\d{3}, " + CLASS + " \\d\\.\\d{3}, " + CLASS + " \\d\\.\\d{3}";

    @TempDir
    Path dir;
    Path data;
    Path ckpt;
    Params params = Params.xavier(8);

    @BeforeEach
    void setUp() {
        data = FashionFiles.write(dir.resolve("data"), 4, 30);
        ckpt = dir.resolve("model.ckpt");
        Checkpoint.write(ckpt, new Checkpoint(new Checkpoint.Config(1, 4, 0.9f, 8, "java", "JVM", 1, "plain"),
                new Checkpoint.Data(4, 30, 0), new TrainState(2, 0, 0, 0, 0, 1.0,
                        List.of(new RunMetrics.Epoch(1, 2.3, 0.1, 0.1, 1.0, 4.0)), List.of()), params));
    }

    @Test
    void evalReportsAccuracyPerClassAndTheConfusionMatrix() throws IOException {
        Path out = dir.resolve("eval");
        Result r = run("eval", ckpt.toString(), "--data", data.toString(), "--out", out.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        // The same count as the forward pass gives directly on the 30 test images (labels i mod 10).
        lenet.data.Dataset test = FashionMnist.test(data);
        Inference.Result p = Inference.run(params, test.pixels(), 30, 1, KernelSet.PLAIN);
        int correct = 0;
        for (int i = 0; i < 30; i++) {
            correct += p.predicted()[i] == i % 10 ? 1 : 0;
        }
        List<String> lines = r.out().lines().toList();
        assertEquals("model: " + ckpt + " (1 epoch of 1, batch 4, lr 0.9, seed 8, java engine)", lines.get(0));
        assertEquals(String.format(java.util.Locale.ROOT, "test accuracy %.4f (%d of 30)", correct / 30.0, correct), lines.get(1));
        assertTrue(lines.contains("class        accuracy  examples"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("Ankle boot\\s+\\d\\.\\d{3}\\s+3")), r.out());
        assertTrue(lines.contains("confusion matrix (rows: true class, columns: predicted class, both by number)"), r.out());
        assertEquals("wrote " + out.resolve("confusion.png") + ", " + out.resolve("confusion.csv"), lines.getLast());
        assertEquals(760, ImageIO.read(out.resolve("confusion.png").toFile()).getWidth());
        assertEquals(11, Files.readAllLines(out.resolve("confusion.csv")).size());
    }

    @Test
    void evalOfABadCheckpointIsOneLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.ckpt"), "hello");
        fails(1, "lenet: " + bad + ": not a lenet checkpoint", "eval", bad.toString(), "--data", data.toString());
        fails(2, "--threads must be 1 or more (more than the cores are capped), got 0", "eval", ckpt.toString(), "--threads", "0");
    }

    static Path png(Path dir, String name, int type, int side) throws IOException {
        BufferedImage image = new BufferedImage(side, side, type);
        for (int y = 8; y < 20; y++) {
            for (int x = 10; x < 18; x++) {
                image.setRGB(x, y, 0xFFC8C8C8);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void predictGivesTheTopThreeClassesOfEachImage() throws IOException {
        Path gray = png(dir, "gray.png", BufferedImage.TYPE_BYTE_GRAY, 28);
        Path colour = png(dir, "colour.png", BufferedImage.TYPE_INT_RGB, 28);
        // Colour: a red dot makes it a colour image.
        BufferedImage c = ImageIO.read(colour.toFile());
        c.setRGB(0, 0, 0xFF0000);
        ImageIO.write(c, "png", colour.toFile());
        Path idx = data.resolve("t10k-images-idx3-ubyte.gz");
        Result r = run("predict", ckpt.toString(), gray.toString(), colour.toString(), idx.toString(), "--limit", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).matches("gray\\.png: " + TOP3), lines.get(0));
        assertTrue(lines.get(1).matches("colour\\.png: " + TOP3), lines.get(1));
        assertTrue(lines.get(2).matches("t10k-images-idx3-ubyte\\.gz#0: " + TOP3), lines.get(2));
        assertTrue(lines.get(3).startsWith("t10k-images-idx3-ubyte.gz#1: "), lines.get(3));
        assertEquals("note: " + colour + ": colour image, converted to gray (0.299 R + 0.587 G + 0.114 B)" + System.lineSeparator(), r.err());

        Result one = run("predict", ckpt.toString(), gray.toString(), "--top", "1");
        assertTrue(one.out().strip().matches("gray\\.png: " + CLASS + " \\d\\.\\d{3}"), one.out());
    }

    @Test
    void predictRefusesWrongImagesWithOneLine() throws IOException {
        Path big = png(dir, "big.png", BufferedImage.TYPE_BYTE_GRAY, 32);
        Path gray = png(dir, "gray.png", BufferedImage.TYPE_BYTE_GRAY, 28);
        fails(1, "lenet: " + big + ": image is 32×32, expected 28×28 (Fashion-MNIST's size)", "predict", ckpt.toString(),
                gray.toString(), big.toString());
        Path text = Files.writeString(dir.resolve("x.txt"), "not an image");
        fails(1, "lenet: " + text + ": not a PNG image nor an IDX images file", "predict", ckpt.toString(), text.toString());
        fails(1, "lenet: " + gray + ": not a lenet checkpoint", "predict", gray.toString(), gray.toString());
        fails(2, "--top must be 1..10, got 11", "predict", ckpt.toString(), gray.toString(), "--top", "11");
        fails(2, "Missing required parameter: 'FILE'", "predict", ckpt.toString());
    }
}
