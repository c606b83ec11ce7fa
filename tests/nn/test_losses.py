"""Every loss against torch: values and input gradients (random cotangent for 'none') for
each reduction, class weights, ignore_index, label smoothing, probability targets, extreme
logits, float64, and the exception classes and messages for bad targets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import zerograd
from zerograd import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

REDUCTIONS = ["none", "mean", "sum"]


def run(make, x, target, dtype="f4", rtol=1e-5, atol=1e-6, **kw):
    """Apply the same loss module to the same data in both libraries; compare value and grads."""
    x = np.asarray(x, dtype=dtype)
    zx, tx = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zt, tt = zerograd.tensor(target), torch.tensor(target)
    zl, tl = make(nn, zerograd, **kw), make(tnn, torch, **kw)
    assert repr(zl) == repr(tl)
    zy, ty = zl(zx, zt), tl(tx, tt)
    assert tuple(zy.shape) == tuple(ty.shape) and str(zy.dtype) == str(ty.dtype)
    np.testing.assert_allclose(zy.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(5).standard_normal(tuple(ty.shape)).astype(dtype)
    zy.backward(zerograd.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    return zy, ty


RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 4)).astype("f4")
Y = RNG.standard_normal((6, 4)).astype("f4")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("make", [
    lambda m, lib, **kw: m.MSELoss(**kw), lambda m, lib, **kw: m.L1Loss(**kw),
    lambda m, lib, **kw: m.HuberLoss(**kw), lambda m, lib, **kw: m.HuberLoss(delta=0.3, **kw),
    lambda m, lib, **kw: m.SmoothL1Loss(**kw),
    lambda m, lib, **kw: m.SmoothL1Loss(beta=0.5, **kw),
    lambda m, lib, **kw: m.SmoothL1Loss(beta=0.0, **kw),
])
@pytest.mark.parametrize("dtype", ["f4", "f8"])
def test_regression_losses(make, reduction, dtype):
    y = Y.astype(dtype)
    y[0, 0] = X[0, 0]  # a zero residual: the kinks of |d| must behave like torch's
    zy, ty = run(make, X, y, dtype=dtype, reduction=reduction)
    if reduction != "none" or "MSE" in repr(zy):
        assert zy.grad_fn.name() == ty.grad_fn.name()


def test_mse_broadcast_warning_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        nn.MSELoss()(zerograd.ones(3, 1), zerograd.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.MSELoss()(zerograd.ones(3, 1), zerograd.ones(3, 1))


CE_CASES = {
    "plain": ({}, (8, 5), 5),
    "weight": ({"weight": [0.2, 1.0, 3.0, 0.5, 1.5]}, (8, 5), 5),
    "ignore": ({"ignore_index": 2}, (8, 5), 5),
    "weight+ignore": ({"weight": [0.2, 1.0, 3.0, 0.5, 1.5], "ignore_index": 1}, (8, 5), 5),
    "smoothing": ({"label_smoothing": 0.1}, (8, 5), 5),
    "smoothing+weight+ignore": (
        {"label_smoothing": 0.2, "weight": [0.2, 1.0, 3.0, 0.5, 1.5], "ignore_index": 0},
        (8, 5), 5),
    "spatial": ({}, (3, 4, 2, 2), 4),
    "no batch": ({}, (5,), 5),
}


def _ce(lib_nn, lib, cls="CrossEntropyLoss", **kw):
    if "weight" in kw:
        kw["weight"] = lib.tensor(kw["weight"])
    return getattr(lib_nn, cls)(**kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_and_nll(case, reduction):
    kw, shape, n_classes = CE_CASES[case]
    rng = np.random.default_rng(len(case))
    x = rng.standard_normal(shape).astype("f4") * 3
    t_shape = (shape[0], *shape[2:]) if len(shape) > 1 else ()
    target = rng.integers(0, n_classes, t_shape)
    zy, ty = run(_ce, x, target, reduction=reduction, **kw)
    if "label_smoothing" not in kw:
        assert zy.grad_fn.name() == ty.grad_fn.name()
    if "label_smoothing" in kw:
        return
    logp = torch.log_softmax(torch.tensor(x), 0 if len(shape) == 1 else 1).numpy()
    run(lambda m, lib, **k: _ce(m, lib, "NLLLoss", **k), logp, target, reduction=reduction,
        **kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3},
                                {"weight": [1.0, 2.0, 0.5]}])
def test_cross_entropy_with_probability_targets(reduction, kw):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, 3)).astype("f4")
    p = rng.random((7, 3)).astype("f4")
    run(_ce, x, p / p.sum(1, keepdims=True), reduction=reduction, **kw)


def test_cross_entropy_extreme_logits_stay_finite():
    x = [[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [50.0, 50.0, 50.0]]
    zy, ty = run(_ce, x, np.array([1, 1, 2]), reduction="none")
    assert np.isfinite(zy.detach().numpy()).all() and np.isfinite(ty.detach().numpy()).all()
    run(_ce, x, np.array([0, 2, 1]), dtype="f8")


def test_cross_entropy_all_ignored_is_nan_like_torch():
    zy, ty = run(_ce, X, np.full(6, -100), reduction="mean")
    assert np.isnan(zy.item()) and np.isnan(ty.item())


@pytest.mark.parametrize("x, target", [
    (X, np.array([0, 5, 1, 1, 2, 3])),  # out of range
    (X, np.array([0, -1, 1, 1, 2, 3])),  # negative
    (X, np.array([0, 1, 2])),  # batch mismatch
    (X, np.arange(6).reshape(6, 1) % 4),  # (N, 1) targets
    (X, np.zeros(6, dtype="f4")),  # float targets of the wrong shape
    (X, np.zeros((6, 3), dtype="f4")),  # float targets of the wrong shape, 2-D
    (X, np.zeros(6, dtype="int32")),  # int32 targets
])
def test_cross_entropy_bad_targets_raise_like_torch(x, target):
    with pytest.raises(Exception) as t_err:
        tnn.CrossEntropyLoss()(torch.tensor(x), torch.tensor(target))
    with pytest.raises(t_err.type) as z_err:
        nn.CrossEntropyLoss()(zerograd.tensor(x), zerograd.tensor(target))
    assert str(z_err.value).startswith(str(t_err.value))


def test_cross_entropy_weight_of_wrong_size_and_bad_reduction():
    with pytest.raises(RuntimeError):
        nn.CrossEntropyLoss(weight=zerograd.ones(3))(zerograd.tensor(X), zerograd.zeros(6).long())
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        nn.functional.cross_entropy(zerograd.tensor(X), zerograd.zeros(6).long(),
                                    reduction="bad")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted):
    rng = np.random.default_rng(4)
    p = rng.random((5, 3)).astype("f4")
    p[0, 0], p[0, 1] = 1e-6, 1 - 1e-6
    t = (rng.random((5, 3)) > 0.5).astype("f4")
    t[1, 1] = 0.3  # soft labels are allowed

    def make(m, lib, **kw):
        return m.BCELoss(weight=lib.tensor([0.5, 1.0, 2.0]) if weighted else None, **kw)

    zy, ty = run(make, p, t, reduction=reduction)
    assert zy.grad_fn.name() == ty.grad_fn.name()


def test_bce_clamps_logs_at_minus_100_and_checks_range():
    z = nn.functional.binary_cross_entropy(zerograd.tensor([0.0, 1.0]),
                                           zerograd.tensor([1.0, 0.0]), reduction="none")
    t = torch.nn.functional.binary_cross_entropy(torch.tensor([0.0, 1.0]),
                                                 torch.tensor([1.0, 0.0]), reduction="none")
    assert z.tolist() == t.tolist() == [100.0, 100.0]
    x = zerograd.tensor([0.0, 0.5], requires_grad=True)
    nn.functional.binary_cross_entropy(x, zerograd.tensor([1.0, 1.0])).backward()
    assert np.isfinite(x.grad.numpy()).all()
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(zerograd.tensor([1.5]), zerograd.tensor([1.0]))
    with pytest.raises(ValueError):
        nn.BCELoss()(zerograd.rand(3, 1), zerograd.rand(3))
    with pytest.raises(ValueError):
        tnn.BCELoss()(torch.rand(3, 1), torch.rand(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("extra", ["none", "weight", "pos_weight"])
def test_bce_with_logits(reduction, extra):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((4, 3)) * 5).astype("f4")
    x[0] = [0.0, 100.0, -100.0]  # the kink at 0 and saturation on both sides
    t = (rng.random((4, 3)) > 0.5).astype("f4")

    def make(m, lib, **kw):
        if extra == "weight":
            kw["weight"] = lib.tensor([0.5, 1.0, 2.0])
        if extra == "pos_weight":
            kw["pos_weight"] = lib.tensor([3.0, 1.0, 0.2])
        return m.BCEWithLogitsLoss(**kw)

    zy, ty = run(make, x, t, reduction=reduction)
    assert zy.grad_fn.name() == ty.grad_fn.name()
    with pytest.raises(ValueError):
        nn.BCEWithLogitsLoss()(zerograd.rand(3, 1), zerograd.rand(3))


def test_loss_state_dict_keeps_weight_buffer_like_torch():
    z = nn.CrossEntropyLoss(weight=zerograd.tensor([1.0, 2.0]))
    t = tnn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0]))
    assert list(z.state_dict()) == list(t.state_dict()) == ["weight"]
    assert list(nn.MSELoss().state_dict()) == []


def test_legacy_size_average_and_reduce_flags():
    with pytest.warns(UserWarning):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.MSELoss(reduce=False).reduction == "none"
