"""Every misuse the autograd issue lists raises PyTorch's exception class, with a message that
says what is wrong (and zerograd's says at least what torch's does); anomaly detection names
the forward op that produced a NaN gradient and where it was called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import zerograd

torch = pytest.importorskip("torch")


def raises_like_torch(case: Callable[[Any], Any], *fragments: str) -> str:
    """case(m) raises the same class for torch and zerograd; zerograd's message contains the
    fragments (torch's own wording included). Returns zerograd's message."""
    with pytest.raises(Exception) as t:
        case(torch)
    with pytest.raises(type(t.value)) as z:
        case(zerograd)
    assert type(z.value) is type(t.value)
    msg = str(z.value)
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
    return msg


def test_backward_on_non_scalar_needs_gradient() -> None:
    def case(m: Any) -> None:
        x = m.arange(4.0, requires_grad=True)
        y = 2 * x * x  # the notes' example: y is a vector
        y.backward()

    msg = raises_like_torch(case, "grad can be implicitly created only for scalar outputs")
    assert "sum()" in msg  # and says how to fix it


def test_second_backward_through_freed_graph() -> None:
    def case(m: Any) -> None:
        x = m.ones(3, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()

    raises_like_torch(case, "Trying to backward through the graph a second time",
                      "retain_graph=True")


def test_retain_graph_allows_a_second_backward() -> None:
    for m in (zerograd, torch):
        x = m.ones(3, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert x.grad.tolist() == pytest.approx([4 * 2.718281828] * 3, rel=1e-6)


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([1, 2], requires_grad=True),
    lambda m: m.tensor([1, 2]).requires_grad_(),
    lambda m: m.arange(3, requires_grad=True),
    lambda m: m.tensor([True]).requires_grad_(True),
])
def test_requires_grad_on_integer_tensor(make: Callable[[Any], Any]) -> None:
    raises_like_torch(make, "floating point")


def test_in_place_on_a_leaf_that_requires_grad() -> None:
    raises_like_torch(lambda m: m.ones(2, requires_grad=True).add_(1),
                      "a leaf Variable that requires grad is being used in an in-place operation")
    raises_like_torch(lambda m: m.ones(2, requires_grad=True).zero_(), "leaf Variable")

    def view(m: Any) -> None:
        x = m.ones(2, 3, requires_grad=True)
        x[0].mul_(2)

    raises_like_torch(view, "view of a leaf Variable that requires grad")

    def iadd(m: Any) -> None:
        w = m.ones(2, requires_grad=True)
        w += 1

    raises_like_torch(iadd, "leaf Variable")


def test_modified_saved_tensor_is_detected() -> None:
    def saved_input(m: Any) -> None:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = b * b  # MulBackward0 saves b
        b.add_(1)
        c.sum().backward()

    msg = raises_like_torch(saved_input, "one of the variables needed for gradient computation "
                            "has been modified by an inplace operation",
                            "[torch.FloatTensor [2]]", "is at version 1; expected version 0")
    assert "MulBackward0" in msg and "clone" in msg  # which op saved it, and the fix

    def saved_output(m: Any) -> None:
        a = m.tensor([1.0, 2.0], requires_grad=True)
        c = a.exp()  # ExpBackward0 saves its output
        c.add_(1)
        c.sum().backward()

    msg = raises_like_torch(saved_output, "modified by an inplace operation",
                            "output 0 of Exp", "is at version 1; expected version 0")
    assert "ExpBackward0" in msg

    def through_a_view(m: Any) -> None:
        a = m.ones(2, 2, requires_grad=True)
        b = a.sigmoid()
        c = b * 2  # saves nothing of b
        d = b.tanh()  # saves its output
        d[0, 0] = 0.0
        (c.sum() + d.sum()).backward()

    raises_like_torch(through_a_view, "modified by an inplace operation")


def test_unmodified_saved_tensors_and_version_counters() -> None:
    for m in (zerograd, torch):
        a = m.ones(2, 3)
        v = a[0]
        assert (a._version, v._version) == (0, 0)
        v.add_(1)  # a view shares its base's version counter
        a.mul_(2)
        assert (a._version, v._version) == (2, 2)
        assert a.detach()._version == 2


def test_numpy_on_a_tensor_that_requires_grad() -> None:
    msg = raises_like_torch(lambda m: m.ones(2, requires_grad=True).numpy(),
                            "Can't call numpy() on Tensor that requires grad")
    assert ".detach().numpy()" in msg
    x = zerograd.ones(2, requires_grad=True)
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_other_misuses() -> None:
    raises_like_torch(lambda m: m.ones(2).sum().backward(),
                      "does not require grad and does not have a grad_fn")
    raises_like_torch(lambda m: (m.ones(2, requires_grad=True) * 2).backward(m.ones(3)),
                      "Mismatch in shape")
    raises_like_torch(lambda m: (m.ones(2, requires_grad=True) * 2).requires_grad_(False),
                      "you can only change requires_grad flags of leaf variables")
    raises_like_torch(lambda m: m.autograd.grad((m.ones(2, requires_grad=True) * 2).sum(),
                                                [m.ones(1, requires_grad=True)]),
                      "appears to not have been used in the graph", "allow_unused=True")
    raises_like_torch(lambda m: m.autograd.grad((m.ones(2, requires_grad=True) * 2).sum(),
                                                [m.ones(1)]), "does not require grad")
    raises_like_torch(lambda m: m.ones(2).register_hook(lambda g: g),
                      "cannot register a hook on a tensor that doesn't require gradient")

    def deepcopy_non_leaf(m: Any) -> None:
        import copy

        copy.deepcopy(m.ones(2, requires_grad=True) * 2)

    raises_like_torch(deepcopy_non_leaf, "Only Tensors created explicitly by the user")


# --- anomaly detection ---------------------------------------------------------------------------


def _nan_from_sqrt(m: Any) -> None:
    x = m.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt()  # the culprit: d sqrt(x)/dx = inf at 0, and inf * 0 = nan
    z = y * 0
    z.sum().backward()


def test_anomaly_detection_names_the_forward_op() -> None:
    with zerograd.autograd.detect_anomaly(), torch.autograd.detect_anomaly():
        msg = raises_like_torch(_nan_from_sqrt, "Function 'SqrtBackward0' returned nan values "
                                "in its 0th output.")
    assert "y = x.sqrt()" in msg and "_nan_from_sqrt" in msg  # where the forward op ran
    assert not zerograd.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_and_default_off() -> None:
    _nan_from_sqrt(zerograd)  # without anomaly detection a NaN gradient is just stored
    zerograd.autograd.set_detect_anomaly(True)
    try:
        assert zerograd.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            _nan_from_sqrt(zerograd)
    finally:
        zerograd.autograd.set_detect_anomaly(False)
    with zerograd.autograd.detect_anomaly(check_nan=False):
        _nan_from_sqrt(zerograd)  # check_nan=False: records traces, raises nothing


def test_anomaly_detection_ignores_finite_backward() -> None:
    for m in (zerograd, torch):
        with m.autograd.detect_anomaly():
            x = m.tensor([-1.0, 1.0], requires_grad=True)
            x.log().sum().backward()  # the forward made a NaN, the gradient is finite
            assert x.grad.tolist() == [-1.0, 1.0]
