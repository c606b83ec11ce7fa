"""The backward graph: `Node` (what `tensor.grad_fn` is) and `AccumulateGrad` (a leaf's end).

Nodes are linked by `next_functions`, a tuple with one `(node, output_nr)` pair per input of the
operation, in input order; `(None, 0)` marks an input that needs no gradient (a constant, a
Python number). Tensors are not nodes: a tensor points at the node that made it. The rules that
compute gradients live on the primitives (autograd/function.py); the sweep lives in engine.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._tensor import Tensor

# Creation order of nodes; the engine breaks ties between ready nodes with it, newest first,
# like PyTorch, so hooks fire in a predictable order.
_sequence = itertools.count()


class Node:
    """One step of the backward graph; `tensor.grad_fn` is a Node."""

    __slots__ = ("next_functions", "_seq", "__weakref__", "__dict__")
    grad_fn_name = "Node"
    n_diff_outputs = 1  # how many gradients the rule takes (one per differentiable output)
    # Rarely used, so they live in the instance dict only once set (the class gives None).
    _pre_hooks: list[Any] | None = None
    _hooks: list[Any] | None = None

    def name(self) -> str:
        """The PyTorch-style class name, e.g. 'MulBackward0'."""
        return self.grad_fn_name

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict[str, Any]:
        """A free-form dict for user annotations (as in PyTorch)."""
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self.__dict__["_metadata"] = {}
        return md

    def register_hook(self, fn: Callable[..., Any]) -> Any:
        """Call `fn(grad_inputs, grad_outputs)` after this node's rule runs."""
        hooks = _hooks_of(self, "_hooks")
        hooks.append(fn)
        return _Handle(hooks, fn)

    def register_prehook(self, fn: Callable[..., Any]) -> Any:
        """Call `fn(grad_outputs)` before this node's rule runs; it may return replacements."""
        hooks = _hooks_of(self, "_pre_hooks")
        hooks.append(fn)
        return _Handle(hooks, fn)


def _hooks_of(node: Node, slot: str) -> list[Any]:
    hooks = getattr(node, slot)
    if hooks is None:
        hooks = []
        setattr(node, slot, hooks)
    return hooks


class _Handle:
    """What `register_hook` returns: call `.remove()` to take the hook off again."""

    def __init__(self, hooks: list[Any], fn: Any) -> None:
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        """Remove the hook (no error if it is already gone)."""
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """The end of the graph for a leaf tensor: adds incoming gradients into `leaf.grad`."""

    grad_fn_name = "AccumulateGrad"

    def __init__(self, variable: Tensor) -> None:
        self.next_functions = ()
        self._seq = next(_sequence)
        self.variable = variable


def grad_accumulator(t: Tensor) -> AccumulateGrad:
    """The (cached) AccumulateGrad node of a leaf that requires grad.

    The leaf holds it weakly and graphs hold it strongly, as in PyTorch: every graph that uses
    the leaf feeds the same node, and the node dies with the last graph.
    """
    ref = t._grad_acc
    acc = ref() if ref is not None else None
    if acc is None:
        import weakref

        acc = AccumulateGrad(t)
        t._grad_acc = weakref.ref(acc)
    return acc
