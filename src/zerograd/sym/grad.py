"""Symbolic differentiation: `grad` (reverse mode) and `jvp` (forward mode) as new graph nodes.

Neither has a derivative formula of its own. `grad` runs zerograd's reverse engine with
create_graph over the symbolic tensors: every primitive's `backward` rule (written in Tensor
ops) runs on symbolic values, so each operation it performs is recorded as a node, and so are
the engine's own sums and casts (Note [Broadcasting in backward]). Gradients of gradients are
the same call again. `jvp` sweeps the graph forward and calls each primitive's `jvp` rule on
symbolic tangents. Python decisions inside rules become the graph's guards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._tensor import Tensor
from ..autograd.engine import grad as _engine_grad
from ..autograd.grad_mode import enable_grad
from ..backend import np
from .graph import Graph, value_of
from .record import acquire, release, symify
from .value import SymbolicError, Value, state

__all__ = ["grad", "jvp"]


class _Scope:
    """Record with guards collected (for rules that look at values) and grad mode on."""

    def __enter__(self) -> list[Value]:
        acquire()
        self.prev = state.guards
        state.guards = []
        self.mode = enable_grad()
        self.mode.__enter__()
        return state.guards

    def __exit__(self, *exc: object) -> None:
        self.mode.__exit__(*exc)
        state.guards = self.prev
        release()


def _need_shapes(roots: Sequence[Value], what: str) -> None:
    for v in Graph(list(roots)).values:
        if v.poly:
            raise SymbolicError(f"{what} needs every placeholder's shape (undoing broadcasting "
                                "depends on it): declare it, e.g. sym.var('a', shape=(3,))")


def _as_list(x: Any) -> tuple[list[Any], bool]:
    if isinstance(x, (list, tuple)):
        return list(x), False
    return [x], True


def _zeros(v: Value) -> Tensor:
    return Tensor._make(np.zeros(v.shape, v.dtype))


def _finish(ts: list[Tensor | None], like: list[Value], guards: list[Value],
            single: bool) -> Any:
    """Symbolic results (zeros for ones that got no contribution), under the scope's guards."""
    from .node import const

    out = []
    for t, v in zip(ts, like):
        if t is None:
            t = const(_zeros(v))
        elif "_value" not in getattr(t._data, "__dict__", {}):
            t = const(t)  # a rule handed back numbers (the seed, zeros): a constant node
        t = symify(t)
        val = value_of(t)
        if guards:
            val.guards = tuple(dict.fromkeys((*val.guards, *guards)))
        out.append(t)
    return out[0] if single else tuple(out)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None) -> Any:
    """The gradient graph: d(sum of outputs · grad_outputs)/d inputs as new symbolic nodes.

    `grad_outputs` defaults to ones (so a non-scalar output is summed, as tf.gradients does).
    An input the outputs do not depend on gets a zero constant.

    Example:
        >>> import zerograd as zg
        >>> from zerograd import sym
        >>> a = sym.var('a', shape=(3,))
        >>> y = (a * a).sum()
        >>> (ga,) = sym.grad(y, [a])
        >>> ga.eval(a=zg.tensor([1., 2., 3.]))
        tensor([2., 4., 6.])
    """
    outs, _ = _as_list(outputs)
    ins, single = _as_list(inputs)
    out_vals = [value_of(o) for o in outs]
    in_vals = [value_of(i) for i in ins]
    _need_shapes(out_vals + in_vals, "sym.grad")
    for v, x in zip(in_vals, ins):
        if not x.requires_grad:
            raise SymbolicError(f"sym.grad: {v.kind} {v.name or v.op} is not differentiable "
                                f"({v.dtype} values have no gradient)")
    from .node import const

    if grad_outputs is None:  # constant nodes, so the rules' work on them shows in the graph
        seeds = [const(np.ones(v.shape, v.dtype)) for v in out_vals]
    else:
        seeds = [g if isinstance(g, Tensor) and g.requires_grad else const(g)
                 for g in _as_list(grad_outputs)[0]]
    with _Scope() as guards:
        got = _engine_grad(outs, ins, grad_outputs=seeds, create_graph=True,
                           allow_unused=True)
    return _finish(list(got), in_vals, guards, single)


def jvp(outputs: Any, inputs: Any, tangents: Any) -> Any:
    """The tangent graph: J · tangents, built by each primitive's `jvp` rule, input to output.

    Tangents are symbolic values (or constants) shaped like their inputs; inputs without a
    tangent count as constant.

    Example:
        >>> import zerograd as zg
        >>> from zerograd import sym
        >>> x, t = sym.var('x', shape=(2,)), sym.var('t', shape=(2,))
        >>> y = sym.jvp(x.sin(), [x], [t])
        >>> y.eval(x=zg.zeros(2), t=zg.tensor([1., 2.]))
        tensor([1., 2.])
    """
    outs, single = _as_list(outputs)
    ins, _ = _as_list(inputs)
    tans, _ = _as_list(tangents)
    if len(tans) != len(ins):
        raise ValueError(f"sym.jvp: {len(ins)} inputs but {len(tans)} tangents")
    out_vals = [value_of(o) for o in outs]
    _need_shapes(out_vals, "sym.jvp")
    tangent: dict[Value, Tensor] = {}
    for x, t in zip(ins, tans):
        v = value_of(x)
        if not isinstance(t, Tensor):
            from .node import const

            t = const(t)
        if tuple(t.shape) != tuple(v.shape):
            raise ValueError(f"sym.jvp: the tangent for {v.name or v.op} has shape "
                             f"{tuple(t.shape)}, its input {tuple(v.shape)}")
        tangent[v] = t
    with _Scope() as guards:
        for v in Graph(out_vals).values:
            if v.kind == "prim" and v not in tangent:
                _push(v, tangent)
    results = [tangent.get(v) for v in out_vals]
    return _finish(results, out_vals, guards, single)  # type: ignore[arg-type]


def _push(v: Value, tangent: dict[Value, Tensor]) -> None:
    """One step of the forward sweep: the tangents of v's outputs from its inputs' tangents."""
    if not any(isinstance(x, Value) and x in tangent for x in v.inputs):
        return
    node = v.node
    if node is None:
        raise SymbolicError(f"sym.jvp: {v.op} was recorded without autograd (under no_grad, or "
                            "on values that do not require grad), so it has no rule state")
    ts: list[Any] = []
    for x in v.inputs:
        if not isinstance(x, Value):
            ts.append(0.0)
        elif x in tangent:
            ts.append(tangent[x])
        else:  # Note [Missing tangents are zeros]
            ts.append(_zeros(x))
    out_dot = node.jvp(*ts)
    if v.index:  # several outputs: one tangent per differentiable output, for the items
        items = _items(v)
        for i, t in enumerate(out_dot if isinstance(out_dot, tuple) else (out_dot,)):
            if t is not None and i in items:
                item = items[i]
                tangent[item] = t if t._data.dtype == item.dtype else t.to(_zg_dtype(item.dtype))
        return
    if isinstance(out_dot, tuple):
        out_dot = out_dot[0]
    if out_dot._data.dtype != v.dtype:
        out_dot = out_dot.to(_zg_dtype(v.dtype))
    tangent[v] = out_dot


def _items(v: Value) -> dict[int, Value]:
    """The item Values of a multi-output value, by output number."""
    return {item.index: item for item in v.data}


def _zg_dtype(npd: Any) -> Any:
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(npd)

