"""Properties of views and broadcasting, over Hypothesis-drawn shapes and op chains.

- A random chain of view operations gives the same values, shape and contiguity as torch, and
  a write through the last view lands in the same places of the base (aliasing is exact).
- Random basic indexing keys (ints, slices with steps, None, ...) agree with torch, for reading
  and for writing with a broadcast value.
- `broadcast_shapes`, `expand` and elementwise broadcasting agree with torch on drawn shapes,
  including the error for shapes that do not broadcast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zerograd

torch = pytest.importorskip("torch")


def _step(draw: Any, shape: tuple[int, ...]) -> tuple[str, tuple[Any, ...]] | None:
    """One view operation valid for `shape` (None when nothing applies)."""
    nd = len(shape)
    options = ["unsqueeze", "reshape_flat"]
    if nd >= 1:
        options += ["slice", "select", "flip_dims_view", "narrow", "squeeze_all"]
    if nd >= 2:
        options += ["transpose", "permute", "t_last"]
    if any(s == 1 for s in shape):
        options += ["expand"]
    kind = draw(st.sampled_from(options))
    if kind == "unsqueeze":
        return kind, (draw(st.integers(-nd - 1, nd)),)
    if kind == "reshape_flat":
        return kind, ()
    if kind == "squeeze_all":
        return kind, ()
    d = draw(st.integers(-nd, nd - 1)) if nd else 0
    size = shape[d] if nd else 0
    if kind == "slice":
        start = draw(st.integers(0, max(size, 0)))
        stop = draw(st.integers(start, max(size, start)))
        return kind, (d, start, stop, draw(st.integers(1, 3)))
    if kind == "select":
        if size == 0:
            return None
        return kind, (d, draw(st.integers(-size, size - 1)))
    if kind == "narrow":
        start = draw(st.integers(0, size))
        return kind, (d, start, draw(st.integers(0, size - start)))
    if kind == "flip_dims_view":
        return "transpose", (d, d)
    if kind == "transpose":
        return kind, (d, draw(st.integers(-nd, nd - 1)))
    if kind == "permute":
        return kind, tuple(draw(st.permutations(range(nd))))
    if kind == "t_last":
        return "transpose", (-1, -2)
    new = tuple(draw(st.integers(1, 3)) if s == 1 else s for s in shape)
    return "expand", new


def _apply(x: Any, kind: str, args: tuple[Any, ...]) -> Any:
    if kind == "unsqueeze":
        return x.unsqueeze(*args)
    if kind == "reshape_flat":
        return x.reshape(-1) if x.is_contiguous() else x
    if kind == "squeeze_all":
        return x.squeeze()
    if kind == "slice":
        d, start, stop, step = args
        key = [slice(None)] * x.dim()
        key[d] = slice(start, stop, step)
        return x[tuple(key)]
    if kind == "select":
        return x.select(*args)
    if kind == "narrow":
        return x.narrow(*args)
    if kind == "transpose":
        return x.transpose(*args)
    if kind == "permute":
        return x.permute(*args)
    return x.expand(*args)


@st.composite
def view_chains(draw: Any) -> tuple[tuple[int, ...], list[tuple[str, tuple[Any, ...]]]]:
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    chain, cur = [], tuple(shape)
    for _ in range(draw(st.integers(1, 5))):
        step = _step(draw, cur)
        if step is None:
            continue
        chain.append(step)
        probe = _apply(torch.zeros(cur), *step)
        cur = tuple(probe.shape)
    return tuple(shape), chain


@given(view_chains())
def test_view_chains_match_torch_and_alias(case: Any) -> None:
    shape, chain = case
    n = int(np.prod(shape, dtype=np.int64))
    z = zerograd.arange(float(n)).reshape(shape)
    t = torch.arange(float(n)).reshape(shape)
    zv, tv = z, t
    for kind, args in chain:
        zv, tv = _apply(zv, kind, args), _apply(tv, kind, args)
        assert tuple(zv.shape) == tuple(tv.shape), (kind, args)
        np.testing.assert_array_equal(zv.numpy(), tv.numpy())
        assert zv.is_contiguous() == tv.is_contiguous(), (kind, args)
    expanded = any(k == "expand" for k, _ in chain)
    if tv.numel() and not expanded:  # write through the view: the base changes alike
        tv.mul_(-1)
        zv.mul_(-1)
        np.testing.assert_array_equal(z.numpy(), t.numpy())
        assert z._version == t._version


@st.composite
def basic_keys(draw: Any) -> tuple[tuple[int, ...], tuple[Any, ...]]:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    key: list[Any] = []
    for s in shape[: draw(st.integers(1, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "none", "all"]))
        if kind == "int":
            key.append(draw(st.integers(-s, s - 1)))
        elif kind == "slice":
            key.append(slice(draw(st.one_of(st.none(), st.integers(-s - 2, s + 2))),
                             draw(st.one_of(st.none(), st.integers(-s - 2, s + 2))),
                             draw(st.one_of(st.none(), st.integers(1, 3)))))
        elif kind == "none":
            key.append(None)
            key.append(slice(None))
        else:
            key.append(slice(None))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), Ellipsis)
    return tuple(shape), tuple(key)


@given(basic_keys(), st.booleans())
def test_basic_indexing_reads_and_writes(case: Any, scalar_value: bool) -> None:
    shape, key = case
    n = int(np.prod(shape))
    z, t = zerograd.arange(n).reshape(shape), torch.arange(n).reshape(shape)
    zr, tr = z[key], t[key]
    assert tuple(zr.shape) == tuple(tr.shape)
    np.testing.assert_array_equal(zr.numpy(), tr.numpy())
    region = tuple(tr.shape)
    if scalar_value:
        zval: Any = -7
        tval: Any = -7
    else:  # a value that broadcasts against the region: its last dim only
        last = region[-1:] if region else ()
        zval = -zerograd.arange(int(np.prod(last))).reshape(last)
        tval = -torch.arange(int(np.prod(last))).reshape(last)
    z[key] = zval
    t[key] = tval
    np.testing.assert_array_equal(z.numpy(), t.numpy())


@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4, max_side=4))
def test_broadcast_shapes_and_expand(shapes: Any) -> None:
    ins = shapes.input_shapes
    assert tuple(zerograd.broadcast_shapes(*ins)) == tuple(torch.broadcast_shapes(*ins))
    out = shapes.result_shape
    for s in ins:
        z, t = zerograd.ones(s).expand(out), torch.ones(s).expand(out)
        assert tuple(z.shape) == tuple(t.shape) == out
        big = [i for i, n in enumerate(out) if n > 1]  # strides of size-1 dims are arbitrary
        assert [z.stride()[i] for i in big] == [t.stride()[i] for i in big]
    zs = [zerograd.ones(s) for s in ins]
    ts = [torch.ones(s) for s in ins]
    assert tuple((zs[0] + zs[1] * zs[2]).shape) == tuple((ts[0] + ts[1] * ts[2]).shape)
    zb = zerograd.broadcast_tensors(*zs)
    tb = torch.broadcast_tensors(*ts)
    assert [tuple(a.shape) for a in zb] == [tuple(b.shape) for b in tb]


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
       hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_non_broadcastable_shapes_raise_alike(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    try:
        torch.broadcast_shapes(a, b)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            zerograd.broadcast_shapes(a, b)
        with pytest.raises(RuntimeError) as got:
            zerograd.ones(a) + zerograd.ones(b)
        with pytest.raises(RuntimeError) as want:
            torch.ones(a) + torch.ones(b)
        assert str(want.value) in str(got.value)
    else:
        assume(False)
