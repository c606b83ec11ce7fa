"""The compiled-vs-eager benchmark runs and trains the same parameters both ways. (The lesson on
explicit and implicit graphs is lessons/source/05_autograd.py, run by tests/lessons.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_and_agrees() -> None:
    spec = importlib.util.spec_from_file_location("sym_compile_bench",
                                                  ROOT / "benchmarks" / "sym_compile.py")
    bench = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(bench)
    rows = bench.run(repeats=1)  # asserts equal parameters after training both ways
    assert [r["workload"] for r in rows] == list(bench.WORKLOADS)
    assert all(r["eager_ms"] > 0 and r["compiled_ms"] > 0 for r in rows)
    assert "eager/compiled" in bench.table(rows)
