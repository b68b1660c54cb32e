package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/lenet}'s TornadoVM launch, checked with {@code --dry-run} (the command it would run, no
 * build, no run) against a stand-in SDK folder: the layout scripts/lenet looks for, with no TornadoVM in it.
 */
class ScriptTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result script(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", Path.of("scripts/lenet").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("TORNADOVM_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out, err);
    }

    Path sdk() throws IOException {
        Path sdk = dir.resolve("sdk");
        Files.createDirectories(sdk.resolve("share/java/tornado"));
        Files.writeString(sdk.resolve("tornado-argfile"), "--module-path .:" + sdk + "/share/java/tornado\n");
        Files.writeString(sdk.resolve("share/java/tornado/ejml-core-0.38.jar"), "");
        Files.writeString(sdk.resolve("share/java/tornado/ejml-ddense-0.38.jar"), "");
        return sdk;
    }

    @Test
    void tornadoLaunchUsesTheSdkArgfileOurFlagsAndAModulePathWithoutTheCurrentFolder() throws Exception {
        Path sdk = sdk();
        Result r = script(Map.of("TORNADOVM_HOME", sdk.toString()), "--dry-run", "train", "--engine", "tornado", "--epochs", "1");
        assertEquals(0, r.code(), r.err());
        String line = r.out().strip();
        assertEquals(1, r.out().lines().count(), r.out());
        String flags = String.join(" ", Files.readAllLines(Path.of("tornado-config/tornado.flags")).stream()
                .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList());
        assertTrue(flags.contains("-Dtornado.recover.bailout=False"), flags);
        String root = Path.of("").toAbsolutePath().toString();
        assertTrue(line.matches(".*/bin/java @" + sdk + "/tornado-argfile " + Pattern.quote(flags) + " --module-path " + sdk + "/share/java/tornado:"
                + root + "/target/lenet\\.jar(:" + root + "/target/lib/[^: ]+\\.jar)* -m lenet train --engine tornado --epochs 1"),
                line);
        assertFalse(line.contains("/target/standin/") || line.contains("tornado-api-standin"), "the SDK's tornado.api, not the stand-in: " + line);
    }

    /** A copy of the scripts with a target/lib of its own, as a build leaves it. */
    private Path repoWithLibs(String... libs) throws IOException {
        Path root = dir.resolve("repo");
        Files.createDirectories(root.resolve("scripts/lib"));
        Files.createDirectories(root.resolve("target/lib"));
        Files.createDirectories(root.resolve("tornado-config"));
        for (String f : List.of("scripts/lenet", "scripts/lib/jdk.sh", "tornado-config/tornado.flags")) {
            Files.copy(Path.of(f), root.resolve(f));
        }
        for (String lib : libs) {
            Files.writeString(root.resolve("target/lib/" + lib), "");
        }
        return root;
    }

    @Test
    void underTornadoVmTheSdksEjmlReplacesLenetsAndTheOtherLibrariesStay() throws Exception {
        Path root = repoWithLibs("ejml-core-0.44.0.jar", "ejml-ddense-0.44.0.jar", "gson-2.13.2.jar", "picocli-4.7.7.jar");
        Path sdk = sdk();
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/lenet").toString(), "--dry-run", "train", "--engine", "tornado");
        pb.environment().put("TORNADOVM_HOME", sdk.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertFalse(line.contains("target/lib/ejml"), "the SDK's EJML (same module names), not lenet's copy as well: " + line);
        assertTrue(line.contains(root + "/target/lib/gson-2.13.2.jar") && line.contains(root + "/target/lib/picocli-4.7.7.jar"),
                "lenet's other libraries stay: " + line);
    }

    @Test
    void devicesRunsUnderTornadoVmWhenTheSdkIsSetAndOtherwiseOnPlainJava() throws Exception {
        Path sdk = sdk();
        assertTrue(script(Map.of("TORNADOVM_HOME", sdk.toString()), "devices", "--dry-run").out().contains("@" + sdk + "/tornado-argfile"));
        Result plain = script(Map.of(), "--dry-run", "devices");
        assertTrue(plain.out().matches(".*/bin/java -XX:\\+UseSerialGC -Xmx128m -XX:MaxDirectMemorySize=2g --module-path \\S+/target/lenet\\.jar:\\S+/target/lib:\\S+/target/standin -m lenet devices\\R"),
                plain.out());
    }

    /** check-kernels' references (doubles, batch 256) need more heap than training's 128 MB: it ran out of memory there. */
    @Test
    void checkKernelsGetsTheHeapItsReferencesNeed() throws Exception {
        assertTrue(script(Map.of(), "--dry-run", "check-kernels").out().matches(".*/bin/java -XX:\\+UseSerialGC -Xmx512m -XX:MaxDirectMemorySize=2g .* -m lenet check-kernels\\R"));
        assertTrue(script(Map.of(), "--dry-run", "train", "check-kernels").out().contains(" -Xmx128m "), "only the command picks the heap");
    }

    @Test
    void aLibraryTheSdkAlreadyHasStopsTheLaunch() throws Exception {
        // gson in lenet's target/lib and in the SDK.
        Path root = repoWithLibs("gson-2.13.2.jar");
        Path sdk = sdk();
        Files.writeString(sdk.resolve("share/java/tornado/gson-2.8.9.jar"), "");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/lenet").toString(), "--dry-run", "train", "--engine", "tornado");
        pb.environment().put("TORNADOVM_HOME", sdk.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), err);
        assertEquals("lenet: " + root.resolve("target/lib/gson-2.13.2.jar") + " and " + sdk.resolve("share/java/tornado/gson-2.8.9.jar")
                + " are the same library: TornadoVM's module path must hold one of them\n", err);
    }

    @Test
    void tornadoWithoutTheSdkIsOneLine() throws Exception {
        Result r = script(Map.of(), "--dry-run", "train", "--engine=tornado");
        assertEquals(1, r.code());
        assertEquals("lenet: --engine tornado runs under TornadoVM: set TORNADOVM_HOME to a TornadoVM 5.2 SDK (see README, Running under TornadoVM)\n", r.err());
        Result notSdk = script(Map.of("TORNADOVM_HOME", dir.toString()), "--dry-run", "train", "--engine", "tornado");
        assertEquals(1, notSdk.code());
        assertEquals("lenet: TORNADOVM_HOME=" + dir + " is not a TornadoVM SDK: expected tornado-argfile and share/java/tornado there\n", notSdk.err());
    }
}
