"""Matrix products: one MatMul primitive behind dot, mv, mm, bmm, matmul/@ and outer.

PyTorch does not promote dtypes in matrix products (an int64 matrix times a float32 vector is
an error), so neither do we; the errors name the shapes and dtypes. Batch dimensions broadcast;
the engine sums their gradients back (Note [Broadcasting in backward]).
"""

from __future__ import annotations

from typing import Any

from .._shapes import broadcast_shapes
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import namespace_of
from .elementwise import _legacy_name

_NAMES = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0",
          (3, 3): "BmmBackward0"}


class MatMul(Primitive):
    """out = x @ y     VJP: x_bar = g @ yᵀ, y_bar = xᵀ @ g (1-D operands as row/column)
    JVP: out_dot = x_dot @ y + x @ y_dot"""

    op_name = "matmul"
    grad_fn_name = "MmBackward0"
    save_inputs = (0, 1)

    def forward(self, x: Any, y: Any) -> Any:
        return namespace_of(x).matmul(x, y)

    def backward(self, g: Tensor) -> Any:
        x, y = self.saved_tensors
        need_x, need_y = self.next_functions[0][0] is not None, self.next_functions[1][0]
        gx = gy = None
        if x.ndim == 1 and y.ndim == 1:
            gx = g * y if need_x else None
            gy = g * x if need_y else None
        elif x.ndim == 1:  # (n) @ (..., n, m) -> (..., m)
            gx = (y @ g.unsqueeze(-1)).squeeze(-1) if need_x else None
            gy = x.unsqueeze(-1) * g.unsqueeze(-2) if need_y else None
        elif y.ndim == 1:  # (..., n, m) @ (m) -> (..., n)
            gx = g.unsqueeze(-1) * y if need_x else None
            gy = (x.mT @ g.unsqueeze(-1)).squeeze(-1) if need_y else None
        else:
            gx = g @ y.mT if need_x else None
            gy = x.mT @ g if need_y else None
        return gx, gy

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        x, y = self.saved_tensors
        return x_dot @ y + x @ y_dot


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


def _check_dtypes(x: Tensor, y: Tensor) -> None:
    """Matrix products don't promote: mixed dtypes raise, worded as the torch kernel that
    would run (dot, addmv, mm or bmm) words it."""
    if x._data.dtype == y._data.dtype:
        return
    a, b = _legacy_name(x.dtype), _legacy_name(y.dtype)
    nx, ny = x._data.ndim, y._data.ndim
    if nx == 1 and ny == 1:
        msg = f"dot : expected both vectors to have same dtype, but found {a} and {b}"
    elif ny == 1:
        msg = f"addmv input tensors must have the same dtype, but got {b}, {a}, and {b}"
    elif ny == 2:
        msg = ("expected m1 and m2 to have the same dtype, but got: "
               f"{_C_NAMES[x.dtype.name]} != {_C_NAMES[y.dtype.name]}")
    else:
        msg = f"expected scalar type {a} but found {b}"
    raise RuntimeError(
        f"{msg} (shapes {list(x.shape)} and {list(y.shape)}; convert one, e.g. with .float())")


def _run(x: Tensor, y: Tensor) -> Tensor:
    name = _NAMES.get((x._data.ndim, y._data.ndim), "MatmulBackward0")
    return _apply(MatMul, (x, y), (x._data, y._data), {"grad_fn_name": name})


def _require(t: Any, fname: str, arg: str, pos: int) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(t).__name__}")


def matmul(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Matrix product with NumPy's rules: 1-D as vectors, batch dims broadcast."""
    _require(input, "matmul", "input", 1)
    _require(other, "matmul", "other", 2)
    x, y = input, other
    if x._data.ndim == 0 or y._data.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x._data.ndim}D "
            f"and {y._data.ndim}D"
        )
    _check_dtypes(x, y)
    n = x._data.shape[-1]
    k = y._data.shape[-2] if y._data.ndim > 1 else y._data.shape[0]
    if n != k:
        if x._data.ndim == 1 and y._data.ndim == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{n}] and src [{k}] to have the same "
                f"number of elements, but got {n} and {k} elements respectively"
            )
        xs = "x".join(map(str, x._data.shape if x._data.ndim > 1 else (1, n)))
        ys = "x".join(map(str, y._data.shape if y._data.ndim > 1 else (k, 1)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({xs} and {ys})")
    if x._data.ndim > 2 or y._data.ndim > 2:  # batch dims broadcast: torch's message if not
        broadcast_shapes(x._data.shape[:-2], y._data.shape[:-2])
    return _run(x, y)


def dot(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Inner product of two 1-D tensors of the same dtype."""
    _require(input, "dot", "input", 1)
    _require(other, "dot", "tensor", 2)
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    _check_dtypes(input, other)
    return matmul(input, other)


inner = dot
vdot = dot


def mv(input: Tensor, vec: Tensor, *, out: Any = None) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    _check_dtypes(input, vec)
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input._data.shape[0]}), mat "
            f"({input._data.shape[0]}x{input._data.shape[1]}), vec ({vec._data.shape[0]})"
        )
    return _run(input, vec)


def mm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """Matrix (n, m) times matrix (m, p)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix (got a {input._data.ndim}-D tensor)")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix (got a {mat2._data.ndim}-D tensor)")
    (a, b), (c, d) = input._data.shape, mat2._data.shape
    if b != c:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {c}x{d})")
    _check_dtypes(input, mat2)
    return _run(input, mat2)


def bmm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """Batched matrix product of (b, n, m) and (b, m, p)."""
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError("batch1 and batch2 must be 3D tensors (got "
                           f"{input._data.ndim}D and {mat2._data.ndim}D)")
    if input._data.shape[0] != mat2._data.shape[0] or (
            input._data.shape[2] != mat2._data.shape[1]):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
            f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}]."
        )
    _check_dtypes(input, mat2)
    return _run(input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors: out[i, j] = input[i] * vec2[j]."""
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return diagonal(input).sum()


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, as the last dim."""
    xp = namespace_of(input._data)
    x = input.movedim((dim1, dim2), (-2, -1))
    n, m = x._data.shape[-2:]
    rows = xp.arange(max(0, -offset), min(n, m - offset)) if m - offset > 0 else xp.arange(0)
    return x[..., rows, rows + offset]


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor's square diagonal matrix, or a 2-D tensor's diagonal."""
    if input._data.ndim == 2:
        return globals()["diagonal"](input, diagonal)
    if input._data.ndim != 1:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(input._data.ndim) + "D")
    n = input._data.shape[0] + abs(diagonal)
    xp = namespace_of(input._data)
    out = Tensor._make(xp.zeros((n, n), dtype=input._data.dtype))
    rows = xp.arange(input._data.shape[0]) + max(0, -diagonal)
    out[rows, rows + diagonal] = input
    return out
