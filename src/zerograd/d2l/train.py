"""Models, losses and training loops of d2l 0.17 (chapters 3-5): linreg, squared_loss, sgd,
accuracy, evaluate_accuracy, train_epoch_ch3, train_ch3, predict_ch3, evaluate_loss, try_gpu,
try_all_gpus.

They do what d2l's torch versions do, line for line in effect, on zerograd tensors; `train_ch3`
keeps d2l's own asserts. Plotting comes from plot.py, data from data.py; nn and optim are
imported when first needed, so `from zerograd import d2l` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._device import device
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.linalg import matmul
from .data import get_fashion_mnist_labels
from .plot import Animator, show_images
from .timer import Accumulator

__all__ = [
    "linreg", "squared_loss", "sgd", "accuracy", "evaluate_accuracy", "train_epoch_ch3",
    "train_ch3", "predict_ch3", "evaluate_loss", "try_gpu", "try_all_gpus",
]  # fmt: skip


def linreg(X: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """The linear regression model Xw + b."""
    return matmul(X, w) + b


def squared_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """Squared loss (y_hat - y)² / 2, elementwise (y is reshaped to y_hat's shape)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[Tensor], lr: float, batch_size: int) -> None:
    """Minibatch SGD: param -= lr * grad / batch_size, in place, then zero the gradients."""
    with no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def accuracy(y_hat: Tensor, y: Tensor) -> float:
    """The number of correct predictions (argmax over dim 1 when y_hat holds scores)."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def _is_module(net: Any) -> bool:
    from ..nn import Module

    return isinstance(net, Module)


def _is_optimizer(updater: Any) -> bool:
    from ..optim import Optimizer

    return isinstance(updater, Optimizer)


def evaluate_accuracy(net: Callable[[Tensor], Tensor], data_iter: Iterable[Any]) -> float:
    """The accuracy of `net` on a data set (an nn.Module is put in eval mode first)."""
    if _is_module(net):
        net.eval()  # type: ignore[attr-defined]
    metric = Accumulator(2)  # correct predictions, predictions
    with no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch_ch3(net: Callable[[Tensor], Tensor], train_iter: Iterable[Any],
                    loss: Callable[[Tensor, Tensor], Tensor],
                    updater: Any) -> tuple[float, float]:
    """Train one epoch; return (mean training loss, training accuracy).

    `updater` is a zerograd.optim optimizer (the loss is averaged before backward) or a function
    of the batch size such as `lambda n: d2l.sgd(params, lr, n)` (the loss is summed).
    """
    if _is_module(net):
        net.train()  # type: ignore[attr-defined]
    metric = Accumulator(3)  # summed loss, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        if _is_optimizer(updater):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net: Callable[[Tensor], Tensor], train_iter: Iterable[Any],
              test_iter: Iterable[Any], loss: Callable[[Tensor, Tensor], Tensor],
              num_epochs: int, updater: Any) -> None:
    """Train for num_epochs, animating loss and accuracies; asserts as d2l does at the end.

    Raises:
        AssertionError: final training loss >= 0.5, or an accuracy <= 0.7 (d2l's checks).
    """
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, train_metrics + (test_acc,))
    train_loss, train_acc = train_metrics
    assert train_loss < 0.5, train_loss
    assert train_acc <= 1 and train_acc > 0.7, train_acc
    assert test_acc <= 1 and test_acc > 0.7, test_acc


def _text_labels(data_iter: Any) -> Callable[[Any], list[str]]:
    """How to name classes: the data set's own names (digits), else Fashion-MNIST's."""
    names: Sequence[str] | None = getattr(getattr(data_iter, "dataset", None), "text_labels", None)
    if names is None:
        return get_fashion_mnist_labels
    return lambda labels: [names[int(i)] for i in labels]


def predict_ch3(net: Callable[[Tensor], Tensor], test_iter: Iterable[Any], n: int = 6) -> None:
    """Show the first n test images titled with their true and predicted labels."""
    X, y = next(iter(test_iter))  # the first batch, as d2l's `for X, y in test_iter: break`
    labels = _text_labels(test_iter)
    trues = labels(y)
    preds = labels(net(X).argmax(axis=1))
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    # d2l hard-codes 28x28 (Fashion-MNIST); the images' own size also serves the digits.
    h, w = X.shape[-2:] if X.ndim == 4 else (28, 28)
    show_images(X[0:n].reshape((n, h, w)), 1, n, titles=titles[0:n])


def evaluate_loss(net: Callable[[Tensor], Tensor], data_iter: Iterable[Any],
                  loss: Callable[[Tensor, Tensor], Tensor]) -> float:
    """The mean loss of `net` over a data set (loss must not reduce: reduction='none')."""
    metric = Accumulator(2)  # summed loss, number of losses
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


def try_gpu(i: int = 0) -> device:
    """device('cuda:i') if that GPU exists, else device('cpu')."""
    from .. import cuda

    if cuda.device_count() >= i + 1:
        return device(f"cuda:{i}")
    return device("cpu")


def try_all_gpus() -> list[device]:
    """All GPUs as devices, or [device('cpu')] when there is none."""
    from .. import cuda

    devices = [device(f"cuda:{i}") for i in range(cuda.device_count())]
    return devices if devices else [device("cpu")]
