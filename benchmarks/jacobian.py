"""The Jacobian benchmark: forward mode (jacfwd) against reverse mode (jacrev).

    python -m benchmarks.jacobian            # or: python benchmarks/jacobian.py [--repeats N]

f(x) = tanh(A x) with A of shape (m, n), so the Jacobian is m x n. Forward mode builds it one
column per input (n dual passes), reverse mode one row per output (one forward pass, m backward
passes): forward mode should win when inputs are few (n << m), reverse mode when outputs are
few (m << n), the trade-off the course notes describe. zerograd has no vmap and loops over the
basis; torch.func pushes the whole basis through once with vmap, which has its own fixed cost.
Read the *shape* of the trade-off (the jacfwd/jacrev ratio within each library) as well as the
zerograd/torch ratios.
The four implementations run interleaved (one call of each per round) so machine noise hits all
alike; the table gives medians and min-max over the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import zerograd

try:  # PyTorch is the comparison; the benchmark still runs (zerograd only) without it
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

SHAPES = [(8, 2048), (2048, 8), (256, 256)]  # (n inputs, m outputs)


def _makers(n: int, m: int) -> dict[str, Callable[[], Any]]:
    """One zero-argument callable per implementation, each computing the m x n Jacobian."""
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((m, n)) / np.sqrt(n)).astype(np.float32)
    x = rng.standard_normal(n).astype(np.float32)
    za, zx = zerograd.tensor(a), zerograd.tensor(x)

    def zf(v: Any) -> Any:
        return zerograd.tanh(za @ v)

    out = {
        "zerograd jacfwd": lambda: zerograd.func.jacfwd(zf)(zx),
        "zerograd jacrev": lambda: zerograd.func.jacrev(zf)(zx),
    }
    if torch is not None:
        ta, tx = torch.tensor(a), torch.tensor(x)

        def tf(v: Any) -> Any:
            return torch.tanh(ta @ v)

        out["torch.func jacfwd"] = lambda: torch.func.jacfwd(tf)(tx)
        out["torch.func jacrev"] = lambda: torch.func.jacrev(tf)(tx)
    return out


def _check(results: dict[str, Any]) -> None:
    """Every implementation must give the same Jacobian (float32 tolerance)."""
    ref = np.asarray(results["zerograd jacrev"])
    for name, r in results.items():
        got = r.detach().numpy() if hasattr(r, "detach") else np.asarray(r)
        if not np.allclose(got, ref, rtol=1e-4, atol=1e-5):
            raise AssertionError(f"{name} disagrees with zerograd jacrev")


def measure(n: int, m: int, repeats: int) -> dict[str, list[float]]:
    """Seconds per call of each implementation, `repeats` interleaved rounds after a warm-up."""
    makers = _makers(n, m)
    _check({name: make() for name, make in makers.items()})  # also the warm-up
    times: dict[str, list[float]] = {name: [] for name in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            t0 = time.perf_counter()
            make()
            times[name].append(time.perf_counter() - t0)
    return times


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f}"


def report(n: int, m: int, times: dict[str, list[float]]) -> list[str]:
    """Table rows for one shape: median and min-max in ms, plus the ratios."""
    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [f"n={n} inputs, m={m} outputs (A: {m}x{n}; Jacobian {m}x{n})"]
    for name, v in times.items():
        lines.append(f"  {name:18} median {_fmt(med[name])} ms   "
                     f"min-max {_fmt(min(v)).strip()}-{_fmt(max(v)).strip()} ms")
    for lib in ("zerograd", "torch.func"):
        fwd, rev = med.get(f"{lib} jacfwd"), med.get(f"{lib} jacrev")
        if fwd and rev:
            winner = "forward" if fwd < rev else "reverse"
            lines.append(f"  {lib:10} jacfwd/jacrev = {fwd / rev:7.3f}  ({winner} mode wins)")
    if "torch.func jacfwd" in med:
        for mode in ("jacfwd", "jacrev"):
            ratio = med[f"zerograd {mode}"] / med[f"torch.func {mode}"]
            lines.append(f"  zerograd/torch.func {mode} = {ratio:8.1f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run every shape and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args(argv)
    head = f"zerograd {zerograd.__version__}, numpy {np.__version__}"
    if torch is not None:
        head += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    print(f"Jacobian of f(x) = tanh(A x), float32; {args.repeats} interleaved rounds\n{head}\n")
    for n, m in SHAPES:
        print("\n".join(report(n, m, measure(n, m, args.repeats))), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
