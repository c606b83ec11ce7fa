"""`Generator`, `default_generator` and the global seeding functions (`manual_seed`, ...).

A Generator wraps the bit-exact re-implementation of PyTorch's CPU generator in
`backend.cpu_random`, so after `zerograd.manual_seed(s)` every draw equals the one
`torch.manual_seed(s)` gives. Its sampling methods return backend arrays; the tensor layer
(`_creation.py`, `ops/inplace.py`) wraps them. NumPy's global random state is never used.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Sequence
from typing import Any

from ._device import CPU
from .backend import cpu_random as R
from .backend import np

Shape = Sequence[int]

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state",
]  # fmt: skip


def _seed_value(seed: Any) -> int:
    """Generator.manual_seed's argument check: an integer in [-2^63, 2^64), negatives wrap."""
    if isinstance(seed, bool):
        raise RuntimeError("manual_seed expected a long, but got bool")
    try:
        value = operator.index(seed)
    except TypeError:
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}") from None
    if not -(2**63) <= value < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return value % 2**64


def _state_array(state: Any) -> Any:
    """A uint8 NumPy view of an RNG state: a NumPy array, or a tensor (zerograd's or torch's)."""
    arr = state.numpy() if hasattr(state, "numpy") and not isinstance(state, np.ndarray) else state
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    return arr


class Generator:
    """A random number generator with PyTorch's CPU algorithm (MT19937) and state layout.

    Example:
        >>> g = Generator().manual_seed(0)
        >>> g.initial_seed()
        0
        >>> g.uniform((2,), 0.0, 1.0, np.float32).tolist()
        [0.49625658988952637, 0.7682217955589294]
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(
                f"zerograd has CPU generators only, got device={device!r}: CUDA tensors draw "
                "their random numbers from the CPU generator"
            )
        self._state = R.CPUGeneratorState(R.DEFAULT_SEED)

    # --- seeding and state --------------------------------------------------------------------

    @property
    def device(self) -> Any:
        """The generator's device: always cpu."""
        return CPU

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator (negative seeds wrap modulo 2^64) and return it."""
        self._state.manual_seed(_seed_value(seed))
        return self

    def seed(self) -> int:
        """Seed from the OS entropy source (like /dev/urandom in torch) and return the seed."""
        value = int.from_bytes(os.urandom(8), "little")
        self._state.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with, as an unsigned 64-bit integer."""
        return int(self._state.engine.seed)

    def get_state(self) -> Any:
        """The full state as 5056 uint8 values, byte for byte torch's CPU generator layout.

        Returned as a NumPy uint8 array; `zerograd.get_rng_state` and the tensor layer wrap it
        in a uint8 tensor (torch returns a ByteTensor).
        """
        return self._state.to_bytes()

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from `get_state` (or from torch.get_rng_state()) and return self."""
        self._state.from_bytes(_state_array(new_state))
        return self

    def clone_state(self) -> Generator:
        """A new Generator in the same state."""
        other = Generator()
        other.set_state(self.get_state())
        return other

    def __reduce__(self) -> Any:
        return (_rebuild, (self.get_state().tobytes(),))

    # --- sampling: backend arrays, drawn exactly as ATen's CPU kernels draw them -------------

    def uniform(
        self, shape: Shape, low: float = 0.0, high: float = 1.0, np_dtype: Any = "float32"
    ) -> Any:
        """Samples of U[low, high): `torch.rand`, `tensor.uniform_(low, high)`."""
        return R.uniform(self._state, shape, low, high, np_dtype)

    def normal(
        self, shape: Shape, mean: float = 0.0, std: float = 1.0, np_dtype: Any = "float32"
    ) -> Any:
        """Samples of N(mean, std^2): `torch.randn`, `normal_`, `torch.normal(m, s, size)`."""
        return R.normal(self._state, shape, mean, std, np_dtype)

    def normal_tensor(self, mean: Any, std: Any, np_dtype: Any) -> Any:
        """`torch.normal(mean, std)` with a tensor mean and/or std.

        Pass tensors as arrays and Python numbers as floats: torch takes different paths for
        them (a float std scales inside the sampling kernel, a tensor std afterwards).
        """
        return R.normal_tensor(self._state, mean, std, np_dtype)

    def randint(self, low: int, high: int, shape: Shape, np_dtype: Any = "int64") -> Any:
        """Integers in [low, high): `torch.randint(low, high, size)`, `random_(low, high)`."""
        return R.random_from_to(self._state, shape, low, high, np_dtype)

    def random_(self, shape: Shape, from_: int, to: int | None, np_dtype: Any) -> Any:
        """`tensor.random_(from, to)`; `to=None` means up to the dtype's largest value."""
        return R.random_from_to(self._state, shape, from_, to, np_dtype)

    def random_full(self, shape: Shape, np_dtype: Any = "int64") -> Any:
        """`tensor.random_()`: [0, dtype max] for integers, [0, 2^mantissa] for floats."""
        return R.random_full(self._state, shape, np_dtype)

    def randperm(self, n: int, np_dtype: Any = "int64") -> Any:
        """A random permutation of 0..n-1: `torch.randperm(n)`."""
        return R.randperm(self._state, n, np_dtype)

    def bernoulli_scalar(self, p: float, shape: Shape, np_dtype: Any) -> Any:
        """1 with probability p, else 0: `tensor.bernoulli_(p)` (dropout masks)."""
        return R.bernoulli_scalar(self._state, p, shape, np_dtype)

    def bernoulli_tensor(self, p: Any, np_dtype: Any = None, shape: Shape | None = None) -> Any:
        """`torch.bernoulli(p)`; with `shape`, `tensor.bernoulli_(p)` (p broadcast to shape)."""
        return R.bernoulli_tensor(self._state, p, np_dtype, shape)

    def exponential(self, shape: Shape, lambd: float = 1.0, np_dtype: Any = "float32") -> Any:
        """Samples of Exp(lambd): `tensor.exponential_(lambd)`."""
        return R.exponential(self._state, shape, lambd, np_dtype)

    def multinomial(self, probs: Any, num_samples: int, replacement: bool = False) -> Any:
        """Category indices (int64) drawn by the rows of probs: `torch.multinomial`."""
        return R.multinomial(self._state, probs, num_samples, replacement)


def _rebuild(state: bytes) -> Generator:
    return Generator().set_state(np.frombuffer(state, dtype=np.uint8))


default_generator = Generator()


def _gen(generator: Generator | None) -> Generator:
    """The generator a sampling function uses: the one given, else the default."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a zerograd.Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (any value `int()` accepts, like torch) and return it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's initial seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state (5056 uint8 values in torch's layout).

    A NumPy array for now: the tensor layer re-exports this wrapped as a uint8 tensor.
    """
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator from a state made by `get_rng_state`."""
    default_generator.set_state(new_state)
