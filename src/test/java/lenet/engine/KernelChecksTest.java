package lenet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/** The table of {@code check-kernels} covers every kernel, and its checks fail for a kernel that is wrong. */
class KernelChecksTest {

    /** Every kernel method of {@code lenet.kernels} (public static void, array arguments) has a row: a new kernel needs one. */
    @Test
    void everyKernelOfLenetKernelsHasARow() throws Exception {
        Path dir = Path.of(KernelSet.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("lenet/kernels");
        Set<String> kernels = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                if (name.contains("$") || name.endsWith("Reference") || name.equals("Tensors") || name.equals("package-info")) {
                    continue;
                }
                for (Method m : Class.forName("lenet.kernels." + name).getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class
                            && Stream.of(m.getParameterTypes()).anyMatch(TornadoNativeArray.class::isAssignableFrom)) {
                        kernels.add(name + "." + m.getName());
                    }
                }
            }
        }
        assertTrue(kernels.size() >= 20, "found the kernels: " + kernels);
        Set<String> rows = KernelChecks.ALL.stream().map(KernelChecks.Check::kernel).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(kernels);
        missing.removeAll(rows);
        assertTrue(missing.isEmpty(), "kernels without a row in KernelChecks.ALL: " + missing);
    }

    /**
     * Every kernel of a {@link KernelSet} is run by some row: replacing any one of them by a kernel that
     * writes nothing makes a row fail (an element left NaN), so the table runs each set's own kernels.
     */
    @Test
    void everyKernelOfAKernelSetIsRunByARowThatCatchesItWritingNothing() throws Exception {
        RecordComponent[] components = KernelSet.class.getRecordComponents();
        Class<?>[] types = Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        List<String> uncaught = new ArrayList<>();
        for (int j = 0; j < components.length; j++) {
            if (!types[j].isInterface()) {
                continue;   // the name and the sliced flag
            }
            Object[] args = new Object[components.length];
            for (int c = 0; c < components.length; c++) {
                args[c] = components[c].getAccessor().invoke(KernelSet.PLAIN);
            }
            args[0] = "without " + components[j].getName();
            args[j] = Proxy.newProxyInstance(types[j].getClassLoader(), new Class<?>[] {types[j]}, (proxy, method, a) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("hashCode") ? 0 : method.getName().equals("equals") ? proxy == a[0] : "idle kernel";
                }
                return null;    // writes nothing
            });
            KernelSet idle = KernelSet.class.getDeclaredConstructor(types).newInstance(args);
            boolean caught = false;
            for (KernelChecks.Check check : KernelChecks.ALL) {
                if (check.fromKernelSet() && !KernelChecks.run(check, idle, 3, KernelChecks.jvm()).ok()) {
                    caught = true;
                }
            }
            if (!caught) {
                uncaught.add(components[j].getName());
            }
        }
        assertTrue(uncaught.isEmpty(), "kernels of KernelSet that no row runs: " + uncaught);
    }

    /**
     * A stage-1 gradient row runs each set's kernel in the shape the step gives that set: the plain (sliced) set
     * the step's slices (conv1 at batch 256: 128 slices of 2 examples), the CPU set one slice over the batch, so
     * that the twin's own code runs (with more slices it hands over to the plain kernel).
     */
    @Test
    void theGradientPartialsAreCheckedInEachSetsShape() {
        KernelChecks.Check check = KernelChecks.ALL.stream().filter(c -> c.id().equals("conv1.backwardPartials")).findFirst().orElseThrow();
        int weights = lenet.model.LeNet.C1 * lenet.model.LeNet.KERNEL * lenet.model.LeNet.KERNEL;
        assertEquals(List.of(128 * weights, 128 * lenet.model.LeNet.C1),
                check.build(256, KernelSet.PLAIN).outputs().stream().map(e -> e.value().length).toList());
        assertEquals(List.of(weights, lenet.model.LeNet.C1),
                check.build(256, KernelSet.CPU).outputs().stream().map(e -> e.value().length).toList());
    }

    @Test
    void aKernelOutOfToleranceIsReportedWithItsErrorAndToleranceAndTheReferenceOtherwise() {
        KernelChecks.Check check = KernelChecks.ALL.stream().filter(c -> c.id().equals("fc2.sigmoidBackward")).findFirst().orElseThrow();
        KernelChecks.Result ok = KernelChecks.run(check, KernelSet.PLAIN, 5, KernelChecks.jvm());
        assertTrue(ok.ok(), ok.line());
        KernelChecks.Case c = check.build(5, KernelSet.PLAIN);
        KernelChecks.Result wrong = KernelChecks.run(c, KernelSet.PLAIN, (cs, k) -> {
            KernelChecks.jvm().run(cs, k);
            FloatArrayAccess.bump(cs.outputs().get(0));
        });
        assertFalse(wrong.ok());
        assertTrue(wrong.line().startsWith("plain  fc2.sigmoidBackward          max |error| 1.90e-04  max error/tolerance "), wrong.line());
        assertTrue(wrong.line().contains("  FAILED, out of tolerance: fc2.sigmoidBackward dx: max |error| 1.902e-04 at [j] [1]"), wrong.line());
        KernelChecks.Result thrown = KernelChecks.run(check.build(5, KernelSet.PLAIN), KernelSet.PLAIN, (cs, k) -> {
            throw new IllegalStateException("device lost");
        });
        assertEquals("plain  fc2.sigmoidBackward          FAILED: IllegalStateException: device lost", thrown.line());
    }

    /** Changes one element of an output by 1e-3 of its value. */
    private static final class FloatArrayAccess {
        static void bump(KernelChecks.Expected e) {
            uk.ac.manchester.tornado.api.types.arrays.FloatArray a = (uk.ac.manchester.tornado.api.types.arrays.FloatArray) e.array();
            a.set(1, a.get(1) * 1.001f + 1e-6f);
        }
    }
}
