package lenet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lenet.engine.Engine;
import lenet.engine.EngineKind;
import lenet.engine.JvmEngine;
import lenet.engine.KernelSet;
import lenet.engine.tornado.KernelProfile;
import lenet.model.Params;

/**
 * The trainer puts the engine's {@code --profile} figures into the run's metrics by the time an epoch's
 * metrics are written. {@code --profile} needs TornadoVM; here a JVM engine trains for real and reports
 * a profile as the TornadoVM engine does once its second step was profiled.
 */
class TrainerProfileTest {
    private static final KernelProfile PROFILE = new KernelProfile(2, "train", "a device", 10, 8, 0.05, 0.5, 48, 24,
            List.of(new KernelProfile.Kernel("conv1.forward", "Conv2d.forward", 8, 0.8, null)));

    /** A JVM engine that has a profile after its second step. */
    private static final class Profiled implements Engine {
        private final JvmEngine engine;
        private int steps;

        Profiled(JvmEngine engine) {
            this.engine = engine;
        }

        @Override
        public KernelProfile profile() {
            return steps >= 2 ? PROFILE : null;
        }

        @Override
        public EngineKind kind() {
            return engine.kind();
        }

        @Override
        public String device() {
            return engine.device();
        }

        @Override
        public void beginEpoch(int[] order, int first) {
            engine.beginEpoch(order, first);
        }

        @Override
        public void trainBatch(int start, int count) {
            engine.trainBatch(start, count);
            steps++;
        }

        @Override
        public Totals totals() {
            return engine.totals();
        }

        @Override
        public int evaluate() {
            return engine.evaluate();
        }

        @Override
        public Params params() {
            return engine.params();
        }

        @Override
        public void setParams(Params params) {
            engine.setParams(params);
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    @Test
    void eachEpochsMetricsHoldTheProfile() {
        List<KernelProfile> written = new ArrayList<>();
        TrainListener listener = new TrainListener() {
            @Override
            public void epochEnded(RunMetrics metrics, TrainState state) {
                written.add(metrics.profile);
            }
        };
        TrainConfig config = new TrainConfig(2, ResumeTest.BATCH, 0.5f, 7);
        try (Profiled engine = new Profiled(new JvmEngine(ResumeTest.data(), Params.xavier(7), 0.5f, ResumeTest.BATCH, 1,
                KernelSet.PLAIN))) {
            RunMetrics m = new Trainer(config, engine, ResumeTest.TRAIN, ResumeTest.TEST, listener, TrainState.start()).run();
            assertSame(PROFILE, m.profile);
        }
        assertEquals(List.of(PROFILE, PROFILE), written, "in the metrics written after each epoch (3 steps each)");
    }

    @Test
    void noProfileNoField() {
        try (JvmEngine engine = new JvmEngine(ResumeTest.data(), Params.xavier(7), 0.5f, ResumeTest.BATCH, 1, KernelSet.PLAIN)) {
            RunMetrics m = new Trainer(new TrainConfig(1, ResumeTest.BATCH, 0.5f, 7), engine, ResumeTest.TRAIN, ResumeTest.TEST,
                    new TrainListener() { }, TrainState.start()).run();
            assertNull(m.profile);
        }
    }
}
