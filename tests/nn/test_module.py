"""nn.Module, Parameter and the containers against torch.nn: registration, traversal order,
state_dict keys and loading (strict, all-or-nothing), printed trees, copying and pickling,
modes, dtype moves, hooks and the errors PyTorch raises for bad assignments.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import zerograd
from zerograd import nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def both(build):
    """Build the same architecture with zerograd and torch, with torch's weights copied in."""
    z, t = build(nn, zerograd), build(tnn, torch)
    z.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return z, t


def mlp(m, lib):
    return m.Sequential(m.Linear(4, 8), m.ReLU(), m.Dropout(0.1), m.Linear(8, 2))


def make_custom(m, lib):
    class Block(m.Module):
        def __init__(self):
            super().__init__()
            self.net = m.Sequential(m.Linear(3, 4), m.Tanh())
            self.out = m.Linear(4, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.ones(1), persistent=False)

        def forward(self, x):
            return self.out(self.net(x)) + self.running

    outer = m.Sequential()
    for i in range(2):
        outer.add_module(f"block {i}", Block())
    outer.add_module("head", m.Linear(3, 1))
    return outer


@pytest.mark.parametrize("build", [mlp, make_custom])
def test_repr_keys_and_traversal_match_torch(build):
    z, t = both(build)
    assert repr(z) == repr(t)
    assert list(z.state_dict()) == list(t.state_dict())
    assert [n for n, _ in z.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in z.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in z.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(c).__name__ for c in z.children()] == [type(c).__name__ for c in t.children()]
    assert [n for n, _ in z.named_parameters(prefix="model", recurse=False)] == [
        n for n, _ in t.named_parameters(prefix="model", recurse=False)
    ]
    x = np.random.default_rng(0).standard_normal((5, 4 if build is mlp else 3)).astype("f4")
    z.eval()
    t.eval()
    np.testing.assert_allclose(z(zerograd.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert all(isinstance(m, nn.Module) for m in z.modules())


def test_named_parameters_prefix_and_recurse():
    z, t = both(mlp)
    for kw in [{}, {"prefix": "net"}, {"recurse": False}]:
        assert [n for n, _ in z[0].named_parameters(**kw)] == [
            n for n, _ in t[0].named_parameters(**kw)
        ]


def test_parameter_is_a_tensor_and_prints_like_torch():
    zp = nn.Parameter(zerograd.tensor([1.0, 2.0]))
    tp = tnn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(zp) == repr(tp) and str(zp) == str(tp)
    assert isinstance(zp, zerograd.Tensor) and zp.requires_grad and zp.is_leaf
    assert type(zp * 2) is zerograd.Tensor
    assert repr(nn.Parameter(zerograd.ones(2), requires_grad=False)) == repr(
        tnn.Parameter(torch.ones(2), requires_grad=False)
    )
    with pytest.raises(RuntimeError):
        nn.Parameter(zerograd.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        tnn.Parameter(torch.tensor([1, 2]))


def test_shared_layer_counted_once_and_accumulates_like_torch():
    def build(m, lib):
        shared = m.Linear(3, 3)
        return m.Sequential(shared, m.ReLU(), shared, m.Linear(3, 1))

    z, t = both(build)
    assert len(list(z.parameters())) == len(list(t.parameters())) == 4
    assert list(z.state_dict()) == list(t.state_dict())  # both names are kept in state_dict
    x = np.random.default_rng(1).standard_normal((6, 3)).astype("f4")
    z(zerograd.tensor(x)).sum().backward()
    t(torch.tensor(x)).sum().backward()
    for zp, tp in zip(z.parameters(), t.parameters()):
        np.testing.assert_allclose(zp.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_state_dict_shares_storage_and_is_detached():
    z = nn.Linear(2, 3)
    sd = z.state_dict()
    assert type(sd) is OrderedDict and not sd["weight"].requires_grad
    sd["bias"].fill_(7.0)
    assert z.bias.tolist() == [7.0, 7.0, 7.0]
    assert z.state_dict(keep_vars=True)["weight"] is z.weight


def snapshot(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert list(after) == list(before)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])


def test_load_state_dict_errors_match_torch_and_leave_module_unchanged():
    z, t = both(mlp)
    good = {k: v.clone() for k, v in t.state_dict().items()}
    cases = {
        "missing": {k: v for k, v in good.items() if k != "3.bias"},
        "unexpected": {**good, "3.extra": torch.zeros(1), "5.weight": torch.zeros(1)},
        "shape": {**good, "0.weight": torch.zeros(8, 5)},
        "shape and missing": {
            **{k: v for k, v in good.items() if k != "0.bias"}, "3.weight": torch.zeros(3, 8)
        },
    }
    for name, bad in cases.items():
        bad = {k: v + 1 for k, v in bad.items()}  # any value copied would show
        with pytest.raises(RuntimeError) as t_err:
            t.load_state_dict(bad)
        before = snapshot(z)
        with pytest.raises(RuntimeError) as z_err:
            z.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in bad.items()})
        assert str(z_err.value) == str(t_err.value), name
        assert_unchanged(z, before)
        t.load_state_dict(good)


def test_load_state_dict_non_strict_reports_keys_like_torch():
    z, t = both(mlp)
    sd = {k: v for k, v in t.state_dict().items() if k != "0.bias"}
    sd["extra"] = torch.zeros(1)
    r_t = t.load_state_dict(sd, strict=False)
    r_z = z.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in sd.items()},
                            strict=False)
    assert r_z.missing_keys == r_t.missing_keys and r_z.unexpected_keys == r_t.unexpected_keys
    assert repr(z.load_state_dict(z.state_dict())) == "<All keys matched successfully>"
    with pytest.raises(TypeError):
        z.load_state_dict([1, 2])


def test_load_state_dict_copies_values_and_keeps_parameter_objects():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    w = b.weight
    b.load_state_dict(a.state_dict())
    assert b.weight is w
    np.testing.assert_array_equal(b.weight.detach().numpy(), a.weight.detach().numpy())
    a.weight.data.fill_(0)  # a copy, not an alias
    assert b.weight.abs().sum().item() > 0
    c = nn.Linear(3, 2)
    c.load_state_dict(a.state_dict(), assign=True)
    assert isinstance(c.weight, nn.Parameter) and c.weight.requires_grad


def test_deepcopy_and_pickle_keep_structure_and_sharing():
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert repr(clone) == repr(net)
        assert clone[0] is clone[2]
        assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad
        np.testing.assert_array_equal(clone[0].weight.detach().numpy(),
                                      net[0].weight.detach().numpy())
        clone[0].weight.data.fill_(3.0)
        assert net[0].weight.detach().numpy().max() < 3.0
        assert len(list(clone.parameters())) == 2


def test_train_eval_apply_zero_grad_requires_grad():
    z = make_custom(nn, zerograd)
    assert z.training and all(m.training for m in z.modules())
    assert z.eval() is z and not any(m.training for m in z.modules())
    z.train()
    assert all(m.training for m in z.modules())
    with pytest.raises(ValueError):
        z.train("yes")
    z_order, t_order = [], []
    z.apply(lambda m: z_order.append(type(m).__name__))
    make_custom(tnn, torch).apply(lambda m: t_order.append(type(m).__name__))
    assert z_order == t_order
    z(zerograd.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in z.parameters())
    z.zero_grad(set_to_none=False)
    assert all(p.grad.abs().sum().item() == 0 for p in z.parameters())
    z.zero_grad()
    assert all(p.grad is None for p in z.parameters())
    z.requires_grad_(False)
    assert not any(p.requires_grad for p in z.parameters())


def test_to_dtype_keeps_parameter_objects():
    z = make_custom(nn, zerograd)
    params = list(z.parameters())
    z.to(zerograd.float64)
    assert all(p is q for p, q in zip(z.parameters(), params))
    assert all(p.dtype is zerograd.float64 for p in z.parameters())
    assert all(b.dtype is zerograd.float64 for b in z.buffers())
    assert z(zerograd.ones(1, 3, dtype=zerograd.float64)).dtype is zerograd.float64
    z.float()
    assert all(p.dtype is zerograd.float32 for p in z.parameters())
    with pytest.raises(TypeError):
        z.to(zerograd.int64)
    with pytest.raises(TypeError):
        make_custom(tnn, torch).to(torch.int64)


def test_forward_hooks_and_removal():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(zerograd.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), (lin.bias + 1).detach().expand(3, 2).numpy())
    assert calls == [zerograd.Size([3, 2])]
    h1.remove()
    h2.remove()
    assert lin(zerograd.zeros(1, 2)).tolist() == [lin.bias.tolist()]


@pytest.mark.parametrize("action", [
    lambda m, lib: setattr(m, "weight", lib.ones(2, 2)),
    lambda m, lib: m.register_parameter("p", lib.ones(2)),
    lambda m, lib: m.register_buffer("b", 3),
    lambda m, lib: m.add_module("a.b", m.__class__(1, 1)),
    lambda m, lib: m.add_module(3, m.__class__(1, 1)),
    lambda m, lib: m.add_module("forward", m.__class__(1, 1)),
    lambda m, lib: m.register_parameter("q", m.weight * 2),
    lambda m, lib: m.add_module("x", 5),
    lambda m, lib: m.not_there,
])
def test_bad_registration_raises_torch_exception_class(action):
    with pytest.raises(Exception) as t_err:
        action(tnn.Linear(2, 2), torch)
    with pytest.raises(t_err.type):
        action(nn.Linear(2, 2), zerograd)


def test_parameter_none_and_reassignment():
    z = nn.Linear(2, 2, bias=False)
    assert z.bias is None and list(z.state_dict()) == ["weight"]
    z.bias = nn.Parameter(zerograd.zeros(2))
    assert [n for n, _ in z.named_parameters()] == ["weight", "bias"]
    del z.bias
    assert not hasattr(z, "bias")


def test_forward_missing_and_module_before_init():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="NoForward"):
        NoForward()(zerograd.ones(1))

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(zerograd.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_sequential_indexing_slicing_and_editing_like_torch():
    z, t = both(mlp)
    assert len(z) == len(t) == 4
    assert repr(z[-1]) == repr(t[-1]) and repr(z[1:3]) == repr(t[1:3])
    assert repr(z[::2]) == repr(t[::2])
    with pytest.raises(IndexError):
        z[4]
    for seq, m in ((z, nn), (t, tnn)):
        del seq[1]
        seq.append(m.Sigmoid())
        seq.insert(0, m.Tanh())
        seq[2] = m.Identity()
        seq.pop(1)
    assert repr(z) == repr(t)
    assert [type(m).__name__ for m in z] == [type(m).__name__ for m in t]


def test_modulelist_and_moduledict_like_torch():
    def lists(m):
        ml = m.ModuleList([m.Linear(2, 2) for _ in range(3)])
        ml.append(m.ReLU())
        ml.extend([m.ReLU(), m.ReLU()])
        ml.insert(1, m.Tanh())
        return ml

    zl, tl = lists(nn), lists(tnn)
    assert repr(zl) == repr(tl)
    assert repr(zl[2:]) == repr(tl[2:])
    del zl[0]
    del tl[0]
    assert repr(zl) == repr(tl) and len(zl) == len(tl)
    assert [n for n, _ in zl.named_parameters()] == [n for n, _ in tl.named_parameters()]

    zd = nn.ModuleDict({"act": nn.ReLU(), "lin": nn.Linear(2, 3)})
    td = tnn.ModuleDict({"act": tnn.ReLU(), "lin": tnn.Linear(2, 3)})
    zd["out"], td["out"] = nn.Linear(3, 1), tnn.Linear(3, 1)
    assert repr(zd) == repr(td) and list(zd) == list(td) and "lin" in zd
    assert list(zd.state_dict()) == list(td.state_dict())
    zd.pop("act")
    assert list(zd.keys()) == ["lin", "out"]
