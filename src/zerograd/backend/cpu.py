"""NumPy shims: the few array operations where NumPy and CuPy differ in name or behaviour."""

from __future__ import annotations

import numpy as np

xp = np


def available() -> bool:
    """The CPU is always there."""
    return True


def scatter_add(target: np.ndarray, index: object, values: np.ndarray) -> None:
    """target[index] += values, adding up repeated indices (NumPy's `add.at`)."""
    np.add.at(target, index, values)
