"""Indexing: `x[key]` (Index), its adjoint (IndexScatter), and `x[key] = v` (IndexPut).

Keys follow PyTorch: ints, negative ints, slices with positive steps, `...`, `None`, integer
and boolean tensors, lists. Basic keys give views (they share storage and version counter);
tensor and list keys give copies. Gradients of repeated indices add up (`x[[0, 0]]`).
"""

from __future__ import annotations

from typing import Any

from .._device import device_of
from .._shapes import numpy_names
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply, onto
from ..autograd.grad_mode import state
from ..backend import cpu, cuda, cuda_in_use, is_array, namespace_of, np


def _is_advanced(k: Any) -> bool:
    return is_array(k) or isinstance(k, list)


def _part(k: Any) -> Any:
    """One element of a key in the form the backend understands."""
    if isinstance(k, Tensor):
        a = k._data
        if a.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if a.ndim == 0 and a.dtype.kind in "iu":
            return int(a)  # a 0-d integer tensor indexes like an int (a view), as in torch
        return a
    if isinstance(k, slice):
        if k.step is not None and int(k.step) <= 0:
            raise ValueError("step must be greater than zero")
        return slice(*(int(v) if v is not None else None for v in (k.start, k.stop, k.step)))
    if isinstance(k, (list, tuple)):
        if any(isinstance(e, (slice, type(...))) for e in k):
            return tuple(_part(e) for e in k)
        return np.asarray([int(e) if isinstance(e, Tensor) else e for e in k])
    if isinstance(k, range):
        return np.arange(k.start, k.stop, k.step)
    if k is None or k is Ellipsis or isinstance(k, (int, np.integer)) or is_array(k):
        return k
    if isinstance(k, bool):
        return k
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(k).__name__})"
    )


def normalize_key(key: Any) -> tuple[Any, ...]:
    """A tuple key with tensors turned into arrays and torch's rules checked."""
    if not isinstance(key, tuple):
        key = (key,)
    return tuple(_part(k) for k in key)


def _grad_fn_name(key: tuple[Any, ...]) -> str:
    """PyTorch names the node after the last step it applies (select, slice, ...)."""
    if any(_is_advanced(k) for k in key):
        return "IndexBackward0"
    name = "AliasBackward0"
    for k in key:
        if isinstance(k, (int, np.integer)):
            name = "SelectBackward0"
        elif isinstance(k, slice) and k != slice(None):
            name = "SliceBackward0"
        elif k is None:
            name = "UnsqueezeBackward0"
    return name


class Index(Primitive):
    """out = x[key]     VJP: x_bar = zeros(x.shape) with g added at key     JVP: x_dot[key]"""

    op_name = "index"
    grad_fn_name = "IndexBackward0"
    is_view = True

    def forward(self, x: Any) -> Any:
        self.in_shape = x.shape
        key = self.key
        if not self.advanced and Ellipsis not in key:
            # NumPy returns a copied scalar for a[0] on 1-D a, but a 0-d view for a[0, ...]:
            # PyTorch's x[0] is a view (x[0].fill_(5) changes x), so we ask for the view.
            key = key + (Ellipsis,)
        return x[key]

    def backward(self, g: Tensor) -> Any:
        return _apply(IndexScatter, (g,), (g._data,), {"key": self.key, "shape": self.in_shape,
                                                       "advanced": self.advanced})

    def jvp(self, x_dot: Tensor) -> Tensor:
        return _apply(Index, (x_dot,), (x_dot._data,), {"key": self.key,
                                                        "advanced": self.advanced})


class IndexScatter(Primitive):
    """out = zeros(shape); out[key] += g (repeats add)     VJP: g_bar = out_bar[key]
    JVP: the same scatter of g_dot"""

    op_name = "index_scatter"
    grad_fn_name = "IndexBackwardBackward0"

    def forward(self, g: Any) -> Any:
        xp = namespace_of(g)
        out = xp.zeros(self.shape, dtype=g.dtype)
        if self.advanced:
            (cpu if xp is np else cuda()).scatter_add(out, self.key, g)
        else:
            out[self.key] = g
        return out

    def backward(self, gg: Tensor) -> Any:
        return _apply(Index, (gg,), (gg._data,), {"key": self.key, "advanced": self.advanced})

    def jvp(self, g_dot: Tensor) -> Tensor:
        return _apply(IndexScatter, (g_dot,), (g_dot._data,), {
            "key": self.key, "shape": self.shape, "advanced": self.advanced})


class IndexPut(Primitive):
    """out = x with out[key] = v     VJP: x_bar = g with g[key] = 0, v_bar = g[key]
    JVP: x_dot with x_dot[key] = v_dot"""

    op_name = "index_put"
    grad_fn_name = "IndexPutBackward0"

    def forward(self, x: Any, v: Any) -> Any:
        out = x.copy()
        out[self.key] = v
        return out

    def backward(self, g: Tensor) -> Any:
        gx = _apply(IndexPut, (g, 0), (g._data, 0), {"key": self.key, "advanced": self.advanced})
        gv = None
        if self.next_functions[1][0] is not None:
            gv = _apply(Index, (g,), (g._data,), {"key": self.key, "advanced": self.advanced})
        return gx, gv

    def jvp(self, x_dot: Tensor, v_dot: Any) -> Tensor:
        va = v_dot._data if isinstance(v_dot, Tensor) else v_dot
        return _apply(IndexPut, (x_dot, v_dot), (x_dot._data, va),
                      {"key": self.key, "advanced": self.advanced})


def getitem(x: Tensor, key: Any) -> Tensor:
    """x[key] with PyTorch's semantics (views for basic keys, copies for tensor keys)."""
    k = normalize_key(key)
    advanced = any(_is_advanced(p) for p in k)
    if advanced and cuda_in_use[0]:
        _check_key_device(x, k)
    try:
        return _apply(Index, (x,), (x._data,), {"key": k, "advanced": advanced,
                                                "grad_fn_name": _grad_fn_name(k)})
    except IndexError as e:
        raise IndexError(_torch_index_message(str(e), x, k)) from None


def _check_key_device(x: Tensor, key: tuple[Any, ...]) -> None:
    """Index tensors may live on the CPU or on x's device, as in torch; indexing a GPU tensor,
    they must be in range too: CuPy does not check (torch's CUDA kernels assert), so we do,
    with the CPU's error (this waits for the GPU, once per indexing with integer tensors)."""
    where = device_of(x._data)
    shape = x._data.shape
    dim = 0
    for i, part in enumerate(key):
        if part is Ellipsis:
            dim = len(shape) - sum(_consumes(p) for p in key[i + 1:])
            continue
        if is_array(part):
            if not isinstance(part, np.ndarray) and device_of(part) != where:
                raise RuntimeError("indices should be either on cpu or on the same device as "
                                   f"the indexed tensor ({where})")
            if where.type == "cuda" and part.dtype.kind in "iu" and part.size and \
                    dim < len(shape):
                n = shape[dim]
                bad = (part < -n) | (part >= n)
                if bool(bad.any()):
                    value = int(part[bad].ravel()[0])
                    raise IndexError(f"index {value} is out of bounds for dimension {dim} "
                                     f"with size {n}")
        dim += _consumes(part)


def _torch_index_message(msg: str, x: Tensor, key: tuple[Any, ...] = ()) -> str:
    if "too many indices" in msg:
        return f"too many indices for tensor of dimension {x._data.ndim}"
    if "boolean index did not match" in msg:
        return _mask_message(key, x._data.shape) or msg
    return msg.replace("axis", "dimension")


def _consumes(part: Any) -> int:
    """How many of the tensor's dims one part of a key indexes."""
    if part is None or isinstance(part, bool):
        return 0
    if is_array(part) and part.dtype.kind == "b":
        return int(part.ndim)
    return 1


def _mask_message(key: tuple[Any, ...], shape: tuple[int, ...]) -> str | None:
    """PyTorch's words for a boolean mask whose shape does not fit the dims it indexes."""
    dim = 0
    for i, part in enumerate(key):
        if part is Ellipsis:
            dim = len(shape) - sum(_consumes(p) for p in key[i + 1:])
            continue
        if is_array(part) and part.dtype.kind == "b":
            for j, n in enumerate(part.shape):
                if dim + j < len(shape) and shape[dim + j] != n:
                    return (f"The shape of the mask {list(part.shape)} at index {j} does not "
                            f"match the shape of the indexed tensor {list(shape)} at index "
                            f"{dim + j}")
        dim += _consumes(part)
    return None


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """x[key] = value, in place, broadcasting value; recorded by autograd when needed."""
    from .inplace import commit, dual, prepare

    k = normalize_key(key)
    advanced = any(_is_advanced(p) for p in k)
    if advanced and cuda_in_use[0]:
        _check_key_device(x, k)
    if isinstance(value, Tensor):
        va = onto(x._data, value._data) if cuda_in_use[0] else value._data
    elif is_array(value) or isinstance(value, (list, tuple)):
        value = Tensor._make(namespace_of(x._data).asarray(value))
        va = value._data
    else:
        va = value
    tracking = state.enabled and (
        x.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    ) or dual(x, value)
    prepare(x)
    if not tracking:
        _write(x._data, k, va, x)
        x._vc[0] += 1
        return
    commit(x, lambda old: _apply(IndexPut, (old, value), (old._data, va),
                                 {"key": k, "advanced": advanced}))


def _write(target: Any, key: tuple[Any, ...], va: Any, x: Tensor) -> None:
    try:
        target[key] = va
    except ValueError as e:
        msg = str(e)
        if "read-only" in msg:
            from .inplace import overlap_error

            raise overlap_error() from None
        if "broadcast" in msg or "shape" in msg or "cannot assign" in msg:
            region = target[key].shape
            vshape = getattr(va, "shape", ())
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
                f"indexing result of shape {list(region)}"
            ) from None
        raise
    except IndexError as e:
        raise IndexError(_torch_index_message(str(e), x, key)) from None


@numpy_names
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries at `index` (1-D integer tensor) along `dim`."""
    from .._shapes import wrap_dim

    d = wrap_dim(dim, input._data.ndim)
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    size = input._data.shape[d] if input._data.ndim else 1
    if index._data.size and not (0 <= int(index._data.min()) and
                                 int(index._data.max()) < size):
        raise IndexError("index out of range in self")
    return getitem(input, (slice(None),) * d + (index,))


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """A copy of input with `value` where mask is True (mask broadcasts)."""
    from .elementwise import where

    v = value.to(input.dtype) if isinstance(value, Tensor) else value
    return where(mask, v, input).to(input.dtype)


@numpy_names
def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim=0 (and so on): values picked along dim."""
    from .._shapes import wrap_dim

    d = wrap_dim(dim, input._data.ndim)
    xp = namespace_of(index._data)
    grids = xp.meshgrid(*[xp.arange(s) for s in index._data.shape], indexing="ij")
    key = tuple(index._data if i == d else grids[i] for i in range(index._data.ndim))
    return getitem(input, key)
