"""Bad input raises what torch raises: the same exception class, and a message that carries the
facts torch's message carries (the shapes, dims, dtypes and numbers it names); ours may say
more. Each case is one lambda run on both modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


def _x(m: Any) -> Any:
    return m.arange(12).reshape(3, 4)


def _f(m: Any) -> Any:
    return m.ones(3, 4)


CASES: dict[str, Callable[[Any], Any]] = {
    # dims out of range: IndexError
    "sum axis=1 of 1-D": lambda m: m.ones(3).sum(axis=1),
    "sum dim=2": lambda m: _f(m).sum(dim=2),
    "sum dim=-3": lambda m: _f(m).sum(-3),
    "mean dim tuple": lambda m: _f(m).mean((0, 5)),
    "max dim": lambda m: _f(m).max(dim=3),
    "argmax dim": lambda m: _f(m).argmax(2),
    "softmax dim": lambda m: m.softmax(_f(m), 2),
    "cumsum dim": lambda m: _f(m).cumsum(2),
    "transpose dim": lambda m: _f(m).transpose(0, 2),
    "permute wrong count": lambda m: _f(m).permute(0),
    "permute repeated": lambda m: _f(m).permute(0, 0),
    "unsqueeze dim": lambda m: _f(m).unsqueeze(4),
    "squeeze dim": lambda m: _f(m).squeeze(3),
    "cat dim": lambda m: m.cat([_f(m), _f(m)], dim=2),
    "stack dim": lambda m: m.stack([_f(m), _f(m)], dim=4),
    "flatten dims": lambda m: _f(m).flatten(0, 3),
    "index out of range": lambda m: _f(m)[3],
    "negative index out of range": lambda m: _f(m)[-4],
    "too many indices": lambda m: _f(m)[0, 0, 0],
    "index tensor out of range": lambda m: _f(m)[m.tensor([0, 5])],
    "mask shape": lambda m: _f(m)[m.tensor([True, False])],
    "float index tensor": lambda m: _f(m)[m.tensor([0.0])],
    "setitem out of range": lambda m: _f(m).__setitem__((5, 0), 1.0),
    "index_select dim": lambda m: m.index_select(_f(m), 2, m.tensor([0])),
    "narrow out of range": lambda m: _f(m).narrow(0, 2, 3),
    "select out of range": lambda m: _f(m).select(1, 4),
    # shape mismatches: RuntimeError
    "add shapes": lambda m: m.ones(3, 4) + m.ones(4, 3),
    "mul shapes": lambda m: m.ones(2, 3) * m.ones(2),
    "mm shapes": lambda m: m.mm(m.ones(5, 4), m.ones(5, 4)),
    "mm 1-D": lambda m: m.mm(m.ones(4), m.ones(4, 2)),
    "mv shapes": lambda m: m.mv(m.ones(3, 4), m.ones(3)),
    "mv 2-D vec": lambda m: m.mv(m.ones(3, 4), m.ones(4, 1)),
    "dot shapes": lambda m: m.dot(m.ones(3), m.ones(4)),
    "dot 2-D": lambda m: m.dot(m.ones(2, 2), m.ones(2, 2)),
    "bmm shapes": lambda m: m.bmm(m.ones(2, 3, 4), m.ones(3, 4, 5)),
    "bmm 2-D": lambda m: m.bmm(m.ones(3, 4), m.ones(4, 5)),
    "matmul shapes": lambda m: m.ones(2, 3) @ m.ones(2, 3),
    "matmul batch": lambda m: m.ones(2, 3, 4) @ m.ones(3, 4, 2),
    "matmul 0-d": lambda m: m.tensor(2.0) @ m.ones(3),
    "reshape numel": lambda m: _f(m).reshape(5, -1),
    "reshape two -1": lambda m: _f(m).reshape(-1, -1),
    "view non-viewable": lambda m: _f(m).t().view(12),
    "view numel": lambda m: _f(m).view(5, 2),
    "expand": lambda m: m.ones(3, 2).expand(3, 4),
    "expand fewer dims": lambda m: m.ones(3, 2).expand(2),
    "cat shapes": lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]),
    "cat dims count": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
    "cat empty list": lambda m: m.cat([]),
    "stack shapes": lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]),
    "where shapes": lambda m: m.where(m.ones(3, dtype=m.bool), m.ones(2), m.ones(3)),
    "setitem shape": lambda m: _f(m).__setitem__(slice(0, 2), m.ones(3, 3)),
    "masked_fill shape": lambda m: _f(m).masked_fill(m.ones(2, dtype=m.bool), 0.0),
    "trace 1-D": lambda m: m.trace(m.ones(3)),
    "split size 0": lambda m: m.ones(4).split(0),
    "chunk 0": lambda m: m.ones(4).chunk(0),
    # dtype mismatches: RuntimeError
    "dot int64 float32": lambda m: m.dot(m.tensor([1, 2]), m.tensor([1.0, 2.0])),
    "mm int float": lambda m: m.mm(m.ones(2, 2, dtype=m.int64), m.ones(2, 2)),
    "mv double float": lambda m: m.mv(m.ones(2, 2, dtype=m.float64), m.ones(2)),
    "bmm dtypes": lambda m: m.bmm(m.ones(1, 2, 2), m.ones(1, 2, 2, dtype=m.float64)),
    "matmul dtypes": lambda m: m.ones(2, 2) @ m.ones(2, 2, dtype=m.float64),
    "mean of ints": lambda m: _x(m).mean(),
    "var of ints": lambda m: _x(m).var(),
    "std of ints": lambda m: _x(m).std(),
    "softmax of ints": lambda m: m.softmax(_x(m), 0),
    "norm of ints": lambda m: _x(m).norm(),
    "bitwise and floats": lambda m: _f(m) & _f(m),
    "invert float": lambda m: ~_f(m),
    "neg bool": lambda m: -m.ones(2, dtype=m.bool),
    "where int condition": lambda m: m.where(m.ones(2, dtype=m.int64), 1.0, 0.0),
    "index_select float index": lambda m: m.index_select(_f(m), 0, m.tensor([0.0])),
    # values
    "item of many": lambda m: m.ones(3).item(),
    "item of none": lambda m: m.ones(0).item(),
    "float of many": lambda m: float(m.ones(3)),
    "int of many": lambda m: int(m.ones(2)),
    "bool of many": lambda m: bool(m.ones(2)),
    "int floor_divide by zero": lambda m: m.tensor([1, 2]) // 0,
    "int remainder by zero": lambda m: m.tensor([1, 2]) % m.tensor([1, 0]),
    "int div_ floor zero": lambda m: m.tensor([4]).div(0, rounding_mode="floor"),
    "negative int power": lambda m: m.tensor([1, 2]) ** -1,
    "negative int power 0-d": lambda m: m.tensor(2) ** -2,
    "topk k too big": lambda m: m.ones(3).topk(4),
    "clamp no bounds": lambda m: _f(m).clamp(),
    # in-place: results that can't be cast back
    "int += float tensor": lambda m: _x(m).__iadd__(_f(m)),
    "int += float scalar": lambda m: _x(m).add_(1.5),
    "int /= int": lambda m: _x(m).div_(2),
    "bool += int": lambda m: m.ones(2, dtype=m.bool).add_(m.ones(2, dtype=m.int64)),
    "in-place broadcast to bigger": lambda m: m.ones(3).add_(m.ones(2, 3)),
    "in-place on expanded": lambda m: m.ones(3, 1).expand(3, 4).add_(1),
    "in-place leaf requires grad": lambda m: m.ones(3, requires_grad=True).add_(1),
    "requires_grad on int": lambda m: m.ones(3, dtype=m.int64).requires_grad_(),
    "numpy of requires_grad": lambda m: m.ones(3, requires_grad=True).numpy(),
    # wrong argument types: TypeError
    "tensor of str": lambda m: m.tensor("abc"),
    "ragged list": lambda m: m.tensor([[1, 2], [3]]),
    "add str": lambda m: _f(m) + "a",
    "reshape float": lambda m: _f(m).reshape(2.5, 2),
    "zeros of str": lambda m: m.zeros("3"),
    "sum of list": lambda m: m.sum([1, 2]),
    "exp of list": lambda m: m.exp([1.0]),
    "len of 0-d": lambda m: len(m.tensor(1.0)),
    "iterate 0-d": lambda m: iter(m.tensor(1.0)),
    "cat of tensor": lambda m: m.cat(m.ones(2, 2)),
    "arange zero step": lambda m: m.arange(0, 5, 0),
    "arange wrong sign": lambda m: m.arange(5, 0, 1),
    "linspace negative steps": lambda m: m.linspace(0, 1, -1),
    "randint low >= high": lambda m: m.randint(5, 5, (2,)),
    "eye negative": lambda m: m.eye(-1),
    "full no fill": lambda m: m.full((2,)),
    "full overflow": lambda m: m.full((2,), 2**40, dtype=m.int32),
    "zeros without size": lambda m: m.zeros(),
    "ones negative dim": lambda m: m.ones(-1),
    "to bad dtype": lambda m: _f(m).to("float32"),
}


def _facts(msg: str) -> list[str]:
    """What a message must keep: bracketed shapes, numbers and dtype names it mentions."""
    facts = re.findall(r"\[[\d, ]*\]", msg)
    facts += re.findall(r"(?<![\w.])-?\d+(?![\w.])", re.sub(r"\[[\d, ]*\]", "", msg))
    facts += re.findall(r"\b(?:Long|Float|Double|Int|Bool|Half|Byte|Short|Char)\b", msg)
    facts += re.findall(r"\b(?:int|float|bool|uint)\d*\b", msg)
    return facts


@pytest.mark.parametrize("name", CASES)
def test_same_exception_class(name: str) -> None:
    fn = CASES[name]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(Exception) as got:
        fn(zerograd)
    assert type(got.value) is type(expected.value) or (
        type(expected.value) is not Exception and isinstance(got.value, type(expected.value))
    ), f"torch raises {type(expected.value).__name__}: {expected.value}; zerograd raised " \
       f"{type(got.value).__name__}: {got.value}"
    if isinstance(expected.value, TypeError):
        return  # argument-parsing TypeErrors: torch words them from its C++ signatures
    ours = str(got.value)
    missing = [f for f in _facts(str(expected.value)) if f not in ours]
    assert not missing, f"message lacks {missing}\n torch: {expected.value}\n ours:  {ours}"


def test_int_division_by_zero_is_not_silent() -> None:
    """NumPy returns 0 for integer division by zero; torch (and zerograd) raise."""
    for fn in (lambda m: m.tensor([3]) // m.tensor([0]), lambda m: m.tensor([3]) % 0):
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError):
            fn(zerograd)
    # float division by zero is fine: inf and nan, as in torch
    z = (zerograd.tensor([1.0, 0.0]) / 0).numpy()
    t = (torch.tensor([1.0, 0.0]) / 0).numpy()
    np.testing.assert_array_equal(z, t)
    z = (zerograd.tensor([1, 0]) / 0).numpy()
    np.testing.assert_array_equal(z, (torch.tensor([1, 0]) / 0).numpy())


def test_no_numpy_wraparound_indexing() -> None:
    """x[-1] is fine, x[3] on 3 rows raises; a slice past the end is empty, as in torch."""
    for m in (torch, zerograd):
        x = m.arange(3)
        assert int(x[-1]) == 2
        with pytest.raises(IndexError):
            x[3]
        assert tuple(x[5:].shape) == (0,)
