"""Primitives for neural networks whose composite forms would be slow or unstable:
softmax and log_softmax (a max-shifted exponential, so logits of 1e4 stay finite).
Losses, dropout and linear layers are composites in zerograd.nn.functional.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._shapes import numpy_names, wrap_dim
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import namespace_of
from .elementwise import _legacy_name


def _shifted(x: Any, dim: int) -> Any:
    return x - x.max(axis=dim, keepdims=True)


class Softmax(Primitive):
    """out = e^x / Σ e^x along dim     VJP: x_bar = out·(g - Σ g·out)
    JVP: out_dot = out·(x_dot - Σ x_dot·out)"""

    op_name = "softmax"
    grad_fn_name = "SoftmaxBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        e = namespace_of(x).exp(_shifted(x, self.dim))
        return e / e.sum(axis=self.dim, keepdims=True)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return out * (g - (g * out).sum(self.dim, keepdim=True))

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return out * (x_dot - (x_dot * out).sum(self.dim, keepdim=True))


class LogSoftmax(Primitive):
    """out = x - log Σ e^x along dim     VJP: x_bar = g - e^out·Σ g
    JVP: out_dot = x_dot - Σ x_dot·e^out"""

    op_name = "log_softmax"
    grad_fn_name = "LogSoftmaxBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        s = _shifted(x, self.dim)
        return s - namespace_of(x).log(namespace_of(x).exp(s).sum(axis=self.dim, keepdims=True))

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g - out.exp() * g.sum(self.dim, keepdim=True)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot - (x_dot * out.exp()).sum(self.dim, keepdim=True)


def _softmax_like(cls: type[Primitive], input: Tensor, dim: Any, dtype: Any,
                  fname: str) -> Tensor:
    if dim is None:
        # PyTorch's legacy implicit choice, with its warning reduced to the rule itself.
        dim = 0 if input._data.ndim in (0, 1, 3) else 1
    x = input
    if dtype is not None:
        x = x.to(dtype)
    d = wrap_dim(dim, x._data.ndim)
    if dtype is None and x._data.dtype.kind != "f":
        kernel = fname + ("_lastdim" if d == max(x._data.ndim - 1, 0) else "")
        raise NotImplementedError(f'"{kernel}_kernel_impl" not implemented for '
                                  f"'{_legacy_name(x.dtype)}' (convert first: x.float())")
    if x._data.ndim == 0:
        x = x.reshape(1)
        return _apply(cls, (x,), (x._data,), {"dim": 0}).reshape(())
    return _apply(cls, (x,), (x._data,), {"dim": d})


@numpy_names
def softmax(input: Tensor, dim: Any = None, dtype: D.dtype | None = None) -> Tensor:
    """e^x / sum(e^x) along dim (shifted by the max, so large inputs stay finite)."""
    return _softmax_like(Softmax, input, dim, dtype, "softmax")


@numpy_names
def log_softmax(input: Tensor, dim: Any = None, dtype: D.dtype | None = None) -> Tensor:
    """log(softmax(x)) along dim, computed stably."""
    return _softmax_like(LogSoftmax, input, dim, dtype, "log_softmax")
