"""Writes src/test/resources/lenet/kernels/maxpool_torch.txt: PyTorch's max_pool2d(2, 2) on inputs full of ties.

MaxPool2dTest checks lenet's MaxPool2d kernels against it: the pooled values, the window position of each
maximum (PyTorch's flat index y*w + x turned into 2*(y % 2) + (x % 2)), the input gradient for a given output
gradient, and the same through a ReLU in front of the pool (relu -> max_pool2d), whose zeros tie.

Layout of the file: one line per tensor, "name dims... : values", every tensor batch-outermost (NCHW), floats
printed with 9 significant digits (float32 round-trips exactly). Run with PyTorch 1.13 on the CPU:
    /usr/bin/python3 benchmarks/maxpool_ties.py
"""
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/lenet/kernels/maxpool_torch.txt"


def line(name, t):
    t = t.detach().contiguous()
    dims = " ".join(str(d) for d in t.shape)
    if t.dtype.is_floating_point:
        values = " ".join("%.9g" % v for v in t.flatten().tolist())
    else:
        values = " ".join(str(v) for v in t.flatten().tolist())
    return f"{name} {dims} : {values}\n"


def main():
    g = torch.Generator().manual_seed(13)
    n, c, h, w = 3, 2, 6, 8
    # values from {-1, -0.5, 0, 0.5, 1}: most windows hold a tie somewhere, many for their maximum
    x = (torch.randint(0, 5, (n, c, h, w), generator=g).float() - 2) * 0.5
    d_out = torch.randn((n, c, h // 2, w // 2), generator=g)

    xin = x.clone().requires_grad_(True)
    out, idx = F.max_pool2d(xin, 2, 2, return_indices=True)
    out.backward(d_out)

    xr = x.clone().requires_grad_(True)
    act = F.relu(xr)
    out_r, idx_r = F.max_pool2d(act, 2, 2, return_indices=True)
    out_r.backward(d_out)

    with OUT.open("w") as f:
        f.write(f"# PyTorch {torch.__version__}: max_pool2d(kernel 2, stride 2) with ties; written by benchmarks/maxpool_ties.py\n")
        f.write(line("in", x))
        f.write(line("out", out))
        f.write(line("indices", idx))
        f.write(line("dOut", d_out))
        f.write(line("dIn", xin.grad))
        f.write(line("reluOut", out_r))
        f.write(line("reluIndices", idx_r))
        f.write(line("reluDIn", xr.grad))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
