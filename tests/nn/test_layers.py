"""Layers and nn.init against torch: seeded initialisation equal bit for bit, forward values
and gradients (for a random cotangent) to float32 rounding, dropout masks equal to torch's
after the same seed, train/eval behaviour and the errors for bad input.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import zerograd
from zerograd import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

RNG = np.random.default_rng(0)


def check_layer(z_layer, t_layer, shape, rtol=1e-5, atol=1e-6):
    """Same input and cotangent through both layers: outputs, input grads, parameter grads."""
    x = RNG.standard_normal(shape).astype("f4")
    zx, tx = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zy, ty = z_layer(zx), t_layer(tx)
    assert tuple(zy.shape) == tuple(ty.shape) and zy.dtype == zerograd.float32
    np.testing.assert_allclose(zy.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    g = RNG.standard_normal(tuple(ty.shape)).astype("f4")
    zy.backward(zerograd.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    for (name, zp), (_, tp) in zip(z_layer.named_parameters(), t_layer.named_parameters()):
        np.testing.assert_allclose(zp.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=name)
    return zy, ty


@pytest.mark.parametrize("seed", [0, 7, 2024])
@pytest.mark.parametrize("sizes", [(2, 1), (784, 10), (20, 256), (3, 5, False)])
def test_linear_default_init_equals_torch(seed, sizes):
    zerograd.manual_seed(seed)
    torch.manual_seed(seed)
    z, t = nn.Linear(*sizes), tnn.Linear(*sizes)
    assert repr(z) == repr(t)
    for (zk, zv), (tk, tv) in zip(z.state_dict().items(), t.state_dict().items()):
        assert zk == tk
        np.testing.assert_array_equal(zv.numpy(), tv.numpy())
    # The generators stay in step: the next draw agrees too.
    assert zerograd.rand(3).tolist() == torch.rand(3).tolist()


@pytest.mark.parametrize("shape", [(6, 4), (4,), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward_and_grad_fn(shape, bias):
    torch.manual_seed(1)
    t = tnn.Linear(4, 3, bias=bias)
    z = nn.Linear(4, 3, bias=bias)
    z.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in t.state_dict().items()})
    zy, ty = check_layer(z, t, shape)
    assert zy.grad_fn.name() == ty.grad_fn.name()


def test_linear_wrong_features_names_the_shapes():
    z, t = nn.Linear(4, 8), tnn.Linear(4, 8)
    for shape in [(3, 5), (5,), (2, 3, 5)]:
        with pytest.raises(RuntimeError) as t_err:
            t(torch.ones(shape))
        with pytest.raises(RuntimeError) as z_err:
            z(zerograd.ones(shape))
        assert str(z_err.value).startswith(str(t_err.value))
        assert "4 features" in str(z_err.value)


@pytest.mark.parametrize("make", [
    lambda m: m.ReLU(), lambda m: m.Sigmoid(), lambda m: m.Tanh(), lambda m: m.Softmax(dim=1),
    lambda m: m.LogSoftmax(dim=-1), lambda m: m.LeakyReLU(0.2), lambda m: m.Softplus(),
    lambda m: m.Softplus(beta=2.0, threshold=1.0), lambda m: m.Identity(),
    lambda m: m.Flatten(), lambda m: m.Flatten(0, 1), lambda m: m.Unflatten(1, (2, 3)),
    lambda m: m.Sequential(m.Flatten(), m.Linear(6, 2)),
])
def test_stateless_layers_match_torch(make):
    torch.manual_seed(3)
    z, t = make(nn), make(tnn)
    if list(t.parameters()):
        z.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert repr(z) == repr(t)
    zy, ty = check_layer(z, t, (4, 6) if isinstance(t, tnn.Unflatten) else (4, 2, 3))
    assert (zy.grad_fn and zy.grad_fn.name()) == (ty.grad_fn and ty.grad_fn.name())


def test_relu_leaky_relu_gradient_at_zero():
    for zf, tf in [(nn.ReLU(), tnn.ReLU()), (nn.LeakyReLU(0.1), tnn.LeakyReLU(0.1))]:
        zx = zerograd.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        tx = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        zf(zx).sum().backward()
        tf(tx).sum().backward()
        assert zx.grad.tolist() == tx.grad.tolist()


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("shape", [(3, 5), (2, 17), (4, 2, 3)])
def test_dropout_mask_equals_torch_after_seed(p, shape):
    x = RNG.standard_normal(shape).astype("f4") + 3
    zerograd.manual_seed(11)
    torch.manual_seed(11)
    zd, td = nn.Dropout(p), tnn.Dropout(p)
    assert repr(zd) == repr(td)
    zx, tx = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zy, ty = zd(zx), td(tx)
    np.testing.assert_array_equal(zy.detach().numpy(), ty.detach().numpy())
    zy.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(zx.grad.numpy(), tx.grad.numpy())
    assert zerograd.rand(2).tolist() == torch.rand(2).tolist()
    zd.eval()
    assert zd(zx) is zx


def test_dropout_functional_and_errors():
    x = zerograd.ones(2, 3)
    assert nn.functional.dropout(x, 0.5, training=False) is x
    with pytest.raises(ValueError):
        nn.Dropout(1.5)
    with pytest.raises(ValueError):
        tnn.Dropout(1.5)
    with pytest.raises(ValueError):
        nn.functional.dropout(x, -0.1)
    zerograd.manual_seed(0)
    kept = (nn.functional.dropout(zerograd.ones(10000), 0.3) != 0).float().mean().item()
    assert abs(kept - 0.7) < 0.02


def test_one_hot_like_torch():
    for args in [([0, 3, 1],), ([[1, 2], [0, 0]], 4), ([], 3)]:
        z = nn.functional.one_hot(zerograd.tensor(args[0], dtype=zerograd.int64), *args[1:])
        t = torch.nn.functional.one_hot(torch.tensor(args[0], dtype=torch.int64), *args[1:])
        assert z.tolist() == t.tolist() and z.dtype == zerograd.int64
    for bad in [(zerograd.tensor([0.0, 1.0]),), (zerograd.tensor([0, 3]), 2),
                (zerograd.tensor([0, -1]), 3)]:
        with pytest.raises(RuntimeError):
            nn.functional.one_hot(*bad)


# --- nn.init ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", [
    ("uniform_", {}), ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {}),
    ("normal_", {"mean": 1.0, "std": 0.01}), ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}), ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}), ("kaiming_normal_", {"nonlinearity": "relu"}),
])
@pytest.mark.parametrize("shape", [(5, 3), (64, 20), (4, 3, 2, 2)])
def test_init_equals_torch_after_seed(name, kwargs, shape):
    zerograd.manual_seed(5)
    torch.manual_seed(5)
    z, t = zerograd.empty(shape), torch.empty(shape)
    assert getattr(nn.init, name)(z, **kwargs) is z
    getattr(tnn.init, name)(t, **kwargs)
    np.testing.assert_array_equal(z.numpy(), t.numpy())


def test_init_on_parameters_with_generator_and_constants():
    g_z, g_t = zerograd.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    zp, tp = nn.Parameter(zerograd.empty(3, 4)), tnn.Parameter(torch.empty(3, 4))
    nn.init.normal_(zp, 0.0, 0.5, generator=g_z)
    tnn.init.normal_(tp, 0.0, 0.5, generator=g_t)
    np.testing.assert_array_equal(zp.detach().numpy(), tp.detach().numpy())
    assert zp.requires_grad and zp.grad_fn is None
    for fn, args in [("constant_", (42.0,)), ("ones_", ()), ("zeros_", ()), ("eye_", ())]:
        getattr(nn.init, fn)(zp, *args)
        getattr(tnn.init, fn)(tp, *args)
        np.testing.assert_array_equal(zp.detach().numpy(), tp.detach().numpy())


def test_calculate_gain_and_fan_errors():
    for args in [("linear",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                 ("leaky_relu", 0.2), ("selu",), ("conv2d",)]:
        assert nn.init.calculate_gain(*args) == tnn.init.calculate_gain(*args)
    with pytest.raises(ValueError):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError):
        nn.init.xavier_uniform_(zerograd.empty(5))
    with pytest.raises(ValueError):
        nn.init.kaiming_uniform_(zerograd.empty(2, 2), mode="fan_avg")


def test_d2l_init_idioms():
    def init_weights(m):
        if type(m) is nn.Linear:
            nn.init.normal_(m.weight, std=0.01)
            nn.init.zeros_(m.bias)

    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    net.apply(init_weights)
    assert net[0].bias.abs().sum().item() == 0 and net[0].weight.std().item() < 0.05
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    assert net[0].weight[0, 0].item() == 42
    nn.init.uniform_(net[2].weight, -10, 10)
    net[2].weight.data *= net[2].weight.data.abs() >= 5
    assert ((net[2].weight.data == 0) | (net[2].weight.data.abs() >= 5)).all()
