"""The apply hook: every primitive application that touches a symbolic value is run and
written down as a 'prim' Value (Note [Recording hook] in autograd/function.py).

The application runs exactly as in eager mode, on the stand-in arrays, so its shape and dtype
logic and its errors are eager mode's own; the Value keeps the primitive class, the parameters
it was given, its array arguments (after promotion) and its tensor inputs (for sym.jvp). The
hook is installed while placeholders live or a recording scope is open (`acquire`/`release`).
"""

from __future__ import annotations

import weakref
from typing import Any

from .._tensor import Tensor
from ..autograd import function as F
from ..backend import np
from .array import SymArray, _is_sym, _leaves, _shape_guard, ref, ref_struct, tag
from .value import SymbolicError, Value, inherit, new_value, state, values_in

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
    if ".ops.elementwise" in cls.__module__ or cls.op_name in ("cast", "clone"):
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
    guards, poly = inherit(values_in((args, pars, tin)))
    if poly:
        _check_poly(cls, given, inputs)
    state.busy += 1
    try:
        result = F._apply(cls, inputs, arrays, params)
    finally:
        state.busy -= 1
    outs = result if type(result) is tuple else (result,)
    node = outs[0].grad_fn if isinstance(outs[0].grad_fn, cls) else None
    v = new_value("prim", cls.op_name, prim=cls, params=pars, args=args, inputs=tin,
                   node=node, guards=guards, poly=poly)
    if node is not None:
        _NODE_VALUE[node] = v
    avoid = [a for a in arrays if isinstance(a, np.ndarray)]
    if type(result) is tuple:
        v.index = len(outs)
        items = []
        for i, t in enumerate(outs):
            item = new_value("item", "item", args=(v,), index=i, guards=guards, poly=poly)
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
