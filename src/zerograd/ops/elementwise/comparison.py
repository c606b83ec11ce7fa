"""Elementwise functions without a gradient: comparisons (their results are bool tensors),
logical and bitwise operations, integer division and remainder, isnan/isinf/isfinite, nonzero,
and the whole-tensor checks equal/allclose. They promote operands like the arithmetic ops.
"""

from __future__ import annotations

import operator
from typing import Any

from ..._tensor import Tensor
from ...backend import np
from .promotion import _legacy_name, _xp, as_operand, broadcast_error, operands

# --- not differentiable: comparisons, logic, integer division -----------------------------------


def _wrap(out: Any) -> Tensor:
    """A Tensor from a kernel's result: NumPy gives scalars, not 0-d arrays, for 0-d inputs."""
    return Tensor._make(np.asarray(out) if isinstance(out, np.generic) else out)


def _nondiff(fn: Any, x: Any, y: Any, floating: bool = False) -> Tensor:
    x, y = as_operand(x), as_operand(y)
    xa, ya, _ = operands(x, y, floating)
    try:
        out = fn(xa, ya)
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(x, y) from None
        raise
    return Tensor._make(np.asarray(out) if isinstance(out, np.generic) else out)


def eq(input: Any, other: Any) -> Tensor:
    """input == other, elementwise (a bool tensor)."""
    return _nondiff(operator.eq, input, other)


def ne(input: Any, other: Any) -> Tensor:
    """input != other, elementwise."""
    return _nondiff(operator.ne, input, other)


def lt(input: Any, other: Any) -> Tensor:
    """input < other, elementwise."""
    return _nondiff(operator.lt, input, other)


def le(input: Any, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return _nondiff(operator.le, input, other)


def gt(input: Any, other: Any) -> Tensor:
    """input > other, elementwise."""
    return _nondiff(operator.gt, input, other)


def ge(input: Any, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return _nondiff(operator.ge, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if all elements are close: |a - b| <= atol + rtol * |b|."""
    return bool(_xp(input._data).allclose(input._data, other._data, rtol, atol, equal_nan))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise closeness as a bool tensor."""
    return _nondiff(lambda a, b: _xp(a).isclose(a, b, rtol, atol, equal_nan), input, other)


def _integer_only(name: str, *xs: Any) -> None:
    for x in xs:
        if isinstance(x, Tensor) and x._data.dtype.kind == "f":
            raise NotImplementedError(
                f'"{name}_cpu" not implemented for \'{_legacy_name(x.dtype)}\'')
    if any(isinstance(x, float) for x in xs):
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Float\'')


def bitwise_and(input: Any, other: Any) -> Tensor:
    """input & other for bool or integer tensors."""
    _integer_only("bitwise_and", input, other)
    return _nondiff(lambda a, b: a & b, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """input | other for bool or integer tensors."""
    _integer_only("bitwise_or", input, other)
    return _nondiff(lambda a, b: a | b, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """input ^ other for bool or integer tensors."""
    _integer_only("bitwise_xor", input, other)
    return _nondiff(lambda a, b: a ^ b, input, other)


def invert(input: Tensor) -> Tensor:
    """`~input`: bitwise not, which the operator refuses for floats with a TypeError."""
    if input._data.dtype.kind == "f":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def bitwise_not(input: Tensor) -> Tensor:
    """~input for bool or integer tensors."""
    _integer_only("bitwise_not", input)
    return _wrap(~input._data)


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical AND (nonzero is True)."""
    return _nondiff(lambda a, b: _xp(a).logical_and(a, b), input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical OR."""
    return _nondiff(lambda a, b: _xp(a).logical_or(a, b), input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical XOR."""
    return _nondiff(lambda a, b: _xp(a).logical_xor(a, b), input, other)


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical NOT."""
    return _wrap(_xp(input._data).logical_not(input._data))


def _int_division(kind: str, a: Any, b: Any) -> Any:
    xp = _xp(a, b)
    _no_bool_kernel("div_floor" if kind == "floor" else "remainder", a, b)
    if getattr(a, "dtype", np.dtype(float)).kind in "biu" and (
        getattr(b, "dtype", np.dtype(float)).kind in "biu" or isinstance(b, int)
    ):
        if bool(xp.any(xp.asarray(b) == 0)):
            raise RuntimeError("ZeroDivisionError")
    return xp.floor_divide(a, b) if kind == "floor" else xp.remainder(a, b)


def floor_divide(input: Any, other: Any) -> Tensor:
    """input // other (rounding toward -inf); integer division by zero raises."""
    return _nondiff(lambda a, b: _int_division("floor", a, b), input, other)


def remainder(input: Any, other: Any) -> Tensor:
    """input % other with the sign of other (Python's rule)."""
    return _nondiff(lambda a, b: _int_division("rem", a, b), input, other)


def fmod(input: Any, other: Any) -> Tensor:
    """Remainder with the sign of input (C's rule)."""
    def kernel(a: Any, b: Any) -> Any:
        _no_bool_kernel("fmod", a, b)
        return _xp(a, b).fmod(a, b)

    return _nondiff(kernel, input, other)


def _no_bool_kernel(name: str, a: Any, b: Any) -> None:
    """PyTorch has no bool kernel for these: bool // bool raises instead of giving a bool."""
    if all(isinstance(v, bool) or getattr(getattr(v, "dtype", None), "kind", "") == "b"
           for v in (a, b)):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def isnan(input: Tensor) -> Tensor:
    """True where input is NaN."""
    return _wrap(_xp(input._data).isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    """True where input is ±inf."""
    return _wrap(_xp(input._data).isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    """True where input is neither NaN nor ±inf."""
    return _wrap(_xp(input._data).isfinite(input._data))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple per dim."""
    a = input._data
    xp = _xp(a)
    if a.ndim == 0:  # as torch: a 0-d tensor is one element with no coordinates
        n = int(bool(a))
        return (Tensor._make(xp.zeros(n, np.int64)),) if as_tuple else Tensor._make(
            xp.zeros((n, 0), np.int64))
    idx = xp.nonzero(a)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in idx)
    return Tensor._make(xp.stack(idx, axis=1).astype(np.int64))
