"""Graph values and how they are recorded: `Value`, `SymArray`, the apply hook, guards.

A symbolic value is a zerograd Tensor whose backend array is a `SymArray`: a NumPy array of the
right shape and dtype holding stand-in numbers, tagged with the graph `Value` it stands for.
Primitives run on it exactly as on any array (so shapes, dtypes, promotion and errors are eager
mode's own), and `record_apply`, installed as autograd.function's apply hook (Note [Recording
hook]), writes each primitive application down as a Value. Backend calls made outside any
primitive (comparisons, the casts promotion inserts, the engine's zeros) are written down by
SymArray itself. The Tensor-facing class is in node.py; graph algorithms are in graph.py.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from ..autograd import function as F
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


# --- recording state ----------------------------------------------------------------------------


class _State(threading.local):
    busy = 0  # > 0 while a primitive runs: its inner array work is not the graph's
    guards: list[Value] | None = None  # where Python decisions go (sym.trace, sym.grad)
    scope: list[Value] | None = None  # every Value made (sym.trace keeps the dead ones too)


state = _State()
_users = 0  # hook installed while > 0: live placeholders and open recording scopes


def acquire() -> None:
    """Install the apply hook (counted: one acquire per placeholder or open scope)."""
    global _users
    _users += 1
    F.apply_hook = record_apply


def release() -> None:
    """Undo one acquire; the hook goes when nothing symbolic is left to record."""
    global _users
    _users -= 1
    if _users <= 0:
        _users = 0
        F.apply_hook = None


def _new_value(*args: Any, **kw: Any) -> Value:
    v = Value(*args, **kw)
    if state.scope is not None:
        state.scope.append(v)
    return v


# --- SymArray -----------------------------------------------------------------------------------


def raw(x: Any) -> Any:
    """The plain NumPy view of a SymArray (anything else unchanged)."""
    return x.view(np.ndarray) if type(x) is SymArray else x


def _is_sym(x: Any) -> bool:
    t = type(x)
    if t is SymArray:
        return True
    if t is tuple or t is list:
        return any(_is_sym(e) for e in x)
    if t is slice:
        return _is_sym(x.start) or _is_sym(x.stop) or _is_sym(x.step)
    return False


def taint(res: Any) -> Any:
    """Results of work inside a primitive: SymArrays with no Value (using one outside raises)."""
    if isinstance(res, np.ndarray):
        return res.view(SymArray)
    if isinstance(res, np.generic):
        return np.asarray(res).view(SymArray)
    if type(res) is tuple or type(res) is list:
        return type(res)(taint(r) for r in res)
    return res


def ref(x: Any, memo: dict[int, Value] | None = None) -> Any:
    """What the graph stores for an argument: a Value for arrays, the object itself otherwise.

    `memo` shares one const Value among the references to the same plain array.
    """
    if type(x) is SymArray:
        v = x.__dict__.get("_value")
        if v is None:  # the very memory of a value (an output's)
            v = _MEMORY.get(_memory_key(x)) or _MEMORY_WEAK.get(_memory_key(x))
        if v is None:
            raise SymbolicError(
                "an array computed from symbolic values by a step zerograd.sym could not see "
                "(inside a primitive's forward, e.g. indices it saved for its backward rule) "
                "was used outside it: this computation depends on the data in a way an "
                "explicit graph cannot record"
            )
        return v
    if isinstance(x, np.ndarray):
        key = _memory_key(x)
        hit = _MEMORY.get(key) or _MEMORY_WEAK.get(key)
        if hit is not None:  # np.asarray(sym) etc.: a plain view of a value's very memory
            return hit
        if memo is not None and id(x) in memo:
            return memo[id(x)]
        v = new_const(x)
        if memo is not None:
            memo[id(x)] = v
        return v
    if isinstance(x, np.generic):
        return x.item()
    return x


def ref_struct(obj: Any, memo: dict[int, Value] | None = None) -> Any:
    """`ref` on every leaf of a (nested) argument structure."""
    if memo is None:
        memo = {}
    return map_struct(lambda x: ref(x, memo), obj)


def values_in(obj: Any) -> list[Value]:
    out: list[Value] = []
    _collect(obj, out)
    return out


def _inherit(values: list[Value]) -> tuple[tuple[Value, ...], bool]:
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
    v = (_new_value if scoped else Value)("const", "const", data=data, shape=data.shape,
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


def _remember(arr: Any, value: Value) -> None:
    key = _memory_key(arr)
    if key in _MEMORY or key in _MEMORY_WEAK:
        return
    owner = _owner(arr)
    if value.kind == "const" or id(owner) in _CONST_OWNERS:
        # A constant holds this memory itself: a strong entry would keep it alive forever.
        _MEMORY_WEAK[key] = value
        return
    _MEMORY[key] = value
    weakref.finalize(owner, _MEMORY.pop, key, None)


def _memory_key(a: Any) -> Any:
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)


def tag(arr: Any, value: Value, avoid: Any = ()) -> Any:
    """`arr` (or a fresh view of it, if it is not ours to mark) tagged with `value`."""
    if type(arr) is not SymArray or arr.__dict__.get("_value") is not None or any(
            arr is a for a in avoid):
        arr = np.asarray(arr).view(SymArray)
    arr._value = value
    if arr.size:
        _remember(arr, value)
    if value.shape is None and not value.poly:
        value.shape, value.dtype = arr.shape, arr.dtype
    return arr


def _shape_of(v: Value) -> str:
    return "?" if v.poly else ", ".join(map(str, v.shape or ()))


def _describe(v: Value) -> str:
    name = f" ('{v.name}')" if v.name else ""
    return f"symbolic value {v.op}{name} : {v.dtype}[{_shape_of(v)}]"


def _decide(arr: SymArray, kind: str, convert: Callable[[Any], Any]) -> Any:
    """bool()/float()/int()/.item()/.tolist() on a symbolic array: a guard, or an error."""
    if state.busy:
        return convert(raw(arr))
    return _guard(ref(arr), kind, convert(raw(arr)))


def _guard(v: Value, kind: str, observed: Any) -> Any:
    """Python code looked at `v` and saw `observed`: a guard in a recording scope, else an
    error (an authored graph has no numbers yet)."""
    sink = state.guards
    if sink is None:
        raise SymbolicError(
            f"the {_describe(v)} is only known when the graph runs, so Python cannot take "
            f"{kind}() of it here (an `if`/`while` on it, float(), .item(), printing its "
            "numbers). Use zg.where for an elementwise choice, .eval(...) to compute it, or "
            "sym.trace(f, example) to record the path Python takes for one input."
        )
    g = _new_value("guard", kind, args=(v,), params={"expect": observed})
    g.guards, g.poly = v.guards, v.poly
    sink.append(g)
    return observed


def _record_call(name: str, fn: Any, args: Any, kwargs: Any, res: Any,
                 elementwise: bool) -> Any:
    """A backend call on symbolic arrays outside any primitive: one 'array' Value."""
    if isinstance(res, bool):  # np.allclose(...), np.array_equal(...): a Python decision
        a, k = ref_struct(args), ref_struct(kwargs)
        guards, poly = _inherit(values_in((a, k)))
        v = _new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly,
                       shape=(), dtype=np.dtype(bool))
        return _guard(v, "bool", res)
    if not isinstance(res, (np.ndarray, np.generic, tuple, list)):
        return res  # shapes, dtypes, ...: not values of the graph
    first = args[0] if args else None
    if type(first) is SymArray and isinstance(res, np.ndarray) and _same_view(res, first):
        return tag(res, ref(first))  # an identity view (x.reshape(x.shape)): the same value
    a, k = ref_struct(args), ref_struct(kwargs)
    guards, poly = _inherit(values_in((a, k)))
    if poly and not elementwise:
        raise SymbolicError(f"{name} needs the shapes of its inputs: declare the placeholders' "
                            "shapes, e.g. sym.var('a', shape=(3,))")
    avoid = [x for x in _leaves((args, kwargs)) if isinstance(x, np.ndarray)]
    if isinstance(res, (tuple, list)):
        whole = _new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly,
                           index=len(res))
        outs, items = [], []
        for i, r in enumerate(res):
            item = _new_value("item", "item", args=(whole,), index=i, guards=guards, poly=poly)
            items.append(item)
            outs.append(tag(r, item, avoid))
        whole.data = tuple(items)
        if name in _DATA_SHAPED:
            _shape_guard(items[0], name, res[0])
        whole.shape = tuple(o.shape for o in outs)
        whole.dtype = tuple(o.dtype for o in outs)
        return type(res)(outs)
    v = _new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly)
    if name in _DATA_SHAPED or (name == ".__getitem__" and _bool_key(args[1])):
        _shape_guard(v, name, res)
    return tag(res, v, avoid)


def _same_view(a: Any, b: Any) -> bool:
    return _memory_key(a) == _memory_key(b)


# Backend calls whose result's shape depends on the values, not only on the input shapes.
_DATA_SHAPED = {".nonzero", "np.nonzero", "np.argwhere", "np.flatnonzero", "np.unique",
                "np.extract", "np.compress"}


def _bool_key(key: Any) -> bool:
    return any(type(k) is SymArray and k.dtype.kind == "b" for k in _leaves(key))


def _shape_guard(v: Value, name: str, res: Any) -> None:
    """A value whose shape the data decides: a guard on that shape, or an error."""
    if state.guards is None:
        raise SymbolicError(
            f"the shape of {name}(...) depends on the values (how many elements are picked), "
            "which an explicit graph does not know until it runs; sym.trace can record it for "
            "one input (with a guard on the shape)")
    g = _new_value("guard", "shape", args=(v,), params={"expect": tuple(res.shape)})
    g.guards, g.poly = v.guards, v.poly
    state.guards.append(g)


def _leaves(obj: Any) -> list[Any]:
    out: list[Any] = []
    map_struct(out.append, obj)
    return out


class SymArray(np.ndarray):
    """A backend array that stands for a graph Value; its numbers are stand-ins.

    NumPy calls on it (ufuncs, functions, the methods below) outside a primitive are recorded
    as 'array' Values; inside one they compute on the stand-ins and are not recorded. Python
    decisions on it (bool, float, item) become guards in a recording scope and errors elsewhere.
    """

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            if not state.busy and any(type(o) is SymArray for o in out):
                raise SymbolicError("explicit graphs are functional: an in-place update of a "
                                    "symbolic value cannot be recorded (write y = y + 1)")
            kwargs["out"] = tuple(raw(o) for o in out)
        fn = getattr(ufunc, method)
        res = fn(*map(raw, inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        if state.busy:
            return taint(res)
        name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _record_call(name, fn, inputs, kwargs, res, method == "__call__")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        res = func(*map_struct(raw, args), **map_struct(raw, kwargs))
        if state.busy:
            return taint(res)
        return _record_call(f"np.{func.__name__}", func, args, kwargs, res, False)

    def __repr__(self) -> str:
        v = self.__dict__.get("_value")
        return f"SymArray({_describe(v) if v is not None else 'untracked'})"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(_decide(self, "bool", bool))

    def __float__(self) -> float:
        return float(_decide(self, "float", float))

    def __int__(self) -> int:
        return int(_decide(self, "int", int))

    def __index__(self) -> int:
        return int(_decide(self, "index", lambda a: a.__index__()))

    def item(self, *args: Any) -> Any:
        """The one element as a Python number (a guard when recording, else an error)."""
        return _decide(self, "item", lambda a: a.item(*args))

    def tolist(self) -> Any:
        """The elements as Python lists (a guard when recording, else an error)."""
        return _decide(self, "tolist", lambda a: a.tolist())

    def __setitem__(self, key: Any, value: Any) -> None:
        np.ndarray.__setitem__(raw(self), map_struct(raw, key), raw(value))
        if state.busy:
            return
        # Outside a primitive (a rule masking an array it made): the graph stays functional,
        # with a new value `a with a[key] = value`, and this array stands for it from now on.
        old = ref(self)
        deps = values_in((old, ref_struct((key, value))))
        guards, poly = _inherit(deps)
        if poly:
            raise SymbolicError("writing into part of a value needs its shape: declare the "
                                "placeholders' shapes")
        v = _new_value("array", "setitem", fn=functional_setitem,
                       args=(old, ref_struct(key), ref(value)), guards=guards,
                       shape=self.shape, dtype=self.dtype)
        self._value = v
        _MEMORY.pop(_memory_key(self), None)
        _MEMORY_WEAK.pop(_memory_key(self), None)
        _remember(self, v)


def functional_setitem(a: Any, key: Any, value: Any) -> Any:
    """A copy of `a` with a[key] = value (how a graph writes into part of a value)."""
    out = np.array(a, copy=True)
    out[key] = value
    return out


def _method(name: str, elementwise: bool = False) -> Any:
    base = getattr(np.ndarray, name)

    def method(self: SymArray, *args: Any, **kwargs: Any) -> Any:
        res = base(raw(self), *map_struct(raw, args), **map_struct(raw, kwargs))
        if state.busy:
            return taint(res)
        return _record_call(f".{name}", base, (self, *args), kwargs, res, elementwise)

    method.__name__ = name
    method.__doc__ = f"ndarray.{name}, recorded when it runs on a symbolic value."
    return method


for _name in ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "__getitem__",
              "argmax", "argmin", "argsort", "nonzero", "take", "repeat", "sum", "mean", "max",
              "min", "any", "all", "prod", "var", "std", "cumsum", "cumprod", "dot", "clip",
              "round"):
    setattr(SymArray, _name, _method(_name))
for _name in ("astype", "copy"):
    setattr(SymArray, _name, _method(_name, elementwise=True))


# --- primitive applications -----------------------------------------------------------------------


# The value each recorded eager node computed. A tensor written in place by a recorded op
# (`out[i] = sym`, `w.mul_(sym)`) keeps its plain array but takes that node as its grad_fn.
_NODE_VALUE: weakref.WeakKeyDictionary[Any, Value] = weakref.WeakKeyDictionary()


def repair(t: Tensor) -> Value | None:
    """If `t` was written in place by a recorded op, tag its array with that op's value.

    In-place ops copy the op's result into the tensor's own (plain) array and make the op its
    grad_fn (Note [rebasing] in ops/inplace.py), so its numbers are exactly that value's.
    """
    node = t.grad_fn
    v = _NODE_VALUE.get(node) if node is not None else None
    if v is None:
        return None
    if v.kind == "prim" and v.index:  # several outputs: the one this tensor is
        v = v.data[t._output_nr]
    if tuple(t._data.shape) != tuple(v.shape or ()) and not v.poly:
        return None
    t._data = tag(t._data.view(SymArray), v)
    symify(t)
    return v


def _wants(inputs: Any, arrays: Any, params: dict[str, Any]) -> bool:
    for a in arrays:
        if _is_sym(a):
            return True
    for x in inputs:
        if isinstance(x, Tensor) and (type(x._data) is SymArray or (
                x.grad_fn is not None and x.grad_fn in _NODE_VALUE and repair(x))):
            return True
    for p in params.values():
        if _is_sym(p):
            return True
    return False


def _shape_free(cls: type, params: dict[str, Any]) -> bool:
    """Does this application mean the same at every input shape? Elementwise primitives (and
    casts and copies) always do; reductions do when they reduce over everything."""
    if cls.__module__.endswith(".elementwise") or cls.op_name in ("cast", "clone"):
        return True
    return cls.__module__.endswith(".reduction") and params.get("dims", 0) is None and \
        params.get("dim", None) is None


def record_apply(cls: Any, inputs: Any, arrays: Any, params: dict[str, Any]) -> Any:
    """The apply hook: run a primitive that touches symbolic arrays and write it down.

    Returns None (run as usual) for applications with nothing symbolic, and for the nested
    call this function itself makes.
    """
    if state.busy or not _wants(inputs, arrays, params):
        return None
    given = dict(params)  # forward adds its own attributes to `params`: keep what it was given
    memo: dict[int, Value] = {}
    args = ref_struct(tuple(arrays), memo)
    pars = ref_struct(given, memo)
    tin = tuple(ref(x._data if isinstance(x, Tensor) else x, memo) for x in inputs)
    guards, poly = _inherit(values_in((args, pars, tin)))
    if poly:
        _check_poly(cls, given, inputs)
    state.busy += 1
    try:
        result = F._apply(cls, inputs, arrays, params)
    finally:
        state.busy -= 1
    outs = result if type(result) is tuple else (result,)
    node = outs[0].grad_fn if isinstance(outs[0].grad_fn, cls) else None
    v = _new_value("prim", cls.op_name, prim=cls, params=pars, args=args, inputs=tin,
                   node=node, guards=guards, poly=poly)
    if node is not None:
        _NODE_VALUE[node] = v
    avoid = [a for a in arrays if isinstance(a, np.ndarray)]
    if type(result) is tuple:
        v.index = len(outs)
        items = []
        for i, t in enumerate(outs):
            item = _new_value("item", "item", args=(v,), index=i, guards=guards, poly=poly)
            items.append(item)
            _tag_tensor(t, item, node, i, avoid)
        v.data = tuple(items)  # a multi-output value keeps its items (for sym.jvp)
        v.shape = tuple(t._data.shape for t in outs)
        v.dtype = tuple(t._data.dtype for t in outs)
    else:
        _tag_tensor(result, v, node, None, avoid)
        if any(type(k) is SymArray and k.dtype.kind == "b" for k in _leaves(given)):
            _shape_guard(v, cls.op_name, result._data)  # a mask picks a data-dependent count
    return result


def _check_poly(cls: Any, given: dict[str, Any], inputs: Any) -> None:
    if not _shape_free(cls, given):
        raise SymbolicError(
            f"{cls.op_name} needs the shapes of its inputs, and a placeholder it depends on was "
            "declared without one: declare it, e.g. sym.var('a', shape=(3,))")
    dts = {x._data.dtype for x in inputs if isinstance(x, Tensor)}
    if len(dts) > 1:
        raise SymbolicError(
            f"{cls.op_name} mixes dtypes {sorted(map(str, dts))} with a placeholder declared "
            "without a shape; PyTorch's promotion depends on its number of dims: declare the "
            "shape, or cast first")


def _tag_tensor(t: Tensor, v: Value, node: Any, index: int | None, avoid: Any) -> None:
    arr = t._data
    new = tag(arr, v, avoid)
    if new is not arr:
        t._data = new
        if node is not None and "_out" in node.__dict__:  # the rules read it as `out`
            out = node._out
            if index is None and out is arr:
                node._out = new
            elif index is not None and type(out) is tuple:
                node._out = tuple(new if o is arr else o for o in out)
    if v.poly:
        v.shape, v.dtype = None, new.dtype
    symify(t)


def symify(t: Any) -> Any:
    """Make a tensor holding a tagged SymArray a `Sym` (in place); recurse into tuples."""
    if isinstance(t, tuple):
        for e in t:
            symify(e)
        return t
    if type(t) is Tensor and type(t._data) is SymArray and "_value" in t._data.__dict__:
        t.__class__ = _sym_class()
        if t._data.dtype.kind == "f" and not t.requires_grad:
            # Float values take the recorded path of every operator (so the graph shows the
            # primitive, not a bare NumPy call); with no grad_fn they stay constants for grad.
            t.requires_grad = True
    return t


def _sym_class() -> type:
    from .node import Sym

    return Sym
