package lenet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import lenet.engine.KernelSet;
import org.junit.jupiter.api.Test;

/**
 * The CPU twins as they run after warm-up: compiled by C2, with the Vector API turned into vector
 * instructions. The other twin tests call each kernel a few times, so they test the interpreter's and C1's
 * Vector API (element loops in Java); training runs C2's code. This test forks a JVM that has C2 as its only
 * JIT ({@code -XX:-TieredCompilation}) and compiles in the foreground ({@code -Xbatch}: a call that crosses
 * the compile threshold waits for the compiled code, so the run does not depend on timing), runs
 * {@link TwinsUnderC2} (every twin at LeNet's shapes for batch 256 and shard sizes 1, 15, 17, 33 and 100,
 * {@value #ROUNDS} rounds), and reads the JIT's log ({@code -XX:+PrintCompilation}) to prove what the last
 * round ran:
 * <ul>
 * <li>every public method of the twin classes was compiled by C2 as a whole method, or inlined into C2's code
 *     of its caller ({@code -XX:+PrintInlining}: the thin entry points are inlined into the kernel-set lambda
 *     that calls them), and every method of {@code lenet.kernels.cpu} compiled on its own (the {@code Simd}
 *     loop nests the twins call) ended as valid C2 code of the whole method (not only an on-stack replacement
 *     of a loop, not made not entrant since), before the last round;</li>
 * <li>during the last round no method of {@code lenet.kernels.cpu} was compiled or deoptimised ("made not
 *     entrant"): the last round ran only code compiled before it, on every size (each size ran in every
 *     round before, so no branch of it is new to the compiled code).</li>
 * </ul>
 * The outputs of the last round must match the plain kernels and the references ({@link TwinsUnderC2}).
 *
 * <p>Rounds and thresholds: C2 compiles a method after 5,000 calls, or 600 when its loops have run long
 * (HotSpot's Tier4 thresholds, which also apply without tiers).
 * {@code -XX:CompileThresholdScaling=0.05} scales them to 250 and 30, so that every method the twins run is
 * compiled within a few dozen rounds, as training's are within its first epoch; C2 generates the same code,
 * only sooner. {@value #ROUNDS} rounds give the least called entry point 6·{@value #ROUNDS}
 * calls. Should that ever not suffice, the log check above fails rather than passing vacuously.
 *
 * <p>Run time: about 20 s of CPU (the plain kernels and the references once per case, then the rounds).
 */
class TwinsUnderC2Test {
    static final int ROUNDS = 100;

    @Test
    void cpuTwinsCompiledByC2MatchThePlainKernelsAndTheReferences() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-XX:-TieredCompilation", "-Xbatch", "-XX:CompileThresholdScaling=0.05",
                "-XX:+PrintCompilation", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintInlining",
                "-XX:+UseSerialGC", "-Xmx1g", "--add-modules", "jdk.incubator.vector",
                "-cp", classPath(), TwinsUnderC2.class.getName(), String.valueOf(ROUNDS));
        Path errors = Files.createTempFile("twins-under-c2", ".err");
        Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the forked JVM did not end");
        List<String> log = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        List<String> results = Files.readAllLines(errors);
        Files.delete(errors);
        String tail = String.join("\n", results);
        int finalRound = indexOf(log, TwinsUnderC2.FINAL_ROUND);
        int end = indexOf(log, TwinsUnderC2.END);
        assertTrue(finalRound >= 0 && end > finalRound, "the forked JVM did not run its rounds:\n" + tail
                + String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size())));

        // The state of each lenet.kernels.cpu method before the last round: compiled as a whole method, or not (never,
        // only its loops on stack, or its code since made not entrant).
        Map<String, Boolean> compiled = new TreeMap<>();
        for (String line : log.subList(0, finalRound)) {
            Compilation c = Compilation.parse(line);
            if (c != null && c.method().startsWith("lenet.kernels.cpu.") && !c.osr()) {
                compiled.put(c.method(), !c.madeNotEntrant());
            }
            if (c != null && c.method().startsWith("lenet.kernels.cpu.") && c.osr()) {
                compiled.putIfAbsent(c.method(), false);
            }
        }
        Set<String> inlined = new TreeSet<>();
        for (String line : log.subList(0, finalRound)) {
            if (line.matches("^\\s+@ \\d+\\s.*")) {
                Matcher m = INLINED.matcher(line);
                while (m.find()) {
                    inlined.add(m.group(1).replace("::", "."));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        compiled.forEach((method, ok) -> {
            if (!ok && !method.startsWith(TwinsUnderC2.class.getName()) && !inlined.contains(method)) {
                missing.add(method);
            }
        });
        for (String method : twinMethods()) {
            if (OUTSIDE_THE_KERNEL_SET.contains(method)) {
                continue;
            }
            if (!compiled.getOrDefault(method, false) && !inlined.contains(method)) {
                missing.add(method);
            }
        }
        assertTrue(missing.isEmpty(), "neither compiled by C2 as whole methods nor inlined into compiled code before the last round: "
                + missing + " (compiled: " + compiled + ", inlined: " + inlined + ")");
        List<String> during = log.subList(finalRound + 1, end).stream()
                .filter(l -> Compilation.parse(l) != null && Compilation.parse(l).method().startsWith("lenet.kernels.cpu.")).toList();
        assertTrue(during.isEmpty(), "twin code was compiled or deoptimised during the last round, so part of it did not "
                + "run compiled code:\n" + String.join("\n", during));

        List<String> failures = results.stream().filter(l -> l.startsWith("FAIL ")).toList();
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(0, p.exitValue(), tail);
        assertTrue(results.stream().anyMatch(l -> l.matches("twins-under-c2: \\d+ comparisons, 0 failed")), tail);
    }

    /** The line of the log holding {@code marker} (the JIT's own lines may share the stream, not the line). */
    private static int indexOf(List<String> log, String marker) {
        for (int j = 0; j < log.size(); j++) {
            if (log.get(j).contains(marker)) {
                return j;
            }
        }
        return -1;
    }

    /**
     * In a line of {@code -XX:+PrintInlining} ("@ bci class::method (size) inline (hot)", at times followed by
     * "callee changed to class::method (size) inline (hot)"), a method inlined into the compilation above it.
     */
    private static final Pattern INLINED = Pattern.compile("(\\S+::\\S+) \\(\\d+ bytes\\)\\s+inline\\b");

    /** A line of {@code -XX:+PrintCompilation}: "time id flags [level] class::method [@ bci] (size) [made not entrant]". */
    record Compilation(String method, boolean osr, boolean madeNotEntrant) {
        static Compilation parse(String line) {
            String[] t = line.strip().split("\\s+");
            if (t.length < 3 || !t[0].matches("\\d+") || !t[1].matches("\\d+")) {
                return null;
            }
            for (int j = 2; j < t.length; j++) {
                if (t[j].contains("::")) {
                    boolean osr = false;
                    for (int f = 2; f < j; f++) {
                        osr |= t[f].contains("%");
                    }
                    return new Compilation(t[j].replace("::", "."), osr, line.contains("made not entrant"));
                }
            }
            return null;
        }
    }

    /**
     * Public twins that no kernel of {@link KernelSet#CPU} calls, so that the program cannot reach them:
     * the pooling's backward pass on its own, which the training step fuses with the sigmoid's
     * ({@link AvgPool2dCpu#backwardSigmoid}) and the benchmarks still time apart. {@code AvgPool2dCpuTest}
     * holds it to the plain kernel's bits.
     */
    static final Set<String> OUTSIDE_THE_KERNEL_SET = Set.of(AvgPool2dCpu.class.getName() + ".backward");

    /** Every public method of the twin classes ({@code lenet.kernels.cpu.*Cpu}), as "class.method". */
    static Set<String> twinMethods() throws URISyntaxException, ClassNotFoundException, java.io.IOException {
        Path dir = Path.of(KernelSet.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("lenet/kernels/cpu");
        Set<String> methods = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith("Cpu.class")) {
                    continue;
                }
                Class<?> c = Class.forName("lenet.kernels.cpu." + name.substring(0, name.length() - ".class".length()));
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) {
                        methods.add(c.getName() + "." + m.getName());
                    }
                }
            }
        }
        assertTrue(methods.size() >= 12, "expected the twin classes in " + dir + ", found " + methods);
        return methods;
    }

    /** The classes and libraries of this test run, as a class path (lenet runs there unnamed: the Vector API is added by hand). */
    static String classPath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(Path.of(TwinsUnderC2.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        entries.add(Path.of(KernelSet.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String e : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    entries.add(e);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
