"""线性回归的显式解（闭式解）与小批量随机梯度下降：同一份合成数据，两条路，同一个答案。

Run: python lessons_src/linear_regression_closed_form.py
Three parts, following the course notes:
  1. 线性回归有显示解: w* = (XᵀX)⁻¹Xᵀy by linalg.solve on the normal equations and by
     linalg.lstsq, against minibatch SGD (batch 10, lr 0.03, 3 epochs) on d2l's synthetic data.
  2. 最小二乘法实例: a line through five points, solved in closed form.
  3. 梯度下降法实例: full-batch gradient descent with learning rates too small, good, too large.
"""

from __future__ import annotations

import random

import zerograd as torch

torch.manual_seed(0)
random.seed(0)


# --- 数据：与 d2l 3.2 节相同的合成数据集 y = Xw + b + ε -----------------------------------------


def synthetic_data(w, b, num_examples):
    """生成 y = Xw + b + 噪声（噪声标准差 0.01）。"""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)

# 把偏置并入权重：在 X 右边加一列 1，于是 ŷ = X̃ w̃，w̃ = [w; b]。
X1 = torch.cat([features, torch.ones(len(features), 1)], dim=1)


# --- 1. 显式解 ------------------------------------------------------------------------------------
# 损失 ‖y − X̃w̃‖² 对 w̃ 求导并令其为零，得到正规方程 X̃ᵀX̃ w̃ = X̃ᵀy。
# 不要显式求逆：solve 解线性方程组，更快也更稳定；lstsq 直接解最小二乘问题（QR/SVD）。

w_solve = torch.linalg.solve(X1.T @ X1, X1.T @ labels)
w_lstsq = torch.linalg.lstsq(X1, labels).solution

print("== 1. 线性回归的显式解 vs 小批量随机梯度下降 ==")
print(f"true         w = {true_w.tolist()}, b = {true_b}")
print(f"solve(XᵀX)   w = {w_solve[:2, 0].tolist()}, b = {w_solve[2, 0].item():.6f}")
print(f"lstsq        w = {w_lstsq[:2, 0].tolist()}, b = {w_lstsq[2, 0].item():.6f}")


# --- 小批量随机梯度下降（d2l 3.2 节的从零实现）----------------------------------------------------


def data_iter(batch_size, features, labels):
    """打乱样本顺序，每次取出 batch_size 个。"""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr, num_epochs, batch_size = 0.03, 3, 10
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        squared_loss(linreg(X, w, b), y).sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")

w_sgd = torch.cat([w.detach()[:, 0], b.detach()])
print(f"SGD          w = {w_sgd[:2].tolist()}, b = {w_sgd[2].item():.6f}")

# 显式解是这份数据上的精确最小值点；SGD 只是逼近它。两者之差应与噪声同一量级（噪声 σ = 0.01）。
gap_closed = (w_solve[:, 0] - w_lstsq[:, 0]).abs().max().item()
gap_sgd = (w_solve[:, 0] - w_sgd).abs().max().item()
gap_true = (w_solve[:, 0] - torch.tensor([2, -3.4, 4.2])).abs().max().item()
print(f"max |solve − lstsq|  = {gap_closed:.2e}   (same answer, two algorithms)")
print(f"max |closed − SGD|   = {gap_sgd:.2e}   (SGD has converged to within the noise)")
print(f"max |closed − true|  = {gap_true:.2e}   (the data only determine w up to the noise)")
assert gap_closed < 1e-3 and gap_sgd < 0.01 and gap_true < 0.01


# --- 2. 最小二乘法实例 ----------------------------------------------------------------------------
# 用直线 y = a + b·x 拟合五个点。设计矩阵的第一列全是 1（对应截距 a），第二列是 x。

print("\n== 2. 最小二乘法实例：y = a + b·x 拟合五个点 ==")
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
y = torch.tensor([2.2, 2.8, 3.6, 4.5, 5.1])
A = torch.stack([torch.ones(5), x], dim=1)
print("AᵀA =", (A.T @ A).tolist())
print("Aᵀy =", (A.T @ y).tolist())
a_b = torch.linalg.solve(A.T @ A, A.T @ y)  # 正规方程 AᵀA [a, b]ᵀ = Aᵀy
print(f"正规方程:  a = {a_b[0].item():.4f}, b = {a_b[1].item():.4f}")
a_b2 = torch.linalg.lstsq(A, y.unsqueeze(1)).solution[:, 0]
print(f"lstsq:     a = {a_b2[0].item():.4f}, b = {a_b2[1].item():.4f}")
residual = y - A @ a_b
print("残差 y − ŷ =", [round(r, 4) for r in residual.tolist()],
      f" 平方和 = {float(residual @ residual):.4f}")
# 最小二乘的几何意义：残差与 A 的每一列正交（Aᵀr = 0）。
print("Aᵀ(y − ŷ) =", [round(v, 6) for v in (A.T @ residual).tolist()])


# --- 3. 梯度下降法实例 ----------------------------------------------------------------------------
# 全批量梯度下降，损失 L(w̃) = ‖X̃w̃ − y‖² / (2n)。它的 Hessian 是 X̃ᵀX̃/n，特征值都接近 1，
# 所以学习率超过约 2 就会发散，太小则走得很慢。

print("\n== 3. 梯度下降法实例：学习率太小、合适、太大 ==")
H = X1.T @ X1 / len(X1)
print("Hessian 的特征值 =", [round(v, 3) for v in torch.linalg.eigvalsh(H).tolist()],
      f" → 发散阈值 2/λmax ≈ {2 / torch.linalg.eigvalsh(H).max().item():.3f}")


def gradient_descent(lr, num_epochs=10):
    wt = torch.zeros(3, 1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((X1 @ wt - labels) ** 2).mean() / 2
        loss.backward()
        with torch.no_grad():
            wt -= lr * wt.grad
            wt.grad.zero_()
        losses.append(float(((X1 @ wt.detach() - labels) ** 2).mean() / 2))
    return losses


rates = {"太小 lr=0.01": 0.01, "合适 lr=0.5": 0.5, "太大 lr=2.5": 2.5}
curves = {name: gradient_descent(r) for name, r in rates.items()}
print("epoch " + "".join(f"{name:>16}" for name in curves))
for epoch in range(10):
    print(f"{epoch + 1:5d} " + "".join(f"{c[epoch]:16.4g}" for c in curves.values()))
small, good, large = curves.values()
assert good[-1] < 1e-3 < small[-1] and large[-1] > large[0]
print("学习率太小：损失下降缓慢；合适：几步就到噪声水平（≈ σ²/2 = 5e-5）；")
print("学习率太大：损失越来越大，发散。")
