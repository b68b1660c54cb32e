package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/bench --gpu} ({@code benchmarks/gpu_compare.py}) where there is no GPU: it stops with one
 * line when the TornadoVM SDK, a GPU or CUDA is missing, before anything runs; with stand-ins for lenet's
 * launcher and for PyTorch (a {@code torch} module of a few lines, a {@code --python} that writes known
 * figures) it runs both sides with the same settings and reports their figures and ratio.
 */
class GpuCompareScriptTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", Path.of("scripts/bench").toAbsolutePath().toString(), "--gpu"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("TORNADOVM_HOME");
        pb.environment().remove("PYTHONPATH");
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
        Files.writeString(sdk.resolve("tornado-argfile"), "\n");
        return sdk;
    }

    /** A {@code torch} package for {@code PYTHONPATH}: {@code cuda} says whether it finds a CUDA device; null: no PyTorch. */
    Path torch(Boolean cuda) throws IOException {
        Path path = dir.resolve("pythonpath");
        Files.createDirectories(path.resolve("torch"));
        Files.writeString(path.resolve("torch/__init__.py"), cuda == null ? "raise ImportError('no torch here')\n"
                : "__version__ = '0.0-test'\nclass version:\n    cuda = None\nclass cuda:\n    @staticmethod\n    def is_available():\n        return "
                        + (cuda ? "True" : "False") + "\n");
        Files.writeString(path.resolve("torch/nn.py"), "");
        return path;
    }

    /** A lenet launcher that lists these devices and, for train, writes the metrics and a profile as lenet does. */
    Path lenet(String devices) throws IOException {
        Path script = dir.resolve("fake-lenet.sh");
        Files.writeString(script, """
                #!/bin/bash
                echo "$*" >> "%s/lenet-calls.txt"
                if [[ $1 == devices ]]; then
                    printf '%%s\\n' "java: JVM 25, 2 threads (2 cores)" %s
                    exit 0
                fi
                while (($#)); do
                    [[ $1 == --metrics-json ]] && json=$2
                    shift
                done
                cat > "$json" <<'EOF'
                {"device": "opencl-1-0 NVIDIA H100", "trainExamples": 60000, "testExamples": 10000, "examplesPerSec": 600000.0,
                 "testAcc": 0.64, "warmUpSeconds": 12.5, "profile": {"step": 2, "kernels": [{"id": "conv1.forward", "deviceMs": 0.01}]},
                 "history": [{"epoch": 1, "trainSeconds": 0.12, "examplesPerSec": 500000.0}, {"epoch": 2, "trainSeconds": 0.08, "examplesPerSec": 750000.0}]}
                EOF
                echo "profile of training step 2 (graph train, 24 kernels) on opencl-1-0, TornadoVM profiler:"
                echo "  kernel   device ms"
                echo "  conv1.forward   0.010"
                echo "  ¹ in graph train's first execution"
                echo "epoch 2/2: loss 1.6"
                """.formatted(dir, devices.lines().map(l -> "'" + l + "'").reduce("", (a, b) -> a + " " + b)));
        return script;
    }

    /** A python for the PyTorch side: passes the CUDA check and writes these figures as pytorch_reference.py does. */
    Path python() throws IOException {
        Path script = dir.resolve("fake-python.sh");
        Files.writeString(script, """
                #!/bin/bash
                [[ $1 == -c ]] && exit 0
                echo "$*" >> "%s/python-calls.txt"
                while (($#)); do
                    [[ $1 == --json ]] && json=$2
                    shift
                done
                echo '{"device": "cuda: NVIDIA H100", "examples_per_sec": 400000.0, "test_acc": 0.63, "warm_up_seconds": 1.5,
                       "per_epoch": [{"train_seconds": 0.16, "examples_per_sec": 375000.0}, {"train_seconds": 0.14, "examples_per_sec": 428571.0}]}' > "$json"
                """.formatted(dir));
        assertTrue(script.toFile().setExecutable(true));
        return script;
    }

    private static void assertOneLine(Result r, String start) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith(start), r.err());
    }

    @Test
    void withoutATornadoVmSdkItIsOneLine() throws Exception {
        assertOneLine(run(Map.of()), "gpu_compare: the TornadoVM engine needs a TornadoVM SDK: set TORNADOVM_HOME");
        assertOneLine(run(Map.of("TORNADOVM_HOME", dir.toString())), "gpu_compare: TORNADOVM_HOME=" + dir + " is not a TornadoVM SDK");
    }

    @Test
    void withoutCudaItIsOneLineBeforeAnythingRuns() throws Exception {
        Map<String, String> env = Map.of("TORNADOVM_HOME", sdk().toString(), "PYTHONPATH", torch(false).toString());
        assertOneLine(run(env), "gpu_compare: PyTorch (/usr/bin/python3) finds no CUDA device");
        assertOneLine(run(Map.of("TORNADOVM_HOME", sdk().toString(), "PYTHONPATH", torch(null).toString())),
                "gpu_compare: PyTorch is not installed for /usr/bin/python3");
    }

    @Test
    void withoutAGpuItIsOneLineUnlessADeviceIsNamed() throws Exception {
        Path lenet = lenet("tornado 0:0: opencl-0-0 (CPU, OpenCL), 6.7 GiB global memory");
        assertOneLine(run(Map.of(), "--lenet", "bash " + lenet, "--no-pytorch"), "gpu_compare: TornadoVM finds no GPU, only 0:0 opencl-0-0 (CPU, OpenCL)");
        assertOneLine(run(Map.of(), "--lenet", "bash " + lenet, "--no-pytorch", "--device", "3:1"), "gpu_compare: --device 3:1: no such TornadoVM device");
        Result named = run(Map.of(), "--lenet", "bash " + lenet, "--no-pytorch", "--device", "0:0", "--out", dir.resolve("out").toString());
        assertEquals(0, named.code(), named.err());
        assertTrue(named.out().contains("this is NOT a GPU run"), named.out());
        assertTrue(named.out().contains("(NOT a GPU run: TornadoVM device opencl-0-0 (CPU, OpenCL))"), named.out());
    }

    @Test
    void thePyTorchReferenceWithoutCudaIsOneLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "benchmarks/pytorch_reference.py", "train", "--device", "cuda");
        pb.environment().put("PYTHONPATH", torch(false).toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), out + err);
        assertEquals("pytorch_reference.py: --device cuda: PyTorch 0.0-test finds no CUDA device (built without CUDA)\n", err);
    }

    @Test
    void badArgumentsAreOneLine() throws Exception {
        Result r = run(Map.of(), "--epochs", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().strip().endsWith("--epochs 1: at least 2 (a TornadoVM run's first epoch is not its steady state)"), r.err());
        assertEquals(2, run(Map.of(), "--pytorch-device", "tpu").code());
    }

    @Test
    void bothSidesRunWithTheSameSettingsAndTheRatioIsReported() throws Exception {
        Path lenet = lenet("tornado 0:0: opencl-0-0 (CPU, OpenCL), 6.7 GiB global memory\ntornado 1:0: opencl-1-0 (GPU, OpenCL), 79.1 GiB global memory");
        Path out = dir.resolve("results");
        Result r = run(Map.of(), "--lenet", "bash " + lenet, "--python", python().toString(), "--train-limit", "2048", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String lenetCall = Files.readAllLines(dir.resolve("lenet-calls.txt")).get(1);
        assertTrue(lenetCall.startsWith("train --engine tornado --device 1:0 --batch-size 256 --profile "), "the first GPU: " + lenetCall);
        assertTrue(lenetCall.endsWith("--epochs 2 --lr 0.9 --train-limit 2048"), lenetCall);
        String pythonCall = Files.readString(dir.resolve("python-calls.txt")).strip();
        assertTrue(pythonCall.matches(".*/benchmarks/pytorch_reference\\.py train --device cuda --batch 256 --json \\S+ --epochs 2 --lr 0\\.9 --train-limit 2048"),
                pythonCall);
        String md = Files.readString(out.resolve("gpu.md"));
        assertTrue(md.startsWith("LeNet-5, batch 256, lr 0.9, 2 epochs of 60,000 examples\n"), "a GPU run says nothing else: " + md);
        assertTrue(md.contains("| lenet (TornadoVM) | 0.120 | 0.080 | 600,000 | 0.640 | 12.5 | opencl-1-0 NVIDIA H100 |"), md);
        assertTrue(md.contains("| PyTorch eager (cuda) | 0.160 | 0.140 | 400,000 | 0.630 | 1.5 | cuda: NVIDIA H100 |"), md);
        assertTrue(md.contains("ratio lenet / PyTorch: 1.50x over all epochs, 1.75x in the last epoch (examples/s)"), md);
        assertTrue(md.contains("profile of training step 2 (graph train, 24 kernels)") && md.contains("  conv1.forward   0.010"), md);
        JsonObject profile = JsonParser.parseString(Files.readString(out.resolve("gpu.json"))).getAsJsonObject().getAsJsonObject("profile");
        assertEquals("conv1.forward", profile.getAsJsonArray("kernels").get(0).getAsJsonObject().get("id").getAsString(),
                "gpu.json: the profile of lenet's metrics JSON");
        assertTrue(r.out().endsWith(md + "gpu_compare: figures in " + out + " (gpu.md, gpu.json, the logs)\n"), r.out());
    }
}
