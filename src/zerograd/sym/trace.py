"""`trace`: capture an eager Python function as an explicit graph; `compare`: graphs side by side.

A trace runs the function once on placeholders that hold the example numbers, so Python's
control flow takes the path those numbers choose, and the graph records that path only: each
`if`/`while` that looked at a value becomes a guard, checked whenever the graph runs (a
GuardError says the inputs would take another path). The notes' `while b.norm() < 1000`
example gives traces of different lengths for different inputs.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..backend import np
from .array import SymArray
from .graph import Graph, side_by_side, value_of
from .node import _leaf, const
from .record import acquire, release
from .value import PLACEHOLDERS, SymbolicError, Value, state

__all__ = ["Comparison", "compare", "trace"]


def _names(f: Callable[..., Any], n: int) -> list[str]:
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:n]]
    return names + [f"x{i + 1}" for i in range(len(names), n)]


def _example(x: Any) -> Any:
    if isinstance(x, Tensor):
        if type(x._data) is SymArray:
            raise SymbolicError("sym.trace needs example numbers, not symbolic values")
        return x._data
    if isinstance(x, np.ndarray):
        return x
    from .._creation import tensor

    return tensor(x)._data


def trace(f: Callable[..., Any], *example_inputs: Any, names: Sequence[str] | None = None
          ) -> Graph:
    """Run f once on the example inputs and return the graph of what it computed.

    The placeholders are named after f's parameters (or `names`) and take the examples' shapes
    and dtypes. Every value f computed is in the graph, used or not (`sym.dce` drops the unused
    ones); Python decisions on values are its guards.

    Example:
        >>> import zerograd as zg
        >>> from zerograd import sym
        >>> g = sym.trace(lambda x: (x * 2).relu(), zg.tensor([1.0, -1.0]))
        >>> print(g)
        v1 = var('x') : float32[2]
        v2 = mul(v1, 2) : float32[2]
        v3 = relu(v2) : float32[2]
        return v3
        >>> g(zg.tensor([3.0, -3.0]))
        tensor([6., 0.])
    """
    arrays = [_example(x) for x in example_inputs]
    labels = list(names) if names is not None else _names(f, len(arrays))
    if len(labels) != len(arrays):
        raise ValueError(f"sym.trace: {len(labels)} names for {len(arrays)} example inputs")
    syms, vars_ = [], []
    for label, arr in zip(labels, arrays):
        v = Value("var", "var", name=label, shape=arr.shape, dtype=arr.dtype)
        PLACEHOLDERS.add(v)
        # the example's numbers steer Python's control flow
        syms.append(_leaf(v, arr.copy(), sticky=False))
        vars_.append(v)
    acquire()
    prev = state.guards, state.scope
    state.guards, state.scope = [], []
    try:
        with enable_grad():
            out = f(*syms)
        guards, made = state.guards, state.scope
    finally:
        state.guards, state.scope = prev
        release()
    single = not isinstance(out, (tuple, list))
    outs = [o if isinstance(o, Tensor) and type(o._data) is SymArray else const(o)
            for o in ([out] if single else out)]
    for o in outs:
        val = value_of(o)
        val.guards = tuple(dict.fromkeys((*val.guards, *guards)))
    return Graph(outs[0] if single else outs, values=[*vars_, *made, *guards], inputs=vars_)


_VAR = re.compile(r"var\('[^']*'\)")


class Comparison:
    """Graphs side by side; `same` says whether their listings agree (placeholder names
    aside), i.e. whether they compute the same thing the same way."""

    def __init__(self, graphs: Sequence[Graph], titles: Sequence[str]) -> None:
        self.graphs, self.titles = list(graphs), list(titles)
        texts = [_VAR.sub("var", g.listing()) for g in self.graphs]
        self.same = all(t == texts[0] for t in texts)

    def __str__(self) -> str:
        heads = [f"{t} ({len(g)} values)" for t, g in zip(self.titles, self.graphs)]
        verdict = "same graph 同一个图" if self.same else "different graphs 不同的图"
        return side_by_side([g.listing() for g in self.graphs], heads) + f"\n=> {verdict}"

    __repr__ = __str__


def compare(*graphs: Any, titles: Sequence[str] | None = None) -> Comparison:
    """Listings of graphs (or symbolic values) side by side, e.g. a trace next to the graph
    written by hand, or two traces of one function for two inputs."""
    gs = [g if isinstance(g, Graph) else Graph(g) for g in graphs]
    if titles is None:
        titles = [f"graph {i + 1}" for i in range(len(gs))]
    return Comparison(gs, titles)


