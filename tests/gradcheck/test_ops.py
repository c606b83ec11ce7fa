"""gradcheck and gradgradcheck in float64 for every differentiable op of op_db.

The first derivative is checked in full (the whole Jacobian, slow mode) on each op's first
sample and along random directions (fast mode) on the others; the second derivative along
random directions. Samples whose differentiable output is not float64 (casts to float32) are
left out: a central difference of a float32 result is noise at eps = 1e-6; the oracle tests
cover their gradients. The last test requires that every registered primitive has an op_db
entry with gradient tests.
"""

from __future__ import annotations

from typing import Any

import pytest

import zerograd
from op_db import OP_DB, OpInfo, Sample
from zerograd.autograd import gradcheck, gradgradcheck

F64 = [o for o in OP_DB if o.differentiable and "float64" in o.grad_dtypes]


def as_function(op: OpInfo, sample: Sample) -> tuple[Any, list[Any]]:
    """(fn, leaves): fn(*leaves) runs the op with the sample's float tensors replaced."""
    args, kwargs = sample.build(zerograd, requires_grad=True)
    leaves: list[Any] = []

    def collect(a: Any) -> None:
        if isinstance(a, zerograd.Tensor) and a.requires_grad:
            leaves.append(a)
        elif isinstance(a, (list, tuple)):
            for e in a:
                collect(e)

    for a in [*args, *kwargs.values()]:
        collect(a)
    slot = {id(t): i for i, t in enumerate(leaves)}

    def fn(*ts: Any) -> Any:
        def swap(a: Any) -> Any:
            if isinstance(a, zerograd.Tensor) and id(a) in slot:
                return ts[slot[id(a)]]
            if isinstance(a, list):
                return [swap(e) for e in a]
            if isinstance(a, tuple):
                return tuple(swap(e) for e in a)
            return a

        return op.op(zerograd, *[swap(a) for a in args], **{k: swap(v) for k, v in kwargs.items()})

    return fn, leaves


def checkable(fn: Any, leaves: list[Any]) -> bool:
    """A float64 leaf to perturb, and every output that needs a gradient is float64."""
    if not leaves:
        return False
    try:
        out = fn(*leaves)
    except Exception:  # a sample torch rejects too (test_forward compares the error)
        return False
    outs = out if isinstance(out, (tuple, list)) else (out,)
    diff = [o for o in outs if isinstance(o, zerograd.Tensor) and o.requires_grad]
    return all(o.dtype == zerograd.float64 for o in diff)


@pytest.mark.parametrize("op", F64, ids=[o.name for o in F64])
def test_gradcheck(op: OpInfo) -> None:
    checked = 0
    for sample in op.samples("float64"):
        fn, leaves = as_function(op, sample)
        if not checkable(fn, leaves):
            continue
        assert gradcheck(fn, leaves, fast_mode=checked > 0), f"{op.name} {sample}"
        checked += 1
    if not checked:
        pytest.skip("no float64 sample to check")


SECOND = [o for o in F64 if o.supports_second_order]


@pytest.mark.parametrize("op", SECOND, ids=[o.name for o in SECOND])
def test_gradgradcheck(op: OpInfo) -> None:
    checked = 0
    for sample in op.samples("float64"):
        fn, leaves = as_function(op, sample)
        if not checkable(fn, leaves):
            continue
        assert gradgradcheck(fn, leaves, fast_mode=True), f"{op.name} {sample}"
        checked += 1
    if not checked:
        pytest.skip("no float64 sample to check")


def test_every_primitive_has_gradient_tests() -> None:
    """Each registered primitive is exercised by an op_db entry that runs these tests."""
    tested: set[str] = set()
    for o in F64:
        tested.update(([o.primitive] if o.primitive else []) + list(o.extra_primitives))
    missing = sorted(set(zerograd.ops.PRIMITIVES) - tested)
    assert not missing, f"primitives without a differentiable op_db entry: {missing}"
