"""Device("cpu" | "cuda:N"): where a tensor's storage lives, and the array module behind it.

A tensor's device is read off its backend array (NumPy array -> cpu, CuPy array -> cuda:N), so it
can never disagree with the data. This module only names devices and parses what users write.
"""

from __future__ import annotations

import builtins
from typing import Any, Union


class device:
    """A device, e.g. `zerograd.device('cuda', 0)`; prints as `device(type='cuda', index=0)`.

    Example:
        >>> import zerograd as torch
        >>> torch.device('cuda:1')
        device(type='cuda', index=1)
        >>> str(torch.device('cpu'))
        'cpu'
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device | int, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):  # torch.device(0): cuda:0
            if not _cuda_usable():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), but expected one of: "
                            "(torch.device device), (str type, int index = -1)")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{builtins.type(index).__name__}")
        kind, colon, num = type.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                "Expected one of cpu, cuda device type at start of device string: " + type
                + " (zerograd knows these two)"
            )
        if colon:
            # torch accepts only a plain decimal index: no sign, no spaces, no leading zeros
            if not num.isdigit() or not num.isascii() or (len(num) > 1 and num[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            index = int(num)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # As torch: a device equals a device, never a string (device('cpu') == 'cpu' is False).
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (device, (str(self),))


def _cuda_usable() -> bool:
    from .backend import cuda

    return cuda() is not None


CPU = device("cpu")

DeviceLike = Union[str, device, int, None]  # noqa: UP007 - a runtime alias on Python 3.10


def as_device(d: DeviceLike) -> device:
    """Normalise what users pass as `device=`: 'cuda' means the current CUDA device (cuda:0
    unless torch.cuda.set_device chose another), an int a CUDA device index."""
    if d is None:
        return CPU
    if isinstance(d, int) and not isinstance(d, bool):
        return device(d)  # cuda:d; torch's RuntimeError when no GPU is there
    dev = d if isinstance(d, device) else device(d)
    if dev.type == "cuda" and dev.index is None:
        return device("cuda", _current_cuda_index())
    return dev


def _current_cuda_index() -> int:
    from .backend import cuda

    mod = cuda()
    return int(mod.current[0]) if mod is not None else 0


def device_of(arr: Any) -> device:
    """The device an array lives on: cpu for NumPy arrays (and Python numbers), else cuda:N."""
    from .backend import is_device_array

    return device("cuda", int(arr.device.id)) if is_device_array(arr) else CPU


def mismatch_error(a: device, b: device, what: str = "") -> RuntimeError:
    """torch's error for operands on two devices (named in operand order)."""
    return RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, {a} "
        f"and {b}!" + (f" ({what})" if what else "")
    )
