"""Elementwise primitives (add, mul, exp, relu, ...) and the non-differentiable elementwise
functions (comparisons, logical and bitwise ops, floor division).

`operands()` is where PyTorch's type promotion meets the arrays: it casts both operands to the
result dtype before the kernel runs (NumPy 2 would promote differently), and turns NumPy's
broadcasting ValueError into PyTorch's RuntimeError. Gradients that come back in the promoted
dtype or broadcast shape are put right by the engine (Note [Broadcasting in backward]).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply, one_device
from ..autograd.grad_mode import forward_state, state
from ..backend import cuda_in_use, np

_Number = (int, float, bool)

# Floats, not warnings: PyTorch never warns on log(0) or overflow, and a per-op errstate
# context would cost more than the op itself.
np.seterr(all="ignore")


# --- operands and promotion -------------------------------------------------------------------


def _scalar(v: Any) -> Any:
    """A Python number from a Python or NumPy scalar; TypeError for anything else."""
    if isinstance(v, _Number):
        return v
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"unsupported operand type: '{type(v).__name__}'")


def as_operand(v: Any) -> Any:
    """A Tensor or a Python number (NumPy arrays become tensors, as PyTorch allows)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, np.ndarray):
        return Tensor._make(v)
    return _scalar(v)


def operands(x: Any, y: Any, floating: bool = False) -> tuple[Any, Any, D.dtype]:
    """Arrays (or Python numbers) for x and y cast to PyTorch's result dtype, and that dtype.

    `floating` makes integer results float (true division, exp, ...).
    """
    xa = x._data if isinstance(x, Tensor) else x
    ya = y._data if isinstance(y, Tensor) else y
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        if cuda_in_use[0]:  # Note [One device]
            xa, ya = one_device((x, y), (xa, ya))
        if xa.dtype is ya.dtype and (not floating or xa.dtype.kind == "f"):
            return xa, ya, D.from_numpy_dtype(xa.dtype)
    rt = D.result_type(x, y)
    if floating and rt.category < 2:
        rt = D.get_default_dtype()
    npd = rt.np
    if isinstance(x, Tensor):
        if xa.dtype != npd:
            xa = xa.astype(npd)
    elif rt.category == 2:
        xa = float(xa)
    elif xa.__class__ is int:
        xa = _wrap_int(xa, npd)
    if isinstance(y, Tensor):
        if ya.dtype != npd:
            ya = ya.astype(npd)
    elif rt.category == 2:
        ya = float(ya)
    elif ya.__class__ is int:
        ya = _wrap_int(ya, npd)
    return xa, ya, rt


def _wrap_int(v: int, npd: Any) -> Any:
    """A Python int outside the result dtype's range wraps around, as PyTorch casts it
    (`uint8_tensor - 2` counts modulo 256); NumPy 2 would raise OverflowError instead."""
    info = np.iinfo(npd)
    if info.min <= v <= info.max:
        return v
    return np.asarray(v).astype(npd)[()]  # a NumPy scalar: CuPy takes those, not host arrays


def broadcast_error(*xs: Any) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast."""
    from .._shapes import broadcast_shapes

    try:
        broadcast_shapes(*(getattr(x, "shape", ()) for x in xs))
    except RuntimeError as e:
        return e
    return RuntimeError("shapes do not broadcast")


def binary(cls: type[Primitive], x: Any, y: Any, floating: bool = False, **params: Any) -> Any:
    """Run a binary elementwise primitive with promotion and broadcasting checks."""
    if not isinstance(y, Tensor):
        y = as_operand(y)
    if not isinstance(x, Tensor):
        x = as_operand(x)
    xa, ya, _ = operands(x, y, floating)
    try:
        return _apply(cls, (x, y), (xa, ya), params)
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(x, y) from None
        raise


def unary(cls: type[Primitive], x: Tensor, floating: bool = True, **params: Any) -> Any:
    """Run a unary primitive; integer inputs of float functions become the default float."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{cls.op_name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    xa = x._data
    if floating and xa.dtype.kind in "biu":
        xa = xa.astype(D.get_default_dtype().np)
    return _apply(cls, (x,), (xa,), params)


_OPERANDS = (Tensor, int, float, bool, np.generic, np.ndarray)
_generic = np.generic


def operator_method(kernel: Callable[[Any, Any], Any], public: Callable[[Any, Any], Any],
                    reflected: bool = False, prim: type[Primitive] | None = None,
                    grad_fn_name: str | tuple[str, str] | None = None,
                    ) -> Callable[[Tensor, Any], Any]:
    """The Tensor operator (`x * y`, `2 - x`, `x > 0`) for a binary operation.

    The common case takes a shortcut: float operands of one dtype (or a float tensor and a
    Python number, which NumPy 2 keeps in the tensor's dtype, as PyTorch does) on one device
    need no promotion, so they go straight to the array kernel when no autograd is involved,
    or straight to the primitive `prim` when it is. Everything else, promotion and error
    messages included, goes through `public`, the op's torch function. The shortcut halves
    the cost of small-tensor arithmetic (python -m benchmarks op_overhead).
    """

    def op(self: Tensor, other: Any) -> Any:
        a = self._data
        if isinstance(other, Tensor):
            b = other._data
            same = b.dtype is a.dtype and a.dtype.kind == "f" and type(b) is type(a)
            tracked = state.enabled and (self.requires_grad or other.requires_grad)
        elif other.__class__ is float or other.__class__ is int:
            b = other
            same = a.dtype.kind == "f"
            tracked = state.enabled and self.requires_grad
        elif isinstance(other, _OPERANDS):
            same = False
        else:
            return NotImplemented  # let the other operand's reflected method try
        if same:
            try:
                if not tracked and forward_state.level is None:
                    out = kernel(b, a) if reflected else kernel(a, b)
                    return Tensor._make(np.asarray(out) if isinstance(out, _generic) else out)
                if prim is not None:
                    name = grad_fn_name
                    if type(name) is tuple:  # (name with a tensor operand, with a number)
                        name = name[0] if isinstance(other, Tensor) else name[1]
                    params = {"grad_fn_name": name} if name else {}
                    if reflected:
                        return _apply(prim, (other, self), (b, a), params)
                    return _apply(prim, (self, other), (a, b), params)
            except ValueError:  # shapes that don't broadcast: the general path says so
                pass
        return public(other, self) if reflected else public(self, other)

    op.__name__ = getattr(public, "__name__", "op")
    op.__doc__ = f"The operator form of `{op.__name__}`."
    return op


def _needs(node: Primitive, i: int) -> bool:
    return node.next_functions[i][0] is not None


# --- binary primitives --------------------------------------------------------------------------


class Add(Primitive):
    """out = x + y        VJP: x_bar = g, y_bar = g        JVP: out_dot = x_dot + y_dot"""

    op_name = "add"
    grad_fn_name = "AddBackward0"

    def forward(self, x: Any, y: Any) -> Any:
        return x + y

    def backward(self, g: Tensor) -> Any:
        return g, g

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        return x_dot + y_dot


class Sub(Primitive):
    """out = x - y        VJP: x_bar = g, y_bar = -g        JVP: out_dot = x_dot - y_dot"""

    op_name = "sub"
    grad_fn_name = "SubBackward0"

    def forward(self, x: Any, y: Any) -> Any:
        return x - y

    def backward(self, g: Tensor) -> Any:
        return g, (-g if _needs(self, 1) else None)

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        return x_dot - y_dot


class Mul(Primitive):
    """out = x * y     VJP: x_bar = g * y, y_bar = g * x     JVP: out_dot = x_dot*y + x*y_dot"""

    op_name = "mul"
    grad_fn_name = "MulBackward0"
    save_inputs = (0, 1)

    def forward(self, x: Any, y: Any) -> Any:
        return x * y

    def backward(self, g: Tensor) -> Any:
        x, y = self.saved_tensors
        return (g * y if _needs(self, 0) else None), (g * x if _needs(self, 1) else None)

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        x, y = self.saved_tensors
        return x_dot * y + x * y_dot


class Div(Primitive):
    """out = x / y     VJP: x_bar = g / y, y_bar = -g * x / y²
    JVP: out_dot = (x_dot - out*y_dot) / y"""

    op_name = "div"
    grad_fn_name = "DivBackward0"
    save_inputs = (0, 1)

    def forward(self, x: Any, y: Any) -> Any:
        return x / y

    def backward(self, g: Tensor) -> Any:
        x, y = self.saved_tensors
        gx = g / y if _needs(self, 0) else None
        gy = -g * x / (y * y) if _needs(self, 1) else None
        return gx, gy

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        x, y = self.saved_tensors
        return x_dot / y - x * y_dot / (y * y)


def _int_pow(x: Any, y: Any) -> Any:
    """Integer powers with negative (tensor) exponents, as PyTorch computes them: 1 stays 1,
    -1 gives ±1 by the exponent's parity, anything else gives 0 (NumPy raises instead)."""
    xp = _xp(x, y)
    x = xp.asarray(x, dtype=xp.result_type(x, y))  # a Python-int base keeps y's dtype
    neg = y < 0
    out = x ** xp.where(neg, 0, y)
    tiny = xp.where(x == 1, 1, xp.where(x == -1, 1 - 2 * (y & 1), 0))
    return xp.where(neg, tiny, out).astype(out.dtype)


class Pow(Primitive):
    """out = x ** y     VJP: x_bar = g*y*x^(y-1), y_bar = g*out*log(x)
    JVP: out_dot = x_dot*y*x^(y-1) + y_dot*out*log(x)

    Where x == 0 the exponent's gradient is taken as 0 (PyTorch's convention: log 0 is -inf
    but the limit of x^y log x is 0 for y > 0).
    """

    op_name = "pow"
    grad_fn_name = "PowBackward0"
    save_inputs = (0, 1)
    save_output = True

    def forward(self, x: Any, y: Any) -> Any:
        if getattr(y, "dtype", None) is not None and y.dtype.kind in "iu" and (y < 0).any():
            return _int_pow(x, y)
        return x**y

    def _partials(self, want_x: bool = True, want_y: bool = True) -> tuple[Any, Any]:
        """d out/d x and d out/d y as tensors (None for a Python-number operand)."""
        x, y, out = self.saved_tensors
        dx = dy = None
        if want_x and isinstance(x, Tensor):
            if isinstance(y, Tensor):
                dx = y * x ** (y - 1)
            elif y == 0:
                dx = x * 0
            elif y == 2:
                dx = x * 2  # the square of the losses: one multiplication instead of two
            else:
                dx = y * x ** (y - 1)
        if want_y and isinstance(y, Tensor):
            if isinstance(x, Tensor):
                dy = where((x == 0) & (y >= 0), 0.0, out * log(x))
            else:
                dy = out * float(np.log(x))
        return dx, dy

    def backward(self, g: Tensor) -> Any:
        dx, dy = self._partials(_needs(self, 0), _needs(self, 1))
        return (g * dx if dx is not None and _needs(self, 0) else None), (
            g * dy if dy is not None and _needs(self, 1) else None
        )

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        dx, dy = self._partials()
        out = 0.0
        if dx is not None:
            out = x_dot * dx
        if dy is not None:
            out = out + y_dot * dy
        return out if isinstance(out, Tensor) else x_dot * 0


class Maximum(Primitive):
    """out = max(x, y)     VJP: g to the larger input, g/2 to each on ties     JVP: likewise"""

    op_name = "maximum"
    grad_fn_name = "MaximumBackward0"
    save_inputs = (0, 1)

    def forward(self, x: Any, y: Any) -> Any:
        return _xp(x, y).maximum(x, y)

    def _weights(self) -> tuple[Tensor, Tensor]:
        x, y = self.saved_tensors
        wx = (x > y).to(x.dtype) + (x == y).to(x.dtype) * 0.5
        return wx, 1 - wx

    def backward(self, g: Tensor) -> Any:
        wx, wy = self._weights()
        return g * wx, g * wy

    def jvp(self, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        wx, wy = self._weights()
        return x_dot * wx + y_dot * wy


class Minimum(Maximum):
    """out = min(x, y)     VJP: g to the smaller input, g/2 to each on ties     JVP: likewise"""

    op_name = "minimum"
    grad_fn_name = "MinimumBackward0"

    def forward(self, x: Any, y: Any) -> Any:
        return _xp(x, y).minimum(x, y)

    def _weights(self) -> tuple[Tensor, Tensor]:
        x, y = self.saved_tensors
        wx = (x < y).to(x.dtype) + (x == y).to(x.dtype) * 0.5
        return wx, 1 - wx


def _xp(*arrays: Any) -> Any:
    from ..backend import namespace_of

    for a in arrays:
        if hasattr(a, "dtype") and not isinstance(a, np.generic):
            return namespace_of(a)
    return np


class Where(Primitive):
    """out = where(c, x, y)     VJP: x_bar = g·c, y_bar = g·(1-c)     JVP: where(c, x_dot, y_dot)"""

    op_name = "where"
    grad_fn_name = "WhereBackward0"
    save_inputs = (0,)

    def forward(self, c: Any, x: Any, y: Any) -> Any:
        return _xp(c).where(c, x, y)

    def backward(self, g: Tensor) -> Any:
        (c,) = self.saved_tensors
        return (
            None,
            where(c, g, 0.0) if _needs(self, 1) else None,
            where(c, 0.0, g) if _needs(self, 2) else None,
        )

    def jvp(self, c_dot: Tensor, x_dot: Tensor, y_dot: Tensor) -> Tensor:
        (c,) = self.saved_tensors
        return where(c, x_dot, y_dot)


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


def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input + alpha * other, elementwise with broadcasting."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return binary(Add, input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input - alpha * other, elementwise with broadcasting."""
    _check_bool_sub(input, other)
    if alpha != 1:
        other = _scaled(other, alpha)
    return binary(Sub, input, other)


def _check_bool_sub(x: Any, y: Any) -> None:
    # PyTorch refuses `-` as soon as either operand is bool (a tensor or a Python bool).
    if _is_bool(x) and _is_bool(y):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if _is_bool(x) or _is_bool(y):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _scaled(v: Any, alpha: Any) -> Any:
    """alpha * v for add/sub's `alpha`: a Python number stays a number (mul needs a tensor)."""
    return mul(v, alpha) if isinstance(v, Tensor) else as_operand(v) * alpha


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input (what `2 - x` calls)."""
    _check_bool_sub(other, input)
    if alpha != 1:
        input = _scaled(input, alpha)
    return binary(Sub, other, input, grad_fn_name="RsubBackward1")


def _is_bool(v: Any) -> bool:
    return isinstance(v, Tensor) and v._data.dtype.kind == "b" or isinstance(v, bool)


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """input * other, elementwise with broadcasting (the Hadamard product)."""
    return binary(Mul, input, other)


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:
    """input / other; integer tensors give float results, as in PyTorch."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        q = binary(Div, input, other, floating=True)
        q = trunc(q)
        return q.to(D.result_type(as_operand(input), as_operand(other)))
    return binary(Div, input, other, floating=True)


true_divide = divide = div
multiply = mul
subtract = sub


def pow(input: Any, exponent: Any, *, out: Any = None) -> Tensor:  # noqa: A001
    """input ** exponent, elementwise; integers to negative integer powers raise."""
    x, e = as_operand(input), as_operand(exponent)
    rt = D.result_type(x, e)
    # Only a negative Python-number exponent raises; tensor exponents give 0 (see _int_pow).
    if rt.category < 2 and not isinstance(e, Tensor) and e < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if isinstance(x, Tensor) and not isinstance(e, Tensor):
        name = "PowBackward0"
    elif isinstance(e, Tensor) and not isinstance(x, Tensor):
        name = "PowBackward2"
    else:
        name = "PowBackward1"
    return binary(Pow, x, e, grad_fn_name=name)


def maximum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise maximum of two tensors (NaN propagates)."""
    return binary(Maximum, input, other)


def minimum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise minimum of two tensors (NaN propagates)."""
    return binary(Minimum, input, other)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """Elementwise choice: input where condition holds, else other (tensors or numbers)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cond = condition if isinstance(condition, Tensor) else Tensor._make(np.asarray(condition))
    if cond._data.dtype.kind != "b":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_legacy_name(cond.dtype)}"
        )
    x, y = as_operand(input), as_operand(other)
    xa, ya, _ = operands(x, y)
    try:
        return _apply(Where, (cond, x, y), (cond._data, xa, ya), {})
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(cond, x, y) from None
        raise


def _legacy_name(d: D.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[d.name]


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


# --- not differentiable: comparisons, logic, integer division -----------------------------------


def _wrap(out: Any) -> Tensor:
    """A Tensor from a kernel's result: NumPy gives scalars, not 0-d arrays, for 0-d inputs."""
    return Tensor._make(np.asarray(out) if isinstance(out, np.generic) else out)


def _nondiff(fn: Any, x: Any, y: Any, floating: bool = False) -> Tensor:
    x, y = as_operand(x), as_operand(y)
    xa, ya, _ = operands(x, y, floating)
    try:
        out = fn(xa, ya)
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(x, y) from None
        raise
    return Tensor._make(np.asarray(out) if isinstance(out, np.generic) else out)


def eq(input: Any, other: Any) -> Tensor:
    """input == other, elementwise (a bool tensor)."""
    return _nondiff(operator.eq, input, other)


def ne(input: Any, other: Any) -> Tensor:
    """input != other, elementwise."""
    return _nondiff(operator.ne, input, other)


def lt(input: Any, other: Any) -> Tensor:
    """input < other, elementwise."""
    return _nondiff(operator.lt, input, other)


def le(input: Any, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return _nondiff(operator.le, input, other)


def gt(input: Any, other: Any) -> Tensor:
    """input > other, elementwise."""
    return _nondiff(operator.gt, input, other)


def ge(input: Any, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return _nondiff(operator.ge, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if all elements are close: |a - b| <= atol + rtol * |b|."""
    return bool(_xp(input._data).allclose(input._data, other._data, rtol, atol, equal_nan))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise closeness as a bool tensor."""
    return _nondiff(lambda a, b: _xp(a).isclose(a, b, rtol, atol, equal_nan), input, other)


def _integer_only(name: str, *xs: Any) -> None:
    for x in xs:
        if isinstance(x, Tensor) and x._data.dtype.kind == "f":
            raise NotImplementedError(
                f'"{name}_cpu" not implemented for \'{_legacy_name(x.dtype)}\'')
    if any(isinstance(x, float) for x in xs):
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Float\'')


def bitwise_and(input: Any, other: Any) -> Tensor:
    """input & other for bool or integer tensors."""
    _integer_only("bitwise_and", input, other)
    return _nondiff(lambda a, b: a & b, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """input | other for bool or integer tensors."""
    _integer_only("bitwise_or", input, other)
    return _nondiff(lambda a, b: a | b, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """input ^ other for bool or integer tensors."""
    _integer_only("bitwise_xor", input, other)
    return _nondiff(lambda a, b: a ^ b, input, other)


def invert(input: Tensor) -> Tensor:
    """`~input`: bitwise not, which the operator refuses for floats with a TypeError."""
    if input._data.dtype.kind == "f":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def bitwise_not(input: Tensor) -> Tensor:
    """~input for bool or integer tensors."""
    _integer_only("bitwise_not", input)
    return _wrap(~input._data)


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical AND (nonzero is True)."""
    return _nondiff(lambda a, b: _xp(a).logical_and(a, b), input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical OR."""
    return _nondiff(lambda a, b: _xp(a).logical_or(a, b), input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise logical XOR."""
    return _nondiff(lambda a, b: _xp(a).logical_xor(a, b), input, other)


def logical_not(input: Tensor) -> Tensor:
    """Elementwise logical NOT."""
    return _wrap(_xp(input._data).logical_not(input._data))


def _int_division(kind: str, a: Any, b: Any) -> Any:
    xp = _xp(a, b)
    _no_bool_kernel("div_floor" if kind == "floor" else "remainder", a, b)
    if getattr(a, "dtype", np.dtype(float)).kind in "biu" and (
        getattr(b, "dtype", np.dtype(float)).kind in "biu" or isinstance(b, int)
    ):
        if bool(xp.any(xp.asarray(b) == 0)):
            raise RuntimeError("ZeroDivisionError")
    return xp.floor_divide(a, b) if kind == "floor" else xp.remainder(a, b)


def floor_divide(input: Any, other: Any) -> Tensor:
    """input // other (rounding toward -inf); integer division by zero raises."""
    return _nondiff(lambda a, b: _int_division("floor", a, b), input, other)


def remainder(input: Any, other: Any) -> Tensor:
    """input % other with the sign of other (Python's rule)."""
    return _nondiff(lambda a, b: _int_division("rem", a, b), input, other)


def fmod(input: Any, other: Any) -> Tensor:
    """Remainder with the sign of input (C's rule)."""
    def kernel(a: Any, b: Any) -> Any:
        _no_bool_kernel("fmod", a, b)
        return _xp(a, b).fmod(a, b)

    return _nondiff(kernel, input, other)


def _no_bool_kernel(name: str, a: Any, b: Any) -> None:
    """PyTorch has no bool kernel for these: bool // bool raises instead of giving a bool."""
    if all(isinstance(v, bool) or getattr(getattr(v, "dtype", None), "kind", "") == "b"
           for v in (a, b)):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def isnan(input: Tensor) -> Tensor:
    """True where input is NaN."""
    return _wrap(_xp(input._data).isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    """True where input is ±inf."""
    return _wrap(_xp(input._data).isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    """True where input is neither NaN nor ±inf."""
    return _wrap(_xp(input._data).isfinite(input._data))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple per dim."""
    a = input._data
    xp = _xp(a)
    if a.ndim == 0:  # as torch: a 0-d tensor is one element with no coordinates
        n = int(bool(a))
        return (Tensor._make(xp.zeros(n, np.int64)),) if as_tuple else Tensor._make(
            xp.zeros((n, 0), np.int64))
    idx = xp.nonzero(a)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in idx)
    return Tensor._make(xp.stack(idx, axis=1).astype(np.int64))
