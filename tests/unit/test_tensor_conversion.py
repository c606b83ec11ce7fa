"""Conversions and Python protocols, side by side with torch: numpy/__array__/tolist/item,
float/int/bool/index, dtype casts (to, float, double, long, int, bool, half, type, type_as),
clone/detach, deepcopy and pickle round trips, `Size`, and the container protocols
(len, iteration, `in`, shape/size/numel/dim).
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _pair(dtype: str, shape: tuple[int, ...] = (2, 3)) -> tuple[Any, Any]:
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 4).astype(dtype)
    return zerograd.tensor(a), torch.tensor(a)


def _same(z: Any, t: Any) -> None:
    assert str(z.dtype) == str(t.dtype)
    assert tuple(z.shape) == tuple(t.shape)
    np.testing.assert_array_equal(z.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_tolist_array(dtype: str) -> None:
    z, t = _pair(dtype)
    assert z.numpy().dtype == t.numpy().dtype
    assert np.asarray(z).dtype == np.asarray(t).dtype
    np.testing.assert_array_equal(np.asarray(z), np.asarray(t))
    assert np.array(z, dtype=np.float64).dtype == np.float64
    assert z.tolist() == t.tolist()
    assert type(z.tolist()[0][0]) is type(t.tolist()[0][0])
    assert z[0, 1].tolist() == t[0, 1].tolist()
    assert z[0, 1].item() == t[0, 1].item() and type(z[0, 1].item()) is type(t[0, 1].item())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn", [float, int, bool, complex], ids=lambda f: f.__name__)
def test_python_number_protocols(dtype: str, fn: Any) -> None:
    z, t = _pair(dtype, (1,))
    for zz, tt in ((z, t), (z[0], t[0]), (z.reshape(1, 1), t.reshape(1, 1))):
        assert fn(zz) == fn(tt) and type(fn(zz)) is type(fn(tt))


def test_index_protocol_and_numpy_scalars() -> None:
    for m in (zerograd, torch):
        i = m.tensor(2)
        assert [10, 20, 30][i] == 30 and list(range(5))[m.tensor(1):i] == [1]
        with pytest.raises(TypeError):
            [1, 2][m.tensor(1.0)]
    assert np.float32(2.0) * zerograd.ones(2).numpy()[0] == 2.0


@pytest.mark.parametrize("src", DTYPES)
@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "bool",
                                    "byte", "char"])
def test_cast_methods(src: str, method: str) -> None:
    z, t = _pair(src)
    zr, tr = getattr(z, method)(), getattr(t, method)()
    _same(zr, tr)
    assert (zr is z) == (tr is t)  # a no-op cast returns self, as in torch


@pytest.mark.parametrize("src", DTYPES)
@pytest.mark.parametrize("dst", DTYPES)
def test_to_and_type(src: str, dst: str) -> None:
    z, t = _pair(src)
    zd, td = getattr(zerograd, dst), getattr(torch, dst)
    _same(z.to(zd), t.to(td))
    _same(z.type(zd), t.type(td))
    _same(z.to(dtype=zd), t.to(dtype=td))
    _same(z.to("cpu", zd), t.to("cpu", td))
    _same(z.type_as(zerograd.zeros(1, dtype=zd)), t.type_as(torch.zeros(1, dtype=td)))
    assert (z.to(zd) is z) == (t.to(td) is t)
    assert z.to(zd, copy=True) is not z


def test_type_strings() -> None:
    for dtype in DTYPES:
        z, t = _pair(dtype)
        assert z.type() == t.type()
    z, t = _pair("int64")
    _same(z.type("torch.FloatTensor"), t.type("torch.FloatTensor"))
    _same(z.type("torch.DoubleTensor"), t.type("torch.DoubleTensor"))


def test_nonfinite_float_to_int_casts_like_torch_where_defined() -> None:
    z, t = zerograd.tensor([1.7, -1.7, 2.5, -0.5]), torch.tensor([1.7, -1.7, 2.5, -0.5])
    _same(z.long(), t.long())  # truncation toward zero
    _same(z.bool(), t.bool())
    _same(zerograd.tensor([300.0]).to(zerograd.int64), torch.tensor([300.0]).to(torch.int64))


def test_clone_and_detach() -> None:
    for m in (zerograd, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        c, d = y.clone(), y.detach()
        assert c.requires_grad and c.grad_fn is not None and not d.requires_grad
        assert d.grad_fn is None and d.is_leaf
        d[0] = 10  # detach shares storage
        assert y[0].item() == 10
        c2 = x.detach().clone()
        c2[1] = -1
        assert x[1].item() == 2  # clone copies
        assert c.grad_fn.name() == "CloneBackward0"
        assert repr(c.grad_fn).startswith("<CloneBackward0 object at 0x")
    with pytest.raises(RuntimeError):
        zerograd.ones(2, requires_grad=True).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
def test_deepcopy_and_pickle(dtype: str) -> None:
    z, _ = _pair(dtype)
    for r in (copy.deepcopy(z), pickle.loads(pickle.dumps(z)), copy.copy(z)):
        assert isinstance(r, zerograd.Tensor)
        assert r.dtype == z.dtype and r.shape == z.shape and zerograd.equal(r, z)
    deep = copy.deepcopy(z)
    deep.zero_()
    assert not zerograd.equal(deep, z) or not z.any()


def test_deepcopy_keeps_leaf_attributes_and_views() -> None:
    x = zerograd.ones(2, 3, requires_grad=True)
    (x * 2).sum().backward()
    for r in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert r.requires_grad and r.is_leaf
    assert zerograd.equal(copy.deepcopy(x).grad, x.grad)
    t = torch.ones(2, 3, requires_grad=True)
    (t * 2).sum().backward()
    assert copy.deepcopy(t).grad is not None  # torch copies .grad too
    y = zerograd.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError):
        copy.deepcopy(y)  # only graph leaves support deepcopy, as in torch
    with pytest.raises(RuntimeError):
        copy.deepcopy(torch.ones(2, requires_grad=True) * 2)


@pytest.mark.xfail(strict=True, reason="zerograd's deepcopy copies each tensor on its own; "
                   "torch keeps a base and its view sharing storage in the copy")
def test_deepcopy_keeps_views_sharing() -> None:
    base = zerograd.arange(6.0)
    pair = copy.deepcopy([base, base.view(2, 3)])
    pair[1][0, 0] = 100
    assert pair[0][0].item() == 100


def test_size_behaviour() -> None:
    z, t = zerograd.ones(2, 3, 4).shape, torch.ones(2, 3, 4).shape
    assert repr(z) == repr(t) == str(t) == str(z)
    assert z == t == (2, 3, 4) and isinstance(z, tuple)
    assert repr(z[1:]) == repr(t[1:]) and z[-1] == t[-1] == 4
    assert z.numel() == t.numel() == 24
    assert repr(z + (5,)) == repr(t + (5,))
    assert repr((1,) + z) == repr((1,) + t)
    assert repr(zerograd.Size([2, 3])) == repr(torch.Size([2, 3]))
    assert repr(zerograd.Size()) == repr(torch.Size())
    assert pickle.loads(pickle.dumps(z)) == z and type(pickle.loads(pickle.dumps(z))) is type(z)
    assert zerograd.ones(2, 3).size() == z[:2] and zerograd.ones(2, 3).size(1) == 3
    assert zerograd.ones(2, 3).size(-1) == torch.ones(2, 3).size(-1)
    with pytest.raises(IndexError):
        zerograd.ones(2, 3).size(2)
    a, b = zerograd.ones(5, 6).shape
    assert (a, b) == (5, 6)
    assert hash(z) == hash((2, 3, 4))


def test_container_protocols() -> None:
    for shape in [(3, 4), (5,), (0, 2), ()]:
        z, t = zerograd.ones(shape), torch.ones(shape)
        assert z.dim() == t.dim() == z.ndim and z.numel() == t.numel()
        assert zerograd.numel(z) == torch.numel(t) and z.nelement() == t.nelement()
        if shape:
            assert len(z) == len(t)
            rows_z, rows_t = list(z), list(t)
            assert len(rows_z) == len(rows_t)
            for rz, rt in zip(rows_z, rows_t):
                _same(rz, rt)
    x = zerograd.tensor([1, 2, 3])
    assert 2 in x and 5 not in x
    assert zerograd.is_tensor(x) and not zerograd.is_tensor([1])
    assert x.is_floating_point() is False and x.float().is_floating_point() is True
    assert x.element_size() == torch.tensor([1, 2, 3]).element_size()
    assert x.device == zerograd.device("cpu") and str(x.device) == "cpu"
    assert x.is_cuda is False and x.is_leaf
