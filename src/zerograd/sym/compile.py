"""`compile`: a graph turned into one Python function over backend arrays, with printable source.

Each value becomes one line: a primitive's own `forward` (a node object made once, its
parameters set), a backend call, or an output index; guards become checks. What the function
no longer does is everything eager mode does around a kernel: making Tensor objects, type
promotion, checking and recording autograd nodes. benchmarks/sym_compile.py measures that.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import linecache
from collections.abc import Sequence
from typing import Any

from ..backend import np
from .graph import CONVERT, Graph, type_str
from .optimize import optimize as _optimize
from .value import GuardError, Value, values_in

__all__ = ["Compiled", "compile"]

_count = itertools.count()


class Compiled:
    """A compiled graph: call it with one array per input; `source` is its Python code."""

    def __init__(self, fn: Any, source: str, graph: Graph) -> None:
        self.fn, self.source, self.graph = fn, source, graph

    def __call__(self, *arrays: Any) -> Any:
        return self.fn(*arrays)

    def __repr__(self) -> str:
        return self.source


def _as_array(x: Any) -> Any:
    return np.asarray(x) if isinstance(x, np.generic) else x


def _check(seen: Any, expect: Any, what: str) -> None:
    if seen != expect:
        raise GuardError(f"this function was compiled from a trace where {what} was {expect!r}; "
                         f"these inputs give {seen!r}: trace and compile again for this path")


class _Writer:
    """Source text and the namespace it refers to (constants, nodes, functions)."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.ns: dict[str, Any] = {"_arr": _as_array, "_check": _check, "_new": object.__new__,
                                   "_conv": CONVERT}
        self.names: dict[Value, str] = {}

    def glob(self, prefix: str, obj: Any) -> str:
        name = f"_{prefix}{len(self.ns)}"
        self.ns[name] = obj
        return name

    def src(self, x: Any) -> str:
        """Python source for an argument: values by name, plain literals as themselves."""
        if isinstance(x, Value):
            if x.kind == "const" and x not in self.names:
                self.names[x] = self.glob("c", x.data)
            return self.names[x]
        if x is None or isinstance(x, (bool, int, str)) or (
                isinstance(x, float) and np.isfinite(x)):
            return repr(x)
        if isinstance(x, tuple):
            inner = ", ".join(self.src(e) for e in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, list):
            return "[" + ", ".join(self.src(e) for e in x) + "]"
        if isinstance(x, dict):
            return "{" + ", ".join(f"{k!r}: {self.src(e)}" for k, e in x.items()) + "}"
        if isinstance(x, slice):
            return f"slice({self.src(x.start)}, {self.src(x.stop)}, {self.src(x.step)})"
        return self.glob("k", x)

    def line(self, v: Value) -> list[str]:
        g = self.g
        name = self.names[v] = g.name(v)
        note = f"  # {g.rhs(v)} : {type_str(v)}"
        wrap = v.shape == () or v.poly
        if v.kind == "prim":
            if values_in(v.params):  # parameters computed in the graph: a node per call
                node = f"_node({self.glob('P', v.prim)}, {self.src(v.params)})"
                self.ns["_node"] = _fresh_node
                call = f"{node}.forward"
            else:
                node_obj = object.__new__(v.prim)
                node_obj.__dict__ = dict(v.params)
                call = self.glob("f", node_obj.forward)
            expr = f"{call}({', '.join(self.src(a) for a in v.args)})"
        elif v.kind == "array":
            args = [self.src(a) for a in v.args]
            args += [f"{k}={self.src(e)}" for k, e in v.kwargs.items()]
            expr = f"{self.glob('f', v.fn)}({', '.join(args)})"
        elif v.kind == "item":
            expr, wrap = f"{self.names[v.args[0]]}[{v.index}]", False
        else:
            raise AssertionError(v.kind)
        if v.index and v.kind != "item":  # several outputs: a tuple
            wrap = False
        return [f"    {name} = {'_arr(' + expr + ')' if wrap else expr}{note}"]

    def guard(self, v: Value) -> list[str]:
        what = f"{v.op}({self.names[v.args[0]]})"
        return [f"    _check(_conv[{v.op!r}]({self.names[v.args[0]]}), "
                f"{self.src(v.params['expect'])}, {what!r})"]


def _fresh_node(cls: type, params: dict[str, Any]) -> Any:
    node = object.__new__(cls)
    node.__dict__ = params
    return node


def _arg_names(g: Graph) -> list[str]:
    names, seen = [], set()
    for v in g.inputs:
        ok = v.name and v.name.isidentifier() and not keyword.iskeyword(v.name) and \
            not v.name.startswith("_") and not (v.name[0] == "v" and v.name[1:].isdigit())
        n = v.name if ok and v.name not in seen else g.name(v)
        seen.add(n)
        names.append(n)
    return names


def compile(outputs: Any, inputs: Sequence[Any] | None = None, optimize: bool = True,
            name: str = "compiled") -> Compiled:  # noqa: A001
    """One Python function computing `outputs` from arrays for `inputs` (sym.var nodes).

    `outputs` is a symbolic value, a list of them, or a Graph. With `optimize` the constant
    folding, CSE and dead-node passes run first. The function returns one array per output
    (a tuple for several) and does no feed checks: Graph.run is the checked way in.

    Example:
        >>> import numpy as np
        >>> from zerograd import sym
        >>> a, b = sym.var('a', shape=(3,)), sym.var('b', shape=(3,))
        >>> f = sym.compile(2 * a + b, [a, b])
        >>> print(f.source)
        def compiled(a, b):
            v3 = _f4(a, 2)  # mul(v1, 2) : float32[3]
            v4 = _f5(v3, b)  # add(v3, v2) : float32[3]
            return v4
        >>> f(np.ones(3, np.float32), np.ones(3, np.float32))
        array([3., 3., 3.], dtype=float32)
    """
    g = outputs if isinstance(outputs, Graph) else Graph(outputs, inputs=inputs)
    if isinstance(outputs, Graph) and inputs is not None:
        g = Graph(g.outputs[0] if g.single else g.outputs, inputs=inputs)
    if optimize:
        g = _optimize(g)
    g = Graph(g.outputs[0] if g.single else g.outputs, inputs=g.inputs)  # live values only
    w = _Writer(g)
    params = _arg_names(g)
    for v, p in zip(g.inputs, params):
        w.names[v] = p
    body: list[str] = []
    for v in g.values:
        if v.kind in ("var", "const"):
            continue
        body += w.guard(v) if v.kind == "guard" else w.line(v)
    outs = ", ".join(w.src(o) for o in g.outputs)
    body.append(f"    return {outs}")
    if not name.isidentifier():
        raise ValueError(f"sym.compile: name must be a Python identifier, not {name!r}")
    source = f"def {name}({', '.join(params)}):\n" + "\n".join(body) + "\n"
    filename = f"<sym.compile {name} #{next(_count)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(builtins.compile(source, filename, "exec"), w.ns)  # noqa: S102
    return Compiled(w.ns[name], source, g)


