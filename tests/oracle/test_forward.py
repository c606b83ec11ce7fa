"""Differential forward tests: every op_db entry, run on zerograd and on torch, must agree.

Values (within the op's tolerance), shapes, dtypes and result structure (tuples, named tuples,
Python numbers) are compared for every sample and dtype, on contiguous and non-contiguous
inputs; Hypothesis then draws broadcastable shapes for the binary ops and arbitrary shapes for
the unary ones. Gradients live in other test files; promotion, errors and creation too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zerograd
from op_db import OP_DB, OPS, OpInfo, Sample, covered_primitives, make

torch = pytest.importorskip("torch")


def assert_same(z: Any, t: Any, tol: Any, where: str = "") -> None:
    """z (zerograd) matches t (torch): structure, dtype, shape, values.

    `tol(dtype_name)` gives (rtol, atol) for a floating result of that dtype.
    """
    if isinstance(t, torch.Tensor):
        assert isinstance(z, zerograd.Tensor), f"{where}: got {type(z).__name__}, not a Tensor"
        assert str(z.dtype) == str(t.dtype), f"{where}: dtype {z.dtype} != {t.dtype}"
        assert tuple(z.shape) == tuple(t.shape), f"{where}: shape {z.shape} != {t.shape}"
        zn, tn = z.detach().numpy(), t.detach().numpy()
        if tn.dtype.kind == "f":
            rtol, atol = tol(tn.dtype.name)
            np.testing.assert_allclose(zn, tn, rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=where)
        else:
            np.testing.assert_array_equal(zn, tn, err_msg=where)
    elif isinstance(t, (tuple, list)):
        assert isinstance(z, (tuple, list)), f"{where}: got {type(z).__name__}"
        assert len(z) == len(t), f"{where}: {len(z)} results, torch gives {len(t)}"
        if hasattr(t, "_fields"):  # torch.return_types.max(values=..., indices=...)
            assert type(z).__name__ == type(t).__name__, where
            assert tuple(z._fields) == tuple(t._fields), where
        for i, (a, b) in enumerate(zip(z, t)):
            assert_same(a, b, tol, f"{where}[{i}]")
    else:
        assert type(z) is type(t) and z == t, f"{where}: {z!r} != {t!r}"


def run_both(op: OpInfo, sample: Sample, *, contiguous: bool = True,
             device: str = "cpu") -> tuple[Any, Any]:
    """The op's result on zerograd and on torch for the same sample."""
    zargs, zkw = sample.build(zerograd, contiguous=contiguous, device=device)
    targs, tkw = sample.build(torch, contiguous=contiguous)
    return op.op(zerograd, *zargs, **zkw), op.op(torch, *targs, **tkw)


def check(op: OpInfo, dtype: str, sample: Sample, *, contiguous: bool = True,
          device: str = "cpu") -> None:
    """Run one sample on both libraries and compare (or compare the exception class)."""
    try:
        t = run_both(op, sample, contiguous=contiguous)[1]
    except Exception as e:  # torch rejects it: zerograd must raise the same class
        with pytest.raises(type(e)):
            run_both(op, sample, contiguous=contiguous, device=device)
        return
    z = run_both(op, sample, contiguous=contiguous, device=device)[0]
    if device != "cpu":
        z = _to_cpu(z)
    assert_same(z, t, op.tolerance, f"{op.name} {dtype} {sample}")


def _to_cpu(z: Any) -> Any:
    if isinstance(z, zerograd.Tensor):
        return z.to("cpu")
    if isinstance(z, tuple) and hasattr(z, "_fields"):
        return type(z)(*map(_to_cpu, z))
    if isinstance(z, (tuple, list)):
        return type(z)(map(_to_cpu, z))
    return z


CASES = [pytest.param(op, d, id=f"{op.name}-{d}") for op in OP_DB for d in op.dtypes]


@pytest.mark.parametrize("op,dtype", CASES)
def test_values_shapes_dtypes(op: OpInfo, dtype: str, device: str) -> None:
    for sample in op.samples(dtype):
        check(op, dtype, sample, device=device)


NONCONTIGUOUS = [pytest.param(op, d, id=f"{op.name}-{d}") for op in OP_DB
                 for d in op.dtypes[:1] + tuple(x for x in op.dtypes[1:] if x == "int64")]


@pytest.mark.parametrize("op,dtype", NONCONTIGUOUS)
def test_noncontiguous_inputs(op: OpInfo, dtype: str) -> None:
    for sample in op.samples(dtype, seed=1):
        check(op, dtype, sample, contiguous=False)


def test_every_primitive_has_an_entry() -> None:
    missing = set(zerograd.PRIMITIVES) - covered_primitives()
    assert not missing, f"primitives without an op_db entry: {sorted(missing)}"
    unknown = covered_primitives() - set(zerograd.PRIMITIVES)
    assert not unknown, f"op_db names primitives that do not exist: {sorted(unknown)}"


def test_every_entry_has_samples() -> None:
    for op in OP_DB:
        for d in op.dtypes:
            assert op.samples(d), f"{op.name} has no samples for {d}"


def test_views_are_views_as_in_torch() -> None:
    """A view op's result shares its input's storage exactly when torch's does."""
    for op in OP_DB:
        if op.kind != "view":
            continue
        for sample in op.samples("float32"):
            (zx, *zr), zkw = sample.build(zerograd)
            (tx, *tr), tkw = sample.build(torch)
            try:
                t = op.op(torch, tx, *tr, **tkw)
            except (TypeError, RuntimeError, IndexError):
                continue  # an invalid sample: test_values checks zerograd raises alike
            z = op.op(zerograd, zx, *zr, **zkw)
            for a, b in zip(_flat(z), _flat(t)):
                shares = b.numel() > 0 and np.shares_memory(b.numpy(), tx.numpy())
                assert (a._base is not None and np.shares_memory(a.numpy(), zx.numpy())) == \
                    shares, f"{op.name} {sample}: view-ness differs from torch"


def _flat(r: Any) -> list[Any]:
    return list(r) if isinstance(r, (tuple, list)) else [r]


# --- Hypothesis: shapes drawn at random --------------------------------------------------------

BINARY = [op for op in OP_DB if op.kind == "binary"]
UNARY = [op for op in OP_DB if op.kind == "unary"]
REDUCTION_OPS = ["sum", "mean", "prod", "amax", "amin", "var", "std", "logsumexp", "norm"]


@pytest.mark.parametrize("op", BINARY, ids=[o.name for o in BINARY])
@settings(max_examples=8)
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4,
                                                                  max_side=4))
def test_broadcasting_shapes(op: OpInfo, data: st.DataObject, shapes: Any) -> None:
    dtype = data.draw(st.sampled_from(op.dtypes), label="dtype")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    a = make(rng, shapes.input_shapes[0], dtype, op.domains[0])
    b = make(rng, shapes.input_shapes[1], dtype, op.domains[-1])
    check(op, dtype, Sample((a, b)))


@pytest.mark.parametrize("op", UNARY, ids=[o.name for o in UNARY])
@settings(max_examples=5)
@given(data=st.data(), shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
def test_unary_any_shape(op: OpInfo, data: st.DataObject, shape: tuple[int, ...]) -> None:
    dtype = data.draw(st.sampled_from(op.dtypes), label="dtype")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    check(op, dtype, Sample((make(rng, shape, dtype, op.domains[0]),)),
          contiguous=data.draw(st.booleans(), label="contiguous"))


@pytest.mark.parametrize("name", REDUCTION_OPS)
@settings(max_examples=10)
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
def test_reduction_any_dims(name: str, data: st.DataObject, shape: tuple[int, ...]) -> None:
    op = OPS[name]
    dims = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                              max_size=len(shape), unique_by=lambda d: d % len(shape)))
    keepdim = data.draw(st.booleans(), label="keepdim")
    dtype = data.draw(st.sampled_from([d for d in op.dtypes if d in ("float32", "float64")]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    x = make(rng, shape, dtype, op.domains[0])
    dim: Any = dims[0] if len(dims) == 1 and data.draw(st.booleans()) else tuple(dims)
    if name == "norm":
        check(op, dtype, Sample((x,), {"dim": dim, "keepdim": keepdim}))
    else:
        check(op, dtype, Sample((x,), {"dim": dim, "keepdim": keepdim}))


NUMPY_SPELLINGS = [
    "x.sum(axis=1)", "x.sum(axis=(0, 1), keepdims=True)", "m.sum(x, axis=0)", "x.mean(axis=0)",
    "x.max(axis=1)", "x.min(axis=0, keepdims=True)", "x.argmax(axis=1)", "x.std(axis=0)",
    "x.var(axis=1, keepdims=True)", "x.prod(axis=0)", "m.prod(x, axis=1, keepdims=True)",
    "x.cumsum(axis=1)", "x.cumprod(axis=0)", "x.all(axis=0)", "x.any(axis=1)", "x.amax(axis=0)",
    "x.amin(axis=1, keepdims=True)", "x.logsumexp(axis=0)", "x.norm(dim=1)", "x.softmax(axis=0)",
    "m.log_softmax(x, axis=1)", "x.unsqueeze(axis=0)", "x.unsqueeze(axis=1).squeeze(axis=1)",
    "m.stack([x, x], axis=1)", "m.cat((x, x), axis=1)", "x.sort(axis=0)", "x.argsort(axis=1)",
    "x.topk(1, axis=0)", "x.chunk(2, axis=1)", "x.unbind(axis=1)", "x.narrow(axis=1, start=1, "
    "length=2)", "x.select(axis=0, index=1)", "x.count_nonzero(axis=0)",
    "x.index_select(axis=1, index=m.tensor([0, 2]))", "x.gather(axis=1, index=m.tensor([[0], "
    "[1], [2]]))",
]


@pytest.mark.parametrize("expr", NUMPY_SPELLINGS)
def test_numpy_keyword_spellings(expr: str) -> None:
    """torch takes NumPy's `axis=` / `keepdims=` wherever it takes `dim=` / `keepdim=`."""
    a = np.random.default_rng(0).permutation(12).reshape(3, 4).astype(np.float32)
    t = eval(expr, {"m": torch, "x": torch.tensor(a)})
    z = eval(expr, {"m": zerograd, "x": zerograd.tensor(a)})
    assert_same(z, t, OPS["sum"].tolerance, expr)
