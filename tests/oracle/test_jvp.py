"""Forward mode (JVP rules) for every op, driven by op_db, in float64.

Three independent checks per op and sample, each with RANDOM tangents and cotangents:
- the adjoint identity <u, J v> == <Jᵀu, v>: forward mode against reverse mode on zerograd alone,
  so the JVP and VJP rules agree with no finite-difference noise;
- J v against `torch.func.jvp` on the same call;
- J v against central finite differences (f(x + εv) - f(x - εv)) / 2ε.
A coverage test runs every op under forward mode with a tracer and requires that every
registered primitive's jvp rule ran (and so was checked by the tests above).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import zerograd
from op_db import OP_DB, OpInfo, Sample
from zerograd.autograd.function import PRIMITIVES
from zerograd.autograd.grad_mode import state

torch = pytest.importorskip("torch")

JVP_OPS = [o for o in OP_DB if o.supports_jvp and "float64" in o.grad_dtypes]
CASES = [pytest.param(o, id=o.name) for o in JVP_OPS]


def flat_tensors(x: Any, cls: type) -> list[Any]:
    """The tensors in an argument or result (lists, tuples and named tuples flattened)."""
    if isinstance(x, cls):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in flat_tensors(e, cls)]
    return []


def as_function(m: Any, op: OpInfo, sample: Sample) -> tuple[Callable[..., list[Any]], list[Any]]:
    """f(*float_leaves) -> the op's float outputs as a flat list, and the leaves' values."""
    args, kwargs = sample.build(m)
    leaves: list[Any] = []

    def collect(a: Any) -> None:
        if isinstance(a, m.Tensor) and a.is_floating_point():
            leaves.append(a)
        elif isinstance(a, (list, tuple)):
            for e in a:
                collect(e)

    for a in [*args, *kwargs.values()]:
        collect(a)

    def f(*new: Any) -> list[Any]:
        swap = {id(old): n for old, n in zip(leaves, new)}

        def sub(a: Any) -> Any:
            if isinstance(a, m.Tensor):
                return swap.get(id(a), a)
            if isinstance(a, list):
                return [sub(e) for e in a]
            if isinstance(a, tuple):
                return tuple(sub(e) for e in a)
            return a

        out = op.op(m, *[sub(a) for a in args], **{k: sub(v) for k, v in kwargs.items()})
        return [o for o in flat_tensors(out, m.Tensor) if o.is_floating_point()]

    return f, leaves


def randn_like(rng: np.random.Generator, t: Any) -> np.ndarray:
    return rng.standard_normal(tuple(t.shape))


def samples(op: OpInfo) -> list[Sample]:
    """The op's float64 samples that torch accepts; skip the test when there are none."""
    out = accepted(op)
    if not out:
        pytest.skip("no float64 sample that torch accepts")
    return out


def accepted(op: OpInfo) -> list[Sample]:
    """The op's float64 samples that torch accepts (test_forward checks errors match)."""
    out = []
    for s in op.samples("float64"):
        f, leaves = as_function(torch, op, s)
        try:
            f(*leaves)
        except Exception:
            continue
        out.append(s)
    return out


def zg_jvp(f: Callable[..., list[Any]], leaves: list[Any], vs: list[np.ndarray]
           ) -> tuple[list[Any], list[Any]]:
    """(outputs, output tangents) of f at leaves along vs, by zerograd's forward mode."""
    return zerograd.func.jvp(f, tuple(leaves), tuple(zerograd.tensor(v) for v in vs))


@pytest.mark.parametrize("op", CASES)
def test_adjoint_identity(op: OpInfo) -> None:
    """<u, J v> (forward mode) equals <Jᵀu, v> (reverse mode) for random u and v."""
    rng = np.random.default_rng(1)
    for sample in samples(op):
        f, leaves = as_function(zerograd, op, sample)
        if not leaves:
            continue
        vs = [randn_like(rng, x) for x in leaves]
        outs, tangents = zg_jvp(f, leaves, vs)
        if not all(np.isfinite(o.numpy()).all() for o in outs):
            continue  # e.g. the mean of nothing: no derivative to compare
        us = [randn_like(rng, o) for o in outs]
        forward = sum(float((u * t.numpy()).sum()) for u, t in zip(us, tangents))

        tracked = [x.detach().requires_grad_() for x in leaves]
        routs = f(*tracked)
        pairs = [(o, u) for o, u in zip(routs, us) if o.requires_grad]
        reverse = 0.0
        if pairs:
            gs = zerograd.autograd.grad([o for o, _ in pairs], tracked,
                                        [zerograd.tensor(u) for _, u in pairs], allow_unused=True)
            reverse = sum(float((g.numpy() * v).sum()) for g, v in zip(gs, vs) if g is not None)
        # float32 outputs (casts) round the tangent; everything else is float64 throughout.
        eps = 1e-10 if all(o.dtype == zerograd.float64 for o in outs) else 1e-6
        scale = 1.0 + sum(float(np.abs(u).sum()) for u in us)
        assert abs(forward - reverse) <= eps * scale, (
            f"{op.name} {sample}: <u, Jv> = {forward!r} but <Jᵀu, v> = {reverse!r}")


@pytest.mark.parametrize("op", CASES)
def test_jvp_matches_torch_func(op: OpInfo) -> None:
    """zerograd.func.jvp and torch.func.jvp give the same outputs and tangents."""
    rng = np.random.default_rng(2)
    rtol, atol = op.tolerance("float64")
    for sample in samples(op):
        f, leaves = as_function(zerograd, op, sample)
        tf, tleaves = as_function(torch, op, sample)
        if not leaves:
            continue
        vs = [randn_like(rng, x) for x in leaves]
        t_out, t_tan = torch.func.jvp(tf, tuple(tleaves), tuple(torch.tensor(v) for v in vs))
        z_out, z_tan = zg_jvp(f, leaves, vs)
        assert len(z_tan) == len(t_tan), f"{op.name}: number of outputs"
        for i, (a, b, zo) in enumerate(zip(z_tan, t_tan, z_out)):
            assert tuple(a.shape) == tuple(b.shape) == tuple(zo.shape), f"{op.name} shape {i}"
            assert str(a.dtype) == str(b.dtype), f"{op.name}: tangent dtype of output {i}"
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=rtol * 10,
                                       atol=atol * 10, err_msg=f"{op.name} {sample} out {i}")


@pytest.mark.parametrize("op", CASES)
def test_jvp_matches_finite_differences(op: OpInfo) -> None:
    """J v agrees with the central difference (f(x + εv) - f(x - εv)) / 2ε."""
    rng = np.random.default_rng(3)
    for sample in samples(op):
        f, leaves = as_function(zerograd, op, sample)
        if not leaves:
            continue
        vs = [randn_like(rng, x) for x in leaves]
        outs, tangents = zg_jvp(f, leaves, vs)
        # A float32 output (a cast) resolves only ~1e-7: take a larger step, allow more.
        wide = any(o.dtype != zerograd.float64 for o in outs)
        eps, tol = (1e-3, 1e-3) if wide else (1e-6, 1e-5)
        with zerograd.no_grad():
            plus = f(*[x + eps * zerograd.tensor(v) for x, v in zip(leaves, vs)])
            minus = f(*[x - eps * zerograd.tensor(v) for x, v in zip(leaves, vs)])
        for i, (t, p, q) in enumerate(zip(tangents, plus, minus)):
            fd = (p.numpy() - q.numpy()) / (2 * eps)
            np.testing.assert_allclose(t.numpy(), fd, rtol=tol, atol=tol,
                                       err_msg=f"{op.name} {sample} output {i}")


SECOND_ORDER = [pytest.param(o, id=o.name) for o in JVP_OPS if o.supports_second_order]


def forward_over_reverse(m: Any, f: Callable[..., list[Any]], leaves: list[Any],
                         us: list[np.ndarray], vs: list[np.ndarray]) -> list[Any]:
    """d/dε [Jᵀu](x + εv): the JVP of the VJP, which runs the backward rules on dual tensors
    (and, with tracked inputs, the forward pass on tensors that are both dual and tracked)."""

    def pullback(*xs: Any) -> tuple[Any, ...]:
        outs, vjp_fn = m.func.vjp(f, *xs)
        return vjp_fn([m.tensor(u) for u in us])

    _, tangents = m.func.jvp(pullback, tuple(leaves), tuple(m.tensor(v) for v in vs))
    return list(tangents)


@pytest.mark.parametrize("op", SECOND_ORDER)
def test_forward_over_reverse_matches_torch_func(op: OpInfo) -> None:
    """jvp(vjp(f)): the backward rules' own tangents (second order) agree with torch.func."""
    rng = np.random.default_rng(5)
    rtol, atol = op.tolerance("float64")
    for sample in samples(op):
        f, leaves = as_function(zerograd, op, sample)
        tf, tleaves = as_function(torch, op, sample)
        if not leaves:
            continue
        outs = tf(*tleaves)
        us = [randn_like(rng, o) for o in outs]
        vs = [randn_like(rng, x) for x in leaves]
        want = forward_over_reverse(torch, tf, tleaves, us, vs)
        got = forward_over_reverse(zerograd, f, leaves, us, vs)
        for i, (a, b) in enumerate(zip(got, want)):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(force=True), rtol=rtol * 100,
                                       atol=atol * 100, err_msg=f"{op.name} {sample} in {i}")


def test_every_primitive_jvp_is_exercised() -> None:
    """Every registered primitive's jvp rule runs in forward mode for some op_db entry."""
    ran: set[str] = set()

    def tracer(node: Any, inputs: Any, result: Any) -> None:
        outs = result if isinstance(result, tuple) else (result,)
        if any(o._fw is not None for o in outs):  # the node's jvp rule ran
            ran.add(type(node).op_name)

    rng = np.random.default_rng(4)
    for op in JVP_OPS:
        for sample in accepted(op):
            f, leaves = as_function(zerograd, op, sample)
            if not leaves:
                continue
            vs = [randn_like(rng, x) for x in leaves]
            state.tracer = tracer
            try:
                zg_jvp(f, leaves, vs)
                if op.supports_second_order:
                    us = [randn_like(rng, o) for o in f(*leaves)]
                    forward_over_reverse(zerograd, f, leaves, us, vs)
            finally:
                state.tracer = None
    missing = sorted(set(PRIMITIVES) - ran)
    assert not missing, f"primitives whose jvp no op_db entry exercises: {missing}"
