"""Compiled explicit graphs vs eager zerograd on two training steps.
Run: python benchmarks/sym_compile.py [--quick]  (or python -m benchmarks.sym_compile)

Workloads: d2l 3.2's linear-regression step (batch 10: nearly all per-op overhead) and an MLP
step (784-256-10, batch 256: real arithmetic). Eager: forward, backward, SGD under no_grad.
Compiled: the step traced once (sym.trace, sym.grad), optimised and compiled (sym.compile). Both
run interleaved after a warm-up; medians, min-max, eager/compiled ratios; equal final parameters.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: find zerograd's sources next to benchmarks/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import zerograd as zg
from zerograd import sym
from zerograd.autograd import function as _function

Step = Callable[[], Any]


# --- the two workloads, each as (eager step, compiled step, final parameters of each) -----------


def linreg(batches: int) -> tuple[Step, Step, Callable[[], list[Any]], Callable[[], list[Any]]]:
    """d2l 3.2: y_hat = Xw + b, squared loss, minibatch SGD (lr 0.03, batch 10)."""
    rng = np.random.default_rng(0)
    X_all = rng.standard_normal((1000, 2)).astype(np.float32)
    y_all = (X_all @ np.array([2.0, -3.4], np.float32) + 4.2).reshape(-1, 1).astype(np.float32)
    data = [(X_all[i:i + 10], y_all[i:i + 10]) for i in range(0, 10 * batches, 10)]
    w0 = rng.normal(0, 0.01, (2, 1)).astype(np.float32)
    b0 = np.zeros(1, np.float32)
    lr, bs = 0.03, 10

    def loss_fn(X: Any, y: Any, w: Any, b: Any) -> Any:
        y_hat = zg.matmul(X, w) + b
        return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum()

    # eager, as the book writes it
    w = zg.tensor(w0.copy(), requires_grad=True)
    b = zg.tensor(b0.copy(), requires_grad=True)
    tensors = [(zg.tensor(X), zg.tensor(y)) for X, y in data]

    def eager() -> None:
        for X, y in tensors:
            loss_fn(X, y, w, b).backward()
            with zg.no_grad():
                for p in (w, b):
                    p -= lr * p.grad / bs
                    p.grad.zero_()

    # compiled: one traced step, (X, y, w, b) -> (loss, w', b')
    def step(X: Any, y: Any, w: Any, b: Any) -> Any:
        loss = loss_fn(X, y, w, b)
        gw, gb = sym.grad(loss, [w, b])
        return loss, w - lr * gw / bs, b - lr * gb / bs

    f = sym.compile(sym.trace(step, *map(zg.tensor, (*data[0], w0, b0))))
    params = [w0.copy(), b0.copy()]

    def compiled() -> None:
        for X, y in data:
            _, params[0], params[1] = f(X, y, *params)

    return eager, compiled, lambda: [w.detach().numpy(), b.detach().numpy()], lambda: params


def mlp(steps: int) -> tuple[Step, Step, Callable[[], list[Any]], Callable[[], list[Any]]]:
    """d2l 4.2 from scratch: 784 -> 256 -> 10, ReLU, cross entropy, SGD (lr 0.1, batch 256)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256)
    init = [rng.normal(0, 0.01, (784, 256)).astype(np.float32), np.zeros(256, np.float32),
            rng.normal(0, 0.01, (256, 10)).astype(np.float32), np.zeros(10, np.float32)]
    lr = 0.1

    def loss_fn(X: Any, y: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
        H = zg.relu(X @ W1 + b1)
        return zg.nn.functional.cross_entropy(H @ W2 + b2, y)

    params = [zg.tensor(p.copy(), requires_grad=True) for p in init]
    Xt, yt = zg.tensor(X), zg.tensor(y)

    def eager() -> None:
        for _ in range(steps):
            loss_fn(Xt, yt, *params).backward()
            with zg.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad.zero_()

    def step(X: Any, y: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
        loss = loss_fn(X, y, W1, b1, W2, b2)
        grads = sym.grad(loss, [W1, b1, W2, b2])
        return (loss, *[p - lr * g for p, g in zip((W1, b1, W2, b2), grads)])

    f = sym.compile(sym.trace(step, *map(zg.tensor, (X, y, *init))))
    arrays = [p.copy() for p in init]

    def compiled() -> None:
        for _ in range(steps):
            _, *arrays[:] = f(X, y, *arrays)

    return eager, compiled, lambda: [p.detach().numpy() for p in params], lambda: arrays


WORKLOADS = {
    "linreg step (d2l 3.2, batch 10)": (linreg, 100, "100 steps"),
    "MLP step (784-256-10, batch 256)": (mlp, 5, "5 steps"),
}


# --- timing ---------------------------------------------------------------------------------------


def _time(fn: Step) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(repeats: int = 7) -> list[dict[str, Any]]:
    """Time every workload (eager and compiled interleaved); check they end equal."""
    rows = []
    for name, (make, n, unit) in WORKLOADS.items():
        eager, compiled, eager_params, compiled_params = make(n)
        # The trace is over: no placeholder is alive, so eager mode runs without the hook.
        assert _function.apply_hook is None, "the recording hook must be off for eager timing"
        eager(), compiled()  # warm-up (and one step of each, to compare parameters below)
        times: dict[str, list[float]] = {"eager": [], "compiled": []}
        for _ in range(repeats):
            times["eager"].append(_time(eager))
            times["compiled"].append(_time(compiled))
        for a, b in zip(eager_params(), compiled_params()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"workload": name, "unit": unit, "eager_ms": med["eager"] * 1e3,
                     "compiled_ms": med["compiled"] * 1e3,
                     "eager_range": (min(times["eager"]) * 1e3, max(times["eager"]) * 1e3),
                     "compiled_range": (min(times["compiled"]) * 1e3,
                                        max(times["compiled"]) * 1e3),
                     "ratio": med["eager"] / med["compiled"],
                     "ratio_min": min(times["eager"]) / min(times["compiled"])})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a text table."""
    head = (f"{'workload':34} {'per':10} {'eager ms':>21} {'compiled ms':>21} "
            f"{'eager/compiled':>15} {'(of minima)':>12}")
    lines = [head, "-" * len(head)]
    for r in rows:
        e = f"{r['eager_ms']:.2f} ({r['eager_range'][0]:.2f}-{r['eager_range'][1]:.2f})"
        c = f"{r['compiled_ms']:.2f} ({r['compiled_range'][0]:.2f}-{r['compiled_range'][1]:.2f})"
        lines.append(f"{r['workload']:34} {r['unit']:10} {e:>21} {c:>21} {r['ratio']:>14.2f}x "
                     f"{r['ratio_min']:>11.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (medians of interleaved repeats)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args(argv)
    print(table(run(3 if args.quick else 7)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
