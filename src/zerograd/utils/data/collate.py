"""`default_collate` (a list of samples -> one batch) and `default_convert` (one sample).

The rules are PyTorch's: tensors are stacked along a new first dim; Python floats become a
float64 tensor, ints an int64 one; NumPy arrays become tensors; strings stay a list; dicts,
namedtuples, tuples and lists are collated field by field (a tuple sample gives a *list* of
batched fields, which is why `next(iter(loader))` prints `[tensor(...), tensor(...)]`).
"""

from __future__ import annotations

import collections.abc as abc
import copy
from typing import Any

from ... import _creation as C
from ... import _dtype as D
from ..._tensor import Tensor
from ...backend import np
from ...ops.join import stack

__all__ = ["default_collate", "default_convert"]

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
          "found {}")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_collate(batch: Any) -> Any:
    """Merge a list of samples into a batch, field by field.

    Example:
        >>> import zerograd as torch
        >>> default_collate([(torch.tensor([1, 2]), 0), (torch.tensor([3, 4]), 1)])
        [tensor([[1, 2],
                [3, 4]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "SaUO":
            raise TypeError(_ERROR.format(elem.dtype))
        return default_collate([C.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return C.as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return C.tensor(batch, dtype=D.float64)
    if isinstance(elem, int):  # bools included: they give a bool tensor, as in torch
        return C.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        merged = {key: default_collate([d[key] for d in batch]) for key in elem}
        if type(elem) is dict:
            return merged
        clone = copy.copy(elem)
        clone.update(merged)  # type: ignore[attr-defined]
        return clone
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple) or type(elem) is list:
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays inside one sample into tensors (used when batch_size=None)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "SaUO" else C.as_tensor(data)
    if isinstance(data, np.generic):
        return C.as_tensor(data)
    if isinstance(data, abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})  # type: ignore[call-arg]
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]
        except TypeError:
            return [default_convert(d) for d in data]
    return data
