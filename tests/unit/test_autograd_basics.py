"""What a learner does with autograd, each case run on zerograd and on torch and compared.

requires_grad / requires_grad_ / is_leaf, grad_fn as printed and its next_functions,
retain_grad, hooks, backward(gradient), accumulation, retain_graph, create_graph (gradients
of gradients), autograd.grad's options, detach / detach_ / .data, Python control flow, the
notes' worked example, and the dtype and shape of every gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


def assert_like(z: Any, t: Any, where: str = "result") -> None:
    """z (zerograd) is like t (torch): same structure; tensors with the same repr, dtype,
    shape, flags and values (to float32 rounding); other values equal."""
    if isinstance(t, torch.Tensor):
        assert isinstance(z, zerograd.Tensor), f"{where}: {z!r} is not a tensor"
        assert (str(z.dtype), tuple(z.shape), z.requires_grad, z.is_leaf) == (
            str(t.dtype), tuple(t.shape), t.requires_grad, t.is_leaf), where
        assert repr(z) == repr(t), where
        np.testing.assert_allclose(z.detach().numpy().astype(float),
                                   t.detach().numpy().astype(float), rtol=1e-6, atol=1e-6,
                                   err_msg=where)
    elif isinstance(t, (list, tuple)):
        assert isinstance(z, (list, tuple)) and len(z) == len(t), f"{where}: {z!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(z, t)):
            assert_like(a, b, f"{where}[{i}]")
    elif isinstance(t, torch.dtype):
        assert str(z) == str(t), where
    elif isinstance(t, float):
        assert z == pytest.approx(t, rel=1e-6), where
    else:
        assert z == t, f"{where}: {z!r} != {t!r}"


def same(fn: Callable[[Any], Any]) -> Any:
    """fn(m) for m = zerograd and torch must give like results; returns zerograd's."""
    z, t = fn(zerograd), fn(torch)
    assert_like(z, t)
    return z


def edges(node: Any) -> list[Any]:
    """next_functions as names: [(name, output_nr), ...]."""
    return [(f.name() if f is not None else None, n) for f, n in node.next_functions]


# --- leaves, requires_grad, grad_fn ------------------------------------------------------------


def test_requires_grad_and_leaves() -> None:
    def case(m: Any) -> Any:
        x = m.arange(4.0, requires_grad=True)
        c = m.ones(2)
        r = c.requires_grad_()
        y = x * 2
        return (x.requires_grad, x.is_leaf, x.grad_fn, x.grad, c.requires_grad, r is c,
                y.requires_grad, y.is_leaf, m.ones(2).requires_grad, (c * 1).requires_grad_(),
                c.requires_grad_(False).requires_grad)

    same(case)


def test_grad_fn_printing_and_next_functions() -> None:
    def case(m: Any) -> Any:
        x = m.arange(4.0, requires_grad=True)
        w = m.ones(4, requires_grad=True)
        y = 2 * m.dot(x, x)
        z = (x * w + 1).relu().sum()
        v = x.reshape(2, 2).t()[0]
        return (repr(y), y.grad_fn.name(), edges(y.grad_fn), edges(y.grad_fn.next_functions[0][0]),
                repr(z), edges(z.grad_fn), edges(z.grad_fn.next_functions[0][0]),
                edges(z.grad_fn.next_functions[0][0].next_functions[0][0]), repr(v),
                edges(v.grad_fn), repr(x.mean()), repr(x.max()), repr(x @ w), repr(x[1:] / 3))

    same(case)


def test_the_notes_dot_example() -> None:
    def case(m: Any) -> Any:
        x = m.arange(4.0, requires_grad=True)
        y = 2 * m.dot(x, x)
        y.backward()
        first = x.grad.clone()
        x.grad.zero_()
        x.sum().backward()
        second = x.grad.clone()
        x.grad.zero_()
        (x * x).sum().backward()  # the notes' non-scalar y, reduced
        return y, first, second, x.grad, x.grad == 2 * x

    same(case)


def test_worked_example_gradient() -> None:
    """f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (2, 5): ∂f/∂x1 = 1/2 + 5, ∂f/∂x2 = 2 − cos 5.

    (The notes' reverse-mode paragraph has 2.283 for ∂f/∂x2, an arithmetic slip: cos 5 is
    +0.2837, so the value is 1.7163, as its forward-mode paragraph says.)
    """
    x1 = zerograd.tensor(2.0, dtype=zerograd.float64, requires_grad=True)
    x2 = zerograd.tensor(5.0, dtype=zerograd.float64, requires_grad=True)
    f = zerograd.log(x1) + x1 * x2 - zerograd.sin(x2)
    f.backward()
    assert f.item() == pytest.approx(math.log(2) + 10 - math.sin(5), abs=1e-12)
    assert x1.grad.item() == pytest.approx(5.5, abs=1e-12)
    assert x2.grad.item() == pytest.approx(2 - math.cos(5), abs=1e-12)
    assert x2.grad.item() == pytest.approx(1.7163, abs=5e-5)
    assert x2.grad.item() != pytest.approx(2.283, abs=1e-2)


# --- retain_grad, hooks -------------------------------------------------------------------------


def test_retain_grad() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * 3
        b.retain_grad()
        b.retain_grad()  # twice is harmless
        c = b * b
        (c.sum() + b.sum()).backward()
        return b.grad, a.grad, b.retains_grad, a.retains_grad, c.retains_grad, c.grad

    same(case)


def test_hooks_on_leaves_and_non_leaves() -> None:
    def case(m: Any) -> Any:
        seen: list[Any] = []
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * 3
        hb = b.register_hook(lambda g: g * 10)  # replaces b's gradient
        hs = b.register_hook(lambda g: seen.append(g.clone()))  # sees the replaced one
        ha = a.register_hook(lambda g: g + 1)  # changes what reaches a.grad
        (b * b).sum().backward()
        first = a.grad.clone()
        hb.remove()
        hs.remove()
        ha.remove()
        ha.remove()  # removing twice is harmless
        a.grad = None
        b = a * 3
        (b * b).sum().backward()
        return first, a.grad, seen

    same(case)


def test_hook_on_retained_grad_sees_hooked_value() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, -1.0], requires_grad=True)
        b = a.exp()
        b.retain_grad()
        b.register_hook(lambda g: g * 2)
        b.sum().backward()
        return b.grad, a.grad

    same(case)


def test_register_hook_needs_requires_grad() -> None:
    for m in (zerograd, torch):
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            m.ones(2).register_hook(lambda g: g)


# --- backward: gradient, accumulation, retain_graph, create_graph -------------------------------


def test_backward_with_gradient_and_accumulation() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = a * a
        y.backward(m.tensor([1.0, 0.1, 0.01]))
        once = a.grad.clone()
        grad_id = id(a.grad)
        y = (a * a).sum()
        y.backward(retain_graph=True)
        y.backward()  # accumulates into the same .grad tensor
        kept = id(a.grad) == grad_id
        total = a.grad.clone()
        a.grad.zero_()
        (a ** 3).sum().backward()
        s = m.tensor(2.0, requires_grad=True)
        (s * s).backward(m.tensor(3.0))
        return once, kept, total, a.grad, s.grad

    same(case)


def test_create_graph_gives_gradients_of_gradients() -> None:
    def case(m: Any) -> Any:
        a = m.tensor(3.0, requires_grad=True)
        y = a ** 3
        (g,) = m.autograd.grad(y, a, create_graph=True)
        (gg,) = m.autograd.grad(g, a, create_graph=True)
        (ggg,) = m.autograd.grad(gg, a)
        x = m.tensor([0.5, 1.5], requires_grad=True)
        (gx,) = m.autograd.grad((x.sin() * x).sum(), x, create_graph=True)
        (hx,) = m.autograd.grad(gx.sum(), x)
        b = m.tensor(2.0, requires_grad=True)
        (b ** 4).backward(create_graph=True)
        first = b.grad.detach().clone()
        grad_b = b.grad
        b.grad = None
        grad_b.backward()
        return g, gg, ggg, gx, hx, first, b.grad, g.requires_grad, gg.requires_grad

    same(case)


def test_autograd_grad_options() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0], requires_grad=True)
        out: list[Any] = []
        out.append(m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True))
        out.append(m.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True))
        out.append(m.autograd.grad(a * 2, a, grad_outputs=m.tensor([1.0, -1.0])))
        out.append(m.autograd.grad([a * 2, a * a], [a], grad_outputs=[m.ones(2), m.ones(2)]))
        out.append(m.autograd.grad((a * b).sum(), (b, a, b)))  # repeated inputs
        y = (a * a).sum()
        out.append(m.autograd.grad(y, a, retain_graph=True))
        out.append(m.autograd.grad(y, a))
        out.append(a.grad)  # autograd.grad never touches .grad
        c = a * 2
        d = (c * c).sum()
        out.append(m.autograd.grad(d, c))  # with respect to a non-leaf
        return out

    same(case)


def test_backward_inputs_restricts_accumulation() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad

    same(case)


# --- detach, detach_, .data ---------------------------------------------------------------------


def test_detach_shares_storage_and_version() -> None:
    def case(m: Any) -> Any:
        x = m.arange(4.0, requires_grad=True)
        y = x * x
        u = y.detach()  # the notes: u only keeps y's values
        z = u * x
        z.sum().backward()
        grad_u = x.grad.clone()
        x.grad.zero_()
        y.sum().backward()
        d = x.detach()
        d[0] = 7.0  # shares storage and version counter with x
        return u, grad_u, x.grad, x, x._version, d.requires_grad, d.is_leaf

    same(case)


def test_detach_in_place() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        r = b.detach_()
        c = b * 3
        return r is b, b, b.requires_grad, b.is_leaf, b.grad_fn, c.requires_grad

    same(case)


def test_data_has_its_own_version_counter() -> None:
    def case(m: Any) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * a  # saves a
        a.data.mul_(3)  # invisible to autograd: no version error, the stale value is used
        b.sum().backward()
        d = a.data
        d[0] = 5.0
        a.data = m.tensor([9.0, 9.0])
        return a.grad, a._version, d.requires_grad, a, a.requires_grad

    same(case)


# --- control flow, dtypes and shapes -------------------------------------------------------------


def test_control_flow_of_the_notes() -> None:
    def f(m: Any, a: Any) -> Any:
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    for value in (0.7, -0.3, 1e-3):
        def case(m: Any, value: float = value) -> Any:
            a = m.tensor(value, requires_grad=True)
            d = f(m, a)
            d.backward()
            return a.grad, a.grad == d / a

        z = same(case)
        assert z[1].item()


@pytest.mark.parametrize("dt_leaf, dt_other", [("float32", "float64"), ("float64", "float32"),
                                               ("float16", "float32")])
def test_gradient_dtype_and_shape_are_the_leafs(dt_leaf: str, dt_other: str) -> None:
    def case(m: Any) -> Any:
        x = m.ones(3, 1, dtype=getattr(m, dt_leaf), requires_grad=True)
        w = m.full((4,), 0.5, dtype=getattr(m, dt_other), requires_grad=True)
        s = m.tensor(2.0, dtype=getattr(m, dt_other), requires_grad=True)
        y = (x * w * s).sum()  # broadcast to (3, 4), promoted
        y.backward()
        return y.dtype, x.grad, w.grad, s.grad

    z = same(case)
    assert z[1].dtype == getattr(zerograd, dt_leaf) and z[1].shape == (3, 1)


def test_integer_operand_gets_no_gradient() -> None:
    def case(m: Any) -> Any:
        x = m.tensor([1.5, 2.5], requires_grad=True)
        k = m.tensor([2, 3])
        y = (x * k + k).sum()
        y.backward()
        return x.grad, k.grad, y.dtype

    same(case)


def test_gradient_through_view_chain_matches_numpy() -> None:
    """Views of views: reshape, transpose, slice with step, select; the gradient lands in the
    right elements (checked against a NumPy scatter, independent of torch)."""
    x = zerograd.arange(24.0, requires_grad=True)
    v = x.reshape(2, 3, 4).transpose(0, 2)[1:, ::2, 1]
    g = np.arange(1.0, 1.0 + v.numel()).reshape(tuple(v.shape))
    v.backward(zerograd.tensor(g, dtype=zerograd.float32))
    expect = np.zeros(24)
    view = np.arange(24).reshape(2, 3, 4).transpose(2, 1, 0)[1:, ::2, 1]
    np.add.at(expect, view.ravel(), g.ravel())
    np.testing.assert_array_equal(x.grad.numpy(), expect)
