"""Joining and splitting: cat and stack as primitives; split, chunk, unbind, hstack, vstack
as views or composites of them; and the composites that tile, shift or difference a tensor
along its dims (repeat, tile, repeat_interleave, roll, diff). cat promotes dtypes like any
binary op (float32 with int64 gives float32); stack needs equal shapes.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._shapes import numpy_names, wrap_dim
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import namespace_of


class Cat(Primitive):
    """out = [x1, x2, ...] joined along dim     VJP: x_bar_k = g's k-th piece along dim
    JVP: out_dot = cat of the tangents"""

    op_name = "cat"
    grad_fn_name = "CatBackward0"

    def forward(self, *xs: Any) -> Any:
        # `skipped`: inputs the legacy rule leaves out (1-D empties); they get empty gradients.
        self.sizes = [x.shape[self.dim] for x in xs]
        return namespace_of(xs[0]).concatenate(xs, axis=self.dim)

    def backward(self, g: Tensor) -> Any:
        out, start = [], 0
        sizes = iter(self.sizes)
        for i, (nxt, _) in enumerate(self.next_functions):
            if i in self.skipped:
                out.append(g.new_zeros(0) if nxt is not None else None)
                continue
            n = next(sizes)
            out.append(g.narrow(self.dim, start, n) if nxt is not None else None)
            start += n
        return tuple(out)

    def jvp(self, *x_dots: Tensor) -> Tensor:
        return cat(x_dots, self.dim)


class Stack(Primitive):
    """out = [x1, x2, ...] stacked on a new dim     VJP: x_bar_k = g.select(dim, k)
    JVP: out_dot = stack of the tangents"""

    op_name = "stack"
    grad_fn_name = "StackBackward0"

    def forward(self, *xs: Any) -> Any:
        return namespace_of(xs[0]).stack(xs, axis=self.dim)

    def backward(self, g: Tensor) -> Any:
        return tuple(g.select(self.dim, i) if nf[0] is not None else None
                     for i, nf in enumerate(self.next_functions))

    def jvp(self, *x_dots: Tensor) -> Tensor:
        return stack(x_dots, self.dim)


def _common(tensors: Any, fname: str) -> tuple[tuple[Tensor, ...], list[Any]]:
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    ts = tuple(tensors)
    if not ts:  # torch's classes differ here: ValueError from cat, RuntimeError from stack
        if fname == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{fname}(): expected a non-empty list of Tensors")
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {ts.index(t)} in argument 0, but got "
                            f"{type(t).__name__}")
    rt = D.result_type(*[_Dimmed(t) for t in ts])
    arrays = [t._data if t._data.dtype == rt.np else t._data.astype(rt.np) for t in ts]
    return ts, arrays


class _Dimmed:
    """cat promotes all inputs as equals (0-d or not), so present each as dimensioned."""

    def __init__(self, t: Tensor) -> None:
        self.dtype, self.ndim = t.dtype, 1


def cat(tensors: Any, dim: int = 0, *, out: Any = None, axis: Any = None) -> Tensor:
    """Join tensors along an existing dim."""
    if axis is not None:
        dim = axis
    ts, arrays = _common(tensors, "cat")
    # Legacy rule kept by PyTorch: 1-D empty tensors are skipped.
    keep = [i for i, a in enumerate(arrays) if not (a.ndim == 1 and a.shape[0] == 0)]
    skipped: tuple[int, ...] = ()
    if len(keep) != len(arrays) and keep:
        skipped = tuple(i for i in range(len(arrays)) if i not in keep)
        arrays = [arrays[i] for i in keep]  # the skipped stay inputs: torch gives them a grad
    ref = arrays[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, ref.ndim)
    for i, a in enumerate(arrays):
        if a.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}"
            )
        for k in range(ref.ndim):
            if k != d and a.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in the list."
                )
    return _apply(Cat, ts, arrays, {"dim": d, "skipped": skipped})


concat = concatenate = cat


@numpy_names
def stack(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors of equal shape along a new dim."""
    ts, arrays = _common(tensors, "stack")
    d = wrap_dim(dim, arrays[0].ndim + 1)
    for i, a in enumerate(arrays):
        if a.shape != arrays[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(arrays[0].shape)} "
                f"at entry 0 and {list(a.shape)} at entry {i}"
            )
    return _apply(Stack, ts, arrays, {"dim": d})


def hstack(tensors: Any) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    ts = tuple(tensors)
    return cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """Join along dim 0, treating 1-D tensors as rows."""
    return cat([t.reshape(1, -1) if t.dim() == 1 else t for t in tensors], 0)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of `split_size` along dim (the last may be smaller), or of the given sizes."""
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    out, start = [], 0
    for s in sizes:
        out.append(tensor.narrow(d, start, s))
        start += s
    return tuple(out)


@numpy_names
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into `chunks` pieces of (nearly) equal size along dim."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 1
    return split(input, size, dim)


@numpy_names
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along dim, with that dim removed."""
    d = wrap_dim(dim, input._data.ndim)
    return tuple(input.select(d, i) for i in range(input._data.shape[d]))


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into n nearly equal pieces, or at the given indices."""
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        cuts = [0, *indices_or_sections, n]
        sizes = [max(0, b - a) for a, b in zip(cuts, cuts[1:])]
    return split(input, sizes, d)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor: repeat(2, 1) stacks two copies along dim 0 (a copy, not a view)."""
    from .._shapes import as_shape
    from .movement import Reshape

    reps = as_shape(sizes)
    nd = input._data.ndim
    if len(reps) < nd:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor (repeat dims {list(reps)}, tensor shape {list(input.shape)})"
        )
    shape = (1,) * (len(reps) - nd) + tuple(input._data.shape)
    # (s0, s1) -> (1, s0, 1, s1) -> expand to (r0, s0, r1, s1) -> (r0*s0, r1*s1)
    spread = tuple(d for s in shape for d in (1, s))
    target = tuple(d for r, s in zip(reps, shape) for d in (r, s))
    out = input.reshape(spread).expand(target)
    final = tuple(r * s for r, s in zip(reps, shape))
    return _apply(Reshape, (out,), (out._data,), {"shape": final, "must_view": False,
                                                   "grad_fn_name": "RepeatBackward0"})


def tile(input: Tensor, dims: Any) -> Tensor:
    """Like repeat, with missing leading repetitions taken as 1."""
    reps = tuple(dims)
    nd = input._data.ndim
    return repeat(input, (1,) * max(0, nd - len(reps)) + reps)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element `repeats` times (an int or one count per element) along dim."""
    from .indexing import index_select

    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, x._data.ndim)
    xp = namespace_of(x._data)
    n = x._data.shape[d]
    counts = repeats._data if isinstance(repeats, Tensor) else repeats
    if isinstance(counts, int) or getattr(counts, "ndim", 1) == 0:
        counts = int(counts)
        if counts < 0:
            raise RuntimeError("repeats can not be negative")
    elif len(counts) != n:
        raise RuntimeError(
            f"repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{len(counts)} and input.size({d}) = {n}"
        )
    index = xp.repeat(xp.arange(n), counts)
    return index_select(x, d, Tensor._make(index.astype("int64")))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along dims, wrapping around; with no dims, over the flattened tensor."""
    if dims is None:
        if not isinstance(shifts, int):
            shifts = tuple(shifts)
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                                   "dims:0")
            shifts = shifts[0]
        return roll(input.reshape(-1), shifts, 0).reshape(input.shape)
    shifts_t = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims_t = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:{len(dims_t)}"
        )
    out = input
    for shift, dim in zip(shifts_t, dims_t):
        d = wrap_dim(dim, out._data.ndim)
        n = out._data.shape[d]
        k = shift % n if n else 0
        if k:
            out = cat([out.narrow(d, n - k, k), out.narrow(d, 0, n - k)], d)
    return out if out is not input else input.clone()


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """Differences of neighbours along dim, n times: out[i] = x[i+1] - x[i]."""
    d = wrap_dim(dim, input._data.ndim)
    x = input
    parts = [t for t in (prepend, x, append) if t is not None]
    if len(parts) > 1:
        x = cat(parts, d)
    for _ in range(n):
        size = x._data.shape[d]
        if size == 0:
            break
        x = x.narrow(d, 1, size - 1) - x.narrow(d, 0, size - 1)
    return x
