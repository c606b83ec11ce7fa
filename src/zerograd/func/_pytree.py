"""A tiny pytree: nested tuples, lists and dicts of tensors, flattened to a list and rebuilt.

torch.func transforms accept and return such nests (a dict of parameters, a tuple of outputs).
Only these three containers are traversed; anything else (a Tensor, a number, None) is a leaf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# A spec is None for a leaf, or (container type, keys or None, child specs).
Spec = Any


def flatten(tree: Any) -> tuple[list[Any], Spec]:
    """The leaves of `tree` in order, and the spec that `unflatten` rebuilds it from."""
    leaves: list[Any] = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree: Any, leaves: list[Any]) -> Spec:
    if isinstance(tree, dict):
        keys = list(tree)
        return (dict, keys, [_flatten(tree[k], leaves) for k in keys])
    if isinstance(tree, (tuple, list)):
        kind = type(tree) if type(tree) in (tuple, list) else tuple
        return (kind, None, [_flatten(v, leaves) for v in tree])
    leaves.append(tree)
    return None


def unflatten(spec: Spec, leaves: list[Any]) -> Any:
    """Rebuild the nest described by `spec` from `leaves` (consumed in order)."""
    it = iter(leaves)
    return _unflatten(spec, it)


def _unflatten(spec: Spec, it: Any) -> Any:
    if spec is None:
        return next(it)
    kind, keys, children = spec
    values = [_unflatten(c, it) for c in children]
    if kind is dict:
        return dict(zip(keys, values))
    return kind(values)


def map_leaves(fn: Callable[[Any], Any], tree: Any) -> Any:
    """The same nest with fn applied to every leaf."""
    leaves, spec = flatten(tree)
    return unflatten(spec, [fn(x) for x in leaves])


def num_leaves(spec: Spec) -> int:
    """How many leaves a nest with this spec holds."""
    if spec is None:
        return 1
    return sum(num_leaves(c) for c in spec[2])
