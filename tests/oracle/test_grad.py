"""Reverse-mode gradients against PyTorch, driven by op_db.

For every differentiable op and every sample, the same call runs on zerograd and on torch, and
`autograd.grad` pulls back one RANDOM cotangent per output (a plain `.sum()` would hide rules
that mix up positions). The gradients must agree in value, dtype and shape, and must be None on
the same inputs. Variants: non-contiguous leaves, inputs that are views of a larger leaf
(the gradient flows through the view into it), mixed float32/float64 operands (each gradient
in its own input's dtype), and Hypothesis-drawn broadcastable shapes for elementwise ops.
The special cases the autograd issue names (ties, repeated indices, norm at zero, in-place on
non-leaves, ...) follow at the end, each against torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zerograd
from op_db import OP_DB, OpInfo, Sample, make

torch = pytest.importorskip("torch")

DIFF_OPS = [o for o in OP_DB if o.differentiable]
CASES = [pytest.param(o, d, id=f"{o.name}-{d}") for o in DIFF_OPS for d in o.grad_dtypes]


# --- running one op on both sides ---------------------------------------------------------------


def flat_tensors(x: Any, cls: type) -> list[Any]:
    """The tensors in an argument or result (lists, tuples and named tuples flattened)."""
    if isinstance(x, cls):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in flat_tensors(e, cls)]
    return []


def grad_tolerance(op: OpInfo, dtype: str) -> tuple[float, float]:
    """The op's forward tolerance, widened: a VJP chains several rounded operations."""
    rtol, atol = op.tolerance(dtype)
    return rtol * 10, atol * 10


def cotangents(outs: list[Any], rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.standard_normal(tuple(o.shape)).astype(str(o.dtype).split(".")[-1])
            for o in outs]


def pullback(m: Any, op: OpInfo, args: list[Any], kwargs: dict[str, Any], leaves: list[Any],
             cts: list[np.ndarray] | None, rng: np.random.Generator | None
             ) -> tuple[list[np.ndarray], list[Any]]:
    """Run op on module m and pull the cotangents back to `leaves`: (cotangents, grads)."""
    out = op.op(m, *args, **kwargs)
    outs = [o for o in flat_tensors(out, m.Tensor) if o.requires_grad]
    if cts is None:
        assert rng is not None
        cts = cotangents(outs, rng)
    assert len(outs) == len(cts), f"{op.name}: {len(outs)} outputs need a gradient, not {len(cts)}"
    if not outs:
        return cts, [None] * len(leaves)
    grads = m.autograd.grad(outs, leaves, [m.tensor(c) for c in cts], allow_unused=True)
    return cts, list(grads)


def assert_grads_match(op: OpInfo, dtype: str, zg: list[Any], tg: list[Any], what: str) -> None:
    rtol, atol = grad_tolerance(op, dtype)
    for i, (a, b) in enumerate(zip(zg, tg)):
        if b is None:
            # torch says "no gradient": ours may be None or an explicit zero.
            assert a is None or not a.detach().numpy().any(), f"{what}: input {i}"
            continue
        assert a is not None, f"{what}: input {i} got no gradient, torch gives {b}"
        assert str(a.dtype) == str(b.dtype), f"{what}: input {i} gradient dtype"
        assert tuple(a.shape) == tuple(b.shape), f"{what}: input {i} gradient shape"
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{what}: gradient of input {i}")


def build(m: Any, sample: Sample, prepare: Any) -> tuple[list[Any], dict[str, Any], list[Any]]:
    """The sample's arguments on module m, and the leaves gradients are taken for."""
    args, kwargs = sample.build(m, requires_grad=True)
    leaves: list[Any] = []

    def swap(a: Any) -> Any:
        if isinstance(a, m.Tensor) and a.requires_grad:
            arg, leaf = prepare(m, a) if prepare else (a, a)
            leaves.append(leaf)
            return arg
        if isinstance(a, list):
            return [swap(e) for e in a]
        if isinstance(a, tuple):
            return tuple(swap(e) for e in a)
        return a

    args = [swap(a) for a in args]
    kwargs = {k: swap(v) for k, v in kwargs.items()}
    return args, kwargs, leaves


def compare(op: OpInfo, dtype: str, sample: Sample, prepare: Any = None, seed: int = 0) -> None:
    """Gradients of `op` on `sample` for one random cotangent, zerograd against torch.

    `prepare(m, leaf) -> (argument, leaf)` may replace each float leaf by a view or a
    non-contiguous tensor; gradients are then taken with respect to what it returns as leaf.
    """
    za, zk, zl = build(zerograd, sample, prepare)
    ta, tk, tl = build(torch, sample, prepare)
    if not tl:
        pytest.skip("no floating input")
    try:
        cts, tg = pullback(torch, op, ta, tk, tl, None, np.random.default_rng(seed))
    except Exception:  # torch rejects the sample: no gradient to compare (test_forward
        return  # checks that zerograd raises the same error)
    _, zg = pullback(zerograd, op, za, zk, zl, cts, None)
    assert_grads_match(op, dtype, zg, tg, f"{op.name} {sample}")


# --- op_db driven ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op, dtype", CASES)
def test_grad_matches_torch(op: OpInfo, dtype: str) -> None:
    for k, sample in enumerate(op.samples(dtype)):
        compare(op, dtype, sample, seed=k)


def _noncontiguous_leaf(m: Any, a: Any) -> tuple[Any, Any]:
    # Every other element of a twice-as-long last dim: a leaf whose strides have gaps.
    big = m.stack([a.detach(), a.detach() * 0 + 7], dim=-1)
    leaf = big[..., 0].detach().requires_grad_()
    return leaf, leaf


def _view_of_leaf(m: Any, a: Any) -> tuple[Any, Any]:
    # The argument is a (transposed) slice of a larger leaf: gradient goes through the view.
    if a.dim() >= 2:
        leaf = a.detach().transpose(0, 1).contiguous().requires_grad_()
        return leaf.transpose(0, 1), leaf
    leaf = m.stack([a.detach() * 0 + 5, a.detach()], dim=0).requires_grad_()
    return leaf[1], leaf


@pytest.mark.parametrize("op, dtype", [c for c in CASES if c.values[1] == "float64"])
def test_grad_noncontiguous_and_views(op: OpInfo, dtype: str) -> None:
    shaped = [s for s in op.samples(dtype) if any(a.ndim and a.size for a in s.arrays())]
    if not shaped:
        pytest.skip("no sample with a non-empty input of 1 or more dims")
    sample = shaped[0]
    compare(op, dtype, sample, _noncontiguous_leaf, seed=1)
    compare(op, dtype, sample, _view_of_leaf, seed=2)


MIXED = [o for o in DIFF_OPS if o.kind == "binary"]


@pytest.mark.parametrize("op", MIXED, ids=[o.name for o in MIXED])
def test_grad_type_promotion(op: OpInfo) -> None:
    """float32 op float64: the result is float64, each gradient has its own input's dtype."""
    s = op.samples("float32")[0]
    x, y = s.arrays()[:2]
    mixed = Sample((x.astype(np.float32), y.astype(np.float64)), s.kwargs)
    compare(op, "float32", mixed, seed=3)
    mixed = Sample((x.astype(np.float64), y.astype(np.float32)), s.kwargs)
    compare(op, "float32", mixed, seed=4)


ELEMENTWISE = [o for o in DIFF_OPS if o.kind in ("unary", "binary")]


@pytest.mark.parametrize("op", ELEMENTWISE, ids=[o.name for o in ELEMENTWISE])
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_grad_broadcast_shapes(op: OpInfo, data: st.DataObject) -> None:
    """Hypothesis-drawn broadcastable shapes: the engine must sum every gradient back."""
    n = 2 if op.kind == "binary" else 1
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3,
                                                         min_side=1, max_side=3))
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    domains = list(op.domains) + [op.domains[-1]] * n
    base = op.samples("float64")[0]
    arrays = tuple(make(rng, s, "float64", d) for s, d in zip(shapes.input_shapes, domains))
    if op.kind == "binary" and len(base.args) > 2 or op.kind == "unary" and len(base.args) > 1:
        pytest.skip("op takes extra positional arguments")
    compare(op, "float64", Sample(arrays, base.kwargs), seed=seed)


def _takes_dims(op: OpInfo) -> bool:
    samples = op.samples("float64")
    return all(len(s.args) == 1 for s in samples) and any("dim" in s.kwargs for s in samples)


REDUCTIONS = [o for o in DIFF_OPS if o.kind == "reduction" and _takes_dims(o)]


@pytest.mark.parametrize("op", REDUCTIONS, ids=[o.name for o in REDUCTIONS])
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_grad_reduction_dims(op: OpInfo, data: st.DataObject) -> None:
    """Hypothesis-drawn shapes, dims (negative, tuples where the op takes them) and keepdim:
    the reduced dims must be put back in the right places."""
    samples = op.samples("float64")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    nd = len(shape)
    dim: Any = data.draw(st.integers(-nd, nd - 1))
    if any(isinstance(s.kwargs.get("dim"), (tuple, list)) for s in samples):
        dim = tuple(data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                                       unique_by=lambda d: d % nd)))
    kwargs = {"dim": dim}
    if any("keepdim" in s.kwargs for s in samples):
        kwargs["keepdim"] = data.draw(st.booleans())
    seed = data.draw(st.integers(0, 2**16))
    x = make(np.random.default_rng(seed), shape, "float64", op.domains[0])
    compare(op, "float64", Sample((x,), kwargs), seed=seed)


# --- special cases named by the issue ----------------------------------------------------------


def both(fn: Any, *arrays: np.ndarray, seed: int = 0, dtype: str = "float64") -> None:
    """fn(m, *leaves) on both sides; gradients of all leaves for a random cotangent."""
    op = OpInfo("special", lambda m, *a: fn(m, *a), lambda rng, dt: iter(()))
    compare(op, dtype, Sample(tuple(np.asarray(a, dtype=dtype) for a in arrays)), seed=seed)


def test_repeated_indices_add_up() -> None:
    x = np.arange(5.0)
    both(lambda m, x: x[[0, 0, 3, 0]], x)
    both(lambda m, x: x[m.tensor([[1, 1], [4, 1]])], x)
    both(lambda m, x: m.index_select(x, 0, m.tensor([2, 2, 2])), x)
    z = zerograd.tensor(x, requires_grad=True)
    z[[1, 1, 1]].sum().backward()
    assert z.grad.tolist() == [0.0, 3.0, 0.0, 0.0, 0.0]


TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, -1.0, 0.0]])


@pytest.mark.parametrize("fn", [
    lambda m, x: x.max(), lambda m, x: x.min(), lambda m, x: m.amax(x, 1),
    lambda m, x: m.amin(x, 0), lambda m, x: m.amax(x, (0, 1), keepdim=True),
    lambda m, x: x.max(1).values, lambda m, x: x.min(0, keepdim=True).values,
    lambda m, x: m.maximum(x, x.flip(1)), lambda m, x: m.minimum(x, x.t()),
    lambda m, x: m.max(x, m.ones_like(x) * 2), lambda m, x: x.norm(float("inf"), dim=1),
], ids=["max", "min", "amax", "amin", "amax_all", "max_dim", "min_dim", "maximum", "minimum",
        "max_binary", "norm_inf"])
def test_ties_are_shared_as_torch_shares_them(fn: Any) -> None:
    both(fn, TIES, seed=5)


def test_norm_at_zero_has_zero_gradient() -> None:
    for p in (2, 1, 3):
        both(lambda m, x, p=p: x.norm(p), np.zeros(4))
        both(lambda m, x, p=p: x.norm(p, dim=1), np.array([[0.0, 0.0], [3.0, 4.0]]))
    z = zerograd.zeros(3, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]


def test_where_routes_gradients() -> None:
    x, y = np.arange(6.0).reshape(2, 3), np.ones(3)
    both(lambda m, x, y: m.where(x > 2, x * x, y), x, y)
    both(lambda m, x, y: m.where(x > 2, x, 0.0) + y, x, y)


def test_clamp_at_the_bounds() -> None:
    # At a bound exactly, torch passes the gradient (the inequality is inclusive).
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    both(lambda m, x: x.clamp(-1, 1), x)
    both(lambda m, x: x.clamp(min=0.0), x)
    both(lambda m, x: x.clamp(max=1.0), x)
    both(lambda m, x, lo: m.clamp(x, lo, lo + 2), x, np.array([-1.0, 0.0, 0.0, 0.0, 1.0]))


@pytest.mark.parametrize("shapes", [((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((4,), (3, 4, 2)), ((3, 2, 4), (4,)), ((1, 3, 4), (2, 4, 1))])
def test_batched_broadcast_matmul(shapes: tuple[tuple[int, ...], ...]) -> None:
    rng = np.random.default_rng(0)
    both(lambda m, x, y: x @ y, *(rng.standard_normal(s) for s in shapes))


def test_cumsum_cumprod_with_zeros() -> None:
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 2.0], [2.0, -0.5, 0.0, 4.0]])
    both(lambda m, x: x.cumsum(1), x)
    both(lambda m, x: x.cumsum(0), x)
    for dim in (0, 1):
        both(lambda m, x, d=dim: x.cumprod(d), x, seed=dim)
    both(lambda m, x: x.prod(1), x)
    both(lambda m, x: x.prod(), x)


def test_cat_stack_split() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))
    both(lambda m, a, b: m.cat([a, b, a]), a, b)
    both(lambda m, a: m.stack([a, a * 2], 1), a)
    both(lambda m, a: m.cat(a.split([1, 2], 1)[::-1], 1), a)
    both(lambda m, a: a.split(1)[1] * 3, a)  # only one piece used: others get zeros
    both(lambda m, a: a.chunk(3, 1)[2], a)
    both(lambda m, a: m.stack(a.unbind(1)[::-1]), a)


def test_inplace_on_non_leaf_rebases_history() -> None:
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal(3)

    def assign_row(m: Any, x: Any) -> Any:
        y = x * 2
        y[0] = 0
        return y

    def mul_column(m: Any, x: Any, w: Any) -> Any:
        y = x * 2
        y[:, 1].mul_(w)
        return y

    def chain(m: Any, x: Any, w: Any) -> Any:
        y = x.exp()
        y.add_(1)
        y[1:].mul_(w[:2].unsqueeze(1))
        y.t()[0].sin_()  # in place on a view of a view
        return y * y

    def view_then_base(m: Any, x: Any) -> Any:
        y = x * 1
        v = y.view(12)
        v.mul_(3)
        return y.sum(0) * v[:4]

    both(assign_row, x)
    both(mul_column, x, w)
    both(chain, x, w)
    both(view_then_base, x)


def test_inplace_history_names_as_torch() -> None:
    seen = []
    for m in (zerograd, torch):
        x = m.ones(3, 4, requires_grad=True)
        y = x * 2
        y[:, 1].mul_(m.ones(3))
        z = x * 2
        z.add_(1)
        c = x.clone().copy_(m.zeros(4))
        nodes = (y.grad_fn, z.grad_fn, c.grad_fn, x.clone().grad_fn.next_functions[0][0])
        seen.append([(n.name(), repr(n).split(" object")[0]) for n in nodes]
                    + [repr(y).split("grad_fn=")[1]])
    assert seen[0] == seen[1]
