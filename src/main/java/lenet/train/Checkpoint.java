package lenet.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import lenet.data.Idx;
import lenet.data.IoErrors;
import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A saved model, and the run that made it, far enough to resume it: the model ({@link Model}) and its
 * tensors, the run's configuration, a fingerprint of its data, and its {@link TrainState}. The file format
 * (docs/checkpoint.md), all numbers little-endian:
 *
 * <pre>
 * offset  size  content
 * 0       8     magic "LENETCKP" (ASCII)
 * 8       4     format version, int32 = {@value #VERSION}
 * 12      4     header length H in bytes, int32
 * 16      H     header: UTF-8 JSON (format, model, tensors: name and shape of each, config, data, state)
 * 16+H    4·N   the tensors' values, float32, in header order (Model.params() order), each in PyTorch layout
 * end−32  32    SHA-256 of every byte before it
 * </pre>
 *
 * Files are written atomically ({@link AtomicFile}); a reader rejects, with one line naming the file, a
 * foreign file (magic), another format version, any corruption or truncation (checksum), tensors
 * that do not match the model's (by name, or by PyTorch name in files written before the layers had
 * names, or by shape; files written before models were named hold {@code lenet}), an unknown model, and, although the checksum holds, a header field out of its
 * range ({@link HeaderCheck}, naming the field) or a parameter that is not finite.
 */
public record Checkpoint(Config config, Data data, TrainState state, Params params) {
    public static final int VERSION = 1;
    public static final String FORMAT = "lenet checkpoint";
    private static final byte[] MAGIC = "LENETCKP".getBytes(StandardCharsets.US_ASCII);
    private static final int HEAD = 16;
    private static final int DIGEST = 32;
    /** Far above a LeNet checkpoint (about 250 KB plus the history): a larger file is not one. */
    private static final long MAX_SIZE = 64L << 20;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    /**
     * The run's settings. {@code engine}, {@code device}, {@code threads} and {@code kernels} say what
     * ran it (a resumed run matches an uninterrupted one bit for bit on the same engine and thread count).
     */
    public record Config(int epochs, int batchSize, float lr, long seed, String engine, String device, int threads, String kernels) {
    }

    /**
     * Which data the run trained and was tested on: the sizes, the CRC-32 of the training labels (one
     * byte each) followed by the training pixels (each as the float32 value its byte stands for,
     * little-endian), and the same of the test set ({@code testCrc32}; null in checkpoints written before
     * it was added), to catch a resume on other data.
     */
    public record Data(int trainExamples, int testExamples, long trainCrc32, Long testCrc32) {
        public Data(int trainExamples, int testExamples, long trainCrc32) {
            this(trainExamples, testExamples, trainCrc32, null);
        }

        public static Data of(ByteArray trainPixels, int[] trainLabels, int trainCount,
                ByteArray testPixels, int[] testLabels, int testCount) {
            return new Data(trainCount, testCount, crc32(trainPixels, trainLabels, trainCount),
                    crc32(testPixels, testLabels, testCount));
        }

        /** The CRC-32 of the labels (one byte each) followed by the pixels (the float32 each byte stands for, little-endian). */
        static long crc32(ByteArray pixels, int[] labels, int count) {
            CRC32 crc = new CRC32();
            for (int i = 0; i < count; i++) {
                crc.update(labels[i]);
            }
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            long values = (long) count * LeNet.PIXELS;
            for (long i = 0; i < values; ) {
                chunk.clear();
                while (chunk.remaining() >= 4 && i < values) {
                    chunk.putFloat(Idx.value(pixels.get((int) i++)));
                }
                chunk.flip();
                crc.update(chunk);
            }
            return crc.getValue();
        }
    }

    private record Tensor(String name, int[] shape) {
    }

    /** {@code model} is null in files written before there was a choice of models: they hold {@code lenet}. */
    private record Header(String format, String model, List<Tensor> tensors, Config config, Data data, TrainState state) {
    }

    /** Writes {@code file} atomically: on failure the file keeps its old content. */
    public static void write(Path file, Checkpoint c) {
        byte[] bytes = encode(c);
        AtomicFile.write(file, "checkpoint", out -> out.write(bytes));
    }

    static byte[] encode(Checkpoint c) {
        return encode(c, VERSION, UnaryOperator.identity());
    }

    /** The file's bytes, with the given version and the header JSON passed through {@code edit} (tests write odd files). */
    static byte[] encode(Checkpoint c, int version, UnaryOperator<String> edit) {
        Model model = c.params.model;
        List<Tensor> shapes = model.params().stream().map(p -> new Tensor(p.name(), p.shape())).toList();
        String header = edit.apply(GSON.toJson(new Header(FORMAT, model.id(), shapes, c.config, c.data, c.state)));
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        List<FloatArray> tensors = c.params.tensors();
        int values = tensors.stream().mapToInt(FloatArray::getSize).sum();
        ByteBuffer b = ByteBuffer.allocate(HEAD + json.length + 4 * values + DIGEST).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(version).putInt(json.length).put(json);
        for (FloatArray t : tensors) {
            for (int i = 0; i < t.getSize(); i++) {
                b.putFloat(t.get(i));
            }
        }
        b.put(sha256(b.array(), b.position()));
        return b.array();
    }

    public static Checkpoint read(Path file) {
        byte[] bytes = load(file);
        if (bytes.length == 0) {
            throw new CheckpointException(file, "empty file, not a lenet checkpoint");
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CheckpointException(file, "not a lenet checkpoint (it does not start with \"LENETCKP\")");
        }
        if (bytes.length < HEAD + DIGEST) {
            throw new CheckpointException(file, "truncated checkpoint (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new CheckpointException(file, "checkpoint format version " + Integer.toUnsignedString(version)
                    + ", this lenet reads version " + VERSION);
        }
        byte[] digest = sha256(bytes, bytes.length - DIGEST);
        if (!Arrays.equals(digest, 0, DIGEST, bytes, bytes.length - DIGEST, bytes.length)) {
            throw new CheckpointException(file, "corrupt or truncated checkpoint: its SHA-256 does not match its content ("
                    + bytes.length + " bytes)");
        }
        int length = b.getInt(12);
        if (length < 2 || length > bytes.length - HEAD - DIGEST) {
            throw new CheckpointException(file, "corrupt checkpoint: header length " + Integer.toUnsignedString(length)
                    + " does not fit a file of " + bytes.length + " bytes");
        }
        String json = new String(bytes, HEAD, length, StandardCharsets.UTF_8);
        HeaderCheck.check(file, json);
        Header h;
        try {
            h = GSON.fromJson(json, Header.class);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new CheckpointException(file, "corrupt checkpoint header (" + IoErrors.reason(e) + ")");
        }
        if (!FORMAT.equals(h.format)) {
            throw new CheckpointException(file, "not a lenet checkpoint (format \"" + h.format + "\")");
        }
        Model model;
        try {
            model = h.model == null ? Model.LENET : Model.named(h.model);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "model \"" + h.model + "\" is not one this lenet knows (" + Model.choices() + ")");
        }
        checkTensors(file, model, h.tensors);
        long expected = (long) HEAD + length + 4L * model.parameterCount() + DIGEST;
        if (bytes.length != expected) {
            throw new CheckpointException(file, "corrupt checkpoint: " + bytes.length + " bytes, its header describes "
                    + expected);
        }
        b.position(HEAD + length);
        Params p = Params.zeros(model);
        for (int j = 0; j < p.tensors().size(); j++) {
            FloatArray t = p.tensors().get(j);
            for (int i = 0; i < t.getSize(); i++) {
                float v = b.getFloat();
                if (!Float.isFinite(v)) {
                    throw new CheckpointException(file, "tensor " + model.params().get(j).name() + " holds " + v + " at index " + i
                            + ": not a usable model (its run diverged, or the file was made so)");
                }
                t.set(i, v);
            }
        }
        return new Checkpoint(h.config, h.data, h.state, p);
    }

    private static void checkTensors(Path file, Model model, List<Tensor> tensors) {
        List<LeNet.Param> params = model.params();
        if (tensors.size() != params.size()) {
            throw new CheckpointException(file, tensors.size() + " tensors, a " + model.id() + " checkpoint has " + params.size());
        }
        for (int j = 0; j < tensors.size(); j++) {
            Tensor t = tensors.get(j);
            LeNet.Param p = params.get(j);
            if (t == null || t.name() == null || t.shape() == null) {
                throw new CheckpointException(file, "corrupt checkpoint header: tensors[" + j + "] lacks its name or shape");
            }
            // Checkpoints written before the layers had names call the tensors by their PyTorch names (0.weight, …).
            boolean named = p.name().equals(t.name()) || p.pytorchName().equals(t.name());
            if (!named || !Arrays.equals(p.shape(), t.shape())) {
                throw new CheckpointException(file, "tensor " + j + " is " + t.name() + " " + Arrays.toString(t.shape())
                        + ", expected " + p.name() + " " + Arrays.toString(p.shape()) + " (not a " + model.id() + " model)");
            }
        }
    }

    private static byte[] load(Path file) {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file, "is a folder, expected a checkpoint file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or a device (/dev/zero) would block or never end.
            throw new CheckpointException(file, "not a regular file (a pipe, socket or device), expected a checkpoint file");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_SIZE) {
                throw new CheckpointException(file, "not a lenet checkpoint (" + size + " bytes, far too large)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new CheckpointException(file, "cannot read: permission denied");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read (" + IoErrors.reason(e) + ")");
        }
    }

    private static byte[] sha256(byte[] bytes, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
