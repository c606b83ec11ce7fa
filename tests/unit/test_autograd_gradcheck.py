"""gradcheck and gradgradcheck themselves: the same functions (right and deliberately wrong
custom Functions) get the same verdict from zerograd's and torch's checkers, in slow and in fast
mode; the argument errors, warnings and options behave as torch documents them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import zerograd
from zerograd.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError  # noqa: E402


def kinds(m: Any) -> dict[str, Any]:
    """Functions of one float64 input, each with a backward that is right or wrong."""

    def fn(forward: Any, backward: Any) -> Any:
        class F(m.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                ctx.save_for_backward(x)
                return forward(x)

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                (x,) = ctx.saved_tensors
                return backward(x, g)

        return F.apply

    return {
        "right": fn(lambda x: x * x, lambda x, g: 2 * x * g),
        "scaled": fn(lambda x: x * x, lambda x, g: 3 * x * g),
        "transposed": fn(lambda x: x.cumsum(0), lambda x, g: g.cumsum(0)),
        "ignores_g": fn(lambda x: x * 2, lambda x, g: m.ones_like(x) * 2),
        "off_by_tiny": fn(lambda x: x * 3, lambda x, g: g * 3 + 1e-9),
        "random": fn(lambda x: x.sin(), lambda x, g: g * x.cos() * (1 + 0 * m.rand(1))),
        # right first derivative, second derivative lost: detach() cuts x out of the graph
        "flat_second": fn(lambda x: x.sin(), lambda x, g: g * x.detach().cos()),
    }


def verdict(m: Any, name: str, check: str, **kw: Any) -> str:
    x = m.tensor(np.array([0.3, -1.2, 2.0, 0.7, 1.1, -0.4]), requires_grad=True)
    f = kinds(m)[name]
    try:
        ok = getattr(m.autograd, check)(f, (x,), **kw)
    except (GradcheckError, TorchGradcheckError) as e:
        return "error: " + str(e).split("\n")[0].split(",")[0]
    return "ok" if ok else "false"


CASES = [(n, c, fast) for n in ("right", "scaled", "transposed", "ignores_g", "off_by_tiny",
                                "flat_second")
         for c in ("gradcheck", "gradgradcheck") for fast in (False, True)]


@pytest.mark.parametrize("name, check, fast", CASES)
def test_same_verdict_as_torch(name: str, check: str, fast: bool) -> None:
    ours = verdict(zerograd, name, check, fast_mode=fast)
    assert ours == verdict(torch, name, check, fast_mode=fast)
    # gradgradcheck checks backward's own derivatives, not that backward matches forward:
    # only `flat_second`, whose backward hides x from autograd, fails it.
    if check == "gradcheck":
        expected = "ok" if name in ("right", "flat_second") else "error"
    else:
        expected = "error" if name == "flat_second" else "ok"
    assert ours.startswith(expected), ours


def test_failures_name_output_input_and_both_jacobians() -> None:
    x = zerograd.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError) as e:
        zerograd.autograd.gradcheck(kinds(zerograd)["scaled"], (x,))
    msg = str(e.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,")
    assert "numerical:tensor([[2.0000, 0.0000],\n        [0.0000, 4.0000]], dtype=torch.float64)" \
        in msg
    assert "analytical:tensor([[3., 0.],\n        [0., 6.]], dtype=torch.float64)" in msg
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(GradcheckError, match="fast mode"):
        zerograd.autograd.gradcheck(kinds(zerograd)["scaled"], (x,), fast_mode=True)


def test_raise_exception_false_returns_false() -> None:
    x = zerograd.tensor(np.array([1.0, 2.0]), requires_grad=True)
    f = kinds(zerograd)["scaled"]
    assert zerograd.autograd.gradcheck(f, (x,), raise_exception=False) is False
    assert zerograd.autograd.gradgradcheck(kinds(zerograd)["flat_second"], (x,),
                                           raise_exception=False) is False
    assert zerograd.autograd.gradcheck(kinds(zerograd)["right"], x) is True  # a bare tensor


def test_nondeterministic_backward_is_reported() -> None:
    for m in (zerograd, torch):
        x = m.tensor(np.array([0.3, -1.2]), requires_grad=True)

        class Jitter(m.autograd.Function):
            calls = 0

            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                return x * 2

            @classmethod
            def backward(cls, ctx: Any, g: Any) -> Any:
                cls.calls += 1
                return g * (2 + cls.calls * 1e-9)  # within atol, but not reentrant

        with pytest.raises(Exception, match="Backward is not reentrant"):
            m.autograd.gradcheck(Jitter.apply, (x,))
        assert m.autograd.gradcheck(Jitter.apply, (x,), nondet_tol=1e-6)


def test_argument_errors_and_warnings() -> None:
    for m in (zerograd, torch):
        with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
            m.autograd.gradcheck(lambda t: t * 2, (m.ones(2, dtype=m.float64),))
        base = m.ones(1, dtype=m.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="stride 0"):
            m.autograd.gradcheck(lambda t: t * 2, (base.detach().expand(3).requires_grad_(),))
        x32 = m.tensor([0.5, 1.0], requires_grad=True)
        with pytest.warns(UserWarning, match="not a double precision"):
            m.autograd.gradcheck(lambda t: t * 2, (x32,), eps=1e-2, atol=1e-2)


def test_inputs_and_outputs_of_many_kinds() -> None:
    """Non-tensor inputs pass through; integer outputs are ignored; several outputs and inputs
    are each checked; an input that does not require grad is left alone."""
    a = zerograd.tensor(np.array([[0.2, 0.5], [1.5, -0.7]]), requires_grad=True)
    b = zerograd.tensor(np.array([0.3, 0.4]), requires_grad=True)
    c = zerograd.tensor(np.array([2.0, 3.0]))  # constant

    def f(a: Any, k: float, b: Any, c: Any) -> Any:
        values, idx = (a * k + b * c).max(1)
        return values, idx, (a @ b).exp()

    assert zerograd.autograd.gradcheck(f, (a, 1.5, b, c))
    assert zerograd.autograd.gradcheck(f, (a, 1.5, b, c), fast_mode=True)
    assert zerograd.autograd.gradgradcheck(f, (a, 1.5, b, c))
    assert zerograd.autograd.gradgradcheck(f, (a, 1.5, b, c), gen_non_contig_grad_outputs=True)
    g = [zerograd.tensor(np.array([1.0, -1.0])), zerograd.tensor(np.array([0.5, 2.0]))]
    assert zerograd.autograd.gradgradcheck(lambda a, b: ((a * b).sum(1), (a - b).prod(1)),
                                           (a, b), grad_outputs=g)


def test_non_contiguous_inputs_are_perturbed_in_place() -> None:
    base = zerograd.tensor(np.arange(12.0).reshape(3, 4) / 7)
    x = base.t().detach().requires_grad_()  # strides (1, 4): a non-contiguous leaf
    assert not x.is_contiguous()
    assert zerograd.autograd.gradcheck(lambda t: (t @ t.t()).tanh(), (x,))
    np.testing.assert_array_equal(base.numpy(), np.arange(12.0).reshape(3, 4) / 7)  # restored


def test_no_differentiable_output() -> None:
    """Outputs that do not require grad must then not depend on the inputs at all."""
    for m in (zerograd, torch):
        x = m.tensor(np.array([0.5, 1.5]), requires_grad=True)
        assert m.autograd.gradcheck(lambda t: (t > 10).double(), (x,))
        with pytest.raises(Exception, match="Numerical gradient for function expected to be zero"):
            m.autograd.gradcheck(lambda t: t.detach() * 2, (x,))


def test_check_grad_dtypes() -> None:
    class Wrong(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return (g * 2).float()  # the engine casts it back for .grad, but gradcheck can tell

    x = zerograd.tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert zerograd.autograd.gradcheck(Wrong.apply, (x,), atol=1e-6)
    assert zerograd.autograd.gradcheck(Wrong.apply, (x,), check_grad_dtypes=True)


def test_backward_must_multiply_by_grad_output() -> None:
    x = zerograd.tensor(np.array([0.5, 1.5]), requires_grad=True)
    # Right Jacobian for a unit cotangent, but ignores it: only the zero-cotangent check sees it.
    f = kinds(zerograd)["ignores_g"]
    with pytest.raises(GradcheckError):
        zerograd.autograd.gradcheck(f, (x,))


def test_forward_mode_check_when_available() -> None:
    pytest.importorskip("zerograd.autograd.forward_ad")
    x = zerograd.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)

    def f(t: Any) -> Any:
        return (t.sin() * t).cumsum(0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert zerograd.autograd.gradcheck(f, (x,), check_forward_ad=True)
        assert zerograd.autograd.gradcheck(f, (x,), check_forward_ad=True, fast_mode=True)
