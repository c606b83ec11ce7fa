"""Golden and property tests for the evaluation-trace tables (zerograd.viz.trace and the
`zerograd trace` command), on the course notes' worked example f(x1, x2) = ln x1 + x1 x2 - sin x2
at (2, 5): every number is checked against the mathematics, and the whole text is pinned.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import zerograd
from zerograd import cli
from zerograd.autograd.grad_mode import state

X1, X2 = 2.0, 5.0
EXPR = "log(x1) + x1*x2 - sin(x2)"

# The notes' table: v1 = ln 2, v2 = 10, v3 = sin 5, v4 = v1 + v2, v5 = f; df/dx1 = 1/x1 + x2,
# df/dx2 = x1 - cos x2. The golden text below was produced by the command and read by hand.
GOLDEN = """正向计算 Forward primal trace: v = op(inputs)
变量 var  运算 op   值 value
--------  --------  --------
v₋₁       x1          2.0000
v₀        x2          5.0000
v₁        log(v₋₁)    0.6931
v₂        v₋₁ * v₀   10.0000
v₃        sin(v₀)    -0.9589
v₄        v₁ + v₂    10.6931
v₅        v₄ - v₃    11.6521
f         v₅         11.6521

正向累积 Forward tangent trace: v̇ = ∂v/∂x, one column per input
切线 tangent  规则 rule              ∂/∂x1   ∂/∂x2
------------  --------------------  ------  ------
v̇₋₁           seed 种子 (x1)        1.0000  0.0000
v̇₀            seed 种子 (x2)        0.0000  1.0000
v̇₁            v̇₁ = v̇₋₁ / v₋₁        0.5000  0.0000
v̇₂            v̇₂ = v̇₋₁*v₀ + v₋₁*v̇₀  5.0000  2.0000
v̇₃            v̇₃ = v̇₀ * cos(v₀)     0.0000  0.2837
v̇₄            v̇₄ = v̇₁ + v̇₂          5.5000  2.0000
v̇₅            v̇₅ = v̇₄ - v̇₃          5.5000  1.7163

反向累积 Reverse adjoint trace: v̄ = ∂f/∂v, in the engine's order
步 step  伴随 adjoint  规则 rule          贡献 contribution  累计 total
-------  ------------  -----------------  -----------------  ----------
      0  v̄₅            v̄₅ = ∂f/∂f (seed)             1.0000      1.0000
      1  v̄₄            v̄₄ = v̄₅                       1.0000      1.0000
      1  v̄₃            v̄₃ = -v̄₅                     -1.0000     -1.0000
      2  v̄₀            v̄₀ = v̄₃ * cos(v₀)            -0.2837     -0.2837
      3  v̄₁            v̄₁ = v̄₄                       1.0000      1.0000
      3  v̄₂            v̄₂ = v̄₄                       1.0000      1.0000
      4  v̄₋₁           v̄₋₁ = v̄₂ * v₀                 5.0000      5.0000
      4  v̄₀            v̄₀ += v̄₂ * v₋₁                2.0000      1.7163
      5  v̄₋₁           v̄₋₁ += v̄₁ / v₋₁               0.5000      5.5000

f = 11.6521
梯度 gradient, forward mode 正向累积: ∂f/∂x1 = 5.5000, ∂f/∂x2 = 1.7163
梯度 gradient, reverse mode 反向累积: ∂f/∂x1 = 5.5000, ∂f/∂x2 = 1.7163
✓ 两种模式的梯度一致 / both modes give the same gradient
"""


def worked_example() -> zerograd.viz.TraceTable:
    return zerograd.viz.trace(lambda x1, x2: zerograd.log(x1) + x1 * x2 - zerograd.sin(x2),
                              x1=X1, x2=X2)


def cells(table: object, column: int) -> list[str]:
    return [r[column] for r in table.rows]  # type: ignore[attr-defined]


def test_cli_output_is_the_golden_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["trace", EXPR, "--at", "x1=2", "x2=5"]) == 0
    assert capsys.readouterr().out == GOLDEN


def test_python_dash_m_runs_the_same_command() -> None:
    out = subprocess.run([sys.executable, "-m", "zerograd", "trace", EXPR, "--at", "x1=2",
                          "x2=5"], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout == GOLDEN


def test_primal_trace_matches_the_mathematics() -> None:
    t = worked_example()
    want = [X1, X2, math.log(X1), X1 * X2, math.sin(X2), math.log(X1) + X1 * X2,
            math.log(X1) + X1 * X2 - math.sin(X2)]
    shown = [float(c) for c in cells(t.primal, 2)[:-1]]
    np.testing.assert_allclose(shown, want, atol=5e-5)
    assert cells(t.primal, 1) == ["x1", "x2", "log(v₋₁)", "v₋₁ * v₀", "sin(v₀)", "v₁ + v₂",
                                  "v₄ - v₃", "v₅"]
    assert t.value == pytest.approx(want[-1], abs=1e-12)


def test_tangent_trace_matches_the_mathematics() -> None:
    t = worked_example()
    d1 = [1, 0, 1 / X1, X2, 0, 1 / X1 + X2, 1 / X1 + X2]  # along x1
    d2 = [0, 1, 0, X1, math.cos(X2), X1, X1 - math.cos(X2)]  # along x2
    np.testing.assert_allclose([float(c) for c in cells(t.tangent, 2)], d1, atol=5e-5)
    np.testing.assert_allclose([float(c) for c in cells(t.tangent, 3)], d2, atol=5e-5)
    assert cells(t.tangent, 1)[2:] == ["v̇₁ = v̇₋₁ / v₋₁", "v̇₂ = v̇₋₁*v₀ + v₋₁*v̇₀",
                                       "v̇₃ = v̇₀ * cos(v₀)", "v̇₄ = v̇₁ + v̇₂", "v̇₅ = v̇₄ - v̇₃"]


def test_both_modes_give_the_exact_gradient() -> None:
    t = worked_example()
    exact = [1 / X1 + X2, X1 - math.cos(X2)]
    assert t.forward_gradient == pytest.approx(exact, abs=1e-12)
    assert t.reverse_gradient == pytest.approx(exact, abs=1e-12)
    assert t.agree
    assert "✓" in t.to_text().splitlines()[-1]


def test_adjoint_trace_follows_the_engine_and_sums_to_the_gradient() -> None:
    t = worked_example()
    totals: dict[str, float] = {}
    for _step, target, rule, contribution, total in t.adjoint.rows:
        base = totals.get(target, 0.0)
        assert ("+=" in rule) == (target in totals)  # "=" first, "+=" after
        totals[target] = base + float(contribution)
        assert float(total) == pytest.approx(totals[target], abs=1e-4)
    assert totals["v̄₋₁"] == pytest.approx(1 / X1 + X2, abs=1e-4)
    assert totals["v̄₀"] == pytest.approx(X1 - math.cos(X2), abs=1e-4)
    steps = [int(r[0]) for r in t.adjoint.rows]
    assert steps == sorted(steps)  # rows in the order the engine ran the nodes


def test_other_renderings() -> None:
    t = worked_example()
    md = t.to_markdown()
    assert md.count("| :--- |") == 3 and "| v₂ | v₋₁ * v₀ | 10.0000 |" in md
    html = t._repr_html_()
    assert html.count("<table>") == 3 and "<td>sin(v₀)</td>" in html
    df = t.to_pandas()
    assert list(df.index) == ["v₋₁", "v₀", "v₁", "v₂", "v₃", "v₄", "v₅"]
    assert df.loc["v₃", "value"] == pytest.approx(math.sin(X2), abs=1e-4)
    assert df.loc["v₋₁", "adjoint"] == pytest.approx(1 / X1 + X2, abs=1e-4)
    assert df.loc["v₃", "∂/∂x2"] == pytest.approx(math.cos(X2), abs=1e-4)
    assert len(t.to_pandas("adjoint")) == len(t.adjoint.rows)


def test_positional_inputs_take_the_parameter_names() -> None:
    t = zerograd.viz.trace(lambda a, b: a * b.exp() + 3 * a ** 2, 1.5, -0.5)
    assert cells(t.primal, 1)[:2] == ["a", "b"]
    a, b = 1.5, -0.5
    exact = [math.exp(b) + 6 * a, a * math.exp(b)]
    assert t.forward_gradient == pytest.approx(exact, abs=1e-12)
    assert t.reverse_gradient == pytest.approx(exact, abs=1e-12)


def test_composites_show_their_primitives() -> None:
    t = zerograd.viz.trace(lambda x: zerograd.tan(x), x=0.3)  # tan = sin / cos
    assert [c.split("(")[0] for c in cells(t.primal, 1)[1:4]] == ["sin", "cos", "v₁ / v₂"]
    assert t.reverse_gradient[0] == pytest.approx(1 / math.cos(0.3) ** 2, abs=1e-12)


def test_bad_inputs_and_outputs() -> None:
    with pytest.raises(ValueError, match="scalar inputs"):
        zerograd.viz.trace(lambda x: x.sum(), x=zerograd.ones(3))
    with pytest.raises(ValueError, match="one number"):
        zerograd.viz.trace(lambda x: zerograd.stack([x, x]), x=1.0)
    with pytest.raises(ZeroDivisionError):
        zerograd.viz.trace(lambda x: 1 / 0, x=1.0)
    assert state.tracer is None  # the recording hook is removed even after an error


@pytest.mark.parametrize("expr, message", [
    ("__import__('os')", "unknown function"),
    ("x.exp()", "not allowed"),
    ("(lambda: 1)()", "not allowed"),
    ("x[0]", "not allowed"),
    ("exp", "is a function"),
    ("x +", "not a valid expression"),
    ("x1 * y", "give a value"),
])
def test_cli_refuses_unsafe_or_incomplete_expressions(expr: str, message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["trace", expr, "--at", "x=1", "x1=2"])
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_expression_evaluator() -> None:
    f, names = cli.compile_expression("-x**2 + ln(y) / pi + sigmoid(2.5)")
    assert names == ["x", "y"]
    got = f(x=zerograd.tensor(3.0, dtype=zerograd.float64),
            y=zerograd.tensor(4.0, dtype=zerograd.float64))
    assert float(got) == pytest.approx(-9 + math.log(4) / math.pi + 1 / (1 + math.exp(-2.5)))
    assert cli.parse_assignments(["a=1", "b=-2.5"]) == {"a": 1.0, "b": -2.5}
    with pytest.raises(cli.ExpressionError):
        cli.parse_assignments(["a:1"])
