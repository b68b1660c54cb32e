package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

import lenet.data.Idx;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;

/** The forward pass on its own (eval, predict) agrees with the engine that trains. */
class InferenceTest {
    @Test
    void predictionsAgreeWithTheJvmEngineAndProbabilitiesSumToOne() {
        Random r = new Random(9);
        int n = 21;
        byte[] bytes = new byte[n * LeNet.PIXELS];
        r.nextBytes(bytes);
        ByteArray pixels = ByteArray.fromArray(bytes);
        int[] labels = r.ints(n, 0, 10).toArray();
        Params params = Params.xavier(3);
        Inference.Result one = Inference.run(params, pixels, n, 1, KernelSet.PLAIN);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += one.predicted()[i] == labels[i] ? 1 : 0;
            double sum = 0;
            float best = -1;
            for (int c = 0; c < LeNet.CLASSES; c++) {
                sum += one.probability(i, c);
                best = Math.max(best, one.probability(i, c));
            }
            // Softmax in float: ten terms, each rounded once (≈ 6e-8 relative): 1e-5 is ample.
            assertEquals(1.0, sum, 1e-5, "probabilities of example " + i);
            assertEquals(best, one.probability(i, one.predicted()[i]), "the predicted class is the most probable");
        }
        EngineData data = EngineData.of(bytes, labels, n, bytes, labels, n);
        try (JvmEngine engine = new JvmEngine(data, params, 0.1f, 8, 2, KernelSet.PLAIN)) {
            assertEquals(engine.evaluate(), correct, "correct predictions, as the training engine counts them");
        }
        // Each example's arithmetic does not depend on which batch it is in: two threads (other batches) give the same bits.
        Inference.Result two = Inference.run(params, pixels, n, 2, KernelSet.PLAIN);
        assertArrayEquals(one.probabilities(), two.probabilities());
        assertArrayEquals(one.predicted(), two.predicted());
        // Images given as floats (predict's pictures) take the same path once gathered: the same bits.
        float[] floats = new float[bytes.length];
        for (int j = 0; j < floats.length; j++) {
            floats[j] = Idx.value(bytes[j]);
        }
        Inference.Result fromFloats = Inference.run(params, floats, n, 2, KernelSet.PLAIN);
        assertArrayEquals(one.probabilities(), fromFloats.probabilities());
    }
}
