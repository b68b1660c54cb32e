package lenet.train;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What a resumed run may change. A checkpoint's history means "these epochs, with these settings, on
 * this data": the batch size, the learning rate, the seed, the training set and the test set (their
 * limits and their content) stay those of the checkpoint, or the history would mix two runs. The
 * number of epochs may grow (or shrink, down to the epochs done); the engine and thread count may
 * change (the weights then differ from an uninterrupted run's in the last bits).
 */
public final class Resume {
    private Resume() {
    }

    /** What the command line names; null where it names nothing (the checkpoint's setting then holds). */
    public record Asked(Integer epochs, Integer batchSize, Float lr, Long seed, Integer threads,
            Integer trainLimit, Integer testLimit) {
    }

    /**
     * The settings of the resumed run.
     *
     * @param threads    the checkpoint's JVM thread count unless the command line names one; null when neither does
     * @param trainLimit the checkpoint's training-set size
     * @param testLimit  the checkpoint's test-set size
     */
    public record Settings(int epochs, int batchSize, float lr, long seed, Integer threads, int trainLimit, int testLimit) {
    }

    /**
     * The settings of a run resumed from {@code c} (read from {@code file}).
     *
     * @throws ResumeException naming the option when the command line asks for another setting than the
     *                         checkpoint's, or for no more epochs than it has done
     */
    public static Settings settings(Path file, Checkpoint c, Asked asked) {
        Checkpoint.Config k = c.config();
        same("--batch-size", asked.batchSize(), k.batchSize(), "");
        same("--lr", asked.lr(), k.lr(), "");
        same("--seed", asked.seed(), k.seed(), "");
        same("--train-limit", asked.trainLimit(), c.data().trainExamples(), " training examples");
        same("--test-limit", asked.testLimit(), c.data().testExamples(), " test examples");
        int epochs = asked.epochs() != null ? asked.epochs() : k.epochs();
        if (c.state().complete(epochs)) {
            int done = c.state().epochsDone();
            throw new ResumeException("--resume " + file + ": that run has done " + done + (done == 1 ? " epoch" : " epochs")
                    + "; give --epochs N with N > " + done + " to train on");
        }
        Integer threads = asked.threads() != null ? asked.threads() : k.threads() >= 1 ? Integer.valueOf(k.threads()) : null;
        return new Settings(epochs, k.batchSize(), k.lr(), k.seed(), threads, c.data().trainExamples(), c.data().testExamples());
    }

    private static void same(String option, Object asked, Object saved, String unit) {
        if (asked != null && !Objects.equals(asked, saved)) {
            throw new ResumeException(option + " " + asked + " differs from the checkpoint's " + saved + unit
                    + " (--resume continues a run with its settings)");
        }
    }

    /**
     * Checks that this run's data is the checkpoint's: the same training set (size and CRC-32) and test
     * set (size, and CRC-32 where the checkpoint has it).
     *
     * @throws CheckpointException naming the checkpoint and both fingerprints
     */
    public static void checkData(Path file, Checkpoint c, Checkpoint.Data now) {
        Checkpoint.Data then = c.data();
        if (then.trainExamples() != now.trainExamples() || then.trainCrc32() != now.trainCrc32()) {
            throw new CheckpointException(file, String.format(Locale.ROOT,
                    "trained on other data (%,d training examples, CRC-32 %08x) than this run has (%,d, %08x); "
                            + "resume with the same --data and --train-limit", then.trainExamples(), then.trainCrc32(),
                    now.trainExamples(), now.trainCrc32()));
        }
        if (then.testExamples() != now.testExamples()
                || then.testCrc32() != null && now.testCrc32() != null && !then.testCrc32().equals(now.testCrc32())) {
            throw new CheckpointException(file, String.format(Locale.ROOT,
                    "tested on other data (%,d test examples%s) than this run has (%,d%s); its history would mix two "
                            + "test sets: resume with the same --data and --test-limit", then.testExamples(),
                    then.testCrc32() == null ? "" : String.format(Locale.ROOT, ", CRC-32 %08x", then.testCrc32()),
                    now.testExamples(), now.testCrc32() == null ? "" : String.format(Locale.ROOT, ", %08x", now.testCrc32())));
        }
    }
}
