"""The operations: the primitive registry `PRIMITIVES` and the public functions built on it.

Importing this package registers every primitive (each module's classes register themselves)
and attaches the operations to Tensor as methods and operators, in one table below, so that
`x + y`, `x.sum()` and `torch.sum(x)` are the very same function.
"""

from __future__ import annotations

import operator
from typing import Any

from .. import _creation as C
from .._tensor import Tensor
from ..autograd.function import PRIMITIVES
from . import elementwise as E
from . import indexing as I
from . import inplace as P
from . import join as J
from . import linalg as L
from . import linalg_decomp  # noqa: F401  (registers the decomposition primitives)
from . import movement as M
from . import nn_ops as N
from . import reduction as R
from . import sorting as S

__all__ = ["PRIMITIVES"]


def _swap(fn: Any) -> Any:
    """The reflected form of a binary operator: `2 - x` calls x.__rsub__(2)."""

    def reflected(self: Tensor, other: Any) -> Any:
        try:
            other = E.as_operand(other)
        except TypeError:
            return NotImplemented
        return fn(other, self)

    reflected.__name__ = "__r" + fn.__name__.strip("_") + "__"
    return reflected


def _operator(fn: Any) -> Any:
    """A binary operator that returns NotImplemented for operands it does not know."""

    def op(self: Tensor, other: Any) -> Any:
        try:
            other = E.as_operand(other)
        except TypeError:
            return NotImplemented
        return fn(self, other)

    op.__name__ = fn.__name__
    return op


def _inplace_operator(fn: Any) -> Any:
    def op(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return op


def _method_where(self: Tensor, condition: Tensor, y: Any) -> Tensor:
    """x.where(condition, y) is where(condition, x, y)."""
    return E.where(condition, self, y)


def _positive(self: Tensor) -> Tensor:
    return self


def _linalg_method(name: str, doc: str) -> Any:
    """x.inverse() / x.det(): torch.linalg's checked function (imported on first call, as
    zerograd.linalg is built on this package)."""

    def method(self: Tensor) -> Tensor:
        from .. import linalg

        return getattr(linalg, name)(self)

    method.__doc__ = doc
    return method


def _new_factory(fn: Any) -> Any:
    def new(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, **kw: Any) -> Tensor:
        return fn(*size, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad, **kw)

    new.__doc__ = f"Like torch.{fn.__name__}, with this tensor's dtype and device."
    return new


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    return C.full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def _new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    return C.tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)


_OM = E.operator_method

_OPERATORS = {
    "__add__": _OM(operator.add, E.add, prim=E.Add),
    # x + y == y + x exactly in floating point, so the reflected forms keep the tensor first
    # (as torch does: `(2 * x).grad_fn.next_functions` lists x before the number).
    "__radd__": _OM(operator.add, E.add, prim=E.Add),
    "__sub__": _OM(operator.sub, E.sub, prim=E.Sub),
    "__rsub__": _OM(operator.sub, lambda a, b: E.rsub(b, a), reflected=True, prim=E.Sub,
                    grad_fn_name="RsubBackward1"),
    "__mul__": _OM(operator.mul, E.mul, prim=E.Mul),
    "__rmul__": _OM(operator.mul, E.mul, prim=E.Mul),
    "__truediv__": _OM(operator.truediv, E.div, prim=E.Div),
    "__rtruediv__": _OM(operator.truediv, E.div, reflected=True, prim=E.Div),
    "__floordiv__": _operator(E.floor_divide), "__rfloordiv__": _swap(E.floor_divide),
    "__mod__": _operator(E.remainder), "__rmod__": _swap(E.remainder),
    "__pow__": _OM(operator.pow, E.pow, prim=E.Pow,
                   grad_fn_name=("PowBackward1", "PowBackward0")),
    "__rpow__": _OM(operator.pow, E.pow, reflected=True),
    "__matmul__": L.matmul, "__rmatmul__": _swap(L.matmul),
    "__and__": _operator(E.bitwise_and), "__rand__": _swap(E.bitwise_and),
    "__or__": _operator(E.bitwise_or), "__ror__": _swap(E.bitwise_or),
    "__xor__": _operator(E.bitwise_xor), "__rxor__": _swap(E.bitwise_xor),
    "__eq__": _OM(operator.eq, E.eq), "__ne__": _OM(operator.ne, E.ne),
    "__lt__": _OM(operator.lt, E.lt), "__le__": _OM(operator.le, E.le),
    "__gt__": _OM(operator.gt, E.gt), "__ge__": _OM(operator.ge, E.ge),
    "__neg__": E.neg, "__pos__": _positive, "__abs__": E.abs, "__invert__": E.invert,
    "__iadd__": _inplace_operator(P.add_), "__isub__": _inplace_operator(P.sub_),
    "__imul__": _inplace_operator(P.mul_), "__itruediv__": _inplace_operator(P.div_),
    "__ipow__": _inplace_operator(P.pow_),
    "__getitem__": I.getitem, "__setitem__": I.setitem,
}

_METHODS = {
    # elementwise
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul,
    "div": E.div, "divide": E.div, "true_divide": E.div, "pow": E.pow,
    "floor_divide": E.floor_divide, "remainder": E.remainder, "fmod": E.fmod,
    "neg": E.neg, "negative": E.neg, "exp": E.exp, "log": E.log, "sin": E.sin, "cos": E.cos,
    "tan": E.tan, "tanh": E.tanh, "sigmoid": E.sigmoid, "relu": E.relu, "abs": E.abs,
    "absolute": E.abs, "sqrt": E.sqrt, "rsqrt": E.rsqrt, "square": E.square,
    "reciprocal": E.reciprocal, "log2": E.log2, "log10": E.log10, "log1p": E.log1p,
    "expm1": E.expm1, "sign": E.sign, "floor": E.floor, "ceil": E.ceil, "round": E.round,
    "trunc": E.trunc, "fix": E.trunc, "clamp": E.clamp, "clip": E.clamp,
    "maximum": E.maximum, "minimum": E.minimum, "lerp": E.lerp, "where": _method_where,
    "eq": E.eq, "ne": E.ne, "lt": E.lt, "le": E.le, "gt": E.gt, "ge": E.ge,
    "greater": E.gt, "less": E.lt, "equal": E.equal, "allclose": E.allclose,
    "isclose": E.isclose, "logical_and": E.logical_and, "logical_or": E.logical_or,
    "logical_xor": E.logical_xor, "logical_not": E.logical_not,
    "bitwise_and": E.bitwise_and, "bitwise_or": E.bitwise_or, "bitwise_xor": E.bitwise_xor,
    "bitwise_not": E.bitwise_not, "isnan": E.isnan, "isinf": E.isinf,
    "isfinite": E.isfinite, "nonzero": E.nonzero,
    # reductions
    "sum": R.sum, "mean": R.mean, "var": R.var, "std": R.std, "prod": R.prod, "max": R.max,
    "min": R.min, "amax": R.amax, "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin,
    "cumsum": R.cumsum, "cumprod": R.cumprod, "norm": R.norm, "logsumexp": R.logsumexp,
    "all": R.all, "any": R.any, "count_nonzero": R.count_nonzero,
    "sort": S.sort, "argsort": S.argsort, "topk": S.topk,
    # shapes and views
    "reshape": M.reshape, "view": M.view, "view_as": M.view_as, "reshape_as": M.reshape_as,
    "flatten": M.flatten, "unflatten": M.unflatten, "squeeze": M.squeeze,
    "unsqueeze": M.unsqueeze, "permute": M.permute, "transpose": M.transpose,
    "swapaxes": M.transpose, "swapdims": M.transpose, "t": M.t, "movedim": M.movedim,
    "moveaxis": M.movedim, "expand": M.expand, "expand_as": M.expand_as,
    "broadcast_to": M.broadcast_to, "flip": M.flip, "clone": M.clone,
    "contiguous": M.contiguous, "narrow": M.narrow, "select": M.select, "tril": M.tril,
    "triu": M.triu,
    # dtype and device
    "to": M.to, "type": M.type_, "type_as": M.type_as, "float": M.float_,
    "double": M.double, "half": M.half, "long": M.long, "int": M.int_, "short": M.short,
    "bool": M.bool_, "byte": M.byte, "char": M.char,
    # joining, indexing, products
    "split": J.split, "chunk": J.chunk, "unbind": J.unbind, "tensor_split": J.tensor_split,
    "repeat": J.repeat, "tile": J.tile, "repeat_interleave": J.repeat_interleave,
    "roll": J.roll, "diff": J.diff,
    "index_select": I.index_select, "masked_fill": I.masked_fill, "gather": I.gather,
    "matmul": L.matmul, "dot": L.dot, "inner": L.dot, "mv": L.mv, "mm": L.mm, "bmm": L.bmm,
    "outer": L.outer, "ger": L.outer, "trace": L.trace, "diagonal": L.diagonal,
    "diag": L.diag, "softmax": N.softmax, "log_softmax": N.log_softmax,
    "inverse": _linalg_method("inv", "The inverse of each square matrix (torch.linalg.inv)."),
    "det": _linalg_method("det", "The determinant of each square matrix (torch.linalg.det)."),
    # in place
    "add_": P.add_, "sub_": P.sub_, "mul_": P.mul_, "div_": P.div_, "pow_": P.pow_,
    "exp_": P.exp_, "log_": P.log_, "sqrt_": P.sqrt_, "abs_": P.abs_, "neg_": P.neg_,
    "relu_": P.relu_, "sigmoid_": P.sigmoid_, "tanh_": P.tanh_, "sin_": P.sin_,
    "cos_": P.cos_, "floor_": P.floor_, "ceil_": P.ceil_, "round_": P.round_,
    "trunc_": P.trunc_, "sign_": P.sign_, "clamp_": P.clamp_, "clip_": P.clamp_,
    "square_": P.square_, "reciprocal_": P.reciprocal_, "masked_fill_": P.masked_fill_,
    "fill_": P.fill_, "zero_": P.zero_, "copy_": P.copy_, "set_": P.set_,
    "normal_": P.normal_, "uniform_": P.uniform_, "bernoulli_": P.bernoulli_,
    "random_": P.random_, "exponential_": P.exponential_,
    # factories
    "new_zeros": _new_factory(C.zeros), "new_ones": _new_factory(C.ones),
    "new_empty": _new_factory(C.empty), "new_full": _new_full, "new_tensor": _new_tensor,
}

_PROPERTIES = {"T": M.T, "mT": M.mT}


def _install() -> None:
    for name, fn in {**_OPERATORS, **_METHODS}.items():
        setattr(Tensor, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Tensor, name, property(fn, doc=fn.__doc__))


_install()
