"""Movement primitives: reshape/view, permute/transpose, expand, flip; dtype and device casts
and clone. The views among them share storage with their input, as in PyTorch
(`b = a.reshape(3, 4); b[:] = 2` changes `a`), and so share its version counter.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._device import as_device
from .._shapes import as_shape, numpy_names, wrap_dim, wrap_dims
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import cuda, namespace_for, namespace_of, np, shims_of


class Reshape(Primitive):
    """out = x with a new shape (same elements, row-major)     VJP: g.reshape(x.shape)
    JVP: x_dot.reshape(out.shape)"""

    op_name = "reshape"
    grad_fn_name = "ViewBackward0"
    is_view = True

    def forward(self, x: Any) -> Any:
        self.in_shape = x.shape
        if self.must_view:
            return _view_reshape(x, self.shape)
        return x.reshape(self.shape)

    def backward(self, g: Tensor) -> Any:
        return g.reshape(self.in_shape)

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.reshape(self.shape)


def _view_reshape(x: Any, shape: tuple[int, ...]) -> Any:
    """A reshape that never copies: RuntimeError (as torch.view) when strides do not allow it."""
    try:
        return namespace_of(x).reshape(x, shape, copy=False)
    except (ValueError, TypeError):
        pass
    if x.flags.c_contiguous or x.size <= 1:
        return x.reshape(shape)
    out = x.view()
    try:
        out.shape = shape  # NumPy raises instead of copying when strides don't allow it
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return out


class Permute(Primitive):
    """out = x with dims reordered     VJP: g.permute(inverse order)     JVP: x_dot.permute(dims)"""

    op_name = "permute"
    grad_fn_name = "PermuteBackward0"
    is_view = True

    def forward(self, x: Any) -> Any:
        return x.transpose(self.dims)

    def backward(self, g: Tensor) -> Any:
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return g.permute(inverse)

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.permute(self.dims)


class Expand(Primitive):
    """out = x broadcast to a shape (a view)     VJP: x_bar = g (the engine sums it back)
    JVP: x_dot.expand(shape)"""

    op_name = "expand"
    grad_fn_name = "ExpandBackward0"
    is_view = True

    def forward(self, x: Any) -> Any:
        return shims_of(x).broadcast_view(x, self.shape)

    def backward(self, g: Tensor) -> Any:
        return g  # Note [Broadcasting in backward]: the engine sums g back to x's shape

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.expand(self.shape)


class Flip(Primitive):
    """out = x reversed along dims (a copy, as in PyTorch)     VJP: g.flip(dims)
    JVP: x_dot.flip(dims)"""

    op_name = "flip"
    grad_fn_name = "FlipBackward0"

    def forward(self, x: Any) -> Any:
        return namespace_of(x).flip(x, self.dims).copy()

    def backward(self, g: Tensor) -> Any:
        return g.flip(self.dims)

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.flip(self.dims)


class Cast(Primitive):
    """out = x converted to another dtype and/or device     VJP: g moved back (the engine casts
    it back to x's dtype)     JVP: x_dot converted the same way"""

    op_name = "cast"
    grad_fn_name = "ToCopyBackward0"

    def forward(self, x: Any) -> Any:
        self.src_device = _device_of(x)
        if self.device is not None and self.device != self.src_device:
            x = _move(x, self.device)
        if self.dtype is not None and x.dtype != self.dtype.np:
            return x.astype(self.dtype.np)
        return x if self.device is not None and self.device != self.src_device else x.copy()

    def backward(self, g: Tensor) -> Any:
        if self.device is not None and self.device != self.src_device:
            return g.to(self.src_device)
        return g

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.to(device=self.device, dtype=self.dtype)


def _device_of(x: Any) -> Any:
    from .._device import CPU, device

    return CPU if isinstance(x, np.ndarray) else device("cuda", x.device.id)


def _move(x: Any, dev: Any) -> Any:
    if dev.type == "cpu":
        return x.get()
    namespace_for("cuda")  # torch's error when there is no GPU
    return cuda().to_device(x, dev.index)


class Clone(Primitive):
    """out = a copy of x        VJP: x_bar = g        JVP: out_dot = x_dot.clone()

    The copy keeps x's memory layout (NumPy's order "K" is PyTorch's preserve_format: a
    transposed x gives a transposed copy), unless `contiguous` asks for row-major.
    """

    op_name = "clone"
    grad_fn_name = "CloneBackward0"

    def forward(self, x: Any) -> Any:
        if getattr(self, "contiguous", False):
            return namespace_of(x).ascontiguousarray(x).copy() if x.ndim else x.copy()
        return x.copy(order="K")

    def backward(self, g: Tensor) -> Any:
        return g

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot.clone()


# --- public functions ---------------------------------------------------------------------------


def _infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Resolve one -1 in a shape, with PyTorch's errors."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (a view when the layout allows, else a copy)."""
    new = _infer_shape(as_shape(shape), input._data.size)
    if new == input._data.shape and input.grad_fn is None and not input.requires_grad:
        return input.view_as(input) if False else _apply(
            Reshape, (input,), (input._data,), {"shape": new, "must_view": False})
    return _apply(Reshape, (input,), (input._data,), {"shape": new, "must_view": False})


def view(input: Tensor, *shape: Any) -> Tensor:
    """The same storage seen with a new shape; RuntimeError when the strides don't allow it."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise NotImplementedError("zerograd does not implement Tensor.view(dtype) yet")
    new = _infer_shape(as_shape(shape), input._data.size)
    return _apply(Reshape, (input,), (input._data,), {"shape": new, "must_view": True})


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """view(other.shape)."""
    return view(input, other._data.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """reshape(other.shape)."""
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split one dim into several."""
    d = wrap_dim(dim, input._data.ndim)
    shape = input._data.shape
    sizes = _infer_shape(tuple(sizes), shape[d])
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


@numpy_names
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dims of size 1 (all, or the given ones)."""
    shape = input._data.shape
    dims = wrap_dims(dim, input._data.ndim) if dim is not None else None
    new = tuple(s for i, s in enumerate(shape) if not (s == 1 and (dims is None or i in dims)))
    name = "SqueezeBackward0" if dim is None else "SqueezeBackward1"
    return _apply(Reshape, (input,), (input._data,), {"shape": new, "must_view": True,
                                                       "grad_fn_name": name})


@numpy_names
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at `dim`."""
    d = wrap_dim(dim, input._data.ndim + 1)
    shape = input._data.shape
    return _apply(Reshape, (input,), (input._data,), {
        "shape": shape[:d] + (1,) + shape[d:], "must_view": True,
        "grad_fn_name": "UnsqueezeBackward0"})


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims (a view)."""
    nd = input._data.ndim
    order = as_shape(dims)
    if len(order) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(order)}"
        )
    order = tuple(wrap_dims(order, nd) or ())
    return _apply(Permute, (input,), (input._data,), {"dims": order})


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    nd = input._data.ndim
    a, b = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    order = list(range(nd))
    order[a], order[b] = order[b], order[a]
    return _apply(Permute, (input,), (input._data,), {"dims": tuple(order),
                                                       "grad_fn_name": "TransposeBackward0"})


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a matrix (1-D and 0-D tensors are returned as they are)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    order = (1, 0) if nd == 2 else tuple(range(nd))
    return _apply(Permute, (input,), (input._data,), {"dims": order,
                                                       "grad_fn_name": "TBackward0"})


def T(input: Tensor) -> Tensor:
    """All dims reversed (`x.T`); PyTorch deprecates it for tensors that are not 2-D."""
    if input._data.ndim != 2:
        import warnings

        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return _apply(Permute, (input,), (input._data,),
                  {"dims": tuple(range(input._data.ndim))[::-1]})


def mT(input: Tensor) -> Tensor:
    """The last two dims swapped (`x.mT`, batched matrix transpose)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims to new positions, keeping the others in order."""
    nd = input._data.ndim
    src = wrap_dims(source if not isinstance(source, int) else [source], nd) or ()
    dst = wrap_dims(destination if not isinstance(destination, int) else [destination], nd) or ()
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to a larger shape without copying (-1 keeps a dim)."""
    shape = as_shape(sizes)
    old = input._data.shape
    if len(shape) < len(old):
        raise RuntimeError(
            f"expand({input.type()}{{{list(old)}}}, size={list(shape)}): the number of sizes "
            f"provided ({len(shape)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(old)})"
        )
    lead = len(shape) - len(old)
    new = []
    for i, s in enumerate(shape):
        o = old[i - lead] if i >= lead else None
        if s == -1:
            if o is None:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dim")
            s = o
        elif o is not None and o != 1 and o != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({o}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(shape)}.  Tensor sizes: "
                f"{list(old)}"
            )
        new.append(s)
    return _apply(Expand, (input,), (input._data,), {"shape": tuple(new)})


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """expand(other.shape)."""
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, shape: Any) -> Tensor:
    """expand(shape)."""
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Expand all tensors to their common broadcast shape."""
    from .._shapes import broadcast_shapes

    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along dims (a copy)."""
    d = wrap_dims(dims, input._data.ndim) or ()
    return _apply(Flip, (input,), (input._data,), {"dims": d})


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy with its own storage (the graph still connects it to input)."""
    row_major = memory_format is not None and str(memory_format) == "torch.contiguous_format"
    return _apply(Clone, (input,), (input._data,), {"contiguous": row_major})


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """Itself if row-major without gaps, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return _apply(Clone, (input,), (input._data,), {"contiguous": True})


def parse_to_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, bool]:
    """(device, dtype, copy) from the forms `.to()` takes on tensors and modules: to(dtype),
    to(device), to(other tensor), to(device, dtype), keywords, non_blocking anywhere."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, bool):
            continue  # non_blocking given positionally
        elif a is not None:
            dev = a
    return dev, dtype, bool(copy)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Convert to a dtype and/or device: to(dtype), to(device), to(other), to(device, dtype)."""
    dev, dtype, copy = parse_to_args(args, kwargs)
    dev = as_device(dev) if dev is not None else None
    same_dtype = dtype is None or dtype.np == input._data.dtype
    same_device = dev is None or dev == input.device
    if same_dtype and same_device and not copy:
        return input
    return _apply(Cast, (input,), (input._data,), {"dtype": dtype, "device": dev})


def type_(input: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """With no argument, the legacy type name ('torch.FloatTensor'); else to(dtype)."""
    if dtype is None:
        from .elementwise import _legacy_name

        prefix = "torch.cuda." if input.is_cuda else "torch."
        return prefix + _legacy_name(input.dtype) + "Tensor"
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1].replace("Tensor", "")
        table = {"Float": D.float32, "Double": D.float64, "Half": D.float16, "Long": D.int64,
                 "Int": D.int32, "Short": D.int16, "Char": D.int8, "Byte": D.uint8,
                 "Bool": D.bool}
        # a legacy type name names a device too: 'torch.cuda.FloatTensor' or the CPU's
        return to(input, table[name], device="cuda" if ".cuda." in dtype else "cpu")
    if not isinstance(dtype, D.dtype) and isinstance(getattr(dtype, "dtype", None), D.dtype):
        return to(input, dtype.dtype, device="cpu")  # x.type(torch.FloatTensor): a CPU type
    return to(input, dtype)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """input.type(other.type()): other's dtype and device."""
    return to(input, other.dtype, device=other.device)


def _caster(d: D.dtype) -> Any:
    def cast(input: Tensor, memory_format: Any = None) -> Tensor:
        return to(input, d)

    cast.__name__ = d.name
    cast.__doc__ = f"to(torch.{d.name})."
    return cast


float_, double, half, long, int_, short, bool_, byte, char = (
    _caster(d) for d in (D.float32, D.float64, D.float16, D.int64, D.int32, D.int16, D.bool,
                         D.uint8, D.int8)
)


def _narrow_key(nd: int, dim: int, start: int, length: int) -> tuple[Any, ...]:
    return (slice(None),) * dim + (slice(start, start + length),)


@numpy_names
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The slice [start, start + length) along dim (a view)."""
    from .indexing import getitem

    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return getitem(input, _narrow_key(input._data.ndim, d, start, length))


@numpy_names
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` along `dim`, with that dim removed (a view)."""
    from .indexing import getitem

    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return getitem(input, (slice(None),) * d + (index,))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims; the rest zeroed."""
    rows, cols = input._data.shape[-2:]
    mask = namespace_of(input._data).tri(rows, cols, diagonal, dtype=bool)  # on x's device
    return _masked(input, mask)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims; the rest zeroed."""
    rows, cols = input._data.shape[-2:]
    mask = ~namespace_of(input._data).tri(rows, cols, diagonal - 1, dtype=bool)
    return _masked(input, mask)


def _masked(input: Tensor, mask: Any) -> Tensor:
    from .elementwise import where

    xp = namespace_of(input._data)
    return where(Tensor._make(xp.asarray(mask)), input, 0)
