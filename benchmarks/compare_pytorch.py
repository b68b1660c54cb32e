#!/usr/bin/python3
"""Side-by-side training throughput: lenet's JVM engine against the PyTorch reference, in one run.

Both train d2l's LeNet on Fashion-MNIST with the same batch size, learning rate and epochs, one after
the other, alternating when --repeat > 1; examples/sec is counted as d2l does (training examples over
the time inside training steps, evaluation excluded). Peak RSS comes from /usr/bin/time. The ratio is
lenet / PyTorch, from the median of each side.

PyTorch must use OpenBLAS (Debian's torch calls the system libblas.so.3; without libopenblas0-pthread
that is the slow reference BLAS): the script checks, installs it when run as root, and prints the
BLAS the PyTorch run reported.

    benchmarks/compare_pytorch.py                      # 1 epoch each, 2 threads
    benchmarks/compare_pytorch.py --epochs 10          # the full d2l run, accuracy too
    benchmarks/compare_pytorch.py --repeat 3 --json out.json
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_openblas():
    ok = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "libopenblas0-pthread"],
                        capture_output=True, text=True).stdout.startswith("install ok")
    if ok:
        return
    if os.geteuid() != 0:
        sys.exit("compare_pytorch: libopenblas0-pthread is not installed, so PyTorch would use the slow "
                 "reference BLAS: apt-get install libopenblas0-pthread")
    print("installing libopenblas0-pthread (PyTorch's linear layers need it)", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "libopenblas0-pthread"], check=True,
                   stdout=subprocess.DEVNULL)


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        proc = subprocess.run(["/usr/bin/time", "-o", rss.name, "-f", "%M"] + cmd, capture_output=True,
                              text=True, env=env, cwd=ROOT)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.exit("compare_pytorch: command failed: " + " ".join(cmd))
        peak_kb = int(rss.read().strip().splitlines()[-1])
    return proc.stdout + proc.stderr, peak_kb / 1024.0


def limit(args, option):
    return [option, str(args.train_limit)] if args.train_limit else []


def run_lenet(args, out_json):
    cmd = [os.path.join(ROOT, "scripts", "lenet"), "train", "--epochs", str(args.epochs),
           "--batch-size", str(args.batch), "--lr", str(args.lr), "--threads", str(args.threads),
           "--seed", "42", "--metrics-json", out_json] + limit(args, "--train-limit") + args.lenet_args
    text, rss = timed(cmd)
    with open(out_json) as f:
        m = json.load(f)
    return {"examples_per_sec": m["examplesPerSec"], "test_acc": m["testAcc"], "loss": m["loss"],
            "train_acc": m["trainAcc"], "peak_rss_mb": rss, "device": m["device"]}


def run_pytorch(args, out_json):
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "benchmarks", "pytorch_reference.py"), "train",
           "--epochs", str(args.epochs), "--batch", str(args.batch), "--lr", str(args.lr),
           "--threads", str(args.threads), "--json", out_json] + limit(args, "--train-limit")
    text, rss = timed(cmd)
    with open(out_json) as f:
        m = json.load(f)
    blas = re.search(r"BLAS[^\n]*", text)
    return {"examples_per_sec": m["examples_per_sec"], "test_acc": m["test_acc"], "loss": m["loss"],
            "train_acc": m["train_acc"], "peak_rss_mb": rss, "blas": blas.group(0) if blas else "unknown"}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.9)
    p.add_argument("--threads", type=int, default=2, help="threads for both sides (default: 2)")
    p.add_argument("--train-limit", type=int, help="use only the first N training examples (both sides)")
    p.add_argument("--repeat", type=int, default=1, help="runs per side, alternating (default: 1)")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("lenet_args", nargs="*", help="extra options for 'lenet train' (after --)")
    args = p.parse_args()
    if shutil.which("/usr/bin/time") is None:
        sys.exit("compare_pytorch: /usr/bin/time is missing: apt-get install time")
    ensure_openblas()
    lenet, torch = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            print(f"run {r + 1}/{args.repeat}: lenet ...", flush=True)
            lenet.append(run_lenet(args, os.path.join(tmp, f"lenet{r}.json")))
            print(f"  {lenet[-1]['examples_per_sec']:,.0f} examples/s", flush=True)
            print(f"run {r + 1}/{args.repeat}: PyTorch ...", flush=True)
            torch.append(run_pytorch(args, os.path.join(tmp, f"torch{r}.json")))
            print(f"  {torch[-1]['examples_per_sec']:,.0f} examples/s ({torch[-1]['blas']})", flush=True)
    med = lambda runs, k: statistics.median(x[k] for x in runs)
    ratio = med(lenet, "examples_per_sec") / med(torch, "examples_per_sec")
    print()
    print(f"{'':10} {'examples/s':>12} {'test acc':>9} {'peak RSS':>10}")
    print(f"{'lenet':10} {med(lenet, 'examples_per_sec'):>12,.0f} {med(lenet, 'test_acc'):>9.3f} "
          f"{med(lenet, 'peak_rss_mb'):>8.0f} MB   {lenet[0]['device']}")
    print(f"{'PyTorch':10} {med(torch, 'examples_per_sec'):>12,.0f} {med(torch, 'test_acc'):>9.3f} "
          f"{med(torch, 'peak_rss_mb'):>8.0f} MB   {args.threads} threads, {torch[0]['blas']}")
    print(f"ratio lenet / PyTorch: {ratio:.2f}x  ({args.epochs} epoch(s), batch {args.batch}, {args.repeat} run(s) each)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, "batch": args.batch, "threads": args.threads, "lenet": lenet,
                       "pytorch": torch, "ratio": ratio}, f, indent=2)


if __name__ == "__main__":
    main()
