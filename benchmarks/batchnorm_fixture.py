#!/usr/bin/python3
"""
PyTorch's batch normalisation on small seeded inputs, for lenet's BatchNorm kernels: writes
src/test/resources/lenet/fixture/batchnorm_fixture.bin (the fixture format of pytorch_reference.py),
which lenet.kernels.BatchNormTest#equalsPyTorch reads.

    python3 benchmarks/batchnorm_fixture.py [--out FILE]

Two cases, each a torch.nn.BatchNorm2d / BatchNorm1d (eps 1e-5, momentum 0.1) followed by a sigmoid,
the loss L = sum(weight * sigmoid(bn(z))):

    bn2d: z (5, 3, 6, 4), batch norm over (N, H, W) per channel, then 2x2 average pooling
    bn1d: z (7, 5), batch norm over N per feature

Tensors, per case <k> (activations in PyTorch's layout, example outermost):

    <k>.z, <k>.weight                         the input and the loss weights
    <k>.gamma, <k>.beta                       the affine parameters (bn.weight, bn.bias)
    <k>.running_mean.before, .running_var.before   the running estimates before the step
    <k>.train.act                             sigmoid(bn(z)) in training mode (batch statistics)
    <k>.train.pooled                          (bn2d) avg_pool2d(train.act, 2)
    <k>.train.grad.z, .grad.gamma, .grad.beta dL/dz, dL/dgamma, dL/dbeta in training mode
    <k>.train.running_mean, .train.running_var  the running estimates after the training step
    <k>.eval.act                              sigmoid(bn(z)) in evaluation mode (the updated running estimates)
    <k>.eval.pooled                           (bn2d) avg_pool2d(eval.act, 2)

The inputs give every example an offset (uniform in [-2, 2)) and every channel 0.5*channel, plus
noise in [-1, 1), as BatchNormTest's data do.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_reference import write_fixture  # noqa: E402

DEFAULT_OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                            "src", "test", "resources", "lenet", "fixture", "batchnorm_fixture.bin"))


def case(torch, name, shape, seed):
    g = torch.Generator().manual_seed(seed)
    n, c = shape[0], shape[1]
    spatial = shape[2:]
    offsets = torch.rand((n,) + (1,) * (len(shape) - 1), generator=g) * 4 - 2
    channel = (0.5 * torch.arange(c, dtype=torch.float32)).reshape((1, c) + (1,) * len(spatial))
    z = (offsets + channel + torch.rand(shape, generator=g) * 2 - 1).float()
    weight = (torch.rand(shape, generator=g) * 2 - 1).float()
    gamma = (torch.rand(c, generator=g) * 1.5 + 0.5).float()
    beta = (torch.rand(c, generator=g) * 2 - 1).float()
    running_mean = (torch.rand(c, generator=g) * 2 - 1).float()
    running_var = (torch.rand(c, generator=g) * 1.5 + 0.5).float()

    bn = (torch.nn.BatchNorm2d if spatial else torch.nn.BatchNorm1d)(c, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        bn.running_mean.copy_(running_mean)
        bn.running_var.copy_(running_var)
    tensors = [(f"{name}.z", z), (f"{name}.weight", weight), (f"{name}.gamma", gamma), (f"{name}.beta", beta),
               (f"{name}.running_mean.before", running_mean), (f"{name}.running_var.before", running_var)]

    bn.train()
    zz = z.clone().requires_grad_(True)
    act = torch.sigmoid(bn(zz))
    (weight * act).sum().backward()
    tensors += [(f"{name}.train.act", act), (f"{name}.train.grad.z", zz.grad), (f"{name}.train.grad.gamma", bn.weight.grad),
                (f"{name}.train.grad.beta", bn.bias.grad), (f"{name}.train.running_mean", bn.running_mean.clone()),
                (f"{name}.train.running_var", bn.running_var.clone())]
    if spatial:
        tensors.append((f"{name}.train.pooled", torch.nn.functional.avg_pool2d(act, 2)))

    bn.eval()
    with torch.no_grad():
        act_eval = torch.sigmoid(bn(z))
    tensors.append((f"{name}.eval.act", act_eval))
    if spatial:
        tensors.append((f"{name}.eval.pooled", torch.nn.functional.avg_pool2d(act_eval, 2)))
    return tensors


def main(argv):
    parser = argparse.ArgumentParser(description="write PyTorch's batch norm results for lenet's BatchNorm kernels")
    parser.add_argument("--out", default=DEFAULT_OUT, help="fixture file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    tensors = case(torch, "bn2d", (5, 3, 6, 4), 1) + case(torch, "bn1d", (7, 5), 2)
    write_fixture(args.out, [(name, t.detach()) for name, t in tensors])
    print(f"wrote {len(tensors)} tensors to {args.out} (torch {torch.__version__})")


if __name__ == "__main__":
    main(sys.argv[1:])
