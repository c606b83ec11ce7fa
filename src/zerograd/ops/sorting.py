"""Sorting: sort, argsort, topk. The order is computed on the arrays (no gradient); the values
are then gathered with an index, so their gradient flows through the Index primitive.
"""

from __future__ import annotations

from typing import Any

from .._shapes import numpy_names, wrap_dim
from .._tensor import Tensor
from ..backend import namespace_of, np
from .indexing import gather


def _order(x: Any, dim: int, descending: bool, stable: bool) -> Any:
    xp = namespace_of(x)
    if descending:
        # Stable descending order: sort order-reversed keys (NaN last, like PyTorch's
        # ascending). For integers and bools ~x reverses the order without the overflow of -x
        # (uint8 would wrap around).
        keys = -x if x.dtype.kind == "f" else ~x
        return xp.argsort(keys, axis=dim, kind="stable")
    return xp.argsort(x, axis=dim, kind="stable")


@numpy_names
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort input along dim."""
    if input._data.ndim == 0:
        return Tensor._make(namespace_of(input._data).zeros((), np.int64))
    d = wrap_dim(dim, input._data.ndim)
    return Tensor._make(_order(input._data, d, descending, stable).astype(np.int64))


@numpy_names
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """(values, indices) sorted along dim."""
    from .. import return_types

    idx = argsort(input, dim, descending, stable)
    if input._data.ndim == 0:
        return return_types.sort(input.clone(), idx)
    return return_types.sort(gather(input, wrap_dim(dim, input._data.ndim), idx), idx)


@numpy_names
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The k largest (or smallest) values along dim and their indices."""
    from .. import return_types

    d = wrap_dim(dim, input._data.ndim)
    if k > input._data.shape[d] or k < 0:
        raise RuntimeError("selected index k out of range")
    idx = argsort(input, d, descending=largest).narrow(d, 0, k)
    return return_types.topk(gather(input, d, idx), idx)
