"""Run the benchmarks: zerograd vs PyTorch vs hand-written NumPy, interleaved in one process.

    python -m benchmarks                 # everything
    python -m benchmarks op_overhead     # one workload (prefix match)
    python -m benchmarks --quick         # fewer repeats

For each workload the three implementations run in turn (zerograd, torch, numpy, zerograd, ...)
after a warm-up, several repeats each; the table shows medians, min–max, and the ratios
zerograd/torch and zerograd/numpy. Ratios below 1 mean zerograd is faster. These machines are
noisy: read the medians and ratios, not single numbers. Peak memory is measured in separate
processes (RSS is per process) by memory.py.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import numpy_ref, workloads

try:  # PyTorch is the comparison, installed by the test extra; the runner works without it
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

import zerograd

Maker = Callable[..., Any]

# name, unit, scale (seconds -> unit), repeats, inner calls per repeat, make(torch-like), numpy
CASES: list[tuple[str, str, float, int, int, Maker, Maker]] = []


def _case(name: str, unit: str, repeats: int, inner: int, make: Maker, ref: Maker) -> None:
    scale = {"s": 1.0, "ms": 1e3, "us": 1e6}[unit]
    CASES.append((name, unit, scale, repeats, inner, make, ref))


_case("linreg_scratch (s/epoch)", "s", 5, 1, workloads.linreg_scratch, numpy_ref.linreg_scratch)
_case("linreg_concise (s/epoch)", "s", 5, 1, workloads.linreg_concise, numpy_ref.linreg_concise)
for _shape in [(), (10,), (1000,), (1000, 1000)]:
    for _mode in ("forward", "tracked", "backward"):
        _inner = 20 if _shape == (1000, 1000) else 2000
        _case(
            f"op_overhead {str(_shape):12} {_mode}", "us", 7, _inner,
            lambda t, s=_shape, m=_mode: workloads.op_overhead(t, s, m),
            lambda s=_shape, m=_mode: numpy_ref.op_overhead(s, "forward" if m == "tracked" else m),
        )
_case("mlp_step (ms/step)", "ms", 7, 10, workloads.mlp_step, numpy_ref.mlp_step)
for _n in (512, 2048):
    for _bw in (False, True):
        _case(
            f"matmul_bw {_n}² {'fwd+bwd' if _bw else 'fwd'}", "ms", 7, 3 if _n == 2048 else 20,
            lambda t, n=_n, b=_bw: workloads.matmul_bw(t, n, b),
            lambda n=_n, b=_bw: numpy_ref.matmul_bw(n, b),
        )


def environment() -> str:
    """Versions, threads and BLAS, printed above the table."""
    blas = "unknown"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name')} {cfg.get('version')}"
    except Exception:  # noqa: BLE001 - older NumPy: just say unknown
        pass
    lines = [
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs",
        f"zerograd {zerograd.__version__}, numpy {np.__version__} (BLAS {blas})",
    ]
    if torch is not None:
        lines.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    else:
        lines.append("torch not installed: zerograd vs NumPy only")
    return "\n".join(lines)


def _time(fn: Callable[[], Any], inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def run_case(case: tuple[str, str, float, int, int, Maker, Maker], quick: bool) -> dict[str, Any]:
    """Time one workload on every implementation, interleaved; check the results."""
    name, unit, scale, repeats, inner, make, ref = case
    if quick:
        repeats = max(3, repeats // 2)
    impls: dict[str, tuple[Callable[[], Any], Callable[[], float]]] = {
        "zerograd": make(zerograd)}
    if torch is not None:
        impls["torch"] = make(torch)
    impls["numpy"] = ref()
    for fn, _ in impls.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in impls}
    for _ in range(repeats):
        for k, (fn, _) in impls.items():
            times[k].append(_time(fn, inner) * scale)
    checks = {k: chk() for k, (_, chk) in impls.items()}
    return {"name": name, "unit": unit, "times": times, "checks": checks}


def _cell(ts: list[float] | None) -> str:
    if not ts:
        return f"{'-':>24}"
    return f"{statistics.median(ts):9.3g} ({min(ts):.3g}–{max(ts):.3g})".rjust(24)


def report(res: dict[str, Any]) -> str:
    """One table row: medians (min–max) and the two ratios."""
    t = res["times"]
    z = statistics.median(t["zerograd"])
    vs_torch = f"{z / statistics.median(t['torch']):6.2f}" if "torch" in t else "     -"
    vs_np = f"{z / statistics.median(t['numpy']):6.2f}"
    return (f"{res['name']:38} {_cell(t['zerograd'])} {_cell(t.get('torch'))} "
            f"{_cell(t['numpy'])} {vs_torch} {vs_np}")


def main(argv: list[str] | None = None) -> int:
    """Run the selected workloads and print the table."""
    ap = argparse.ArgumentParser(description="zerograd benchmarks")
    ap.add_argument("only", nargs="*", help="run workloads whose name starts with these")
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    ap.add_argument("--no-jacobian", action="store_true", help="skip the Jacobian benchmark")
    args = ap.parse_args(argv)
    print(environment())
    print(f"\n{'workload':38} {'zerograd':>24} {'torch':>24} {'numpy':>24} {'z/torch':>6} "
          f"{'z/np':>6}")
    bad = []
    for case in CASES:
        if args.only and not any(case[0].startswith(o) for o in args.only):
            continue
        try:
            res = run_case(case, args.quick)
        except (AttributeError, ImportError, NotImplementedError) as e:
            print(f"{case[0]:38} skipped: {e}")
            continue
        print(report(res), flush=True)
        for k, err in res["checks"].items():
            if err > 1e-2:
                bad.append(f"{case[0]} [{k}]: check failed ({err:.3g})")
    if not args.only or any(o.startswith("jacobian") for o in args.only):
        if not args.no_jacobian:
            _jacobian(args.quick)
    if not args.only or any(o.startswith("memory") for o in args.only):
        if not args.no_memory:
            from . import memory

            print()
            print(memory.report())
    for line in bad:
        print("WARNING", line)
    return 1 if bad else 0


def _jacobian(quick: bool) -> None:
    try:
        from . import jacobian
    except ImportError as e:
        print(f"\njacobian: skipped ({e})")
        return
    print()
    jacobian.main(["--quick"] if quick else [])


if __name__ == "__main__":
    sys.exit(main())
