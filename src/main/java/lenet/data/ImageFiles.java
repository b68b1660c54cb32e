package lenet.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * Images to classify, read as Fashion-MNIST presents them: 28×28, one gray value per pixel in [0, 1]
 * (byte / 255), a light object on a black background. A file is either an IDX images file (raw or gzip,
 * as the data set itself), one image of it named {@code FILE#N} (N from 0), or a picture
 * {@code javax.imageio} reads (PNG; also JPEG, BMP, GIF). An image of an IDX file carries its label when
 * the matching labels file lies beside it ({@code …-images-idx3-ubyte} → {@code …-labels-idx1-ubyte},
 * raw or .gz, as in the data set's folder).
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** The label of an image whose class is not known. */
    public static final int NO_LABEL = -1;

    /**
     * One image: its name (file, or file#index in an IDX file), 784 pixels row by row, and its class
     * ({@link #NO_LABEL} when not known).
     */
    public record Image(String name, float[] pixels, int label) {
        public Image(String name, float[] pixels) {
            this(name, pixels, NO_LABEL);
        }
    }

    /**
     * Reads {@code file}: all its images (at most {@code limit} from an IDX file), or the one image
     * {@code FILE#N} names when no file has that name.
     *
     * @param invert replace every value v by 1 − v (for dark objects on a light background)
     * @param notes  receives one-line remarks about conversions (colour to gray, transparency, a light background)
     * @throws DataException one line naming the file: not an image, wrong size, unreadable, no image N
     */
    public static List<Image> read(Path file, int limit, boolean invert, Consumer<String> notes) {
        Entry entry = entry(file);
        if (entry != null) {
            return List.of(entry.read(invert));
        }
        if (isIdx(file)) {
            return idx(file, limit, invert);
        }
        return List.of(picture(file, invert, notes));
    }

    /** Whether {@code file} is an IDX images file (a picture is not). */
    public static boolean isIdxFile(Path file) {
        return entry(file) == null && isIdx(file);
    }

    private static final Pattern ENTRY = Pattern.compile("(.+)#(\\d{1,9})");

    /** {@code FILE#N}: image N of an IDX images file. */
    private record Entry(Path name, Path file, int index) {
        Image read(boolean invert) {
            if (!isIdx(file)) {
                throw DataException.of(name, "#N picks an image of an IDX images file, and " + file + " is not one");
            }
            List<Image> all = idx(file, Integer.MAX_VALUE, invert);
            if (index >= all.size()) {
                throw DataException.of(name, "no image " + index + ": " + file + " holds " + all.size()
                        + " (#0 to #" + (all.size() - 1) + ")");
            }
            return all.get(index);
        }
    }

    /** The entry {@code file} names: its name ends in #digits, no file has that name, and the file before the # exists. */
    private static Entry entry(Path file) {
        Path name = file.getFileName();
        if (name == null || Files.exists(file)) {
            return null;
        }
        var m = ENTRY.matcher(name.toString());
        if (!m.matches()) {
            return null;
        }
        Path base = file.resolveSibling(m.group(1));
        return Files.exists(base) ? new Entry(file, base, Integer.parseInt(m.group(2))) : null;
    }

    private static boolean isIdx(Path file) {
        try (InputStream in = Idx.open(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == 8;
        } catch (IOException e) {
            throw Idx.readError(file, e);
        }
    }

    private static List<Image> idx(Path file, int limit, boolean invert) {
        Idx.Images images = Idx.readImages(file);
        if (images.rows() != FashionMnist.SIDE || images.cols() != FashionMnist.SIDE) {
            throw DataException.of(file, "images are %d×%d, expected %d×%d (Fashion-MNIST's size)"
                    .formatted(images.rows(), images.cols(), FashionMnist.SIDE, FashionMnist.SIDE));
        }
        int n = Math.min(limit, images.count());
        int[] labels = labels(file, images.count());
        int size = FashionMnist.SIDE * FashionMnist.SIDE;
        List<Image> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] p = new float[size];
            for (int j = 0; j < size; j++) {
                p[j] = Idx.value(images.pixels().get(i * size + j));
            }
            if (invert) {
                invert(p);
            }
            out.add(new Image(file.getFileName() + "#" + i, p, labels == null ? NO_LABEL : labels[i]));
        }
        return out;
    }

    /**
     * The labels of an IDX images file from the labels file beside it ({@code -images-idx3-} → {@code -labels-idx1-},
     * raw or .gz), or null when there is none.
     */
    private static int[] labels(Path images, int count) {
        String name = images.getFileName().toString().replaceFirst("\\.gz$", "");
        if (!name.contains("-images-idx3-")) {
            return null;
        }
        Path labels = FashionMnist.file(images.toAbsolutePath().getParent(), name.replace("-images-idx3-", "-labels-idx1-"));
        if (labels == null) {
            return null;
        }
        int[] l = Idx.readLabels(labels, FashionMnist.CLASSES);
        if (l.length != count) {
            throw DataException.of(labels, "%d labels, but %s holds %d images".formatted(l.length, images.getFileName(), count));
        }
        return l;
    }

    private static Image picture(Path file, boolean invert, Consumer<String> notes) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw DataException.of(file, "cannot read as an image (" + Idx.reason(e) + ")");
        }
        if (image == null) {
            throw DataException.of(file, "not a PNG image nor an IDX images file");
        }
        int side = FashionMnist.SIDE;
        if (image.getWidth() != side || image.getHeight() != side) {
            throw DataException.of(file, "image is %d×%d, expected %d×%d (Fashion-MNIST's size)"
                    .formatted(image.getWidth(), image.getHeight(), side, side));
        }
        float[] p = new float[side * side];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm.getNumComponents() == 1 && cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
                && raster.getNumBands() == 1) {
            double max = (1L << cm.getComponentSize(0)) - 1;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    p[y * side + x] = (float) (raster.getSample(x, y, 0) / max);
                }
            }
        } else {
            boolean colour = false;
            boolean transparent = false;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int argb = image.getRGB(x, y);
                    int a = argb >>> 24;
                    int r = (argb >> 16) & 0xFF;
                    int g = (argb >> 8) & 0xFF;
                    int b = argb & 0xFF;
                    colour |= r != g || g != b;
                    transparent |= a != 0xFF;
                    // Luma (ITU-R BT.601, as PIL's convert("L")), over a black background where transparent.
                    double gray = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
                    p[y * side + x] = (float) (gray * a / 255.0);
                }
            }
            if (colour) {
                notes.accept(file + ": colour image, converted to gray (0.299 R + 0.587 G + 0.114 B)");
            }
            if (transparent) {
                notes.accept(file + ": transparent pixels taken over a black background");
            }
        }
        if (invert) {
            invert(p);
        }
        if (border(p) > 0.5) {
            notes.accept(file + ": the background looks light; Fashion-MNIST images are light objects on black"
                    + (invert ? "" : " (--invert flips an image)"));
        }
        return new Image(file.getFileName().toString(), p);
    }

    /** Mean value of the outermost ring of pixels. */
    static double border(float[] p) {
        int side = FashionMnist.SIDE;
        double sum = 0;
        int n = 0;
        for (int i = 0; i < side; i++) {
            sum += p[i] + p[(side - 1) * side + i] + p[i * side] + p[i * side + side - 1];
            n += 4;
        }
        return sum / n;
    }

    private static void invert(float[] p) {
        for (int i = 0; i < p.length; i++) {
            p[i] = 1.0f - p[i];
        }
    }
}
