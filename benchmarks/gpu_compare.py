#!/usr/bin/python3
"""LeNet-5 on a GPU: lenet's TornadoVM engine next to PyTorch's eager CUDA run, one after the other.

Both train d2l's LeNet-5 on the same Fashion-MNIST files with the same batch size, learning rate and
number of epochs (at least two: the first of a TornadoVM run is not its steady state). Each side
compiles or initialises before its first step, outside the time counted (lenet's kernel warm-up,
PyTorch's CUDA/cuBLAS/cuDNN warm-up steps). Printed: seconds and examples/s per epoch of each side,
examples/s over all epochs and their ratio (lenet / PyTorch), and TornadoVM's per-kernel profile of a
training step. Files in --out: tornado.log, tornado.json (lenet's metrics), pytorch.log,
pytorch.json, gpu.json (the figures; "profile" is lenet's metrics.json "profile") and gpu.md (the tables,
with the profile table lenet printed).

    benchmarks/gpu_compare.py                       # needs TORNADOVM_HOME and PyTorch with CUDA
    benchmarks/gpu_compare.py --epochs 3 --out results/gpu

It stops with one line, before running anything, when there is no TornadoVM SDK, when TornadoVM
finds no GPU, or when PyTorch finds no CUDA device. --device B:D runs the TornadoVM engine on the
device named, whatever its kind, and --pytorch-device cpu runs PyTorch on the CPU: such a run (to try
the script where there is no GPU) says that it is not a GPU run.

--lenet CMD replaces scripts/lenet by another launcher of lenet's command line (a java command line,
as a bundle without scripts/lenet has), split as a shell would.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
DEVICE_LINE = re.compile(r"^tornado (\d+:\d+): (.*) \((\w+), ([^)]*)\), ([\d.]+) GiB global memory$")


def fail(message):
    print(f"gpu_compare: {message}", file=sys.stderr)
    sys.exit(1)


def positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return v


def parse_args(argv):
    p = argparse.ArgumentParser(prog="gpu_compare.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=positive_int, default=2, help="epochs on each side, at least 2 (default 2)")
    p.add_argument("--batch", type=positive_int, default=256, help="batch size (default 256)")
    p.add_argument("--lr", type=float, default=0.9, help="SGD learning rate (default 0.9)")
    p.add_argument("--data", help="folder of the four Fashion-MNIST files (default: lenet's and "
                                  "pytorch_reference.py's, /usr/share/datasets/fashion-mnist)")
    p.add_argument("--train-limit", type=positive_int, help="only the first N training examples, both sides")
    p.add_argument("--test-limit", type=positive_int, help="only the first N test examples, both sides")
    p.add_argument("--device", metavar="B:D", help="the TornadoVM device (default: the first GPU 'lenet devices' lists)")
    p.add_argument("--pytorch-device", choices=["cuda", "cpu"], default="cuda", help="PyTorch's device (default cuda)")
    p.add_argument("--no-pytorch", action="store_true", help="only the TornadoVM engine (no PyTorch with CUDA at hand)")
    p.add_argument("--lenet", help="the command that runs lenet's command line (default: scripts/lenet)")
    p.add_argument("--python", default="/usr/bin/python3", help="the Python with PyTorch (default /usr/bin/python3)")
    p.add_argument("--timeout", type=positive_int, default=600, help="seconds each side may run (default 600)")
    p.add_argument("--out", default="gpu-results", help="folder for the logs and figures (default gpu-results)")
    args = p.parse_args(argv)
    if args.epochs < 2:
        p.error(f"--epochs {args.epochs}: at least 2 (a TornadoVM run's first epoch is not its steady state)")
    if not args.lr > 0:
        p.error(f"--lr {args.lr}: expected a positive number")
    return args


def lenet_command(args):
    """The launcher of lenet's command line, checked: scripts/lenet needs a TornadoVM SDK."""
    if args.lenet:
        return shlex.split(args.lenet)
    home = os.environ.get("TORNADOVM_HOME")
    if not home:
        fail("the TornadoVM engine needs a TornadoVM SDK: set TORNADOVM_HOME (see README, Running under TornadoVM)")
    if not (os.path.isfile(os.path.join(home, "tornado-argfile")) and os.path.isdir(os.path.join(home, "share", "java", "tornado"))):
        fail(f"TORNADOVM_HOME={home} is not a TornadoVM SDK: expected tornado-argfile and share/java/tornado there")
    return [os.path.join(ROOT, "scripts", "lenet")]


def check_pytorch(args):
    """One line and exit when PyTorch cannot run on the device asked for."""
    if args.no_pytorch:
        return
    probe = ("import sys\ntry:\n import torch\nexcept ImportError:\n sys.exit(3)\n"
             "sys.exit(0 if sys.argv[1] == 'cpu' or torch.cuda.is_available() else 4)")
    try:
        rc = subprocess.run([args.python, "-c", probe, args.pytorch_device], capture_output=True).returncode
    except OSError as e:
        fail(f"--python {args.python}: cannot run it ({e.strerror})")
    if rc == 3:
        fail(f"PyTorch is not installed for {args.python} (--no-pytorch runs the TornadoVM engine alone)")
    if rc == 4:
        fail(f"PyTorch ({args.python}) finds no CUDA device: no NVIDIA GPU, driver or CUDA build here "
             "(--no-pytorch runs the TornadoVM engine alone)")
    if rc != 0:
        fail(f"{args.python} could not check PyTorch (exit {rc})")


def parse_devices(text):
    """TornadoVM's devices from 'lenet devices': [(id, name, type, backend)]."""
    return [m.groups()[:4] for m in map(DEVICE_LINE.match, text.splitlines()) if m]


def pick_device(args, lenet):
    """The TornadoVM device: --device, else the first GPU; (id, description, is_gpu)."""
    proc = subprocess.run(lenet + ["devices"], capture_output=True, text=True, timeout=args.timeout)
    devices = parse_devices(proc.stdout)
    if proc.returncode != 0 or not devices:
        fail("TornadoVM lists no devices ('lenet devices' said: "
             + " | ".join(l for l in (proc.stdout + proc.stderr).splitlines() if l.strip() and "WARNING" not in l) + ")")
    if args.device:
        for d in devices:
            if d[0] == args.device:
                return d[0], f"{d[1]} ({d[2]}, {d[3]})", d[2] == "GPU"
        fail(f"--device {args.device}: no such TornadoVM device; it has " + ", ".join(f"{d[0]} ({d[2]})" for d in devices))
    for d in devices:
        if d[2] == "GPU":
            return d[0], f"{d[1]} ({d[2]}, {d[3]})", True
    fail("TornadoVM finds no GPU, only " + ", ".join(f"{d[0]} {d[1]} ({d[2]}, {d[3]})" for d in devices)
         + " (--device B:D runs on one of them anyway, as a run that is not a GPU run)")


def run_logged(cmd, log, timeout, what):
    """Runs cmd, its output into log and, line by line, onto stdout; stops with one line when it fails."""
    print(f"gpu_compare: {what}: {' '.join(shlex.quote(c) for c in cmd)}", flush=True)
    with open(log, "w") as f:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        try:
            for line in proc.stdout:
                f.write(line)
                if not line.startswith("  ") or "profile" in line:
                    sys.stdout.write("  " + line)
                    sys.stdout.flush()
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail(f"{what} ran past {timeout} s (log: {log})")
    if proc.returncode != 0:
        fail(f"{what} failed with exit {proc.returncode} (log: {log})")


def profile_block(log_text):
    """The per-kernel table lenet --profile printed: from 'profile of' to its footnote."""
    lines = log_text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("profile of"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("  ¹")), len(lines) - 1)
            return "\n".join(lines[i:end + 1])
    return ""


def summary(args, device, is_gpu, lenet_metrics, torch_metrics, profile):
    """The figures (a dict) and the tables (Markdown); profile: the table lenet printed, for the Markdown."""
    def side(name, where, per_epoch, total_eps, test_acc, warm_up):
        return {"name": name, "device": where, "epoch_seconds": [e["seconds"] for e in per_epoch],
                "epoch_examples_per_sec": [e["eps"] for e in per_epoch], "examples_per_sec": total_eps,
                "test_acc": test_acc, "warm_up_seconds": warm_up}

    sides = [side("lenet (TornadoVM)", lenet_metrics["device"],
                  [{"seconds": h["trainSeconds"], "eps": h["examplesPerSec"]} for h in lenet_metrics["history"]],
                  lenet_metrics["examplesPerSec"], lenet_metrics["testAcc"], lenet_metrics.get("warmUpSeconds", 0.0))]
    if torch_metrics:
        sides.append(side(f"PyTorch eager ({args.pytorch_device})", torch_metrics["device"],
                          [{"seconds": e["train_seconds"], "eps": e["examples_per_sec"]} for e in torch_metrics["per_epoch"]],
                          torch_metrics["examples_per_sec"], torch_metrics["test_acc"], torch_metrics.get("warm_up_seconds", 0.0)))
    ratio = sides[0]["examples_per_sec"] / sides[1]["examples_per_sec"] if torch_metrics else None
    steady = (sides[0]["epoch_examples_per_sec"][-1] / sides[1]["epoch_examples_per_sec"][-1]) if torch_metrics else None
    gpu_run = is_gpu and args.pytorch_device == "cuda"
    figures = {"gpu_run": gpu_run, "tornado_device": device, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
               "train_examples": lenet_metrics["trainExamples"], "test_examples": lenet_metrics["testExamples"],
               "sides": sides, "ratio": ratio, "ratio_last_epoch": steady,
               "profile": lenet_metrics.get("profile")}

    md = [f"LeNet-5, batch {args.batch}, lr {args.lr}, {args.epochs} epochs of {lenet_metrics['trainExamples']:,} examples"
          + ("" if gpu_run else "  (NOT a GPU run: " + ("TornadoVM device " + device if not is_gpu else "PyTorch on the CPU") + ")"),
          "",
          "| | " + " | ".join(f"epoch {e + 1} s" for e in range(args.epochs)) + " | examples/s | test acc | warm-up s | device |",
          "|---|" + "---:|" * args.epochs + "---:|---:|---:|---|"]
    for s in sides:
        md.append(f"| {s['name']} | " + " | ".join(f"{t:.3f}" for t in s["epoch_seconds"])
                  + f" | {s['examples_per_sec']:,.0f} | {s['test_acc']:.3f} | {s['warm_up_seconds']:.1f} | {s['device']} |")
    if ratio is not None:
        md += ["", f"ratio lenet / PyTorch: {ratio:.2f}x over all epochs, {steady:.2f}x in the last epoch (examples/s)"]
    if profile:
        md += ["", "```", profile, "```"]
    return figures, "\n".join(md) + "\n"


def main(argv):
    args = parse_args(argv)
    lenet = lenet_command(args)
    check_pytorch(args)
    device, description, is_gpu = pick_device(args, lenet)
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    if not is_gpu:
        print(f"gpu_compare: TornadoVM device {device} is {description}: this is NOT a GPU run", flush=True)
    common = ["--epochs", str(args.epochs), "--lr", str(args.lr)]
    limits = []
    if args.data:
        limits += ["--data", os.path.abspath(args.data)]
    if args.train_limit:
        limits += ["--train-limit", str(args.train_limit)]
    if args.test_limit:
        limits += ["--test-limit", str(args.test_limit)]

    run = os.path.join(out, "tornado-run")
    if os.path.exists(run):
        fail(f"--out {args.out}: holds a tornado-run folder already: give a new folder")
    run_logged(lenet + ["train", "--engine", "tornado", "--device", device, "--batch-size", str(args.batch), "--profile",
                        "--plain", "--no-plot", "--metrics-json", os.path.join(out, "tornado.json"), "--out", run] + common + limits,
               os.path.join(out, "tornado.log"), args.timeout, f"lenet, TornadoVM engine on {device}")
    with open(os.path.join(out, "tornado.json")) as f:
        lenet_metrics = json.load(f)
    with open(os.path.join(out, "tornado.log")) as f:
        profile = profile_block(f.read())

    torch_metrics = None
    if not args.no_pytorch:
        run_logged([args.python, os.path.join(HERE, "pytorch_reference.py"), "train", "--device", args.pytorch_device,
                    "--batch", str(args.batch), "--json", os.path.join(out, "pytorch.json")] + common + limits,
                   os.path.join(out, "pytorch.log"), args.timeout, f"PyTorch on {args.pytorch_device}")
        with open(os.path.join(out, "pytorch.json")) as f:
            torch_metrics = json.load(f)

    figures, md = summary(args, description, is_gpu, lenet_metrics, torch_metrics, profile)
    with open(os.path.join(out, "gpu.json"), "w") as f:
        json.dump(figures, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "gpu.md"), "w") as f:
        f.write(md)
    print()
    print(md, end="")
    print(f"gpu_compare: figures in {out} (gpu.md, gpu.json, the logs)")


if __name__ == "__main__":
    main(sys.argv[1:])
