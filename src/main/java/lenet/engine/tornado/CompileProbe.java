package lenet.engine.tornado;

import static uk.ac.manchester.tornado.api.enums.DataTransferMode.FIRST_EXECUTION;

import java.util.Arrays;
import java.util.List;

import lenet.engine.EngineException;
import lenet.engine.GraphSink;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Finds the kernel TornadoVM cannot compile. TornadoVM's failure while compiling a plan or a graph does
 * not say which task it was compiling; this compiles the tasks again one at a time, each in a plan of its
 * own, and names the first that fails.
 */
public final class CompileProbe {
    private CompileProbe() {
    }

    /**
     * The error for {@code failure}, thrown while TornadoVM compiled {@code graphs}: names the graph and task
     * whose kernel does not compile on {@code device} (null: TornadoVM's default) when one fails on its own,
     * else the graphs.
     */
    public static EngineException culprit(List<GraphSink> graphs, TornadoDevice device, Throwable failure) {
        int probe = 0;
        for (GraphSink g : graphs) {
            for (GraphSink.Call call : g.calls()) {
                TaskGraph one = new TaskGraph("probe" + probe++);
                Object[] arrays = Arrays.stream(call.args()).filter(a -> a instanceof TornadoNativeArray).distinct().toArray();
                try {
                    if (arrays.length > 0) {
                        one.transferToDevice(FIRST_EXECUTION, arrays);
                    }
                    call.addTo().accept(one);
                    try (TornadoExecutionPlan p = new TornadoExecutionPlan(one.snapshot())) {
                        if (device != null) {
                            p.withDevice(device);
                        }
                        p.withPreCompilation();
                    }
                } catch (Exception | Error e) {
                    if (TornadoErrors.fromTornado(e) && !TornadoErrors.outOfDeviceMemory(e)) {
                        return TornadoErrors.kernelFailed(g.name(), call.id(), e);
                    }
                }
            }
        }
        return TornadoErrors.graphFailed(String.join(", ", graphs.stream().map(GraphSink::name).toList()), failure);
    }
}
