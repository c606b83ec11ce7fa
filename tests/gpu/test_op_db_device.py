"""Every op_db entry on CUDA: results, gradients and JVPs on the GPU equal those on the CPU.

zerograd on the CPU is checked against torch elsewhere (tests/oracle); here each sample runs on
both devices from the same inputs and must give the same values (within the op's tolerance:
GPU kernels round differently), dtypes and shapes, with every tensor result on cuda:0. For the
differentiable ops a RANDOM cotangent is pulled back (the gradients must land on cuda:0 too)
and a RANDOM tangent pushed forward with forward-mode AD. On a machine without a GPU the `cuda`
fixture runs all of this on the NumPy-backed fake CuPy (tests/fake_cupy.py), which is what CI
exercises; benchmarks/gpu_check.sh runs it on a real GPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd
from op_db import OP_DB, OpInfo, Sample
from zerograd.autograd import forward_ad as fwAD

FORWARD = [pytest.param(o, d, id=f"{o.name}-{d}") for o in OP_DB for d in o.dtypes[:2]]
GRAD = [pytest.param(o, id=o.name) for o in OP_DB if o.differentiable and o.grad_dtypes]
JVP = [pytest.param(o, id=o.name) for o in OP_DB if o.supports_jvp and o.grad_dtypes]


def tensors(x: Any) -> list[Any]:
    """The tensors in a result or argument, flattened."""
    if isinstance(x, zerograd.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in tensors(e)]
    return []


def host(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy()


def assert_close(op: OpInfo, got: Any, want: Any, where: str, scale: float = 1.0) -> None:
    """A CUDA result against the CPU one: structure, device, dtype, shape, values."""
    if isinstance(want, zerograd.Tensor):
        assert isinstance(got, zerograd.Tensor), f"{where}: {type(got).__name__}"
        assert got.device == zerograd.device("cuda", 0), f"{where}: on {got.device}"
        assert got.dtype == want.dtype and got.shape == want.shape, where
        g, w = host(got), host(want)
        if w.dtype.kind == "f":
            rtol, atol = op.tolerance(w.dtype.name)
            np.testing.assert_allclose(g, w, rtol=rtol * scale, atol=atol * scale,
                                       equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(g, w, err_msg=where)
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want), where
        for i, (a, b) in enumerate(zip(got, want)):
            assert_close(op, a, b, f"{where}[{i}]", scale)
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def run(op: OpInfo, sample: Sample, device: str, grad: bool = False) -> tuple[Any, list[Any]]:
    """The op's result on `device`, and the floating leaves (requiring grad if `grad`)."""
    args, kwargs = sample.build(zerograd, requires_grad=grad, device=device)
    leaves = [t for t in tensors([args, list(kwargs.values())]) if t.is_floating_point()]
    return op.op(zerograd, *args, **kwargs), leaves


def accepted(op: OpInfo, dtype: str) -> list[Sample]:
    """The samples zerograd accepts on the CPU (errors are compared separately)."""
    out = []
    for s in op.samples(dtype):
        try:
            run(op, s, "cpu")
        except Exception:  # noqa: BLE001 - the CUDA run must raise the same class: see below
            continue
        out.append(s)
    return out


@pytest.mark.parametrize("op,dtype", FORWARD)
def test_forward_same_on_cuda(op: OpInfo, dtype: str, cuda: str) -> None:
    for sample in op.samples(dtype):
        try:
            want = run(op, sample, "cpu")[0]
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)):
                run(op, sample, cuda)
            continue
        assert_close(op, run(op, sample, cuda)[0], want, f"{op.name} {dtype} {sample}")


@pytest.mark.parametrize("op", GRAD)
def test_gradients_same_on_cuda(op: OpInfo, cuda: str) -> None:
    dtype = op.grad_dtypes[-1]  # float64: the GPU's rounding stays far below the tolerance
    rng = np.random.default_rng(0)
    for sample in accepted(op, dtype):
        results = []
        cts = None
        for dev in ("cpu", cuda):
            out, leaves = run(op, sample, dev, grad=True)
            outs = [o for o in tensors(out) if o.requires_grad]
            if not outs or not leaves:
                break
            if cts is None:
                cts = [rng.standard_normal(tuple(o.shape)).astype(o.dtype.name) for o in outs]
            gs = zerograd.autograd.grad(outs, leaves, [zerograd.tensor(c, device=dev)
                                                       for c in cts], allow_unused=True)
            results.append(gs)
        if len(results) < 2:
            continue
        for i, (g, w) in enumerate(zip(results[1], results[0])):
            where = f"{op.name} {sample} grad {i}"
            assert (g is None) == (w is None), where
            if w is not None:
                assert_close(op, g, w, where, scale=10)


@pytest.mark.parametrize("op", JVP)
def test_jvps_same_on_cuda(op: OpInfo, cuda: str) -> None:
    dtype = op.grad_dtypes[-1]
    rng = np.random.default_rng(1)
    for sample in accepted(op, dtype):
        results = []
        vs = None
        for dev in ("cpu", cuda):
            args, kwargs = sample.build(zerograd, device=dev)
            leaves = [t for t in tensors([args, list(kwargs.values())]) if t.is_floating_point()]
            if not leaves:
                break
            if vs is None:
                vs = [rng.standard_normal(tuple(t.shape)) for t in leaves]
            with fwAD.dual_level():
                duals = {id(t): fwAD.make_dual(t, zerograd.tensor(v, dtype=t.dtype, device=dev))
                         for t, v in zip(leaves, vs)}

                def sub(a: Any, duals: dict[int, Any] = duals) -> Any:
                    if isinstance(a, zerograd.Tensor):
                        return duals.get(id(a), a)
                    if isinstance(a, (list, tuple)):
                        return type(a)(sub(e) for e in a)
                    return a

                out = op.op(zerograd, *sub(args), **{k: sub(v) for k, v in kwargs.items()})
                results.append([fwAD.unpack_dual(o).tangent for o in tensors(out)
                                if o.is_floating_point()])
        if len(results) < 2:
            continue
        for i, (t, w) in enumerate(zip(results[1], results[0])):
            where = f"{op.name} {sample} tangent {i}"
            assert (t is None) == (w is None), where
            if w is not None:
                assert_close(op, t, w, where, scale=10)
