"""The lesson script lessons_src/explicit_vs_implicit.py runs and prints what it promises (it
asserts its own numbers too), and the compiled-vs-eager benchmark runs and trains the same
parameters both ways."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_lesson_explicit_vs_implicit() -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}"
           f"{os.environ.get('PYTHONPATH', '')}", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(ROOT / "lessons_src" / "explicit_vs_implicit.py")],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for line in ("v3 = mul(v1, 2) : float32[?]", "v4 = add(v3, v2) : float32[?]",
                 "c.eval(a=ones(2,1), b=ones(2,1)) = [[3.0], [3.0]]",
                 "placeholder 'a' has shape (2, 1) but was fed shape (3,)",
                 "n1 [label=\"AddBackward0", "=> same graph 同一个图",
                 "f(2, 5) = 11.6521, ∂f/∂x1 = 5.5000, ∂f/∂x2 = 1.7163",
                 "∂²f/∂x1² = -0.2500", "def compiled(w):", "compiled: 14.0 [2.0, -4.0, 6.0]",
                 "eager: a.grad == d / a: True", "=> different graphs 不同的图", "GuardError:"):
        assert line in out, line


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
