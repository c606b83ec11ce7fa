"""Higher-level autograd, as `torch.autograd.functional`: vjp, jvp, jacobian, hessian, hvp, vhp.

A Jacobian is built one row per output element with reverse mode (反向累积: one backward pass
each, the forward pass shared) or one column per input element with forward mode (正向累积:
one dual forward pass each). With no vmap, both loop over basis vectors; which loop is shorter
is exactly the trade-off the course notes describe. The private helpers here (`_track`,
`_reverse_blocks`, `_forward_blocks`) are also what zerograd.func is built on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .._tensor import Tensor
from ..backend import namespace_of
from . import forward_ad as fwAD
from .engine import grad as _grad
from .function import set_tangent
from .grad_mode import enable_grad, forward_state, is_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


# --- the machinery (shared with zerograd.func) ---------------------------------------------------


def _track(x: Any, outer: bool) -> Tensor:
    """A tensor that reverse mode can differentiate against, with x's value and tangent.

    When `outer` (an enclosing transform or graph records x), the new tensor is a view of x, so
    the result stays differentiable with respect to x (higher order). Otherwise it is a fresh
    leaf on x's storage that keeps x's forward-mode tangent (forward-over-reverse).
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor input, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if outer and x.requires_grad:
        return x.view_as(x)
    t = Tensor._make(x._data)
    t._vc = x._vc
    if x._fw is not None and forward_state.level is not None:
        set_tangent(t, x._fw)
    t.requires_grad = True
    return t


def _plain(t: Any, keep_graph: bool) -> Any:
    """`t` cut from the graph (unless keep_graph), keeping a forward-mode tangent if it has one."""
    if keep_graph or not isinstance(t, Tensor):
        return t
    out = Tensor._make(t._data)
    out._vc = t._vc
    if t._fw is not None and forward_state.level is not None:
        set_tangent(out, t._fw)
    return out


def _zeros_like(t: Tensor, shape: tuple[int, ...] | None = None) -> Tensor:
    xp = namespace_of(t._data)
    return Tensor._make(xp.zeros(t._data.shape if shape is None else shape, t._data.dtype))


def _basis(t: Tensor, k: int) -> Tensor:
    """The k-th standard basis vector, shaped like t (a one-hot tangent or cotangent)."""
    e = _zeros_like(t)
    e._data.reshape(-1)[k] = 1
    return e


def _assemble(pieces: list[Tensor], lead: tuple[int, ...], like: Tensor, tail: tuple[int, ...],
              rows: bool) -> Tensor:
    """Stack rows (or columns) of a Jacobian block into shape lead + tail."""
    from ..ops.join import stack

    shape = tuple(lead) + tuple(tail)
    if not pieces:
        return _zeros_like(like, shape)
    return stack(pieces, 0 if rows else -1).reshape(shape)


def _reverse_blocks(outputs: Sequence[Tensor], inputs: Sequence[Tensor], create_graph: bool,
                    strict: bool = False) -> list[list[Tensor]]:
    """J[i][j] = d outputs[i] / d inputs[j], shape out_i.shape + in_j.shape, one backward pass
    per output element (the forward pass is shared: the graph is kept between passes)."""
    blocks = []
    for i, o in enumerate(outputs):
        rows: list[list[Tensor]] = [[] for _ in inputs]
        if o.requires_grad:
            for k in range(o.numel()):
                gs = _grad(o, inputs, _basis(o, k), retain_graph=True, create_graph=create_graph,
                           allow_unused=True)
                for j, g in enumerate(gs):
                    if g is None:
                        _check_strict(strict, i, j)
                        g = _zeros_like(inputs[j])
                    rows[j].append(g)
        elif o.numel():
            _check_strict(strict, i, 0)
            rows = [[_zeros_like(x)] * o.numel() for x in inputs]
        blocks.append([_assemble(r, o.shape, o, x.shape, True) for r, x in zip(rows, inputs)])
    return blocks


def _check_strict(strict: bool, i: int, j: int) -> None:
    if strict:
        raise RuntimeError(
            f"Output {i} of the user-provided function is independent of input {j}. This is "
            "not allowed in strict mode."
        )


def _forward_level() -> fwAD.dual_level:
    if forward_state.level is not None:
        raise RuntimeError(
            "Nested forward mode AD is not supported at the moment (zerograd has one dual "
            "level: use jacfwd(jacrev(f)) or jacrev(jacfwd(f)) instead of jacfwd(jacfwd(f)))"
        )
    return fwAD.dual_level()


def _forward_blocks(fn: Callable[..., Sequence[Tensor]], inputs: Sequence[Tensor]
                    ) -> tuple[list[Tensor], list[list[Tensor]]]:
    """The outputs of fn(*inputs) and J[i][j], one dual forward pass per input element."""
    cols: list[list[list[Tensor]]] | None = None
    outs: list[Tensor] | None = None
    with _forward_level():
        for j, x in enumerate(inputs):
            for k in range(x.numel()):
                args = list(inputs)
                args[j] = fwAD.make_dual(x, _basis(x, k))
                res = list(fn(*args))
                if cols is None:
                    cols = [[[] for _ in inputs] for _ in res]
                    outs = [_plain(fwAD.unpack_dual(o).primal, True) for o in res]
                for i, o in enumerate(res):
                    t = fwAD.unpack_dual(o).tangent
                    cols[i][j].append(t if t is not None else _zeros_like(o))
    if outs is None or cols is None:  # every input is empty: run once for the output shapes
        outs = list(fn(*inputs))
        cols = [[[] for _ in inputs] for _ in outs]
    blocks = [[_assemble(c, o.shape, o, x.shape, False) for c, x in zip(cols[i], inputs)]
              for i, o in enumerate(outs)]
    return outs, blocks


# --- torch.autograd.functional ---------------------------------------------------------------


def _as_tuple(x: Any, what: str, fname: str) -> tuple[bool, tuple[Tensor, ...]]:
    if isinstance(x, Tensor):
        return False, (x,)
    if isinstance(x, tuple) and all(isinstance(t, Tensor) for t in x):
        return True, x
    raise TypeError(
        f"The {what} given to {fname} must be either a Tensor or a tuple of Tensors but the "
        f"given {what} has type {type(x)}."
    )


def _outputs(res: Any, fname: str) -> tuple[bool, tuple[Tensor, ...]]:
    return _as_tuple(res, "outputs of the user-provided function", fname)


def _run(func: Callable[..., Any], inputs: tuple[Tensor, ...], create_graph: bool
         ) -> tuple[tuple[Tensor, ...], bool]:
    """Tracked copies of the inputs, and whether results must stay differentiable."""
    keep = create_graph and is_grad_enabled()
    return tuple(_track(x, keep) for x in inputs), keep


_OF_OUTPUT = "the user-provided function returns"
_OF_INPUT = "the input to the user-provided function is"


def _check_v(v: Any, like: tuple[Tensor, ...], fname: str, of: str) -> tuple[Tensor, ...]:
    """v as a tuple matching `like` (v may be None only when `like` is one 1-element tensor)."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(
                f"The vector v can only be None if {of} a single Tensor with a single element."
            )
        return (_zeros_like(like[0]) + 1,)
    _, vs = _as_tuple(v, "v", fname)
    if len(vs) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(vs)}.")
    for a, b in zip(vs, like):
        if a.shape != b.shape:
            raise RuntimeError(f"v has invalid size: should be {b.shape} but got {a.shape}.")
    return vs


def _untuple(is_tuple: bool, xs: Sequence[Any]) -> Any:
    return tuple(xs) if is_tuple else xs[0]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the vector-Jacobian product, by one reverse pass."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        ts, keep = _run(func, xs, create_graph)
        out_tuple, outs = _outputs(func(*ts), "vjp")
        vs = _check_v(v, outs, "vjp", _OF_OUTPUT)
        diff = [(o, g) for o, g in zip(outs, vs) if o.requires_grad]
        gs: Sequence[Any] = [None] * len(ts)
        if diff:
            gs = _grad([o for o, _ in diff], ts, [g for _, g in diff], create_graph=keep,
                       allow_unused=True)
    res = []
    for j, (g, x) in enumerate(zip(gs, xs)):
        if g is None:
            _check_strict(strict, 0, j)
            g = _zeros_like(x)
        res.append(_plain(g, keep))
    return _untuple(out_tuple, [_plain(o, keep) for o in outs]), _untuple(in_tuple, res)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, by one forward-mode (dual) pass."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    vs = _check_v(v, xs, "jvp", _OF_INPUT)
    with enable_grad():
        ts, keep = _run(func, xs, create_graph)
        with _forward_level():
            duals = [fwAD.make_dual(t, g) for t, g in zip(ts, vs)]
            out_tuple, outs = _outputs(func(*duals), "jvp")
            pairs = [fwAD.unpack_dual(o) for o in outs]
    res = []
    for i, (o, (_, t)) in enumerate(zip(outs, pairs)):
        if t is None:
            _check_strict(strict, i, 0)
            t = _zeros_like(o)
        res.append(_plain(t, keep))
    prim = [_plain(p, keep) for p, _ in pairs]
    return _untuple(out_tuple, prim), _untuple(out_tuple, res)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of func at inputs: a Tensor, or tuples of Tensors for tuple inputs/outputs.

    `strategy='reverse-mode'` takes one backward pass per output element; 'forward-mode' one
    dual forward pass per input element. `vectorize` is accepted (zerograd always loops).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        # AssertionError, the class torch raises for this (it checks with `assert`).
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                "implemented for `vectorize=True`."
            )
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        ts, keep = _run(func, xs, create_graph)
        if strategy == "forward-mode":
            flags: list[bool] = []

            def flat(*args: Tensor) -> tuple[Tensor, ...]:
                is_tuple, outs = _outputs(func(*args), "jacobian")
                flags.append(is_tuple)
                return outs

            _, blocks = _forward_blocks(flat, ts)
            out_tuple = flags[0] if flags else False
        else:
            out_tuple, outs = _outputs(func(*ts), "jacobian")
            blocks = _reverse_blocks(outs, ts, keep, strict)
    blocks = [[_plain(b, keep) for b in row] for row in blocks]
    if strategy == "forward-mode" and in_tuple:  # torch's forward mode nests lists here
        return [list(row) for row in blocks] if out_tuple else list(blocks[0])
    return _untuple(out_tuple, [_untuple(in_tuple, row) for row in blocks])


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: the Jacobian of its gradient (the inner Jacobian by
    reverse mode; the outer by `outer_jacobian_strategy`)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def single(*args: Tensor) -> Tensor:
        return _scalar_output(func, args, "hessian").reshape(())

    def gradient(*args: Tensor) -> Any:
        return jacobian(single, args, create_graph=True, strict=strict)

    res = jacobian(gradient, xs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def _scalar_output(func: Callable[..., Any], ts: tuple[Tensor, ...], fname: str) -> Tensor:
    is_tuple, outs = _outputs(func(*ts), fname)
    if is_tuple:
        raise RuntimeError(f"The function given to {fname} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fname} should "
                           "contain a single element")
    return outs[0]


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """(func(inputs), vᵀ H): reverse over reverse (the gradient, then its vjp with v)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vhp")
    vs = _check_v(v, xs, "vhp", _OF_INPUT)
    with enable_grad():
        ts, keep = _run(func, xs, create_graph)
        out = _scalar_output(func, ts, "vhp")
        gs = _grad(out, ts, create_graph=True, allow_unused=True) if out.requires_grad else (
            [None] * len(ts))
        pairs = [(g, w) for g, w in zip(gs, vs) if g is not None and g.requires_grad]
        res: Sequence[Any] = [None] * len(ts)
        if pairs:
            res = _grad([g for g, _ in pairs], ts, [w for _, w in pairs], create_graph=keep,
                        allow_unused=True)
    final = []
    for j, (r, x) in enumerate(zip(res, xs)):
        if r is None:
            _check_strict(strict, 0, j)
            r = _zeros_like(x)
        final.append(_plain(r, keep))
    return _plain(out, keep), _untuple(in_tuple, final)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """(func(inputs), H v): forward over reverse (the gradient's tangent along v)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hvp")
    vs = _check_v(v, xs, "hvp", _OF_INPUT)
    with enable_grad():
        ts, keep = _run(func, xs, create_graph)
        with _forward_level():
            duals = tuple(fwAD.make_dual(t, w) for t, w in zip(ts, vs))
            inner = tuple(_track(d, True) for d in duals)
            out = _scalar_output(func, inner, "hvp")
            gs = _grad(out, inner, create_graph=keep, allow_unused=True) if out.requires_grad \
                else [None] * len(ts)
            tangents = [fwAD.unpack_dual(g).tangent if g is not None else None for g in gs]
            value = fwAD.unpack_dual(out).primal
    final = []
    for j, (t, x) in enumerate(zip(tangents, xs)):
        if t is None:
            _check_strict(strict, 0, j)
            t = _zeros_like(x)
        final.append(_plain(t, keep))
    return _plain(value, keep), _untuple(in_tuple, final)
