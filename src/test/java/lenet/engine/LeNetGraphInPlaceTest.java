package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lenet.model.Model;
import lenet.model.Params;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LeNetGraph} with {@link Activations#gradientsInPlace}: the fused step, whose gradient stages take
 * the SGD step before the next layer's input gradient would read the weights, cannot be built on such
 * buffers. (That the backward pass on them trains as on separate buffers, the JVM engine's ten steps against
 * PyTorch check: {@code PyTorchFixtureTest}, {@code ModelFixtureTest}.)
 */
class LeNetGraphInPlaceTest {
    @ParameterizedTest
    @EnumSource(Model.class)
    void theFusedStepRefusesGradientsInPlace(Model model) {
        Params w = Params.xavier(model, 1);
        Params grads = Params.zeros(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LeNetGraph.step(new Recorder(), KernelSet.PLAIN, w, grads, new Activations(model, 16, true), 1.0f, 0.1f));
        assertTrue(e.getMessage().contains("gradients in place"), e.getMessage());
        assertDoesNotThrow(() -> LeNetGraph.step(new Recorder(), KernelSet.PLAIN, w, grads, new Activations(model, 16, false), 1.0f, 0.1f));
    }
}
