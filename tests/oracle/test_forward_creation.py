"""Creation functions against torch: dtype inference (Python data, NumPy arrays of every dtype,
pandas results), every factory's shape forms (varargs, tuple, list, `size=`), arange's int and
float forms, full's dtype from its fill value, linspace, eye, *_like, and the default dtype.
Random factories are checked for shape and dtype here; their streams are tested elsewhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


def same(z: Any, t: Any, *, values: bool = True) -> None:
    """Same dtype, shape and (optionally) values; NaN equals NaN."""
    assert str(z.dtype) == str(t.dtype), f"{z.dtype} != {t.dtype}"
    assert tuple(z.shape) == tuple(t.shape), f"{tuple(z.shape)} != {tuple(t.shape)}"
    assert isinstance(z.shape, zerograd.Size)
    if values:
        np.testing.assert_allclose(z.detach().numpy().astype(np.float64),
                                   t.detach().numpy().astype(np.float64),
                                   rtol=1e-6, atol=1e-7, equal_nan=True)


DATA = [
    1, 2.5, True, -3, 0.0, [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]],
    [[1.5], [2]], [], [[]], [[], []], [1, 2.0, True], [True, 1], (1, 2), ((1.0, 2.0), (3, 4)),
    [np.float64(1.5)], [np.int32(3), 4], np.float32(2.5), np.int64(7), np.bool_(True),
    [float("nan"), float("inf")], 2**40, [2**40, 1], [-0.0],
]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_dtype_from_python_data(data: Any) -> None:
    same(zerograd.tensor(data), torch.tensor(data))
    same(zerograd.as_tensor(data), torch.as_tensor(data))


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_tensor_follows_default_dtype(default: str) -> None:
    zerograd.set_default_dtype(getattr(zerograd, default))
    torch.set_default_dtype(getattr(torch, default))
    for data in ([1.5, 2], 3.0, [[1]], [True]):
        same(zerograd.tensor(data), torch.tensor(data))
    same(zerograd.zeros(2), torch.zeros(2))
    same(zerograd.arange(0, 1, 0.25), torch.arange(0, 1, 0.25))
    same(zerograd.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2)


NUMPY_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                "bool"]


@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_from_numpy_arrays_of_every_dtype(dtype: str) -> None:
    a = (np.arange(12).reshape(3, 4) % 5).astype(dtype)
    for fn in ("tensor", "as_tensor", "from_numpy", "asarray"):
        same(getattr(zerograd, fn)(a), getattr(torch, fn)(a))
    same(zerograd.tensor(a[:, ::2]), torch.tensor(a[:, ::2]))  # non-contiguous source
    same(zerograd.tensor(a, dtype=zerograd.float64), torch.tensor(a, dtype=torch.float64))
    same(zerograd.tensor(a.T), torch.tensor(a.T))


def test_tensor_copies_from_numpy_shares() -> None:
    a = np.arange(4.0)
    t, f, s = zerograd.tensor(a), zerograd.from_numpy(a), zerograd.as_tensor(a)
    a[0] = 10
    assert t[0].item() == 0.0  # tensor() copies
    assert f[0].item() == 10.0 and s[0].item() == 10.0  # from_numpy / as_tensor share
    f[1] = 20
    assert a[1] == 20


def test_pandas_results() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"NumRooms": [3.0, 2.0, 4.0, 3.0], "Price": [127500, 106000, 178100, 140000],
                       "Alley_Pave": [True, False, False, False]})
    cases: list[Callable[[], Any]] = [
        lambda: df.to_numpy(dtype=float), lambda: df.values, lambda: df[["Price"]].values,
        lambda: df["NumRooms"].values, lambda: df["Alley_Pave"].values,
        lambda: df[["NumRooms", "Alley_Pave"]].to_numpy(dtype=float),
        lambda: df[["NumRooms", "Price"]].values,
    ]
    for get in cases:
        arr = get()
        if arr.dtype == object:  # mixed columns: torch refuses object arrays, so must we
            with pytest.raises(TypeError):
                torch.tensor(arr)
            with pytest.raises(TypeError):
                zerograd.tensor(arr)
            continue
        same(zerograd.tensor(arr), torch.tensor(arr))


SHAPE_FORMS = [((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), ((), {"size": (2, 3)}),
               ((), {"size": [4]}), ((0,), {}), ((), {}), ((5,), {}), ((zerograd.Size([2, 1]),),
                                                                       {})]


def _tshape(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(torch.Size(a) if isinstance(a, zerograd.Size) else a for a in args)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("args,kwargs", SHAPE_FORMS)
def test_shape_forms(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        t = getattr(torch, name)(*_tshape(args), **kwargs)
    except TypeError:
        with pytest.raises(TypeError):
            getattr(zerograd, name)(*args, **kwargs)
        return
    z = getattr(zerograd, name)(*args, **kwargs)
    same(z, t, values=name in ("zeros", "ones"))
    for dtype in ("float64", "float16") + (("int32", "bool") if name in ("zeros", "ones",
                                                                      "empty") else ()):
        z = getattr(zerograd, name)(*args, **kwargs, dtype=getattr(zerograd, dtype))
        t = getattr(torch, name)(*_tshape(args), **kwargs, dtype=getattr(torch, dtype))
        same(z, t, values=name in ("zeros", "ones"))


ARANGE = [(5,), (2, 7), (1, 10, 3), (0, 1, 0.1), (1.0, 4.0), (5.0,), (0, -3, -1), (-1, 1, 0.25),
          (0, 5, 2.5), (10, 0, -2.5), (0.5, 2), (3, 3), (1, 2, 0.3)]


@pytest.mark.parametrize("args", ARANGE, ids=repr)
def test_arange(args: tuple[Any, ...]) -> None:
    same(zerograd.arange(*args), torch.arange(*args))
    same(zerograd.arange(*args, dtype=zerograd.float64), torch.arange(*args, dtype=torch.float64))
    z = zerograd.arange(*(zerograd.tensor(a) for a in args))
    same(z, torch.arange(*(torch.tensor(a) for a in args)))


FILLS = [1, 2.5, True, -7, float("nan"), np.float32(1.5), np.int64(3)]


@pytest.mark.parametrize("fill", FILLS, ids=repr)
def test_full_dtype_from_fill_value(fill: Any) -> None:
    same(zerograd.full((2, 3), fill), torch.full((2, 3), fill))
    same(zerograd.full([2], fill, dtype=zerograd.float64), torch.full([2], fill,
                                                                       dtype=torch.float64))
    x_z, x_t = zerograd.ones(2, 2, dtype=zerograd.int32), torch.ones(2, 2, dtype=torch.int32)
    if not isinstance(fill, float) or fill == fill:  # full_like(int, nan) is undefined
        same(zerograd.full_like(x_z, fill), torch.full_like(x_t, fill))


@pytest.mark.parametrize("args", [(0, 1, 5), (-1, 1, 1), (0, 10, 0), (2, 1, 4), (0, 1, 11),
                                  (1, 5, 5), (0.5, 2.5, 3)])
def test_linspace(args: tuple[Any, ...]) -> None:
    same(zerograd.linspace(*args), torch.linspace(*args))
    same(zerograd.linspace(*args, dtype=zerograd.float64), torch.linspace(*args,
                                                                          dtype=torch.float64))
    same(zerograd.linspace(args[0], args[1], steps=args[2]),
         torch.linspace(args[0], args[1], steps=args[2]))


def test_linspace_int_dtype() -> None:
    same(zerograd.linspace(0, 10, 4, dtype=zerograd.int64),
         torch.linspace(0, 10, 4, dtype=torch.int64))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1, 1)])
def test_eye(args: tuple[int, ...]) -> None:
    same(zerograd.eye(*args), torch.eye(*args))
    same(zerograd.eye(*args, dtype=zerograd.int64), torch.eye(*args, dtype=torch.int64))
    same(zerograd.eye(*args, dtype=zerograd.bool), torch.eye(*args, dtype=torch.bool))


LIKE = ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]


@pytest.mark.parametrize("name", LIKE)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_like(name: str, dtype: str) -> None:
    base_z = zerograd.zeros(2, 3, dtype=getattr(zerograd, dtype))
    base_t = torch.zeros(2, 3, dtype=getattr(torch, dtype))
    values = name in ("zeros_like", "ones_like")
    try:
        t = getattr(torch, name)(base_t)
    except RuntimeError:  # rand_like of an int tensor
        with pytest.raises(RuntimeError):
            getattr(zerograd, name)(base_z)
        return
    same(getattr(zerograd, name)(base_z), t, values=values)
    z = getattr(zerograd, name)(base_z, dtype=zerograd.float64)
    same(z, getattr(torch, name)(base_t, dtype=torch.float64), values=values)
    z2 = getattr(zerograd, name)(base_z.t())  # the like of a transposed tensor
    same(z2, getattr(torch, name)(base_t.t()), values=values)


def test_randint_and_normal_shapes_and_dtypes() -> None:
    for args, kw, (lo, hi) in [
            ((10, (3,)), {}, (0, 10)), ((2, 5, (2, 2)), {}, (2, 5)),
            ((3, (4,)), {"dtype": "int32"}, (0, 3)), ((0, 2, (5,)), {"dtype": "float32"}, (0, 2)),
            ((5,), {"size": (3,)}, (0, 5))]:
        kz = {k: getattr(zerograd, v) for k, v in kw.items() if k == "dtype"}
        kt = {k: getattr(torch, v) for k, v in kw.items() if k == "dtype"}
        extra = {k: v for k, v in kw.items() if k != "dtype"}
        z = zerograd.randint(*args, **kz, **extra)
        t = torch.randint(*args, **kt, **extra)
        same(z, t, values=False)
        assert ((z >= lo) & (z < hi)).all()
    same(zerograd.normal(0.0, 1.0, size=(2, 3)), torch.normal(0.0, 1.0, size=(2, 3)),
         values=False)
    same(zerograd.normal(2, 3, (4,)), torch.normal(2, 3, (4,)), values=False)
    same(zerograd.normal(zerograd.zeros(3), 1.0), torch.normal(torch.zeros(3), 1.0),
         values=False)


def test_requires_grad_and_dtype_keywords() -> None:
    for name in ("zeros", "ones", "rand", "randn", "empty"):
        z = getattr(zerograd, name)(2, requires_grad=True, dtype=zerograd.float64)
        t = getattr(torch, name)(2, requires_grad=True, dtype=torch.float64)
        assert z.requires_grad == t.requires_grad and z.is_leaf and z.grad_fn is None
        same(z, t, values=False)
    with pytest.raises(RuntimeError):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)
    with pytest.raises(RuntimeError):
        zerograd.zeros(2, dtype=zerograd.int64, requires_grad=True)
    same(zerograd.tensor([1, 2], dtype=zerograd.float32, requires_grad=True),
         torch.tensor([1, 2], dtype=torch.float32, requires_grad=True).detach())


def test_legacy_constructors() -> None:
    for args in [([1, 2],), (2, 3), (4,), ([[1.5]],)]:
        z, t = zerograd.Tensor(*args), torch.Tensor(*args)
        same(z, t, values=isinstance(args[0], list))
    for cls in ("FloatTensor", "LongTensor", "DoubleTensor", "IntTensor", "BoolTensor"):
        if hasattr(torch, cls) and hasattr(zerograd, cls):
            same(getattr(zerograd, cls)([1, 0]), getattr(torch, cls)([1, 0]))


def test_dtype_objects() -> None:
    for name in NUMPY_DTYPES + ["float", "double", "half", "long", "int", "short"]:
        zd, td = getattr(zerograd, name), getattr(torch, name)
        assert repr(zd) == repr(td) and str(zd) == str(td)
        assert zd.is_floating_point == td.is_floating_point
        assert zd.itemsize == td.itemsize
    assert zerograd.float32 == zerograd.float and zerograd.float64 is zerograd.double
    for a, b in itertools.combinations(NUMPY_DTYPES, 2):
        assert (getattr(zerograd, a) == getattr(zerograd, b)) == (
            getattr(torch, a) == getattr(torch, b))
