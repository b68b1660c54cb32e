#!/usr/bin/env python3
"""Work-items and global loads per work-item of every task TornadoVM ran, from its own output.

Reads the log of a run under TornadoVM with -Dtornado.printKernel=True (the OpenCL C of each kernel, as
it compiles them) and -Dtornado.threadInfo=True (each task's global work size, as it first runs them),
pairs the n-th kernel with the n-th task (each task id ends with its kernel's method name, which is
checked) and prints a Markdown table: task, global work size, work-items, global loads per work-item.

Loads per work-item are counted in the generated code: every `*((__global T *) addr)` read, times the
trip counts of the sequential loops around it. Parallel loops (grid-stride loops starting at
get_global_id) run once per work-item, since TornadoVM launches one work-item per iteration. A
sequential loop runs from its start to its constant bound in steps of its constant increment; a start
that is not a constant (a slice's first example) is taken as 0, and of an if/else the branch with more
loads is counted: the figure is the most any work-item does.

    LENET_JAVA_OPTS="-Xmx1g -Dtornado.threadInfo=True -Dtornado.printKernel=True" \\
        scripts/lenet train --engine tornado --train-limit 2048 --test-limit 512 --epochs 1 > run.log 2>&1
    benchmarks/kernel_loads.py run.log

A second log, of the same run on TornadoVM's virtual GPU device (-Dtornado.virtual.device=True
-Dtornado.device.desc=$TORNADOVM_HOME/examples/virtual-device-GPU.json: it compiles every graph at the
warm-up, then stops), adds the loads counted in the GPU form of each kernel:

    benchmarks/kernel_loads.py run.log gpu.log
"""
import math
import re
import sys

LOAD = re.compile(r"\*\(\(__global [a-z]+ \*\)")
FOR = re.compile(r"^for\(;(\w+) < (\w+);\)$")
ASSIGN = re.compile(r"^(\w+)\s+=\s+(.+);$")


def kernels(lines):
    """The kernels in the log, in order: (name, body lines)."""
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"__kernel void (\w+)\(", lines[i])
        if not m:
            i += 1
            continue
        depth = 0
        body = []
        i += 1
        while i < len(lines):
            s = lines[i].strip()
            body.append(s)
            depth += s.count("{") - s.count("}") if s in ("{", "}") or s.startswith("}") else 0
            if s == "{" and depth == 0:
                depth = 1
            if depth == 0 and s.startswith("}") and len(body) > 1:
                break
            i += 1
        out.append((m.group(1), body))
        i += 1
    return out


def loads(body):
    """The most global loads one work-item makes."""
    ids = {m.group(1) for m in (ASSIGN.match(s) for s in body) if m and m.group(2).startswith("get_global_id")}

    def block(pos):
        """Counts the block starting after a '{' at pos; returns (loads, position after its '}')."""
        total = 0
        last_assign = {}
        while pos < len(body):
            s = body[pos]
            if s.startswith("}"):
                return total, pos + 1
            f = FOR.match(s)
            if f:
                var, bound = f.groups()
                assert body[pos + 1] == "{", body[pos + 1]
                inner, after = block(pos + 2)
                start = last_assign.get(var, "0")
                if start in ids:
                    trips = 1  # a parallel loop: from get_global_id in steps of the global size, once per work-item
                else:
                    step = 1
                    for t in body[pos + 2:after]:
                        m = re.match(r"^\w+\s+=\s+" + re.escape(var) + r" \+ (\d+);$", t)
                        if m:
                            step = int(m.group(1))
                    first = int(start) if re.fullmatch(r"-?\d+", start) else 0
                    trips = max(0, math.ceil((int(bound) - first) / step))
                total += trips * inner
                pos = after
                continue
            if s.startswith("if("):
                assert body[pos + 1] == "{", body[pos + 1]
                then, after = block(pos + 2)
                other = 0
                if after < len(body) and body[after] == "else":
                    other, after = block(after + 2)
                total += max(then, other)
                pos = after
                continue
            m = ASSIGN.match(s)
            if m:
                last_assign[m.group(1)] = m.group(2)
                total += len(LOAD.findall(m.group(2)))
            pos += 1
        return total, pos

    assert body[0] == "{"
    return block(1)[0]


def tasks(lines):
    """Tasks in the order they first ran, with their global work size."""
    out = []
    seen = set()
    task = None
    for s in lines:
        m = re.match(r"Task info: (\S+)", s)
        if m:
            task = m.group(1)
        m = re.match(r"\s*Global work size\s*: \[(.*)\]", s)
        if m and task and task not in seen:
            seen.add(task)
            out.append((task, [int(v) for v in m.group(1).split(",")]))
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: kernel_loads.py RUN.log [GPU.log]")
    lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
    ks = kernels(lines)
    ts = tasks(lines)
    if len(ks) != len(ts):
        sys.exit(f"kernel_loads: {len(ks)} kernels but {len(ts)} tasks in {sys.argv[1]}")
    gpu = None
    if len(sys.argv) == 3:
        gpu = kernels(open(sys.argv[2], encoding="utf-8", errors="replace").read().splitlines())[:len(ts)]
        if len(gpu) != len(ts):
            sys.exit(f"kernel_loads: {len(gpu)} kernels in {sys.argv[2]}, {len(ts)} tasks in {sys.argv[1]}")
    head = "| task | global work size | work-items | global loads per work-item |"
    rule = "|---|---|---:|---:|"
    if gpu:
        head += " same, GPU code |"
        rule += "---:|"
    print(head)
    print(rule)
    for j, ((name, body), (task, size)) in enumerate(zip(ks, ts)):
        if task.rsplit(".", 1)[1] != name or (gpu and gpu[j][0] != name):
            sys.exit(f"kernel_loads: task {task} paired with kernel {name}: the log's order is not the graphs' order")
        row = f"| {task} | {size} | {math.prod(size):,} | {loads(body):,} |"
        if gpu:
            row += f" {loads(gpu[j][1]):,} |"
        print(row)


if __name__ == "__main__":
    main()
