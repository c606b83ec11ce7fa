"""no_grad, enable_grad, set_grad_enabled, inference_mode: context managers, decorators (with
and without parentheses), plain calls, nesting, exceptions, and thread-locality, compared with
torch where torch defines the answer.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

import zerograd

torch = pytest.importorskip("torch")
BOTH = pytest.mark.parametrize("m", [zerograd, torch], ids=["zerograd", "torch"])


@BOTH
def test_context_managers_nest(m: Any) -> None:
    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        y = x * 2
        assert not m.is_grad_enabled()
        with m.enable_grad():
            z = x * 2
            assert m.is_grad_enabled()
        w = x * 2
    assert m.is_grad_enabled()
    assert (y.requires_grad, z.requires_grad, w.requires_grad) == (False, True, False)
    assert y.grad_fn is None and z.grad_fn is not None


@BOTH
def test_modes_restore_after_exceptions(m: Any) -> None:
    with pytest.raises(ValueError), m.no_grad():
        raise ValueError
    assert m.is_grad_enabled()

    @m.no_grad()
    def boom() -> None:
        raise KeyError

    with pytest.raises(KeyError):
        boom()
    assert m.is_grad_enabled()


@BOTH
def test_decorators(m: Any) -> None:
    x = m.ones(2, requires_grad=True)

    @m.no_grad()
    def off(a: Any) -> Any:
        return a * 2

    @m.no_grad
    def bare_off(a: Any) -> Any:
        return a * 2

    @m.enable_grad()
    def on(a: Any) -> Any:
        return a * 2

    @m.enable_grad
    def bare_on(a: Any) -> Any:
        return a * 2

    @m.set_grad_enabled(False)
    def sge_off(a: Any) -> Any:
        return a * 2

    @m.inference_mode()
    def inference(a: Any) -> Any:
        return a * 2

    assert m.is_grad_enabled()  # decorating switched nothing
    assert not off(x).requires_grad and not bare_off(x).requires_grad
    assert not sge_off(x).requires_grad and not inference(x).requires_grad
    assert on(x).requires_grad and bare_on(x).requires_grad
    with m.no_grad():
        assert on(x).requires_grad and bare_on(x).requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    assert off.__name__ == "off" and bare_on.__name__ == "bare_on"  # functools.wraps


@BOTH
def test_set_grad_enabled_as_call_and_context(m: Any) -> None:
    x = m.ones(2, requires_grad=True)
    m.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        m.set_grad_enabled(True)
    with m.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with m.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with m.inference_mode():
        assert not (x * 2).requires_grad
    with m.inference_mode(False):
        assert (x * 2).requires_grad


@BOTH
def test_grad_mode_is_thread_local(m: Any) -> None:
    x = m.ones(2, requires_grad=True)
    seen: dict[str, bool] = {}
    inside = threading.Event()
    release = threading.Event()

    def worker() -> None:
        seen["worker starts enabled"] = m.is_grad_enabled()
        with m.no_grad():
            inside.set()
            release.wait(5)
            seen["worker no_grad"] = (x * 2).requires_grad

    with m.no_grad():  # the main thread's no_grad does not reach the new thread
        t = threading.Thread(target=worker)
        t.start()
    inside.wait(5)
    seen["main while worker in no_grad"] = (x * 2).requires_grad  # nor the other way round
    release.set()
    t.join()
    assert seen == {"worker starts enabled": True, "worker no_grad": False,
                    "main while worker in no_grad": True}


def test_no_grad_skips_the_graph_entirely() -> None:
    x = zerograd.ones(3, requires_grad=True)
    with zerograd.no_grad():
        y = (x * 2).exp().sum()
    assert y.grad_fn is None and not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    with zerograd.no_grad():
        x -= 0.1 * zerograd.ones(3)  # the d2l parameter update: allowed on a leaf here
    assert x.is_leaf and x.requires_grad and x._version == 1
