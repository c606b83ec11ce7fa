"""`zerograd.nn.functional`: activations, dropout, linear and the losses, as functions.

Everything here is a composite of the primitives in `ops/` (matmul, add, log_softmax,
logsumexp, where, gather, ...), so each function gets reverse and forward mode for free.
The last node of a composite takes PyTorch's grad_fn name (`AddmmBackward0`,
`NllLossBackward0`, ...) so printed results read as in the book. The Module wrappers live in
modules/; this file holds no state.
"""

from __future__ import annotations

import math

from .. import _dtype as D
from .._creation import arange, empty_like, zeros_like
from .._tensor import Tensor
from ..ops import elementwise as E
from ..ops import nn_ops as N
from ..ops.join import stack
from ..ops.reduction import logsumexp
from ._losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    label,
    logsigmoid,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)

__all__ = [
    "relu", "relu_", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
    "linear", "one_hot", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "softplus", "logsigmoid",
]  # fmt: skip


# --- activations ---------------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise."""
    return input.relu_() if inplace else E.relu(input)


def relu_(input: Tensor) -> Tensor:
    """max(x, 0), in place."""
    return input.relu_()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    out = label(E.where(input > 0, input, input * negative_slope), "LeakyReluBackward0")
    if inplace:
        return input.copy_(out)
    return out


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x) elementwise."""
    return E.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise."""
    return E.tanh(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, linear above threshold (as PyTorch)."""
    z = input * beta
    # log(e^0 + e^z) through the stable logsumexp primitive: finite for any z.
    soft = logsumexp(stack([zeros_like(z), z], -1), -1) / beta
    return label(E.where(z > threshold, input, soft), "SoftplusBackward0")


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: D.dtype | None = None) -> Tensor:
    """e^x / sum(e^x) along dim."""
    return N.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: D.dtype | None = None) -> Tensor:
    """log(softmax(x)) along dim, without overflow."""
    return N.log_softmax(input, dim, dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only).

    The mask is drawn exactly as PyTorch's CPU kernel draws it (`bernoulli_(1 - p)` on a
    tensor like the input), so after the same manual_seed the same elements are dropped.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = zeros_like(input)
    else:
        noise = empty_like(input).bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


# --- linear --------------------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, for x of shape (..., in_features).

    Like PyTorch, inputs other than 2-D are flattened to (rows, in_features) for one matrix
    product and viewed back; the result's grad_fn carries torch's name (AddmmBackward0,
    ViewBackward0, ...).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"linear(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    shape = input.shape
    in_features = weight.shape[-1] if weight.ndim else 1
    if input.ndim == 0 or shape[-1] != in_features:
        rows = math.prod(shape[:-1]) if input.ndim else 1
        cols = shape[-1] if input.ndim else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{'x'.join(map(str, tuple(weight.shape)[::-1]))}) (the layer expects inputs whose "
            f"last dimension has {in_features} features; the input has shape {list(shape)})"
        )
    x = input if input.ndim == 2 else input.reshape(-1, in_features)
    out = x @ weight.t()
    if bias is not None:
        out = label(E.add(out, bias), "AddmmBackward0")
    if input.ndim != 2:
        out = out.view(*shape[:-1], out.shape[-1]) if input.ndim > 1 else out.view(-1)
        if bias is None:  # torch's matmul path names the reshape differently
            out = label(out, "UnsafeViewBackward0" if input.ndim > 1 else "SqueezeBackward4")
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot rows: out[..., c] = 1 where tensor == c."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(tensor.max()) + 1 if tensor.numel() else 0
    elif tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()
