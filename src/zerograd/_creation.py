"""Creating tensors: from data (`tensor`, `as_tensor`, `from_numpy`), filled (`zeros`, `full`,
`arange`, `eye`, `linspace`, `*_like`) and random (`rand`, `randn`, `randint`, `normal`, ...).

Dtypes are inferred as PyTorch infers them: Python floats give the default dtype (float32),
ints int64, bools bool; NumPy arrays keep their dtype. Random numbers come from zerograd's own
generators (`_generator.py`), never from NumPy's global state. Shapes may be given as varargs
(`zeros(2, 3)`), as one sequence (`zeros((2, 3))`) or with `size=`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from . import _dtype as D
from ._device import as_device
from ._shapes import as_shape
from ._tensor import Tensor
from .backend import cuda, is_array, namespace_for, np, to_host


def _finish(arr: Any, device: Any, requires_grad: bool) -> Tensor:
    """Wrap an array, move it to `device`, and set requires_grad (floats only)."""
    if device is not None:
        dev = as_device(device)
        if dev.type != "cpu":
            namespace_for("cuda")  # torch's error when there is no GPU
            arr = cuda().to_device(arr, dev.index)
        elif not isinstance(arr, np.ndarray):
            arr = arr.get()  # device='cpu' for data that was on a GPU
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _shape(size: tuple[Any, ...], kw: Any) -> tuple[int, ...]:
    if not size and kw is None:  # torch.zeros() needs a size (torch.zeros(()) is 0-d)
        raise TypeError('missing 1 required positional arguments: "size"')
    if kw is not None:
        if size:
            raise TypeError("got multiple values for argument 'size'")
        size = (kw,)
    return _checked(as_shape(size))


def _checked(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A new tensor's shape: negative sizes raise RuntimeError as in torch (NumPy: ValueError)."""
    for n in shape:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: {list(shape)}")
    return shape


def _infer_dtype(data: Any) -> D.dtype:
    """The dtype PyTorch gives `data`: the promotion of its elements' kinds."""
    if isinstance(data, Tensor):
        return data.dtype
    if is_array(data) or isinstance(data, np.generic):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, (bool, int, float)):
        return D.scalar_dtype(data)
    if isinstance(data, (list, tuple)):
        out: D.dtype | None = None
        for item in data:
            d = _infer_dtype(item)
            out = d if out is None else D.promote_types(out, d)
        return out if out is not None else D.get_default_dtype()
    if hasattr(data, "__array__"):
        return D.from_numpy_dtype(np.asarray(data).dtype)
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _ragged_error(data: Any) -> Exception:
    def shape_of(x: Any, depth: int) -> None:
        if not isinstance(x, (list, tuple)) or not x:
            return
        lengths = [len(e) if isinstance(e, (list, tuple)) else None for e in x]
        first = lengths[0]
        for n in lengths:
            if first is None and n is not None:  # a number, then a list: torch's TypeError
                raise TypeError("'list' object cannot be interpreted as an integer")
            if n != first:
                raise ValueError(f"expected sequence of length {first} at dim {depth + 1} "
                                 f"(got {n})")
        for e in x:
            shape_of(e, depth + 1)

    try:
        shape_of(data, 0)
    except (ValueError, TypeError) as e:
        return e
    return ValueError("could not convert the data to a tensor: ragged nested sequences")


def tensor(data: Any, *, dtype: D.dtype | None = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, NumPy arrays, numbers, tensors).

    Example:
        >>> import zerograd as torch
        >>> torch.tensor([[1, 2, 3], [4, 5, 6]])
        tensor([[1, 2, 3],
                [4, 5, 6]])
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
            "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        arr = data.detach()._data.copy()
        if dtype is not None:
            arr = arr.astype(dtype.np)
        return _finish(arr, device if device is not None else data.device, requires_grad)
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if dtype is None and isinstance(data, list) and data and type(data[0]) is int:
        # The common case (a list of Python ints, like d2l's batch indices): NumPy infers
        # int64 exactly as PyTorch does, so skip walking the list in Python.
        try:
            arr = np.array(data)
        except ValueError:
            raise _ragged_error(data) from None
        if arr.dtype == np.int64:
            return _finish(arr, device, requires_grad)
    target = dtype if dtype is not None else _infer_dtype(data)
    try:
        arr = np.array(data.get() if hasattr(data, "get") and is_array(data) else data,
                       dtype=target.np)
    except ValueError:
        raise _ragged_error(data) from None
    except TypeError:  # GPU tensors inside a list: NumPy may not read them, torch does
        if not isinstance(data, (list, tuple)):
            raise
        arr = np.array(_on_host(data), dtype=target.np)
    if arr.dtype.kind in "OUS":
        raise TypeError(f"new(): invalid data type '{arr.dtype}'")
    return _finish(arr, device, requires_grad)


def _on_host(data: Any) -> Any:
    """Nested lists with every tensor in them copied to the CPU."""
    if isinstance(data, Tensor):
        return data.detach().cpu()
    if isinstance(data, (list, tuple)):
        return [_on_host(e) for e in data]
    return data


def as_tensor(data: Any, dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    """Like `tensor`, but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
        D.from_numpy_dtype(data.dtype)
        return _finish(data, device, False)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray: Any) -> Tensor:
    """A tensor sharing memory with a NumPy array (no copy)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _dtype_or_default(dtype: D.dtype | None) -> D.dtype:
    return dtype if dtype is not None else D.get_default_dtype()


def _filled(size: tuple[Any, ...], value: Any, dtype: D.dtype | None, device: Any,
            requires_grad: bool, kw_size: Any = None) -> Tensor:
    shape = _shape(size, kw_size)
    d = _dtype_or_default(dtype)
    return _finish(_constant(shape, value, d.np, device), device, requires_grad)


def _constant(shape: tuple[int, ...], value: int, np_dtype: Any, device: Any) -> Any:
    """zeros or ones, made where they will live (no host array to copy to a GPU)."""
    if device is not None:
        dev = as_device(device)
        if dev.type == "cuda":
            namespace_for("cuda")  # torch's error when there is no GPU
            return cuda().full(shape, value, np_dtype, dev.index)
    return np.full(shape, value, dtype=np_dtype)


def zeros(*size: Any, out: Any = None, dtype: D.dtype | None = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of zeros."""
    return _filled(size, 0, dtype, device, requires_grad, kw.get("size"))


def ones(*size: Any, out: Any = None, dtype: D.dtype | None = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of ones."""
    return _filled(size, 1, dtype, device, requires_grad, kw.get("size"))


def empty(*size: Any, out: Any = None, dtype: D.dtype | None = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, memory_format: Any = None,
          **kw: Any) -> Tensor:
    """An uninitialised tensor (zerograd fills it with zeros, so it is never garbage)."""
    return _filled(size, 0, dtype, device, requires_grad, kw.get("size"))


def full(size: Any, fill_value: Any, *, out: Any = None, dtype: D.dtype | None = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with `fill_value` (its dtype is inferred from the value)."""
    if isinstance(fill_value, (Tensor, np.generic)):  # NumPy scalars count as Python numbers
        fill_value = fill_value.item()
    d = dtype if dtype is not None else D.scalar_dtype(fill_value)
    try:
        arr = np.full(_checked(as_shape((size,))), fill_value, dtype=d.np)
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {d.np.name} without overflow"
                           ) from None
    return _finish(arr, device, requires_grad)


def _like(input: Tensor, value: Any, dtype: D.dtype | None, device: Any,
          requires_grad: bool) -> Tensor:
    d = dtype if dtype is not None else input.dtype
    dev = device if device is not None else input.device
    if value == 0 or value == 1:
        return _finish(_constant(input._data.shape, value, d.np, dev), dev, requires_grad)
    return _finish(np.full(input._data.shape, value, dtype=d.np), dev, requires_grad)


def zeros_like(input: Tensor, *, dtype: D.dtype | None = None, layout: Any = None,
               device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """Zeros with input's shape, dtype and device."""
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input: Tensor, *, dtype: D.dtype | None = None, layout: Any = None,
              device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    """Ones with input's shape, dtype and device."""
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input: Tensor, *, dtype: D.dtype | None = None, layout: Any = None,
               device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """An uninitialised (here: zero) tensor like input."""
    return _like(input, 0, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: D.dtype | None = None,
              layout: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    """`fill_value` everywhere, with input's shape, dtype and device."""
    return _like(input, fill_value, dtype, device, requires_grad)


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, out: Any = None,
           dtype: D.dtype | None = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start (inclusive) to end (exclusive) in steps; int64 if all are ints."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign"
        )
    if dtype is None:
        dtype = D.int64 if all(isinstance(v, int) for v in vals) else D.get_default_dtype()
    n = max(0, math.ceil((end - start) / step))
    if dtype.category < 2:
        arr = (np.arange(n, dtype=np.int64) * step + start).astype(dtype.np)
    else:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dtype.np)
    return _finish(arr, device, requires_grad)


def linspace(start: Any, end: Any, steps: int, *, out: Any = None,
             dtype: D.dtype | None = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end inclusive."""
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    d = _dtype_or_default(dtype)
    arr = np.linspace(float(start), float(end), steps)
    if d.category < 2:
        arr = np.trunc(arr)
    return _finish(arr.astype(d.np), device, requires_grad)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *,
             dtype: D.dtype | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    d = _dtype_or_default(dtype)
    arr = np.logspace(float(start), float(end), steps, base=base)
    return _finish(arr.astype(d.np), device, requires_grad)


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: D.dtype | None = None,
        layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n×m identity matrix."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    d = _dtype_or_default(dtype)
    return _finish(np.eye(n, n if m is None else m, dtype=d.np), device, requires_grad)


# --- random -------------------------------------------------------------------------------------


def _gen(generator: Any) -> Any:
    from ._generator import _gen as pick

    return pick(generator)


def rand(*size: Any, generator: Any = None, out: Any = None, dtype: D.dtype | None = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False,
         **kw: Any) -> Tensor:
    """Samples of U[0, 1)."""
    shape = _shape(size, kw.get("size"))
    d = _dtype_or_default(dtype)
    return _finish(_gen(generator).uniform(shape, 0.0, 1.0, d.np), device, requires_grad)


def randn(*size: Any, generator: Any = None, out: Any = None, dtype: D.dtype | None = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    """Samples of the standard normal distribution N(0, 1)."""
    shape = _shape(size, kw.get("size"))
    d = _dtype_or_default(dtype)
    return _finish(_gen(generator).normal(shape, 0.0, 1.0, d.np), device, requires_grad)


def randint(low: int = 0, high: Any = None, size: Any = None, *, generator: Any = None,
            out: Any = None, dtype: D.dtype | None = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing 1 required positional argument: 'size'")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = dtype if dtype is not None else D.int64
    arr = _gen(generator).randint(int(low), int(high), as_shape((size,)), d.np)
    return _finish(arr, device, requires_grad)


def randperm(n: int, *, generator: Any = None, out: Any = None, dtype: D.dtype | None = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1."""
    d = dtype if dtype is not None else D.int64
    return _finish(_gen(generator).randperm(int(n)).astype(d.np), device, requires_grad)


def rand_like(input: Tensor, *, dtype: D.dtype | None = None, device: Any = None,
              requires_grad: bool = False, **kw: Any) -> Tensor:
    """U[0, 1) samples with input's shape and dtype."""
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: D.dtype | None = None, device: Any = None,
               requires_grad: bool = False, **kw: Any) -> Tensor:
    """N(0, 1) samples with input's shape and dtype."""
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Any = None, *,
                 dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    """Random integers in [low, high) with input's shape and dtype."""
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=device or input.device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           out: Any = None, dtype: D.dtype | None = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std²): numbers with `size`, or elementwise for tensor mean/std."""
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        like = mean if isinstance(mean, Tensor) else std
        # Plain floats, not 0-d arrays: PyTorch rounds the "tensor with a float" forms
        # differently from the all-tensor form, and the generator follows each.
        # The generator runs on the CPU: device data comes over, and the samples go back.
        ma = to_host(mean._data) if isinstance(mean, Tensor) else float(mean)
        sa = to_host(std._data) if isinstance(std, Tensor) else float(std)
        if bool((np.asarray(sa) < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        return _finish(g.normal_tensor(ma, sa, like._data.dtype), like.device, False)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: give `size` "
                        "when mean and std are numbers")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    d = _dtype_or_default(dtype)
    arr = g.normal(as_shape((size,)), float(mean), float(std), d.np)
    return _finish(arr, device, requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """1 with probability input (elementwise), else 0."""
    g = _gen(generator)
    if p is not None:
        out = g.bernoulli_scalar(float(p), input._data.shape, input._data.dtype)
    else:
        out = g.bernoulli_tensor(to_host(input._data), input._data.dtype)
    return _finish(out, input.device, False)  # drawn on the CPU generator, sent back


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """Draw category indices with probabilities proportional to input's rows."""
    out = _gen(generator).multinomial(to_host(input._data), num_samples, replacement)
    return _finish(out, input.device, False)  # drawn on the CPU generator, sent back


def legacy_new(*args: Any, dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    """`torch.Tensor(...)`: float32 data from a sequence, or an uninitialised shape."""
    d = dtype if dtype is not None else D.get_default_dtype()
    if not args:
        return _finish(np.zeros((0,), d.np), device, False)
    if len(args) == 1 and not isinstance(args[0], int):
        data = args[0]
        if isinstance(data, Tensor):
            return data
        if isinstance(data, (tuple, list)) or is_array(data) or hasattr(data, "__array__"):
            return tensor(data, dtype=d, device=device)
    return _filled(args, 0, d, device, False)


class _LegacyTensorType(type):
    """The metaclass of torch.FloatTensor and friends: `isinstance(x, FloatTensor)` asks
    whether x is a CPU float32 tensor, as in PyTorch."""

    dtype: D.dtype

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and not obj.is_cuda

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(name: str, d: D.dtype) -> type:
    def __new__(cls: type, *args: Any, device: Any = None) -> Tensor:
        return legacy_new(*args, dtype=d, device=device)

    return _LegacyTensorType(name, (), {
        "__new__": __new__, "dtype": d,
        "__doc__": f"`{name}(data)` or `{name}(*sizes)`: a {d.name} tensor (legacy form).",
    })


FloatTensor = _legacy_type("FloatTensor", D.float32)
DoubleTensor = _legacy_type("DoubleTensor", D.float64)
HalfTensor = _legacy_type("HalfTensor", D.float16)
LongTensor = _legacy_type("LongTensor", D.int64)
IntTensor = _legacy_type("IntTensor", D.int32)
ShortTensor = _legacy_type("ShortTensor", D.int16)
CharTensor = _legacy_type("CharTensor", D.int8)
ByteTensor = _legacy_type("ByteTensor", D.uint8)
BoolTensor = _legacy_type("BoolTensor", D.bool)
