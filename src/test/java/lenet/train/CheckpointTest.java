package lenet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** The checkpoint file: what goes in comes out bit for bit; anything else is refused with one line naming the file. */
class CheckpointTest {
    @TempDir
    Path dir;

    static Checkpoint sample() {
        TrainState state = new TrainState(3, 512, 1234.5, 400, 12.5, 40.25,
                List.of(new RunMetrics.Epoch(1, 2.3, 0.1, 0.12, 20.0, 3000.0), new RunMetrics.Epoch(2, 1.1, 0.6, 0.62, 20.25, 2962.9)),
                List.of(new RunMetrics.Point(0.5, 2.31, 0.09), new RunMetrics.Point(1.0, 2.3, 0.1), new RunMetrics.Point(2.5, 0.9, 0.7)));
        Params p = Params.xavier(5);
        p.c1b.set(0, Float.MIN_VALUE); // the smallest subnormal: bits must survive
        p.f3b.set(9, -0.0f);
        return new Checkpoint(new Checkpoint.Config(10, 256, 0.9f, 42, "java", "JVM, 2 threads, plain kernels", 2, "plain"),
                new Checkpoint.Data(60000, 10000, 0xCAFEBABEL), state, p);
    }

    /** The one-line message of reading {@code file}. */
    static String failure(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void whatIsWrittenIsReadBackExactly() {
        Checkpoint c = sample();
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, c);
        Checkpoint back = Checkpoint.read(file);
        assertEquals(c.config(), back.config());
        assertEquals(c.data(), back.data());
        assertEquals(c.state(), back.state());
        for (int j = 0; j < LeNet.PARAMS.size(); j++) {
            assertArrayEquals(bits(c.params().tensors().get(j).toHeapArray()), bits(back.params().tensors().get(j).toHeapArray()),
                    LeNet.PARAMS.get(j).name());
        }
    }

    @Test
    void theLayoutIsTheDocumentedOne() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, sample());
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("LENETCKP", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(8));
        int h = b.getInt(12);
        String header = new String(bytes, 16, h, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"conv1.weight\"") && header.contains("\"fc3.bias\""), header);
        assertEquals(16 + h + 4 * LeNet.parameterCount() + 32, bytes.length);
        // The first value after the header is conv1.weight[0,0,0,0].
        assertEquals(sample().params().c1w.get(0), b.getFloat(16 + h));
    }

    @Test
    void aFlippedBitAnywhereIsCaught() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, sample());
        byte[] good = Files.readAllBytes(file);
        for (int at : new int[] {20, good.length / 2, good.length - 40, good.length - 1}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(file, bad);
            assertTrue(failure(file).contains("corrupt or truncated checkpoint: its SHA-256 does not match"), "byte " + at);
        }
    }

    @Test
    void aTruncatedFileIsCaught() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, sample());
        byte[] good = Files.readAllBytes(file);
        for (int length : new int[] {good.length - 1, good.length / 2, 40, 10}) {
            Files.write(file, Arrays.copyOf(good, length));
            String m = failure(file);
            assertTrue(m.contains("corrupt or truncated") || m.contains("truncated checkpoint"), length + ": " + m);
        }
    }

    @Test
    void foreignFilesAreRefused() throws IOException {
        Path png = Files.write(dir.resolve("a.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        assertTrue(failure(png).endsWith("not a lenet checkpoint (it does not start with \"LENETCKP\")"), failure(png));
        Path json = Files.writeString(dir.resolve("metrics.json"), "{\"loss\": 0.5}");
        assertTrue(failure(json).contains("not a lenet checkpoint"), failure(json));
        Path empty = Files.write(dir.resolve("empty.ckpt"), new byte[0]);
        assertTrue(failure(empty).endsWith("empty file, not a lenet checkpoint"), failure(empty));
        assertTrue(failure(dir.resolve("missing.ckpt")).endsWith("no such file"));
        assertTrue(failure(dir).endsWith("is a folder, expected a checkpoint file"));
    }

    @Test
    void anotherFormatVersionIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("v2.ckpt"), Checkpoint.encode(sample(), 2, UnaryOperator.identity()));
        assertTrue(failure(file).endsWith("checkpoint format version 2, this lenet reads version 1"), failure(file));
    }

    @Test
    void tensorsOfAnotherNetworkAreRefused() throws IOException {
        // A valid file (checksum and all) whose header describes other tensors.
        Path renamed = Files.write(dir.resolve("renamed.ckpt"),
                Checkpoint.encode(sample(), 1, h -> h.replace("\"conv1.weight\"", "\"conv3.weight\"")));
        assertTrue(failure(renamed).contains("tensor 0 is conv3.weight [6, 1, 5, 5], expected conv1.weight [6, 1, 5, 5]"), failure(renamed));
        Path swapped = Files.write(dir.resolve("swapped.ckpt"),
                Checkpoint.encode(sample(), 1, h -> h.replace("\"conv1.weight\"", "\"3.weight\"")));
        assertTrue(failure(swapped).contains("tensor 0 is 3.weight [6, 1, 5, 5], expected conv1.weight [6, 1, 5, 5]"), failure(swapped));
        Path reshaped = Files.write(dir.resolve("reshaped.ckpt"), Checkpoint.encode(sample(), 1,
                h -> h.replaceFirst("(?s)(\"fc3\\.weight\",\\s*\"shape\": \\[\\s*)10", "$112")));
        assertTrue(failure(reshaped).contains("tensor 8 is fc3.weight [12, 84], expected fc3.weight [10, 84]"), failure(reshaped));
        Path garbled = Files.write(dir.resolve("garbled.ckpt"), Checkpoint.encode(sample(), 1, h -> h.replace("\"config\"", "\"config")));
        assertTrue(failure(garbled).contains("corrupt checkpoint header"), failure(garbled));
    }

    /**
     * Checkpoints written before the layers had names: the same bytes with the tensors under the d2l model's
     * nn.Sequential indices (0.weight … 11.bias). They still load, with every value in place.
     */
    @Test
    void aCheckpointWithPyTorchTensorNamesStillLoads() throws IOException {
        Checkpoint c = sample();
        String[] old = {"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"};
        Path file = Files.write(dir.resolve("old.ckpt"), Checkpoint.encode(c, 1, h -> {
            for (int j = 0; j < old.length; j++) {
                h = h.replace("\"name\": \"" + LeNet.PARAMS.get(j).name() + "\"", "\"name\": \"" + old[j] + "\"");
            }
            return h;
        }));
        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"7.weight\"") && !header.contains("fc1.weight"), "an old-format header");
        Checkpoint back = Checkpoint.read(file);
        assertEquals(c.config(), back.config());
        assertEquals(c.state(), back.state());
        for (int j = 0; j < LeNet.PARAMS.size(); j++) {
            assertArrayEquals(bits(c.params().tensors().get(j).toHeapArray()), bits(back.params().tensors().get(j).toHeapArray()),
                    LeNet.PARAMS.get(j).name());
        }
    }

    /**
     * Every model round-trips with its own tensors (lenet-bn's batch norms and running estimates too), and
     * the header records it; a header without a model (files written before there were models) is lenet.
     */
    @ParameterizedTest
    @EnumSource(Model.class)
    void theModelIsRecordedAndComesBack(Model model) throws IOException {
        Checkpoint c = sample();
        Params p = Params.xavier(model, 9);
        for (FloatArray t : p.tensors()) {
            t.set(0, t.get(0) + 0.125f); // running statistics and batch norm scales away from their initial 0 and 1
        }
        Checkpoint m = new Checkpoint(c.config(), c.data(), c.state(), p);
        Path file = dir.resolve(model.id() + ".ckpt");
        Checkpoint.write(file, m);
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains("\"model\": \"" + model.id() + "\""));
        Checkpoint back = Checkpoint.read(file);
        assertEquals(model, back.params().model);
        assertEquals(model.params().size(), back.params().tensors().size());
        for (int j = 0; j < model.params().size(); j++) {
            assertArrayEquals(bits(p.tensors().get(j).toHeapArray()), bits(back.params().tensors().get(j).toHeapArray()),
                    model.params().get(j).name());
        }
    }

    @Test
    void aHeaderWithoutAModelIsLeNetAndAnUnknownModelIsRefused() throws IOException {
        Path old = Files.write(dir.resolve("old.ckpt"), Checkpoint.encode(sample(), 1, h -> h.replace("\"model\": \"lenet\",", "")));
        assertFalse(new String(Files.readAllBytes(old), StandardCharsets.UTF_8).contains("\"model\""));
        assertEquals(Model.LENET, Checkpoint.read(old).params().model);
        Path unknown = Files.write(dir.resolve("unknown.ckpt"), Checkpoint.encode(sample(), 1, h -> h.replace("\"model\": \"lenet\"",
                "\"model\": \"alexnet\"")));
        assertEquals(unknown + ": model \"alexnet\" is not one this lenet knows (lenet, lenet-bn or lenet-relu)", failure(unknown));
        // A lenet-bn header over lenet's tensors: the tensor list does not match the model.
        Path mixed = Files.write(dir.resolve("mixed.ckpt"), Checkpoint.encode(sample(), 1, h -> h.replace("\"model\": \"lenet\"",
                "\"model\": \"lenet-bn\"")));
        assertEquals(mixed + ": 10 tensors, a lenet-bn checkpoint has 26", failure(mixed));
    }

    @Test
    void aFailedSaveLeavesTheSavedFileAndNoLitter() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, sample());
        byte[] before = Files.readAllBytes(file);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, "checkpoint", out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals(file + ": cannot write checkpoint (No space left on device)", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "the old checkpoint is untouched");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        Checkpoint.read(file);
    }

    @Test
    void aSaveIntoAMissingFolderSaysSo() {
        Path file = dir.resolve("no/such/folder/model.ckpt");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.write(file, sample()));
        assertEquals(file + ": cannot write checkpoint (no such folder)", e.getMessage());
    }

    private static int[] bits(float[] values) {
        int[] b = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = Float.floatToRawIntBits(values[i]);
        }
        return b;
    }
}
