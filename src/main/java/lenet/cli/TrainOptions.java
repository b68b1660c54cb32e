package lenet.cli;

import lenet.model.Model;
import java.nio.file.Path;

import lenet.engine.EngineKind;

/**
 * The options of {@code lenet train}, validated.
 *
 * @param data        the data folder given with {@code --data}, or null to look in the default places
 * @param trainLimit  how many training examples to use at most ({@link Integer#MAX_VALUE}: all)
 * @param testLimit   how many test examples to use at most ({@link Integer#MAX_VALUE}: all)
 * @param metricsJson where to write the metrics as JSON, or null
 * @param engine      the engine asked for (auto, java or tornado)
 * @param device      the TornadoVM device ({@code --device B:D}), or null for the default one
 * @param model       the network to train ({@code --model})
 */
public record TrainOptions(Path data, int epochs, int batchSize, float lr, long seed, int threads,
        int trainLimit, int testLimit, Path metricsJson, EngineKind engine, Device device, Model model) {

    /** A TornadoVM device: backend index and device index within it. */
    public record Device(int backend, int index) {
        @Override
        public String toString() {
            return backend + ":" + index;
        }
    }
}
