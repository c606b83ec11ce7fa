"""Optimizers against torch.optim: parameter trajectories over several steps from identical
starting points (float64 to 1e-12, float32 to a few ulps), state_dict layout and round trips,
parameter groups, zero_grad, repr, the errors for bad arguments, and the LR schedulers.
"""

from __future__ import annotations

import numpy as np
import pytest

import zerograd
from zerograd import nn, optim

torch = pytest.importorskip("torch")

STEPS = 6


def make_pair(dtype):
    """The same small regression problem in both libraries, with identical parameters."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.standard_normal((16, 1))
    w0, b0 = rng.standard_normal((2, 3)), rng.standard_normal(2)
    w1 = rng.standard_normal((1, 2))
    zp = [zerograd.tensor(a.astype(dtype), requires_grad=True) for a in (w0, b0, w1)]
    tp = [torch.tensor(a.astype(dtype), requires_grad=True) for a in (w0, b0, w1)]
    data = [(lib.tensor(x.astype(dtype)), lib.tensor(y.astype(dtype))) for lib in (zerograd,
                                                                                   torch)]

    def loss(lib, params, xy):
        w0, b0, w1 = params
        x, y = xy
        h = lib.tanh(x @ w0.T + b0)
        return ((h @ w1.T - y) ** 2).mean()

    return zp, tp, lambda: loss(zerograd, zp, data[0]), lambda: loss(torch, tp, data[1])


def trajectories(cls_name, kwargs, dtype, groups=False, steps=STEPS):
    zp, tp, zloss, tloss = make_pair(dtype)
    if groups:
        zargs = [{"params": zp[:2], "lr": kwargs["lr"] * 2}, {"params": zp[2:]}]
        targs = [{"params": tp[:2], "lr": kwargs["lr"] * 2}, {"params": tp[2:]}]
    else:
        zargs, targs = zp, tp
    zo, to = getattr(optim, cls_name)(zargs, **kwargs), getattr(torch.optim, cls_name)(
        targs, **kwargs)
    out = []
    for _ in range(steps):
        zo.zero_grad()
        to.zero_grad()
        zloss().backward()
        tloss().backward()
        zo.step()
        to.step()
        out.append(([p.detach().numpy().copy() for p in zp],
                    [p.detach().numpy().copy() for p in tp]))
    return out, zo, to


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
]


@pytest.mark.parametrize("name, kwargs", CASES)
@pytest.mark.parametrize("groups", [False, True])
def test_trajectory_float64(name, kwargs, groups):
    out, zo, to = trajectories(name, kwargs, "f8", groups)
    for zs, ts in out:
        for z, t in zip(zs, ts):
            np.testing.assert_allclose(z, t, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_trajectory_float32_and_state(name, kwargs):
    out, zo, to = trajectories(name, kwargs, "f4")
    for zs, ts in out:
        for z, t in zip(zs, ts):
            # torch fuses a*b+c (FMA) where zerograd rounds twice: a few ulps apart at most.
            np.testing.assert_allclose(z, t, rtol=2e-6, atol=2e-7)
    zsd, tsd = zo.state_dict(), to.state_dict()
    assert zsd["param_groups"] == tsd["param_groups"]
    assert list(zsd["state"]) == list(tsd["state"])
    for i in tsd["state"]:
        assert list(zsd["state"][i]) == list(tsd["state"][i])
        for k, v in tsd["state"][i].items():
            assert zsd["state"][i][k].dtype == zerograd.float32
            np.testing.assert_allclose(zsd["state"][i][k].numpy(), v.numpy(), rtol=1e-5,
                                       atol=1e-7)
    assert repr(zo) == repr(to)


@pytest.mark.parametrize("name, kwargs", [CASES[1], CASES[9]])
def test_state_dict_round_trip_continues_the_trajectory(name, kwargs):
    zp, _, zloss, _ = make_pair("f8")
    zo = getattr(optim, name)(zp, **kwargs)
    for _ in range(3):
        zo.zero_grad()
        zloss().backward()
        zo.step()
    saved_params = [p.detach().clone() for p in zp]
    sd = zo.state_dict()
    # A second optimizer over copies of the parameters, loaded from the state dict.
    zq = [p.clone().detach().requires_grad_() for p in saved_params]
    zo2 = getattr(optim, name)(zq, lr=123.0)
    zo2.load_state_dict(sd)
    assert zo2.param_groups[0]["lr"] == kwargs["lr"] and zo2.param_groups[0]["params"][0] is zq[0]
    for _ in range(2):
        for ps, o in ((zp, zo), (zq, zo2)):
            o.zero_grad()
            w0, b0, w1 = ps
            x = zerograd.ones(4, 3, dtype=zerograd.float64)
            ((zerograd.tanh(x @ w0.T + b0) @ w1.T) ** 2).sum().backward()
            o.step()
    for a, b in zip(zp, zq):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    # The loaded state is a copy: stepping one optimizer leaves the other's buffers alone.
    key = next(iter(zo.state[zp[0]]))
    assert zo.state[zp[0]][key] is not zo2.state[zq[0]][key]


def test_load_state_dict_mismatch_errors():
    zp, _, _, _ = make_pair("f4")
    sd = optim.SGD(zp, lr=0.1).state_dict()
    with pytest.raises(ValueError):
        optim.SGD([zp[0]], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError):
        optim.SGD([{"params": zp[:1]}, {"params": zp[1:]}], lr=0.1).load_state_dict(sd)


def test_params_without_grad_are_skipped_and_zero_grad():
    a = zerograd.ones(2, requires_grad=True)
    b = zerograd.ones(2, requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    (a * 3).sum().backward()
    opt.step()
    assert a.tolist() == [-0.5, -0.5] and b.tolist() == [1.0, 1.0]
    assert b not in opt.state
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0] and b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_step_with_closure_and_add_param_group():
    w = zerograd.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 4.0 and w.item() == 1.0
    v = zerograd.tensor([1.0], requires_grad=True)
    opt.add_param_group({"params": v, "momentum": 0.5})
    assert opt.param_groups[1]["lr"] == 0.25 and opt.param_groups[1]["momentum"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})


def test_named_parameters_are_accepted():
    net = nn.Linear(2, 1)
    opt = optim.Adam(net.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is net.weight


@pytest.mark.parametrize("make", [
    lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(5, lr=0.1),
    lambda lib: lib.optim.SGD(iter([]), lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([[1.0, 2.0]], lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=-1),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, momentum=-0.1),
    lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, nesterov=True),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], betas=(1.0, 0.9)),
    lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], eps=-1.0),
    lambda lib: lib.optim.AdamW([lib.ones(1, requires_grad=True)], weight_decay=-1.0),
])
def test_bad_arguments_raise_like_torch(make):
    with pytest.raises(Exception) as t_err:
        make(torch)
    with pytest.raises(t_err.type):
        make(zerograd)


def test_duplicate_parameters_warn_like_torch():
    w = zerograd.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([w, w], lr=0.1)


@pytest.mark.parametrize("name, kwargs", [
    ("StepLR", {"step_size": 2, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [1, 3, 3], "gamma": 0.1}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch}),
])
def test_lr_schedulers_match_torch(name, kwargs):
    zo = optim.SGD([zerograd.ones(1, requires_grad=True)], lr=0.3)
    to = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.3)
    zs = getattr(optim.lr_scheduler, name)(zo, **kwargs)
    ts = getattr(torch.optim.lr_scheduler, name)(to, **kwargs)
    assert zs.get_last_lr() == ts.get_last_lr()
    for _ in range(10):
        zo.step()
        to.step()
        zs.step()
        ts.step()
        assert zs.get_last_lr() == ts.get_last_lr()
        assert zo.param_groups[0]["lr"] == to.param_groups[0]["lr"]
