"""The course's workloads, written once against the torch API.

Each workload is a function of the module that plays `torch` (zerograd or PyTorch itself), so
both frameworks run exactly the same source. It returns a zero-argument callable (one timed
unit: an epoch, a step, one forward+backward) and a check that says whether the result is
right. Hand-written NumPy counterparts live in numpy_ref.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Unit = Callable[[], Any]


# --- 1. d2l 3.2, linear regression from scratch --------------------------------------------------


def synthetic_data(torch: Any, w: Any, b: float, num_examples: int) -> tuple[Any, Any]:
    """y = Xw + b + noise, as d2l 3.2 writes it."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(torch: Any, batch_size: int, features: Any, labels: Any) -> Any:
    """d2l's minibatch generator: a Python list of indices shuffled with `random`."""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg_scratch(torch: Any) -> tuple[Unit, Callable[[], float]]:
    """One epoch of d2l 3.2 (batch 10, lr 0.03); check: parameter error after the epochs."""
    torch.manual_seed(0)
    random.seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(torch, true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def linreg(X: Any, w: Any, b: Any) -> Any:
        return torch.matmul(X, w) + b

    def squared_loss(y_hat: Any, y: Any) -> Any:
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params: Any, lr: float, batch_size: int) -> None:
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    def epoch() -> None:
        for X, y in data_iter(torch, 10, features, labels):
            loss = squared_loss(linreg(X, w, b), y)
            loss.sum().backward()
            sgd([w, b], 0.03, 10)

    def error() -> float:
        err_w = (w.detach().reshape(-1) - true_w).abs().max()
        return float(max(err_w, abs(float(b.detach()) - true_b)))

    return epoch, error


# --- 2. d2l 3.3, the concise version --------------------------------------------------------------


def linreg_concise(torch: Any) -> tuple[Unit, Callable[[], float]]:
    """One epoch of d2l 3.3 (DataLoader, nn.Linear, MSELoss, optim.SGD)."""
    nn, data = torch.nn, torch.utils.data
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(torch, true_w, true_b, 1000)
    loader = data.DataLoader(data.TensorDataset(features, labels), batch_size=10, shuffle=True)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)

    def epoch() -> None:
        for X, y in loader:
            ls = loss(net(X), y)
            trainer.zero_grad()
            ls.backward()
            trainer.step()

    def error() -> float:
        w = net[0].weight.data.reshape(-1)
        err_w = (w - true_w).abs().max()
        return float(max(err_w, abs(float(net[0].bias.data) - true_b)))

    return epoch, error


# --- 3. per-op overhead ---------------------------------------------------------------------------


def op_overhead(torch: Any, shape: tuple[int, ...],
                mode: str) -> tuple[Unit, Callable[[], float]]:
    """z = x * y + x: forward without grad, with grad-tracking leaves, or forward + backward."""
    torch.manual_seed(0)
    x = torch.rand(shape)
    y = torch.rand(shape)
    if mode != "forward":
        x.requires_grad_(True)
        y.requires_grad_(True)

    def forward() -> Any:
        return x * y + x

    def forward_backward() -> None:
        z = x * y + x
        z.sum().backward()

    def check() -> float:  # the gradient of sum(x*y + x) w.r.t. x is y + 1
        if mode != "backward":
            return 0.0
        x.grad = None
        forward_backward()
        return float((x.grad - (y.detach() + 1)).abs().max())

    return (forward_backward if mode == "backward" else forward), check


# --- 4. an MLP training step ----------------------------------------------------------------------


def mlp_step(torch: Any) -> tuple[Unit, Callable[[], float]]:
    """Batch 256, 784 -> 256 -> 10, ReLU, CrossEntropyLoss, SGD(lr=0.1): one step."""
    nn = torch.nn
    torch.manual_seed(0)
    X = torch.randn(256, 784)
    y = torch.randint(0, 10, (256,))
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.CrossEntropyLoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.1)
    first: list[float] = []

    def step() -> float:
        ls = loss(net(X), y)
        trainer.zero_grad()
        ls.backward()
        trainer.step()
        value = float(ls.detach())
        if not first:
            first.append(value)
        return value

    def check() -> float:  # the loss must go down on this fixed batch
        return max(0.0, step() - first[0]) if first else 1.0

    return step, check


# --- 5. big matrix products ----------------------------------------------------------------------


def matmul_bw(torch: Any, n: int, backward: bool) -> tuple[Unit, Callable[[], float]]:
    """C = A @ B for n×n float32, and optionally C.sum().backward()."""
    torch.manual_seed(0)
    A = torch.randn(n, n, requires_grad=backward)
    B = torch.randn(n, n, requires_grad=backward)

    def forward() -> Any:
        return A @ B

    def forward_backward() -> None:
        (A @ B).sum().backward()

    def check() -> float:
        if not backward:
            return 0.0
        A.grad = None
        forward_backward()  # d sum(AB) / dA = 1 Bᵀ: every row is B's row sums
        return float((A.grad[0] - B.detach().sum(1)).abs().max() / n)

    return (forward_backward if backward else forward), check
