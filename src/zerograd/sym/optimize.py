"""Graph optimisations: constant folding, common-subexpression elimination, dead-node removal.

Each pass returns a new Graph and leaves its argument alone; `optimize` runs them in turn and,
with `show=True`, prints each before/after pair side by side. Folding and CSE only rewire the
users of a value, so what they replace stays in the list, unused, until `dce` removes it: the
three effects are visible one at a time. Values of the result carry no rule state (take
gradients before optimising).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..backend import np
from .graph import Graph, evaluate_one, side_by_side
from .value import Value, map_struct, new_const

__all__ = ["cse", "dce", "fold_constants", "optimize"]


def _copy(v: Value, new_of: dict[Value, Value]) -> Value:
    """v with its references moved to their replacements (placeholders are kept as they are:
    their identity is what feeds name)."""
    if v.kind == "var":
        return v
    if v.kind == "const":
        return new_const(v.data, scoped=False)

    def m(x: Any) -> Any:
        return new_of.get(x, x) if isinstance(x, Value) else x

    c = Value(v.kind, v.op, args=map_struct(m, v.args), fn=v.fn, prim=v.prim,
              params=map_struct(m, v.params), kwargs=map_struct(m, v.kwargs), shape=v.shape,
              dtype=v.dtype, name=v.name, inputs=map_struct(m, v.inputs), index=v.index,
              poly=v.poly)
    c.guards = tuple(new_of.get(g, g) for g in v.guards)
    if v.kind in ("prim", "array") and v.data is not None:  # a multi-output value's items
        c.data = ()
    return c


def _rebuild(g: Graph, decide: Callable[[Value], Value | None]) -> Graph:
    """Copy g value by value; `decide(copy)` may name a replacement for the copy's users."""
    new_of: dict[Value, Value] = {}
    values = []
    for v in g.values:
        c = _copy(v, new_of)
        if c.kind == "item" and c.args[0].data is not None:
            c.args[0].data = (*c.args[0].data, c)
        values.append(c)
        r = decide(c)
        if r is not None and r.seq > c.seq:  # a new constant: listed, as the dead copy reads it
            values.append(r)
        new_of[v] = r if r is not None else c
    outs = [new_of[o] for o in g.outputs]
    return Graph(outs[0] if g.single else outs, values=values, inputs=g.inputs)


def fold_constants(g: Graph) -> Graph:
    """Compute now every value whose inputs are all constants, and use the result instead.

    Example:
        >>> from zerograd import sym
        >>> a = sym.var('a', shape=(2,))
        >>> print(sym.fold_constants(sym.Graph(a * (sym.const(2.0) + 1))).listing())
        v1 = var('a') : float32[2]
        v2 = const(2.) : float32[]
        v3 = add(v2, 1) : float32[]
        v4 = const(3.) : float32[]
        v5 = mul(v1, v4) : float32[2]
        return v5
    """
    known: dict[Value, Any] = {}

    def decide(v: Value) -> Value | None:
        if v.kind == "const":
            known[v] = v.data
            return None
        if v.kind not in ("prim", "array", "item") or v.poly:
            return None
        deps = v.deps()
        if not all(d in known for d in deps):
            return None
        out = evaluate_one(v, known)
        known[v] = out
        if isinstance(out, tuple):  # a multi-output value: its items fold one by one
            return None
        c = new_const(out, scoped=False)
        known[c] = out
        return c

    return _rebuild(g, decide)


def _freeze(x: Any) -> Any:
    """A hashable key for an argument: Values by identity, small arrays by content."""
    if isinstance(x, (Value, str, int, float, bool, type(None), type(Ellipsis))):
        return x
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, *(_freeze(e) for e in x))
    if isinstance(x, dict):
        return ("dict", *((k, _freeze(e)) for k, e in x.items()))
    if isinstance(x, slice):
        return ("slice", _freeze(x.start), _freeze(x.stop), _freeze(x.step))
    if isinstance(x, np.ndarray):
        return _array_key(x)
    try:
        hash(x)
    except TypeError:
        return ("id", id(x))
    return x


def _array_key(a: Any) -> Any:
    if a.size <= 4096:
        return ("array", a.dtype.str, a.shape, np.ascontiguousarray(a).tobytes())
    return ("id", id(a))


def cse(g: Graph) -> Graph:
    """Merge values that compute the same thing from the same inputs (and equal constants).

    Example:
        >>> from zerograd import sym
        >>> a = sym.var('a', shape=(2,))
        >>> print(sym.dce(sym.cse(sym.Graph(a.exp() + a.exp()))).listing())
        v1 = var('a') : float32[2]
        v2 = exp(v1) : float32[2]
        v3 = add(v2, v2) : float32[2]
        return v3
    """
    seen: dict[Any, Value] = {}

    def decide(v: Value) -> Value | None:
        if v.kind == "var":
            return None
        if v.kind == "const":
            key: Any = ("const", _array_key(v.data))
        else:
            key = (v.kind, v.op, v.prim, v.fn, v.index, _freeze(v.args), _freeze(v.params),
                   _freeze(v.kwargs))
        first = seen.setdefault(key, v)
        return None if first is v else first

    return _rebuild(g, decide)


def dce(g: Graph) -> Graph:
    """Drop every value that no output (and no guard the outputs depend on) reads."""
    return Graph(g.outputs[0] if g.single else list(g.outputs), inputs=g.inputs)


PASSES: dict[str, Callable[[Graph], Graph]] = {
    "fold": fold_constants, "cse": cse, "dce": dce}
TITLES = {"fold": "常量折叠 constant folding", "cse": "公共子表达式消除 CSE",
          "dce": "死节点删除 dead-node removal"}


def optimize(g: Graph, passes: Sequence[str] = ("fold", "cse", "dce"),
             show: bool = False) -> Graph:
    """Run the passes in order (names: 'fold', 'cse', 'dce'); `show` prints each before/after
    pair side by side. Values stay identical; the list gets shorter."""
    for name in passes:
        if name not in PASSES:
            raise ValueError(f"unknown pass {name!r}: choose from {sorted(PASSES)}")
        new = PASSES[name](g)
        if show:
            print(f"== {TITLES[name]}: {len(g)} -> {len(new)} values ==")
            print(side_by_side([g.listing(), new.listing()], ["before", "after"]))
            print()
        g = new
    return g
