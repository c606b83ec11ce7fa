"""Timer and Accumulator behave as d2l's: recorded intervals, running sums of floats."""

from __future__ import annotations

import time

import pytest

import zerograd
from zerograd import d2l


def test_timer_records_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([10.0, 10.5, 20.0, 21.25, 30.0, 30.125])
    monkeypatch.setattr(time, "time", lambda: next(clock))
    timer = d2l.Timer()  # starts at 10.0
    assert timer.stop() == 0.5
    timer.start()
    assert timer.stop() == 1.25
    timer.start()
    assert timer.stop() == 0.125
    assert timer.times == [0.5, 1.25, 0.125]
    assert timer.sum() == 1.875
    assert timer.avg() == 1.875 / 3
    assert timer.cumsum() == [0.5, 1.75, 1.875]


def test_timer_measures_real_time() -> None:
    timer = d2l.Timer()
    time.sleep(0.01)
    assert 0.005 < timer.stop() < 5.0


def test_accumulator_sums_tensors_like_torch() -> None:
    torch = pytest.importorskip("torch")
    values = [(1.5, 2), (0.25, 3), (4.0, 5)]
    ours, theirs = d2l.Accumulator(3), d2l.Accumulator(3)
    for a, n in values:
        ours.add(zerograd.tensor(a) * 3, zerograd.tensor([n]), n)
        theirs.add(torch.tensor(a) * 3, torch.tensor([n]), n)
    assert ours.data == theirs.data == [3 * 5.75, 10.0, 10.0]
    assert all(type(v) is float for v in ours.data)
    assert ours[0] == 17.25 and ours[2] == 10.0
    ours.reset()
    assert ours.data == [0.0, 0.0, 0.0]


def test_accumulator_rejects_many_element_tensors() -> None:
    acc = d2l.Accumulator(1)
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        acc.add(zerograd.ones(3))
