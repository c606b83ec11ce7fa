"""Timer and Accumulator: the two bookkeeping helpers of d2l 0.17.

`Timer` records wall-clock intervals (d2l 3.2, 3.6) and `Accumulator` keeps running sums over n
variables (d2l 3.6). Both behave exactly as in d2l's torch module; nothing here touches tensors
beyond calling `float()` on what it is given.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["Timer", "Accumulator"]


class Timer:
    """Record several running times (starts on construction)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start the timer."""
        self.tik = time.time()

    def stop(self) -> float:
        """Stop the timer, record the interval in `times` and return it."""
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """The average recorded time."""
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """The total recorded time."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """The running total after each recorded interval."""
        out: list[float] = []
        total = 0.0
        for t in self.times:
            total += t
            out.append(total)
        return out


class Accumulator:
    """Sum over n variables: `add(a, b, ...)` adds float(a), float(b), ... to the running sums."""

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args: Any) -> None:
        """Add each argument (a number or a one-element tensor) to its running sum."""
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self) -> None:
        """Set every sum back to 0.0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]
