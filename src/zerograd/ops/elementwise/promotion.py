"""Type promotion where it meets the arrays: `operands()` casts both operands to PyTorch's
result dtype before a kernel runs (NumPy 2 would promote differently) and turns NumPy's
broadcasting ValueError into PyTorch's RuntimeError; `binary`/`unary` run a primitive through
it, and `operator_method` builds the Tensor operators with their fast path. Gradients that
come back in the promoted dtype or broadcast shape are put right by the engine
(Note [Broadcasting in backward]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Primitive, _apply, one_device
from ...autograd.grad_mode import forward_state, state
from ...backend import cuda_in_use, np

_Number = (int, float, bool)

# Floats, not warnings: PyTorch never warns on log(0) or overflow, and a per-op errstate
# context would cost more than the op itself.
np.seterr(all="ignore")


# --- operands and promotion -------------------------------------------------------------------


def _scalar(v: Any) -> Any:
    """A Python number from a Python or NumPy scalar; TypeError for anything else."""
    if isinstance(v, _Number):
        return v
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"unsupported operand type: '{type(v).__name__}'")


def as_operand(v: Any) -> Any:
    """A Tensor or a Python number (NumPy arrays become tensors, as PyTorch allows)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, np.ndarray):
        return Tensor._make(v)
    return _scalar(v)


def operands(x: Any, y: Any, floating: bool = False) -> tuple[Any, Any, D.dtype]:
    """Arrays (or Python numbers) for x and y cast to PyTorch's result dtype, and that dtype.

    `floating` makes integer results float (true division, exp, ...).
    """
    xa = x._data if isinstance(x, Tensor) else x
    ya = y._data if isinstance(y, Tensor) else y
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        if cuda_in_use[0]:  # Note [One device]
            xa, ya = one_device((x, y), (xa, ya))
        if xa.dtype is ya.dtype and (not floating or xa.dtype.kind == "f"):
            return xa, ya, D.from_numpy_dtype(xa.dtype)
    rt = D.result_type(x, y)
    if floating and rt.category < 2:
        rt = D.get_default_dtype()
    npd = rt.np
    if isinstance(x, Tensor):
        if xa.dtype != npd:
            xa = xa.astype(npd)
    elif rt.category == 2:
        xa = float(xa)
    elif xa.__class__ is int:
        xa = _wrap_int(xa, npd)
    if isinstance(y, Tensor):
        if ya.dtype != npd:
            ya = ya.astype(npd)
    elif rt.category == 2:
        ya = float(ya)
    elif ya.__class__ is int:
        ya = _wrap_int(ya, npd)
    return xa, ya, rt


def _wrap_int(v: int, npd: Any) -> Any:
    """A Python int outside the result dtype's range wraps around, as PyTorch casts it
    (`uint8_tensor - 2` counts modulo 256); NumPy 2 would raise OverflowError instead."""
    info = np.iinfo(npd)
    if info.min <= v <= info.max:
        return v
    return np.asarray(v).astype(npd)[()]  # a NumPy scalar: CuPy takes those, not host arrays


def broadcast_error(*xs: Any) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast."""
    from ..._shapes import broadcast_shapes

    try:
        broadcast_shapes(*(getattr(x, "shape", ()) for x in xs))
    except RuntimeError as e:
        return e
    return RuntimeError("shapes do not broadcast")


def binary(cls: type[Primitive], x: Any, y: Any, floating: bool = False, **params: Any) -> Any:
    """Run a binary elementwise primitive with promotion and broadcasting checks."""
    if not isinstance(y, Tensor):
        y = as_operand(y)
    if not isinstance(x, Tensor):
        x = as_operand(x)
    xa, ya, _ = operands(x, y, floating)
    try:
        return _apply(cls, (x, y), (xa, ya), params)
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(x, y) from None
        raise


def unary(cls: type[Primitive], x: Tensor, floating: bool = True, **params: Any) -> Any:
    """Run a unary primitive; integer inputs of float functions become the default float."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{cls.op_name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    xa = x._data
    if floating and xa.dtype.kind in "biu":
        xa = xa.astype(D.get_default_dtype().np)
    return _apply(cls, (x,), (xa,), params)


_OPERANDS = (Tensor, int, float, bool, np.generic, np.ndarray)
_generic = np.generic


def operator_method(kernel: Callable[[Any, Any], Any], public: Callable[[Any, Any], Any],
                    reflected: bool = False, prim: type[Primitive] | None = None,
                    grad_fn_name: str | tuple[str, str] | None = None,
                    ) -> Callable[[Tensor, Any], Any]:
    """The Tensor operator (`x * y`, `2 - x`, `x > 0`) for a binary operation.

    The common case takes a shortcut: float operands of one dtype (or a float tensor and a
    Python number, which NumPy 2 keeps in the tensor's dtype, as PyTorch does) on one device
    need no promotion, so they go straight to the array kernel when no autograd is involved,
    or straight to the primitive `prim` when it is. Everything else, promotion and error
    messages included, goes through `public`, the op's torch function. The shortcut halves
    the cost of small-tensor arithmetic (python -m benchmarks op_overhead).
    """

    def op(self: Tensor, other: Any) -> Any:
        a = self._data
        if isinstance(other, Tensor):
            b = other._data
            same = b.dtype is a.dtype and a.dtype.kind == "f" and type(b) is type(a)
            tracked = state.enabled and (self.requires_grad or other.requires_grad)
        elif other.__class__ is float or other.__class__ is int:
            b = other
            same = a.dtype.kind == "f"
            tracked = state.enabled and self.requires_grad
        elif isinstance(other, _OPERANDS):
            same = False
        else:
            return NotImplemented  # let the other operand's reflected method try
        if same:
            try:
                if not tracked and forward_state.level is None:
                    out = kernel(b, a) if reflected else kernel(a, b)
                    return Tensor._make(np.asarray(out) if isinstance(out, _generic) else out)
                if prim is not None:
                    name = grad_fn_name
                    if type(name) is tuple:  # (name with a tensor operand, with a number)
                        name = name[0] if isinstance(other, Tensor) else name[1]
                    params = {"grad_fn_name": name} if name else {}
                    if reflected:
                        return _apply(prim, (other, self), (b, a), params)
                    return _apply(prim, (self, other), (a, b), params)
            except ValueError:  # shapes that don't broadcast: the general path says so
                pass
        return public(other, self) if reflected else public(self, other)

    op.__name__ = getattr(public, "__name__", "op")
    op.__doc__ = f"The operator form of `{op.__name__}`."
    return op


def _xp(*arrays: Any) -> Any:
    from ...backend import namespace_of

    for a in arrays:
        if hasattr(a, "dtype") and not isinstance(a, np.generic):
            return namespace_of(a)
    return np


def _legacy_name(d: D.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[d.name]
