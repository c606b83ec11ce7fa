"""dtype objects, the default dtype, and PyTorch's type-promotion rules.

A `dtype` prints as `torch.float32` (learners compare output with the book character by
character) and knows its backend dtype. Promotion follows PyTorch, not NumPy 2: dimensioned
tensors decide the result; 0-d tensors and Python scalars only matter when they belong to a
higher category (bool < integer < floating). Nothing here touches arrays.
"""

from __future__ import annotations

import builtins
import threading

from .backend import np


class dtype:
    """A tensor element type, e.g. `zerograd.float32` (prints as `torch.float32`)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "category", "_rank")

    def __init__(self, name: str, np_dtype: object, category: int, rank: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_signed = name not in ("uint8", "bool")
        self._rank = rank

    @property
    def is_complex(self) -> bool:
        """True for complex dtypes (zerograd has none yet)."""
        return self.category == 3

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self) -> str:
        # Pickle by name so `pickle.loads` gives back the very same singleton.
        return self.name

    def to_real(self) -> dtype:
        """The real counterpart (identity for real dtypes)."""
        return self


bool = dtype("bool", np.bool_, 0, 0)  # noqa: A001 - torch.bool
uint8 = dtype("uint8", np.uint8, 1, 1)
int8 = dtype("int8", np.int8, 1, 1)
int16 = dtype("int16", np.int16, 1, 2)
int32 = dtype("int32", np.int32, 1, 3)
int64 = dtype("int64", np.int64, 1, 4)
float16 = dtype("float16", np.float16, 2, 1)
float32 = dtype("float32", np.float32, 2, 2)
float64 = dtype("float64", np.float64, 2, 3)

# torch's aliases
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def from_numpy_dtype(np_dtype: object) -> dtype:
    """The zerograd dtype of a backend dtype; TypeError for ones zerograd lacks."""
    try:
        return _BY_NP[np_dtype]
    except (KeyError, TypeError):
        pass
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def by_name(name: str) -> dtype:
    """Look a dtype up by its name ('float32')."""
    return _BY_NAME[name]


# --- the default dtype ------------------------------------------------------------------------

_state = threading.local()


def get_default_dtype() -> dtype:
    """The dtype given to Python floats: float32 unless changed."""
    return getattr(_state, "default", float32)


def set_default_dtype(d: dtype) -> None:
    """Set the dtype given to Python floats (float32 or float64, as PyTorch allows)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _state.default = d


# --- promotion ----------------------------------------------------------------------------------


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both `a` and `b` convert to without losing their category."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 1:
        # uint8 with a signed type needs the next signed size up (uint8 + int8 -> int16).
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
    return a if a._rank >= b._rank else b


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Let a lower-priority group win only when it belongs to a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if lower.category > higher.category:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python number takes when it becomes a tensor on its own."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type(*operands: object) -> dtype:
    """PyTorch's result dtype for tensors (objects with `.dtype`/`.ndim`) and Python scalars.

    Three priority groups, each promoted within itself: dimensioned tensors, 0-d tensors,
    Python scalars. A lower group only counts when its category is higher, e.g.
    int64[3] + 2.5 -> float32 and float32[3] + float64[] -> float32.
    """
    dim = zero = scalar = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            s = scalar_dtype(x)
            scalar = s if scalar is None else promote_types(scalar, s)
        elif x.ndim:  # type: ignore[attr-defined]
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    out = _combine(dim, _combine(zero, scalar))
    assert out is not None
    return out
