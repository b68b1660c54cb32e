#!/usr/bin/python3
"""
PyTorch reference for lenet: the d2l LeNet-5 (Dive into Deep Learning, section 7.6 "Convolutional
Neural Networks (LeNet)"), written out plainly so that the Java kernels can be checked against it
and its training speed compared with theirs.

--model picks the network. lenet (the default) is exactly as d2l builds it (parameter names are the
nn.Sequential indices):

    nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),     # 0, 1
        nn.AvgPool2d(kernel_size=2, stride=2),                       # 2
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),               # 3, 4
        nn.AvgPool2d(kernel_size=2, stride=2),                       # 5
        nn.Flatten(),                                                # 6
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),                    # 7, 8
        nn.Linear(120, 84), nn.Sigmoid(),                            # 9, 10
        nn.Linear(84, 10))                                           # 11

The other two keep its layer shapes and change only what their names say; their modules are named as
lenet names its layers, so their parameters are conv1.weight ... fc3.bias and bn1 ... bn4:

  lenet-bn    d2l's LeNet with batch normalisation (section 8.5): BatchNorm2d(6) after conv1 (bn1),
              BatchNorm2d(16) after conv2 (bn2), BatchNorm1d(120) after fc1 (bn3) and BatchNorm1d(84)
              after fc2 (bn4), each before its sigmoid; PyTorch's defaults (momentum 0.1, eps 1e-5, gamma 1,
              beta 0; batch statistics in training, with the biased variance in the normalisation and the
              unbiased one in the running estimate; the running estimates in evaluation). d2l drops conv1's
              padding there (fc1 then sees 16 * 4 * 4 = 256 features); this keeps it (400 features), so
              that batch norm is the only difference from lenet. lr 1.0 as in the chapter.
  lenet-relu  ReLU in place of every sigmoid and MaxPool2d(2, stride 2) in place of each AvgPool2d
              (d2l's exercise); lr 0.3, measured with this script (benchmarks/README.md).

Every model is initialised as d2l's train_ch6 does (nn.init.xavier_uniform_ on every Conv2d and Linear
weight, biases left at PyTorch's default, batch norm at its defaults) and trained with
CrossEntropyLoss (mean over the batch) and plain SGD, lr the model's unless --lr says otherwise.

Two modes:

  fixture  Ten SGD steps from lenet's own initial weights (Params.xavier(42), reproduced bit for bit)
           on batches of 32 real Fashion-MNIST training images (the first 160, five batches, each
           seen twice), at the model's learning rate (lenet 0.9, lenet-bn 1.0, lenet-relu 0.3), written
           to a binary file (default src/test/resources/lenet/fixture/lenet_fixture.bin,
           lenet_bn_fixture.bin, lenet_relu_fixture.bin) that the Java test
           lenet.fixture.PyTorchFixtureTest reads: the first step's logits, per-example losses and
           parameter gradients, the ten losses and the final parameters (llm.c's test_gpt2 in spirit).
           Every model starts from the same ten conv/linear tensors, drawn in the same order; batch
           norm from gamma 1, beta 0, running mean 0, running variance 1:

               python3 benchmarks/pytorch_reference.py fixture
               python3 benchmarks/pytorch_reference.py fixture --model lenet-bn

  train    The d2l training run on Fashion-MNIST (batch 256, the model's lr, 10 epochs by default), read
           from the gzip IDX files (no torchvision download), printing d2l's summary lines
           ("loss 0.464, train acc 0.825, test acc 0.788" and "N examples/sec on cpu"):

               python3 benchmarks/pytorch_reference.py train --threads 2 --json pytorch.json
               python3 benchmarks/pytorch_reference.py train --model lenet-bn

           With --device cuda it trains on the GPU, eagerly (no compilation, no CUDA graphs): the
           data set is copied to the GPU once, each batch gathered there, the loss and accuracy sums
           kept on the GPU until the epoch ends (no synchronisation per step), and an epoch is timed
           from a synchronised start to a synchronised end, the gathers included. A few steps on a
           throwaway copy of the network first initialise CUDA, cuBLAS and cuDNN (not counted, as
           lenet's kernel compilation is not):

               python3 benchmarks/pytorch_reference.py train --device cuda --epochs 2

Fixture file format (little-endian):

    bytes  "LNTF"                       magic
    int32  version (1)
    int32  number of tensors
    then per tensor:
    int32  name length in bytes, then the name (UTF-8)
    int32  dtype (0 = float32, 1 = int32, 2 = uint8)
    int32  ndim, then int32 dims[ndim] (ndim 0: a scalar, one value)
    data   prod(dims) values of the dtype, row-major (PyTorch's NCHW order for activations)

Tensors in the file (B examples a batch, M images, S steps; <p> every parameter in the model's order:
for lenet 0.weight, 0.bias, 3.weight, 3.bias, 7.weight, 7.bias, 9.weight, 9.bias, 11.weight, 11.bias;
for lenet-relu conv1.weight, conv1.bias, conv2.weight, ... fc3.bias; for lenet-bn conv1.weight,
conv1.bias, bn1.weight, bn1.bias, conv2.weight, conv2.bias, bn2.weight, bn2.bias, fc1.weight, fc1.bias,
bn3.weight, bn3.bias, fc2.weight, fc2.bias, bn4.weight, bn4.bias, fc3.weight, fc3.bias; <b> = bn1 ... bn4,
lenet-bn only):

    meta.seed, meta.lr, meta.batch, meta.steps   int32, float32, int32, int32
    meta.model                                  (len,) uint8: the model's name in ASCII ("lenet-bn",
                                                "lenet-relu"); absent in lenet's file, which predates it
    init.check                                  (10, 2) float32: per conv/linear tensor (Params.xavier's ten,
                                                in its order) its first value and its sum, to check that both
                                                sides start from the same weights
    images                                      (M, 28, 28) uint8; a pixel is value / 255 in float32
    labels                                      (M,) int32
    step1.logits, step1.loss.per_example        (B, 10) and (B,) float32: step 1, before its update
    step1.grad.<p>                              d mean-loss / d <p> at step 1 (for a batch-normalised
                                                layer's bias: zero up to rounding, about 1e-7)
    step1.<b>.running_mean, step1.<b>.running_var   (C,): the running estimates after step 1's forward
    losses                                      (S,) float32: the mean loss of each step, before its update
    final.<p>                                   <p> after the S steps
    final.<b>.running_mean, final.<b>.running_var   (C,): the running estimates after the S steps
    eval.logits                                 (B, 10): the first batch in evaluation mode (batch norm on
                                                the running estimates) after the S steps; lenet-bn and
                                                lenet-relu only

Step s (from 0) trains on images [B·(s mod M/B), +B) and their labels.
"""

import argparse
import gzip
import json
import os
import re
import struct
import sys
import time

DATA_DIR = "/usr/share/datasets/fashion-mnist"
FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                           "src", "test", "resources", "lenet", "fixture")
# fixture --out's default per --model
DEFAULT_FIXTURES = {"lenet": "lenet_fixture.bin", "lenet-bn": "lenet_bn_fixture.bin",
                    "lenet-relu": "lenet_relu_fixture.bin"}
FIXTURE_MAGIC = b"LNTF"
FIXTURE_VERSION = 1
DTYPE_FLOAT32 = 0
DTYPE_INT32 = 1
DTYPE_UINT8 = 2


def fail(message):
    """One clear line on stderr and a non-zero exit (no traceback) for bad input."""
    print(f"pytorch_reference.py: {message}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------------------------------
# the model

def lenet():
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def lenet_variant(batch_norm, relu):
    """lenet's layers with batch norm after every convolution and hidden linear layer (before the
    activation) and/or ReLU and 2x2 max-pooling in place of the sigmoids and average pooling. The modules
    are named as lenet names its parameters (conv1 ... fc3, bn1 ... bn4), so the state_dict names are
    lenet's: conv1.weight, bn1.weight (gamma), bn1.bias (beta), bn1.running_mean, bn1.running_var, ...

    conv1 keeps its padding of 2 in every model, so fc1 always sees 16 * 5 * 5 = 400 features. (d2l's
    batch-norm LeNet, section 8.5, drops that padding and has 16 * 4 * 4 = 256; here batch norm is the only
    difference from lenet.) Batch norm has PyTorch's defaults: momentum 0.1, eps 1e-5, gamma 1, beta 0."""
    from collections import OrderedDict
    import torch.nn as nn

    def act():
        return nn.ReLU() if relu else nn.Sigmoid()

    def pool():
        return nn.MaxPool2d(kernel_size=2, stride=2) if relu else nn.AvgPool2d(kernel_size=2, stride=2)

    layers = [("conv1", nn.Conv2d(1, 6, kernel_size=5, padding=2))]
    if batch_norm:
        layers.append(("bn1", nn.BatchNorm2d(6)))
    layers += [("act1", act()), ("pool1", pool()), ("conv2", nn.Conv2d(6, 16, kernel_size=5))]
    if batch_norm:
        layers.append(("bn2", nn.BatchNorm2d(16)))
    layers += [("act2", act()), ("pool2", pool()), ("flatten", nn.Flatten()), ("fc1", nn.Linear(16 * 5 * 5, 120))]
    if batch_norm:
        layers.append(("bn3", nn.BatchNorm1d(120)))
    layers += [("act3", act()), ("fc2", nn.Linear(120, 84))]
    if batch_norm:
        layers.append(("bn4", nn.BatchNorm1d(84)))
    layers += [("act4", act()), ("fc3", nn.Linear(84, 10))]
    return nn.Sequential(OrderedDict(layers))


# --model: the network and its default learning rate (train and fixture). lenet-relu's 0.3 was measured
# with this script (benchmarks/README.md, "lenet-relu's learning rate").
MODELS = {
    "lenet": (lenet, 0.9),
    "lenet-bn": (lambda: lenet_variant(batch_norm=True, relu=False), 1.0),
    "lenet-relu": (lambda: lenet_variant(batch_norm=False, relu=True), 0.3),
}


def build_model(model):
    return MODELS[model][0]()


def init_weights(m):
    """d2l's train_ch6 initialisation: Xavier-uniform weights, default biases (batch norm: gamma 1, beta 0)."""
    import torch.nn as nn
    if type(m) == nn.Linear or type(m) == nn.Conv2d:
        nn.init.xavier_uniform_(m.weight)


# ----------------------------------------------------------------------------------------------
# Fashion-MNIST IDX files

def read_idx(path):
    """Reads a gzip IDX file (images: uint8 (n, rows, cols); labels: uint8 (n,)) with numpy."""
    import numpy as np
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"{path}: cannot read ({e.strerror or e}); expected a gzip IDX file "
             f"(apt-get install dataset-fashion-mnist)")
    if len(data) < 8:
        fail(f"{path}: too short for an IDX header")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08 or ndim not in (1, 3):
        fail(f"{path}: not an unsigned-byte IDX file of 1 or 3 dimensions")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    offset = 4 + 4 * ndim
    count = 1
    for d in dims:
        count *= d
    if len(data) != offset + count:
        fail(f"{path}: expected {offset + count} bytes for dims {dims}, found {len(data)}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_split(data_dir, split, limit=None):
    """(images float32 (n, 1, 28, 28) in [0, 1], labels int64 (n,)) of 'train' or 't10k'."""
    import numpy as np
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        fail(f"{data_dir}: {split} has {images.shape[0]} images but {labels.shape[0]} labels")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    x = (images.astype(np.float32) / 255.0).reshape(-1, 1, images.shape[1], images.shape[2])
    return x, labels.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# which BLAS torch calls

def blas_report():
    """Describes the BLAS torch's linear layers call; warns when it is the slow reference BLAS.

    Debian's torch is built with BLAS_INFO=generic: it calls whatever libblas.so.3 the
    alternatives system points to, so the answer comes from the libraries mapped into this
    process after a linear op has run.
    """
    import torch
    torch.nn.functional.linear(torch.ones(8, 8), torch.ones(8, 8))  # make sure BLAS is loaded
    config = torch.__config__.show()
    match = re.search(r"\bBLAS_INFO=([^,\s]*)", config)
    blas_info = match.group(1) if match else "unknown"
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and ("blas" in fields[-1].lower() or "mkl" in fields[-1].lower()):
                libs.add(os.path.realpath(fields[-1]))
    openblas = sorted(l for l in libs if "libopenblas" in os.path.basename(l))
    report = {"blas_info": blas_info, "libraries": sorted(libs)}
    if openblas:
        report["blas"] = "OpenBLAS"
        try:
            import ctypes
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            report["openblas_config"] = lib.openblas_get_config().decode()
            report["openblas_core"] = lib.openblas_get_corename().decode()
            report["openblas_threads"] = lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            pass
    elif any("mkl" in os.path.basename(l) for l in libs):
        report["blas"] = "MKL"
    elif any(os.path.basename(l).startswith("libblas.so") for l in libs):
        report["blas"] = "reference"
    else:
        report["blas"] = "unknown"
    return report


def print_blas(report):
    line = f"BLAS: {report['blas']} (torch BLAS_INFO={report['blas_info']}"
    if "openblas_core" in report:
        line += f"; core {report['openblas_core']}, {report['openblas_threads']} threads"
    line += ")"
    print(line)
    for lib in report["libraries"]:
        print(f"  mapped: {lib}")
    if report["blas"] == "reference":
        print("WARNING: torch is running on the reference (netlib) BLAS: its linear layers are many "
              "times slower than with an optimised BLAS, so its examples/sec are not a fair "
              "comparison. Install libopenblas0-pthread (it becomes libblas.so.3 through "
              "update-alternatives) and run again.", file=sys.stderr)
    elif report["blas"] == "unknown":
        print("WARNING: could not tell which BLAS torch uses; check the mapped libraries before "
              "comparing speed.", file=sys.stderr)


# ----------------------------------------------------------------------------------------------
# fixture mode

def write_tensor(f, name, tensor):
    """One tensor record of the fixture format (see the module docstring)."""
    import numpy as np
    import torch
    a = tensor.detach().cpu().numpy() if isinstance(tensor, torch.Tensor) else np.asarray(tensor)
    if a.dtype == np.float32:
        dtype = DTYPE_FLOAT32
    elif a.dtype == np.uint8:
        dtype = DTYPE_UINT8
    elif a.dtype in (np.int32, np.int64):
        if a.size and (a.min() < -2**31 or a.max() >= 2**31):
            raise ValueError(f"{name}: values do not fit int32")
        a = a.astype(np.int32)
        dtype = DTYPE_INT32
    else:
        raise ValueError(f"{name}: unsupported dtype {a.dtype}")
    encoded = name.encode("utf-8")
    f.write(struct.pack("<i", len(encoded)))
    f.write(encoded)
    f.write(struct.pack("<ii", dtype, a.ndim))
    f.write(struct.pack(f"<{a.ndim}i", *a.shape))
    f.write(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes())


def write_fixture(path, tensors):
    with open(path, "wb") as f:
        f.write(FIXTURE_MAGIC)
        f.write(struct.pack("<ii", FIXTURE_VERSION, len(tensors)))
        for name, t in tensors:
            write_tensor(f, name, t)


class JavaRandom:
    """java.util.Random, bit for bit: the generator of lenet's Params.xavier(seed)."""

    MASK = (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & self.MASK

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & self.MASK
        return self.seed >> (48 - bits)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))


# name, shape, fan_in, fan_out, bias: lenet.model.LeNet.PARAMS (the names PyTorch gives d2l's nn.Sequential, the
# layouts PyTorch's), in Params.xavier's draw order
LENET_PARAMS = [
    ("0.weight", (6, 1, 5, 5), 25, 150, False), ("0.bias", (6,), 25, 150, True),
    ("3.weight", (16, 6, 5, 5), 150, 400, False), ("3.bias", (16,), 150, 400, True),
    ("7.weight", (120, 400), 400, 120, False), ("7.bias", (120,), 400, 120, True),
    ("9.weight", (84, 120), 120, 84, False), ("9.bias", (84,), 120, 84, True),
    ("11.weight", (10, 84), 84, 10, False), ("11.bias", (10,), 84, 10, True),
]


def lenet_xavier(seed):
    """lenet's Params.xavier(seed), exactly: one java.util.Random over the tensors in order, each value
    (float) ((2 * nextDouble() - 1) * a), a = sqrt(6 / (fan_in + fan_out)) for weights (Xavier-uniform,
    as d2l) and 1 / sqrt(fan_in) for biases (PyTorch's default). Double arithmetic is IEEE in both
    languages and np.float32 rounds to nearest as Java's cast does, so the floats are the same."""
    import math
    import numpy as np
    r = JavaRandom(seed)
    tensors = {}
    for name, shape, fan_in, fan_out, bias in LENET_PARAMS:
        a = 1.0 / math.sqrt(fan_in) if bias else math.sqrt(6.0 / (fan_in + fan_out))
        count = int(np.prod(shape))
        v = np.empty(count, dtype=np.float32)
        for i in range(count):
            v[i] = np.float32((2.0 * r.next_double() - 1.0) * a)
        tensors[name] = v.reshape(shape)
    return tensors


# lenet's name of each of LENET_PARAMS: the name of that tensor in lenet-bn and lenet-relu, whose modules are
# named as lenet names its layers
LAYER_NAMES = {"0": "conv1", "3": "conv2", "7": "fc1", "9": "fc2", "11": "fc3"}


def lenet_name(pytorch_name):
    """'0.weight' -> 'conv1.weight': the name under which lenet-bn and lenet-relu hold a LENET_PARAMS tensor."""
    layer, kind = pytorch_name.split(".")
    return f"{LAYER_NAMES[layer]}.{kind}"


def run_fixture(args):
    import numpy as np
    import torch
    import torch.nn as nn

    torch.set_num_threads(1)
    n = args.batch
    count = n * args.batches
    images_u8 = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[:count]
    labels_np = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))[:count]
    if images_u8.shape[0] < count:
        fail(f"{args.data}: {images_u8.shape[0]} training images, expected at least {count}")
    # as lenet reads them: pixel / 255 in float32
    x_all = torch.from_numpy((images_u8.astype(np.float32) / np.float32(255.0)).reshape(count, 1, 28, 28))
    y_all = torch.from_numpy(labels_np.astype(np.int64))
    print(f"input: the first {count} Fashion-MNIST training images; {args.steps} steps of batch {n}, "
          f"step s on images [{n}·(s mod {args.batches}), +{n})")

    net = build_model(args.model)
    # Params.xavier(seed)'s ten conv/linear tensors, drawn in the same order for every model; batch norm
    # starts at PyTorch's defaults (gamma 1, beta 0, running mean 0, running variance 1), checked here
    xavier = lenet_xavier(args.seed)
    init = xavier if args.model == "lenet" else {lenet_name(k): v for k, v in xavier.items()}
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name in init:
                p.copy_(torch.from_numpy(init[name]))
            elif not torch.equal(p, torch.ones_like(p) if name.endswith(".weight") else torch.zeros_like(p)):
                raise AssertionError(f"{name}: expected batch norm's initial gamma 1 / beta 0")
    if len(init) != len(LENET_PARAMS) or not all(n in dict(net.named_parameters()) for n in init):
        raise AssertionError(f"{args.model}: its parameters do not hold Params.xavier's ten tensors")
    bn = [(name, m) for name, m in net.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for name, m in bn:
        if not (m.momentum == 0.1 and m.eps == 1e-5 and torch.equal(m.running_mean, torch.zeros_like(m.running_mean))
                and torch.equal(m.running_var, torch.ones_like(m.running_var))):
            raise AssertionError(f"{name}: expected PyTorch's batch norm defaults")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=args.lr)

    losses = []
    first = {}
    net.train()         # batch norm: batch statistics, running estimates updated
    for step in range(args.steps):
        b = step % args.batches
        x = x_all[b * n:(b + 1) * n]
        y = y_all[b * n:(b + 1) * n]
        optimizer.zero_grad()
        logits = net(x)
        loss = loss_fn(logits, y)
        loss.backward()
        if step == 0:
            first["logits"] = logits.detach().clone()
            first["loss.per_example"] = nn.CrossEntropyLoss(reduction="none")(logits, y).detach().clone()
            for name, p in net.named_parameters():
                first[f"grad.{name}"] = p.grad.detach().clone()
            for name, m in bn:
                first[f"{name}.running_mean"] = m.running_mean.detach().clone()
                first[f"{name}.running_var"] = m.running_var.detach().clone()
        optimizer.step()
        losses.append(loss.item())
        print(f"step {step + 1}: loss {loss.item():.7f}")

    check = np.zeros((len(LENET_PARAMS), 2), dtype=np.float32)
    for j, (name, _, _, _, _) in enumerate(LENET_PARAMS):
        check[j] = (xavier[name].reshape(-1)[0], np.float32(xavier[name].astype(np.float64).sum()))
    tensors = [
        ("meta.seed", np.array(args.seed, dtype=np.int32)),
        ("meta.lr", np.array(args.lr, dtype=np.float32)),
        ("meta.batch", np.array(n, dtype=np.int32)),
        ("meta.steps", np.array(args.steps, dtype=np.int32)),
    ]
    if args.model != "lenet":     # lenet's file predates the model names: it stays as it was, byte for byte
        tensors += [("meta.model", np.frombuffer(args.model.encode("ascii"), dtype=np.uint8).copy())]
    tensors += [
        ("init.check", check),
        ("images", images_u8.copy()),
        ("labels", labels_np.astype(np.int32)),
        ("step1.logits", first["logits"]),
        ("step1.loss.per_example", first["loss.per_example"]),
    ]
    tensors += [(f"step1.grad.{name}", first[f"grad.{name}"]) for name, _ in net.named_parameters()]
    for name, _ in bn:
        tensors += [(f"step1.{name}.running_mean", first[f"{name}.running_mean"]),
                    (f"step1.{name}.running_var", first[f"{name}.running_var"])]
    tensors += [("losses", np.array(losses, dtype=np.float32))]
    tensors += [(f"final.{name}", p.detach().clone()) for name, p in net.named_parameters()]
    for name, m in bn:
        tensors += [(f"final.{name}.running_mean", m.running_mean.detach().clone()),
                    (f"final.{name}.running_var", m.running_var.detach().clone())]
    if args.model != "lenet":
        net.eval()      # batch norm: the running estimates
        with torch.no_grad():
            tensors += [("eval.logits", net(x_all[:n]))]

    out = os.path.normpath(args.out)
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    write_fixture(out, tensors)
    print(f"wrote {len(tensors)} tensors, {os.path.getsize(out)} bytes to {out}")


# ----------------------------------------------------------------------------------------------
# train mode

def evaluate_accuracy(net, x, y, batch):
    import torch
    net.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            correct += (net(x[s:s + batch]).argmax(dim=1) == y[s:s + batch]).sum().item()
    return correct / x.shape[0]


def cuda_device(torch):
    """The CUDA device, or one line saying why there is none and a non-zero exit."""
    if not torch.cuda.is_available():
        built = torch.version.cuda
        fail(f"--device cuda: PyTorch {torch.__version__} finds no CUDA device "
             f"({'built with CUDA ' + built + ', but no GPU or driver is usable' if built else 'built without CUDA'})")
    return torch.device("cuda")


def warm_up_cuda(net, x, y, lr, batch, steps=3):
    """A few training steps on a copy of the network: CUDA's context, cuBLAS and cuDNN start here."""
    import copy
    import torch
    import torch.nn as nn
    t0 = time.perf_counter()
    scratch = copy.deepcopy(net)
    optimizer = torch.optim.SGD(scratch.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(scratch(x[:batch]), y[:batch]).backward()
        optimizer.step()
    torch.cuda.synchronize()
    return time.perf_counter() - t0


def epoch_figures(epoch, net, x_test, y_test, args, train_l, train_acc, seen, epoch_time):
    """An epoch's figures, printed as one line: its loss and accuracy, the test accuracy after it."""
    test_acc = evaluate_accuracy(net, x_test, y_test, args.batch)
    print(f"epoch {epoch + 1:2d}: loss {train_l:.4f}, train acc {train_acc:.4f}, "
          f"test acc {test_acc:.4f}, {epoch_time:.2f} s, {seen / epoch_time:.1f} examples/sec", flush=True)
    return {"epoch": epoch + 1, "loss": train_l, "train_acc": train_acc, "test_acc": test_acc,
            "train_seconds": epoch_time, "examples_per_sec": seen / epoch_time}


def train_epoch_cuda(net, optimizer, loss_fn, x_train, y_train, batch):
    """One epoch on the GPU, timed from a synchronised start to a synchronised end: (loss, acc, n, s)."""
    import torch
    n_train = x_train.shape[0]
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    order = torch.randperm(n_train, device=x_train.device)
    loss_sum = torch.zeros((), device=x_train.device)
    correct = torch.zeros((), dtype=torch.int64, device=x_train.device)
    for s in range(0, n_train, batch):
        idx = order[s:s + batch]
        X, y = x_train[idx], y_train[idx]
        optimizer.zero_grad()
        y_hat = net(X)
        l = loss_fn(y_hat, y)
        l.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum += l.detach() * X.shape[0]
            correct += (y_hat.argmax(dim=1) == y).sum()
    torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return loss_sum.item() / n_train, correct.item() / n_train, n_train, seconds


def run_train(args):
    import torch
    import torch.nn as nn

    cuda = args.device == "cuda"
    device = cuda_device(torch) if cuda else torch.device("cpu")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if cuda:
        print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(device)}")
        blas = {"blas": "cuBLAS", "blas_info": "cuda", "libraries": []}
    else:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        blas = blas_report()
        print_blas(blas)

    x_train, y_train = load_split(args.data, "train", limit=args.train_limit)
    x_test, y_test = load_split(args.data, "t10k", limit=args.test_limit)
    x_train, y_train = torch.from_numpy(x_train).to(device), torch.from_numpy(y_train).to(device)
    x_test, y_test = torch.from_numpy(x_test).to(device), torch.from_numpy(y_test).to(device)
    n_train = x_train.shape[0]
    print(f"data: {n_train} training, {x_test.shape[0]} test examples from {args.data}")
    print(f"model {args.model}, lr {args.lr}, batch {args.batch}, {args.epochs} epochs, seed {args.seed}")

    torch.manual_seed(args.seed)
    net = build_model(args.model)
    net.apply(init_weights)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    warm_up_seconds = 0.0
    if cuda:
        warm_up_seconds = warm_up_cuda(net, x_train, y_train, args.lr, args.batch)
        print(f"warm-up: {warm_up_seconds:.2f} s (CUDA, cuBLAS, cuDNN; not counted in examples/sec)")

    train_time = 0.0      # d2l's Timer: the training steps only, evaluation excluded
    epochs = []
    train_l = train_acc = test_acc = float("nan")
    for epoch in range(args.epochs):
        net.train()
        if cuda:
            train_l, train_acc, seen, epoch_time = train_epoch_cuda(net, optimizer, loss_fn, x_train, y_train, args.batch)
            epochs.append(epoch_figures(epoch, net, x_test, y_test, args, train_l, train_acc, seen, epoch_time))
            train_time += epoch_time
            continue
        order = torch.randperm(n_train)     # DataLoader(shuffle=True); the last batch may be short
        loss_sum, correct, seen = 0.0, 0, 0
        epoch_time = 0.0
        for s in range(0, n_train, args.batch):
            idx = order[s:s + args.batch]
            X, y = x_train[idx], y_train[idx]
            t0 = time.perf_counter()
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss_fn(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += l.item() * X.shape[0]
                correct += (y_hat.argmax(dim=1) == y).sum().item()
                seen += X.shape[0]
            epoch_time += time.perf_counter() - t0
        train_time += epoch_time
        epochs.append(epoch_figures(epoch, net, x_test, y_test, args, loss_sum / seen, correct / seen, seen, epoch_time))

    if epochs:
        train_l, train_acc, test_acc = epochs[-1]["loss"], epochs[-1]["train_acc"], epochs[-1]["test_acc"]
    examples_per_sec = n_train * args.epochs / train_time if train_time > 0 else float("nan")
    where = torch.cuda.get_device_name(device) if cuda else "cpu"
    print(f"loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{examples_per_sec:.1f} examples/sec on {where}")

    if args.json:
        result = {
            "framework": f"pytorch {torch.__version__}",
            "model": args.model,
            "device": f"cuda: {where}" if cuda else "cpu",
            "warm_up_seconds": warm_up_seconds,
            "threads": torch.get_num_threads(),
            "blas": blas["blas"],
            "blas_libraries": blas["libraries"],
            "openblas_core": blas.get("openblas_core"),
            "epochs": args.epochs,
            "batch_size": args.batch,
            "lr": args.lr,
            "seed": args.seed,
            "train_examples": n_train,
            "test_examples": int(x_test.shape[0]),
            "loss": train_l,
            "train_acc": train_acc,
            "test_acc": test_acc,
            "train_seconds": train_time,
            "examples_per_sec": examples_per_sec,
            "per_epoch": epochs,
        }
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")


# ----------------------------------------------------------------------------------------------

def positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return v


def positive_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return v


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="pytorch_reference.py",
        description="PyTorch reference for lenet (d2l LeNet-5 on Fashion-MNIST): 'fixture' writes "
                    "ten training steps' losses, gradients and weights for the Java tests, 'train' runs d2l's training "
                    "loop and reports accuracy and examples/sec.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True, metavar="{fixture,train}")

    fx = sub.add_parser("fixture", help="write the fixture file: ten SGD steps from lenet's initial weights",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    fx.add_argument("--model", choices=sorted(MODELS), default="lenet",
                    help="lenet (d2l's), lenet-bn (batch norm before every hidden sigmoid), "
                         "lenet-relu (ReLU and max-pooling)")
    fx.add_argument("--out", default=None,
                    help="fixture file to write; default: src/test/resources/lenet/fixture/" +
                         ", ".join(f"{f} ({m})" for m, f in DEFAULT_FIXTURES.items()))
    fx.add_argument("--batch", type=positive_int, default=32, help="examples in a batch")
    fx.add_argument("--batches", type=positive_int, default=5,
                    help="distinct batches: the first batch x batches training images")
    fx.add_argument("--steps", type=positive_int, default=10, help="SGD steps of the trajectory")
    fx.add_argument("--seed", type=int, default=42, help="seed of lenet's Params.xavier for the weights")
    fx.add_argument("--lr", type=positive_float, default=None,
                    help="SGD learning rate; default: the model's, as for train")
    fx.add_argument("--data", default=DATA_DIR, help="Fashion-MNIST directory (the first training images)")

    tr = sub.add_parser("train", help="run the d2l training loop",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    tr.add_argument("--epochs", type=positive_int, default=10, help="training epochs")
    tr.add_argument("--batch", type=positive_int, default=256, help="batch size")
    tr.add_argument("--model", choices=sorted(MODELS), default="lenet",
                    help="lenet (d2l's), lenet-bn (batch norm before every hidden sigmoid), "
                         "lenet-relu (ReLU and max-pooling)")
    tr.add_argument("--lr", type=positive_float, default=None,
                    help="SGD learning rate; default: the model's (lenet 0.9, lenet-bn 1.0, lenet-relu "
                         f"{MODELS['lenet-relu'][1]})")
    tr.add_argument("--threads", type=positive_int, default=None,
                    help="torch.set_num_threads (and OPENBLAS_NUM_THREADS unless set); "
                         "default: torch's choice")
    tr.add_argument("--train-limit", type=positive_int, default=None,
                    help="use only the first N training examples")
    tr.add_argument("--test-limit", type=positive_int, default=None,
                    help="use only the first N test examples")
    tr.add_argument("--seed", type=int, default=0, help="torch.manual_seed (weights, shuffling)")
    tr.add_argument("--data", default=DATA_DIR, help="directory of the four gzip IDX files")
    tr.add_argument("--json", default=None, metavar="FILE", help="also write the figures as JSON")
    tr.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where to train: the CPU, or PyTorch's CUDA device (eager mode)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # OpenBLAS sizes its thread pool when torch loads it: set before the import.
    if args.mode == "train" and args.threads is not None:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    if args.lr is None:
        args.lr = MODELS[args.model][1]
    if args.mode == "fixture":
        if args.out is None:
            args.out = os.path.join(FIXTURE_DIR, DEFAULT_FIXTURES[args.model])
        run_fixture(args)
    else:
        run_train(args)


if __name__ == "__main__":
    main(sys.argv[1:])
