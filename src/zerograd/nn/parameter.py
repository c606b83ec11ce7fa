"""`Parameter`: a Tensor that a Module registers as one of its learnable weights.

A Parameter is an ordinary leaf tensor (it shares storage with the data it wraps) whose type
tells `Module.__setattr__` to add it to `_parameters`. Operations on it return plain Tensors,
as in PyTorch. Nothing about modules lives here (see modules/module.py).
"""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning it to a Module attribute registers it.

    Example:
        >>> import zerograd as torch
        >>> p = torch.nn.Parameter(torch.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): data must be a Tensor, not {type(data).__name__} "
                "(wrap it first, e.g. nn.Parameter(torch.tensor(data)))"
            )
        # The new leaf shares the data's storage and version counter, like torch's
        # _make_subclass: changing one changes the other.
        t = Tensor._make(data._data)
        t._vc = data._vc
        param: Parameter = t.as_subclass(cls)
        if requires_grad:
            param.requires_grad_(True)
        return param

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        result = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        if self.grad is not None:
            result.grad = self.grad.detach().clone()
        if self.__dict__:
            import copy

            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return result


def is_lazy(param: Any) -> bool:
    """False: zerograd has no lazy (uninitialised) parameters."""
    return False
