"""zerograd.cuda: torch.cuda's questions about GPUs (is there one, how many, which, how full).

The answers come from CuPy (`pip install 'zerograd[gpu]'`) through backend/cuda.py; the
kernels themselves live in ops/ and run on CuPy arrays like on NumPy ones. As in torch, the
seeding functions and the memory counters are safe to call without a GPU (they do nothing, or
say 0); the others raise. Random numbers for CUDA tensors are drawn on zerograd's CPU
generator (seeded by `zerograd.manual_seed`) and copied over: torch's CUDA generator is Philox,
so `torch.randn(3, device='cuda')` gives other numbers than zerograd does (and than torch on the
CPU does), while zerograd gives the same numbers on both devices.
"""

from __future__ import annotations

from typing import Any

from ._device import device as _Device
from .backend import _cuda_module
from .backend import cuda as _cuda_backend

__all__ = [
    "is_available", "device_count", "current_device", "set_device", "device", "synchronize",
    "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "memory_allocated",
    "max_memory_allocated", "memory_reserved", "empty_cache", "get_device_name",
    "get_device_properties", "get_device_capability", "is_initialized",
]


def is_available() -> bool:
    """True when CuPy is installed and sees a GPU.

    Example:
        >>> import zerograd as torch
        >>> dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
        >>> torch.ones(2, device=dev).device == dev
        True
    """
    return _cuda_backend() is not None


def is_initialized() -> bool:
    """True once a GPU is usable (zerograd has no separate lazy initialisation)."""
    return is_available()


def _backend() -> Any:
    """The CUDA shims, or torch's error: AssertionError without CuPy, RuntimeError without GPU."""
    mod = _cuda_backend()
    if mod is not None:
        return mod
    if _cuda_module().xp is None:
        raise AssertionError(
            "Torch not compiled with CUDA enabled (zerograd computes on GPUs through CuPy, "
            "which is not installed: pip install 'zerograd[gpu]')")
    raise RuntimeError(
        "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
        "installed a driver from http://www.nvidia.com/Download/index.aspx (CuPy sees no GPU)")


def _index(device: Any) -> int:
    """The GPU index `device` ('cuda:1', 1, a device, None = the current one) names."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    dev = _Device(device) if not isinstance(device, _Device) else device
    if dev.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {dev}")
    return current_device() if dev.index is None else dev.index


def device_count() -> int:
    """The number of visible GPUs (0 without CuPy or a GPU)."""
    mod = _cuda_backend()
    return int(mod.xp.cuda.runtime.getDeviceCount()) if mod is not None else 0


def current_device() -> int:
    """The index of the current CUDA device (where device='cuda' puts new tensors)."""
    return int(_backend().current[0])


def set_device(device: Any) -> None:
    """Make `device` the current CUDA device (where device='cuda' tensors go)."""
    i = _index(device)
    if i >= 0:
        _backend().set_current(i)


class device:
    """Context manager that makes a CUDA device current: `with torch.cuda.device(1): ...`."""

    def __init__(self, device: Any) -> None:
        self.idx = -1 if device is None else _index(device)
        self.prev = -1

    def __enter__(self) -> None:
        if self.idx >= 0:
            self.prev = current_device()
            set_device(self.idx)

    def __exit__(self, *exc: Any) -> None:
        if self.prev >= 0:
            set_device(self.prev)


def synchronize(device: Any = None) -> None:
    """Wait until every kernel queued on the device has finished (time GPU code with this)."""
    mod = _backend()
    with mod.on_device(_index(device)):
        mod.xp.cuda.runtime.deviceSynchronize()


def manual_seed(seed: int) -> None:
    """Seed the CUDA generator: zerograd draws CUDA random numbers on its CPU generator, so
    this does nothing; use zerograd.manual_seed (which torch code calls too)."""
    int(seed)  # torch rejects what is not an integer


def manual_seed_all(seed: int) -> None:
    """Seed the generators of all GPUs (nothing to do: see manual_seed)."""
    int(seed)


def seed() -> None:
    """Seed the CUDA generator randomly (nothing to do: see manual_seed)."""


def seed_all() -> None:
    """Seed all CUDA generators randomly (nothing to do: see manual_seed)."""


def initial_seed() -> int:
    """The seed of the generator CUDA random numbers come from (the CPU one's)."""
    _backend()
    from ._generator import initial_seed as cpu_initial_seed

    return int(cpu_initial_seed())


def _pool_bytes(device: Any, what: str) -> int:
    mod = _cuda_backend()
    if mod is None:
        return 0  # as torch: no CUDA, nothing allocated
    with mod.on_device(_index(device)):
        return int(getattr(mod.xp.get_default_memory_pool(), what)())


def memory_allocated(device: Any = None) -> int:
    """Bytes of GPU memory held by arrays (CuPy's pool; it rounds blocks up to 512 bytes)."""
    return _pool_bytes(device, "used_bytes")


def max_memory_allocated(device: Any = None) -> int:
    """Bytes the pool holds (CuPy keeps no peak; this is its current total, an upper bound of
    what is in use now)."""
    return _pool_bytes(device, "total_bytes")


def memory_reserved(device: Any = None) -> int:
    """Bytes CuPy's pool has reserved from the driver (in use or cached)."""
    return _pool_bytes(device, "total_bytes")


def empty_cache() -> None:
    """Give cached, unused GPU memory back to the driver."""
    mod = _cuda_backend()
    if mod is not None:
        mod.xp.get_default_memory_pool().free_all_blocks()


def get_device_properties(device: Any = None) -> Any:
    """The device's properties: name, total_memory, major, minor, multi_processor_count."""
    from types import SimpleNamespace

    mod = _backend()
    p = mod.xp.cuda.runtime.getDeviceProperties(_index(device))
    name = p["name"]
    return SimpleNamespace(
        name=name.decode() if isinstance(name, bytes) else str(name),
        total_memory=int(p["totalGlobalMem"]), major=int(p["major"]), minor=int(p["minor"]),
        multi_processor_count=int(p["multiProcessorCount"]))


def get_device_name(device: Any = None) -> str:
    """The GPU's name, e.g. 'NVIDIA H100 80GB HBM3'."""
    return str(get_device_properties(device).name)


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """The compute capability (major, minor), e.g. (9, 0) for an H100."""
    p = get_device_properties(device)
    return (p.major, p.minor)
