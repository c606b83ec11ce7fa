"""In-place operations (`x += y`, `add_`, `zero_`, `x[i] = v`, ...).

Without autograd in the way (under `no_grad`, or nothing requires grad) they write straight
into the tensor's array. When the graph must record them, the out-of-place primitive runs on a
snapshot of the old value and the result is written back; the tensor then takes the result's
history ("rebasing"). If the tensor is a view, its base takes a `CopySlices` node: the base is
the old base everywhere except in the view's region, which holds the result.

Every in-place change bumps the version counter that the tensor shares with its views, so a
saved tensor that changed before backward is detected (autograd/function.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Primitive, _apply, onto, set_tangent
from ..autograd.grad_mode import forward_state, no_grad, state
from ..backend import cuda_in_use, namespace_of, to_host
from . import elementwise as E


def prepare(x: Tensor) -> None:
    """Refuse in-place changes that would corrupt the graph, with PyTorch's errors."""
    if not state.enabled or not x.requires_grad:
        return
    if x.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Wrap the update in `with torch.no_grad():`, or work on a clone.)"
        )
    base = x._base
    if base is not None and base.grad_fn is None and base.requires_grad and _is_view(x):
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation."
        )


def _is_view(x: Tensor) -> bool:
    return bool(x._extra and "view" in x._extra)


def _check_cast(result: D.dtype, out: D.dtype) -> None:
    if result.category > out.category:
        raise RuntimeError(
            f"result type {E._legacy_name(result)} can't be cast to the desired output type "
            f"{E._legacy_name(out)}"
        )


def _snapshot(x: Tensor) -> Tensor:
    """A copy of x's current value that keeps x's place in the graph."""
    old = Tensor._make(x._data.copy())
    old.requires_grad = x.requires_grad
    old.grad_fn = x.grad_fn
    old._output_nr = x._output_nr
    old._grad_acc = x._grad_acc
    # A copy: x's tangent is about to be overwritten in place (see `_write_tangent`).
    set_tangent(old, Tensor._make(x._fw._data.copy()) if x._fw is not None else None)
    return old


def commit(x: Tensor, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """Run `compute(old x)` with autograd, write the result into x, rebase x's history."""
    result = compute(_snapshot(x))
    _check_cast(result.dtype, x.dtype)
    if result._data.shape != x._data.shape:
        raise RuntimeError(
            f"output with shape {list(x._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    x._data[...] = result._data
    x._vc[0] += 1
    if result.requires_grad:
        if _is_view(x) and x._base is not None:
            _rebase_view(x, result)
        else:
            x.grad_fn, x._output_nr, x.requires_grad = result.grad_fn, result._output_nr, True
    if result._fw is not None:
        _write_tangent(x, result._fw)
    return x


def dual(*ts: Any) -> bool:
    """Forward mode: does any of these carry a tangent? (Then in-place ops must go through
    `commit`, so the tangent follows the value.)"""
    return forward_state.level is not None and any(
        isinstance(t, Tensor) and t._fw is not None for t in ts)


def _write_tangent(x: Tensor, t: Tensor) -> None:
    """Make t x's tangent by writing into x's tangent in place, as PyTorch does: a view's
    tangent is a view of its base's tangent, so the base (and other views) see the change."""
    if x._fw is None:
        xp = namespace_of(x._data)
        base = x._base
        if base is not None and _is_view(x):
            if base._fw is None:
                set_tangent(base, Tensor._make(xp.zeros_like(base._data)))
            set_tangent(x, _replay(base._fw, _view_chain(x)))
        else:
            set_tangent(x, Tensor._make(xp.zeros_like(x._data)))
    try:
        x._fw._data[...] = t._data
    except ValueError:  # a read-only tangent (e.g. an expanded one): replace it instead
        set_tangent(x, t)


# --- in-place on a view: CopySlices -------------------------------------------------------------


def _view_chain(x: Tensor) -> list[tuple[type, dict[str, Any]]]:
    """The view operations that lead from x's base to x, base first."""
    chain = []
    t = x
    while t is not x._base:
        node, src = t._extra["view"]
        params = {k: v for k, v in node.__dict__.items() if not k.startswith("_")}
        chain.append((type(node), params))
        t = src
    chain.reverse()
    return chain


def _replay(t: Tensor, chain: list[tuple[type, dict[str, Any]]]) -> Tensor:
    for cls, params in chain:
        t = _apply(cls, (t,), (t._data,), dict(params))
    return t


class CopySlices(Primitive):
    """out = base with the view region replaced by r (already written into storage)
    VJP: base_bar = g outside the region, r_bar = g's region     JVP: likewise"""

    op_name = "copy_slices"
    grad_fn_name = "CopySlices"

    def forward(self, base: Any, r: Any) -> Any:
        return base

    def _outside(self, like: Tensor) -> Tensor:
        mask = Tensor._make(namespace_of(like._data).ones_like(like._data))
        with no_grad():
            _replay(mask, self.chain)._data[...] = 0
        return mask

    def backward(self, g: Tensor) -> Any:
        gr = _replay(g, self.chain) if self.next_functions[1][0] is not None else None
        return g * self._outside(g), gr

    def jvp(self, base_dot: Tensor, r_dot: Tensor) -> Tensor:
        out = base_dot * self._outside(base_dot)
        with no_grad():
            _replay(out, self.chain)._data[...] = r_dot._data
        return out


def _rebase_view(x: Tensor, result: Tensor) -> None:
    base = x._base
    chain = _view_chain(x)
    stand_in = Tensor._make(base._data)  # the base's old place in the graph
    stand_in.requires_grad = base.requires_grad
    stand_in.grad_fn = base.grad_fn
    stand_in._output_nr = base._output_nr
    new = _apply(CopySlices, (stand_in, result), (base._data, result._data), {"chain": chain})
    base.grad_fn, base._output_nr, base.requires_grad = new.grad_fn, 0, True
    fresh = _replay(base, chain)  # x's own history: the same view, of the new base
    x.grad_fn, x._output_nr, x.requires_grad = fresh.grad_fn, 0, True


# --- the in-place methods ---------------------------------------------------------------------


def overlap_error() -> RuntimeError:
    """PyTorch's error for writing into an expanded (stride-0) tensor."""
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation."
    )


def _write_array(x: Tensor, fn: Callable[[Any], Any], other_shape: Any = ()) -> None:
    try:
        fn(x._data)
    except ValueError as e:
        msg = str(e)
        if "read-only" in msg:
            raise overlap_error() from None
        if "broadcast" in msg:
            from .._shapes import broadcast_shapes

            shape = list(broadcast_shapes(x._data.shape, tuple(other_shape)))
            raise RuntimeError(f"output with shape {list(x._data.shape)} doesn't match the "
                               f"broadcast shape {shape}") from None
        raise
    x._vc[0] += 1


def _arith(x: Tensor, y: Any, ufunc: str, prim_fn: Callable[[Any, Any], Tensor],
           floating: bool = False) -> Tensor:
    """x op= y: straight into x's array when autograd need not see it."""
    prepare(x)
    y = E.as_operand(y)
    if state.enabled and (x.requires_grad or (isinstance(y, Tensor) and y.requires_grad)) or (
            dual(x, y)):
        return commit(x, lambda old: prim_fn(old, y))
    a = x._data
    ya = y._data if isinstance(y, Tensor) else y
    if a.dtype.kind == "f" and (y.__class__ is float or y.__class__ is int or (
            isinstance(y, Tensor) and ya.dtype is a.dtype)):
        pass  # the optimizer's case (float tensor, same-dtype tensor or Python number): no cast
    else:
        rt = D.result_type(x, y)
        if floating and rt.category < 2:
            rt = D.get_default_dtype()
        _check_cast(rt, x.dtype)
        if isinstance(y, Tensor) and ya.dtype != rt.np:
            ya = ya.astype(rt.np)
    if cuda_in_use[0]:
        ya = onto(a, ya)  # Note [One device]
    xp = namespace_of(x._data)
    _write_array(x, lambda a: getattr(xp, ufunc)(a, ya, out=a, casting="unsafe"),
                 getattr(ya, "shape", ()))
    return x


def add_(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """x += alpha * other, in place."""
    if alpha != 1:
        other = E.mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _arith(x, other, "add", E.add)


def sub_(x: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """x -= alpha * other, in place."""
    E._check_bool_sub(x, other)
    if alpha != 1:
        other = E.mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _arith(x, other, "subtract", E.sub)


def mul_(x: Tensor, other: Any) -> Tensor:
    """x *= other, in place."""
    return _arith(x, other, "multiply", E.mul)


def div_(x: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """x /= other, in place (an integer x raises: the result is float)."""
    if rounding_mode is not None:
        return _unary(x, lambda t: E.div(t, other, rounding_mode=rounding_mode))
    return _arith(x, other, "true_divide", E.div, floating=True)


def pow_(x: Tensor, exponent: Any) -> Tensor:
    """x **= exponent, in place."""
    return _unary(x, lambda t: E.pow(t, exponent))


def _unary(x: Tensor, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """Any in-place op, written as its out-of-place form."""
    prepare(x)
    if state.enabled and x.requires_grad or dual(x):
        return commit(x, fn)
    with no_grad():
        r = fn(x)
    _check_cast(r.dtype, x.dtype)
    _write_array(x, lambda a: a.__setitem__(Ellipsis, r._data))
    return x


def _unary_method(fn: Callable[..., Tensor], name: str) -> Callable[..., Tensor]:
    def method(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return _unary(x, lambda t: fn(t, *args, **kwargs))

    method.__name__ = name
    method.__doc__ = f"In-place {name[:-1]}."
    return method


exp_ = _unary_method(E.exp, "exp_")
log_ = _unary_method(E.log, "log_")
sqrt_ = _unary_method(E.sqrt, "sqrt_")
abs_ = _unary_method(E.abs, "abs_")
neg_ = _unary_method(E.neg, "neg_")
relu_ = _unary_method(E.relu, "relu_")
sigmoid_ = _unary_method(E.sigmoid, "sigmoid_")
tanh_ = _unary_method(E.tanh, "tanh_")
sin_ = _unary_method(E.sin, "sin_")
cos_ = _unary_method(E.cos, "cos_")
floor_ = _unary_method(E.floor, "floor_")
ceil_ = _unary_method(E.ceil, "ceil_")
round_ = _unary_method(E.round, "round_")
trunc_ = _unary_method(E.trunc, "trunc_")
sign_ = _unary_method(E.sign, "sign_")
clamp_ = _unary_method(E.clamp, "clamp_")
clip_ = clamp_
square_ = _unary_method(E.square, "square_")
reciprocal_ = _unary_method(E.reciprocal, "reciprocal_")


def masked_fill_(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    """Set x to value where mask is True, in place."""
    from .indexing import masked_fill

    return _unary(x, lambda t: masked_fill(t, mask, value))


def _fill(x: Tensor, value: Any) -> Tensor:
    prepare(x)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if state.enabled and value.requires_grad or dual(value):
            return commit(x, lambda old: value.to(x.dtype).expand(x._data.shape).clone())
        value = value.item()
    _write_array(x, lambda a: a.fill(value))
    if dual(x):  # a constant has no tangent
        _write_tangent(x, Tensor._make(namespace_of(x._data).zeros_like(x._data)))
    if state.enabled and x.requires_grad:  # a non-leaf overwritten by a constant
        x.grad_fn = _apply(E.Mul, (_snapshot(x), 0), (x._data, 0), {}).grad_fn
    return x


def fill_(x: Tensor, value: Any) -> Tensor:
    """Set every element to value, in place."""
    return _fill(x, value)


def zero_(x: Tensor) -> Tensor:
    """Set every element to 0, in place."""
    return _fill(x, 0)


def copy_(x: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy src's values into x (broadcasting src, converting dtype and device), in place."""
    prepare(x)
    src = src if isinstance(src, Tensor) else Tensor._make(namespace_of(x._data).asarray(src))
    if state.enabled and (x.requires_grad or src.requires_grad) or dual(x, src):
        from .indexing import IndexPut

        # copy_ is `x[...] = src`: IndexPut gives x's old value a zero gradient (not None),
        # as torch's CopyBackwards does; the engine casts src's gradient to src's dtype.
        s = src.to(device=x.device).expand(x._data.shape)
        return commit(x, lambda old: _apply(IndexPut, (old, s), (old._data, s._data), {
            "key": (Ellipsis,), "advanced": False, "grad_fn_name": "CopyBackwards"}))
    data = src._data
    if type(data) is not type(x._data):
        data = src.to(x.device)._data
    _write_array(x, lambda a: a.__setitem__(Ellipsis, data))
    return x


def set_(x: Tensor, source: Tensor) -> Tensor:
    """Make x use source's storage (shape, dtype and all)."""
    x._data = source._data
    x._vc = source._vc
    return x


def _random_fill(x: Tensor, draw: Callable[[Any], Any]) -> Tensor:
    prepare(x)
    arr = draw(x)
    _write_array(x, lambda a: a.__setitem__(Ellipsis, namespace_of(a).asarray(arr)))
    return x


def normal_(x: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of N(mean, std²), in place."""
    from .._generator import _gen

    return _random_fill(x, lambda t: _gen(generator).normal(
        t._data.shape, float(mean), float(std), t._data.dtype))


def uniform_(x: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of U[a, b), in place."""
    from .._generator import _gen

    return _random_fill(x, lambda t: _gen(generator).uniform(
        t._data.shape, float(a), float(b), t._data.dtype))


def bernoulli_(x: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 1 (probability p) or 0, in place."""
    from .._generator import _gen

    if isinstance(p, Tensor):
        return _random_fill(x, lambda t: _gen(generator).bernoulli_tensor(
            to_host(p._data), t._data.dtype, shape=t._data.shape))
    return _random_fill(x, lambda t: _gen(generator).bernoulli_scalar(
        float(p), t._data.shape, t._data.dtype))


def random_(x: Tensor, *args: int, generator: Any = None, **kwargs: int) -> Tensor:
    """Fill with random integers: random_() over the dtype's range, random_(to) in [0, to),
    random_(from, to) in [from, to), random_(from_=f) in [f, the dtype's maximum], in place."""
    from .._generator import _gen

    bounds = list(args)
    if "from_" in kwargs or "from" in kwargs:
        bounds.insert(0, kwargs.get("from_", kwargs.get("from")))
    if "to" in kwargs:
        bounds.append(kwargs["to"])
    if not bounds:
        return _random_fill(x, lambda t: _gen(generator).random_full(t._data.shape,
                                                                       t._data.dtype))
    if len(bounds) == 1 and args and "to" not in kwargs:
        lo, hi = 0, bounds[0]
    else:
        lo, hi = bounds[0], bounds[1] if len(bounds) > 1 else None
    return _random_fill(x, lambda t: _gen(generator).random_(t._data.shape, lo, hi,
                                                             t._data.dtype))


def exponential_(x: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of Exp(lambd), in place."""
    from .._generator import _gen

    return _random_fill(x, lambda t: _gen(generator).exponential(
        t._data.shape, float(lambd), t._data.dtype))
