"""zerograd.linalg: torch.linalg's names and signatures, batched over leading dims.

Here: argument checks with PyTorch's messages, the functions that run the primitives of
ops/linalg_decomp.py (inv, solve, det, slogdet, cholesky, qr, eigh, svd, pinv, lstsq), and the
composites built from them and from ordinary ops (eigvalsh, svdvals, matrix_rank, the norms,
cross, multi_dot), which therefore get gradients in both modes for free. The derivative rules
themselves live beside their forward in ops/linalg_decomp.py.
"""

from __future__ import annotations

from typing import Any

from . import _dtype as D
from . import return_types
from ._shapes import wrap_dim
from ._tensor import Tensor
from .autograd.function import _apply
from .backend import namespace_of, np
from .ops import linalg_decomp as K
from .ops import reduction as R
from .ops.elementwise import _legacy_name
from .ops.linalg import diagonal as _diagonal
from .ops.linalg import matmul
from .ops.linalg_decomp import LinAlgError

__all__ = [
    "LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq",
    "matmul", "matrix_norm", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
    "solve", "svd", "svdvals", "vector_norm",
]

LinAlgError.__module__ = __name__


# --- checks ---------------------------------------------------------------------------------------


def _tensor(x: Any, fname: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def _matrix(A: Any, fname: str, square: bool = False) -> Tensor:
    """At least 2-D (and square when asked), in PyTorch's order of checks."""
    A = _tensor(A, fname.split(".")[-1])
    if A._data.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    m, n = A._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are {m} by "
                           f"{n} matrices")
    return A


def _floating(A: Tensor, fname: str, kernel: str | None = None) -> None:
    """Float32/64 only. LAPACK has no half precision: torch says so itself, or its `kernel`
    raises NotImplementedError, depending on the function."""
    kind, name = A._data.dtype.kind, A.dtype.name
    if kind != "f":
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{_legacy_name(A.dtype)}")
    if name == "float16" and kernel:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Half'")
    if name == "float16":
        raise RuntimeError(f"{fname}: Low precision dtypes not supported. Got Half")


def _square_float(A: Any, fname: str, kernel: str | None = None) -> Tensor:
    A = _matrix(A, fname, square=True)
    _floating(A, fname, kernel)
    return A


def _array(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


# --- inverses and solvers -------------------------------------------------------------------------


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    """The inverse of each square matrix; LinAlgError names a singular one.

    Example:
        >>> import zerograd as torch
        >>> torch.linalg.inv(torch.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    A = _square_float(A, "linalg.inv")
    return _apply(K.Inv, (A,), (A._data,), {"fname": "linalg.inv"})


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """X with AX = B (left=False: XA = B); B may be a vector or a batch of vectors.

    Example:
        >>> import zerograd as torch
        >>> torch.linalg.solve(torch.tensor([[2., 0.], [0., 4.]]), torch.tensor([1., 1.]))
        tensor([0.5000, 0.2500])
    """
    A = _square_float(A, "linalg.solve", "lu_cpu")
    B = _tensor(B, "solve")
    if B._data.dtype != A._data.dtype:
        if B._data.dtype.kind != "f" and A._data.dtype.kind != "f":
            _floating(B, "linalg.solve")
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_legacy_name(A.dtype)} and B of type {_legacy_name(B.dtype)} instead")
    a_shape = A._data.shape
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                   and B._data.shape == a_shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    n = a_shape[-1]
    eq = "AX = B" if left else "XA = B"
    if b._data.shape[-2 if left else -1] != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
            f"({a_shape[-2]}x{n} and {b._data.shape[-2]}x{b._data.shape[-1]})")
    try:
        np.broadcast_shapes(a_shape[:-2], b._data.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dimensions of A {list(a_shape)} and B "
                           f"{list(b.shape)} do not broadcast") from None
    params = {"fname": "torch.linalg.solve", "vector": vector}
    if left:
        return _apply(K.Solve, (A, B), (A._data, B._data), params)
    at, bt = A.mT, b.mT  # XA = B  <=>  AᵀXᵀ = Bᵀ (B is a matrix here: vectors failed above)
    return _apply(K.Solve, (at, bt), (at._data, bt._data), params).mT


def pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None, out: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values ≤ max(atol, rtol·σ_max) count as 0.

    `rcond` (the older spelling) is rtol with atol = 0.
    """
    A = _tensor(A, "pinv")
    if A._data.ndim < 2 or A._data.dtype.kind != "f" or A.dtype.name == "float16":
        raise RuntimeError(
            f"linalg.pinv({_legacy_name(A.dtype)}{{{list(A.shape)}}}): expected a tensor with 2 "
            "or more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        atol, rtol = 0.0, rcond
    return _apply(K.Pinv, (A,), (A._data,), {"atol": _array(atol), "rtol": _array(rtol),
                                             "hermitian": hermitian})


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *,
          driver: str | None = None) -> Any:
    """Least squares: X minimising ‖AX − B‖ (the minimum-norm one when A is rank-deficient).

    Returns (solution, residuals, rank, singular_values) as torch does for the chosen driver
    (default 'gelsy': residuals and singular_values empty; 'gelsd'/'gelss' fill them in).

    Example:
        >>> import zerograd as torch
        >>> A = torch.tensor([[1., 0.], [1., 1.], [1., 2.]])
        >>> torch.linalg.lstsq(A, torch.tensor([[1.], [2.], [2.]])).solution
        tensor([[1.1667],
                [0.5000]])
    """
    A, B = _tensor(A, "lstsq"), _tensor(B, "lstsq")
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if A._data.dtype.kind != "f" or A.dtype.name == "float16":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {_legacy_name(A.dtype)} and other's dtype {_legacy_name(B.dtype)}")
    if not 0 <= A._data.ndim - B._data.ndim <= 1:
        raise RuntimeError(
            "torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
            "(input.dim() - other.dim()) <= 1")
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vector = B._data.ndim == A._data.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b._data.shape[-2] != A._data.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    x, rank, sv = _apply(K.Lstsq, (A, B), (A._data, B._data), {"rcond": rcond, "vector": vector})
    m, n = A._data.shape[-2:]
    empty = Tensor._make(namespace_of(A._data).zeros((0,), A._data.dtype))
    full_rank = driver == "gels" or bool((rank._data == n).all())
    residuals = empty
    if driver != "gelsy" and m > n and full_rank:
        x_cols = x.unsqueeze(-1) if vector else x  # ‖AX − B‖² per column, differentiable
        residuals = ((A @ x_cols - b) ** 2).sum(-2)
    if driver == "gels":
        rank = Tensor._make(namespace_of(A._data).zeros((0,), np.int64))
    if driver not in ("gelsd", "gelss"):
        sv = empty
    return return_types.linalg_lstsq(x, residuals, rank, sv)


# --- determinants ---------------------------------------------------------------------------------


def det(A: Tensor, *, out: Any = None) -> Tensor:
    """The determinant of each square matrix (0 for a singular one, with a zero gradient)."""
    A = _square_float(A, "linalg.det", "lu_cpu")
    return _apply(K.Det, (A,), (A._data,), {})


def slogdet(A: Tensor, *, out: Any = None) -> Any:
    """(sign, log|det|) of each square matrix: the determinant without overflow."""
    A = _square_float(A, "linalg.slogdet")
    sign, logabsdet = _apply(K.Slogdet, (A,), (A._data,), {})
    return return_types.linalg_slogdet(sign, logabsdet)


# --- decompositions -------------------------------------------------------------------------------


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """L (lower triangular) with A = L Lᵀ for symmetric positive-definite A; upper: U = Lᵀ."""
    A = _square_float(A, "linalg.cholesky", "cholesky_cpu")
    return _apply(K.Cholesky, (A,), (A._data,), {"upper": upper})


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> Any:
    """(Q, R) with A = QR: mode 'reduced' (thin, default), 'complete', or 'r' (Q empty)."""
    A = _matrix(A, "linalg.qr")
    _floating(A, "linalg.qr", "geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = _apply(K.QR, (A,), (A._data,), {"mode": mode})
    return return_types.linalg_qr(q, r)


def _eigh(A: Any, UPLO: str, values_only: bool) -> tuple[Tensor, Tensor]:
    A = _matrix(A, "linalg.eigh", square=True)
    if A._data.dtype.kind != "f" or A.dtype.name == "float16":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{_legacy_name(A.dtype)}'")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _apply(K.Eigh, (A,), (A._data,), {"UPLO": UPLO, "values_only": values_only})


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Any:
    """(eigenvalues ascending, eigenvectors as columns) of symmetric A, read from one triangle.

    Eigenvectors are defined up to sign; their gradient is finite only for distinct
    eigenvalues (as in PyTorch), and a warning says so when they repeat.
    """
    w, v = _eigh(A, UPLO, False)
    return return_types.linalg_eigh(w, v)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """The eigenvalues of symmetric A, ascending (differentiable even when they repeat)."""
    return _eigh(A, UPLO, True)[0]


def _svd(A: Any, full_matrices: bool, values_only: bool) -> tuple[Tensor, Tensor, Tensor]:
    A = _matrix(A, "linalg.svd")
    _floating(A, "linalg.svd", "linalg_svd_cpu")
    return _apply(K.SVD, (A,), (A._data,), {"full_matrices": full_matrices,
                                            "values_only": values_only})


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None,
        out: Any = None) -> Any:
    """(U, S, Vh) with A = U diag(S) Vh, S descending. Gradients flow through the first
    min(m, n) columns of U and rows of Vh (full_matrices=False gives exactly those)."""
    u, s, vh = _svd(A, full_matrices, False)
    return return_types.linalg_svd(u, s, vh)


def svdvals(A: Tensor, *, driver: str | None = None, out: Any = None) -> Tensor:
    """The singular values, descending."""
    return _svd(A, False, True)[1]


def matrix_rank(A: Tensor, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None, out: Any = None) -> Tensor:
    """How many singular values exceed max(atol, rtol·σ_max) (int64; `tol` is atol, rtol=0)."""
    A = _tensor(A, "matrix_rank")
    if A._data.dtype.kind != "f" or A.dtype.name == "float16":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._data
    xp = namespace_of(a)
    sv = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    m, n = a.shape[-2:]
    cut = K.tolerance(sv, m, n, _array(atol), _array(rtol))
    return Tensor._make(xp.asarray((sv > cut[..., None]).sum(-1), dtype=np.int64))


# --- norms ----------------------------------------------------------------------------------------


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """(Σ|x|^ord)^(1/ord) over `dim` (all elements by default); ord may be ±inf or 0."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    x = _tensor(x, "vector_norm")
    if x._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_legacy_name(x.dtype)}")
    if dtype is not None and dtype != x.dtype:
        if D.promote_types(x.dtype, dtype) != dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_legacy_name(x.dtype)}) should "
                f"be convertible without narrowing to the specified dtype "
                f"({_legacy_name(dtype)})")
        x = x.to(dtype)
    return R.norm(x, float(ord), dim, keepdim)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf"))


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """Frobenius ('fro'), nuclear ('nuc'), max column (1) / row (inf) sum, or spectral (2)
    norm of the matrices in dims `dim`; negative orders take the minimum instead.

    Example:
        >>> import zerograd as torch
        >>> torch.linalg.matrix_norm(torch.tensor([[1., -2.], [3., 4.]]), ord=1)
        tensor(6.)
    """
    A = _tensor(A, "matrix_norm")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {_dims_text(dim)}")
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A._data.dtype.kind != "f":
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_legacy_name(A.dtype)}")
    if dtype is not None and dtype != A.dtype:
        A = A.to(dtype)
    if ord == "fro":
        return R.norm(A, 2.0, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        _floating(A, "linalg.matrix_norm")
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            lo, hi = sorted((d0, d1))
            r = r.unsqueeze(lo).unsqueeze(hi)
        return r
    # 1: the largest column sum |a_ij| over i; inf: the largest row sum (min for negatives)
    inner, outer = (d0, d1) if abs(ord) == 1 else (d1, d0)
    sums = A.abs().sum(inner, keepdim=keepdim)
    if not keepdim and outer > inner:
        outer -= 1  # the summed dim is gone
    return sums.amax(outer, keepdim=keepdim) if ord > 0 else sums.amin(outer, keepdim=keepdim)


def _dims_text(dim: Any) -> str:
    return str(list(dim)) if isinstance(dim, (tuple, list)) else str(dim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None, out: Any = None) -> Tensor:
    """A vector norm (dim an int, or 1-D input) or a matrix norm (dim a pair, or 2-D input);
    with neither ord nor dim: the 2-norm of all the elements."""
    A = _tensor(A, "norm")
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
        if isinstance(ord, str) or len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A._data.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A._data.ndim}D.")
    if A._data.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


# --- products -------------------------------------------------------------------------------------


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """The cross product of 3-vectors along `dim` (batch dims broadcast)."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input._data.shape[d]} and {other._data.shape[d]}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy_name(input.dtype)} but found "
                           f"{_legacy_name(other.dtype)}")
    # c_k = x_{k+1} y_{k+2} − x_{k+2} y_{k+1}, indices mod 3
    nxt = Tensor._make(np.array([1, 2, 0]))
    prv = Tensor._make(np.array([2, 0, 1]))
    x1, x2 = input.index_select(d, nxt), input.index_select(d, prv)
    y1, y2 = other.index_select(d, nxt), other.index_select(d, prv)
    return x1 * y2 - x2 * y1


_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "float16": "c10::Half"}


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    """A chain of matrix products in the cheapest order; the first and last may be vectors.

    Example:
        >>> import zerograd as torch
        >>> torch.linalg.multi_dot([torch.ones(2), torch.ones(2, 3), torch.ones(3)])
        tensor(6.)
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    last = len(ts) - 1
    for i, t in enumerate(ts):
        nd = t._data.ndim
        if (i in (0, last) and nd not in (1, 2)) or (0 < i < last and nd != 2):
            which = "the first tensor" if i == 0 else ("the last tensor" if i == last
                                                       else f"tensor {i}")
            need = "1D or 2D" if i in (0, last) else "2D"
            raise RuntimeError(f"multi_dot(): {which} must be {need} but got {nd}D")
        if t._data.dtype != ts[0]._data.dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_CPP_NAMES[ts[0].dtype.name]} and tensor {i} {_CPP_NAMES[t.dtype.name]}")
    mats = [ts[0].unsqueeze(0) if ts[0]._data.ndim == 1 else ts[0]] + ts[1:last] + [
        ts[last].unsqueeze(-1) if ts[last]._data.ndim == 1 else ts[last]]
    for i in range(last):
        if mats[i]._data.shape[1] != mats[i + 1]._data.shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(ts[i].shape)} and "
                f"{list(ts[i + 1].shape)} cannot be multiplied")
    result = _chain(mats, _chain_order(mats), 0, last)
    if ts[0]._data.ndim == 1:
        result = result.squeeze(0)
    if ts[last]._data.ndim == 1:
        result = result.squeeze(-1)
    return result


def _chain_order(mats: list[Tensor]) -> list[list[int]]:
    """The classic matrix-chain dynamic programme: split[i][j] is where (i..j) is cut."""
    dims = [mats[0]._data.shape[0]] + [m._data.shape[1] for m in mats]
    n = len(mats)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = -1
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] < 0 or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats: list[Tensor], split: list[list[int]], i: int, j: int) -> Tensor:
    if i == j:
        return mats[i]
    k = split[i][j]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of the matrices in (dim1, dim2), as the last dim (a view)."""
    return _diagonal(A, offset, dim1, dim2)

