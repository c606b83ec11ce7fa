"""The only place that imports NumPy or CuPy.

`namespace_for(device)` gives the array module (`xp`) a kernel computes with: NumPy for the CPU,
CuPy for CUDA. Host-side helpers (printing, saving, data loading) use `np`, always NumPy. The few
places where NumPy and CuPy differ are named shims with the same name in `cpu.py` and `cuda.py`.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from . import cpu

Array = Any  # a NumPy or CuPy ndarray

__all__ = [
    "Array", "np", "cpu", "namespace_for", "namespace_of", "to_host", "is_array", "cuda",
    "shims_of",
]


def cuda():  # type: ignore[no-untyped-def]
    """The CUDA backend module, imported on first use (None when CuPy or a GPU is missing)."""
    # `from . import cuda` would find this very function (the package attribute `cuda`), so
    # load the submodule by its full name; loading it rebinds the attribute, so put ours back.
    _cuda = importlib.import_module(__name__ + ".cuda")
    globals()["cuda"] = _cuda_accessor
    return _cuda if _cuda.available() else None


_cuda_accessor = cuda


def namespace_for(device_type: str) -> Any:
    """The array module for a device type: numpy for 'cpu', cupy for 'cuda'."""
    if device_type == "cpu":
        return np
    mod = cuda()
    if mod is None:
        raise RuntimeError(
            "Found no NVIDIA driver on your system or CuPy is not installed: zerograd needs "
            "`pip install zerograd[gpu]` and a GPU for device='cuda'."
        )
    return mod.xp


def namespace_of(arr: Array) -> Any:
    """The array module an array belongs to."""
    if type(arr) is np.ndarray or isinstance(arr, np.ndarray):
        return np
    return namespace_for("cuda")


def shims_of(arr: Array) -> Any:
    """The shim module (cpu or cuda) for an array's device."""
    if isinstance(arr, np.ndarray):
        return cpu
    return cuda()


def is_array(obj: object) -> bool:
    """True for a NumPy array (or a CuPy array when CuPy is loaded)."""
    if isinstance(obj, np.ndarray):
        return True
    return type(obj).__module__.startswith("cupy")


def to_host(arr: Array) -> np.ndarray:
    """A NumPy view or copy of an array that may live on a GPU."""
    if isinstance(arr, np.ndarray):
        return arr
    return arr.get()
