"""NumPy shims: the few array operations where NumPy and CuPy differ in name or behaviour,
and one tuning of the C allocator that large CPU arrays need (`_keep_freed_memory`).
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

import numpy as np

xp = np


def _keep_freed_memory() -> None:
    """Let glibc reuse freed blocks for large arrays instead of returning them to the OS.

    By default glibc serves blocks over 128 KiB with fresh mmap pages and unmaps them on free,
    so every new (1000, 1000) float32 result costs ~1,000 page faults: `x * y + x` took 5 ms
    instead of 0.4 ms (python -m benchmarks op_overhead), and every MLP step paid the same for
    its activations. PyTorch avoids this with its own allocator; NumPy has none, so we raise
    glibc's thresholds once. Freed memory then stays in the process for reuse (peak RSS is
    unchanged). Set ZEROGRAD_KEEP_MALLOC=1 to leave the allocator alone.
    """
    if os.environ.get("ZEROGRAD_KEEP_MALLOC") or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)  # glibc's largest allowed value
        libc.mallopt(m_trim_threshold, 256 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        pass


_keep_freed_memory()


def available() -> bool:
    """The CPU is always there."""
    return True


def scatter_add(target: np.ndarray, index: object, values: np.ndarray) -> None:
    """target[index] += values, adding up repeated indices (NumPy's `add.at`)."""
    np.add.at(target, index, values)


def broadcast_view(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """x broadcast to `shape` as a read-only view (np.broadcast_to without its Python cost).

    The caller has checked that the shapes broadcast. Broadcast dims get stride 0.
    """
    if not x.flags.c_contiguous:
        return np.broadcast_to(x, shape)
    lead = len(shape) - x.ndim
    if not x.ndim:  # a scalar everywhere: the gradient of a full sum
        strides: tuple[int, ...] = (0,) * lead
    else:
        strides = (0,) * lead + tuple(
            [0 if n == 1 and s != 1 else st for n, s, st in zip(x.shape, shape[lead:], x.strides)]
        )
    out = np.ndarray(shape, x.dtype, x, 0, strides)
    out.flags.writeable = False  # writing through a stride-0 view would hit one element many times
    return out


def sum_reduce(x: np.ndarray, axis: object, dtype: object, keepdims: bool) -> np.ndarray:
    """x.sum(...) through the ufunc directly (ndarray.sum adds microseconds of Python)."""
    return np.add.reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)


def linalg_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """fn(*args) from numpy.linalg (which raises LinAlgError on singular input by itself)."""
    return fn(*args, **kwargs)
