"""CuPy shims, the same names as `cpu.py`. Imported only when a CUDA device is asked for."""

from __future__ import annotations

try:  # CuPy is an optional extra: `pip install zerograd[gpu]`
    import cupy as xp
    import cupyx
except ImportError:  # pragma: no cover - depends on the machine
    xp = None
    cupyx = None


def available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    if xp is None:
        return False
    try:
        return xp.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver, no device: all mean "not available"
        return False


def scatter_add(target, index, values) -> None:  # type: ignore[no-untyped-def]
    """target[index] += values, adding up repeated indices."""
    cupyx.scatter_add(target, index, values)


def broadcast_view(x, shape):  # type: ignore[no-untyped-def]
    """x broadcast to `shape` as a view."""
    return xp.broadcast_to(x, shape)


def sum_reduce(x, axis, dtype, keepdims):  # type: ignore[no-untyped-def]
    """x.sum(...)."""
    return x.sum(axis=axis, dtype=dtype, keepdims=keepdims)
