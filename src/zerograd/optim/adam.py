"""`Adam` and `AdamW` (Adam with decoupled weight decay), with amsgrad and maximize.

The update follows PyTorch's single-tensor implementation step by step, bias corrections
included (`step` is kept as a float32 tensor in the state, as torch keeps it), so state_dicts
have the same keys and trajectories match torch's to rounding error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _creation as C
from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ..ops.elementwise import maximum
from .optimizer import Optimizer, params_with_grad

__all__ = ["Adam", "AdamW"]


def _lerp_(start: Tensor, end: Tensor, weight: float) -> None:
    """start ← start + weight·(end - start), by torch's two-branch formula for accuracy."""
    if weight < 0.5:
        start.add_(end - start, alpha=weight)
    else:
        start.copy_(end - (end - start) * (1 - weight))


class Adam(Optimizer):
    """Adaptive moments: p ← p - lr·m̂ / (√v̂ + eps), m and v running means of g and g².

    Example:
        >>> import zerograd as torch
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> opt = torch.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); w
        tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable, "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }  # fmt: skip
        super().__init__(params, defaults)

    def _state(self, p: Tensor, amsgrad: bool) -> dict[str, Any]:
        state = self.state[p]
        if not state:
            state["step"] = C.tensor(0.0, dtype=D.float32)
            state["exp_avg"] = C.zeros_like(p)
            state["exp_avg_sq"] = C.zeros_like(p)
            if amsgrad:
                state["max_exp_avg_sq"] = C.zeros_like(p)
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in params_with_grad(group):
                    self._update(p, group)
        return loss

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad = group["weight_decay"], group["amsgrad"]
        state = self._state(p, amsgrad)
        g = -p.grad if group["maximize"] else p.grad
        state["step"] += 1
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * wd)
            else:
                g = g.add(p, alpha=wd)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        _lerp_(m, g, 1 - beta1)
        v.mul_(beta2).add_(g.mul(1 - beta2).mul_(g))
        step = state["step"].item()
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if amsgrad:
            state["max_exp_avg_sq"].copy_(maximum(state["max_exp_avg_sq"], v))
            v = state["max_exp_avg_sq"]
        denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
        p.add_(m.mul(-step_size).div_(denom))


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 - lr·wd) before the Adam step."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
