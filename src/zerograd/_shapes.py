"""Shapes: the `Size` type, broadcasting of shapes, and checking `dim` arguments.

`sum_to` (undoing broadcasting in backward) lives in autograd/engine.py, its only user. Errors
here use PyTorch's exception classes and messages, since learners search for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class Size(tuple):
    """A tensor shape: a tuple of ints that prints as `torch.Size([3, 4])`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(int(s)) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key: Any) -> Any:  # slicing keeps the type, as in PyTorch
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other: Any) -> Size:
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other: Any) -> Size:
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Size, (tuple(self),))


def broadcast_shapes(*shapes: Sequence[int]) -> Size:
    """The shape that all `shapes` broadcast to; RuntimeError naming the clash if none."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for i in range(ndim - 1, -1, -1):  # from the last dim, so the clash named is torch's
        for s in shapes:
            j = i - ndim + len(s)
            if j < 0:
                continue
            n = s[j]
            if n == out[i] or n == 1:
                continue
            if out[i] == 1:
                out[i] = n
                continue
            raise RuntimeError(
                f"The size of tensor a ({out[i]}) must match the size of tensor b ({n}) at "
                f"non-singleton dimension {i}"
            )
    return Size(out)


def wrap_dim(dim: int, ndim: int) -> int:
    """A dim in range(ndim) from a possibly negative one; IndexError like PyTorch's."""
    rank = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1
    if not -rank <= dim < rank:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
            f"but got {dim})"
        )
    return dim + rank if dim < 0 else dim


def wrap_dims(dim: int | Iterable[int] | None, ndim: int) -> tuple[int, ...] | None:
    """Normalise a `dim` argument (int, tuple or list) to sorted non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (wrap_dim(dim, ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        dup = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return dims


_NUMPY_NAMES = (("axis", "dim"), ("keepdims", "keepdim"))


def numpy_names(fn: _F) -> _F:
    """Let `fn` also take NumPy's keywords `axis=` and `keepdims=` for `dim=` and `keepdim=`,
    as every torch function with a `dim` does."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs or "keepdims" in kwargs:
            for np_name, name in _NUMPY_NAMES:
                if np_name in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument "
                                        f"'{name}'")
                    kwargs[name] = kwargs.pop(np_name)
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def as_shape(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Shape from varargs or one sequence: f(2, 3) and f((2, 3)) and f([2, 3]) mean the same."""
    if len(args) == 1 and not isinstance(args[0], int) and hasattr(args[0], "__iter__"):
        args = tuple(args[0])
    out = []
    for a in args:
        if hasattr(a, "__index__"):
            out.append(a.__index__())
        else:
            raise TypeError(
                f"expected a sequence of integers or a single integer, got '{type(a).__name__}'"
            )
    return tuple(out)
