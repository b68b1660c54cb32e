package lenet.engine.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@code --print-kernels}: TornadoVM's printed kernels, all in one file, cut into compilation units and
 * handed to the tasks of the graphs that were compiled. Two samples: {@code tornadovm-kernels-sample.cl},
 * three kernels written by hand in the layout TornadoVM 5.2's OpenCL backend prints (extension pragmas,
 * then the kernel named after the Java method, blocks ending in "}  //  kernel"); and
 * {@code tornadovm-kernels-plan.cl.gz}, the 81 kernels the real TornadoVM 5.2.0 printed on PoCL while the
 * engine's warm-up compiled a whole plan at once, with that plan's tasks in {@code tornadovm-kernels-plan.txt}.
 * That capture is kept as it was recorded, from the 48-kernel step whose tasks were still named by PyTorch
 * index and activation ({@code linear3.forward}, {@code sigmoid1.forward}, {@code sgd.0.weight}); the
 * attribution it tests reads task ids as opaque strings.
 */
class KernelFilesTest {
    @TempDir
    Path dir;

    static String sample() throws IOException {
        try (InputStream in = KernelFilesTest.class.getResourceAsStream("tornadovm-kernels-sample.cl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What TornadoVM printed while the warm-up compiled the plan of {@link #capturedPlan()}. */
    static String capturedKernels() throws IOException {
        try (InputStream in = new GZIPInputStream(KernelFilesTest.class.getResourceAsStream("tornadovm-kernels-plan.cl.gz"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The graphs of the captured plan, in plan order. */
    static List<KernelFiles.Graph> capturedPlan() throws IOException {
        Map<String, List<KernelFiles.Task>> graphs = new LinkedHashMap<>();
        try (InputStream in = KernelFilesTest.class.getResourceAsStream("tornadovm-kernels-plan.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                graphs.computeIfAbsent(f[0], g -> new ArrayList<>()).add(new KernelFiles.Task(f[1], f[2]));
            }
        }
        return graphs.entrySet().stream().map(e -> new KernelFiles.Graph(e.getKey(), e.getValue())).toList();
    }

    private static String kernelOf(Path file) throws IOException {
        String text = Files.readString(file);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("__kernel void (\\w+)\\(").matcher(text);
        assertTrue(m.find(), file + " holds a kernel");
        return m.group(1);
    }

    @Test
    void splitsAtEachCompilationUnit() throws IOException {
        List<KernelFiles.Unit> units = KernelFiles.split(sample());
        assertEquals(List.of("seek", "forward", "forward"), units.stream().map(KernelFiles.Unit::kernel).toList());
        assertEquals(List.of("aa", "aai", "aaiiii"), units.stream().map(KernelFiles.Unit::parameters).toList(),
                "the method's parameters, after TornadoVM's own four: buffers and scalars");
        for (KernelFiles.Unit u : units) {
            assertEquals("cl", u.extension());
            assertTrue(u.source().startsWith("#pragma OPENCL EXTENSION cl_khr_fp64"), u.source());
            assertTrue(u.source().strip().endsWith("}  //  kernel"), u.source());
            assertEquals(1, u.source().split("__kernel ", -1).length - 1, "one kernel per unit: " + u.source());
        }
        assertTrue(units.get(1).source().contains("for(;i_4 < 1536;)"), units.get(1).source());
    }

    @Test
    void kernelsWithoutPragmasAndPtxModulesSplitToo() {
        String cl = "__kernel void a(int x)\n{\n}\n__kernel void b(int y)\n{\n}\n";
        assertEquals(List.of("a", "b"), KernelFiles.split(cl).stream().map(KernelFiles.Unit::kernel).toList());
        String ptx = ".version 7.6\n.target sm_86\n.address_size 64\n.visible .entry k1(\n.param .u64 a)\n{\nret;\n}\n"
                + ".version 7.6\n.target sm_86\n.address_size 64\n.visible .entry k2(\n.param .u64 a)\n{\nret;\n}\n";
        List<KernelFiles.Unit> units = KernelFiles.split(ptx);
        assertEquals(List.of("k1", "k2"), units.stream().map(KernelFiles.Unit::kernel).toList());
        assertEquals("ptx", units.get(0).extension());
        assertNull(units.get(0).parameters(), "a PTX module's parameters are not read");
        assertTrue(units.get(1).source().startsWith(".version 7.6"), units.get(1).source());
        assertEquals(List.of(), KernelFiles.split(""));
    }

    @Test
    void anArgumentsSignatureHasALetterPerKind() {
        assertEquals("aaif?", KernelFiles.signature(new Object[] {new FloatArray(2), new IntArray(1), 3, 0.5f, "x"}));
    }

    @Test
    void oneFilePerTaskNamedAfterTheGraphAndTask() throws IOException {
        List<KernelFiles.Graph> plan = List.of(new KernelFiles.Graph("epoch", List.of(new KernelFiles.Task("batch.seek", "aa"))),
                new KernelFiles.Graph("train", List.of(new KernelFiles.Task("conv1.sigmoidForward", "aai"), new KernelFiles.Task("conv1.poolForward", "aaiiii"))));
        KernelFiles.Attribution a = KernelFiles.attribute(plan, KernelFiles.split(sample()));
        assertNull(a.problem());
        List<List<Path>> files = KernelFiles.write(dir, a, "a device");
        assertEquals(List.of(List.of("epoch.batch.seek.cl"), List.of("train.conv1.sigmoidForward.cl", "train.conv1.poolForward.cl")),
                files.stream().map(g -> g.stream().map(f -> f.getFileName().toString()).toList()).toList());
        String pool = Files.readString(files.get(1).get(1));
        assertTrue(pool.startsWith("// task train.conv1.poolForward: kernel forward, as TornadoVM generated it for a device\n#pragma"), pool);
        assertTrue(pool.contains("__private int n, __private int c, __private int h, __private int w)"), pool);
    }

    @Test
    void aCountThatDoesNotMatchTheTasksGivesNumberedFiles() throws IOException {
        KernelFiles.Attribution a = KernelFiles.attribute(List.of(new KernelFiles.Graph("eval", List.of(new KernelFiles.Task("only.one", "aa")))),
                KernelFiles.split(sample()));
        assertEquals("graph eval has 1 tasks but TornadoVM printed 3 kernels", a.problem());
        List<List<Path>> files = KernelFiles.write(dir, a, "d");
        assertEquals(List.of("eval.kernel01.seek.cl", "eval.kernel02.forward.cl", "eval.kernel03.forward.cl"),
                files.get(0).stream().map(f -> f.getFileName().toString()).toList());
        assertTrue(Files.readString(files.get(0).get(0)).contains("graph eval has 1 tasks but TornadoVM printed 3 kernels"));
    }

    @Test
    void kernelsWhoseParametersDoNotFitTheirTasksAreNotAttributed() throws IOException {
        // the right count, but the last two kernels in the other order: pool's kernel would go to sigmoid's task
        List<KernelFiles.Unit> units = KernelFiles.split(sample());
        List<KernelFiles.Unit> swapped = List.of(units.get(0), units.get(2), units.get(1));
        List<KernelFiles.Graph> plan = List.of(new KernelFiles.Graph("train",
                List.of(new KernelFiles.Task("batch.seek", "aa"), new KernelFiles.Task("conv1.sigmoidForward", "aai"), new KernelFiles.Task("conv1.poolForward", "aaiiii"))));
        KernelFiles.Attribution a = KernelFiles.attribute(plan, swapped);
        assertEquals("kernel 2, forward, has parameters of kinds aaiiii, but task train.conv1.sigmoidForward, the 2-th to compile, has arguments aai", a.problem());
        assertTrue(a.units().isEmpty());
    }

    /**
     * The regression this guards against: the warm-up compiles every graph at once, so everything TornadoVM
     * printed was once filed under the first graph ("graph epoch has 1 tasks but TornadoVM printed 81
     * kernels") and the others got nothing. Attributed over the whole plan, each graph gets its own tasks.
     */
    @Test
    void aWholePlanCapturedFromTornadoVmGoesToEachGraphsTasks() throws IOException {
        List<KernelFiles.Graph> plan = capturedPlan();
        assertEquals(List.of("epoch", "train", "eval", "evalTail"), plan.stream().map(KernelFiles.Graph::name).toList());
        List<KernelFiles.Unit> units = KernelFiles.split(capturedKernels());
        assertEquals(81, units.size());

        KernelFiles.Attribution onlyTheFirst = KernelFiles.attribute(plan.subList(0, 1), units);
        assertEquals("graph epoch has 1 tasks but TornadoVM printed 81 kernels", onlyTheFirst.problem());

        KernelFiles.Attribution a = KernelFiles.attribute(plan, units);
        assertNull(a.problem());
        List<List<Path>> files = KernelFiles.write(dir, a, "PoCL");
        assertEquals(List.of(1, 48, 16, 16), files.stream().map(List::size).toList());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("epoch.batch.seek.cl", "seek");
        expected.put("train.batch.gatherImages.cl", "gatherImages");
        expected.put("train.loss.correct.cl", "correct");
        expected.put("train.conv2.backwardWeight.cl", "backwardWeight");
        expected.put("train.sgd.0.weight.cl", "update");
        expected.put("train.loss.accumulate.cl", "accumulate");
        expected.put("train.batch.advance.cl", "advance");
        expected.put("eval.batch.gatherLabels.cl", "gatherLabels");
        expected.put("eval.linear3.forward.cl", "forward");
        expected.put("evalTail.loss.accumulate.cl", "accumulate");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), kernelOf(dir.resolve(e.getKey())), e.getKey());
        }
        // the batch sizes TornadoVM specialised each graph's kernels on: 256 in train and eval, 44 in evalTail
        String evalTail = Files.readString(dir.resolve("evalTail.batch.gatherImages.cl"));
        String eval = Files.readString(dir.resolve("eval.batch.gatherImages.cl"));
        assertNotNull(evalTail);
        assertTrue(evalTail.contains("< 44;"), evalTail);
        assertFalse(eval.contains("< 44;"), eval);
    }

    @Test
    void aKernelMissingFromTheCaptureIsCaught() throws IOException {
        List<KernelFiles.Unit> units = new ArrayList<>(KernelFiles.split(capturedKernels()));
        units.remove(30);
        units.add(units.get(units.size() - 1)); // the count is right again, the order is not
        KernelFiles.Attribution a = KernelFiles.attribute(capturedPlan(), units);
        assertNotNull(a.problem(), "a kernel shifted onto the wrong task is noticed by its parameters");
        assertTrue(a.problem().startsWith("kernel "), a.problem());
    }
}
