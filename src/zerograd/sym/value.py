"""Graph values: `Value` (one line of a Wengert list), the recording state, and the registry
that maps memory back to the value it holds.

A value is written down once and never changes; graphs (graph.py) are lists of them. What a
symbolic array is and how backend calls on it are recorded lives in array.py; how primitive
applications are written down (the apply hook), in record.py.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any

from ..backend import np


class SymbolicError(RuntimeError):
    """An operation that cannot be part of an explicit graph (or needs what it lacks)."""


class GuardError(RuntimeError):
    """A graph recorded one path of Python control flow; these inputs take another."""


_seq = itertools.count(1)


PLACEHOLDERS: weakref.WeakSet[Value] = weakref.WeakSet()  # live sym.var values (feeds by name)


class Value:
    """One entry of a graph (a line of its Wengert list).

    kind: 'var' (a placeholder), 'const', 'prim' (a primitive application), 'array' (a backend
    call made outside any primitive: a comparison, a cast), 'item' (output `index` of a
    multi-output value) or 'guard' (a Python decision the graph was recorded under).
    `data` is a constant's array, or a multi-output value's item Values (`index` = how many).
    `args` (and `params`, `kwargs`) hold Values where the computation used symbolic arrays.
    """

    __slots__ = ("kind", "op", "fn", "prim", "params", "args", "kwargs", "shape", "dtype",
                 "name", "data", "_node", "inputs", "index", "guards", "poly", "seq",
                 "__weakref__")

    def __init__(self, kind: str, op: str, *, args: tuple[Any, ...] = (), **fields: Any) -> None:
        self.kind, self.op, self.args = kind, op, args
        self.fn = self.prim = self.shape = self.dtype = self.name = self.data = None
        self._node: Any = None
        self.params: dict[str, Any] = {}
        self.kwargs: dict[str, Any] = {}
        self.inputs: tuple[Any, ...] = ()
        self.index = 0
        self.guards: tuple[Value, ...] = ()
        self.poly = False  # depends on a placeholder declared without a shape
        for k, v in fields.items():
            setattr(self, k, v)
        self.seq = next(_seq)

    @property
    def node(self) -> Any:
        """The eager primitive object this application made (its rules' state), if recorded
        with autograd and still alive. Held weakly: the node may hold this value's own array
        (a saved output), and `_MEMORY` holds values, so a strong link would never be freed."""
        return self._node() if self._node is not None else None

    @node.setter
    def node(self, n: Any) -> None:
        self._node = weakref.ref(n) if n is not None else None

    def deps(self) -> list[Value]:
        """The Values this one reads (arguments, and any inside parameters)."""
        out: list[Value] = []
        for part in (self.args, self.params, self.kwargs):
            _collect(part, out)
        return out

    def __repr__(self) -> str:
        return f"<Value {self.kind} {self.op} #{self.seq}>"


def _collect(obj: Any, out: list[Value]) -> None:
    if isinstance(obj, Value):
        out.append(obj)
    elif isinstance(obj, (tuple, list)):
        for e in obj:
            _collect(e, out)
    elif isinstance(obj, dict):
        for e in obj.values():
            _collect(e, out)


def map_struct(fn: Callable[[Any], Any], obj: Any) -> Any:
    """Apply fn to every leaf of nested tuples, lists and dicts (slices' bounds included)."""
    t = type(obj)
    if t is tuple or t is list:
        return t(map_struct(fn, e) for e in obj)
    if t is dict:
        return {k: map_struct(fn, v) for k, v in obj.items()}
    if t is slice:
        return slice(fn(obj.start), fn(obj.stop), fn(obj.step))
    return fn(obj)


class _State(threading.local):
    busy = 0  # > 0 while a primitive runs: its inner array work is not the graph's
    guards: list[Value] | None = None  # where Python decisions go (sym.trace, sym.grad)
    scope: list[Value] | None = None  # every Value made (sym.trace keeps the dead ones too)


state = _State()


def new_value(*args: Any, **kw: Any) -> Value:
    v = Value(*args, **kw)
    if state.scope is not None:
        state.scope.append(v)
    return v


def values_in(obj: Any) -> list[Value]:
    out: list[Value] = []
    _collect(obj, out)
    return out


def inherit(values: list[Value]) -> tuple[tuple[Value, ...], bool]:
    guards: dict[Value, None] = {}
    poly = False
    for v in values:
        for g in v.guards:
            guards[g] = None
        poly = poly or v.poly
    return tuple(guards), poly


# Values by the memory their arrays view. A plain array that views exactly the same memory
# (np.asarray of a symbolic array strips the subclass) stands for the same value: symbolic
# arrays are never written to, so the numbers cannot differ. An entry lives as long as the
# memory does (a finalizer on the array that owns it), so an address is never reused stale.
_MEMORY: dict[Any, Value] = {}


_MEMORY_WEAK: weakref.WeakValueDictionary[Any, Value] = weakref.WeakValueDictionary()


_CONST_OWNERS: dict[int, int] = {}  # id(memory owner) of live constants' arrays


def _owner(arr: Any) -> Any:
    while isinstance(arr.base, np.ndarray):  # NumPy keeps subclass views in the chain
        arr = arr.base
    return arr


def new_const(data: Any, scoped: bool = True) -> Value:
    """A constant Value holding `data` (its memory is remembered as a constant's)."""
    v = (new_value if scoped else Value)("const", "const", data=data, shape=data.shape,
                                          dtype=data.dtype)
    key = id(_owner(data))
    _CONST_OWNERS[key] = _CONST_OWNERS.get(key, 0) + 1
    weakref.finalize(v, _forget_const, key)
    return v


def _forget_const(key: int) -> None:
    n = _CONST_OWNERS.get(key, 0) - 1
    if n > 0:
        _CONST_OWNERS[key] = n
    else:
        _CONST_OWNERS.pop(key, None)


def remember(arr: Any, value: Value) -> None:
    key = memory_key(arr)
    if key in _MEMORY or key in _MEMORY_WEAK:
        return
    owner = _owner(arr)
    if value.kind == "const" or id(owner) in _CONST_OWNERS:
        # A constant holds this memory itself: a strong entry would keep it alive forever.
        _MEMORY_WEAK[key] = value
        return
    _MEMORY[key] = value
    weakref.finalize(owner, _MEMORY.pop, key, None)


def memory_key(a: Any) -> Any:
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)


def lookup(arr: Any) -> Value | None:
    """The value whose memory `arr` views exactly (None if none)."""
    key = memory_key(arr)
    return _MEMORY.get(key) or _MEMORY_WEAK.get(key)


def forget(arr: Any) -> None:
    """Drop what the registry knows about `arr`'s memory (it is about to hold a new value)."""
    key = memory_key(arr)
    _MEMORY.pop(key, None)
    _MEMORY_WEAK.pop(key, None)

