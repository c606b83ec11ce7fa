"""repeat, tile, repeat_interleave, roll and diff against torch: values, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import zerograd as zg

torch = pytest.importorskip("torch")

CASES = [
    ("repeat", lambda m, x: x.repeat(2, 1, 3)),
    ("repeat_same_rank", lambda m, x: x.repeat(1, 2)),
    ("tile", lambda m, x: m.tile(x, (2,))),
    ("repeat_interleave_int", lambda m, x: x.repeat_interleave(2, dim=1)),
    ("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x, 3)),
    ("repeat_interleave_counts", lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=1)),
    ("roll_dim", lambda m, x: x.roll(1, 1)),
    ("roll_negative", lambda m, x: m.roll(x, -4, 1)),
    ("roll_many", lambda m, x: x.roll((1, 2), (0, 1))),
    ("roll_flat", lambda m, x: m.roll(x, 2)),
    ("diff", lambda m, x: x.diff()),
    ("diff_twice_dim0", lambda m, x: m.diff(x, n=2, dim=0, prepend=m.ones(1, 3))),
    ("diff_append", lambda m, x: x.diff(append=m.zeros(2, 1))),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(name: str, fn) -> None:
    data = np.random.default_rng(0).standard_normal((2, 3))
    outs, grads = [], []
    for m in (zg, torch):
        x = m.tensor(data, requires_grad=True)
        y = fn(m, x)
        u = m.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)))
        (y * u).sum().backward()
        outs.append(y.detach().numpy())
        grads.append(x.grad.numpy())
    assert outs[0].shape == outs[1].shape
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda m: m.ones(2, 3).repeat(2),
    lambda m: m.ones(2, 3).roll((1, 2), 0),
    lambda m: m.ones(2, 3).repeat_interleave(m.tensor([1, 2]), dim=1),
])
def test_errors_match_torch_class(call) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(zg)
