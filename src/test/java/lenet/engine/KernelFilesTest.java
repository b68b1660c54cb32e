package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --print-kernels}: TornadoVM's printed kernels, all in one file, cut into one file per task. The
 * sample resource is written by hand in the layout TornadoVM 5.2's OpenCL backend prints (extension
 * pragmas, then the kernel named after the Java method, blocks ending in "}  //  kernel").
 */
class KernelFilesTest {
    @TempDir
    Path dir;

    static String sample() throws IOException {
        try (InputStream in = KernelFilesTest.class.getResourceAsStream("tornadovm-kernels-sample.cl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void splitsAtEachCompilationUnit() throws IOException {
        List<KernelFiles.Unit> units = KernelFiles.split(sample());
        assertEquals(List.of("seek", "forward", "forward"), units.stream().map(KernelFiles.Unit::kernel).toList());
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
        assertTrue(units.get(1).source().startsWith(".version 7.6"), units.get(1).source());
        assertEquals(List.of(), KernelFiles.split(""));
    }

    @Test
    void oneFilePerTaskNamedAfterTheGraphAndTask() throws IOException {
        List<KernelFiles.Unit> units = KernelFiles.split(sample());
        List<Path> files = KernelFiles.write(dir, "train", List.of("batch.seek", "sigmoid1.forward", "pool1.forward"), units, "a device");
        assertEquals(List.of("train.batch.seek.cl", "train.sigmoid1.forward.cl", "train.pool1.forward.cl"),
                files.stream().map(f -> f.getFileName().toString()).toList());
        String pool = Files.readString(files.get(2));
        assertTrue(pool.startsWith("// task train.pool1.forward: kernel forward, as TornadoVM generated it for a device\n#pragma"), pool);
        assertTrue(pool.contains("__private int n, __private int c, __private int h, __private int w)"), pool);
    }

    @Test
    void aCountThatDoesNotMatchTheTasksGivesNumberedFiles() throws IOException {
        List<Path> files = KernelFiles.write(dir, "eval", List.of("only.one"), KernelFiles.split(sample()), "d");
        assertEquals(List.of("eval.kernel01.seek.cl", "eval.kernel02.forward.cl", "eval.kernel03.forward.cl"),
                files.stream().map(f -> f.getFileName().toString()).toList());
        assertTrue(Files.readString(files.get(0)).contains("graph eval has 1 tasks but TornadoVM printed 3 kernels"));
    }
}
