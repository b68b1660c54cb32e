#!/usr/bin/env python3
"""
JAX reference for lenet: the d2l LeNet-5 of pytorch_reference.py, written in JAX, with the whole
training step (forward, backward, SGD update, the batch's loss and correct count) compiled by XLA as
one program (jax.jit). The strongest CPU peer lenet is compared with (benchmarks/compare_pytorch.py).

The network is the same: conv 1->6 5x5 padding 2, sigmoid, average pool 2, conv 6->16 5x5, sigmoid,
average pool 2, flatten, linear 400->120, sigmoid, 120->84, sigmoid, 84->10; weights Xavier-uniform,
biases PyTorch's default (uniform in +-1/sqrt(fan_in)); softmax cross-entropy (mean over the batch),
plain SGD. The training loop is pytorch_reference.py's: each epoch a new permutation, batches
gathered outside the clock, the last batch kept even when short, the loss and correct count read back
after every step (as .item() does) inside the clock, test accuracy after each epoch outside it.
XLA compiles one program per batch shape (the full batch and the last, short one); both are compiled
before the first epoch, on a throwaway copy of the weights, and that time is reported apart as the
warm-up (as lenet's kernel compilation is).

Output and --json follow pytorch_reference.py train ("loss 0.464, train acc 0.825, test acc 0.788",
"N examples/sec on cpu"; the same JSON keys, framework "jax <version>").

Setup: JAX needs numpy >= 2, which Debian's PyTorch 1.13 cannot load, so it lives in a virtual
environment of its own, from the local wheel folder:

    python3 -m venv ~/.venvs/jax
    ~/.venvs/jax/bin/pip install --no-index --find-links /opt/pypi/files jax jaxlib
    ~/.venvs/jax/bin/python benchmarks/jax_reference.py train --threads 2 --epochs 1 --json jax.json

--threads N pins the process to the first N CPUs before JAX starts (XLA sizes its thread pool from
the CPUs the process may run on).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_reference import DATA_DIR, load_split, positive_float, positive_int  # noqa: E402


def fail(message):
    print(f"jax_reference.py: {message}", file=sys.stderr)
    sys.exit(2)


def init_params(key):
    """Xavier-uniform weights (d2l's train_ch6), PyTorch's default biases: U(-1/sqrt(fan_in), +)."""
    import jax
    import jax.numpy as jnp

    def layer(key, shape, fan_in, fan_out):
        kw, kb = jax.random.split(key)
        bound = (6.0 / (fan_in + fan_out)) ** 0.5
        w = jax.random.uniform(kw, shape, jnp.float32, -bound, bound)
        b = jax.random.uniform(kb, (shape[0],), jnp.float32, -fan_in ** -0.5, fan_in ** -0.5)
        return w, b

    keys = jax.random.split(key, 5)
    params = {}
    params["conv1"] = layer(keys[0], (6, 1, 5, 5), 1 * 25, 6 * 25)
    params["conv2"] = layer(keys[1], (16, 6, 5, 5), 6 * 25, 16 * 25)
    params["fc1"] = layer(keys[2], (120, 400), 400, 120)
    params["fc2"] = layer(keys[3], (84, 120), 120, 84)
    params["fc3"] = layer(keys[4], (10, 84), 84, 10)
    return params


def forward(params, x):
    """Logits (n, 10) of images x (n, 1, 28, 28)."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    def conv(x, wb, pad):
        w, b = wb
        y = lax.conv_general_dilated(x, w, (1, 1), [(pad, pad), (pad, pad)],
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]

    def pool(x):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))

    def linear(x, wb):
        w, b = wb
        return x @ w.T + b

    x = pool(jax.nn.sigmoid(conv(x, params["conv1"], 2)))
    x = pool(jax.nn.sigmoid(conv(x, params["conv2"], 0)))
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.sigmoid(linear(x, params["fc1"]))
    x = jax.nn.sigmoid(linear(x, params["fc2"]))
    return linear(x, params["fc3"])


def make_step(lr):
    """The whole SGD step as one XLA program: (params, x, y) -> (new params, mean loss, correct)."""
    import jax
    import jax.numpy as jnp

    def loss_fn(params, x, y):
        logits = forward(params, x)
        logp = jax.nn.log_softmax(logits)
        loss = -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))
        return loss, logits

    def step(params, x, y):
        (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, x, y)
        params = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        correct = jnp.sum(jnp.argmax(logits, axis=1) == y)
        return params, loss, correct

    return jax.jit(step, donate_argnums=0)


def make_predict():
    import jax
    import jax.numpy as jnp
    return jax.jit(lambda params, x: jnp.argmax(forward(params, x), axis=1))


def evaluate_accuracy(predict, params, x, y, batch):
    import numpy as np
    correct = 0
    for s in range(0, x.shape[0], batch):
        correct += int(np.sum(np.asarray(predict(params, x[s:s + batch])) == y[s:s + batch]))
    return correct / x.shape[0]


def run_train(args):
    import jax
    import numpy as np

    threads = len(os.sched_getaffinity(0))
    print(f"jax {jax.__version__}, jaxlib {jax.lib.__version__ if hasattr(jax.lib, '__version__') else '?'}, "
          f"{jax.devices()[0].platform}, {threads} CPU(s)")
    x_train, y_train = load_split(args.data, "train", limit=args.train_limit)
    x_test, y_test = load_split(args.data, "t10k", limit=args.test_limit)
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    n_train = x_train.shape[0]
    print(f"data: {n_train} training, {x_test.shape[0]} test examples from {args.data}")

    key = jax.random.PRNGKey(args.seed)
    params = init_params(key)
    step = make_step(args.lr)
    predict = make_predict()

    # Compile the step for every batch shape an epoch runs, and the evaluation, on throwaway weights.
    t0 = time.perf_counter()
    shapes = sorted({min(args.batch, n_train), n_train % args.batch} - {0})
    for n in shapes:
        scratch = jax.tree_util.tree_map(lambda p: p.copy(), params)
        scratch, loss, correct = step(scratch, x_train[:n], y_train[:n])
        float(loss), int(correct)
    evaluate_accuracy(predict, params, x_test, y_test, args.batch)
    warm_up_seconds = time.perf_counter() - t0
    print(f"warm-up: {warm_up_seconds:.2f} s (XLA compilation; not counted in examples/sec)")

    rng = np.random.default_rng(args.seed)
    train_time = 0.0
    epochs = []
    for epoch in range(args.epochs):
        order = rng.permutation(n_train)
        loss_sum, correct_sum, seen = 0.0, 0, 0
        epoch_time = 0.0
        for s in range(0, n_train, args.batch):
            idx = order[s:s + args.batch]
            X, y = x_train[idx], y_train[idx]
            t0 = time.perf_counter()
            params, loss, correct = step(params, X, y)
            loss_sum += float(loss) * X.shape[0]
            correct_sum += int(correct)
            seen += X.shape[0]
            epoch_time += time.perf_counter() - t0
        train_time += epoch_time
        test_acc = evaluate_accuracy(predict, params, x_test, y_test, args.batch)
        train_l, train_acc = loss_sum / seen, correct_sum / seen
        print(f"epoch {epoch + 1:2d}: loss {train_l:.4f}, train acc {train_acc:.4f}, "
              f"test acc {test_acc:.4f}, {epoch_time:.2f} s, {seen / epoch_time:.1f} examples/sec", flush=True)
        epochs.append({"epoch": epoch + 1, "loss": train_l, "train_acc": train_acc, "test_acc": test_acc,
                       "train_seconds": epoch_time, "examples_per_sec": seen / epoch_time})

    last = epochs[-1]
    examples_per_sec = n_train * args.epochs / train_time if train_time > 0 else float("nan")
    print(f"loss {last['loss']:.3f}, train acc {last['train_acc']:.3f}, test acc {last['test_acc']:.3f}")
    print(f"{examples_per_sec:.1f} examples/sec on cpu")
    if args.json:
        result = {
            "framework": f"jax {jax.__version__}",
            "device": "cpu",
            "warm_up_seconds": warm_up_seconds,
            "threads": threads,
            "epochs": args.epochs,
            "batch_size": args.batch,
            "lr": args.lr,
            "seed": args.seed,
            "train_examples": n_train,
            "test_examples": int(x_test.shape[0]),
            "loss": last["loss"],
            "train_acc": last["train_acc"],
            "test_acc": last["test_acc"],
            "train_seconds": train_time,
            "examples_per_sec": examples_per_sec,
            "per_epoch": epochs,
        }
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="jax_reference.py",
        description="JAX reference for lenet (d2l LeNet-5 on Fashion-MNIST, the whole step jit-compiled): "
                    "'train' runs d2l's training loop and reports accuracy and examples/sec.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True, metavar="{train}")
    tr = sub.add_parser("train", help="run the d2l training loop",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    tr.add_argument("--epochs", type=positive_int, default=10, help="training epochs")
    tr.add_argument("--batch", type=positive_int, default=256, help="batch size")
    tr.add_argument("--lr", type=positive_float, default=0.9, help="SGD learning rate")
    tr.add_argument("--threads", type=positive_int, default=None,
                    help="run on the first N CPUs this process may use (XLA's thread pool follows); default: all")
    tr.add_argument("--train-limit", type=positive_int, default=None, help="use only the first N training examples")
    tr.add_argument("--test-limit", type=positive_int, default=None, help="use only the first N test examples")
    tr.add_argument("--seed", type=int, default=0, help="jax.random.PRNGKey (weights) and numpy (shuffling)")
    tr.add_argument("--data", default=DATA_DIR, help="directory of the four gzip IDX files")
    tr.add_argument("--json", default=None, metavar="FILE", help="also write the figures as JSON")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if args.threads is not None:
        cpus = sorted(os.sched_getaffinity(0))
        if args.threads > len(cpus):
            fail(f"--threads {args.threads}: this process may run on {len(cpus)} CPU(s) only")
        os.sched_setaffinity(0, cpus[:args.threads])
    try:
        import jax  # noqa: F401
    except ImportError as e:
        fail(f"cannot import jax ({e}); install it in a virtual environment: python3 -m venv ~/.venvs/jax && "
             f"~/.venvs/jax/bin/pip install --no-index --find-links /opt/pypi/files jax jaxlib")
    run_train(args)


if __name__ == "__main__":
    main(sys.argv[1:])
