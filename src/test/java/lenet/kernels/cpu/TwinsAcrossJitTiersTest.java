package lenet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU twins give the same bits interpreted and compiled by C2. Without this a run's result depends on
 * how far the JIT had got: a run resumed from a checkpoint (a fresh JVM, whose first steps run interpreted)
 * would not end with the weights of the run that was never stopped. The twins whose results could depend on
 * it, the sigmoid's vectorised e^x, the lane sums of the gradients, the compare-and-blends of the ReLU and the
 * max pool, and batch norm's normalisation and masked partial sums, run in two forked JVMs on the same
 * inputs: once with {@code -Xint}, once long enough under C2 alone ({@code -XX:-TieredCompilation}) that
 * the methods doing that arithmetic run C2's code in the last round (PrintCompilation shows each compiled
 * whole, and not thrown away since).
 */
class TwinsAcrossJitTiersTest {
    @TempDir
    Path dir;

    static final int ROUNDS = 150;
    /**
     * Where the arithmetic that could depend on the JIT lives: e^x in the sigmoid, the lane sums of the weight and bias
     * gradients, the comparisons and blends of the ReLU and the max pool (their −0 and ties, the argmax's int lanes),
     * batch norm's normalisation (its e^x) and its partial sums over vectors of slices.
     */
    static final List<String> HOT = List.of("SigmoidCpu::forward", "Simd::storeLaneSums", "Simd::rowSums",
            "MaxPool2dCpu::reluForward", "MaxPool2dCpu::backwardRelu", "ReluCpu::forward", "ReluCpu::backward",
            "BatchNormCpu::normalizeRun", "BatchNormCpu::sumLanes");

    @Test
    void interpretedAndC2CompiledTwinsAgreeBitForBit() throws Exception {
        Path interpretedDigests = dir.resolve("interpreted.txt");
        Path compiledDigests = dir.resolve("c2.txt");
        run(List.of("-Xint"), 1, interpretedDigests);
        List<String> compiled = run(List.of("-XX:-TieredCompilation", "-Xbatch", "-XX:CompileThresholdScaling=0.05", "-XX:+PrintCompilation"),
                ROUNDS, compiledDigests);
        for (String method : HOT) {
            List<String> events = compiled.stream().filter(l -> l.contains("lenet.kernels.cpu." + method + " (")).toList();
            assertTrue(!events.isEmpty() && !events.getLast().contains("made not entrant"),
                    method + " did not end compiled by C2 (its events: " + events + ")");
        }
        List<String> interpreted = Files.readAllLines(interpretedDigests);
        assertEquals(12, interpreted.size(), String.join("\n", interpreted));
        assertEquals(interpreted, Files.readAllLines(compiledDigests), "digests of the twins' outputs, interpreted vs C2");
    }

    private static List<String> run(List<String> flags, int rounds, Path digests) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(flags);
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx512m", "--add-modules", "jdk.incubator.vector", "-cp", TwinsUnderC2Test.classPath(),
                TwinsDigest.class.getName(), String.valueOf(rounds), digests.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the forked JVM did not end");
        List<String> lines = new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        return lines;
    }
}
