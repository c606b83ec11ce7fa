"""Training on a GPU as the d2l chapters do it: net.to(device), batches .to(device), optimizers,
losses, dropout, saving and loading, random numbers, and a second GPU.

Each workflow runs on the CPU and on CUDA from the same seed and must give the same numbers
(zerograd on the CPU follows torch, tests/nn and tests/optim check that). The `cuda` fixture
is a real GPU where there is one, else the fake CuPy (tests/fake_cupy.py, two devices).
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import zerograd
from zerograd import nn

CUDA0 = zerograd.device("cuda", 0)
CPU = zerograd.device("cpu")


def mlp() -> nn.Module:
    zerograd.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(16, 3))


def batches() -> list[tuple[zerograd.Tensor, zerograd.Tensor]]:
    zerograd.manual_seed(1)
    X = zerograd.randn(40, 3, 4)
    y = zerograd.randint(0, 3, (40,))
    data = zerograd.utils.data.TensorDataset(X, y)
    return list(zerograd.utils.data.DataLoader(data, batch_size=8, shuffle=True))


def train(device: str, opt_name: str) -> tuple[list[float], dict[str, np.ndarray]]:
    net = mlp().to(device)
    params = list(net.parameters())
    opt = {"sgd": lambda: zerograd.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3),
           "adam": lambda: zerograd.optim.Adam(params, lr=0.01),
           "adamw": lambda: zerograd.optim.AdamW(params, lr=0.01, amsgrad=True)}[opt_name]()
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    zerograd.manual_seed(2)  # the dropout masks
    for X, y in batches():
        X, y = X.to(device), y.to(device)
        assert X.device == y.device == zerograd.device(device if device == "cpu" else CUDA0)
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    state = {k: v.cpu().numpy() for k, v in net.state_dict().items()}
    return losses, state


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "adamw"])
def test_training_loop_same_on_cuda(opt_name: str, cuda: str) -> None:
    want_losses, want_state = train("cpu", opt_name)
    got_losses, got_state = train(cuda, opt_name)
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-5, atol=1e-6)
    for k in want_state:
        np.testing.assert_allclose(got_state[k], want_state[k], rtol=1e-5, atol=1e-6)


def test_module_to_moves_parameters_and_buffers(cuda: str) -> None:
    net = mlp()
    net.register_buffer("steps", zerograd.zeros(1, dtype=zerograd.int64))
    weight = net[1].weight
    net.cuda()
    assert net[1].weight is weight and isinstance(weight, nn.Parameter)
    assert all(p.device == CUDA0 and p.requires_grad for p in net.parameters())
    assert net.steps.device == CUDA0 and net.steps.dtype == zerograd.int64
    assert all(v.device == CUDA0 for v in net.state_dict().values())
    out = net(zerograd.ones(2, 3, 4, device=cuda))
    assert out.device == CUDA0
    out.sum().backward()
    assert all(p.grad.device == CUDA0 for p in net.parameters())
    net.to(CPU)
    assert all(p.device == CPU for p in net.parameters()) and net.steps.device == CPU
    assert all(p.grad.device == CPU for p in net.parameters())  # gradients move along
    net.to(cuda, zerograd.float64)
    assert net[1].weight.dtype == zerograd.float64 and net.steps.dtype == zerograd.int64


def test_load_state_dict_across_devices(cuda: str) -> None:
    cpu_net, gpu_net = mlp(), nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(),
                                            nn.Dropout(0.3), nn.Linear(16, 3)).to(cuda)
    gpu_net.load_state_dict(cpu_net.state_dict())
    for (k, a), b in zip(gpu_net.state_dict().items(), cpu_net.state_dict().values()):
        assert a.device == CUDA0, k
        np.testing.assert_array_equal(a.cpu().numpy(), b.numpy())


def test_forward_with_data_on_the_wrong_device_raises(cuda: str) -> None:
    net = mlp().to(cuda)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        net(zerograd.ones(2, 3, 4))


def test_losses_and_functional_ops_on_cuda(cuda: str) -> None:
    zerograd.manual_seed(3)
    logits, target = zerograd.randn(5, 4), zerograd.tensor([0, 3, 1, 1, 2])
    prob = zerograd.rand(5, 4)
    f = nn.functional
    cases = [
        lambda x, t, p: f.cross_entropy(x, t, label_smoothing=0.1),
        lambda x, t, p: f.cross_entropy(x, t, weight=zerograd.arange(1.0, 5.0, device=x.device)),
        lambda x, t, p: f.nll_loss(f.log_softmax(x, dim=1), t, ignore_index=1),
        lambda x, t, p: f.binary_cross_entropy(p, (x > 0).float()),
        lambda x, t, p: f.binary_cross_entropy_with_logits(x, p),
        lambda x, t, p: f.mse_loss(x, p) + f.l1_loss(x, p) + f.huber_loss(x, p),
        lambda x, t, p: f.one_hot(t, 4).float() * f.softmax(x, dim=-1),
        lambda x, t, p: f.leaky_relu(x) + f.softplus(x) + f.sigmoid(x) + f.tanh(x),
    ]
    for case in cases:
        want = case(logits, target, prob)
        got = case(logits.to(cuda), target.to(cuda), prob.to(cuda))
        assert got.device == CUDA0
        np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_dropout_masks_match_the_cpu(cuda: str) -> None:
    x = zerograd.ones(4, 5)
    zerograd.manual_seed(7)
    want = nn.functional.dropout(x, 0.4)
    zerograd.manual_seed(7)
    got = nn.functional.dropout(x.to(cuda), 0.4)
    assert got.device == CUDA0
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def test_random_numbers_on_cuda_come_from_the_cpu_generator(cuda: str) -> None:
    """Documented difference: torch's CUDA generator (Philox) gives other numbers; zerograd
    draws on the CPU generator, so the CPU and CUDA streams are the same."""
    zerograd.cuda.manual_seed(123)  # accepted, as in torch; zerograd.manual_seed is what counts
    zerograd.cuda.manual_seed_all(123)
    for draw in (lambda d: zerograd.randn(3, 2, device=d), lambda d: zerograd.rand(4, device=d),
                 lambda d: zerograd.zeros(5, device=d).normal_(),
                 lambda d: zerograd.zeros(5, device=d).uniform_(-2, 2),
                 lambda d: zerograd.randint(0, 9, (6,), device=d),
                 lambda d: zerograd.empty(3, device=d).bernoulli_(0.5)):
        zerograd.manual_seed(9)
        want = draw("cpu")
        zerograd.manual_seed(9)
        got = draw(cuda)
        assert got.device == CUDA0
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def test_save_and_load_cuda_tensors(cuda: str) -> None:
    x = zerograd.arange(6.0, device=cuda).reshape(2, 3).requires_grad_()
    net = mlp().to(cuda)
    buf = io.BytesIO()
    zerograd.save({"x": x, "net": net.state_dict()}, buf)
    for loc, where in [(None, CUDA0), ("cpu", CPU), (CPU, CPU), ({"cuda:0": "cpu"}, CPU),
                       (lambda storage, loc: storage, CPU), ("cuda:0", CUDA0)]:
        buf.seek(0)
        back = zerograd.load(buf, map_location=loc)
        assert back["x"].device == where and back["x"].requires_grad, loc
        assert back["x"].tolist() == x.tolist()
        assert all(v.device == where for v in back["net"].values()), loc


def test_a_second_gpu(cuda: str) -> None:
    """cuda:1 where there is one (the fake CuPy has two): placement, compute, mixing errors."""
    if zerograd.cuda.device_count() < 2:
        pytest.skip("one GPU")
    dev1 = zerograd.device("cuda:1")
    x = zerograd.arange(4.0, device=dev1, requires_grad=True)
    y = zerograd.ones(4, device="cuda:0")
    assert x.device == dev1 and x.get_device() == 1 and repr(x).endswith(
        "device='cuda:1', requires_grad=True)")
    z = (x * 2).exp().sum()
    assert z.device == dev1 and (x > 1).device == dev1 and x.argmax().device == dev1
    z.backward()
    assert x.grad.device == dev1
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * np.exp(2 * np.arange(4.0)), rtol=1e-6)
    with pytest.raises(RuntimeError, match="cuda:1 and cuda:0!"):
        x + y
    moved = x.detach().to("cuda:0") + y
    assert moved.device == CUDA0 and moved.tolist() == [1.0, 2.0, 3.0, 4.0]
    with zerograd.cuda.device(1):
        assert zerograd.cuda.current_device() == 1
        assert zerograd.zeros(1, device="cuda").device == dev1
    assert zerograd.cuda.current_device() == 0
    assert zerograd.zeros(1, device="cuda").device == CUDA0
    net = mlp().to(dev1)
    assert net(zerograd.ones(2, 3, 4, device=dev1)).device == dev1


def test_random_functions_of_cuda_tensors_stay_on_cuda(cuda: str) -> None:
    probs = zerograd.tensor([[0.1, 0.9, 0.0], [0.5, 0.25, 0.25]])
    draws = [lambda p: zerograd.bernoulli(p), lambda p: zerograd.bernoulli(p, 0.3),
             lambda p: zerograd.multinomial(p, 2), lambda p: zerograd.normal(p, 2.0),
             lambda p: zerograd.normal(1.0, p), lambda p: zerograd.normal(p, p + 1),
             lambda p: zerograd.zeros_like(p).bernoulli_(p), lambda p: zerograd.rand_like(p)]
    for draw in draws:
        zerograd.manual_seed(4)
        want = draw(probs)
        zerograd.manual_seed(4)
        got = draw(probs.to(cuda))
        assert got.device == CUDA0 and got.dtype == want.dtype
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


@pytest.mark.skipif(zerograd.cuda.is_available(), reason="needs a machine without a GPU")
def test_loading_cuda_tensors_without_a_gpu() -> None:
    """Saved on a GPU (the fake CuPy), loaded where there is none: torch's error, unless
    map_location brings the tensors to the CPU."""
    import fake_cupy

    buf = io.BytesIO()
    with fake_cupy.installed():
        zerograd.save({"w": zerograd.ones(2, device="cuda")}, buf)
    buf.seek(0)
    with pytest.raises(RuntimeError, match=r"map_location=torch.device\('cpu'\)"):
        zerograd.load(buf)
    buf.seek(0)
    w = zerograd.load(buf, map_location="cpu")["w"]
    assert w.device == CPU and w.tolist() == [1.0, 1.0]
