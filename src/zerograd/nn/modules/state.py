"""state_dict and load_state_dict: a Module's parameters and persistent buffers by dotted
name, and copying them back all or nothing. A mixin of Module (module.py), kept apart so each
file stays readable; it relies on Module's `_parameters`, `_buffers`, `_modules` and
`named_modules`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter

if TYPE_CHECKING:
    from .module import Module


class _IncompatibleKeys(NamedTuple):
    """What `load_state_dict` returns: the keys it could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")

    __str__ = __repr__


class StateDictMixin:
    """The state_dict half of Module."""

    _parameters: dict[str, Any]
    _buffers: dict[str, Any]
    _modules: dict[str, Any]
    _non_persistent_buffers_set: set[str]

    def _local_state(self, keep_vars: bool) -> Iterator[tuple[str, Tensor]]:
        for name, p in self._parameters.items():
            if p is not None:
                yield name, p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                yield name, b if keep_vars else b.detach()

    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """An OrderedDict of every parameter and persistent buffer, keyed 'child.name'.

        The tensors share storage with the module's (detached, unless keep_vars).
        """
        if args:  # the legacy positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        for name, t in self._local_state(keep_vars):
            destination[prefix + name] = t
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=prefix + name + ".",
                                 keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy parameters and buffers from state_dict into this module.

        All or nothing: every key and shape is checked before anything is copied, so when it
        raises (missing or unexpected keys with strict=True, a shape mismatch) the module is
        unchanged.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        plan: list[tuple[Module, str, Tensor, Any]] = []
        for prefix, module in self._prefixed_modules():
            local = dict(module._local_state(keep_vars=True))
            for name, current in local.items():
                key = prefix + name
                if key not in state_dict:
                    missing.append(key)
                    continue
                value = state_dict[key]
                if not isinstance(value, Tensor):
                    errors.append(
                        f'While copying the parameter named "{key}", expected torch.Tensor or '
                        f"Tensor-like object from checkpoint but received {type(value)}"
                    )
                elif value.shape != current.shape:
                    errors.append(
                        f"size mismatch for {key}: copying a param with shape {value.shape} "
                        f"from checkpoint, the shape in current model is {current.shape}."
                    )
                else:
                    plan.append((module, name, current, value))
            for key in state_dict:
                if not key.startswith(prefix):
                    continue
                head = key[len(prefix):].split(".", 1)[0]
                if head not in module._modules and head not in local:
                    unexpected.append(key)
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for module, name, current, value in plan:
                if assign:
                    module._assign_state(name, current, value)
                else:
                    current.copy_(value)
        return _IncompatibleKeys(missing, unexpected)

    def _prefixed_modules(self) -> Iterator[tuple[str, Module]]:
        for name, module in self.named_modules(remove_duplicate=False):
            yield (name + "." if name else ""), module

    def _assign_state(self, name: str, current: Tensor, value: Tensor) -> None:
        if name in self._parameters:
            value = Parameter(value, requires_grad=current.requires_grad)
            self._parameters[name] = value
        else:
            self._buffers[name] = value
