"""Explicit graphs as a learner meets them: placeholders and expressions, the numbered listing,
running with checked feeds, placeholders without a shape, the functional rules, drawing, and
the recording hook going away when nothing symbolic is left."""

from __future__ import annotations

import numpy as np
import pytest

import zerograd as zg
from zerograd import sym

torch = pytest.importorskip("torch")

A = np.array([1.0, 2.0, 3.0], np.float32)
B = np.array([0.5, -1.0, 4.0], np.float32)


def test_listing_of_the_notes_example() -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    c = 2 * a + b
    assert isinstance(c, sym.Sym) and isinstance(c, zg.Tensor)
    assert repr(c) == str(sym.Graph(c)) == (
        "v1 = var('a') : float32[3]\n"
        "v2 = var('b') : float32[3]\n"
        "v3 = mul(v1, 2) : float32[3]\n"
        "v4 = add(v3, v2) : float32[3]\n"
        "return v4")


def test_function_and_method_surface_matches_eager() -> None:
    """zg functions, operators and methods take symbolic nodes exactly as tensors."""
    w_np = np.arange(6, dtype=np.float32).reshape(3, 2) / 5
    a, w = sym.var("a", shape=(3,)), sym.var("w", shape=(3, 2))

    def f(m, a, w):  # noqa: ANN001, ANN202
        h = m.exp(a) @ w + a.reshape(3, 1).sum(dim=0)
        return (h * h).sum(dim=0) / 2 - a.max()

    got = f(zg, a, w).eval(a=zg.tensor(A), w=zg.tensor(w_np))
    want = f(torch, torch.tensor(A), torch.tensor(w_np))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    eager = f(zg, zg.tensor(A), zg.tensor(w_np))
    np.testing.assert_array_equal(got.numpy(), eager.numpy())  # the same kernels, bit for bit


def test_ways_to_feed() -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    g = sym.Graph(2 * a + b)
    want = 2 * A + B
    for got in (g.run(a=zg.tensor(A), b=zg.tensor(B)), g.run({a: A, "b": B}),
                g(zg.tensor(A), zg.tensor(B)), (2 * a + b).eval({"a": A}, b=B.tolist())):
        assert isinstance(got, zg.Tensor) and got.dtype == zg.float32
        np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("feeds,message", [
    ({"a": A}, "missing a value for placeholder 'b'"),
    ({"a": A, "b": np.ones(4, np.float32)}, "placeholder 'b' has shape (3,) but was fed "
                                            "shape (4,)"),
    ({"a": A, "b": B.astype(np.float64)}, "placeholder 'b' is float32 but was fed float64"),
    ({"a": A, "b": B, "c": B}, "no placeholder named 'c'"),
])
def test_feed_errors_name_the_placeholder(feeds: dict, message: str) -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    with pytest.raises(sym.FeedError) as e:
        (a * b).eval(feeds)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_feeding_a_symbolic_value_is_refused() -> None:
    a = sym.var("a", shape=(3,))
    with pytest.raises(sym.FeedError, match="symbolic"):
        (a + 1).eval(a=a)


def test_placeholder_without_shape_runs_at_any_shape() -> None:
    x, y = sym.var("x"), sym.var("y")
    z = (2 * x + y).exp().sum()
    assert "float32[?]" in repr(z)
    for xs, ys in [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((4, 1), (1, 5))]:
        xv = np.random.default_rng(len(xs)).standard_normal(xs).astype(np.float32)
        yv = np.random.default_rng(9).standard_normal(ys).astype(np.float32)
        got = z.eval(x=xv, y=yv)
        want = (2 * torch.tensor(xv) + torch.tensor(yv)).exp().sum()
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5)


@pytest.mark.parametrize("build", [lambda x: x.sum(dim=0), lambda x: x.reshape(2, 2),
                                   lambda x: x @ x, lambda x: x.softmax(dim=-1)],
                         ids=["sum-dim", "reshape", "matmul", "softmax"])
def test_shapeless_placeholder_refuses_shape_dependent_ops(build) -> None:  # noqa: ANN001
    x = sym.var("x")
    with pytest.raises(sym.SymbolicError, match="shape"):
        build(x)


def test_shapeless_placeholder_refuses_gradients_and_mixed_dtypes() -> None:
    x = sym.var("x")
    with pytest.raises(sym.SymbolicError, match="shape"):
        sym.grad((x * x).sum(), [x])
    with pytest.raises(sym.SymbolicError, match="dtype"):
        x + sym.var("d", dtype=zg.float64)


def test_graphs_are_functional() -> None:
    a = sym.var("a", shape=(3,))
    c = a * 2
    d = c
    c += 1  # a new node, as with MXNet symbols; d still names the old one
    assert c is not d
    np.testing.assert_array_equal(c.eval(a=A).numpy(), A * 2 + 1)
    np.testing.assert_array_equal(d.eval(a=A).numpy(), A * 2)
    for bad in (lambda: a.add_(1), lambda: a.__setitem__(0, 5.0), lambda: a.zero_()):
        with pytest.raises(sym.SymbolicError, match="functional"):
            bad()


@pytest.mark.parametrize("look", [bool, float, lambda t: t.item(), lambda t: t.numpy(),
                                  lambda t: t.backward()],
                         ids=["bool", "float", "item", "numpy", "backward"])
def test_python_cannot_look_at_a_symbolic_value(look) -> None:  # noqa: ANN001
    a = sym.var("a", shape=())
    with pytest.raises(sym.SymbolicError):
        look(a * 2)


def test_multi_output_and_constants() -> None:
    """max with indices gives two nodes; a plain tensor used in the graph is a constant."""
    x_np = np.array([[1.0, 5.0], [3.0, 2.0], [0.0, 7.0]], np.float32)
    w = zg.tensor([[2.0], [3.0]])
    x = sym.var("x", shape=(3, 2))
    values, idx = x.max(dim=0)
    out = x @ w
    assert "const" in repr(out)
    got_v, got_i, got_o = sym.Graph([values, idx, out]).run(x=x_np)
    t_v, t_i = torch.tensor(x_np).max(dim=0)
    np.testing.assert_array_equal(got_v.numpy(), t_v.numpy())
    np.testing.assert_array_equal(got_i.numpy(), t_i.numpy())
    assert got_i.dtype == zg.int64
    np.testing.assert_allclose(got_o.numpy(), x_np @ w.numpy())


def test_comparisons_are_backend_calls_in_the_graph() -> None:
    """Comparisons are no primitives (they have no gradient): the graph shows the NumPy call."""
    a = sym.var("a", shape=(3,))
    m = (a > 1).float() * a
    assert "np.greater(v1, 1.0) : bool[3]" in repr(m)
    np.testing.assert_array_equal(m.eval(a=A).numpy(), np.where(A > 1, A, 0))
    (g,) = sym.grad(m.sum(), [a])
    np.testing.assert_array_equal(g.eval(a=A).numpy(), (A > 1).astype(np.float32))


def test_dot_and_svg_drawing() -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    c = 2 * a + b
    dot = c.to_dot()
    assert dot.startswith("digraph")
    for label in ("v1 = var('a')", "v3 = mul(v1, 2)", "v4 = add(v3, v2)"):
        assert label in dot
    for edge in ("v1 -> v3", "v3 -> v4", "v2 -> v4"):
        assert edge in dot
    svg = c.draw(engine="python")
    assert svg.startswith("<svg") and svg.count("<rect") == 4


HOOK_SCRIPT = """
import gc
import numpy as np
import zerograd as zg
from zerograd import sym
from zerograd.autograd import function as F
assert F.apply_hook is None
a = sym.var("a", shape=(2,))
assert F.apply_hook is not None
(ga,) = sym.grad((a * a).sum(), [a])
assert ga.eval(a=np.ones(2, np.float32)).tolist() == [2.0, 2.0]
traced = sym.trace(lambda x: x.exp(), zg.ones(2))
del a, ga
gc.collect()
assert F.apply_hook is None, "placeholders gone: the hook must go"
traced(zg.zeros(2))  # a trace runs without recording anything
assert F.apply_hook is None
x = zg.ones(2, requires_grad=True)
assert (x * 2).grad_fn is not None
print("ok")
"""


def test_hook_goes_when_nothing_symbolic_is_left() -> None:
    """Eager mode pays nothing once no placeholder is alive: the apply hook is None again
    (in a fresh interpreter, so that no other test's placeholders are alive)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-c", HOOK_SCRIPT], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
