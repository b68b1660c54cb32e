package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lenet.engine.tornado.KernelDump;
import lenet.engine.tornado.KernelFiles;
import lenet.model.Params;
import lenet.train.Trainer;

/**
 * What the TornadoVM engine does for {@code --profile} and {@code --print-kernels}, on the stand-in
 * {@code tornado.api}. The stand-in prints no kernels: where TornadoVM would, the test writes into the
 * dump's file what TornadoVM prints (a compilation unit per task, in plan order) and checks where the
 * engine files it.
 */
class TornadoEngineStudyTest {
    @TempDir
    Path dir;

    @Test
    void theEngineProfilesItsSecondTrainingStep() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        Study study = new Study(null, true, 0, out);
        try (TornadoEngine engine = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(5), 0.9f, 4, null, study, null)) {
            engine.beginEpoch(Trainer.epochOrder(1, 1, 10), 0);
            engine.trainBatch(0, 4);
            assertEquals("", text.toString(), "the first step compiles: it is not the one shown");
            engine.trainBatch(4, 4);
            engine.trainBatch(8, 2);
        }
        String report = text.toString();
        int trainTasks = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(5), 0.9f, 4, null).graph(TornadoEngine.Graph.TRAIN).tasks().size();
        assertTrue(report.startsWith("profile of training step 2 (graph train, " + trainTasks + " kernels) on "), report);
        for (String task : List.of("batch.gather", "conv1.forwardSigmoidPool", "conv2.backwardPartials", "fc3.sumAndUpdate", "loss.accumulate")) {
            assertTrue(report.lines().anyMatch(l -> l.startsWith("  " + task + " ")), task + " in " + report);
        }
        assertEquals(1, report.lines().filter(l -> l.startsWith("profile of")).count(), "one step is shown: " + report);
    }

    /** A compilation unit as TornadoVM's OpenCL backend prints it, for a kernel with these arguments. */
    private static String unit(String kernel, String arguments) {
        List<String> params = new ArrayList<>(List.of("__global long *_kernel_context", "__constant uchar *_constant_region",
                "__local uchar *_local_region", "__global int *_atomics"));
        for (int j = 0; j < arguments.length(); j++) {
            params.add(switch (arguments.charAt(j)) {
                case 'a' -> "__global uchar *a" + j;
                case 'f' -> "__private float s" + j;
                default -> "__private int s" + j;
            });
        }
        return "#pragma OPENCL EXTENSION cl_khr_fp64 : enable  \n__kernel void " + kernel + "(" + String.join(", ", params)
                + ")\n{\n  // BLOCK 0\n  return;\n}  //  kernel\n\n";
    }

    /** What TornadoVM prints when it compiles these graphs: a unit per task, named after the task's last word. */
    private static String printedBy(List<GraphSink> graphs) {
        StringBuilder b = new StringBuilder();
        for (GraphSink g : graphs) {
            for (GraphSink.Call c : g.calls()) {
                b.append(unit(c.id().substring(c.id().lastIndexOf('.') + 1), KernelFiles.signature(c.args())));
            }
        }
        return b.toString();
    }

    /**
     * The warm-up compiles every graph of the plan before the first step, so TornadoVM prints every kernel
     * then: the engine hands them to all the graphs' tasks, not to the first graph it runs.
     */
    @Test
    void theKernelsPrintedByTheWarmUpGoToEveryGraphsTasks() throws IOException {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        KernelDump dump = KernelDump.prepare(dir);
        Study study = new Study(dir, false, 0, out);
        List<String> expected = new ArrayList<>();
        try (TornadoEngine engine = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(5), 0.9f, 4, null, study, dump)) {
            for (GraphSink g : engine.graphs()) {
                g.tasks().forEach(t -> expected.add(g.name() + "." + t + ".cl"));
            }
            Files.writeString(dir.resolve(KernelDump.RAW), printedBy(engine.graphs())); // as TornadoVM would, compiling the plan
            engine.warmUp();
            engine.beginEpoch(Trainer.epochOrder(1, 1, 10), 0);
            engine.trainBatch(0, 4);
            engine.trainBatch(4, 4);
            engine.trainBatch(8, 2);
            engine.evaluate();
        }
        List<String> written;
        try (Stream<Path> files = Files.list(dir)) {
            written = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertEquals(expected.stream().sorted().toList(), written, "one file per task of every graph, and the raw file removed: " + text);
        assertTrue(Files.readString(dir.resolve("train.conv2.backwardPartials.cl")).contains("__kernel void backwardPartials("));
        assertTrue(Files.readString(dir.resolve("evalTail.batch.gather.cl")).contains("__kernel void gather("));
        List<String> lines = text.toString().lines().toList();
        assertEquals(List.of("epoch", "train", "trainTail", "eval", "evalTail"),
                lines.stream().map(l -> l.replaceAll("kernels: graph (\\w+),.*", "$1")).toList(), text.toString());
        assertFalse(text.toString().contains("numbered"), text.toString());
    }

    /** Without a warm-up, each graph is compiled, and its kernels filed, at its first execution. */
    @Test
    void withoutAWarmUpEachGraphsKernelsAreFiledAtItsFirstExecution() throws IOException {
        StringWriter text = new StringWriter();
        KernelDump dump = KernelDump.prepare(dir);
        Study study = new Study(dir, false, 0, new PrintWriter(text));
        try (TornadoEngine engine = new TornadoEngine(TornadoEngineTest.data(), Params.xavier(5), 0.9f, 4, null, study, dump)) {
            Files.writeString(dir.resolve(KernelDump.RAW), printedBy(List.of(engine.graph(TornadoEngine.Graph.EPOCH))));
            engine.beginEpoch(Trainer.epochOrder(1, 1, 10), 0);
            Files.writeString(dir.resolve(KernelDump.RAW), printedBy(List.of(engine.graph(TornadoEngine.Graph.TRAIN))),
                    java.nio.file.StandardOpenOption.APPEND);
            engine.trainBatch(0, 4);
            engine.trainBatch(4, 4); // compiled already: nothing more to file
        }
        assertTrue(Files.exists(dir.resolve("epoch.batch.seek.cl")), text.toString());
        assertTrue(Files.exists(dir.resolve("train.conv1.forwardSigmoidPool.cl")), text.toString());
        assertEquals(List.of("epoch", "train"), text.toString().lines().map(l -> l.replaceAll("kernels: graph (\\w+),.*", "$1")).toList(), text.toString());
    }
}
