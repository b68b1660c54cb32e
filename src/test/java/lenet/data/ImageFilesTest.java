package lenet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images to classify: PNG (gray, colour, 16-bit) and IDX files, and the one-line refusals. */
class ImageFilesTest {
    @TempDir
    Path dir;

    /** A 28×28 image of the given type whose pixel (x, y) has gray value (x + 28y) mod 256, or that colour. */
    static Path png(Path dir, String name, int type, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = (x + 28 * y) % 256;
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(x, y, 0, v); // setRGB would convert sRGB to linear gray
                } else {
                    image.setRGB(x, y, 0xFF000000 | v << 16 | v << 8 | v);
                }
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    static DataException refused(Path file) {
        DataException e = assertThrows(DataException.class, () -> ImageFiles.read(file, 10, false, n -> { }));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e;
    }

    @Test
    void aGrayPngReadsAsPixelOver255() throws IOException {
        Path file = png(dir, "gray.png", BufferedImage.TYPE_BYTE_GRAY, 28, 28);
        List<String> notes = new ArrayList<>();
        List<ImageFiles.Image> images = ImageFiles.read(file, 10, false, notes::add);
        assertEquals(1, images.size());
        assertEquals("gray.png", images.get(0).name());
        float[] p = images.get(0).pixels();
        assertEquals(784, p.length);
        assertEquals(0f, p[0]);
        assertEquals(100 / 255f, p[100]);
        assertEquals(1f, p[255]);
        assertEquals(List.of(), notes);
        float[] inverted = ImageFiles.read(file, 10, true, n -> { }).get(0).pixels();
        assertEquals(1f - 100 / 255f, inverted[100]);
    }

    @Test
    void colourIsConvertedToGrayWithANote() throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 0, 0xFF0000);
        Path file = dir.resolve("red.png");
        ImageIO.write(image, "png", file.toFile());
        List<String> notes = new ArrayList<>();
        float[] p = ImageFiles.read(file, 10, false, notes::add).get(0).pixels();
        assertEquals(0.299 * 255 / 255.0, p[3], 1e-6);
        assertEquals(List.of(file + ": colour image, converted to gray (0.299 R + 0.587 G + 0.114 B)"), notes);
        // A colour PNG that holds only grays needs no note.
        Path grays = png(dir, "rgb-gray.png", BufferedImage.TYPE_INT_RGB, 28, 28);
        List<String> none = new ArrayList<>();
        assertEquals(100 / 255f, ImageFiles.read(grays, 10, false, none::add).get(0).pixels()[100], 1e-6);
        assertEquals(List.of(), none);
    }

    @Test
    void sixteenBitGrayIsScaledTo01() throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(5, 0, 0, 65535);
        image.getRaster().setSample(6, 0, 0, 32768);
        Path file = dir.resolve("16.png");
        ImageIO.write(image, "png", file.toFile());
        float[] p = ImageFiles.read(file, 10, false, n -> { }).get(0).pixels();
        assertEquals(1f, p[5]);
        assertEquals(32768 / 65535f, p[6], 1e-7);
    }

    @Test
    void aLightBackgroundGetsANote() throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                image.getRaster().setSample(x, y, 0, 250);
            }
        }
        Path file = dir.resolve("white.png");
        ImageIO.write(image, "png", file.toFile());
        List<String> notes = new ArrayList<>();
        ImageFiles.read(file, 10, false, notes::add);
        assertEquals(List.of(file + ": the background looks light; Fashion-MNIST images are light objects on black"
                + " (--invert flips an image)"), notes);
        notes.clear();
        ImageFiles.read(file, 10, true, notes::add);
        assertEquals(List.of(), notes, "inverted, the background is dark");
    }

    @Test
    void wrongSizesAndNonImagesAreRefusedWithOneLine() throws IOException {
        Path big = png(dir, "big.png", BufferedImage.TYPE_BYTE_GRAY, 32, 28);
        assertEquals(big + ": image is 32×28, expected 28×28 (Fashion-MNIST's size)", refused(big).getMessage());
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, not a picture");
        assertEquals(text + ": not a PNG image nor an IDX images file", refused(text).getMessage());
        Path idx = IdxFiles.write(dir, "small-idx3-ubyte", IdxFiles.images(2, 20, 20));
        assertEquals(idx + ": images are 20×20, expected 28×28 (Fashion-MNIST's size)", refused(idx).getMessage());
        Path labels = IdxFiles.write(dir, "labels-idx1-ubyte", IdxFiles.labels(3));
        assertTrue(refused(labels).getMessage().contains("wrong magic number 0x00000801 (IDX labels), expected 0x00000803"),
                refused(labels).getMessage());
        assertEquals(dir.resolve("missing.png") + ": no such file", refused(dir.resolve("missing.png")).getMessage());
    }

    @Test
    void anIdxFileGivesItsImagesUpToTheLimit() {
        Path file = IdxFiles.write(dir, "t-images-idx3-ubyte.gz", IdxFiles.gzip(IdxFiles.images(5, 28, 28)));
        List<ImageFiles.Image> images = ImageFiles.read(file, 3, false, n -> { });
        assertEquals(List.of("t-images-idx3-ubyte.gz#0", "t-images-idx3-ubyte.gz#1", "t-images-idx3-ubyte.gz#2"),
                images.stream().map(ImageFiles.Image::name).toList());
        // Image 1 starts at byte 784 of the data, whose values run 0, 1, .., 255, 0, ..: 784 mod 256 = 16.
        assertEquals(16 / 255f, images.get(1).pixels()[0]);
    }

    @Test
    void fileHashNIsImageNOfAnIdxFileWithItsLabelFromTheFileBesideIt() {
        Path file = IdxFiles.write(dir, "t-images-idx3-ubyte.gz", IdxFiles.gzip(IdxFiles.images(5, 28, 28)));
        List<ImageFiles.Image> all = ImageFiles.read(file, 10, false, n -> { });
        // Without a labels file beside it, no label.
        assertEquals(ImageFiles.NO_LABEL, all.get(3).label());
        IdxFiles.write(dir, "t-labels-idx1-ubyte", IdxFiles.labels(5));
        List<ImageFiles.Image> three = ImageFiles.read(dir.resolve("t-images-idx3-ubyte.gz#3"), 10, false, n -> { });
        assertEquals(1, three.size());
        assertEquals("t-images-idx3-ubyte.gz#3", three.get(0).name());
        assertArrayEquals(all.get(3).pixels(), three.get(0).pixels());
        assertEquals(3, three.get(0).label(), "labels i mod 10");
        assertEquals(4, ImageFiles.read(file, 10, false, n -> { }).get(4).label());
        assertFalse(ImageFiles.isIdxFile(dir.resolve("t-images-idx3-ubyte.gz#3")));
        assertTrue(ImageFiles.isIdxFile(file));
        // A file whose name ends in #N is that file.
        Path odd = IdxFiles.write(dir, "odd#2", IdxFiles.images(1, 28, 28));
        assertEquals("odd#2#0", ImageFiles.read(odd, 10, false, n -> { }).get(0).name());
    }

    @Test
    void aMissingImageNOrHashNOfAPictureIsRefusedWithOneLine() throws IOException {
        Path file = IdxFiles.write(dir, "t-images-idx3-ubyte", IdxFiles.images(5, 28, 28));
        Path five = dir.resolve("t-images-idx3-ubyte#5");
        assertEquals(five + ": no image 5: " + file + " holds 5 (#0 to #4)", refused(five).getMessage());
        Path png = png(dir, "gray.png", BufferedImage.TYPE_BYTE_GRAY, 28, 28);
        Path entry = dir.resolve("gray.png#0");
        assertEquals(entry + ": #N picks an image of an IDX images file, and " + png + " is not one", refused(entry).getMessage());
        assertEquals(dir.resolve("none.gz#1") + ": no such file", refused(dir.resolve("none.gz#1")).getMessage());
        IdxFiles.write(dir, "t-labels-idx1-ubyte", IdxFiles.labels(4));
        DataException e = assertThrows(DataException.class, () -> ImageFiles.read(dir.resolve("t-images-idx3-ubyte#1"), 10, false, n -> { }));
        assertEquals(dir.resolve("t-labels-idx1-ubyte") + ": 4 labels, but t-images-idx3-ubyte holds 5 images", e.getMessage());
    }
}
