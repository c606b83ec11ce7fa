"""CuPy shims: the same names as `cpu.py`, plus moving data between host and GPUs.

Imported only when a CUDA device is first asked for. `xp` is the cupy module (None without
CuPy); everything else in zerograd reaches CuPy through it, so a test can put a NumPy-backed
stand-in here (`_use`) and run every CUDA code path on a machine without a GPU.
Random numbers are not drawn here: zerograd draws them on its CPU generator and copies them to
the GPU (PyTorch's CUDA generator is Philox; its CUDA streams differ from its CPU ones anyway).
"""

from __future__ import annotations

from typing import Any

try:  # CuPy is an optional extra: `pip install zerograd[gpu]`
    import cupy as xp
    import cupyx
except ImportError:  # pragma: no cover - depends on the machine
    xp = None
    cupyx = None

from . import device_types as _device_types
from . import multi_gpu as _multi_gpu

_device_types[0] = (xp.ndarray,) if xp is not None else ()

_available: bool | None = None  # probed once: CuPy imports and sees a GPU


def _use(module: Any, x: Any) -> None:
    """Compute with `module` as CuPy (and `x` as cupyx) from now on; tests use this."""
    global xp, cupyx, _available
    xp, cupyx, _available = module, x, None
    _device_types[0] = (module.ndarray,) if module is not None else ()
    current[0] = 0


def available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    global _available
    if _available is None:
        _available = _probe()
    return _available


def _probe() -> bool:
    if xp is None:
        return False
    try:
        return int(xp.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # noqa: BLE001 - no driver, no device, broken install: "not available"
        return False


# --- shims: the same names and meanings as in cpu.py -------------------------------------------


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """target[index] += values, adding up repeated indices."""
    cupyx.scatter_add(target, index, values)


def broadcast_view(x: Any, shape: tuple[int, ...]) -> Any:
    """x broadcast to `shape` as a view."""
    return xp.broadcast_to(x, shape)


def sum_reduce(x: Any, axis: Any, dtype: Any, keepdims: bool) -> Any:
    """x.sum(...)."""
    return x.sum(axis=axis, dtype=dtype, keepdims=keepdims)


def linalg_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """fn(*args) from cupy.linalg, raising numpy.linalg.LinAlgError on singular or
    non-positive-definite input as NumPy (and torch) do.

    cuSOLVER reports failure in a device-side status word that CuPy ignores by default (reading
    it waits for the GPU); torch.linalg reads it, so we ask CuPy to, for this call.
    """
    with cupyx.errstate(linalg="raise"):
        return fn(*args, **kwargs)


# --- devices -----------------------------------------------------------------------------------

#: torch.cuda.current_device(): where device='cuda' puts new tensors. Kept here, not read from
#: CuPy, because kernels switch CuPy's current device to where their data is (`follow`).
current = [0]


def device_index(arr: Any) -> int:
    """The GPU an array lives on."""
    return int(arr.device.id)


def to_device(arr: Any, index: int) -> Any:
    """A copy of host or device data on GPU `index` (the array itself if it is there)."""
    if index:
        _multi_gpu[0] = True
    with xp.cuda.Device(index):
        return xp.asarray(arr)


def full(shape: tuple[int, ...], value: Any, dtype: Any, index: int) -> Any:
    """A new array on GPU `index` filled with `value`."""
    if index:
        _multi_gpu[0] = True
    with xp.cuda.Device(index):
        return xp.full(shape, value, dtype=dtype)


def on_device(index: int) -> Any:
    """A context in which new arrays and kernels go to GPU `index`."""
    return xp.cuda.Device(index)


def set_current(index: int) -> None:
    """torch.cuda.set_device: new tensors go to GPU `index`."""
    xp.cuda.Device(index).use()  # raises for a device that does not exist
    current[0] = index
    if index:
        _multi_gpu[0] = True


def follow(arr: Any) -> None:
    """Make the GPU `arr` lives on CuPy's current device, so the next kernel runs there (CuPy
    refuses, or with peer access writes its result elsewhere, when they differ)."""
    set_kernel_device(arr.device.id)


def set_kernel_device(index: int) -> None:
    """Make GPU `index` CuPy's current device (where kernels run and allocate)."""
    if index != xp.cuda.runtime.getDevice():
        xp.cuda.runtime.setDevice(index)
