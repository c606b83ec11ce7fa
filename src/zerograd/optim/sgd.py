"""`SGD`: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

The update is PyTorch's single-tensor rule, operation for operation (see `step`), so a
trajectory started from the same parameters and gradients follows torch's to rounding error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import enable_grad, no_grad
from .optimizer import Optimizer, params_with_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    """p ← p - lr·g, with g optionally decayed, negated (maximize) and smoothed by momentum.

    Example:
        >>> import zerograd as torch
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> opt = torch.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); w
        tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening,
            "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
            "foreach": foreach, "differentiable": differentiable, "fused": fused,
        }  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                lr, momentum = group["lr"], group["momentum"]
                wd, dampening = group["weight_decay"], group["dampening"]
                for p in params_with_grad(group):
                    g = -p.grad if group["maximize"] else p.grad
                    if wd != 0:
                        g = g.add(p, alpha=wd)
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            # The first step starts the buffer at g itself (no dampening).
                            buf = g.detach().clone()
                            state["momentum_buffer"] = buf
                        else:
                            buf.mul_(momentum).add_(g, alpha=1 - dampening)
                        g = g.add(buf, alpha=momentum) if group["nesterov"] else buf
                    p.add_(g, alpha=-lr)
        return loss
