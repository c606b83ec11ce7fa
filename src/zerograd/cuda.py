"""zerograd.cuda: is a GPU there, and how many. Real work lives behind backend/cuda.py."""

from __future__ import annotations

from typing import Any

from .backend import cuda as _cuda_backend


def is_available() -> bool:
    """True when CuPy is installed and sees a GPU."""
    return _cuda_backend() is not None


def device_count() -> int:
    """The number of visible GPUs (0 without CuPy or a GPU)."""
    mod = _cuda_backend()
    return int(mod.xp.cuda.runtime.getDeviceCount()) if mod is not None else 0


def current_device() -> int:
    """The index of the current CUDA device."""
    mod = _cuda_backend()
    if mod is None:
        raise RuntimeError("Found no NVIDIA driver on your system.")
    return int(mod.xp.cuda.runtime.getDevice())


def synchronize(device: Any = None) -> None:
    """Wait for all queued GPU work to finish."""
    mod = _cuda_backend()
    if mod is not None:
        mod.xp.cuda.runtime.deviceSynchronize()


def manual_seed(seed: int) -> None:
    """Seed the CUDA generators (zerograd draws GPU random numbers on the CPU generator)."""


def manual_seed_all(seed: int) -> None:
    """Seed all CUDA generators."""


def memory_allocated(device: Any = None) -> int:
    """Bytes held by tensors on the GPU (CuPy's memory pool)."""
    mod = _cuda_backend()
    return int(mod.xp.get_default_memory_pool().used_bytes()) if mod is not None else 0
