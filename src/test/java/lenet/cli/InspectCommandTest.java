package lenet.cli;

import static lenet.cli.CliTest.fails;
import static lenet.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.cli.CliTest.Result;
import lenet.data.FashionMnist;
import lenet.data.ImageFiles;
import lenet.engine.FeatureMaps;
import lenet.engine.KernelSet;
import lenet.model.LeNet;
import lenet.model.Params;
import lenet.report.InspectPictures;
import lenet.train.Checkpoint;
import lenet.train.RunMetrics;
import lenet.train.TrainState;

/** {@code lenet inspect}: the pictures it writes, what they show, and its refusals. */
class InspectCommandTest {
    @TempDir
    Path dir;
    Path data;
    Path ckpt;
    Path test;
    Params params = Params.xavier(8);

    @BeforeEach
    void setUp() {
        data = FashionFiles.write(dir.resolve("data"), 4, 12);
        test = data.resolve("t10k-images-idx3-ubyte.gz");
        ckpt = dir.resolve("run").resolve("model.ckpt");
        try {
            Files.createDirectories(ckpt.getParent());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Checkpoint.write(ckpt, new Checkpoint(new Checkpoint.Config(1, 4, 0.9f, 8, "java", "JVM", 1, "plain"),
                new Checkpoint.Data(4, 12, 0), new TrainState(2, 0, 0, 0, 0, 1.0,
                        List.of(new RunMetrics.Epoch(1, 2.3, 0.1, 0.1, 1.0, 4.0)), List.of()), params));
    }

    /** A 28×28 gray PNG whose pixel (x, y) is (3x + 7y) mod 256: a pattern that changes when transposed or flipped. */
    static Path png(Path dir, String name) throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, (3 * x + 7 * y) % 256);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = new ArrayList<>(s.map(p -> p.getFileName().toString()).toList());
            Collections.sort(names);
            return names;
        }
    }

    @Test
    void drawsACardPerImageBothSideBySideAndTheFiltersFromTheNetworksOwnMaps() throws IOException {
        Path pattern = png(dir, "pattern.png");
        Path out = dir.resolve("pictures");
        Result r = run("inspect", ckpt.toString(), pattern.toString(), test + "#3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).matches("pattern\\.png: " + EvalPredictTest.TOP3), lines.get(0));
        assertTrue(lines.get(1).matches("t10k-images-idx3-ubyte\\.gz#3: " + EvalPredictTest.TOP3 + "; true class Dress"), lines.get(1));
        assertTrue(lines.get(2).startsWith("colour scales: conv1 0."), lines.get(2));
        assertEquals("wrote " + out + ": pattern-inside.png, t10k-images-idx3-ubyte-3-inside.png, side-by-side.png, conv1-filters.png",
                lines.get(3));
        assertEquals(List.of("conv1-filters.png", "pattern-inside.png", "side-by-side.png", "t10k-images-idx3-ubyte-3-inside.png"),
                files(out));

        // The maps the command draws are the forward pass's on these two images, as one batch.
        float[] pixels = new float[2 * LeNet.PIXELS];
        System.arraycopy(ImageFiles.read(pattern, 1, false, n -> { }).get(0).pixels(), 0, pixels, 0, LeNet.PIXELS);
        System.arraycopy(ImageFiles.read(Path.of(test + "#3"), 1, false, n -> { }).get(0).pixels(), 0, pixels, LeNet.PIXELS, LeNet.PIXELS);
        FeatureMaps maps = FeatureMaps.of(params, pixels, 2, KernelSet.CPU);
        InspectPictures p = new InspectPictures(maps, List.of("a", "b"), new int[] {-1, 3}, pixels, FashionMnist.CLASS_NAMES, 5);
        BufferedImage card = ImageIO.read(out.resolve("pattern-inside.png").toFile());
        BufferedImage idx = ImageIO.read(out.resolve("t10k-images-idx3-ubyte-3-inside.png").toFile());
        BufferedImage both = ImageIO.read(out.resolve("side-by-side.png").toFile());
        BufferedImage filters = ImageIO.read(out.resolve("conv1-filters.png").toFile());
        assertEquals(List.of(p.cardWidth(), p.cardHeight()), List.of(card.getWidth(), card.getHeight()));
        assertEquals(List.of(p.cardWidth(), p.cardHeight()), List.of(idx.getWidth(), idx.getHeight()));
        assertEquals(List.of(2 * p.cardWidth() + 1, p.cardHeight()), List.of(both.getWidth(), both.getHeight()));
        BufferedImage drawn = InspectPictures.filters(params);
        assertEquals(List.of(drawn.getWidth(), drawn.getHeight()), List.of(filters.getWidth(), filters.getHeight()));

        // The input as it is stored: pixel (x, y) of the PNG at column x, row y of the input tile.
        Rectangle in = p.inputTile();
        int s = InspectPictures.INPUT_SCALE;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = (3 * x + 7 * y) % 256;
                assertEquals(v << 16 | v << 8 | v, card.getRGB(in.x + x * s + s / 2, in.y + y * s + s / 2) & 0xFFFFFF, "input at y " + y + ", x " + x);
            }
        }
        // Every map of each image, in its own card and in the side-by-side picture.
        for (int i = 0; i < 2; i++) {
            BufferedImage own = i == 0 ? card : idx;
            for (int c = 0; c < LeNet.C1; c++) {
                mapShows(own, 0, p.conv1Tile(c), InspectPictures.CONV1_SCALE, LeNet.H1, p.conv1Range(), maps, i, c, true);
                mapShows(both, i * (p.cardWidth() + 1), p.conv1Tile(c), InspectPictures.CONV1_SCALE, LeNet.H1, p.conv1Range(), maps, i, c, true);
            }
            for (int c = 0; c < LeNet.C2; c++) {
                mapShows(own, 0, p.conv2Tile(c), InspectPictures.CONV2_SCALE, LeNet.H2, p.conv2Range(), maps, i, c, false);
                mapShows(both, i * (p.cardWidth() + 1), p.conv2Tile(c), InspectPictures.CONV2_SCALE, LeNet.H2, p.conv2Range(), maps, i, c, false);
            }
        }
    }

    static void mapShows(BufferedImage image, int ox, Rectangle t, int scale, int side, InspectPictures.Range r, FeatureMaps maps,
            int i, int c, boolean conv1) {
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float v = conv1 ? maps.conv1(i, c, y, x) : maps.conv2(i, c, y, x);
                int expected = InspectPictures.viridis(r.position(v));
                int got = image.getRGB(ox + t.x + x * scale + scale / 2, t.y + y * scale + scale / 2) & 0xFFFFFF;
                if (got != expected) {
                    throw new AssertionError((conv1 ? "conv1" : "conv2") + " image " + i + " map " + c + " at y " + y + ", x " + x
                            + ": colour " + Integer.toHexString(got) + ", expected " + Integer.toHexString(expected));
                }
            }
        }
    }

    @Test
    void withoutOutItWritesBesideTheCheckpointIntoANewFolderEachTime() throws IOException {
        Path pattern = png(dir, "pattern.png");
        Result first = run("inspect", ckpt.toString(), pattern.toString());
        assertEquals(0, first.code(), first.err());
        Path inspect = ckpt.getParent().resolve("inspect");
        assertEquals("wrote " + inspect + ": pattern-inside.png, conv1-filters.png", first.out().lines().toList().getLast());
        assertEquals(List.of("conv1-filters.png", "pattern-inside.png"), files(inspect));
        Result second = run("inspect", ckpt.toString(), pattern.toString(), pattern.toString(), "--top", "1");
        assertEquals(0, second.code(), second.err());
        Path two = ckpt.getParent().resolve("inspect-2");
        assertEquals("wrote " + two + ": pattern-inside.png, pattern-2-inside.png, side-by-side.png, conv1-filters.png",
                second.out().lines().toList().getLast());
        assertTrue(second.out().lines().findFirst().orElseThrow().matches("pattern\\.png: " + EvalPredictTest.CLASS + " \\d\\.\\d{3}"),
                second.out());
    }

    @Test
    void anExistingPictureIsReplacedOnlyWithForce() throws IOException {
        Path pattern = png(dir, "pattern.png");
        Path out = Files.createDirectories(dir.resolve("out"));
        Path old = Files.writeString(out.resolve("conv1-filters.png"), "old");
        fails(2, "--out " + out + ": conv1-filters.png exists: give another folder, or --force to replace it",
                "inspect", ckpt.toString(), pattern.toString(), "--out", out.toString());
        assertEquals("old", Files.readString(old));
        assertEquals(List.of("conv1-filters.png"), files(out), "nothing written");
        Result r = run("inspect", ckpt.toString(), pattern.toString(), "--out", out.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        assertEquals(InspectPictures.filters(params).getWidth(), ImageIO.read(old.toFile()).getWidth());
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        Path pattern = png(dir, "pattern.png");
        Path out = dir.resolve("out");
        String o = out.toString();
        Path bad = Files.writeString(dir.resolve("bad.ckpt"), "hello");
        fails(1, "lenet: " + bad + ": not a lenet checkpoint", "inspect", bad.toString(), pattern.toString(), "--out", o);
        fails(1, "lenet: " + dir.resolve("none.ckpt") + ": ", "inspect", dir.resolve("none.ckpt").toString(), pattern.toString(), "--out", o);
        BufferedImage big = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        Path bigPng = dir.resolve("big.png");
        ImageIO.write(big, "png", bigPng.toFile());
        fails(1, "lenet: " + bigPng + ": image is 32×32, expected 28×28 (Fashion-MNIST's size)",
                "inspect", ckpt.toString(), pattern.toString(), bigPng.toString(), "--out", o);
        Path text = Files.writeString(dir.resolve("x.txt"), "not an image");
        fails(1, "lenet: " + text + ": not a PNG image nor an IDX images file", "inspect", ckpt.toString(), text.toString(), "--out", o);
        fails(1, "lenet: " + test + ": an IDX file of many images; name one of them as " + test + "#N (N from 0)",
                "inspect", ckpt.toString(), test.toString(), "--out", o);
        fails(1, "lenet: " + test + "#12: no image 12: " + test + " holds 12 (#0 to #11)", "inspect", ckpt.toString(), test + "#12", "--out", o);
        fails(1, "lenet: " + dir.resolve("missing.png") + ": no such file", "inspect", ckpt.toString(), dir.resolve("missing.png").toString(), "--out", o);
        fails(2, "Missing required parameter: 'IMAGE'", "inspect", ckpt.toString(), "--out", o);
        fails(2, "--top must be 1..10, got 0", "inspect", ckpt.toString(), pattern.toString(), "--top", "0", "--out", o);
        String[] seventeen = new String[17 + 4];
        seventeen[0] = "inspect";
        seventeen[1] = ckpt.toString();
        for (int j = 0; j < 17; j++) {
            seventeen[2 + j] = pattern.toString();
        }
        seventeen[19] = "--out";
        seventeen[20] = o;
        fails(2, "at most 16 images, got 17", seventeen);
        fails(2, "--out " + pattern + " is a file, expected a folder", "inspect", ckpt.toString(), pattern.toString(), "--out", pattern.toString());
        // A folder that cannot be made (under a file: refused even to root).
        Path under = pattern.resolve("sub");
        fails(1, "lenet: --out " + under + ": cannot create the folder", "inspect", ckpt.toString(), pattern.toString(), "--out", under.toString());
        assertFalse(Files.exists(out), "no folder made by a failed command");
        // Nothing was written beside the checkpoint either.
        assertEquals(List.of("model.ckpt"), files(ckpt.getParent()));
    }

    @Test
    void neverReplacesAnInputImage() throws IOException {
        Path out = Files.createDirectories(dir.resolve("in"));
        Path input = png(out, "a-inside.png");
        Path a = png(out, "a.png");
        fails(2, "--out " + out + ": the picture a-inside.png would replace the input image " + input + ": give another folder",
                "inspect", ckpt.toString(), a.toString(), input.toString(), "--out", out.toString(), "--force");
    }
}
