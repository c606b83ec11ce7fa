"""End to end: the course's concise implementations, written once against a `torch`-like
module and run on both zerograd and PyTorch from the same seed. Initialisation, shuffling and
dropout draw the same random numbers, so the two runs follow each other to float rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")


def linear_regression(lib):
    """d2l 3.3 (线性回归的简洁实现), verbatim apart from the module name."""
    from_utils = lib.utils.data
    nn = lib.nn
    lib.manual_seed(0)

    def synthetic_data(w, b, num_examples):
        X = lib.normal(0, 1, (num_examples, len(w)))
        y = lib.matmul(X, w) + b
        y += lib.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    true_w = lib.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)

    def load_array(data_arrays, batch_size, is_train=True):
        dataset = from_utils.TensorDataset(*data_arrays)
        return from_utils.DataLoader(dataset, batch_size, shuffle=is_train)

    data_iter = load_array((features, labels), 10)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = lib.optim.SGD(net.parameters(), lr=0.03)
    losses = []
    for _ in range(3):
        for X, y in data_iter:
            l = loss(net(X), y)  # noqa: E741  (the book's name)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        losses.append(loss(net(features), labels).item())
    w, b = net[0].weight.data, net[0].bias.data
    return (true_w - w.reshape(true_w.shape)).tolist(), true_b - b.item(), losses


def test_concise_linear_regression_recovers_parameters_like_torch():
    dw, db, losses = linear_regression(zerograd)
    tdw, tdb, tlosses = linear_regression(torch)
    assert max(abs(d) for d in dw) < 0.01 and abs(db) < 0.01
    assert max(abs(d) for d in tdw) < 0.01 and abs(tdb) < 0.01
    np.testing.assert_allclose(dw, tdw, atol=1e-4)
    np.testing.assert_allclose(db, tdb, atol=1e-4)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-3)


def mlp_classifier(lib):
    """d2l 4.3/4.6 style: Flatten, Linear, ReLU, Dropout, Linear; CrossEntropyLoss('none');
    SGD with a weight-decay parameter group; evaluation in eval mode."""
    nn = lib.nn
    lib.manual_seed(3)
    X = lib.randn(240, 1, 4, 4)
    y = (X.reshape(240, -1).sum(1) > 0).long() + (X[:, 0, 0, 0] > 1).long()
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(X, y), batch_size=32,
                                       shuffle=True, num_workers=4 if lib is zerograd else 0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.2),
                        nn.Linear(32, 3))

    def init_weights(m):
        if type(m) is nn.Linear:
            nn.init.normal_(m.weight, std=0.1)

    net.apply(init_weights)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = lib.optim.SGD([{"params": net[1].weight, "weight_decay": 1e-3},
                             {"params": [net[1].bias, net[4].weight, net[4].bias]}], lr=0.3,
                            momentum=0.5)
    history = []
    for _ in range(4):
        net.train()
        for Xb, yb in loader:
            trainer.zero_grad()
            loss(net(Xb), yb).mean().backward()
            trainer.step()
        net.eval()
        with lib.no_grad():
            out = net(X)
            history.append((loss(out, y).mean().item(),
                            (out.argmax(1) == y).float().mean().item()))
    return history


def test_concise_mlp_with_dropout_follows_torch():
    z, t = mlp_classifier(zerograd), mlp_classifier(torch)
    np.testing.assert_allclose([h[0] for h in z], [h[0] for h in t], rtol=1e-3)
    assert [h[1] for h in z] == [h[1] for h in t]
    assert z[-1][0] < z[0][0]
