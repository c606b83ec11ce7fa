"""A NumPy-backed stand-in for CuPy, so machines without a GPU run zerograd's CUDA code paths.

`installed()` puts it behind `zerograd.backend.cuda` for the duration of a `with` block: then
`zerograd.cuda.is_available()` is True, `device='cuda'` makes tensors whose data is a
`fake_cupy.ndarray`, and every kernel zerograd runs on them goes through this module, as it
would go through CuPy on a GPU. What lives here is only what makes the fake *behave* like CuPy
where zerograd could go wrong:

- `ndarray` wraps a NumPy array but is not one: `isinstance(a, numpy.ndarray)` is False, and
  `np.asarray(a)` raises TypeError, as CuPy's `__array__` does. NumPy functions and ufuncs
  called on it run this module's function of the same name, as CuPy dispatches them (and fail
  where CuPy has no such function, or for ufunc methods such as `np.add.at`).
- NumPy arrays are not accepted as operands (CuPy: "Unsupported type"), only Python and NumPy
  scalars; host data reaches the device only through `asarray`/`array`, setitem and indices.
- Results are never NumPy scalars: reductions and `a[i]` give 0-d arrays, as in CuPy.
- Arrays live on a device (`a.device.id`); operating on one away from the current device raises
  CuPy's ValueError. Two devices are simulated, so cuda:1 paths run too.
- `cupy.linalg` does not raise on singular input unless `cupyx.errstate(linalg='raise')`;
  out-of-range integer indices are not checked (they wrap around) as CuPy does not check them.

Not simulated: asynchronous execution, streams, memory-pool block sizes, NEP 50 promotion
corner cases where CuPy differs from NumPy 2.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import types
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

N_DEVICES = 2
_tls = threading.local()  # the current device and cupyx.errstate, per thread (as in CuPy)


def _current() -> int:
    return getattr(_tls, "device", 0)


# --- cupy.cuda ---------------------------------------------------------------------------------


class CUDARuntimeError(RuntimeError):
    """cupy_backends.cuda.api.runtime.CUDARuntimeError."""


class Device:
    """cupy.cuda.Device: a context manager that makes a device current."""

    def __init__(self, device: Any = None) -> None:
        self.id = _current() if device is None else int(device)
        if not 0 <= self.id < N_DEVICES:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        self._prev: list[int] = []

    def __enter__(self) -> Device:
        self._prev.append(_current())
        _tls.device = self.id
        return self

    def __exit__(self, *exc: Any) -> None:
        _tls.device = self._prev.pop()

    def use(self) -> None:
        """Make this device current."""
        _tls.device = self.id

    def synchronize(self) -> None:
        """Nothing is asynchronous here."""

    @property
    def compute_capability(self) -> str:
        """An H100's."""
        return "90"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<CUDA Device {self.id}>"


def _get_device_count() -> int:
    return N_DEVICES


def _set_device(i: int) -> None:
    Device(i).use()


def _properties(i: int) -> dict[str, Any]:
    Device(i)
    return {"name": b"Fake CUDA device (NumPy)", "totalGlobalMem": 80 * 2**30,
            "major": 9, "minor": 0, "multiProcessorCount": 132}


runtime = types.SimpleNamespace(
    getDeviceCount=_get_device_count, getDevice=_current, setDevice=_set_device,
    deviceSynchronize=lambda: None, getDeviceProperties=_properties,
    CUDARuntimeError=CUDARuntimeError, runtimeGetVersion=lambda: 12080,
    memGetInfo=lambda: (70 * 2**30, 80 * 2**30),
)
cuda = types.SimpleNamespace(Device=Device, runtime=runtime, is_available=lambda: True,
                             get_device_id=_current)


class _MemoryPool:
    """cupy.get_default_memory_pool(): bytes held by live arrays that own their memory."""

    def __init__(self) -> None:
        self.live: dict[int, Any] = {}  # id -> weak reference (device arrays are unhashable)

    def add(self, a: ndarray) -> None:
        key = id(a)
        self.live[key] = weakref.ref(a, lambda _, k=key: self.live.pop(k, None))

    def used_bytes(self) -> int:
        """Bytes of the arrays alive on the current device."""
        arrays = [r() for r in list(self.live.values())]
        return sum(a._a.nbytes for a in arrays if a is not None and a._dev == _current())

    def total_bytes(self) -> int:
        """The same (nothing is cached)."""
        return self.used_bytes()

    def free_all_blocks(self) -> None:
        """Nothing is cached."""


_pool = _MemoryPool()


def get_default_memory_pool() -> _MemoryPool:
    """The one memory pool."""
    return _pool


# --- ndarray ----------------------------------------------------------------------------------


class _Flags:
    def __init__(self, a: np.ndarray, owner: bool) -> None:
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = owner


class _Pointer:
    def __init__(self, a: np.ndarray, dev: int) -> None:
        self.ptr = a.__array_interface__["data"][0]
        self.device_id = dev


def _host_error(x: Any) -> TypeError:
    return TypeError(f"Unsupported type {type(x)}")


def _check_device(a: ndarray) -> None:
    cur = _current()
    if a._dev != cur:
        raise ValueError(
            f"Array device must be same as the current device: array device = {a._dev} "
            f"while current = {cur}")


def _in(x: Any, host_ok: bool = False) -> Any:
    """An argument as NumPy sees it: our arrays unwrapped (on the current device only)."""
    if isinstance(x, ndarray):
        _check_device(x)
        return x._a
    if isinstance(x, np.ndarray):
        if host_ok:
            return x
        raise _host_error(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_in(e, host_ok) for e in x)
    return x


def _key(k: Any) -> Any:
    """An index key: our arrays unwrapped; lists and NumPy arrays accepted (CuPy copies them)."""
    if isinstance(k, tuple):
        return tuple(_key(e) for e in k)
    if isinstance(k, ndarray):
        _check_device(k)
        return k._a
    return k


def _consumes(p: Any) -> int:
    if p is None or isinstance(p, bool):
        return 0
    if isinstance(p, np.ndarray) and p.dtype.kind == "b":
        return p.ndim
    return 1


def _cupy_key(shape: tuple[int, ...], key: Any) -> tuple[Any, ...]:
    """A key as CuPy applies it: integer array indices are not bounds-checked (CuPy's kernels
    read index mod size), so out-of-range ones wrap around instead of raising."""
    parts = _key(key) if isinstance(key, tuple) else (_key(key),)
    out, dim = [], 0
    for i, p in enumerate(parts):
        if p is Ellipsis:
            dim = len(shape) - sum(_consumes(q) for q in parts[i + 1:])
            out.append(p)
            continue
        if isinstance(p, list):
            p = np.asarray(p)
        if isinstance(p, np.ndarray) and p.dtype.kind in "iu" and dim < len(shape) and shape[dim]:
            p = p % shape[dim]
        out.append(p)
        dim += _consumes(p)
    return tuple(out)


def _out(r: Any, srcs: tuple[Any, ...] = ()) -> Any:
    """A NumPy result as ours: arrays and NumPy scalars become arrays on the current device;
    a view of an input's memory keeps that input's owner as its `base`."""
    if isinstance(r, np.generic):
        return _wrap(np.asarray(r), None)
    if isinstance(r, np.ndarray):
        for s in srcs:
            if isinstance(s, ndarray) and np.may_share_memory(r, s._a):
                if r is s._a:
                    return s
                return _wrap(r, s if s.base is None else s.base)
        return _wrap(r, None)
    if isinstance(r, tuple):
        return tuple(_out(e, srcs) for e in r)
    if isinstance(r, list):
        return [_out(e, srcs) for e in r]
    return r


def _wrap(a: np.ndarray, base: ndarray | None, dev: int | None = None) -> ndarray:
    out = object.__new__(ndarray)
    out._a = a
    out._dev = _current() if dev is None else dev
    out.base = base
    if base is None:
        _pool.add(out)
    return out


def _binary(name: str, reflected: bool = False) -> Any:
    ufunc = getattr(np, name)

    def op(self: ndarray, other: Any) -> Any:
        if isinstance(other, ndarray):
            _check_device(other)
            o = other._a
        elif isinstance(other, np.ndarray):
            raise _host_error(other)
        elif isinstance(other, (int, float, bool, complex, np.generic)):
            o = other
        else:
            return NotImplemented
        _check_device(self)
        return _out(ufunc(o, self._a) if reflected else ufunc(self._a, o))

    return op


def _inplace(name: str) -> Any:
    ufunc = getattr(np, name)

    def op(self: ndarray, other: Any) -> ndarray:
        _check_device(self)
        ufunc(self._a, _in(other), out=self._a)
        return self

    return op


_METHODS_VIEW = {"reshape", "transpose", "swapaxes", "squeeze", "diagonal", "ravel", "view"}
_METHODS = _METHODS_VIEW | {
    "astype", "copy", "fill", "flatten", "take", "repeat", "sort", "argsort", "nonzero",
    "max", "min", "argmax", "argmin", "clip", "round", "trace", "sum", "cumsum", "cumprod",
    "mean", "var", "std", "prod", "all", "any", "dot", "conj", "item", "tolist", "tobytes",
    "ptp", "put",
}


class ndarray:  # noqa: N801 - CuPy's name
    """cupy.ndarray: device memory (here a NumPy array that NumPy cannot see through)."""

    __slots__ = ("_a", "_dev", "base", "__weakref__")
    __array_priority__ = 100  # as CuPy's

    def __init__(self, shape: Any, dtype: Any = float, memptr: Any = None, strides: Any = None,
                 order: str = "C") -> None:
        self._a = np.empty(shape, dtype, order=order)
        self._dev = _current()
        self.base = None
        _pool.add(self)

    # what NumPy must not do with device memory
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # As CuPy: np.exp(device_array) runs cupy.exp (host arrays among the inputs raise);
        # ufunc methods (np.add.at, np.add.reduce) are not dispatched.
        if method != "__call__" or ufunc.__name__ not in _FUNCTIONS:
            return NotImplemented
        return getattr(sys.modules[__name__], ufunc.__name__)(*inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        # As CuPy: np.zeros_like(device_array) runs cupy.zeros_like, if CuPy has it.
        if func.__name__ not in _FUNCTIONS:
            return NotImplemented
        return getattr(sys.modules[__name__], func.__name__)(*args, **kwargs)

    # attributes
    shape = property(lambda self: self._a.shape)

    @shape.setter
    def shape(self, newshape: Any) -> None:
        try:
            self._a = np.reshape(self._a, newshape, copy=False)
        except ValueError:
            raise AttributeError("Incompatible shape") from None

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a, self.base is None))
    data = property(lambda self: _Pointer(self._a, self._dev))
    device = property(lambda self: Device(self._dev))
    T = property(lambda self: _out(self._a.T, (self,)))
    mT = property(lambda self: _out(np.swapaxes(self._a, -1, -2), (self,)))
    real = property(lambda self: _out(self._a.real, (self,)))

    def __getattr__(self, name: str) -> Any:
        if name not in _METHODS:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        method = getattr(self._a, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            _check_device(self)
            if name in ("item", "tolist", "tobytes"):
                return method(*args, **kwargs)
            kwargs = {k: _in(v) for k, v in kwargs.items()}
            return _out(method(*_in(args), **kwargs), (self,))

        return call

    def get(self, stream: Any = None, order: str = "C", out: Any = None,
            blocking: bool = True) -> np.ndarray:
        """A copy in host memory."""
        return np.array(self._a, order=order, copy=True)

    def set(self, arr: np.ndarray, stream: Any = None) -> None:
        """Copy host data in."""
        self._a[...] = arr

    # Python protocols
    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[ndarray]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self._a.item()) if self._a.size == 1 else bool(self._a)

    def __int__(self) -> int:
        return int(self._a.item()) if self._a.size == 1 else int(self._a)

    def __float__(self) -> float:
        return float(self._a.item()) if self._a.size == 1 else float(self._a)

    def __index__(self) -> int:
        return int(self._a.__index__())

    def __repr__(self) -> str:
        return repr(self._a)

    def __str__(self) -> str:
        return str(self._a)

    def __format__(self, spec: str) -> str:
        return self._a.__format__(spec)

    def __copy__(self) -> ndarray:
        return _out(self._a.copy())

    def __deepcopy__(self, memo: Any) -> ndarray:
        return _wrap(self._a.copy(), None, self._dev)

    def __reduce__(self) -> Any:
        return (_from_host, (self.get(),))

    def __getitem__(self, key: Any) -> Any:
        _check_device(self)
        return _out(self._a[_cupy_key(self._a.shape, key)], (self,))

    def __setitem__(self, key: Any, value: Any) -> None:
        _check_device(self)
        self._a[_cupy_key(self._a.shape, key)] = _in(value, host_ok=True)

    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> ndarray:
        return _out(-self._a)

    def __pos__(self) -> ndarray:
        return _out(+self._a)

    def __abs__(self) -> ndarray:
        return _out(abs(self._a))

    def __invert__(self) -> ndarray:
        return _out(~self._a)

    def __matmul__(self, other: Any) -> Any:
        if not isinstance(other, ndarray):
            return NotImplemented if not isinstance(other, np.ndarray) else _raise(other)
        _check_device(self)
        _check_device(other)
        return _out(self._a @ other._a)


def _raise(x: Any) -> Any:
    raise _host_error(x)


for _name, _uf in [("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                   ("truediv", "true_divide"), ("floordiv", "floor_divide"), ("mod", "remainder"),
                   ("pow", "power"), ("and", "bitwise_and"), ("or", "bitwise_or"),
                   ("xor", "bitwise_xor"), ("lshift", "left_shift"), ("rshift", "right_shift")]:
    setattr(ndarray, f"__{_name}__", _binary(_uf))
    setattr(ndarray, f"__r{_name}__", _binary(_uf, reflected=True))
    setattr(ndarray, f"__i{_name}__", _inplace(_uf))
for _name, _uf in [("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("le", "less_equal"),
                   ("gt", "greater"), ("ge", "greater_equal")]:
    setattr(ndarray, f"__{_name}__", _binary(_uf))


def _from_host(a: np.ndarray) -> ndarray:
    return _wrap(np.array(a, copy=True), None)


# --- the cupy namespace -------------------------------------------------------------------------

#: NumPy functions that CuPy provides under the same name and that zerograd may call. A name
#: missing here is an AttributeError, as it would be on CuPy if CuPy lacked it.
_FUNCTIONS = """
abs absolute add all allclose any arange arccos arccosh arcsin arcsinh arctan arctan2 arctanh
argmax argmin argsort argwhere around array_equal ascontiguousarray atleast_1d atleast_2d
bitwise_and bitwise_not bitwise_or bitwise_xor broadcast_arrays broadcast_to cbrt ceil clip
concatenate copysign cos cosh count_nonzero cumprod cumsum diag diagonal divide dot einsum
empty empty_like equal exp exp2 expand_dims expm1 eye flip floor floor_divide fmax fmin fmod
full full_like greater greater_equal heaviside hypot identity inner invert isclose isfinite isinf
isnan left_shift less less_equal linspace log log10 log1p log2 logaddexp logical_and
logical_not logical_or logical_xor matmul max maximum mean meshgrid min minimum moveaxis
multiply negative nextafter nonzero not_equal ones ones_like outer positive power prod ptp
ravel reciprocal remainder repeat reshape result_type right_shift rint round sign signbit sin
sinh sort sqrt square squeeze stack subtract sum swapaxes take take_along_axis tan tanh tensordot
tile transpose tri tril triu true_divide trunc where zeros zeros_like can_cast promote_types
iinfo finfo dtype ndim shape
""".split()
_PASSTHROUGH = {"result_type", "can_cast", "promote_types", "iinfo", "finfo", "dtype", "ndim",
                "shape"}
_VIEWS = {"broadcast_to", "reshape", "transpose", "swapaxes", "expand_dims", "squeeze",
          "moveaxis", "diagonal", "ravel", "atleast_1d", "atleast_2d", "broadcast_arrays",
          "flip", "ascontiguousarray"}

# dtypes and scalar types, as CuPy re-exports them
for _t in ("bool_ int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 "
           "complex64 complex128 intp generic integer floating number inf nan pi e newaxis"
           ).split():
    globals()[_t] = getattr(np, _t)


def _function(name: str) -> Any:
    fn = getattr(np, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        if name in _PASSTHROUGH:  # dtype-level helpers: look at dtypes only, like CuPy's
            return fn(*[a.dtype if isinstance(a, ndarray) else _in(a) for a in args], **kwargs)
        out = kwargs.get("out")
        kwargs = {k: _in(v) for k, v in kwargs.items()}
        res = fn(*_in(args), **kwargs)
        if isinstance(out, ndarray):
            return out
        srcs = tuple(a for a in args if isinstance(a, ndarray)) if name in _VIEWS else ()
        if name in _VIEWS and args and isinstance(args[0], (list, tuple)):
            srcs = tuple(a for a in args[0] if isinstance(a, ndarray))
        return _out(res, srcs)

    call.__name__ = name
    return call


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        f = _function(name)
        globals()[name] = f
        return f
    raise AttributeError(f"module 'cupy' has no attribute '{name}'")


def asarray(a: Any, dtype: Any = None, order: Any = None, *, blocking: bool = False) -> ndarray:
    """Device data: host data is copied in; another device's array is copied over."""
    if isinstance(a, ndarray):
        if a._dev == _current() and (dtype is None or np.dtype(dtype) == a.dtype):
            return a
        return _wrap(np.array(a._a, dtype=dtype, copy=True), None)
    if hasattr(a, "__cuda_array_interface__"):
        raise TypeError("foreign device arrays are not simulated")
    return _wrap(np.array(a, dtype=dtype, copy=True, order=order or "K"), None)


def array(obj: Any, dtype: Any = None, copy: bool = True, order: str = "K", subok: bool = False,
          ndmin: int = 0, *, blocking: bool = False) -> ndarray:
    """A device copy of `obj` (host or device data)."""
    src = obj._a if isinstance(obj, ndarray) else obj
    if isinstance(obj, ndarray) and not copy and obj._dev == _current() and (
            dtype is None or np.dtype(dtype) == obj.dtype):
        return obj
    return _wrap(np.array(src, dtype=dtype, copy=True, order=order, ndmin=ndmin), None)


def asnumpy(a: Any, stream: Any = None, order: str = "C", out: Any = None) -> np.ndarray:
    """A host copy."""
    return a.get() if isinstance(a, ndarray) else np.asarray(a, order=order)


def get_array_module(*args: Any) -> Any:
    """This module if any argument is ours, else NumPy."""
    return sys.modules[__name__] if any(isinstance(a, ndarray) for a in args) else np


# --- cupy.linalg: NumPy's LAPACK, but quiet about singular input by default, as cuSOLVER is ---

_LINALG = ("inv solve det slogdet cholesky qr eigh eigvalsh svd pinv lstsq norm matrix_rank "
           "matrix_power tensorsolve tensorinv").split()


def _linalg(name: str) -> Any:
    fn = getattr(np.linalg, name)

    def call(*args: Any, **kwargs: Any) -> Any:
        kwargs = {k: _in(v) for k, v in kwargs.items()}
        try:
            return _out(fn(*_in(args), **kwargs))
        except np.linalg.LinAlgError:
            if getattr(_tls, "linalg", "ignore") == "raise":
                raise
            # cuSOLVER reports the failure in devInfo, which CuPy does not read by default:
            # the result is garbage; NaN is the honest garbage.
            shaped = fn(*(np.zeros_like(a) + np.eye(a.shape[-1], dtype=a.dtype)
                          if isinstance(a, np.ndarray) and a.ndim >= 2 and i == 0 else a
                          for i, a in enumerate(_in(args))), **kwargs)
            return _out(_nan_like(shaped))

    call.__name__ = name
    return call


def _nan_like(r: Any) -> Any:
    if isinstance(r, tuple):
        return tuple(_nan_like(e) for e in r)
    return np.full_like(r, np.nan) if isinstance(r, np.ndarray) else r


linalg = types.SimpleNamespace(**{n: _linalg(n) for n in _LINALG})


# --- cupyx ---------------------------------------------------------------------------------------


def _scatter_add(a: ndarray, slices: Any, value: Any) -> None:
    _check_device(a)
    np.add.at(a._a, _cupy_key(a._a.shape, slices), _in(value, host_ok=True))


@contextlib.contextmanager
def _errstate(*, linalg: Any = None, **others: Any) -> Iterator[None]:
    old = getattr(_tls, "linalg", "ignore")
    if linalg is not None:
        _tls.linalg = linalg
    try:
        yield
    finally:
        _tls.linalg = old


def _seterr(*, linalg: Any = None, **others: Any) -> dict[str, Any]:
    old = {"linalg": getattr(_tls, "linalg", "ignore")}
    _tls.linalg = linalg
    return old


cupyx = types.SimpleNamespace(scatter_add=_scatter_add, errstate=_errstate, seterr=_seterr)


# --- putting it behind zerograd -----------------------------------------------------------------


@contextlib.contextmanager
def installed() -> Iterator[types.ModuleType]:
    """Make zerograd's CUDA backend compute with this module until the block ends."""
    from zerograd.backend import _cuda_module

    backend = _cuda_module()
    saved = backend.xp, backend.cupyx
    backend._use(sys.modules[__name__], cupyx)
    try:
        yield sys.modules[__name__]
    finally:
        backend._use(*saved)
        _tls.device = 0
        _tls.linalg = "ignore"
