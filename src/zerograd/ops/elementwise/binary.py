"""Binary elementwise primitives (add, sub, mul, div, pow, maximum, minimum, where) and their
torch functions. Promotion and broadcasting checks happen in promotion.py before a kernel runs.
"""

from __future__ import annotations

from typing import Any

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Primitive, _apply
from ...backend import np
from .comparison import floor_divide, nonzero
from .promotion import _legacy_name, _xp, as_operand, binary, broadcast_error, operands


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
                from .unary import log  # unary.py builds on this module: import late

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
        from .unary import trunc

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
