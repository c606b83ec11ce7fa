"""sym.trace: an eager function captured as a graph. The trace of a function equals the graph
written by hand; Python control flow is recorded as one path with guards (the notes' `while
b.norm() < 1000` example gives different traces for different inputs); unused work is dead code;
a training step traced and compiled computes what eager mode computes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd as zg
from zerograd import sym

torch = pytest.importorskip("torch")


def f_notes(a: Any) -> Any:
    """The notes' example of data-dependent control flow (d2l's autograd section)."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def test_trace_equals_the_authored_graph() -> None:
    traced = sym.trace(lambda a, b: 2 * a + b, zg.ones(3), zg.ones(3))
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    cmp = sym.compare(traced, 2 * a + b, titles=["traced", "authored"])
    assert cmp.same
    assert "same graph" in str(cmp) and "traced" in str(cmp)
    other = sym.compare(traced, 2 * a - b)
    assert not other.same


def test_two_inputs_two_traces() -> None:
    small, large = zg.tensor(0.5), zg.tensor(-300.0)
    t_small, t_large = sym.trace(f_notes, small), sym.trace(f_notes, large)
    assert len(t_small) > len(t_large)  # more loop iterations recorded for the small input
    assert not sym.compare(t_small, t_large).same
    # each path's guards: one per `while` test (the last one False) and one for the `if`
    def while_tests(a: float) -> int:
        tests, b = 1, abs(a) * 2
        while b < 1000:
            tests, b = tests + 1, b * 2
        return tests

    assert len(t_small.guards) == while_tests(0.5) + 1 == 12
    assert len(t_large.guards) == while_tests(-300.0) + 1 == 3
    for t, x in ((t_small, 0.7), (t_small, 0.9), (t_large, -400.0)):
        got = t(zg.tensor(x))
        want = f_notes(torch.tensor(x))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    with pytest.raises(sym.GuardError, match="another path"):
        t_small(zg.tensor(-300.0))  # the loop would stop at once: another path
    with pytest.raises(sym.GuardError):
        t_large(zg.tensor(300.0))  # the `if` goes the other way


def test_guards_print_in_the_listing() -> None:
    text = sym.trace(f_notes, zg.tensor(-300.0)).listing()
    assert "norm(v2, p=2.0) : float32[]" in text
    assert "np.less(v3, 1000.0) : bool[]" in text
    assert "guard item(v4) == True" in text and "guard item(" in text and "== False" in text


def test_unused_work_is_dead_code() -> None:
    def f(x: Any) -> Any:
        _unused = x.exp().sum()
        return x * 3

    g = sym.trace(f, zg.ones(2))
    assert any(v.op == "exp" for v in g.values)
    cleaned = sym.dce(g)
    assert not any(v.op == "exp" for v in cleaned.values)
    np.testing.assert_array_equal(cleaned(zg.tensor([1.0, 2.0])).numpy(), [3.0, 6.0])


def test_traced_training_step_matches_eager() -> None:
    """An MLP's loss and gradients, traced once, then run and compiled for new data."""
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((4, 8)).astype(np.float32) * 0.3, np.zeros(8, np.float32)
    w2, b2 = rng.standard_normal((8, 3)).astype(np.float32) * 0.3, np.zeros(3, np.float32)

    def loss_fn(m: Any, x: Any, y: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
        h = m.relu(x @ w1 + b1)
        return m.nn.functional.cross_entropy(h @ w2 + b2, y)

    def step(x: Any, y: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
        loss = loss_fn(zg, x, y, w1, b1, w2, b2)
        return (loss, *sym.grad(loss, [w1, b1, w2, b2]))

    x0, y0 = rng.standard_normal((5, 4)).astype(np.float32), rng.integers(0, 3, 5)
    g = sym.trace(step, *map(zg.tensor, (x0, y0, w1, b1, w2, b2)))
    f = sym.compile(g)
    x1, y1 = rng.standard_normal((5, 4)).astype(np.float32), rng.integers(0, 3, 5)
    params = [torch.tensor(p, requires_grad=True) for p in (w1, b1, w2, b2)]
    t_loss = loss_fn(torch, torch.tensor(x1), torch.tensor(y1), *params)
    t_grads = torch.autograd.grad(t_loss, params)
    want = [t_loss, *t_grads]
    for got in (g(*map(zg.tensor, (x1, y1, w1, b1, w2, b2))), f(x1, y1, w1, b1, w2, b2)):
        for a, b in zip(got, want):
            a = a.numpy() if isinstance(a, zg.Tensor) else a
            np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_trace_names_and_errors() -> None:
    g = sym.trace(lambda inputs, weight: inputs @ weight, zg.ones(2, 3), zg.ones(3))
    assert [v.name for v in g.inputs] == ["inputs", "weight"]
    g2 = sym.trace(lambda *xs: xs[0] + xs[1], zg.ones(1), zg.ones(1), names=["p", "q"])
    assert [v.name for v in g2.inputs] == ["p", "q"]
    with pytest.raises(sym.SymbolicError):
        sym.trace(lambda x: x, sym.var("s", shape=(1,)))
    with pytest.raises(sym.FeedError, match="shape"):
        g(zg.ones(3, 3), zg.ones(3))
