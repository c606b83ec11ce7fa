"""The backward graph: `Node` (what `tensor.grad_fn` is) and `AccumulateGrad` (a leaf's end).

Nodes are linked by `next_functions`, a tuple with one `(node, output_nr)` pair per input of the
operation, in input order; `(None, 0)` marks an input that needs no gradient (a constant, a
Python number). Tensors are not nodes: a tensor points at the node that made it. The rules that
compute gradients live on the primitives (autograd/function.py); the sweep lives in engine.py.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._tensor import Tensor

# Nodes PyTorch writes by hand in C++: their name() carries the namespace, their repr does not.
_CPP_NODES = frozenset(("AccumulateGrad", "CopySlices", "CopyBackwards"))
_CPP_PREFIX = "torch::autograd::"


class Node:
    """One step of the backward graph; `tensor.grad_fn` is a Node."""

    __slots__ = ("next_functions", "__weakref__", "__dict__")
    grad_fn_name = "Node"
    n_diff_outputs = 1  # how many gradients the rule takes (one per differentiable output)
    # Rarely used, so they live in the instance dict only once set (the class gives None).
    _pre_hooks: list[Any] | None = None
    _hooks: list[Any] | None = None

    def name(self) -> str:
        """PyTorch's name for the node, e.g. 'MulBackward0' or 'torch::autograd::CopySlices'."""
        n = self.grad_fn_name
        return _CPP_PREFIX + n if n in _CPP_NODES else n

    def __repr__(self) -> str:
        return f"<{self.grad_fn_name} object at {hex(id(self))}>"

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
        self._leaf = weakref.ref(variable)

    @property
    def variable(self) -> Tensor | None:
        """The leaf tensor (None once the user has dropped it: its gradient is unobservable)."""
        return self._leaf()


def grad_accumulator(t: Tensor) -> AccumulateGrad:
    """The AccumulateGrad node of a leaf that requires grad, made once per leaf.

    The leaf holds its node and the node holds the leaf weakly, so there is no reference
    cycle (the leaf dies as soon as the user drops it) and the node is not rebuilt for every
    graph that uses the leaf. (PyTorch does it the other way round; in C++ rebuilding is cheap.)
    """
    acc = t._grad_acc
    if acc is None:
        acc = t._grad_acc = AccumulateGrad(t)
    return acc
