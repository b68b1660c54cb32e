package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import lenet.model.LeNet;
import lenet.model.Model;
import lenet.model.Params;

/**
 * One name per thing: every task the TornadoVM engine builds is {@code layer.kernel} with a layer of
 * {@link LeNet#PARAMS} (or {@code loss.*}, {@code batch.*}), and is a row of {@code check-kernels}.
 */
class TaskNamesTest {
    @ParameterizedTest
    @EnumSource(Model.class)
    void everyTaskIsNamedByItsLayerAndIsACheckKernelsRow(Model model) {
        Set<String> layers = model.params().stream().map(LeNet.Param::layer).collect(Collectors.toSet());
        assertEquals(model.batchNorm() ? Set.of("conv1", "conv2", "fc1", "fc2", "fc3", "bn1", "bn2", "bn3", "bn4")
                : Set.of("conv1", "conv2", "fc1", "fc2", "fc3"), layers);
        Set<String> rows = KernelChecks.ALL.stream().map(KernelChecks.Check::id).collect(Collectors.toSet());
        List<String> seen = new ArrayList<>();
        try (TornadoEngine engine = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(model, 5), 0.9f, 4, null)) {
            for (GraphSink g : engine.graphs()) {
                for (String task : g.tasks()) {
                    String group = task.substring(0, Math.max(0, task.indexOf('.')));
                    assertTrue(task.matches("[a-z0-9]+\\.[a-z][A-Za-z]*") && (layers.contains(group) || group.equals("loss") || group.equals("batch")),
                            "graph " + g.name() + ": task " + task + " is not layer.kernel");
                    assertTrue(rows.contains(task), "graph " + g.name() + ": task " + task + " has no check-kernels row");
                    seen.add(task);
                }
            }
        }
        List<String> expected = switch (model) {
            case LENET -> List.of("conv1.forwardSigmoidPool", "fc1.forwardSigmoid", "fc2.backwardInputSigmoid", "fc1.sumAndUpdate",
                    "conv1.poolBackwardSigmoid", "loss.forwardBackward", "batch.gather");
            case LENET_RELU -> List.of("conv1.forwardReluMaxPool", "fc1.forwardRelu", "fc2.backwardInputRelu", "conv1.poolBackwardRelu",
                    "fc1.sumAndUpdate", "loss.forwardBackward");
            case LENET_BN -> List.of("conv1.forward", "bn1.statsPartials", "bn1.stats", "bn1.updateRunning", "bn1.forwardSigmoidPool",
                    "bn3.forwardSigmoid", "bn4.backwardPartials", "bn4.sums", "bn4.backwardInput", "bn4.update", "conv1.poolBackwardSigmoid");
        };
        assertTrue(seen.containsAll(expected), seen.toString());
    }

    /** Parameters are named by layer; their PyTorch names (the fixture, old checkpoints) are the d2l nn.Sequential indices. */
    @Test
    void parametersAreNamedByLayer() {
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                "fc3.weight", "fc3.bias"), LeNet.PARAMS.stream().map(LeNet.Param::name).toList());
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"),
                LeNet.PARAMS.stream().map(LeNet.Param::pytorchName).toList());
    }
}
