"""Reductions: sum, mean, var/std, prod, max/min (three forms), cumsum/cumprod, norm,
logsumexp as primitives; argmax/argmin/all/any/count_nonzero, which have no gradient.

Every reduction takes `dim` as an int, a tuple or a list, and `keepdim`; the NumPy spellings the
book sometimes uses (`axis=`, `keepdims=`) are accepted too, as PyTorch accepts them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import _dtype as D
from .._shapes import numpy_names, wrap_dim, wrap_dims
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import namespace_of, np, shims_of
from .elementwise import _legacy_name, sqrt, where
from .movement import Expand, Reshape


def _dims_args(x: Tensor, dim: Any, keepdim: Any, kwargs: dict[str, Any]) -> tuple[Any, bool]:
    """Merge torch (`dim`, `keepdim`) and NumPy (`axis`, `keepdims`) spellings."""
    if not isinstance(x, Tensor):  # torch.sum([1, 2]): a TypeError, as in torch
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    if "keepdims" in kwargs:
        keepdim = kwargs.pop("keepdims")
    if kwargs:
        raise TypeError(f"got an unexpected keyword argument '{next(iter(kwargs))}'")
    dims = wrap_dims(dim, x._data.ndim)
    if dims is not None and x._data.ndim == 0:
        dims = ()  # reducing a 0-d tensor over dim 0 is the identity, as in torch
    return dims, bool(keepdim)


def _expand_back(g: Tensor, dims: tuple[int, ...] | None, keepdim: bool,
                 shape: tuple[int, ...]) -> Tensor:
    """Undo a reduction's shape change: put the reduced dims back as 1s, then broadcast."""
    if not keepdim and dims and dims != tuple(range(len(dims))):
        # Reduced dims in the middle must come back as 1s; leading ones (and a full reduction)
        # are restored by broadcasting alone.
        kept = tuple([1 if i in dims else s for i, s in enumerate(shape)])
        g = _apply(Reshape, (g,), (g._data,), {"shape": kept, "must_view": False})
    if g._data.shape == shape:
        return g
    return _apply(Expand, (g,), (g._data,), {"shape": shape})


def _evenly(hit: Tensor, dims: tuple[int, ...] | None, keepdim: bool,
            shape: tuple[int, ...]) -> Tensor:
    """Weights that share a gradient evenly among the positions marked by `hit` (the maxima of
    amax, of an inf-norm: ties split the gradient, as in PyTorch)."""
    return hit / _expand_back(hit.sum(dims, keepdim=keepdim), dims, keepdim, shape)


def _count(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> int:
    n = 1
    for i, s in enumerate(shape):
        if dims is None or i in dims:
            n *= s
    return n


class Sum(Primitive):
    """out = Σ_dims x        VJP: x_bar = broadcast(g)        JVP: out_dot = Σ_dims x_dot"""

    op_name = "sum"
    grad_fn_name = "SumBackward0"

    def forward(self, x: Any) -> Any:
        self.shape = x.shape
        return shims_of(x).sum_reduce(x, self.dims, self.out_dtype, self.keepdim)

    def backward(self, g: Tensor) -> Any:
        return _expand_back(g, self.dims, self.keepdim, self.shape)

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.sum(self.dims, keepdim=self.keepdim)


class Mean(Primitive):
    """out = mean_dims x      VJP: x_bar = broadcast(g) / n      JVP: out_dot = mean_dims x_dot"""

    op_name = "mean"
    grad_fn_name = "MeanBackward0"

    def forward(self, x: Any) -> Any:
        self.shape = x.shape
        if x.dtype.kind != "f" or x.dtype.itemsize < 4 or self.out_dtype is not None:
            return x.mean(axis=self.dims, keepdims=self.keepdim, dtype=self.out_dtype)
        # The same pairwise sum and division ndarray.mean does, without its Python wrapper.
        total = shims_of(x).sum_reduce(x, self.dims, None, self.keepdim)
        return total / x.dtype.type(_count(x.shape, self.dims))

    def backward(self, g: Tensor) -> Any:
        n = _count(self.shape, self.dims)
        return _expand_back(g, self.dims, self.keepdim, self.shape) / n

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.mean(self.dims, keepdim=self.keepdim)


class Var(Primitive):
    """out = Σ(x-x̄)²/(n-c)    VJP: x_bar = g·2(x-x̄)/(n-c)    JVP: Σ 2(x-x̄)x_dot/(n-c)"""

    op_name = "var"
    grad_fn_name = "VarBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        self.shape = x.shape
        if _count(x.shape, self.dims) - self.correction <= 0:
            # NumPy would warn with its own RuntimeWarning; say what PyTorch says instead.
            import warnings

            warnings.warn(
                "var(): degrees of freedom is <= 0. Correction should be strictly less than the "
                "reduction factor (input numel divided by output numel).",
                UserWarning,
                stacklevel=4,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return x.var(axis=self.dims, ddof=self.correction, keepdims=self.keepdim)
        return x.var(axis=self.dims, ddof=self.correction, keepdims=self.keepdim)

    def _slope(self) -> Tensor:
        (x,) = self.saved_tensors
        n = _count(self.shape, self.dims)
        # n - correction <= 0 makes the variance inf/nan; so is its slope (no ZeroDivisionError).
        dof = n - self.correction
        return (x - x.mean(self.dims, keepdim=True)) * (2.0 / dof if dof > 0 else float("inf"))

    def backward(self, g: Tensor) -> Any:
        return _expand_back(g, self.dims, self.keepdim, self.shape) * self._slope()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return (self._slope() * x_dot).sum(self.dims, keepdim=self.keepdim)


class Prod(Primitive):
    """out = Π_dim x     VJP: x_bar = g · Π_{j≠i} x_j     JVP: Σ_i x_dot_i · Π_{j≠i} x_j

    The product of the others is built from exclusive cumulative products, so zeros in x
    give the right gradient (out / x would divide by zero).
    """

    op_name = "prod"
    grad_fn_name = "ProdBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        self.shape = x.shape
        return x.prod(axis=self.dim, keepdims=self.keepdim, dtype=self.out_dtype)

    def _others(self) -> Tensor:
        (x,) = self.saved_tensors
        if self.dim is None:
            return _prod_of_others(x.reshape(-1), 0).reshape(self.shape)
        return _prod_of_others(x, self.dim)

    def backward(self, g: Tensor) -> Any:
        dims = None if self.dim is None else (self.dim,)
        return _expand_back(g, dims, self.keepdim, self.shape) * self._others()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return (x_dot * self._others()).sum(self.dim, keepdim=self.keepdim)


def _prod_of_others(x: Tensor, dim: int) -> Tensor:
    """For each position, the product of all other elements along `dim`."""
    n = x.shape[dim]
    ones = x.narrow(dim, 0, 1) * 0 + 1
    before = cat([ones, x.narrow(dim, 0, n - 1).cumprod(dim)], dim) if n > 1 else ones
    rev = x.flip(dim)
    after = cat([ones, rev.narrow(dim, 0, n - 1).cumprod(dim)], dim).flip(dim) if n > 1 else ones
    return before * after


def cat(tensors: Any, dim: int = 0) -> Tensor:
    from .join import cat as _cat

    return _cat(tensors, dim)


class Amax(Primitive):
    """out = max over dims     VJP: g shared evenly among the maxima     JVP: likewise"""

    op_name = "amax"
    grad_fn_name = "AmaxBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, x: Any) -> Any:
        self.shape = x.shape
        return self._reduce(x)

    def _reduce(self, x: Any) -> Any:
        return x.max(axis=self.dims, keepdims=self.keepdim)

    def _share(self) -> Tensor:
        x, out = self.saved_tensors
        hit = x == _expand_back(out, self.dims, self.keepdim, self.shape)
        return _evenly(hit.to(x.dtype), self.dims, self.keepdim, self.shape)

    def backward(self, g: Tensor) -> Any:
        return _expand_back(g, self.dims, self.keepdim, self.shape) * self._share()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return (x_dot * self._share()).sum(self.dims, keepdim=self.keepdim)


class Amin(Amax):
    """out = min over dims     VJP: g shared evenly among the minima     JVP: likewise"""

    op_name = "amin"
    grad_fn_name = "AminBackward0"

    def _reduce(self, x: Any) -> Any:
        return x.min(axis=self.dims, keepdims=self.keepdim)


class MaxDim(Primitive):
    """(values, indices) = max along dim     VJP: g to the chosen index     JVP: x_dot there"""

    op_name = "max_dim"
    grad_fn_name = "MaxBackward0"
    n_outputs = 2

    def forward(self, x: Any) -> Any:
        xp = namespace_of(x)
        self.shape = x.shape
        if x.ndim == 0:
            self.idx = xp.zeros((), np.int64)
            return x.copy(), self.idx
        pick = xp.argmin if self.smallest else xp.argmax
        idx = xp.expand_dims(pick(x, axis=self.dim), self.dim)
        values = xp.take_along_axis(x, idx, axis=self.dim)
        if not self.keepdim:
            idx, values = idx.squeeze(self.dim), values.squeeze(self.dim)
        self.idx = idx
        return values, idx.astype(np.int64, copy=False)

    def _mask(self, like: Tensor) -> Tensor:
        xp = namespace_of(self.idx)
        if len(self.shape) == 0:
            return Tensor._make(xp.ones((), like._data.dtype))
        idx = self.idx if self.keepdim else xp.expand_dims(self.idx, self.dim)
        pos = xp.arange(self.shape[self.dim]).reshape(
            [-1 if i == self.dim else 1 for i in range(len(self.shape))]
        )
        return Tensor._make((pos == idx).astype(like._data.dtype))

    def backward(self, g: Tensor) -> Any:
        dims = (self.dim,) if self.shape else ()
        return _expand_back(g, dims, self.keepdim, self.shape) * self._mask(g)

    def jvp(self, x_dot: Tensor) -> Tensor:
        dims = (self.dim,) if self.shape else ()
        return (x_dot * self._mask(x_dot)).sum(dims, keepdim=self.keepdim)


class Cumsum(Primitive):
    """out_i = Σ_{j≤i} x_j     VJP: x_bar_i = Σ_{j≥i} g_j     JVP: out_dot = cumsum(x_dot)"""

    op_name = "cumsum"
    grad_fn_name = "CumsumBackward0"

    def forward(self, x: Any) -> Any:
        return namespace_of(x).cumsum(x, axis=self.dim, dtype=self.out_dtype)

    def backward(self, g: Tensor) -> Any:
        # A reversed cumulative sum, written without a flip: total - cumsum + self.
        return g.sum(self.dim, keepdim=True) - g.cumsum(self.dim) + g

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.cumsum(self.dim)


class Cumprod(Primitive):
    """out_i = Π_{j≤i} x_j     VJP: x_bar_i = Σ_{k≥i} g_k out_k / x_i     JVP: likewise

    Division by x_i is exact where x has no zeros; positions with a zero use the explicit
    product of the others (built with `_prod_of_others` on each prefix).
    """

    op_name = "cumprod"
    grad_fn_name = "CumprodBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, x: Any) -> Any:
        return namespace_of(x).cumprod(x, axis=self.dim, dtype=self.out_dtype)

    def _jacobian_apply(self, g: Tensor) -> Tensor:
        x, out = self.saved_tensors
        d = self.dim
        if not bool((x._data == 0).any()):
            t = g * out
            return (t.sum(d, keepdim=True) - t.cumsum(d) + t) / x
        # Zeros present: sum over k >= i of g_k * prod_{j<=k, j!=i} x_j, prefix by prefix.
        n = x.shape[d]
        total = x * 0
        for k in range(n):
            prefix = x.narrow(d, 0, k + 1)
            part = _prod_of_others(prefix, d) * g.narrow(d, k, 1)
            pad = [part]
            if k + 1 < n:
                pad.append(x.narrow(d, k + 1, n - k - 1) * 0)
            total = total + cat(pad, d)
        return total

    def backward(self, g: Tensor) -> Any:
        return self._jacobian_apply(g)

    def jvp(self, x_dot: Tensor) -> Tensor:
        x, out = self.saved_tensors
        if not bool((x._data == 0).any()):
            return out * (x_dot / x).cumsum(self.dim)
        # (J v)_k = Σ_{i≤k} v_i Π_{j≤k, j≠i} x_j: the transpose of the loop above.
        d = self.dim
        n = x.shape[d]
        cols = []
        for k in range(n):
            prefix = x.narrow(d, 0, k + 1)
            cols.append((_prod_of_others(prefix, d) * x_dot.narrow(d, 0, k + 1)).sum(
                d, keepdim=True))
        return cat(cols, d)


class Norm(Primitive):
    """out = ‖x‖_p over dims     VJP: x_bar = g · x|x|^(p-2) / out^(p-1) (0 where out = 0)

    JVP: out_dot = Σ x_dot · ∂out/∂x. p = 2 is the default; p = 1 and p = inf are special
    cases (sign; the maxima share the gradient). At x = 0 the gradient is 0, as in PyTorch.
    """

    op_name = "norm"
    grad_fn_name = "LinalgVectorNormBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, x: Any) -> Any:
        xp = namespace_of(x)
        self.shape = x.shape
        a, p, dims = xp.abs(x), self.p, self.dims
        if p == 2:
            return xp.sqrt((a * a).sum(axis=dims, keepdims=self.keepdim))
        if p == 1:
            return a.sum(axis=dims, keepdims=self.keepdim)
        if p == float("inf"):
            return a.max(axis=dims, keepdims=self.keepdim)
        if p == -float("inf"):
            return a.min(axis=dims, keepdims=self.keepdim)
        if p == 0:
            return (a != 0).sum(axis=dims, keepdims=self.keepdim).astype(x.dtype)
        return ((a**p).sum(axis=dims, keepdims=self.keepdim)) ** (1.0 / p)

    def _slope(self) -> Tensor:
        x, out = self.saved_tensors
        p = self.p
        full = _expand_back(out, self.dims, self.keepdim, self.shape)
        if p == 2:
            return where(full == 0, 0.0, x / full)
        if p == 1:
            return x.sign()
        if p == 0:
            return x * 0
        if p in (float("inf"), -float("inf")):
            return x.sign() * _evenly((x.abs() == full).to(x.dtype), self.dims, self.keepdim,
                                      self.shape)
        return where(full == 0, 0.0, x * x.abs() ** (p - 2) / full ** (p - 1))

    def backward(self, g: Tensor) -> Any:
        return _expand_back(g, self.dims, self.keepdim, self.shape) * self._slope()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return (x_dot * self._slope()).sum(self.dims, keepdim=self.keepdim)


class LogSumExp(Primitive):
    """out = log Σ e^x (stable)     VJP: x_bar = g · e^(x - out)     JVP: Σ x_dot · e^(x - out)"""

    op_name = "logsumexp"
    grad_fn_name = "LogsumexpBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, x: Any) -> Any:
        xp = namespace_of(x)
        self.shape = x.shape
        m = x.max(axis=self.dims, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf rows stay -inf, not NaN
        out = xp.log(xp.exp(x - m).sum(axis=self.dims, keepdims=True)) + m
        return out if self.keepdim else out.squeeze(axis=self.dims)

    def _weights(self) -> Tensor:
        x, out = self.saved_tensors
        return (x - _expand_back(out, self.dims, self.keepdim, self.shape)).exp()

    def backward(self, g: Tensor) -> Any:
        return _expand_back(g, self.dims, self.keepdim, self.shape) * self._weights()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return (x_dot * self._weights()).sum(self.dims, keepdim=self.keepdim)


# --- public functions ---------------------------------------------------------------------------


def _float_input(x: Tensor, fname: str, dtype: Any) -> Any:
    if dtype is not None:
        return dtype.np
    if x._data.dtype.kind not in "f":
        raise RuntimeError(
            f"{fname}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_legacy_name(x.dtype)}"
        )
    return None


def _int_accumulator(x: Tensor, dtype: Any) -> Any:
    """Sums of bool and integer tensors are int64 in PyTorch."""
    if dtype is not None:
        return dtype.np
    return np.int64 if x._data.dtype.kind in "biu" else None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
        **kwargs: Any) -> Tensor:  # noqa: A001
    """Sum of all elements, or over `dim` (int, tuple or list)."""
    if dim is None and not kwargs and not keepdim and dtype is None and isinstance(
            input, Tensor) and input._data.dtype.kind == "f":
        return _apply(Sum, (input,), (input._data,), {"dims": None, "keepdim": False,
                                                       "out_dtype": None})
    dims, keepdim = _dims_args(input, dim, keepdim, kwargs)
    name = "SumBackward0" if dims is None else "SumBackward1"
    return _apply(Sum, (input,), (input._data,), {"dims": dims, "keepdim": keepdim,
                  "out_dtype": _int_accumulator(input, dtype), "grad_fn_name": name})


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         **kwargs: Any) -> Tensor:
    """Mean of all elements, or over `dim`; floating-point tensors only, as in PyTorch."""
    out_dtype = _float_input(input, "mean", dtype)
    dims, keepdim = _dims_args(input, dim, keepdim, kwargs)
    name = "MeanBackward0" if dims is None else "MeanBackward1"
    return _apply(Mean, (input,), (input._data,), {"dims": dims, "keepdim": keepdim,
                  "out_dtype": out_dtype, "grad_fn_name": name})


def _correction(unbiased: Any, correction: Any) -> int:
    if correction is not None:
        return int(correction)
    return 1 if unbiased is None or unbiased else 0


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, **kwargs: Any) -> Tensor:
    """Variance (Bessel-corrected by default: divides by n - 1)."""
    if isinstance(dim, bool):  # var(x, False) is the old positional `unbiased`
        unbiased, dim = dim, None
    _float_input(input, "var", None)
    dims, keepdim = _dims_args(input, dim, keepdim, kwargs)
    return _apply(Var, (input,), (input._data,), {"dims": dims, "keepdim": keepdim,
                  "correction": _correction(unbiased, correction)})


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, **kwargs: Any) -> Tensor:
    """Standard deviation: sqrt of `var` with the same arguments."""
    out = sqrt(var(input, dim, unbiased, keepdim, correction=correction, **kwargs))
    if out.grad_fn is not None:
        out.grad_fn.grad_fn_name = "StdBackward0"
    return out


@numpy_names
def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product of all elements, or along one dim."""
    d = None if dim is None else wrap_dim(dim, input._data.ndim)
    if d is not None and input._data.ndim == 0:
        d = None
    return _apply(Prod, (input,), (input._data,), {"dim": d, "keepdim": keepdim,
                  "out_dtype": _int_accumulator(input, dtype)})


class _ReturnType(NamedTuple):
    values: Tensor
    indices: Tensor


def _return_type(kind: str) -> type:
    from .. import return_types

    return getattr(return_types, kind)


def _max_min(input: Tensor, dim: Any, keepdim: bool, other: Any, smallest: bool,
             kwargs: dict[str, Any]) -> Any:
    kind = "min" if smallest else "max"
    if isinstance(dim, Tensor):
        dim, other = None, dim
    if other is not None:
        from .elementwise import maximum, minimum

        return minimum(input, other) if smallest else maximum(input, other)
    if "axis" in kwargs:
        dim = kwargs.pop("axis")
    if "keepdims" in kwargs:
        keepdim = kwargs.pop("keepdims")
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                f"{kind}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        cls = Amin if smallest else Amax
        return _apply(cls, (input,), (input._data,), {
            "dims": None, "keepdim": False,
            "grad_fn_name": "MinBackward1" if smallest else "MaxBackward1"})
    d = wrap_dim(dim, input._data.ndim)
    values, indices = _apply(MaxDim, (input,), (input._data,), {
        "dim": d, "keepdim": bool(keepdim), "smallest": smallest,
        "grad_fn_name": "MinBackward0" if smallest else "MaxBackward0"})
    return _return_type(kind)(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None,
        **kwargs: Any) -> Any:  # noqa: A001
    """The largest element; with `dim`, (values, indices); with a tensor, elementwise max."""
    return _max_min(input, dim, keepdim, other, False, kwargs)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None,
        **kwargs: Any) -> Any:  # noqa: A001
    """The smallest element; with `dim`, (values, indices); with a tensor, elementwise min."""
    return _max_min(input, dim, keepdim, other, True, kwargs)


@numpy_names
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Maximum over dims (all when dim is empty); ties share the gradient evenly."""
    dims = wrap_dims(dim, input._data.ndim) or None
    return _apply(Amax, (input,), (input._data,), {"dims": dims, "keepdim": keepdim})


@numpy_names
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Minimum over dims (all when dim is empty); ties share the gradient evenly."""
    dims = wrap_dims(dim, input._data.ndim) or None
    return _apply(Amin, (input,), (input._data,), {"dims": dims, "keepdim": keepdim})


def _scan_dtype(input: Tensor, dtype: Any) -> Any:
    return dtype.np if dtype is not None else _int_accumulator(input, None)


def cumsum(input: Tensor, dim: Any = None, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Cumulative sum along `dim`."""
    if dim is None:
        dim = kwargs.pop("axis", None)
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional arguments: \"dim\"")
    d = wrap_dim(dim, input._data.ndim)
    x = input if input._data.ndim else input.reshape(1)
    out = _apply(Cumsum, (x,), (x._data,), {"dim": d, "out_dtype": _scan_dtype(input, dtype)})
    return out if input._data.ndim else out.reshape(())


def cumprod(input: Tensor, dim: Any = None, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Cumulative product along `dim`."""
    if dim is None:
        dim = kwargs.pop("axis", None)
    if dim is None:
        raise TypeError("cumprod() missing 1 required positional arguments: \"dim\"")
    d = wrap_dim(dim, input._data.ndim)
    x = input if input._data.ndim else input.reshape(1)
    out = _apply(Cumprod, (x,), (x._data,), {"dim": d, "out_dtype": _scan_dtype(input, dtype)})
    return out if input._data.ndim else out.reshape(())


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector p-norm (2 by default; 'fro' is 2 over all the elements)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            + _legacy_name(input.dtype)
        )
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from .. import linalg

        return linalg.matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim)
    dims = wrap_dims(dim, input._data.ndim)
    return _apply(Norm, (input,), (input._data,), {"p": float(p), "dims": dims,
                                                    "keepdim": keepdim})


@numpy_names
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over dim, computed without overflow."""
    x = input if input._data.dtype.kind == "f" else input.to(D.get_default_dtype())
    dims = wrap_dims(dim, x._data.ndim)
    return _apply(LogSumExp, (x,), (x._data,), {"dims": dims, "keepdim": keepdim})


# --- no gradient --------------------------------------------------------------------------------


def _arg(input: Tensor, dim: Any, keepdim: bool, smallest: bool) -> Tensor:
    xp = namespace_of(input._data)
    pick = xp.argmin if smallest else xp.argmax
    if dim is None:
        out = pick(input._data.reshape(-1)) if input._data.size else None
        if out is None:
            raise RuntimeError(
                "argmax(): Expected reduction dim to be specified for input.numel() == 0."
            )
        out = xp.asarray(out, dtype=np.int64)
        return Tensor._make(out.reshape((1,) * input._data.ndim) if keepdim else out)
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return Tensor._make(xp.zeros((), np.int64))
    out = pick(input._data, axis=d, keepdims=keepdim).astype(np.int64, copy=False)
    return Tensor._make(xp.asarray(out))


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
    """Index of the largest element (flattened, or along `dim`)."""
    return _arg(input, kwargs.get("axis", dim), keepdim, False)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
    """Index of the smallest element (flattened, or along `dim`)."""
    return _arg(input, kwargs.get("axis", dim), keepdim, True)


def _logical_result(out: Any, input: Tensor) -> Tensor:
    # PyTorch keeps uint8 for all/any of a uint8 tensor (a legacy of byte masks); else bool.
    if input._data.dtype == np.uint8:
        out = out.astype(np.uint8)
    return Tensor._make(np.asarray(out) if isinstance(out, np.generic) else out)


def all(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:  # noqa: A001
    """True if every element is nonzero (over all, or along `dim`)."""
    dims, keepdim = _dims_args(input, dim, keepdim, kwargs)
    out = namespace_of(input._data).all(input._data, axis=dims, keepdims=keepdim)
    return _logical_result(out, input)


def any(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:  # noqa: A001
    """True if some element is nonzero (over all, or along `dim`)."""
    dims, keepdim = _dims_args(input, dim, keepdim, kwargs)
    out = namespace_of(input._data).any(input._data, axis=dims, keepdims=keepdim)
    return _logical_result(out, input)


@numpy_names
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are nonzero (over all, or along `dim`)."""
    dims = wrap_dims(dim, input._data.ndim)
    xp = namespace_of(input._data)
    return Tensor._make(xp.asarray(xp.count_nonzero(input._data, axis=dims), dtype=np.int64))
