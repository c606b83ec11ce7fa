"""The same workloads written by hand in NumPy, gradients derived on paper.

This is the floor for a NumPy backend: no framework, no graph, no checks. Each function has
the signature of its counterpart in workloads.py, minus the `torch` module.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

Unit = Callable[[], Any]
_rng = np.random.default_rng(0)


def _data(n: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    true_w, true_b = np.array([2, -3.4], np.float32), 4.2
    X = _rng.standard_normal((n, 2)).astype(np.float32)
    y = (X @ true_w + true_b + 0.01 * _rng.standard_normal(n)).astype(np.float32)
    return X, y.reshape(-1, 1), true_w, true_b


def linreg_scratch() -> tuple[Unit, Callable[[], float]]:
    """d2l 3.2 by hand: loss (Xw + b - y)²/2 summed over the batch, SGD lr 0.03."""
    X, y, true_w, true_b = _data()
    w = (0.01 * _rng.standard_normal((2, 1))).astype(np.float32)
    b = np.zeros(1, np.float32)

    def epoch() -> None:
        nonlocal w, b
        indices = list(range(len(X)))
        random.shuffle(indices)
        for i in range(0, len(X), 10):
            idx = np.array(indices[i: i + 10])
            xb, yb = X[idx], y[idx]
            r = xb @ w + b - yb  # d loss / d y_hat
            w -= 0.03 * (xb.T @ r) / 10
            b -= 0.03 * r.sum(0) / 10

    def error() -> float:
        return float(max(np.abs(w.reshape(-1) - true_w).max(), abs(float(b[0]) - true_b)))

    return epoch, error


def linreg_concise() -> tuple[Unit, Callable[[], float]]:
    """d2l 3.3 by hand: mean squared error, SGD lr 0.03, shuffled batches of 10."""
    X, y, true_w, true_b = _data()
    w = (0.01 * _rng.standard_normal((1, 2))).astype(np.float32)
    b = np.zeros(1, np.float32)

    def epoch() -> None:
        order = _rng.permutation(len(X))
        for i in range(0, len(X), 10):
            idx = order[i: i + 10]
            xb, yb = X[idx], y[idx]
            r = 2 * (xb @ w.T + b - yb) / len(idx)  # d mean((y_hat - y)²) / d y_hat
            w[...] -= 0.03 * (r.T @ xb)
            b[...] -= 0.03 * r.sum(0)

    def error() -> float:
        return float(max(np.abs(w.reshape(-1) - true_w).max(), abs(float(b[0]) - true_b)))

    return epoch, error


def op_overhead(shape: tuple[int, ...], mode: str) -> tuple[Unit, Callable[[], float]]:
    """z = x * y + x; backward of z.sum(): x_bar = y + 1, y_bar = x."""
    x = _rng.random(shape).astype(np.float32)
    y = _rng.random(shape).astype(np.float32)

    def forward() -> Any:
        return x * y + x

    def forward_backward() -> tuple[Any, Any]:
        z = x * y + x
        g = np.ones_like(z)
        return g * y + g, g * x

    return (forward_backward if mode == "backward" else forward), lambda: 0.0


def mlp_step() -> tuple[Unit, Callable[[], float]]:
    """784 -> 256 -> 10 with ReLU and softmax cross-entropy, backprop by hand, SGD lr 0.1."""
    X = _rng.standard_normal((256, 784)).astype(np.float32)
    y = _rng.integers(0, 10, 256)
    k1, k2 = 1 / np.sqrt(784), 1 / np.sqrt(256)
    W1 = _rng.uniform(-k1, k1, (256, 784)).astype(np.float32)
    b1 = _rng.uniform(-k1, k1, 256).astype(np.float32)
    W2 = _rng.uniform(-k2, k2, (10, 256)).astype(np.float32)
    b2 = _rng.uniform(-k2, k2, 10).astype(np.float32)
    rows = np.arange(256)
    first: list[float] = []

    def step() -> float:
        h = X @ W1.T + b1
        a = np.maximum(h, 0)
        o = a @ W2.T + b2
        o = o - o.max(1, keepdims=True)
        logp = o - np.log(np.exp(o).sum(1, keepdims=True))
        loss = -logp[rows, y].mean()
        go = np.exp(logp)
        go[rows, y] -= 1
        go /= 256
        gW2, gb2 = go.T @ a, go.sum(0)
        gh = (go @ W2) * (h > 0)
        gW1, gb1 = gh.T @ X, gh.sum(0)
        for p, gp in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2)):
            p -= 0.1 * gp
        if not first:
            first.append(float(loss))
        return float(loss)

    def check() -> float:
        return max(0.0, step() - first[0]) if first else 1.0

    return step, check


def matmul_bw(n: int, backward: bool) -> tuple[Unit, Callable[[], float]]:
    """C = A @ B; backward of C.sum(): A_bar = 1 Bᵀ, B_bar = Aᵀ 1."""
    A = _rng.standard_normal((n, n)).astype(np.float32)
    B = _rng.standard_normal((n, n)).astype(np.float32)

    def forward() -> Any:
        return A @ B

    def forward_backward() -> tuple[Any, Any]:
        C = A @ B
        G = np.ones_like(C)
        return G @ B.T, A.T @ G

    return (forward_backward if backward else forward), lambda: 0.0
