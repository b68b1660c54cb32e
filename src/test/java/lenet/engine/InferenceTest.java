package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

import lenet.model.LeNet;
import lenet.model.Params;

/** The forward pass on its own (eval, predict) agrees with the engine that trains. */
class InferenceTest {
    @Test
    void predictionsAgreeWithTheJvmEngineAndProbabilitiesSumToOne() {
        Random r = new Random(9);
        int n = 21;
        float[] pixels = new float[n * LeNet.PIXELS];
        for (int j = 0; j < pixels.length; j++) {
            pixels[j] = r.nextFloat();
        }
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
        EngineData data = EngineData.of(pixels, labels, n, pixels, labels, n);
        try (JvmEngine engine = new JvmEngine(data, params, 0.1f, 8, 2, KernelSet.PLAIN)) {
            assertEquals(engine.evaluate(), correct, "correct predictions, as the training engine counts them");
        }
        // Each example's arithmetic does not depend on which batch it is in: two threads (other batches) give the same bits.
        Inference.Result two = Inference.run(params, pixels, n, 2, KernelSet.PLAIN);
        assertArrayEquals(one.probabilities(), two.probabilities());
        assertArrayEquals(one.predicted(), two.predicted());
    }
}
