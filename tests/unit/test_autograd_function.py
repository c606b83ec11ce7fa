"""Custom autograd.Function: forward/backward with ctx, save_for_backward and saved_tensors,
needs_input_grad, mark_non_differentiable, non-tensor arguments, returning an input as is,
materialize_grads, second order, and the errors for wrong backward results. Every class is
defined once, for either library, and the two runs are compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


def edges(node: Any) -> list[Any]:
    return [(f.name() if f is not None else None, n) for f, n in node.next_functions]


def values(*ts: Any) -> list[Any]:
    return [None if t is None else (str(t.dtype), t.detach().numpy().round(5).tolist())
            for t in ts]


def functions(m: Any) -> dict[str, Any]:
    """The custom Functions under test, written against module m."""

    class ScaledExp(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, k: float) -> Any:
            y = x.exp() * k
            ctx.save_for_backward(y)
            ctx.k = k  # arbitrary attributes ride along
            ctx.forward_needs = ctx.needs_input_grad
            return y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (y,) = ctx.saved_tensors
            return g * y, None

    class Mul(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            a, b = ctx.saved_tensors
            calls.append(ctx.needs_input_grad)
            return (g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None)

    class SortValues(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i

        @staticmethod
        def backward(ctx: Any, gv: Any, gi: Any) -> Any:
            (i,) = ctx.saved_tensors
            calls.append(gi)
            g = m.zeros_like(gv)
            g[i] = gv
            return g

    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2

    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class TwoOut(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.set_materialize_grads(materialize[0])
            return x * 2, x * 3

        @staticmethod
        def backward(ctx: Any, g1: Any, g2: Any) -> Any:
            calls.append((g1 is None, g2 is None))
            total = 0
            if g1 is not None:
                total = total + 2 * g1
            if g2 is not None:
                total = total + 3 * g2
            return total

    calls: list[Any] = []
    materialize = [True]
    return dict(locals())


def run_both(case: Any) -> tuple[Any, Any]:
    return case(zerograd, functions(zerograd)), case(torch, functions(torch))


def test_save_for_backward_and_non_tensor_arguments() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        x = m.tensor([0.0, 1.0], requires_grad=True)
        y = f["ScaledExp"].apply(x, 2.0)
        names = (repr(y), y.grad_fn.name(), edges(y.grad_fn), y.grad_fn.k,
                 y.grad_fn.forward_needs)
        (y * m.tensor([1.0, -1.0])).sum().backward()
        return names, values(x.grad)

    z, t = run_both(case)
    assert z == t


def test_needs_input_grad() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0])
        f["Mul"].apply(a, b).sum().backward()
        c = m.tensor([5.0, 6.0], requires_grad=True)
        f["Mul"].apply(b, c).sum().backward()
        return values(a.grad, b.grad, c.grad), f["calls"]

    z, t = run_both(case)
    assert z == t
    assert z[1] == [(True, False), (False, True)]


def test_mark_non_differentiable() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        x = m.tensor([3.0, 1.0, 2.0], requires_grad=True)
        v, i = f["SortValues"].apply(x)
        flags = (repr(v), repr(i), v.requires_grad, i.requires_grad, i.grad_fn is None)
        (v * m.tensor([1.0, 10.0, 100.0])).sum().backward()
        return flags, values(x.grad), values(*f["calls"])

    z, t = run_both(case)
    assert z == t


def test_returning_an_input_as_is() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = f["Identity"].apply(x)
        facts = (y is x, y.grad_fn.name(), y._base is x, y.data_ptr() == x.data_ptr())
        y.sum().backward()
        return facts, values(x.grad)

    z, t = run_both(case)
    assert z == t
    assert z[0][0] is False  # a new tensor object whose grad_fn is the custom node


def test_second_order_through_a_custom_function() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        x = m.tensor(3.0, requires_grad=True)
        (g,) = m.autograd.grad(f["Square"].apply(x), x, create_graph=True)
        (gg,) = m.autograd.grad(g, x)
        return values(g, gg), repr(g)

    z, t = run_both(case)
    assert z == t


@pytest.mark.parametrize("materialize", [True, False])
def test_materialize_grads(materialize: bool) -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        f["materialize"][0] = materialize
        x = m.tensor([1.0, 2.0], requires_grad=True)
        a, b = f["TwoOut"].apply(x)
        a.sum().backward()  # b gets no gradient: zeros, or None without materializing
        return values(x.grad), f["calls"]

    z, t = run_both(case)
    assert z == t
    assert z[1] == [(False, not materialize)]


def test_no_graph_when_nothing_requires_grad() -> None:
    def case(m: Any, f: dict[str, Any]) -> Any:
        y = f["Square"].apply(m.tensor([2.0]))
        with m.no_grad():
            w = f["Square"].apply(m.tensor([2.0], requires_grad=True))
        return y.requires_grad, y.grad_fn is None, w.requires_grad

    z, t = run_both(case)
    assert z == t == (False, True, False)


def bad_functions(m: Any) -> dict[str, Any]:
    class TooFew(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any) -> Any:
            return x + y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    class TooMany(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g

    class GradForNumber(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, k: float) -> Any:
            return x * k

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g

    class WrongShape(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x.sum()

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return m.ones(5)

    class SavesInput(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * x

    return dict(locals())


@pytest.mark.parametrize("name, call, message", [
    ("TooFew", lambda m, F, x: F.apply(x, x), "incorrect number of gradients"),
    ("TooMany", lambda m, F, x: F.apply(x), "incorrect number of gradients"),
    ("GradForNumber", lambda m, F, x: F.apply(x, 2.0), "different than None at position 2"),
    ("WrongShape", lambda m, F, x: F.apply(x), "invalid gradient at index 0"),
])
def test_wrong_backward_results_raise(name: str, call: Any, message: str) -> None:
    for m in (zerograd, torch):
        x = m.ones(3, requires_grad=True)
        out = call(m, bad_functions(m)[name], x)
        with pytest.raises(RuntimeError, match=message):
            out.sum().backward()


def test_saved_tensor_modified_in_place_raises() -> None:
    for m in (zerograd, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        z = x * 1
        y = bad_functions(m)["SavesInput"].apply(z)
        z.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_gradcheck_of_a_custom_function() -> None:
    f = functions(zerograd)
    x = zerograd.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert zerograd.autograd.gradcheck(lambda t: f["ScaledExp"].apply(t, 1.5), (x,))
    assert zerograd.autograd.gradgradcheck(f["Square"].apply, (x,))
