"""`Graph`: an explicit computation graph as a numbered list of Values (a Wengert list).

A Graph holds its values in an order where every value comes after those it reads, prints as
`v3 = mul(v1, v2) : float32[3]` lines, draws with zerograd.viz, and runs: `run(a=..., b=...)`
checks each feed against its placeholder's shape and dtype, then interprets the list, calling
each primitive's own `forward` on arrays. Recording is in value.py; passes in optimize.py;
code generation in compile.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .._tensor import Tensor
from ..backend import np
from .array import SymArray, ref
from .record import repair
from .value import PLACEHOLDERS, GuardError, SymbolicError, Value, map_struct

_new = object.__new__


class FeedError(ValueError):
    """A feed that does not fit the graph: missing, unknown, or of the wrong shape or dtype."""


#: How a guard turns a value into the Python object the recorded code looked at.
CONVERT = {"bool": bool, "float": float, "int": int, "index": lambda a: a.__index__(),
           "item": lambda a: a.item(), "tolist": lambda a: a.tolist(),
           "shape": lambda a: tuple(a.shape)}


def value_of(x: Any) -> Value:
    """The Value behind a symbolic tensor (or a Value itself)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Tensor) and isinstance(x._data, np.ndarray):
        if type(x._data) is not SymArray:
            repair(x)  # written in place by a recorded op: its value is that op's
        if type(x._data) is SymArray:
            v = x._data.__dict__.get("_value")
            if v is not None:
                return v
        else:  # a plain view of a symbolic array's memory (np.asarray(...))
            v = ref(x._data)
            if isinstance(v, Value) and v.kind != "const":
                return v
    raise TypeError(f"expected a symbolic value (from sym.var or an expression of one), got "
                    f"{type(x).__name__}")


def reachable(roots: Iterable[Value]) -> set[Value]:
    """Every Value the roots read, directly or not, and the guards they were recorded under."""
    seen: set[Value] = set()
    stack = list(roots)
    while stack:  # explicit stack: a 100,000-step trace must not hit the recursion limit
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        stack.extend(v.deps())
        stack.extend(v.guards)
    return seen


class Graph:
    """An explicit graph: placeholders, the values computed from them, and the outputs.

    Example:
        >>> import zerograd as zg
        >>> from zerograd import sym
        >>> a, b = sym.var('a', shape=(3,)), sym.var('b', shape=(3,))
        >>> g = sym.Graph(2 * a + b)
        >>> print(g)
        v1 = var('a') : float32[3]
        v2 = var('b') : float32[3]
        v3 = mul(v1, 2) : float32[3]
        v4 = add(v3, v2) : float32[3]
        return v4
        >>> g.run(a=zg.tensor([1., 2., 3.]), b=zg.ones(3))
        tensor([3., 5., 7.])
    """

    def __init__(self, outputs: Any, values: Iterable[Any] = (),
                 inputs: Sequence[Any] | None = None) -> None:
        self.single = not isinstance(outputs, (list, tuple))
        self.outputs = [value_of(o) for o in ([outputs] if self.single else outputs)]
        keep = reachable(self.outputs) | {value_of(v) for v in values}
        self.values = sorted(keep, key=lambda v: v.seq)  # creation order is a topological order
        found = [v for v in self.values if v.kind == "var"]
        self.inputs = [value_of(x) for x in inputs] if inputs is not None else found
        missing = [v for v in found if v not in set(self.inputs)]
        if missing:
            raise SymbolicError(f"the graph reads placeholder(s) {_names(missing)} that are not "
                                "among its inputs")
        self.guards = [v for v in self.values if v.kind == "guard"]
        numbered = [v for v in self.values if v.kind != "guard"]  # guards are checks, not values
        self.number = {v: i + 1 for i, v in enumerate(numbered)}

    # --- printing -------------------------------------------------------------------------------

    def listing(self) -> str:
        """The Wengert list: one `v3 = mul(v1, v2) : float32[3]` line per value."""
        lines = []
        for v in self.values:
            if v.kind == "guard":
                lines.append(f"guard {v.op}({self.name(v.args[0])}) == {v.params['expect']!r}")
            else:
                lines.append(f"{self.name(v)} = {self.rhs(v)} : {type_str(v)}")
        lines.append("return " + ", ".join(self.name(v) for v in self.outputs))
        return "\n".join(lines)

    __str__ = listing

    def __repr__(self) -> str:
        return self.listing()

    def __len__(self) -> int:
        return sum(1 for v in self.values if v.kind != "guard")

    def name(self, v: Value) -> str:
        """v1, v2, ...: the value's number in this graph."""
        return f"v{self.number[v]}" if v in self.number else "v?"

    def fmt(self, x: Any) -> str:
        """An argument as the listing writes it (values by number, dtypes by name)."""
        if isinstance(x, Value):
            return self.name(x)
        if isinstance(x, tuple):
            inner = ", ".join(self.fmt(e) for e in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, list):
            return "[" + ", ".join(self.fmt(e) for e in x) + "]"
        if isinstance(x, slice):
            parts = [self.fmt(p) if p is not None else "" for p in (x.start, x.stop, x.step)]
            return ":".join(parts[:2] if x.step is None else parts)
        if x is Ellipsis:
            return "..."
        if isinstance(x, np.dtype):
            return x.name
        if isinstance(x, type) and issubclass(x, np.generic):
            return np.dtype(x).name
        if isinstance(x, np.ndarray):
            return _array_text(x)
        return repr(x)

    def rhs(self, v: Value) -> str:
        """The right-hand side of a value's line: `mul(v1, 2)`, `var('a')`, `v3.astype(...)`."""
        if v.kind == "var":
            return f"var({v.name!r})"
        if v.kind == "const":
            return f"const({_array_text(v.data)})"
        if v.kind == "item":
            return f"{self.name(v.args[0])}[{v.index}]"
        args = [self.fmt(a) for a in v.args]
        if v.kind == "array" and v.op.startswith("."):
            if v.op == ".__getitem__":
                key = v.args[1]
                key_text = ", ".join(self.fmt(k) for k in key) if isinstance(key, tuple) \
                    else self.fmt(key)
                return f"{args[0]}[{key_text}]"
            args = args[1:]
            head = f"{self.fmt(v.args[0])}{v.op}"
        else:
            head = v.op
        shown = v.kwargs if v.kind == "array" else v.params
        args += [f"{k}={self.fmt(p)}" for k, p in shown.items()
                 if p is not None and p is not False and k != "grad_fn_name"]
        return f"{head}({', '.join(args)})"

    # --- running --------------------------------------------------------------------------------

    def feeds(self, feed: Any = None, **named: Any) -> dict[Value, Any]:
        """The placeholders' arrays from `feed` ({name or var: value}) and keyword feeds,
        checked against each placeholder's declared shape and dtype."""
        given: dict[Any, Any] = dict(feed or {})
        given.update(named)
        by_name: dict[str, list[Value]] = {}
        for v in self.inputs:
            by_name.setdefault(v.name, []).append(v)
        out: dict[Value, Any] = {}
        for key, x in given.items():
            if isinstance(key, str):
                found = by_name.get(key)
                if not found and any(v.name == key for v in list(PLACEHOLDERS)):
                    continue  # a placeholder this graph happens not to need (e.g. d²y/db²)
                if not found:
                    raise FeedError(f"no placeholder named {key!r} in this graph (it has "
                                    f"{_names(self.inputs)})")
                if len(found) > 1:
                    raise FeedError(f"{len(found)} placeholders are named {key!r}: feed them "
                                    "by their sym.var objects instead of by name")
                var = found[0]
            else:
                var = value_of(key)
                if var not in set(self.inputs) and var.kind == "var":
                    continue
                if var not in set(self.inputs):
                    raise FeedError(f"{_label(var)} is not a placeholder of this graph (it has "
                                    f"{_names(self.inputs)})")
            out[var] = _checked(var, x)
        for v in self.inputs:
            if v not in out:
                raise FeedError(f"missing a value for {_label(v)} ({type_str(v)}); this graph's "
                                f"placeholders are {_names(self.inputs)}")
        return out

    def run(self, *args: Any, **named: Any) -> Any:
        """Compute the outputs: a tensor (or a tuple, for several outputs).

        Feed by name (`run(a=..., b=...)`), with a dict ({name or var: value}), or by position
        in the order of `inputs`.
        """
        if len(args) == 1 and isinstance(args[0], dict):
            feed = args[0]
        else:
            if len(args) > len(self.inputs):
                raise FeedError(f"{len(args)} values for {len(self.inputs)} placeholders "
                                f"({_names(self.inputs)})")
            feed = dict(zip(self.inputs, args))
        env = self.evaluate(self.feeds(feed, **named))
        outs = tuple(Tensor._make(env[v]) for v in self.outputs)
        return outs[0] if self.single else outs

    __call__ = run

    def evaluate(self, env: dict[Value, Any]) -> dict[Value, Any]:
        """Interpret the list: every value's array, given the placeholders' arrays in `env`."""
        for v in self.values:
            if v not in env:
                env[v] = evaluate_one(v, env)
        return env

    # --- drawing --------------------------------------------------------------------------------

    def viz_graph(self) -> Any:
        """The graph as zerograd.viz's drawable model (boxes for values, edges for data)."""
        from ..viz._graph import Box
        from ..viz._graph import Graph as VizGraph

        g = VizGraph()
        outs = set(self.outputs)
        for v in self.values:
            key = f"v{self.number[v]}" if v in self.number else f"g{v.seq}"
            if v.kind == "guard":
                g.boxes.append(Box(key, "output", ["guard", f"{v.op}({self.name(v.args[0])}) == "
                                                   f"{v.params['expect']!r}"]))
            else:
                kind = {"var": "leaf", "const": "tensor", "array": "saved"}.get(v.kind, "op")
                rhs = self.rhs(v)
                text = f"{self.name(v)} = {rhs if len(rhs) <= 40 else rhs[:39] + '…'}"
                g.boxes.append(Box(key, "output" if v in outs else kind, [text, type_str(v)]))
            for d in dict.fromkeys(v.deps()):
                if d in self.number:
                    g.edges.append((f"v{self.number[d]}", key, False))
        return g

    def to_dot(self) -> Any:
        """Graphviz DOT text (zerograd.viz's DotSource: Jupyter draws it)."""
        from ..viz._api import DotSource
        from ..viz._graph import dot_text

        g = self.viz_graph()
        out = DotSource(dot_text(g))
        out._graph = g
        return out

    def draw(self, engine: str = "auto") -> Any:
        """The graph as SVG, laid out by zerograd.viz (engine 'python', 'dot' or 'auto')."""
        from ..viz._layout import render

        return render(self.viz_graph(), engine)


def evaluate_one(v: Value, env: dict[Value, Any]) -> Any:
    """One value's array, from the arrays of the values it reads."""

    def get(x: Any) -> Any:
        return env[x] if isinstance(x, Value) else x

    kind = v.kind
    if kind == "const":
        return v.data
    if kind == "prim":
        node = _new(v.prim)
        node.__dict__ = map_struct(get, v.params)
        return _as_array(node.forward(*map_struct(get, v.args)))
    if kind == "array":
        return _as_array(v.fn(*map_struct(get, v.args), **map_struct(get, v.kwargs)))
    if kind == "item":
        return env[v.args[0]][v.index]
    if kind == "guard":
        seen = CONVERT[v.op](env[v.args[0]])
        if seen != v.params["expect"]:
            raise GuardError(
                f"this graph was recorded when {v.op}() of {v.args[0].op}(...) gave "
                f"{v.params['expect']!r}; these inputs give {seen!r}, so Python would have "
                "taken another path. A trace records one path of the control flow: trace "
                "again with these inputs (or write the choice with zg.where).")
        return seen
    raise FeedError(f"missing a value for {_label(v)}")


def _as_array(out: Any) -> Any:
    if isinstance(out, np.generic):
        return np.asarray(out)
    if type(out) is tuple:
        return tuple(_as_array(o) for o in out)
    return out


def _checked(var: Value, x: Any) -> Any:
    if isinstance(x, Tensor):
        arr = x._data
    elif isinstance(x, np.ndarray):
        arr = x
    else:
        arr = np.asarray(x, dtype=var.dtype)
    if type(arr) is SymArray:
        raise FeedError(f"{_label(var)} was fed a symbolic value; feed it numbers (a tensor)")
    if arr.dtype != var.dtype:
        raise FeedError(f"{_label(var)} is {var.dtype} but was fed {arr.dtype} (cast it first, "
                        f"e.g. x.to(zg.{var.dtype}))")
    if not var.poly and tuple(arr.shape) != tuple(var.shape):
        raise FeedError(f"{_label(var)} has shape {tuple(var.shape)} but was fed shape "
                        f"{tuple(arr.shape)}")
    return arr


def _label(v: Value) -> str:
    return f"placeholder {v.name!r}" if v.kind == "var" else f"value {v.op}"


def _names(vs: Iterable[Value]) -> str:
    names = [repr(v.name) for v in vs]
    return ", ".join(names) if names else "none"


def _one_type(shape: Any, dtype: Any, poly: bool) -> str:
    dims = "?" if poly or shape is None else ", ".join(map(str, shape))
    return f"{np.dtype(dtype).name}[{dims}]"


def type_str(v: Value) -> str:
    """float32[3], float32[] (0-d), float32[?] (shape bound at run time), or a tuple of them."""
    if v.kind == "guard":
        return "guard"
    if isinstance(v.dtype, tuple):
        shapes = v.shape if v.shape is not None else (None,) * len(v.dtype)
        return "(" + ", ".join(_one_type(s, d, v.poly) for s, d in zip(shapes, v.dtype)) + ")"
    return _one_type(v.shape, v.dtype, v.poly)


def _array_text(a: Any) -> str:
    a = np.asarray(a)
    if a.size > 6:
        return f"<{_one_type(a.shape, a.dtype, False)}>"
    text = np.array2string(a, precision=4, separator=", ", threshold=6)
    return " ".join(text.split())


def side_by_side(texts: Sequence[str], titles: Sequence[str], gap: int = 4) -> str:
    """Texts in columns under their titles (display width aware, for Chinese titles)."""
    from ..viz._table import display_width

    cols = [[title, "-" * max(display_width(title), 8), *text.splitlines()]
            for title, text in zip(titles, texts)]
    widths = [max(display_width(line) for line in col) for col in cols]
    rows = []
    for i in range(max(len(c) for c in cols)):
        cells = [c[i] if i < len(c) else "" for c in cols]
        parts = [cell + " " * (w - display_width(cell)) for cell, w in zip(cells, widths)]
        rows.append((" " * gap).join(parts).rstrip())
    return "\n".join(rows)
