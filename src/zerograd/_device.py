"""Device("cpu" | "cuda:N"): where a tensor's storage lives, and the array module behind it.

A tensor's device is read off its backend array (NumPy array -> cpu, CuPy array -> cuda:N), so it
can never disagree with the data. This module only names devices and parses what users write.
"""

from __future__ import annotations

from typing import Union


class device:
    """A device, e.g. `zerograd.device('cuda', 0)`; prints as `device(type='cuda', index=0)`."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: {type!r}")
        kind, _, num = type.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                "Expected one of cpu, cuda device type at start of device string: " + type
            )
        if num:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not num.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(num)
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (device, (str(self),))


CPU = device("cpu")

DeviceLike = Union[str, device, int, None]  # noqa: UP007 - a runtime alias on Python 3.10


def as_device(d: DeviceLike) -> device:
    """Normalise what users pass as `device=` ('cuda' means the current CUDA device, cuda:0)."""
    if d is None:
        return CPU
    if isinstance(d, int):
        return device("cuda", d)
    dev = d if isinstance(d, device) else device(d)
    if dev.type == "cuda" and dev.index is None:
        return device("cuda", 0)
    return dev
