"""Optimisation passes keep every value identical; compiled functions equal interpreted graphs.

Graphs come from op_db (each op with its symbolic gradient, which is rich in constants and
repeated subexpressions) and from small examples whose before/after listings are pinned.
"""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import pytest

import zerograd as zg
from op_db import OP_DB, OpInfo
from zerograd import sym

from .test_sym_ops import AUTHORED_ERRORS, _outs, build

GRAPH_OPS = [o for o in OP_DB if o.kind != "inplace" and o.differentiable and "float32" in o.dtypes
             and o.name not in AUTHORED_ERRORS and o.primitive not in ("copy_slices",
                                                                       "index_put")]


def graph_of(op: OpInfo) -> tuple[sym.Graph, dict[str, np.ndarray]]:
    """The op's outputs and their gradient as one graph, with feeds."""
    sample = op.samples("float32")[0]
    args, kwargs, feeds, floats = build(sample)
    outs = _outs(op.op(zg, *args, **kwargs))
    diff = [o for o in outs if o.dtype.is_floating_point]
    grads = list(sym.grad(sum(o.sum() for o in diff), floats)) if diff and floats else []
    g = sym.Graph(outs + grads)
    return g, {v.name: feeds[v.name] for v in g.inputs}


def same(xs: Any, ys: Any) -> None:
    for x, y in zip(xs, ys):
        x = x._data if isinstance(x, zg.Tensor) else x
        y = y._data if isinstance(y, zg.Tensor) else y
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)  # identical, NaNs included


@pytest.mark.parametrize("op", GRAPH_OPS, ids=[o.name for o in GRAPH_OPS])
def test_passes_keep_values_and_compile_matches(op: OpInfo) -> None:
    g, feeds = graph_of(op)
    want = g.run(feeds)
    for p in (sym.fold_constants, sym.cse, sym.dce, sym.optimize):
        new = p(g)
        same(new.run(feeds), want)
        assert len(sym.dce(new)) <= len(g)
    arrays = [feeds[v.name] for v in g.inputs]
    for optimize in (False, True):
        f = sym.compile(g, optimize=optimize)
        got = f(*arrays)
        same(got if isinstance(got, tuple) else (got,), want)


def test_constant_folding_before_and_after() -> None:
    a = sym.var("a", shape=(2,))
    g = sym.Graph(a * (sym.const(2.0) + 1) * sym.const([1.0, 2.0]).exp())
    folded = sym.dce(sym.fold_constants(g))
    assert [v.kind for v in folded.values] == ["var", "const", "prim", "const", "prim"]
    assert "const(3.)" in folded.listing()
    same(folded.run(a=np.array([1.0, -1.0], np.float32)),
         g.run(a=np.array([1.0, -1.0], np.float32)))


def test_cse_merges_repeated_work_and_dce_drops_the_copies() -> None:
    a = sym.var("a", shape=(3,))
    y = (a * a).sum()
    (ga,) = sym.grad(y, [a])  # Mul's rule computes g * a twice: two identical nodes
    g = sym.Graph([y, ga])
    ops = [v.op for v in g.values]
    merged = sym.cse(g)
    assert len(merged) == len(g)  # CSE only rewires; the duplicates are still listed...
    cleaned = sym.dce(merged)
    assert len(cleaned) < len(g)  # ...until dead-node removal drops them
    assert ops.count("mul") > [v.op for v in cleaned.values].count("mul")
    x = np.array([1.0, 2.0, -3.0], np.float32)
    same(cleaned.run(a=x), g.run(a=x))


def test_optimize_shows_each_pass(capsys: pytest.CaptureFixture[str]) -> None:
    a = sym.var("a", shape=(3,))
    (ga,) = sym.grad((a * a).sum(), [a])
    sym.optimize(ga.graph, show=True)
    out = capsys.readouterr().out
    for title in ("constant folding", "CSE", "dead-node removal", "before", "after"):
        assert title in out


def test_compiled_source_and_guards() -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    f = sym.compile(2 * a + b, [a, b])
    assert f.source.startswith("def compiled(a, b):\n")
    assert "# mul(v1, 2) : float32[3]" in f.source and "return v4" in f.source
    same([f(np.ones(3, np.float32), np.arange(3, dtype=np.float32))], [np.array([2, 3, 4.0],
                                                                                np.float32)])

    def step(x):  # noqa: ANN001, ANN202
        return x * 2 if x.sum() > 0 else x - 1

    traced = sym.trace(step, zg.tensor([1.0, 2.0]))
    c = sym.compile(traced)
    assert "_check(" in c.source
    same([c(np.array([3.0, 1.0], np.float32))], [np.array([6.0, 2.0], np.float32)])
    with pytest.raises(sym.GuardError):
        c(np.array([-3.0, 1.0], np.float32))


def test_compile_needs_every_placeholder_as_input() -> None:
    a, b = sym.var("a", shape=(3,)), sym.var("b", shape=(3,))
    with pytest.raises(sym.SymbolicError, match="'b'"):
        sym.compile(a + b, [a])


@pytest.mark.parametrize("module", ["graph", "node", "grad", "optimize", "compile", "trace"])
def test_docstring_examples(module: str) -> None:
    import importlib

    mod = importlib.import_module(f"zerograd.sym.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
