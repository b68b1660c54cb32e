package lenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import lenet.model.Params;

/** {@link Resume}: what a resumed run takes from its checkpoint, and what it refuses to change. */
class ResumePolicyTest {
    static final Path FILE = Path.of("runs/a/model.ckpt");

    /** Two epochs of five done, batch 4, lr 0.5, seed 42, 3 threads, 100 training and 30 test examples. */
    static Checkpoint checkpoint() {
        List<RunMetrics.Epoch> history = List.of(new RunMetrics.Epoch(1, 2.3, 0.1, 0.1, 1, 100), new RunMetrics.Epoch(2, 2.0, 0.3, 0.3, 1, 100));
        return new Checkpoint(new Checkpoint.Config(5, 4, 0.5f, 42, "java", "JVM", 3, "cpu"),
                new Checkpoint.Data(100, 30, 0xABCL, 0xDEFL), new TrainState(3, 0, 0, 0, 0, 2, history, List.of()), Params.zeros());
    }

    static Resume.Asked nothing() {
        return new Resume.Asked(null, null, null, null, null, null, null);
    }

    @Test
    void theCheckpointsSettingsHoldWhereNoneAreNamed() {
        assertEquals(new Resume.Settings(5, 4, 0.5f, 42, 3, 100, 30), Resume.settings(FILE, checkpoint(), nothing()));
        // The same values named again, more epochs, another thread count: all fine.
        assertEquals(new Resume.Settings(8, 4, 0.5f, 42, 1, 100, 30),
                Resume.settings(FILE, checkpoint(), new Resume.Asked(8, 4, 0.5f, 42L, 1, 100, 30)));
    }

    @Test
    void everySettingThatChangesWhatTheHistoryMeansIsRefused() {
        assertEquals("--batch-size 8 differs from the checkpoint's 4 (--resume continues a run with its settings)",
                refused(new Resume.Asked(null, 8, null, null, null, null, null)));
        assertEquals("--lr 0.1 differs from the checkpoint's 0.5 (--resume continues a run with its settings)",
                refused(new Resume.Asked(null, null, 0.1f, null, null, null, null)));
        assertEquals("--seed 7 differs from the checkpoint's 42 (--resume continues a run with its settings)",
                refused(new Resume.Asked(null, null, null, 7L, null, null, null)));
        assertEquals("--train-limit 50 differs from the checkpoint's 100 training examples (--resume continues a run with its settings)",
                refused(new Resume.Asked(null, null, null, null, null, 50, null)));
        assertEquals("--test-limit 10 differs from the checkpoint's 30 test examples (--resume continues a run with its settings)",
                refused(new Resume.Asked(null, null, null, null, null, null, 10)));
        assertEquals("--resume runs/a/model.ckpt: that run has done 2 epochs; give --epochs N with N > 2 to train on",
                refused(new Resume.Asked(2, null, null, null, null, null, null)));
    }

    private static String refused(Resume.Asked asked) {
        return assertThrows(ResumeException.class, () -> Resume.settings(FILE, checkpoint(), asked)).getMessage();
    }

    @Test
    void otherDataIsRefused() {
        Resume.checkData(FILE, checkpoint(), new Checkpoint.Data(100, 30, 0xABCL, 0xDEFL));
        Resume.checkData(FILE, checkpoint(), new Checkpoint.Data(100, 30, 0xABCL, null));
        String train = assertThrows(CheckpointException.class,
                () -> Resume.checkData(FILE, checkpoint(), new Checkpoint.Data(100, 30, 0xABDL, 0xDEFL))).getMessage();
        assertTrue(train.startsWith(FILE + ": trained on other data (100 training examples, CRC-32 00000abc) than this run has (100, 00000abd)"), train);
        String count = assertThrows(CheckpointException.class,
                () -> Resume.checkData(FILE, checkpoint(), new Checkpoint.Data(100, 25, 0xABCL, 0xDEFL))).getMessage();
        assertTrue(count.startsWith(FILE + ": tested on other data (30 test examples, CRC-32 00000def) than this run has (25, 00000def)"), count);
        String content = assertThrows(CheckpointException.class,
                () -> Resume.checkData(FILE, checkpoint(), new Checkpoint.Data(100, 30, 0xABCL, 0x123L))).getMessage();
        assertTrue(content.contains("tested on other data"), content);
        // A checkpoint written before the test set's CRC was kept: only the count can be checked.
        Checkpoint old = new Checkpoint(checkpoint().config(), new Checkpoint.Data(100, 30, 0xABCL), checkpoint().state(), Params.zeros());
        Resume.checkData(FILE, old, new Checkpoint.Data(100, 30, 0xABCL, 0x123L));
    }
}
