"""Forward-mode AD (正向累积), as `torch.autograd.forward_ad`: dual_level, make_dual, unpack_dual.

A dual tensor is a primal value with a tangent beside it (`t._fw`). There is no graph: every
primitive computes its output's tangent at once with its `jvp` rule (autograd/function.py,
`_forward_tangents`). This module only opens and closes the level, attaches tangents and reads
them back. Jacobians and the torch.func transforms built on it live in autograd/functional.py
and func/.
"""

from __future__ import annotations

from typing import NamedTuple

from .._tensor import Tensor
from .function import set_tangent
from .grad_mode import forward_state

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]


class UnpackedDualTensor(NamedTuple):
    """What `unpack_dual` returns: the primal and its tangent (None when there is none)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    """Open a dual level (only one at a time, as in PyTorch) and return its number."""
    if forward_state.level is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    forward_state.level = 0
    forward_state.duals = []
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the dual level: every tangent made inside it is dropped."""
    if forward_state.level is None or (level is not None and level != forward_state.level):
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    for ref in forward_state.duals:
        obj = ref()
        if obj is None:
            continue
        if isinstance(obj, Tensor):
            obj._fw = None
        else:  # a node that kept its output's tangent for forward-over-reverse
            obj.__dict__.pop("_out_fw", None)
    forward_state.duals = []
    forward_state.level = None


class dual_level:
    """Context manager for a forward-AD level: dual tensors live (and print) only inside it.

    Example:
        >>> import zerograd as torch
        >>> import zerograd.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     x = fwAD.make_dual(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]))
        ...     fwAD.unpack_dual(x.sin()).tangent
        tensor([1.0000, 0.5403])
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()


def _is_float(t: Tensor) -> bool:
    return t._data.dtype.kind == "f"


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of `tensor` that carries `tangent` as its forward-mode derivative."""
    if forward_state.level is None:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError("make_dual(): expected tensor and tangent to be Tensors")
    if not _is_float(tensor):
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not _is_float(tangent):
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    # A tangent of another float dtype is kept as given (as in torch); the outputs of ops on
    # the dual get tangents in their own dtype (`_forward_tangents` casts).
    # The dual is a view (ViewBackward0 when tensor requires grad, as in PyTorch); its own
    # tangent is computed and then replaced, so make_dual on a dual tensor replaces too.
    dual = tensor.view_as(tensor)
    set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent) of a dual tensor; tangent is None for an ordinary tensor."""
    tangent = tensor._fw if forward_state.level is not None else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    primal = tensor.detach() if not tensor.requires_grad else _plain_view(tensor)
    return UnpackedDualTensor(primal, tangent)


def _plain_view(tensor: Tensor) -> Tensor:
    """A view of `tensor` that keeps its autograd history but has no tangent."""
    view = tensor.view_as(tensor)
    view._fw = None
    return view


def _tangent_for_print(self: Tensor) -> Tensor | None:
    """The tangent `repr` shows (`tangent=...`) while a dual level is open."""
    return self._fw if forward_state.level is not None else None


# _printing.py looks this attribute up on every tensor; it exists once forward mode is used.
Tensor._fw_tangent_for_print = property(_tangent_for_print)  # type: ignore[attr-defined]
