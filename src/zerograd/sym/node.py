"""`Sym`, the symbolic node a learner holds, and the placeholders and constants that start one.

A Sym is a zerograd Tensor (so `2 * a + b`, `zg.exp(a)`, `a @ w`, `.sum(dim=0)`, `.reshape(...)`
are the very same functions as in eager mode) whose array is an array.SymArray. It prints as the
listing of its graph and evaluates with `.eval(a=...)`. Graphs are functional: in-place methods
raise, and `c += 1` rebinds c to a new node (as MXNet symbols do). Shapes: see `var`. Plain
tensors used in a graph are constants captured by reference (like TF variables).
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..backend import np
from ..ops import _METHODS, _OPERATORS, _PROPERTIES
from .array import SymArray, tag
from .graph import Graph, value_of
from .record import acquire, release, symify
from .value import PLACEHOLDERS, SymbolicError, Value, new_const


def _symifying(fn: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return symify(fn(self, *args, **kwargs))
        except (RuntimeError, ValueError, IndexError, TypeError) as e:
            if isinstance(e, SymbolicError) or not _shapeless(self, args):
                raise
            raise SymbolicError(
                f"{e} -- a placeholder here was declared without a shape, so the graph is "
                "built on a 0-d stand-in; declare its shape, e.g. sym.var('x', shape=(2, 3))"
            ) from e

    method.__name__ = getattr(fn, "__name__", "method")
    method.__doc__ = getattr(fn, "__doc__", None)
    return method


def _shapeless(self: Any, args: Any) -> bool:
    for x in (self, *args):
        if isinstance(x, Tensor) and type(x._data) is SymArray:
            v = x._data.__dict__.get("_value")
            if v is not None and v.poly:
                return True
    return False


def _refuse(name: str) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise SymbolicError(f"{name} changes a tensor in place; explicit graphs are functional "
                            "(every node is computed once), so write the out-of-place form, "
                            "e.g. y = y + 1 or y = y.clamp(0, 1)")

    method.__name__ = name
    method.__doc__ = "Refused: explicit graphs are functional."
    return method


def _rebinding(op: Any) -> Any:
    def method(self: Any, other: Any) -> Any:
        return op(self, other)

    method.__doc__ = "`c += x` makes a new node (c = c + x): graphs are functional."
    return method


class Sym(Tensor):
    """A node of an explicit graph: a tensor whose value is known only when the graph runs.

    Example:
        >>> import zerograd as zg
        >>> from zerograd import sym
        >>> a = sym.var('a', shape=(3,))
        >>> c = (2 * a).exp().sum()
        >>> c.eval(a=zg.zeros(3))
        tensor(3.)
    """

    __slots__ = ()

    @property
    def value(self) -> Value:
        """The graph Value this tensor stands for."""
        return value_of(self)

    @property
    def graph(self) -> Graph:
        """The graph of everything this node is computed from."""
        return Graph(self)

    def eval(self, feed: Any = None, **named: Any) -> Tensor:
        """Run the graph for these feeds (by placeholder name or var) and return the value."""
        result: Tensor = Graph(self).run(*(() if feed is None else (feed,)), **named)
        return result

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return Graph(self).listing()

    __str__ = __repr__

    def to_dot(self) -> Any:
        """The graph as Graphviz DOT text (drawn by zerograd.viz)."""
        return Graph(self).to_dot()

    def draw(self, engine: str = "auto") -> Any:
        """The graph as SVG (zerograd.viz's layout)."""
        return Graph(self).draw(engine)

    def backward(self, *args: Any, **kwargs: Any) -> None:
        """Refused: a symbolic value has no numbers to backpropagate; use sym.grad."""
        raise SymbolicError("a symbolic value has no numbers to backpropagate yet: "
                            "sym.grad(c, [a, b]) builds the gradient graph instead")

    def numpy(self, *, force: bool = False) -> Any:
        """Refused: the numbers exist only when the graph runs (use .eval(...))."""
        raise SymbolicError("a symbolic value has no numbers until the graph runs: "
                            "use .eval(...) (or sym.Graph(...).run(...))")


for _name, _fn in {**_OPERATORS, **_METHODS}.items():
    if _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__"):
        setattr(Sym, _name, _rebinding(_OPERATORS["__" + _name[3:]]))
    elif _name == "__setitem__" or (_name.endswith("_") and not _name.endswith("__")):
        setattr(Sym, _name, _refuse(_name))
    else:
        setattr(Sym, _name, _symifying(_fn))
for _name, _fn in _PROPERTIES.items():
    setattr(Sym, _name, property(_symifying(_fn), doc=_fn.__doc__))


def _dtype(d: Any) -> D.dtype:
    """A zerograd dtype from a zerograd dtype, a NumPy dtype or its name."""
    return d if isinstance(d, D.dtype) else D.from_numpy_dtype(np.dtype(d))


def _as_shape(shape: Any) -> tuple[int, ...] | None:
    if shape is None:
        return None
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _stand_in(shape: tuple[int, ...], npd: Any) -> Any:
    """The numbers a placeholder holds while the graph is built. Kernels must run on them, and
    rules that look at values (a zero? a tie? repeated eigenvalues?) should take the path
    typical inputs take: so floats are fixed pseudo-random numbers in [0.5, 1.5), distinct and
    nonzero, plus n on the diagonal of a matrix (then it is invertible, and positive definite
    as its lower triangle reads); integers are ones (nonzero divisors, valid indices)."""
    if npd.kind == "b":
        return np.ones(shape, npd)
    if npd.kind != "f":
        return np.ones(shape, npd)
    out = np.random.default_rng(0).uniform(0.5, 1.5, shape)
    if len(shape) >= 2:
        out = out + max(shape[-2:]) * np.eye(shape[-2], shape[-1])
    return np.asarray(out, npd)


def _leaf(value: Value, arr: Any, sticky: bool = True) -> Sym:
    """A Sym for a new placeholder or constant. `sticky`: keep the recording hook installed
    while the value lives (authored graphs have no scope; sym.trace has its own)."""
    t = Tensor._make(tag(arr.view(SymArray), value))
    t.__class__ = Sym
    t.requires_grad = arr.dtype.kind == "f"  # float nodes take the recorded path of every op
    if sticky:
        acquire()
        weakref.finalize(value, release)  # the hook goes away with the last placeholder
    return t  # type: ignore[return-value]


_unnamed = itertools.count(1)


def var(name: str | None = None, shape: Any = None, dtype: Any = None) -> Sym:
    """A placeholder: a named input of the graph, fed when it runs.

    `shape` (an int or a tuple) is checked against every feed. Without it the graph is built
    on a 0-d stand-in and runs at whatever shape is fed: sound for elementwise primitives,
    casts and full reductions only, so anything whose parameters name a dimension raises
    SymbolicError asking for the shape (and sym.grad/sym.jvp need shapes: undoing broadcasting
    depends on them). `dtype` defaults to the default float. Without a name (as the notes'
    MXNet `sym.var()`) it is called var1, var2, ...

    Example:
        >>> from zerograd import sym
        >>> sym.var('x', shape=(2, 3))
        v1 = var('x') : float32[2, 3]
        return v1
    """
    if name is None:
        name = f"var{next(_unnamed)}"
    if not isinstance(name, str):
        raise TypeError(f"sym.var: the name must be a string, not {type(name).__name__}")
    dt = D.get_default_dtype() if dtype is None else _dtype(dtype)
    shp = _as_shape(shape)
    value = Value("var", "var", name=name, shape=shp, dtype=dt.np, poly=shp is None)
    PLACEHOLDERS.add(value)
    return _leaf(value, _stand_in(shp or (), dt.np))


def const(data: Any, dtype: Any = None) -> Sym:
    """A constant node holding `data` (a tensor, array, list or number).

    Example:
        >>> from zerograd import sym
        >>> sym.const([1.0, 2.0])
        v1 = const([1., 2.]) : float32[2]
        return v1
    """
    if isinstance(data, Tensor):
        if type(data._data) is SymArray:
            raise SymbolicError("sym.const needs numbers, not a symbolic value")
        arr = data._data if dtype is None else data.to(_dtype(dtype))._data
    else:
        from .._creation import tensor

        arr = tensor(data, dtype=None if dtype is None else _dtype(dtype))._data
    value = new_const(arr, scoped=False)
    return _leaf(value, arr)
