"""Type promotion against torch: every dtype pair, for dimensioned tensors, 0-d tensors and
Python scalars, through the binary operations (result dtype and values), in-place forms
(which raise when the result cannot be cast back) and `result_type` / `promote_types`.
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, -2, 2.5, 0.0]
OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "eq": operator.eq, "lt": operator.lt,
    "maximum": lambda m, x, y: m.maximum(x, y), "where": lambda m, x, y: m.where(x > 1, x, y),
}


def _tensor(m: Any, dtype: str, shape: tuple[int, ...]) -> Any:
    vals = np.arange(1, 1 + int(np.prod(shape, dtype=np.int64))).reshape(shape) % 4 + 1
    return m.tensor(vals.astype(dtype))


def _apply(name: str, m: Any, x: Any, y: Any) -> Any:
    fn = OPS[name]
    return fn(m, x, y) if name in ("maximum", "where") else fn(x, y)


def _compare(name: str, zx: Any, zy: Any, tx: Any, ty: Any) -> None:
    try:
        t = _apply(name, torch, tx, ty)
    except Exception as e:
        with pytest.raises(type(e)):
            _apply(name, zerograd, zx, zy)
        return
    z = _apply(name, zerograd, zx, zy)
    assert str(z.dtype) == str(t.dtype), f"{name}: {z.dtype} != {t.dtype}"
    assert tuple(z.shape) == tuple(t.shape)
    np.testing.assert_allclose(z.numpy().astype(float), t.numpy().astype(float), rtol=1e-3)


SHAPES = [((3,), (3,)), ((3,), ()), ((), (3,)), ((), ())]


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("shapes", SHAPES, ids=["nd-nd", "nd-0d", "0d-nd", "0d-0d"])
def test_tensor_tensor(name: str, shapes: tuple[tuple[int, ...], ...]) -> None:
    for a, b in itertools.product(DTYPES, DTYPES):
        if name in ("floordiv", "mod") and "bool" in (a, b):
            continue  # torch: bool // bool is not implemented; a separate test checks the error
        zx, zy = _tensor(zerograd, a, shapes[0]), _tensor(zerograd, b, shapes[1])
        tx, ty = _tensor(torch, a, shapes[0]), _tensor(torch, b, shapes[1])
        _compare(name, zx, zy, tx, ty)


@pytest.mark.parametrize("name", [n for n in OPS if n not in ("maximum", "where")])
def test_tensor_scalar(name: str) -> None:
    for a, s in itertools.product(DTYPES, SCALARS):
        for shape in ((3,), ()):
            zx, tx = _tensor(zerograd, a, shape), _tensor(torch, a, shape)
            _compare(name, zx, s, tx, s)
            _compare(name, s, zx, s, tx)


def test_bool_floordiv_matches_torch() -> None:
    zx, tx = _tensor(zerograd, "bool", (3,)), _tensor(torch, "bool", (3,))
    _compare("floordiv", zx, zx, tx, tx)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "__iadd__", "__imul__"])
def test_inplace_casts_or_raises(op: str) -> None:
    """x.op_(y) keeps x's dtype; a result dtype that can't be cast back raises like torch."""
    for a, b in itertools.product(DTYPES, DTYPES):
        for zshape in ((3,), ()):
            zx, zy = _tensor(zerograd, a, (3,)), _tensor(zerograd, b, zshape)
            tx, ty = _tensor(torch, a, (3,)), _tensor(torch, b, zshape)
            try:
                t = getattr(tx, op)(ty)
            except Exception as e:
                with pytest.raises(type(e)):
                    getattr(zx, op)(zy)
                continue
            z = getattr(zx, op)(zy)
            assert z is zx and str(z.dtype) == str(t.dtype), (op, a, b)
            np.testing.assert_allclose(z.numpy().astype(float), t.numpy().astype(float),
                                       rtol=1e-3)


def test_promote_types_and_result_type() -> None:
    for a, b in itertools.product(DTYPES, DTYPES):
        za, zb = getattr(zerograd, a), getattr(zerograd, b)
        ta, tb = getattr(torch, a), getattr(torch, b)
        assert str(zerograd.promote_types(za, zb)) == str(torch.promote_types(ta, tb))
        zx, tx = _tensor(zerograd, a, (2,)), _tensor(torch, a, (2,))
        for other in (_tensor(zerograd, b, ()), *SCALARS):
            tother = _tensor(torch, b, ()) if isinstance(other, zerograd.Tensor) else other
            assert str(zerograd.result_type(zx, other)) == str(torch.result_type(tx, tother))


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_default_dtype_governs_int_division_and_scalars(default: str) -> None:
    zerograd.set_default_dtype(getattr(zerograd, default))
    torch.set_default_dtype(getattr(torch, default))
    zx, tx = zerograd.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    for fn in (lambda x: x / 2, lambda x: x * 1.5, lambda x: x.exp(), lambda x: x.sqrt(),
               lambda x: x.float().sum(), lambda x: x + True):
        assert str(fn(zx).dtype) == str(fn(tx).dtype)
    assert str(zerograd.tensor(1.5).dtype) == str(torch.tensor(1.5).dtype)
    assert str(zerograd.tensor([1, 2.0]).dtype) == str(torch.tensor([1, 2.0]).dtype)
    assert str(zerograd.get_default_dtype()) == str(torch.get_default_dtype())
