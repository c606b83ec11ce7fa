"""Unary elementwise primitives (neg, exp, log, sin, cos, tanh, sigmoid, relu, abs, sqrt,
clamp, and the steps floor/ceil/round/trunc/sign, whose gradient is zero) and their torch
functions, plus composites of them (square, reciprocal, log2, ...). Integer inputs of float
functions become the default float dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Primitive
from ...backend import np
from .binary import add, div, mul, sub, where
from .comparison import gt, isnan, lt
from .promotion import _scalar, _xp, unary

# --- unary primitives ---------------------------------------------------------------------------


class Neg(Primitive):
    """out = -x        VJP: x_bar = -g        JVP: out_dot = -x_dot"""

    op_name = "neg"
    grad_fn_name = "NegBackward0"

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, g: Tensor) -> Any:
        return -g

    def jvp(self, x_dot: Tensor) -> Tensor:
        return -x_dot


class Exp(Primitive):
    """out = exp(x)        VJP: x_bar = g * out        JVP: out_dot = x_dot * out"""

    op_name = "exp"
    grad_fn_name = "ExpBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        return _xp(x).exp(x)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g * out

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot * out


class Log(Primitive):
    """out = log(x)        VJP: x_bar = g / x        JVP: out_dot = x_dot / x"""

    op_name = "log"
    grad_fn_name = "LogBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        return _xp(x).log(x)

    def backward(self, g: Tensor) -> Any:
        (x,) = self.saved_tensors
        return g / x

    def jvp(self, x_dot: Tensor) -> Tensor:
        (x,) = self.saved_tensors
        return x_dot / x


class Sin(Primitive):
    """out = sin(x)        VJP: x_bar = g * cos(x)        JVP: out_dot = x_dot * cos(x)"""

    op_name = "sin"
    grad_fn_name = "SinBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        return _xp(x).sin(x)

    def backward(self, g: Tensor) -> Any:
        (x,) = self.saved_tensors
        return g * cos(x)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (x,) = self.saved_tensors
        return x_dot * cos(x)


class Cos(Primitive):
    """out = cos(x)        VJP: x_bar = -g * sin(x)        JVP: out_dot = -x_dot * sin(x)"""

    op_name = "cos"
    grad_fn_name = "CosBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        return _xp(x).cos(x)

    def backward(self, g: Tensor) -> Any:
        (x,) = self.saved_tensors
        return -g * sin(x)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (x,) = self.saved_tensors
        return -x_dot * sin(x)


class Tanh(Primitive):
    """out = tanh(x)        VJP: x_bar = g * (1 - out²)        JVP: out_dot = x_dot * (1 - out²)"""

    op_name = "tanh"
    grad_fn_name = "TanhBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        return _xp(x).tanh(x)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g * (1 - out * out)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot * (1 - out * out)


class Sigmoid(Primitive):
    """out = 1/(1+e^-x)     VJP: x_bar = g * out * (1-out)     JVP: x_dot * out * (1-out)"""

    op_name = "sigmoid"
    grad_fn_name = "SigmoidBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        xp = _xp(x)
        e = xp.exp(-xp.abs(x))  # never overflows: e <= 1
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g * out * (1 - out)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot * out * (1 - out)


class Relu(Primitive):
    """out = max(x, 0)        VJP: x_bar = g * (out > 0)        JVP: out_dot = x_dot * (out > 0)"""

    op_name = "relu"
    grad_fn_name = "ReluBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        return _xp(x).maximum(x, 0).astype(x.dtype, copy=False)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g * (out > 0)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot * (out > 0)


class Abs(Primitive):
    """out = |x|        VJP: x_bar = g * sign(x)        JVP: out_dot = x_dot * sign(x)"""

    op_name = "abs"
    grad_fn_name = "AbsBackward0"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        return _xp(x).abs(x)

    def backward(self, g: Tensor) -> Any:
        (x,) = self.saved_tensors
        return g * sign(x)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (x,) = self.saved_tensors
        return x_dot * sign(x)


class Sqrt(Primitive):
    """out = √x        VJP: x_bar = g / (2 out)        JVP: out_dot = x_dot / (2 out)"""

    op_name = "sqrt"
    grad_fn_name = "SqrtBackward0"
    save_output = True

    def forward(self, x: Any) -> Any:
        return _xp(x).sqrt(x)

    def backward(self, g: Tensor) -> Any:
        (out,) = self.saved_tensors
        return g / (2 * out)

    def jvp(self, x_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return x_dot / (2 * out)


class Clamp(Primitive):
    """out = min(max(x, lo), hi)    VJP: x_bar = g where lo <= x <= hi    JVP: x_dot there"""

    op_name = "clamp"
    grad_fn_name = "ClampBackward1"
    save_inputs = (0,)

    def forward(self, x: Any) -> Any:
        return _xp(x).clip(x, self.min, self.max).astype(x.dtype, copy=False)

    def _inside(self) -> Tensor:
        (x,) = self.saved_tensors
        mask = x == x
        if self.min is not None:
            mask = mask & (x >= self.min)
        if self.max is not None:
            mask = mask & (x <= self.max)
        return mask

    def backward(self, g: Tensor) -> Any:
        return g * self._inside()

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot * self._inside()


class _Piecewise(Primitive):
    """Steps (floor, sign, ...): the gradient is zero wherever it exists, as in PyTorch."""

    def backward(self, g: Tensor) -> Any:
        return g * 0

    def jvp(self, x_dot: Tensor) -> Tensor:
        return x_dot * 0


class Floor(_Piecewise):
    """out = ⌊x⌋        VJP: x_bar = 0        JVP: out_dot = 0"""

    op_name = "floor"
    grad_fn_name = "FloorBackward0"

    def forward(self, x: Any) -> Any:
        return _xp(x).floor(x) if x.dtype.kind == "f" else x.copy()


class Ceil(_Piecewise):
    """out = ⌈x⌉        VJP: x_bar = 0        JVP: out_dot = 0"""

    op_name = "ceil"
    grad_fn_name = "CeilBackward0"

    def forward(self, x: Any) -> Any:
        return _xp(x).ceil(x) if x.dtype.kind == "f" else x.copy()


class Round(_Piecewise):
    """out = round(x) (half to even, as PyTorch)        VJP: 0        JVP: 0"""

    op_name = "round"
    grad_fn_name = "RoundBackward0"

    def forward(self, x: Any) -> Any:
        if x.dtype.kind != "f":
            return x.copy()
        return _xp(x).round(x, self.decimals)


class Trunc(_Piecewise):
    """out = trunc(x)        VJP: x_bar = 0        JVP: out_dot = 0"""

    op_name = "trunc"
    grad_fn_name = "TruncBackward0"

    def forward(self, x: Any) -> Any:
        return _xp(x).trunc(x) if x.dtype.kind == "f" else x.copy()


class Sign(_Piecewise):
    """out = sign(x)        VJP: x_bar = 0        JVP: out_dot = 0"""

    op_name = "sign"
    grad_fn_name = "SignBackward0"

    def forward(self, x: Any) -> Any:
        if x.dtype.kind == "b":
            return x.copy()
        return _xp(x).sign(x)


# --- public functions ---------------------------------------------------------------------------


def neg(input: Tensor) -> Tensor:
    """-input, elementwise."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return unary(Neg, input, floating=False)


negative = neg


def exp(input: Tensor) -> Tensor:
    """e ** input, elementwise."""
    return unary(Exp, input)


def log(input: Tensor) -> Tensor:
    """Natural logarithm, elementwise."""
    return unary(Log, input)


def sin(input: Tensor) -> Tensor:
    """Sine, elementwise."""
    return unary(Sin, input)


def cos(input: Tensor) -> Tensor:
    """Cosine, elementwise."""
    return unary(Cos, input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return unary(Tanh, input)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function 1 / (1 + e^-x), elementwise (overflow-free)."""
    return unary(Sigmoid, input)


def relu(input: Tensor) -> Tensor:
    """max(input, 0), elementwise."""
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
    return unary(Relu, input, floating=False)


def abs(input: Tensor) -> Tensor:  # noqa: A001
    """|input|, elementwise."""
    return unary(Abs, input, floating=False)


absolute = abs


def sqrt(input: Tensor) -> Tensor:
    """Square root, elementwise."""
    return unary(Sqrt, input)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit values to [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # `where`, not maximum/minimum: at a tie PyTorch gives the whole gradient to input (a
        # bound gets it only where it wins strictly), and a NaN bound makes the result NaN.
        out = input
        for bound, beyond in ((min, lt), (max, gt)):
            if bound is not None:
                b = bound if isinstance(bound, Tensor) else Tensor._make(np.asarray(bound))
                out = where(beyond(out, b) | isnan(b), b, out)
        if out.grad_fn is not None:
            out.grad_fn.grad_fn_name = "ClampBackward0"
        return out
    lo = _scalar(min) if min is not None else None
    hi = _scalar(max) if max is not None else None
    x = input
    if input._data.dtype.kind in "biu" and any(isinstance(b, float) for b in (lo, hi)):
        x = input.to(D.get_default_dtype())
    return unary(Clamp, x, floating=False, min=lo, max=hi)


clip = clamp


def floor(input: Tensor) -> Tensor:
    """Round down, elementwise."""
    return unary(Floor, input, floating=False)


def ceil(input: Tensor) -> Tensor:
    """Round up, elementwise."""
    return unary(Ceil, input, floating=False)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even, elementwise (optionally to `decimals` places)."""
    return unary(Round, input, floating=False, decimals=decimals)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero, elementwise."""
    return unary(Trunc, input, floating=False)


fix = trunc


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element."""
    return unary(Sign, input, floating=False)


def square(input: Tensor) -> Tensor:
    """input * input."""
    return mul(input, input)


def reciprocal(input: Tensor) -> Tensor:
    """1 / input, elementwise."""
    return div(1.0, input)


def rsqrt(input: Tensor) -> Tensor:
    """1 / sqrt(input), elementwise."""
    return reciprocal(sqrt(input))


def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm, elementwise."""
    return log(input) / float(np.log(2.0))


def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm, elementwise."""
    return log(input) / float(np.log(10.0))


def log1p(input: Tensor) -> Tensor:
    """log(1 + input), elementwise."""
    return log(add(input, 1))


def expm1(input: Tensor) -> Tensor:
    """exp(input) - 1, elementwise."""
    return sub(exp(input), 1)


def tan(input: Tensor) -> Tensor:
    """Tangent, elementwise."""
    return sin(input) / cos(input)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input)."""
    return input + weight * (end - input)
