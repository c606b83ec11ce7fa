"""Every op in op_db written as an explicit graph: its value, its symbolic gradient (each
primitive's own VJP rule run on symbolic nodes), its symbolic JVP and its second-order gradient
equal eager zerograd's, and value and gradient equal PyTorch's.

The graph is built on placeholders holding stand-in numbers and then run on the sample's
numbers, so a node that silently captured stand-in data would show up as a wrong value. Ops an
explicit graph cannot express (in-place ones, data-dependent Python checks, data-dependent
shapes) must raise instead, and are checked through sym.trace where that can express them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd
from op_db import OP_DB, OpInfo, Sample, covered_primitives
from zerograd import sym
from zerograd.autograd import forward_ad as fwAD
from zerograd.autograd.function import PRIMITIVES

torch = pytest.importorskip("torch")

#: Ops whose authored graph must raise: they look at their inputs' numbers in Python (bounds,
#: a rank check, a Python bool result) or pick a data-dependent number of elements. Each maps
#: to the error it raises.
AUTHORED_ERRORS: dict[str, type[Exception]] = {
    "index_select": sym.SymbolicError, "linalg.lstsq": sym.SymbolicError,
    "equal": sym.SymbolicError, "allclose": sym.SymbolicError,
    "nonzero_as_tuple": sym.SymbolicError, "where_condition_only": sym.SymbolicError,
}
#: ...of which these are fine as a trace (the Python decisions become guards).
TRACEABLE = {"index_select", "linalg.lstsq", "nonzero_as_tuple", "where_condition_only"}
#: In-place primitives: an explicit graph is functional, so they are refused.
IN_PLACE_ONLY = {"copy_slices", "index_put"}

OPS = [o for o in OP_DB if o.kind != "inplace" and o.primitive not in IN_PLACE_ONLY
       and o.name != "nonzero"]
SAMPLES_PER_OP = 3


def _np_dtype(t: Any) -> np.dtype:
    return np.dtype(str(t.dtype).split(".")[-1])


def _outs(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [t for e in x for t in _outs(e)]
    return [x] if isinstance(x, (zerograd.Tensor, torch.Tensor)) else []


def build(sample: Sample) -> tuple[list[Any], dict[str, Any], dict[str, np.ndarray], list[Any]]:
    """The sample's arguments with every array replaced by a placeholder of its shape and dtype;
    the feeds; and the float placeholders, in argument order."""
    feeds: dict[str, np.ndarray] = {}
    floats: list[Any] = []

    def conv(a: Any) -> Any:
        if isinstance(a, np.ndarray):
            name = f"x{len(feeds)}"
            v = sym.var(name, shape=a.shape, dtype=a.dtype)
            feeds[name] = a
            if a.dtype.kind == "f":
                floats.append(v)
            return v
        if isinstance(a, list):
            return [conv(e) for e in a]
        if isinstance(a, tuple) and any(isinstance(e, np.ndarray) for e in a):
            return tuple(conv(e) for e in a)
        return a

    args = [conv(a) for a in sample.args]
    kwargs = {k: conv(v) for k, v in sample.kwargs.items()}
    return args, kwargs, feeds, floats


def leaves(args: list[Any], kwargs: dict[str, Any], cls: type) -> list[Any]:
    """The float tensors among the arguments, in the order build() numbers them."""
    found = _outs([*args, *kwargs.values()]) if cls is not None else []
    return [t for t in found if t.dtype.is_floating_point]


def close(got: Any, want: Any, op: OpInfo, dtype: str, scale: float = 1.0) -> None:
    want_arr = want.detach().numpy() if isinstance(want, torch.Tensor) else want._data
    assert tuple(got.shape) == tuple(want_arr.shape)
    assert got._data.dtype == want_arr.dtype
    rtol, atol = op.tolerance(want_arr.dtype.name)  # the result's dtype (exp of ints: float)
    np.testing.assert_allclose(got._data, want_arr, rtol=rtol * scale + 1e-12,
                               atol=atol * scale + 1e-12, equal_nan=True)


CASES = [pytest.param(o, d, id=f"{o.name}-{d}") for o in OPS
         for d in ([*o.grad_dtypes[:1], *[x for x in o.dtypes if x not in ("float32", "float64",
                                                                            "float16")][:1]]
                   or o.dtypes[:1])]


@pytest.mark.parametrize("op,dtype", CASES)
def test_value_and_gradient(op: OpInfo, dtype: str) -> None:
    """Graph value == eager == torch; symbolic gradient == eager gradient == torch's."""
    rng = np.random.default_rng(0)
    refused = 0
    for sample in op.samples(dtype)[:SAMPLES_PER_OP]:
        args, kwargs, feeds, floats = build(sample)
        zargs, zkw = sample.build(zerograd, requires_grad=op.differentiable)
        targs, tkw = sample.build(torch, requires_grad=op.differentiable)
        try:
            z_outs = _outs(op.op(zerograd, *zargs, **zkw))
        except Exception as e:  # a sample of bad arguments: the graph refuses it the same way
            with pytest.raises(type(e)):
                op.op(zerograd, *args, **kwargs)
            continue
        try:
            outs = _outs(op.op(zerograd, *args, **kwargs))
            got = sym.Graph(outs).run(feeds)
        except Exception as e:
            assert op.name in AUTHORED_ERRORS, f"{op.name} failed as a graph: {e!r}"
            assert isinstance(e, AUTHORED_ERRORS[op.name]), repr(e)
            refused += 1
            continue
        try:
            t_outs = _outs(op.op(torch, *targs, **tkw))
        except TypeError:  # torch refuses the arguments (eager zerograd's business, not ours)
            continue
        for g, z, t in zip(got, z_outs, t_outs):
            close(g, z, op, dtype)
            close(g, t, op, dtype)
        if refused or not op.differentiable or dtype not in ("float32", "float64"):
            continue
        diff = [i for i, o in enumerate(outs) if o.dtype.is_floating_point]
        cots = [rng.standard_normal(tuple(outs[i].shape)).astype(_np_dtype(outs[i]))
                for i in diff]
        loss = sum((outs[i] * zerograd.tensor(c)).sum() for i, c in zip(diff, cots))
        grads = sym.Graph(list(sym.grad(loss, floats))).run(feeds)
        z_leaves, t_leaves = leaves(zargs, zkw, zerograd.Tensor), leaves(targs, tkw, torch.Tensor)
        z_loss = sum((z_outs[i] * zerograd.tensor(c)).sum() for i, c in zip(diff, cots))
        t_loss = sum((t_outs[i] * torch.tensor(c)).sum() for i, c in zip(diff, cots))
        z_grads = zerograd.autograd.grad(z_loss, z_leaves, allow_unused=True,
                                         materialize_grads=True)
        t_grads = torch.autograd.grad(t_loss, t_leaves, allow_unused=True,
                                      materialize_grads=True)
        for g, z, t in zip(grads, z_grads, t_grads):
            close(g, z, op, dtype, scale=10)
            close(g, t, op, dtype, scale=10)
    assert (refused > 0) == (op.name in AUTHORED_ERRORS)


def _dual_outputs(op: OpInfo, sample: Sample, tangents: list[np.ndarray]) -> list[Any]:
    zargs, zkw = sample.build(zerograd)
    floats = leaves(zargs, zkw, zerograd.Tensor)
    with fwAD.dual_level():
        dual = {id(x): fwAD.make_dual(x, zerograd.tensor(t)) for x, t in zip(floats, tangents)}

        def sub(a: Any) -> Any:
            if isinstance(a, list):
                return [sub(e) for e in a]
            if isinstance(a, tuple) and any(isinstance(e, zerograd.Tensor) for e in a):
                return tuple(sub(e) for e in a)
            return dual.get(id(a), a)

        outs = _outs(op.op(zerograd, *[sub(a) for a in zargs],
                           **{k: sub(v) for k, v in zkw.items()}))
        return [fwAD.unpack_dual(o).tangent for o in outs if o.dtype.is_floating_point]


DIFF_CASES = [pytest.param(o, id=o.name) for o in OPS
              if o.differentiable and o.name not in AUTHORED_ERRORS]


@pytest.mark.parametrize("op", DIFF_CASES)
def test_jvp_and_second_order(op: OpInfo) -> None:
    """sym.jvp == eager forward mode; sym.grad of sym.grad == eager double backward."""
    dtype = "float64" if "float64" in op.dtypes else op.grad_dtypes[0]
    rng = np.random.default_rng(1)
    for sample in op.samples(dtype)[:2]:
        args, kwargs, feeds, floats = build(sample)
        tangents = [rng.standard_normal(tuple(x.shape)).astype(_np_dtype(x)) for x in floats]
        outs = [o for o in _outs(op.op(zerograd, *args, **kwargs)) if o.dtype.is_floating_point]
        if op.supports_jvp:
            got = sym.Graph(list(sym.jvp(outs, floats, [zerograd.tensor(t) for t in tangents])))
            for g, z in zip(got.run(feeds), _dual_outputs(op, sample, tangents)):
                close(g, z if z is not None else zerograd.zeros_like(g.detach()), op, dtype, 10)
        if not op.supports_second_order:
            continue
        cots = [rng.standard_normal(tuple(o.shape)).astype(_np_dtype(o)) for o in outs]
        loss = sum((o * zerograd.tensor(c)).sum() for o, c in zip(outs, cots))
        first = sym.grad(loss, floats)
        second = sym.grad(sum((g * zerograd.tensor(t)).sum() for g, t in zip(first, tangents)),
                          floats)
        zargs, zkw = sample.build(zerograd, requires_grad=True)
        z_leaves = leaves(zargs, zkw, zerograd.Tensor)
        z_outs = [o for o in _outs(op.op(zerograd, *zargs, **zkw)) if o.dtype.is_floating_point]
        z_loss = sum((o * zerograd.tensor(c)).sum() for o, c in zip(z_outs, cots))
        z_first = zerograd.autograd.grad(z_loss, z_leaves, create_graph=True, allow_unused=True,
                                         materialize_grads=True)
        z_l2 = sum((g * zerograd.tensor(t)).sum() for g, t in zip(z_first, tangents))
        want = (zerograd.autograd.grad(z_l2, z_leaves, allow_unused=True, materialize_grads=True)
                if z_l2.requires_grad else [x.detach() * 0 for x in z_leaves])
        for g, z in zip(sym.Graph(list(second)).run(feeds), want):
            close(g, z, op, dtype, scale=100)


@pytest.mark.parametrize("name", sorted(TRACEABLE))
def test_data_dependent_ops_as_traces(name: str) -> None:
    """What an authored graph cannot hold, a trace can: its Python decisions become guards,
    and the trace reproduces eager mode on the inputs it was recorded with."""
    op = next(o for o in OP_DB if o.name == name)
    sample = op.samples(op.dtypes[0])[0]
    arrays = sample.arrays()

    def f(*xs: Any) -> Any:
        it = iter(xs)

        def conv(a: Any) -> Any:
            if isinstance(a, np.ndarray):
                return next(it)
            if isinstance(a, (list, tuple)) and any(isinstance(e, np.ndarray) for e in a):
                return type(a)(conv(e) for e in a)
            return a

        return tuple(_outs(op.op(zerograd, *[conv(a) for a in sample.args],
                                 **{k: conv(v) for k, v in sample.kwargs.items()})))

    traced = sym.trace(f, *[zerograd.tensor(a) for a in arrays])
    assert traced.guards, "a data-dependent op records at least one guard"
    zargs, zkw = sample.build(zerograd)
    for g, z in zip(traced(*[zerograd.tensor(a) for a in arrays]),
                    _outs(op.op(zerograd, *zargs, **zkw))):
        close(g, z, op, op.dtypes[0])


def test_every_primitive_is_covered() -> None:
    """Each registered primitive is exercised by an op these tests build as a graph, or is an
    in-place primitive, which explicit graphs refuse."""
    tested = set()
    for o in OPS:
        if o.name not in AUTHORED_ERRORS or o.name in TRACEABLE:
            tested.update({o.primitive, *o.extra_primitives} - {None})
    assert set(PRIMITIVES) - tested == IN_PLACE_ONLY
    assert IN_PLACE_ONLY <= covered_primitives()  # op_db has them: it is sym that refuses them


@pytest.mark.parametrize("make", [lambda x: x.clone().mul_(2), lambda x: x.__setitem__(0, 1.0)],
                         ids=["mul_", "setitem"])
def test_in_place_is_refused(make: Any) -> None:
    x = sym.var("x", shape=(3,))
    with pytest.raises(sym.SymbolicError, match="functional"):
        make(x)
