"""The loss functions of `nn.functional` (mse, l1, huber, smooth_l1, nll, cross_entropy, bce).

Each is a composite of primitives with `reduction` in {'none', 'mean', 'sum'}. Cross entropy is
log_softmax (a primitive, max-shifted, so logits of 1e4 stay finite) followed by the negative
log-likelihood, picked out with `gather`. Input checks raise PyTorch's exception classes with
its messages (plus the shapes involved). The Module wrappers are in modules/loss.py.
"""

from __future__ import annotations

import warnings

from .. import _dtype as D
from .._tensor import Tensor
from ..ops import elementwise as E
from ..ops import nn_ops as N
from ..ops.join import stack
from ..ops.reduction import logsumexp

_REDUCTIONS = ("none", "mean", "sum")


def label(out: Tensor, name: str) -> Tensor:
    """Give the node that just produced `out` PyTorch's name for the fused op it stands for."""
    if out.grad_fn is not None:
        out.grad_fn.grad_fn_name = name
    return out


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """The reduction the deprecated size_average/reduce flags stand for."""
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='mean' (or "
        "'sum', 'none') instead.",
        UserWarning,
        stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -log(1 + e^-x), through logsumexp so it is finite for any x."""
    zeros = E.mul(input, 0).detach()
    return -logsumexp(stack([zeros, -input], -1), -1)


# --- regression ----------------------------------------------------------------------------------


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """(input - target)² averaged (or summed, or kept per element)."""
    r = _reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    d = input - target
    loss = d * d if weight is None else d * d * weight
    return label(_reduce(loss, r), "MseLossBackward0")


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """|input - target| averaged (or summed, or kept per element)."""
    r = _reduction(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = E.abs(input - target)
    return _reduce(loss if weight is None else loss * weight, r)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d² where |d| < delta, else delta (|d| - delta/2), with d = input - target."""
    r = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_size(input, target)
    d = input - target
    z = E.abs(d)
    loss = E.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))
    loss = loss if weight is None else loss * weight
    return label(_reduce(loss, r), "HuberLossBackward0")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d²/beta where |d| < beta, else |d| - beta/2 (L1 when beta = 0)."""
    r = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=r)
    _warn_size(input, target)
    d = input - target
    z = E.abs(d)
    loss = E.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta)
    return label(_reduce(loss, r), "SmoothL1LossBackward0")


# --- classification ------------------------------------------------------------------------------


def _class_targets(input: Tensor, target: Tensor, weight: Tensor | None) -> None:
    """Check integer class targets against input's shape, as PyTorch's nll_loss does."""
    if input.ndim == 0:
        raise RuntimeError("input tensor should be 1D or 2D (got a 0-d tensor)")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError(
            "0D or 1D target tensor expected, multi-target not supported (input shape "
            f"{list(input.shape)}, target shape {list(target.shape)}; for (N, 1) targets use "
            "target.squeeze(1) or target.reshape(-1))"
        )
    if input.ndim >= 2 and (target.ndim == 0 or target.shape[0] != input.shape[0]):
        n = target.shape[0] if target.ndim else "none"
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({n})."
        )
    if input.ndim > 2 and target.shape[1:] != input.shape[2:]:
        expected = [input.shape[0], *input.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise RuntimeError(
            f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})"
        )
    if target.dtype not in (D.int64, D.uint8):
        hint = ""
        if target.dtype.is_floating_point:
            hint = (f" (class-index targets must be int64, e.g. target.long(); class-probability "
                    f"targets must have the input's shape {list(input.shape)}, got "
                    f"{list(target.shape)})")
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {E._legacy_name(target.dtype)}"
            + hint
        )
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _check_range(target: Tensor, n_classes: int, ignore_index: int) -> None:
    t = target._data
    bad = ((t < 0) | (t >= n_classes)) & (t != ignore_index)
    if bad.any():
        value = int(t[bad].reshape(-1)[0])
        raise IndexError(
            f"Target {value} is out of bounds. (class indices must lie in [0, {n_classes - 1}] "
            f"for input with {n_classes} classes)"
        )


def _as_batch(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
    """(C,) input with a 0-d target is a batch of one; say whether we added that dim."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.reshape(1), True
    return input, target, False


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-input[n, target[n]] (times weight[target[n]]), for log-probabilities of shape (N, C, ...).

    'mean' divides by the summed weights of the targets that are not ignore_index.
    """
    r = _reduction(size_average, reduce, reduction)
    _class_targets(input, target, weight)
    x, t, added = _as_batch(input, target)
    _check_range(t, x.shape[1], ignore_index)
    t = t.long()
    keep = t != ignore_index
    safe = E.where(keep, t, 0)
    picked = x.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = keep.to(x.dtype) if weight is None else weight.to(x.dtype)[safe] * keep
    loss = -picked * w
    if r == "mean":
        # With every target ignored the mean is 0/0 = nan, as in torch, but the gradient must
        # be zero (not 0·inf = nan): divide by a safe total and put the nan in afterwards.
        total = w.sum().detach()
        empty = total == 0
        out = E.where(empty, float("nan"), loss.sum() / E.where(empty, 1.0, total))
    elif r == "sum":
        out = loss.sum()
    else:
        out = loss.squeeze(0) if added else loss
        if x.ndim not in (2, 4):  # torch reshapes other spatial inputs to 4-D and back
            return label(out, "ViewBackward0") if x.ndim > 2 else out
    return label(out, "NllLossBackward0" if x.ndim == 2 else "NllLoss2DBackward0")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """nll_loss(log_softmax(input, class dim), target): softmax and log-loss in one stable step.

    target holds class indices (int64, shape (N,) or (N, d1, ...)) or class probabilities
    (floats of input's shape). label_smoothing mixes in the uniform distribution.
    """
    r = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.ndim == 0:
        raise RuntimeError("cross_entropy: input should have a class dimension (got a 0-d tensor)")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    logp = N.log_softmax(input, class_dim)
    w_shape = [1] * input.ndim
    w_shape[class_dim] = n_classes
    if target.dtype.is_floating_point and target.shape == input.shape:
        # Class probabilities: -Σ_c p_c log q_c (weighted), mean over the batch elements.
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            prod = prod * weight.reshape(w_shape)
        loss = -prod.sum(class_dim)
        if r == "mean":
            return loss.sum() / max(input.numel() // n_classes, 1)
        return _reduce(loss, r)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=r)
    if label_smoothing == 0:
        return nll
    # Smoothing adds -Σ_c log q_c / C per element (weighted), reduced like nll.
    keep = target != ignore_index
    prod = logp if weight is None else logp * weight.reshape(w_shape)
    smooth = -prod.sum(class_dim) * keep
    if r == "mean":
        if weight is None:
            smooth = smooth.sum() / keep.sum()
        else:
            safe = E.where(keep, target.long(), 0)
            smooth = smooth.sum() / (weight[safe] * keep).sum()
    elif r == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _check_bce_range(input: Tensor) -> None:
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError(
            "all elements of input should be between 0 and 1 (binary_cross_entropy takes "
            "probabilities: apply sigmoid first, or use binary_cross_entropy_with_logits)"
        )


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-(t log x + (1 - t) log(1 - x)) for probabilities x; logs are clamped at -100."""
    r = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    _check_bce_range(input)

    def clamped_log(p: Tensor) -> Tensor:
        # log(0) = -inf would make the gradient 0 * inf = nan; use -100 there, as torch does.
        positive = p > 0
        return E.clamp(E.where(positive, E.log(E.where(positive, p, 1.0)), -100.0), min=-100.0)

    loss = -(target * clamped_log(input) + (1 - target) * clamped_log(1 - input))
    if weight is not None:
        loss = loss * weight
    return label(_reduce(loss, r), "BinaryCrossEntropyBackward0")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), t) computed from the logits x without overflow."""
    r = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    log_sig = logsigmoid(input)
    if pos_weight is None:
        loss = (1 - target) * input - log_sig
    else:
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * log_sig
    if weight is not None:
        loss = loss * weight
    return label(_reduce(loss, r), "BinaryCrossEntropyWithLogitsBackward0")
