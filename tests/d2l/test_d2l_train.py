"""Training helpers: d2l's numbers on zerograd equal the same code on torch, and softmax
regression on the offline digits passes train_ch3's own asserts (d2l 3.6 and 3.7)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zerograd
from zerograd import d2l, nn

torch = pytest.importorskip("torch")


def _to_torch(t: zerograd.Tensor, requires_grad: bool = False) -> Any:
    return torch.tensor(t.detach().numpy()).requires_grad_(requires_grad)


# --- d2l's torch helpers, as the book defines them, for the torch side of each comparison ---

def torch_sgd(params: list[Any], lr: float, batch_size: int) -> None:
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def torch_accuracy(y_hat: Any, y: Any) -> float:
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def torch_train_epoch(net: Any, train_iter: Any, loss: Any, updater: Any) -> tuple[float, float]:
    if isinstance(net, torch.nn.Module):
        net.train()
    total, correct, n = 0.0, 0.0, 0.0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        total += float(l.sum())
        correct += torch_accuracy(y_hat, y)
        n += y.numel()
    return total / n, correct / n


def torch_evaluate_accuracy(net: Any, data_iter: Any) -> float:
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct, n = 0.0, 0.0
    with torch.no_grad():
        for X, y in data_iter:
            correct, n = correct + torch_accuracy(net(X), y), n + y.numel()
    return correct / n


# --- small models ---

def test_linreg_squared_loss_sgd_match_torch() -> None:
    X = zerograd.randn(10, 2)
    y = zerograd.randn(10)
    w = zerograd.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = zerograd.zeros(1, requires_grad=True)
    tX, ty, tw, tb = _to_torch(X), _to_torch(y), _to_torch(w, True), _to_torch(b, True)
    l = d2l.squared_loss(d2l.linreg(X, w, b), y)
    tl = (torch.matmul(tX, tw) + tb - ty.reshape((10, 1))) ** 2 / 2
    assert tuple(l.shape) == (10, 1)
    np.testing.assert_allclose(l.detach().numpy(), tl.detach().numpy(), rtol=1e-6)
    l.sum().backward()
    tl.sum().backward()
    d2l.sgd([w, b], 0.03, 10)
    torch_sgd([tw, tb], 0.03, 10)
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy(), rtol=1e-6)
    assert float(w.grad.abs().sum()) == 0.0 and float(b.grad.abs().sum()) == 0.0


def test_linear_regression_from_scratch_recovers_w_and_b() -> None:
    true_w, true_b = zerograd.tensor([2, -3.4]), 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, 1000)
    w = zerograd.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = zerograd.zeros(1, requires_grad=True)
    data_iter = d2l.load_array((features, labels), 10)
    for _ in range(3):
        for X, y in data_iter:
            d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
            d2l.sgd([w, b], 0.03, 10)
    assert float((true_w - w.reshape(true_w.shape)).abs().max()) < 0.01
    assert abs(true_b - float(b)) < 0.01
    net = lambda X: d2l.linreg(X, w, b)  # noqa: E731
    assert d2l.evaluate_loss(net, data_iter, d2l.squared_loss) < 1e-3


@pytest.mark.parametrize("shape", [(50, 10), (50, 1), (50,)])
def test_accuracy_matches_torch(shape: tuple[int, ...]) -> None:
    y_hat = zerograd.randn(*shape) if len(shape) > 1 and shape[1] > 1 else zerograd.randint(
        0, 3, shape).float()
    y = zerograd.randint(0, 10 if len(shape) > 1 and shape[1] > 1 else 3, (50,))
    ours = d2l.accuracy(y_hat.reshape(shape), y)
    theirs = torch_accuracy(_to_torch(y_hat.reshape(shape)), _to_torch(y))
    assert type(ours) is float and ours == theirs
    # d2l's helpers run on torch tensors too, with the same result.
    assert d2l.accuracy(_to_torch(y_hat.reshape(shape)), _to_torch(y)) == theirs


def _digits_batches(batch_size: int, train: bool) -> list[tuple[zerograd.Tensor, zerograd.Tensor]]:
    train_iter, test_iter = d2l.load_data_digits(batch_size)
    return list(train_iter if train else test_iter)


def _torch_batches(batches: list[tuple[zerograd.Tensor, zerograd.Tensor]]) -> list[Any]:
    return [(_to_torch(X), _to_torch(y)) for X, y in batches]


def _copy_linear(net: Any, tnet: Any) -> None:
    with torch.no_grad():
        tnet.weight.copy_(_to_torch(net.weight))
        tnet.bias.copy_(_to_torch(net.bias))


def test_evaluate_accuracy_matches_torch() -> None:
    pytest.importorskip("sklearn")
    batches = _digits_batches(64, train=False)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    tnet = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    _copy_linear(net[1], tnet[1])
    net.train()
    acc = d2l.evaluate_accuracy(net, batches)
    assert not net.training  # d2l puts a Module in eval mode
    assert acc == torch_evaluate_accuracy(tnet, _torch_batches(batches))
    assert 0.0 < acc < 1.0


def test_evaluate_loss_matches_torch() -> None:
    # d2l 4.4 (model selection): a regression net, MSELoss(reduction='none'), y reshaped.
    features, labels = d2l.synthetic_data(zerograd.tensor([2, -3.4]), 4.2, 100)
    batches = list(d2l.load_array((features, labels.reshape(-1)), 32, is_train=False))
    net = nn.Linear(2, 1)
    tnet = torch.nn.Linear(2, 1)
    _copy_linear(net, tnet)
    ours = d2l.evaluate_loss(net, batches, nn.MSELoss(reduction="none"))
    tloss = torch.nn.MSELoss(reduction="none")
    with torch.no_grad():
        total = sum(float(tloss(tnet(X), y.reshape(-1, 1)).sum())
                    for X, y in _torch_batches(batches))
    assert type(ours) is float
    assert ours == pytest.approx(total / 100, rel=1e-5)


# torch itself warns when d2l's float(l.sum()) meets a loss that requires grad.
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True")
def test_train_epoch_ch3_scratch_matches_torch() -> None:
    pytest.importorskip("sklearn")
    batches = _digits_batches(64, train=True)
    W = zerograd.normal(0, 0.01, size=(64, 10), requires_grad=True)
    b = zerograd.zeros(10, requires_grad=True)
    tW, tb = _to_torch(W, True), _to_torch(b, True)

    def net(X: Any) -> Any:
        X_exp = zerograd.exp(zerograd.matmul(X.reshape((-1, 64)), W) + b)
        return X_exp / X_exp.sum(1, keepdim=True)

    def tnet(X: Any) -> Any:
        X_exp = torch.exp(torch.matmul(X.reshape((-1, 64)), tW) + tb)
        return X_exp / X_exp.sum(1, keepdim=True)

    def cross_entropy(y_hat: Any, y: Any) -> Any:
        return -(y_hat[range(len(y_hat)), y]).log()

    for _ in range(2):
        ours = d2l.train_epoch_ch3(net, batches, cross_entropy, lambda n: d2l.sgd([W, b], 0.1, n))
        theirs = torch_train_epoch(tnet, _torch_batches(batches), cross_entropy,
                                   lambda n: torch_sgd([tW, tb], 0.1, n))
        assert ours[0] == pytest.approx(theirs[0], rel=1e-5)
        assert ours[1] == theirs[1]
    np.testing.assert_allclose(W.detach().numpy(), tW.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_train_epoch_ch3_concise_matches_torch() -> None:
    pytest.importorskip("sklearn")
    batches = _digits_batches(64, train=True)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    tnet = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    _copy_linear(net[1], tnet[1])
    trainer = zerograd.optim.SGD(net.parameters(), lr=0.1)
    ttrainer = torch.optim.SGD(tnet.parameters(), lr=0.1)
    net.eval()
    for _ in range(2):
        ours = d2l.train_epoch_ch3(net, batches, nn.CrossEntropyLoss(reduction="none"), trainer)
        assert net.training  # d2l puts a Module in training mode
        theirs = torch_train_epoch(tnet, _torch_batches(batches),
                                   torch.nn.CrossEntropyLoss(reduction="none"), ttrainer)
        assert ours[0] == pytest.approx(theirs[0], rel=1e-5)
        assert ours[1] == theirs[1]
    np.testing.assert_allclose(net[1].weight.detach().numpy(), tnet[1].weight.detach().numpy(),
                               rtol=1e-4, atol=1e-6)


# --- the done-when check: softmax regression on the offline digits passes train_ch3 ---

def _softmax_scratch() -> tuple[Callable[[Any], Any], Callable[[Any, Any], Any], Any]:
    """d2l 3.6: softmax regression from scratch."""
    num_inputs, num_outputs = 64, 10
    W = zerograd.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = zerograd.zeros(num_outputs, requires_grad=True)

    def softmax(X: Any) -> Any:
        X_exp = zerograd.exp(X)
        partition = X_exp.sum(1, keepdim=True)
        return X_exp / partition

    def net(X: Any) -> Any:
        return softmax(zerograd.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def cross_entropy(y_hat: Any, y: Any) -> Any:
        return -zerograd.log(y_hat[range(len(y_hat)), y])

    lr = 0.5

    def updater(batch_size: int) -> None:
        return d2l.sgd([W, b], lr, batch_size)

    return net, cross_entropy, updater


def _softmax_concise() -> tuple[Any, Any, Any]:
    """d2l 3.7: nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), CrossEntropyLoss, SGD."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def init_weights(m: Any) -> None:
        if type(m) == nn.Linear:  # noqa: E721 - the book's own test
            nn.init.normal_(m.weight, std=0.01)

    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = zerograd.optim.SGD(net.parameters(), lr=0.5)
    return net, loss, trainer


@pytest.mark.parametrize("make", [_softmax_scratch, _softmax_concise], ids=["scratch", "concise"])
def test_train_ch3_on_digits_passes_d2ls_asserts(make: Callable[[], Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    train_iter, test_iter = d2l.load_data_digits(batch_size=64)
    net, loss, updater = make()
    num_epochs = 10  # the final loss is about 0.27, well inside d2l's 0.5
    d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)  # raises if it fails
    out = capsys.readouterr().out
    epochs = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == num_epochs
    assert epochs[-1].startswith(f"epoch {num_epochs}: train loss ")
    assert os.listdir(tmp_path / "figures") == ["animator-1.png"]
    # predict_ch3 titles the first test images with their true and predicted digits.
    d2l.predict_ch3(net, test_iter, n=4)
    X, y = next(iter(test_iter))
    axes = d2l.plt.gcf().axes
    preds = net(X).argmax(axis=1)
    assert [ax.get_title() for ax in axes] == [f"{int(t)}\n{int(p)}" for t, p in zip(y[:4], preds)]
    assert axes[0].get_images()[0].get_array().shape == (8, 8)


def test_train_ch3_raises_d2ls_assertion_when_training_fails() -> None:
    pytest.importorskip("sklearn")
    train_iter, test_iter = d2l.load_data_digits(batch_size=256)
    net, loss, trainer = _softmax_concise()
    for p in trainer.param_groups:
        p["lr"] = 0.0  # nothing is learned: the loss stays at log(10) > 0.5
    with pytest.raises(AssertionError):
        d2l.train_ch3(net, train_iter, test_iter, loss, 2, trainer)


def test_try_gpu_and_try_all_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    n = zerograd.cuda.device_count()
    assert d2l.try_gpu() == (zerograd.device("cuda:0") if n else zerograd.device("cpu"))
    assert d2l.try_gpu(10) == zerograd.device("cpu")
    monkeypatch.setattr(zerograd.cuda, "device_count", lambda: 2)
    assert repr(d2l.try_gpu(1)) == repr(torch.device("cuda:1"))
    assert repr(d2l.try_gpu(2)) == repr(torch.device("cpu"))
    assert [str(d) for d in d2l.try_all_gpus()] == ["cuda:0", "cuda:1"]
    monkeypatch.setattr(zerograd.cuda, "device_count", lambda: 0)
    assert repr(d2l.try_all_gpus()) == repr([torch.device("cpu")])
