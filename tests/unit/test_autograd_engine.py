"""Engine properties: no recursion (a 100,000-op chain), saved tensors released after backward
(weak references die by reference counting alone, the garbage collector switched off),
deterministic order (hooks fire as in torch, run after run), concurrent backward in threads,
and the engine's own errors.
"""

from __future__ import annotations

import gc
import sys
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Only reference counting may free objects: a reference cycle would keep them alive."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --- no recursion -------------------------------------------------------------------------------


def test_backward_through_a_100000_op_chain() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # a recursive sweep would need 100,000 frames
    try:
        x = zerograd.tensor(1.0, dtype=zerograd.float64, requires_grad=True)
        y = x
        for i in range(100_000):
            y = y * 1.0 if i % 2 else y + 0.0
        y.backward(retain_graph=True)
        assert x.grad.item() == 1.0
        (g,) = zerograd.autograd.grad(y * 3, x)
        assert g.item() == 3.0
        del y  # freeing the long graph must not recurse either
    finally:
        sys.setrecursionlimit(limit)


def test_deep_second_order_chain() -> None:
    x = zerograd.tensor(0.5, dtype=zerograd.float64, requires_grad=True)
    y = x
    for _ in range(2_000):
        y = y.sin()
    (g,) = zerograd.autograd.grad(y, x, create_graph=True)
    (gg,) = zerograd.autograd.grad(g, x)
    xt = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    yt = xt
    for _ in range(2_000):
        yt = yt.sin()
    (gt,) = torch.autograd.grad(yt, xt, create_graph=True)
    (ggt,) = torch.autograd.grad(gt, xt)
    assert g.item() == pytest.approx(gt.item(), rel=1e-9)
    assert gg.item() == pytest.approx(ggt.item(), rel=1e-9)


# --- memory ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_gc")
def test_saved_tensors_are_released_after_backward() -> None:
    x = zerograd.randn(3, requires_grad=True)
    a = x * 2  # saved by the sigmoid's and the product's nodes
    b = a.sigmoid()  # saves its output
    h = b.exp()
    loss = (b * a * h).sum()
    refs = [weakref.ref(t) for t in (a, b, h)]
    del a, b, h
    assert all(r() is not None for r in refs)  # the graph still needs them
    loss.backward()
    assert all(r() is None for r in refs)  # freed, though `loss` and its graph live on
    assert loss.grad_fn is not None
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


@pytest.mark.usefixtures("no_gc")
def test_retain_graph_keeps_saved_tensors_until_the_graph_goes() -> None:
    x = zerograd.randn(3, requires_grad=True)
    a = x.tanh()
    loss = (a * a).sum()
    ref = weakref.ref(a)
    del a
    loss.backward(retain_graph=True)
    assert ref() is not None
    loss.backward()
    assert ref() is None


@pytest.mark.usefixtures("no_gc")
def test_dropping_the_output_frees_the_graph() -> None:
    x = zerograd.randn(4, requires_grad=True)
    h = x.exp()
    out = (h * x).sum()
    refs = [weakref.ref(h), weakref.ref(out.grad_fn)]
    acc = out.grad_fn.next_functions[0][0].next_functions[0][0]  # the leaf's AccumulateGrad
    acc_ref = weakref.ref(acc)
    del h, out, acc
    assert all(r() is None for r in refs) and acc_ref() is None  # no cycle kept them
    assert x.requires_grad and x.grad is None


@pytest.mark.usefixtures("no_gc")
def test_autograd_grad_releases_too() -> None:
    x = zerograd.randn(3, requires_grad=True)
    h = x.sin()
    y = (h * h).sum()
    ref = weakref.ref(h)
    del h
    zerograd.autograd.grad(y, x)
    assert ref() is None


# --- order ----------------------------------------------------------------------------------------


def _hook_order(m: Any) -> list[str]:
    order: list[str] = []

    def tag(t: Any, name: str) -> Any:
        t.register_hook(lambda g: order.append(name))
        return t

    x = tag(m.tensor([1.0, 2.0], requires_grad=True), "x")
    w = tag(m.tensor([0.5, -1.0], requires_grad=True), "w")
    a = tag(x * 2, "a")
    b = tag(x + w, "b")
    c = tag(a * b, "c")
    d = tag(a.exp(), "d")
    e = tag(c + d, "e")
    f = tag(b.sin(), "f")
    g = tag(m.stack([e, f, a]), "g")
    (g.sum() + f.sum() * w.sum()).backward()
    return order


def test_hooks_fire_in_torchs_order_every_time() -> None:
    expected = _hook_order(torch)
    assert _hook_order(zerograd) == expected
    assert all(_hook_order(zerograd) == expected for _ in range(3))


def test_gradients_reach_leaves_in_a_dependency_respecting_order() -> None:
    """A node runs only after every consumer of its output has delivered its gradient."""
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    seen: list[str] = []
    a = x * 3
    a.register_hook(lambda g: seen.append("a"))
    b = a * a
    b.register_hook(lambda g: seen.append("b"))
    c = a + b  # a feeds c directly and through b: a's hook must come after b's
    c.register_hook(lambda g: seen.append("c"))
    c.sum().backward()
    assert seen == ["c", "b", "a"]
    np.testing.assert_allclose(x.grad.numpy(), 3 * (1 + 2 * 3 * np.array([1.0, 2.0])))


# --- threads --------------------------------------------------------------------------------------


def _train(seed: int, barrier: threading.Barrier | None) -> Any:
    rng = np.random.default_rng(seed)
    w = zerograd.tensor(rng.standard_normal((40, 40)), requires_grad=True)
    v = zerograd.tensor(rng.standard_normal(40), requires_grad=True)
    if barrier is not None:
        barrier.wait(10)
    for _ in range(40):
        loss = ((w @ v).tanh() * (w.t() @ v).sigmoid()).sum()
        loss.backward()
    return w.grad.numpy().copy(), v.grad.numpy().copy()


def test_two_threads_run_backward_at_the_same_time() -> None:
    n = 3
    barrier = threading.Barrier(n)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        try:
            results[seed] = _train(seed, barrier)
        except BaseException as e:  # re-raised below: a thread's exception is otherwise lost
            errors.append(e)

    threads = [threading.Thread(target=run, args=(s,)) for s in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for s in range(n):
        serial = _train(s, None)
        np.testing.assert_array_equal(results[s][0], serial[0])
        np.testing.assert_array_equal(results[s][1], serial[1])


def test_backward_in_a_thread_leaves_the_callers_grad_mode_alone() -> None:
    x = zerograd.ones(2, requires_grad=True)
    y = (x * x).sum()
    t = threading.Thread(target=lambda: y.backward(create_graph=False))
    t.start()
    t.join()
    assert zerograd.is_grad_enabled()
    assert x.grad.tolist() == [2.0, 2.0]


# --- the engine's own checks ------------------------------------------------------------------


def test_rules_run_without_recording_unless_create_graph() -> None:
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    (g,) = zerograd.autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None
    (g,) = zerograd.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None


def test_accumulated_grad_is_not_aliased() -> None:
    """Gradients that reach two leaves from one array must not share storage."""
    for m in (zerograd, torch):
        a = m.ones(3, requires_grad=True)
        b = m.ones(3, requires_grad=True)
        (a + b).sum().backward()
        a.grad.add_(1)
        assert b.grad.tolist() == [1.0, 1.0, 1.0]
        g = m.ones(3)
        c = m.ones(3, requires_grad=True)
        (c * 1).backward(g)
        c.grad.mul_(5)
        assert g.tolist() == [1.0, 1.0, 1.0]  # the user's gradient was not taken over
