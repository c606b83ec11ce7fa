"""GPU benchmark: zerograd on CuPy against PyTorch on CUDA, interleaved in one process.

    python -m benchmarks.gpu_bench [--quick] [--out FILE]

The workloads of issue 9, written once against the torch API and run by both frameworks on
cuda:0: d2l 3.2 linear regression from scratch (one epoch, batch 10), z = x * y + x forward
and backward for shapes (10,), (1000,), (1000, 1000), an MLP step (256×784 → 256 → 10, ReLU,
cross-entropy, SGD) and a 4096² float32 matmul. Each timed repeat ends with a device
synchronize, the frameworks alternate repeat by repeat after a warm-up, and the table gives
medians, min–max, the ratio zerograd/torch and the issue's target for it. A correctness check
per workload compares the two frameworks' results. Needs a GPU, CuPy and a CUDA PyTorch.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

Unit = Callable[[], Any]


def linreg_scratch(m: Any, dev: str) -> tuple[Unit, Callable[[], Any]]:
    """d2l 3.2 on the GPU: data and parameters on `dev`, batch indices from a Python list."""
    m.manual_seed(0)
    shuffle = random.Random(0).shuffle  # d2l uses the global one; each framework gets its own
    true_w, true_b = m.tensor([2, -3.4], device=dev), 4.2
    X = m.normal(0, 1, (1000, 2)).to(dev)
    y = (m.matmul(X, true_w) + true_b + m.normal(0, 0.01, (1000,)).to(dev)).reshape(-1, 1)
    w = m.normal(0, 0.01, size=(2, 1)).to(dev).requires_grad_(True)
    b = m.zeros(1, device=dev, requires_grad=True)
    order = list(range(1000))

    def epoch() -> None:
        shuffle(order)
        for i in range(0, 1000, 10):
            idx = m.tensor(order[i:i + 10])
            Xb, yb = X[idx], y[idx]
            loss = (m.matmul(Xb, w) + b - yb.reshape(-1, 1)) ** 2 / 2
            loss.sum().backward()
            with m.no_grad():
                for p in (w, b):
                    p -= 0.03 * p.grad / 10
                    p.grad.zero_()

    def result() -> Any:
        return [*w.detach().reshape(-1).tolist(), float(b.detach())]

    return epoch, result


def op_overhead(m: Any, dev: str, shape: tuple[int, ...]) -> tuple[Unit, Callable[[], Any]]:
    """z = x * y + x, forward and backward of z.sum()."""
    m.manual_seed(0)
    x = m.rand(shape).to(dev).requires_grad_(True)
    y = m.rand(shape).to(dev).requires_grad_(True)

    def step() -> None:
        x.grad = y.grad = None
        (x * y + x).sum().backward()

    def result() -> Any:
        step()
        return float((x.grad - y.detach() - 1).abs().max()), float((y.grad - x.detach()).abs()
                                                                    .max())

    return step, result


def mlp_step(m: Any, dev: str) -> tuple[Unit, Callable[[], Any]]:
    """Batch 256, 784 -> 256 -> 10, ReLU, CrossEntropyLoss, SGD(lr=0.1): one step."""
    nn = m.nn
    m.manual_seed(0)
    X, y = m.randn(256, 784).to(dev), m.randint(0, 10, (256,)).to(dev)
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).to(dev)
    loss = nn.CrossEntropyLoss()
    trainer = m.optim.SGD(net.parameters(), lr=0.1)
    losses: list[Any] = []

    def step() -> None:
        ls = loss(net(X), y)
        trainer.zero_grad()
        ls.backward()
        trainer.step()
        losses.append(ls.detach())  # no .item(): that would wait for the GPU in every step

    def result() -> Any:
        return float(losses[0]), float(losses[-1])

    return step, result


def matmul(m: Any, dev: str, n: int = 4096) -> tuple[Unit, Callable[[], Any]]:
    """C = A @ B, float32, n×n."""
    m.manual_seed(0)
    A, B = m.randn(n, n).to(dev), m.randn(n, n).to(dev)
    out: list[Any] = []

    def step() -> None:
        out[:] = [A @ B]

    def result() -> Any:
        step()
        return out[0][:2, :2].tolist()

    return step, result


# name, unit, repeats, inner calls, workload, target ratio (zerograd/torch at most)
CASES: list[tuple[str, str, int, int, Callable[..., Any], float | None]] = [
    ("linreg_scratch epoch", "ms", 5, 1, linreg_scratch, 1.0),
    ("z=x*y+x fwd+bwd (10,)", "us", 7, 200, lambda m, d: op_overhead(m, d, (10,)), 1.0),
    ("z=x*y+x fwd+bwd (1000,)", "us", 7, 200, lambda m, d: op_overhead(m, d, (1000,)), 1.0),
    ("z=x*y+x fwd+bwd (1000,1000)", "us", 7, 20,
     lambda m, d: op_overhead(m, d, (1000, 1000)), 1.0),
    ("mlp_step 256x784-256-10", "us", 7, 20, mlp_step, 1.5),
    ("matmul 4096^2 float32", "ms", 5, 5, matmul, 1.05),
]


def _time(unit: Unit, inner: int, sync: Callable[[], None]) -> float:
    sync()
    t0 = time.perf_counter()
    for _ in range(inner):
        unit()
    sync()
    return (time.perf_counter() - t0) / inner


def run(quick: bool = False) -> str:
    """Run every case; return the report table as text."""
    import torch

    import zerograd

    if not (zerograd.cuda.is_available() and torch.cuda.is_available()):
        raise SystemExit("gpu_bench needs a GPU seen by both CuPy (zerograd) and PyTorch")
    import cupy

    scale = {"ms": 1e3, "us": 1e6}
    lines = [
        f"device: {torch.cuda.get_device_name(0)} "
        f"(zerograd sees {zerograd.cuda.get_device_name()})",
        f"python {platform.python_version()}, torch {torch.__version__} (CUDA "
        f"{torch.version.cuda}), cupy {cupy.__version__}, zerograd {zerograd.__version__}",
        "medians of repeats (min-max); each repeat ends with a synchronize; ratio = zerograd/torch",
        "",
        f"{'workload':30} {'zerograd':>24} {'torch':>24} {'ratio':>6} {'target':>7}  verdict",
    ]
    checks = []
    for name, unit, repeats, inner, make, target in CASES:
        if quick:
            repeats, inner = max(3, repeats // 2), max(1, inner // 4)
        fns = {"zerograd": make(zerograd, "cuda"), "torch": make(torch, "cuda")}
        syncs = {"zerograd": zerograd.cuda.synchronize, "torch": torch.cuda.synchronize}
        times: dict[str, list[float]] = {"zerograd": [], "torch": []}
        for fw in fns:  # warm-up: kernels compiled and cached, memory pools filled
            _time(fns[fw][0], max(2, inner // 4), syncs[fw])
        for _ in range(repeats):
            for fw in fns:
                times[fw].append(_time(fns[fw][0], inner, syncs[fw]) * scale[unit])
        med = {fw: statistics.median(t) for fw, t in times.items()}
        ratio = med["zerograd"] / med["torch"]
        cells = {fw: f"{med[fw]:.4g} ({min(t):.3g}-{max(t):.3g}) {unit}" for fw, t in times.items()}
        verdict = "" if target is None else ("meets" if ratio <= target else "MISSES")
        lines.append(f"{name:30} {cells['zerograd']:>24} {cells['torch']:>24} {ratio:6.2f} "
                     f"{'<= ' + str(target) if target else '':>7}  {verdict}")
        checks.append(f"{name}: zerograd {fns['zerograd'][1]()!r} | torch {fns['torch'][1]()!r}")
    lines += ["", "results (zerograd | torch), same seeds, for eyeballing correctness:", *checks]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run and print the table (and write it to --out)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--out", help="also write the table to this file")
    args = p.parse_args(argv)
    text = run(args.quick)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
