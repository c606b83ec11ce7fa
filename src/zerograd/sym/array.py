"""`SymArray`: the backend array of a symbolic value, and the recording of backend calls on it.

Its numbers are stand-ins (a placeholder's, or a trace's example). NumPy calls on it outside a
primitive (comparisons, the casts promotion inserts, `np.where`, the methods below) become
'array' Values; inside a primitive's forward they compute untracked ("tainted" results: using
one outside raises). Python decisions on it (bool, float, item, a data-dependent shape) become
guards in a recording scope and errors elsewhere. Primitive applications: record.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backend import np
from .value import (
    SymbolicError,
    Value,
    forget,
    inherit,
    lookup,
    map_struct,
    memory_key,
    new_const,
    new_value,
    remember,
    state,
    values_in,
)


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
            v = lookup(x)
        if v is None:
            raise SymbolicError(
                "an array computed from symbolic values by a step zerograd.sym could not see "
                "(inside a primitive's forward, e.g. indices it saved for its backward rule) "
                "was used outside it: this computation depends on the data in a way an "
                "explicit graph cannot record"
            )
        return v
    if isinstance(x, np.ndarray):
        hit = lookup(x)
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


def tag(arr: Any, value: Value, avoid: Any = ()) -> Any:
    """`arr` (or a fresh view of it, if it is not ours to mark) tagged with `value`."""
    if type(arr) is not SymArray or arr.__dict__.get("_value") is not None or any(
            arr is a for a in avoid):
        arr = np.asarray(arr).view(SymArray)
    arr._value = value
    if arr.size:
        remember(arr, value)
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
    g = new_value("guard", kind, args=(v,), params={"expect": observed})
    g.guards, g.poly = v.guards, v.poly
    sink.append(g)
    return observed


def _record_call(name: str, fn: Any, args: Any, kwargs: Any, res: Any,
                 elementwise: bool) -> Any:
    """A backend call on symbolic arrays outside any primitive: one 'array' Value."""
    if isinstance(res, bool):  # np.allclose(...), np.array_equal(...): a Python decision
        a, k = ref_struct(args), ref_struct(kwargs)
        guards, poly = inherit(values_in((a, k)))
        v = new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly,
                       shape=(), dtype=np.dtype(bool))
        return _guard(v, "bool", res)
    if not isinstance(res, (np.ndarray, np.generic, tuple, list)):
        return res  # shapes, dtypes, ...: not values of the graph
    first = args[0] if args else None
    if type(first) is SymArray and isinstance(res, np.ndarray) and _same_view(res, first):
        return tag(res, ref(first))  # an identity view (x.reshape(x.shape)): the same value
    a, k = ref_struct(args), ref_struct(kwargs)
    guards, poly = inherit(values_in((a, k)))
    if poly and not elementwise:
        raise SymbolicError(f"{name} needs the shapes of its inputs: declare the placeholders' "
                            "shapes, e.g. sym.var('a', shape=(3,))")
    avoid = [x for x in _leaves((args, kwargs)) if isinstance(x, np.ndarray)]
    if isinstance(res, (tuple, list)):
        whole = new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly,
                           index=len(res))
        outs, items = [], []
        for i, r in enumerate(res):
            item = new_value("item", "item", args=(whole,), index=i, guards=guards, poly=poly)
            items.append(item)
            outs.append(tag(r, item, avoid))
        whole.data = tuple(items)
        if name in _DATA_SHAPED:
            _shape_guard(items[0], name, res[0])
        whole.shape = tuple(o.shape for o in outs)
        whole.dtype = tuple(o.dtype for o in outs)
        return type(res)(outs)
    v = new_value("array", name, fn=fn, args=a, kwargs=k, guards=guards, poly=poly)
    if name in _DATA_SHAPED or (name == ".__getitem__" and _bool_key(args[1])):
        _shape_guard(v, name, res)
    return tag(res, v, avoid)


def _same_view(a: Any, b: Any) -> bool:
    return memory_key(a) == memory_key(b)


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
    g = new_value("guard", "shape", args=(v,), params={"expect": tuple(res.shape)})
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
        guards, poly = inherit(deps)
        if poly:
            raise SymbolicError("writing into part of a value needs its shape: declare the "
                                "placeholders' shapes")
        v = new_value("array", "setitem", fn=functional_setitem,
                       args=(old, ref_struct(key), ref(value)), guards=guards,
                       shape=self.shape, dtype=self.dtype)
        self._value = v
        forget(self)
        remember(self, v)


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
