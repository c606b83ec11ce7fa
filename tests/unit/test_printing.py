"""Golden tests for tensor printing: every expected text is PyTorch's own repr.

`FakeTensor` stands in for zerograd's Tensor (only the attributes `tensor_repr` reads), so these
tests pin the formatting down independently of the Tensor class.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch._tensor_str as torch_str
import torch.autograd.forward_ad as fwAD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from zerograd import _dtype as zd
from zerograd._printing import (
    format_values,
    get_printoptions,
    printoptions,
    set_printoptions,
    size_repr,
    tensor_repr,
)

HYPO = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class FakeDevice:
    def __init__(self, spec: str = "cpu") -> None:
        self.type = spec.split(":")[0]
        self._spec = spec

    def __str__(self) -> str:
        return self._spec


class FakeFn:
    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name


class FakeTensor:
    """The duck-typed slice of Tensor that printing uses."""

    def __init__(
        self,
        data: np.ndarray,
        *,
        requires_grad: bool = False,
        grad_fn: str | None = None,
        device: str = "cpu",
        tangent: FakeTensor | None = None,
    ) -> None:
        self._data = data
        self.dtype = zd.from_numpy_dtype(data.dtype)
        self.device = FakeDevice(device)
        self.requires_grad = requires_grad or grad_fn is not None
        self.grad_fn = None if grad_fn is None else FakeFn(grad_fn)
        self.is_leaf = grad_fn is None
        self._fw_tangent_for_print = tangent


def torch_text(arr: np.ndarray) -> str:
    return repr(torch.from_numpy(np.array(arr, copy=True)))


def check(arr: np.ndarray) -> None:
    assert tensor_repr(FakeTensor(arr)) == torch_text(arr)


def grad_fn_name(t: torch.Tensor) -> str | None:
    """The node name torch's repr shows for `t`."""
    if t.grad_fn is None:
        return None
    name = type(t.grad_fn).__name__
    if name == "CppFunction":  # nodes made by forward AD carry their name in name()
        name = t.grad_fn.name().rsplit("::", 1)[-1]
    return name


def fake_of(t: torch.Tensor) -> FakeTensor:
    """A FakeTensor mirroring a torch tensor's values and autograd state."""
    data = t.detach().numpy().copy()
    return FakeTensor(data, requires_grad=t.requires_grad, grad_fn=grad_fn_name(t))


@pytest.fixture(autouse=True)
def _restore_defaults() -> Iterator[None]:
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    zd.set_default_dtype(zd.float32)
    torch.set_default_dtype(torch.float32)


def both_printoptions(**kwargs: Any) -> None:
    set_printoptions(**kwargs)
    torch.set_printoptions(**kwargs)


# --- the course's examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.arange(120).reshape(2, 3, 4, 5),
        lambda: torch.tensor([[3.0, 1.0, 0.0], [2.0, 5.0, 7.0]], dtype=torch.float64),
        lambda: torch.tensor([1.2]),
        lambda: torch.tensor(9.5),
        lambda: torch.tensor([0.25, 0.4, 0.5]),
        lambda: torch.tensor([1, 32, 729]),
        lambda: torch.arange(12, dtype=torch.float32).reshape(3, 4),
        lambda: torch.zeros(2, 3, 4),
        lambda: torch.ones(5, dtype=torch.int32),
        lambda: torch.tensor([True, False, True]),
        lambda: torch.tensor(3),
        lambda: torch.tensor(True),
        lambda: torch.exp(torch.tensor([1.0, 2.0, 4.0, 8.0])),
    ],
)
def test_course_examples(make: Any) -> None:
    check(make().numpy())


def test_literal_goldens() -> None:
    f32 = zd.float32
    assert tensor_repr(FakeTensor(np.array([1.2], np.float32))) == "tensor([1.2000])"
    assert tensor_repr(FakeTensor(np.array(9.5, np.float32))) == "tensor(9.5000)"
    assert tensor_repr(FakeTensor(np.array([1, 32, 729]))) == "tensor([  1,  32, 729])"
    assert format_values(np.arange(4.0).reshape(2, 2), f32) == "[[0., 1.],\n        [2., 3.]]"
    assert format_values(np.array([-1.0, 2.0]), f32, indent=0) == "[-1.,  2.]"


# --- values and shapes -----------------------------------------------------------------------

SHAPES = [(), (0,), (0, 3), (2, 0, 4), (1,), (5,), (1000,), (1001,), (2, 3, 4, 5), (30, 40)]
SHAPES += [(100, 100), (3, 400), (400, 3), (11, 11, 11)]
NUMPY_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64]
NUMPY_DTYPES += [np.uint8, np.bool_]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES, ids=lambda d: np.dtype(d).name)
def test_shapes_and_dtypes(shape: tuple[int, ...], np_dtype: Any) -> None:
    rng = np.random.default_rng(0)
    n = int(np.prod(shape))
    if np.dtype(np_dtype).kind == "f":
        arrays = [rng.standard_normal(n), np.arange(n) - n // 2, rng.standard_normal(n) * 1e5]
    elif np_dtype is np.bool_:
        arrays = [rng.random(n) < 0.5, np.ones(n)]
    else:
        info = np.iinfo(np_dtype)
        arrays = [rng.integers(info.min, info.max, n, endpoint=True), np.arange(n) % 100]
    for values in arrays:
        with np.errstate(over="ignore", invalid="ignore"):
            values = values.astype(np_dtype)
        check(values.reshape(shape))


SPECIALS = [
    [float("nan"), 1.0],
    [float("nan")],
    [float("inf"), -float("inf"), 2.5],
    [-0.0, 1.5],
    [-0.0, 0.0],
    [0.0, 1e-5],
    [1e8, 1.0],
    [1.0e9, 2.0],
    [1e-4, 1.0],
    [0.1, 100.0],
    [0.1, 100.1],
    [1e-300, 1e300],
    [3e38, -3e38],
    [123456789.0],
    [5e-324],
    [65504.0, 1.0],
    [0.5, float("nan"), float("inf")],
    [1e10, 1.0, float("nan")],
]


@pytest.mark.parametrize("values", SPECIALS, ids=str)
@pytest.mark.parametrize("np_dtype", [np.float16, np.float32, np.float64])
def test_special_floats(values: list[float], np_dtype: Any) -> None:
    with np.errstate(over="ignore", under="ignore"):
        arr = np.array(values, dtype=np_dtype)
    check(arr)
    check(arr[0])
    check(np.stack([arr, arr[::-1]]))


def test_non_contiguous_views() -> None:
    base = np.random.default_rng(1).standard_normal((6, 8)).astype(np.float32)
    for view in [base.T, base[::2], base[:, ::-1], base[1:4, 2:7:2], base.T[::-1, ::3]]:
        assert not view.flags.c_contiguous or view.base is not None
        check(view)
    big = np.arange(3000).reshape(30, 100).T
    check(big)


def float_elements(width: int) -> st.SearchStrategy[float]:
    magnitudes = st.builds(
        lambda m, e: m * 10.0**e, st.floats(-10, 10, width=64), st.integers(-12, 12)
    )
    with np.errstate(over="ignore"):
        return st.one_of(
            st.floats(width=width),
            st.integers(-1000, 1000).map(float),
            magnitudes.filter(lambda v: abs(v) < float(np.finfo(f"float{width}").max)),
        )


@st.composite
def arrays(draw: Any) -> np.ndarray:
    np_dtype = draw(st.sampled_from(NUMPY_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    kind = np.dtype(np_dtype).kind
    if kind == "f":
        width = np.dtype(np_dtype).itemsize * 8
        elements = float_elements(width).map(lambda v: np.array(v).astype(np_dtype).item())
        return draw(hnp.arrays(np_dtype, shape, elements=elements))
    return draw(hnp.arrays(np_dtype, shape))


@HYPO
@given(arrays())
def test_hypothesis_arrays(arr: np.ndarray) -> None:
    check(arr)


@HYPO
@given(
    arrays(),
    st.integers(0, 8),
    st.sampled_from([None, True, False]),
    st.integers(1, 12),
    st.integers(0, 4),
    st.integers(10, 120),
)
def test_hypothesis_printoptions(
    arr: np.ndarray, precision: int, sci: bool | None, threshold: int, edge: int, width: int
) -> None:
    both_printoptions(
        precision=precision, sci_mode=sci, threshold=threshold, edgeitems=edge, linewidth=width
    )
    try:
        check(arr)
    finally:
        both_printoptions(profile="default")


# --- print options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 0},
        {"precision": 10},
        {"sci_mode": True},
        {"sci_mode": False},
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"threshold": 5, "edgeitems": 0},
        {"edgeitems": 0},
        {"linewidth": 40},
        {"linewidth": 5},
        {"linewidth": 200},
        {"profile": "full"},
        {"profile": "short"},
        {"profile": "short", "precision": 6},
        {"profile": "no-such-profile"},
    ],
    ids=str,
)
def test_printoptions(options: dict[str, Any]) -> None:
    both_printoptions(**options)
    assert get_printoptions() == torch_str.get_printoptions()
    rng = np.random.default_rng(2)
    cases = [
        rng.standard_normal((4, 5)).astype(np.float32),
        rng.standard_normal(2000).astype(np.float64) * 1e-6,
        np.arange(1001),
        np.arange(2000).reshape(40, 50).astype(np.float32),
        np.array([1.12345, 1e10], np.float32),
        np.array([0.0, 0.0], np.float32),
        np.arange(24).reshape(2, 3, 4) * 1000,
        np.arange(10),
        np.array(3.25),
        np.zeros((0, 2)),
    ]
    for arr in cases:
        check(arr)


def test_get_printoptions_defaults_and_reset() -> None:
    assert get_printoptions() == torch_str.get_printoptions()
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)  # like torch, omitting sci_mode resets it to None
    assert get_printoptions()["sci_mode"] is None
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == float("inf")
    set_printoptions(profile="default")
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_printoptions_context_manager() -> None:
    with printoptions(precision=1):
        text = tensor_repr(FakeTensor(np.array([1.25, 2.5])))
    assert text == "tensor([1.2, 2.5], dtype=torch.float64)"
    assert get_printoptions()["precision"] == 4


# --- suffixes --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64, torch.int64])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 1), (3,), (2, 2)], ids=str)
def test_dtype_and_size_suffixes_with_default_float64(
    dtype: torch.dtype, shape: tuple[int, ...]
) -> None:
    for default in (torch.float32, torch.float64):
        torch.set_default_dtype(default)
        zd.set_default_dtype(zd.by_name(str(default).split(".")[1]))
        t = torch.arange(int(np.prod(shape))).to(dtype).reshape(shape)
        check(t.numpy())


def test_grad_suffixes() -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    xd = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    cases = [x, x * 2, x.sum(), xd, (xd + 1).exp(), torch.zeros(0, 3, requires_grad=True)]
    cases.append(torch.randn(20, 13, dtype=torch.float64, requires_grad=True) * 1000)
    for t in cases:
        assert tensor_repr(fake_of(t)) == repr(t)


@HYPO
@given(
    st.integers(1, 40),
    st.sampled_from([torch.float32, torch.float64, torch.float16]),
    st.booleans(),
    st.integers(-3, 6),
    st.integers(30, 100),
)
def test_suffix_wrapping(n: int, dtype: torch.dtype, op: bool, scale: int, width: int) -> None:
    both_printoptions(linewidth=width)
    try:
        x = (torch.linspace(-1, 1, n) * 10.0**scale).to(dtype).requires_grad_()
        t = x * 3 if op else x
        assert tensor_repr(fake_of(t)) == repr(t)
    finally:
        both_printoptions(profile="default")


def test_device_suffix_golden() -> None:
    # This torch has no GPU, so the texts are written out by hand from torch's rules (device
    # first, then wrapping like any other suffix) and the wrapping is checked with torch's helper.
    t = FakeTensor(np.array([1.0, 2.0], np.float32), device="cuda:0")
    assert tensor_repr(t) == "tensor([1., 2.], device='cuda:0')"
    t = FakeTensor(np.zeros((0, 2), np.int64), device="cuda:0", requires_grad=False)
    assert tensor_repr(t) == "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int64)"
    arr = np.array([[1.5, 2.0]] * 2)
    t = FakeTensor(arr, device="cuda:1", grad_fn="AddBackward0")
    expected = (
        "tensor([[1.5000, 2.0000],\n"
        "        [1.5000, 2.0000]], device='cuda:1', dtype=torch.float64,\n"
        "       grad_fn=<AddBackward0>)"
    )
    assert tensor_repr(t) == expected
    body = torch_str._tensor_str(torch.from_numpy(arr), 7)
    suffixes = ["device='cuda:1'", "dtype=torch.float64", "grad_fn=<AddBackward0>"]
    assert torch_str._add_suffixes("tensor(" + body, suffixes, 7, False) == expected


def test_tangent_suffix() -> None:
    primal = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    tangent = torch.tensor([[0.5, 0.0], [1.0, -2.0]], dtype=torch.float64)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        dual = fwAD.make_dual(primal, tangent)
        duals = [dual, dual * 2, fwAD.make_dual(x * 1, torch.ones(2)) * 3]
        expected = [repr(d) for d in duals]
        names = [grad_fn_name(d) for d in duals]
        unpacked = [fwAD.unpack_dual(d) for d in duals]
    for (p, t), name, text in zip(unpacked, names, expected):
        # torch names the dual's own node, not the node of the unpacked primal view.
        fake = FakeTensor(p.detach().numpy().copy(), requires_grad=p.requires_grad, grad_fn=name)
        fake._fw_tangent_for_print = fake_of(t)
        assert tensor_repr(fake) == text


def test_size_repr() -> None:
    for shape in [(), (3,), (3, 4), (0, 2, 1)]:
        assert size_repr(shape) == repr(torch.Size(shape))
