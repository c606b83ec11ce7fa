"""The reverse sweep: `backward()` and `autograd.grad()`.

1. Walk the graph from the roots (an explicit stack, never recursion, so a 100,000-op chain
   works) and count, for every node, how many edges point at it.
2. Run each node's rule once all its gradients have arrived (Kahn's algorithm: a node becomes
   ready when its count drops to zero). Gradients live in a dict keyed by node and are popped
   as soon as they are consumed, so memory is released along the way.

Note [Broadcasting in backward]: a rule returns the gradient in the shape the op saw after
broadcasting. This file, and only this file, sums it back to the input's shape (`sum_to`) and
casts it to the input's dtype; rules never do it themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._dtype import from_numpy_dtype
from .._tensor import Tensor
from ..backend import namespace_of, np
from .function import _CustomNode
from .grad_mode import state
from .graph import AccumulateGrad, Node, grad_accumulator


def _sum_to(g: Tensor, shape: tuple[int, ...], node: Node, i: int) -> Tensor:
    """Sum a broadcast gradient back to `shape` (Note [Broadcasting in backward])."""
    gs = g.shape
    lead = len(gs) - len(shape)
    if lead < 0 or any(s != 1 and s != gs[lead + k] for k, s in enumerate(shape)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {i} - got "
            f"{list(gs)} but expected shape compatible with {list(shape)}"
        )
    dims = tuple(range(lead)) + tuple(
        lead + k for k, s in enumerate(shape) if s == 1 and gs[lead + k] != 1
    )
    if dims:
        g = g.sum(dim=dims, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def _dependencies(roots: Sequence[Node]) -> dict[Node, int]:
    """For every node reachable from `roots`: how many edges within the graph point at it."""
    deps: dict[Node, int] = {}
    stack = []
    for r in roots:
        if r not in deps:
            deps[r] = 0
            stack.append(r)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _needed(roots: Sequence[Node], targets: set[Node]) -> set[Node]:
    """Nodes from which a gradient can reach one of `targets` (autograd.grad prunes the rest)."""
    deps = _dependencies(roots)
    order, ready = [], [r for r in deps if deps[r] == 0]
    while ready:  # Kahn's algorithm: each node after all the nodes that feed it
        node = ready.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    needed: set[Node] = set()
    for node in reversed(order):
        if node in targets or any(n in needed for n, _ in node.next_functions):
            needed.add(node)
    return needed


def run_backward(
    roots: Sequence[tuple[Node, int]],
    root_grads: Sequence[Tensor],
    *,
    keep_graph: bool,
    create_graph: bool,
    captures: dict[tuple[Node, int], int] | None = None,
    root_owned: Sequence[bool] = (),
) -> list[Tensor | None]:
    """Propagate `root_grads` from `roots` through the graph.

    Without `captures` (tensor.backward), gradients are accumulated into leaves' `.grad`.
    With `captures` ({(node, output_nr): slot}), the gradients arriving there are returned in
    those slots and no `.grad` is touched (autograd.grad).

    A node runs once every edge into it has delivered (Kahn's algorithm over the dependency
    counts), so each rule sees the full sum of its output gradients.
    """
    root_nodes = [n for n, _ in roots]
    deps = _dependencies(root_nodes)
    needed = _needed(root_nodes, {n for n, _ in captures}) if captures is not None else None
    captured: list[Tensor | None] = [None] * (len(captures) if captures else 0)
    buffers: dict[Node, list[Any]] = {}
    # Arrays made during this sweep and referenced nowhere else: a leaf may keep one as its
    # .grad without a copy. Anything else (a user's gradient, an array that two inputs share,
    # a view) is copied first, so that changing one .grad in place never changes another.
    owned: set[int] = set()
    for i, ((node, nr), g) in enumerate(zip(roots, root_grads)):
        _deliver(buffers, owned, node, nr, g, i < len(root_owned) and root_owned[i])
    ready = [r for r in dict.fromkeys(root_nodes) if deps[r] == 0]

    prev = state.enabled
    state.enabled = create_graph  # rules run under no_grad unless create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is not None and (needed is None or node in needed):
                if node._pre_hooks is not None or "_tensor_hooks" in node.__dict__:
                    grads = _run_pre_hooks(node, grads)
                if captures is not None:
                    _capture(node, grads, captures, captured)
                if type(node) is AccumulateGrad:
                    leaf = node._leaf()
                    if captures is None and leaf is not None:
                        g = grads[0]
                        _accumulate(leaf, g, create_graph, id(g._data) in owned)
                else:
                    _run_rule(node, grads, buffers, owned, keep_graph, create_graph, deps, ready)
                    continue  # _run_rule has counted this node's edges down already
            for nxt, _ in node.next_functions:
                if nxt is not None:
                    left = deps[nxt] - 1
                    deps[nxt] = left
                    if not left:
                        ready.append(nxt)
    finally:
        state.enabled = prev
    return captured


def _capture(node: Node, grads: list[Any], captures: dict[tuple[Node, int], int],
             captured: list[Any]) -> None:
    """autograd.grad: keep the gradients arriving at the requested tensors."""
    for nr, g in enumerate(grads):
        slot = captures.get((node, nr))
        if slot is not None:
            captured[slot] = g if captured[slot] is None else captured[slot] + g


def _run_rule(node: Node, grads: list[Any], buffers: dict[Node, list[Any]], owned: set[int],
              keep_graph: bool, create_graph: bool, deps: dict[Node, int],
              ready: list[Node]) -> None:
    """Run one node's rule, deliver the gradients it returns to the nodes that feed it, and
    count down their dependencies (a node whose count reaches 0 becomes ready)."""
    if type(node) is _CustomNode:
        res = node.run_backward(grads, create_graph)
    else:
        if len(grads) > 1 and any(g is None for g in grads):
            # A multi-output op where some output got no gradient: that gradient is zero.
            grads = [g if g is not None else Tensor._make(meta[0] * 0)
                     for g, meta in zip(grads, node._out_meta)]
        res = node.backward(*grads)
        if type(res) is not tuple:
            res = (res,)
    if node._hooks:
        for fn in node._hooks:
            r = fn(res, tuple(grads))
            if r is not None:
                res = tuple(r)
    if not keep_graph and node._saved:
        node._saved = None
        node.__dict__.pop("_out", None)
    if state.anomaly:
        _check_anomaly(node, res)
    routed: list[Any] = []
    in_meta = node._in_meta
    n_res = len(res)
    for i, (nxt, nr) in enumerate(node.next_functions):
        if nxt is None:
            continue
        g = res[i] if i < n_res else None
        if g is not None:
            meta = in_meta[i] if in_meta is not None else None
            if meta is not None:  # Note [Broadcasting in backward]
                shape, dt = meta
                if g._data.shape != shape:
                    g = _sum_to(g, shape, node, i)
                if g._data.dtype != dt:
                    g = g.to(from_numpy_dtype(dt))
                moved = getattr(node, "_in_dev", None)  # Note [One device]: a 0-d CPU input
                if moved is not None and i in moved:
                    g = g.to(moved[i])
            fresh = False
            if type(nxt) is AccumulateGrad:
                # Fresh: made by this rule just now, not a view, not one of the incoming
                # gradients, not delivered to another input already. Only a leaf's .grad cares.
                arr = g._data
                fresh = arr.base is None
                if fresh:
                    for x in grads:
                        if x is not None and x._data is arr:
                            fresh = False
                    for r in routed:
                        if r is arr:
                            fresh = False
            routed.append(g._data)
            _deliver(buffers, owned, nxt, nr, g, fresh)
        left = deps[nxt] - 1
        deps[nxt] = left
        if not left:
            ready.append(nxt)


def _deliver(buffers: dict[Node, list[Any]], owned: set[int], node: Node, nr: int,
             g: Tensor, fresh: bool) -> None:
    """Add `g` to what `node` has received for its output `nr`."""
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * node.n_diff_outputs
    elif buf[nr] is not None:
        g, fresh = buf[nr] + g, True
    buf[nr] = g
    if fresh:
        owned.add(id(g._data))


def _run_pre_hooks(node: Node, grads: list[Any]) -> list[Any]:
    """Tensor hooks (register_hook on a non-leaf, retain_grad) and node pre-hooks."""
    tensor_hooks = node.__dict__.get("_tensor_hooks")
    if tensor_hooks:
        for nr, fns in tensor_hooks.items():
            for fn in fns:
                if grads[nr] is None:
                    continue
                r = fn(grads[nr])
                if r is not None:
                    grads[nr] = r
    if node._pre_hooks:
        for fn in node._pre_hooks:
            r = fn(tuple(grads))
            if r is not None:
                grads = list(r)
    return grads


def _accumulate(leaf: Tensor, g: Tensor, create_graph: bool, owned: bool) -> None:
    """AccumulateGrad: add `g` into `leaf.grad` (after the leaf's hooks)."""
    hooks = leaf._extra.get("hooks") if leaf._extra else None
    if hooks:
        for fn in hooks:
            r = fn(g)
            if r is not None:
                g, owned = r, False
    if leaf.grad is None:
        if create_graph:
            leaf.grad = g
        elif owned and g.grad_fn is None:
            leaf.grad = g
        else:
            leaf.grad = g.detach().clone()
    elif create_graph or leaf.grad.requires_grad:
        leaf.grad = leaf.grad + g
    else:
        leaf.grad._data += g._data  # in place, as PyTorch does, so .grad keeps its identity
        leaf.grad._vc[0] += 1


def _check_anomaly(node: Node, res: tuple[Any, ...]) -> None:
    if not (state.anomaly and state.anomaly_check_nan):
        return
    for i, g in enumerate(res):
        if g is not None and hasattr(g, "_data") and bool((g._data != g._data).any()):
            where = getattr(node, "_trace", None)
            trace = (
                f"\nThe forward call that created it:\n{where}"
                if where
                else "\n(No forward trace: the op ran before anomaly detection was enabled.)"
            )
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.{trace}"
            )


# --- the public entry points ------------------------------------------------------------------


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root(t: Tensor, i: int) -> tuple[Node, int]:
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t.requires_grad:
        return (grad_accumulator(t), 0)
    raise RuntimeError(
        f"element {i} of tensors does not require grad and does not have a grad_fn"
    )


def _make_grads(outputs: Sequence[Tensor], grads: Sequence[Any]) -> tuple[list[Tensor],
                                                                         list[bool]]:
    """The root gradients (ones for a scalar output), and which ones we created ourselves."""
    out, mine = [], []
    for i, t in enumerate(outputs):
        g = grads[i] if i < len(grads) else None
        if g is None:
            if t.numel() != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs "
                    f"(this output has shape {tuple(t.shape)}: reduce it first, e.g. "
                    "y.sum().backward(), or pass gradient=torch.ones_like(y))"
                )
            g = Tensor._make(_ones_like(t._data))
            mine.append(True)
            out.append(g)
            continue
        elif isinstance(g, Tensor):
            if g.shape != t.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {t.shape}."
                )
        else:
            g = Tensor._make(t._data * 0 + g)
        out.append(g)
        mine.append(False)
    return out, mine


_ndarray, _array = np.ndarray, np.array


def _ones_like(a: Any) -> Any:
    if not a.ndim and type(a) is _ndarray:
        return _array(1, a.dtype)  # the usual scalar loss: 4x quicker than np.ones((), ...)
    return namespace_of(a).ones(a.shape, a.dtype)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of `tensors` into the `.grad` of the leaves they depend on."""
    if (grad_tensors is None and inputs is None and isinstance(tensors, Tensor)
            and tensors.grad_fn is not None and tensors._data.size == 1):
        # `loss.backward()`, by far the most common call: skip the general argument handling.
        keep = create_graph if retain_graph is None else retain_graph
        g = Tensor._make(_ones_like(tensors._data))
        run_backward(((tensors.grad_fn, tensors._output_nr),), (g,), keep_graph=keep,
                     create_graph=create_graph, root_owned=(True,))
        return
    outs = _as_tuple(tensors)
    grads, mine = _make_grads(outs, _as_tuple(grad_tensors) if grad_tensors is not None else ())
    keep = create_graph if retain_graph is None else retain_graph
    roots = [_root(t, i) for i, t in enumerate(outs)]
    if inputs is None:
        run_backward(roots, grads, keep_graph=keep, create_graph=create_graph, root_owned=mine)
        return
    targets = _as_tuple(inputs)
    captures = {_root(t, i): i for i, t in enumerate(targets)}
    got = run_backward(roots, grads, keep_graph=keep, create_graph=create_graph,
                       captures=captures)
    for t, g in zip(targets, got):
        if g is not None:
            _accumulate(t, g, create_graph, False)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of `outputs` with respect to `inputs`, returned instead of stored in .grad."""
    if is_grads_batched:
        raise NotImplementedError("zerograd does not implement is_grads_batched yet")
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads, _ = _make_grads(outs, _as_tuple(grad_outputs) if grad_outputs is not None else ())
    keep = create_graph if retain_graph is None else retain_graph
    roots = [_root(t, i) for i, t in enumerate(outs)]
    captures: dict[tuple[Node, int], int] = {}
    slots = []
    for t in ins:
        key = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (grad_accumulator(t), 0)
        slots.append(captures.setdefault(key, len(captures)))
    got = run_backward(roots, grads, keep_graph=keep, create_graph=create_graph,
                       captures=captures)
    result = []
    for t, slot in zip(ins, slots):
        g = got[slot]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                g = t.detach() * 0
        result.append(g)
    return tuple(result)
