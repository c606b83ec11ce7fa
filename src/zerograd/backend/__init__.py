"""The only place that imports NumPy or CuPy.

`namespace_for(device)` gives the array module (`xp`) a kernel computes with: NumPy for the CPU,
CuPy for CUDA; `namespace_of(array)` the module an array belongs to. Host-side helpers
(printing, saving, data loading) use `np`, always NumPy. The few places where NumPy and CuPy
differ are named shims with the same name in `cpu.py` and `cuda.py` (`shims_of(array)`).
CuPy is imported only when a CUDA device is first asked for.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from . import cpu

Array = Any  # a NumPy or CuPy ndarray

__all__ = [
    "Array", "np", "cpu", "namespace_for", "namespace_of", "to_host", "is_array", "cuda",
    "shims_of", "cuda_in_use", "is_device_array", "multi_gpu", "device_types",
]

#: [True] once a CUDA array may exist. Checks that only matter when tensors can live on two
#: devices (same-device checks in autograd) read it, so CPU-only programs skip them for free.
cuda_in_use = [False]
#: [True] once a GPU other than cuda:0 was used: then kernels first make the GPU their data
#: lives on CuPy's current device (CuPy computes on the current one), see cuda.follow.
multi_gpu = [False]
#: [(cupy.ndarray,)] once CuPy is loaded, else [()]: `isinstance(a, device_types[0])` spots a
#: GPU array in one step (the checks of Note [One device] run on every GPU op).
device_types: list[tuple[type, ...]] = [()]

_gpu: ModuleType | None = None  # backend/cuda.py, once imported


def _cuda_module() -> ModuleType:
    """backend/cuda.py (imported on first use; it imports CuPy if CuPy is installed)."""
    global _gpu
    if _gpu is None:
        # `from . import cuda` would find the function below (the package attribute `cuda`),
        # so load the submodule by its full name; loading it rebinds the attribute: put ours back.
        _gpu = importlib.import_module(__name__ + ".cuda")
        globals()["cuda"] = _cuda_accessor
    return _gpu


def cuda() -> Any:
    """The CUDA shim module (backend/cuda.py), or None when CuPy or a GPU is missing."""
    mod = _cuda_module()
    return mod if mod.available() else None


_cuda_accessor = cuda


def namespace_for(device_type: str) -> Any:
    """The array module for a device type: numpy for 'cpu', cupy for 'cuda'."""
    if device_type == "cpu":
        return np
    mod = cuda()
    if mod is None:
        if _cuda_module().xp is None:  # torch built without CUDA raises AssertionError
            raise AssertionError(
                "Torch not compiled with CUDA enabled (zerograd computes on GPUs through CuPy, "
                "which is not installed: pip install 'zerograd[gpu]'; check with "
                "torch.cuda.is_available())")
        raise RuntimeError(
            "Found no NVIDIA driver on your system (CuPy sees no GPU). Check with "
            "torch.cuda.is_available() before using device='cuda'.")
    cuda_in_use[0] = True
    return mod.xp


def namespace_of(arr: Array) -> Any:
    """The array module an array belongs to (NumPy for anything that is not a device array)."""
    if isinstance(arr, np.ndarray):
        return np
    mod = _gpu
    if mod is not None and mod.xp is not None and isinstance(arr, mod.xp.ndarray):
        if multi_gpu[0]:
            mod.follow(arr)
        return mod.xp
    return np


def shims_of(arr: Array) -> Any:
    """The shim module (cpu or cuda) for an array's device."""
    if isinstance(arr, np.ndarray):
        return cpu
    mod = _gpu
    if mod is not None and mod.xp is not None and isinstance(arr, mod.xp.ndarray):
        return mod
    return cpu


def is_array(obj: object) -> bool:
    """True for a NumPy array or a CuPy array."""
    if isinstance(obj, np.ndarray):
        return True
    mod = _gpu
    if mod is not None and mod.xp is not None and isinstance(obj, mod.xp.ndarray):
        return True
    return type(obj).__module__.startswith("cupy")  # a user's CuPy array, backend not loaded


def is_device_array(obj: object) -> bool:
    """True for a CuPy (GPU) array."""
    return isinstance(obj, device_types[0])


def to_host(arr: Array) -> np.ndarray:
    """A NumPy view or copy of an array that may live on a GPU."""
    if isinstance(arr, np.ndarray):
        return arr
    return arr.get()
