"""NumPy shims: the few array operations where NumPy and CuPy differ in name or behaviour."""

from __future__ import annotations

from typing import Any

import numpy as np

xp = np


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
    strides = (0,) * lead + tuple(
        0 if n == 1 and s != 1 else st for n, s, st in zip(x.shape, shape[lead:], x.strides)
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
