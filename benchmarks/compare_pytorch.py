#!/usr/bin/python3
"""Side-by-side training throughput: lenet's JVM engine against the PyTorch and JAX references, in one run.

All train d2l's LeNet on Fashion-MNIST with the same batch size, learning rate and epochs, one after
the other, alternating when --repeat > 1; examples/sec is counted as d2l does (training examples over
the time inside training steps, evaluation excluded; lenet's and JAX's compilation before the first
step excluded too). Peak RSS comes from /usr/bin/time. Each side prints the median of its runs and
their spread (slowest to fastest); the ratios lenet / PyTorch and lenet / JAX are the medians'
ratios, with the range of the per-round ratios (round r's lenet over round r's peer).

JAX (jax_reference.py, the whole step compiled by XLA) needs numpy >= 2, which Debian's PyTorch
cannot load, so it runs on a Python of its own: --jax-python, else $LENET_JAX_PYTHON, else
~/.venvs/jax/bin/python. When that Python cannot import jax the JAX column is left out, with a line
saying so and how to install it:

    python3 -m venv ~/.venvs/jax
    ~/.venvs/jax/bin/pip install --no-index --find-links /opt/pypi/files jax jaxlib

PyTorch must use OpenBLAS (Debian's torch calls the system libblas.so.3; without libopenblas0-pthread
that is the slow reference BLAS): the script checks, installs it when run as root, and prints the
BLAS the PyTorch run reported.

    benchmarks/compare_pytorch.py                      # 1 epoch each, 2 threads
    benchmarks/compare_pytorch.py --epochs 10          # the full d2l run, accuracy too
    benchmarks/compare_pytorch.py --repeat 3 --json out.json
    benchmarks/compare_pytorch.py --no-jax             # lenet and PyTorch only
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


def jax_python(args):
    """The Python that runs jax_reference.py, or None (with the reason printed) when it cannot import jax."""
    if args.no_jax:
        print("JAX: left out (--no-jax)")
        return None
    python = args.jax_python or os.environ.get("LENET_JAX_PYTHON") or os.path.expanduser("~/.venvs/jax/bin/python")
    probe = subprocess.run([python, "-c", "import jax"], capture_output=True, text=True) if os.path.exists(python) else None
    if probe is None or probe.returncode != 0:
        why = "not found" if probe is None else "cannot import jax"
        print(f"JAX: column skipped: {python} {why}. Install it with: python3 -m venv ~/.venvs/jax && "
              f"~/.venvs/jax/bin/pip install --no-index --find-links /opt/pypi/files jax jaxlib "
              f"(or name a Python with jax: --jax-python PATH)")
        return None
    return python


def run_jax(args, python, out_json):
    cmd = [python, os.path.join(ROOT, "benchmarks", "jax_reference.py"), "train",
           "--epochs", str(args.epochs), "--batch", str(args.batch), "--lr", str(args.lr),
           "--threads", str(args.threads), "--json", out_json] + limit(args, "--train-limit")
    text, rss = timed(cmd)
    with open(out_json) as f:
        m = json.load(f)
    return {"examples_per_sec": m["examples_per_sec"], "test_acc": m["test_acc"], "loss": m["loss"],
            "train_acc": m["train_acc"], "peak_rss_mb": rss, "framework": m["framework"],
            "warm_up_seconds": m["warm_up_seconds"]}


def spread(runs, key="examples_per_sec"):
    """(median, min, max) of a side's runs."""
    values = [x[key] for x in runs]
    return statistics.median(values), min(values), max(values)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.9)
    p.add_argument("--threads", type=int, default=2, help="threads for both sides (default: 2)")
    p.add_argument("--train-limit", type=int, help="use only the first N training examples (both sides)")
    p.add_argument("--repeat", type=int, default=1, help="runs per side, alternating (default: 1)")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--jax-python", metavar="PYTHON",
                   help="Python with jax installed (default: $LENET_JAX_PYTHON, else ~/.venvs/jax/bin/python)")
    p.add_argument("--no-jax", action="store_true", help="leave the JAX column out")
    p.add_argument("lenet_args", nargs="*", help="extra options for 'lenet train' (after --)")
    args = p.parse_args()
    if shutil.which("/usr/bin/time") is None:
        sys.exit("compare_pytorch: /usr/bin/time is missing: apt-get install time")
    ensure_openblas()
    jax_py = jax_python(args)
    lenet, torch, jax = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            print(f"run {r + 1}/{args.repeat}: lenet ...", flush=True)
            lenet.append(run_lenet(args, os.path.join(tmp, f"lenet{r}.json")))
            print(f"  {lenet[-1]['examples_per_sec']:,.0f} examples/s", flush=True)
            print(f"run {r + 1}/{args.repeat}: PyTorch ...", flush=True)
            torch.append(run_pytorch(args, os.path.join(tmp, f"torch{r}.json")))
            print(f"  {torch[-1]['examples_per_sec']:,.0f} examples/s ({torch[-1]['blas']})", flush=True)
            if jax_py:
                print(f"run {r + 1}/{args.repeat}: JAX ...", flush=True)
                jax.append(run_jax(args, jax_py, os.path.join(tmp, f"jax{r}.json")))
                print(f"  {jax[-1]['examples_per_sec']:,.0f} examples/s", flush=True)
    med = lambda runs, k: statistics.median(x[k] for x in runs)

    def row(name, runs, note):
        m, lo, hi = spread(runs)
        print(f"{name:10} {m:>12,.0f} {lo:>10,.0f} - {hi:<10,.0f} {med(runs, 'test_acc'):>9.3f} "
              f"{med(runs, 'peak_rss_mb'):>8.0f} MB   {note}")

    def ratios(peer):
        per_round = [a["examples_per_sec"] / b["examples_per_sec"] for a, b in zip(lenet, peer)]
        return med(lenet, "examples_per_sec") / med(peer, "examples_per_sec"), min(per_round), max(per_round)

    print()
    print(f"{'':10} {'examples/s':>12} {'spread (min - max)':^23} {'test acc':>9} {'peak RSS':>10}")
    row("lenet", lenet, lenet[0]["device"])
    row("PyTorch", torch, f"{args.threads} threads, {torch[0]['blas']}")
    if jax:
        row("JAX", jax, f"{jax[0]['framework']}, XLA, whole step jit-compiled, {args.threads} threads")
    ratio = ratios(torch)
    ratio_jax = ratios(jax) if jax else None
    print(f"({args.epochs} epoch(s), batch {args.batch}, {args.repeat} run(s) each; ratio of medians, per-round range)")
    print(f"ratio lenet / PyTorch: {ratio[0]:.2f}x  ({ratio[1]:.2f} - {ratio[2]:.2f})")
    if ratio_jax:
        print(f"ratio lenet / JAX:     {ratio_jax[0]:.2f}x  ({ratio_jax[1]:.2f} - {ratio_jax[2]:.2f})")
    else:
        print("ratio lenet / JAX:     skipped (no JAX; see above)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, "batch": args.batch, "threads": args.threads, "lenet": lenet,
                       "pytorch": torch, "ratio": ratio[0], "ratio_range": ratio[1:],
                       "jax": jax if jax else None, "ratio_jax": ratio_jax[0] if ratio_jax else None,
                       "ratio_jax_range": ratio_jax[1:] if ratio_jax else None}, f, indent=2)


if __name__ == "__main__":
    main()
