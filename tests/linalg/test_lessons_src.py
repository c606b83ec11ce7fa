"""The lesson scripts of issue 8 run to completion and print what they promise: the closed-form
solution next to SGD's (agreeing to within the noise), the least-squares and gradient-descent
examples, and the Jacobian-layout checks. Each script asserts its own numerical claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parents[2] / "lessons_src"
SRC = Path(__file__).resolve().parents[2] / "src"


def _run(name: str) -> str:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(LESSONS / name)], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _numbers(line: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", line)]


def test_linear_regression_closed_form() -> None:
    out = _run("linear_regression_closed_form.py")
    lines = {line.split("w =")[0].strip(): line for line in out.splitlines() if " w = " in line}
    closed, lstsq, sgd = (_numbers(lines[k]) for k in ("solve(XᵀX)", "lstsq", "SGD"))
    assert len(closed) == len(sgd) == len(lstsq) == 3
    assert max(abs(a - b) for a, b in zip(closed, sgd)) < 0.01
    assert max(abs(a - b) for a, b in zip(closed, [2.0, -3.4, 4.2])) < 0.01
    assert "a = 1.3900, b = 0.7500" in out  # the five-point line, solved by hand: a=1.39, b=0.75
    table = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s+\S", line)]
    assert len(table) == 10
    small, good, large = (float(v) for v in table[-1][1:4])
    assert good < small and large > float(table[0][3])  # too large diverges


@pytest.mark.parametrize("name", ["jacobian_layout.py"])
def test_jacobian_layout(name: str) -> None:
    out = _run(name)
    assert "jacrev(f)(x).shape = (2, 3)  (m × n)" in out
    assert "jacrev(y ↦ Ay).shape = (3, 4)" in out
    assert "全部验证通过" in out
