# %% [markdown]
# # 线性回归
#
# 本课对应课程笔记「线性神经网络 · 线性回归」和「基础优化算法」：模型、平方损失、显式解（闭式解），
# 以及梯度下降和小批量随机梯度下降。显式解和梯度下降都在同一份合成数据上实际算一遍。
#
# 例子：根据房屋的面积和房龄估计房价。收集到的数据称为**训练数据集**（训练集），每行数据称为**样本**
# （数据点），要预测的房价称为**标签**（目标），预测所依据的面积和房龄称为**特征**（协变量）。

# %%
# %matplotlib inline
import random

import zerograd as torch
from zerograd import d2l, viz

# %% [markdown]
# ## 模型
#
# 有 $n$ 个输入特征 $x_1, \dots, x_n$，每个有权重 $w_i$，再加偏置 $b$：
# $\hat y = w_1x_1 + \dots + w_nx_n + b = \langle \mathbf{w}, \mathbf{x} \rangle + b$。
# 线性回归是一个单层神经网络：输入层有 $n$ 个输入，输出层有 1 个输出，带权重的层只有一层。
#
# ## 损失函数
#
# 用平方损失衡量预测值 $\hat y$ 与真实值 $y$ 的差距：$l(y, \hat y) = \frac{1}{2}(y - \hat y)^2$，
# 系数 $\frac12$ 让求导后的系数变成 1。
#
# ## 训练数据与参数学习
#
# 设有 $n$ 个样本，$X = [\mathbf{x}_1, \dots, \mathbf{x}_n]^\top$（每行一个样本），$\mathbf{y} = [y_1, \dots, y_n]^\top$。训练损失
#
# $$\ell(X, \mathbf{y}, \mathbf{w}, b) = \frac{1}{2n}\sum_{i=1}^n \left(y_i - \langle \mathbf{x}_i, \mathbf{w} \rangle - b\right)^2 = \frac{1}{2n}\left\|\mathbf{y} - X\mathbf{w} - b\right\|^2,$$
#
# 学习参数就是求 $\mathbf{w}^*, b^* = \arg\min_{\mathbf{w}, b} \ell(X, \mathbf{y}, \mathbf{w}, b)$。
#
# 下面用与课程相同的合成数据：$\mathbf{w} = [2, -3.4]^\top$，$b = 4.2$，加上标准差 0.01 的噪声。

# %%
torch.manual_seed(0)
random.seed(0)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)
features.shape, labels.shape

# %% [markdown]
# ## 显式解
#
# 把偏置并入权重：$X \leftarrow [X, \mathbf{1}]$，$\mathbf{w} \leftarrow [\mathbf{w}; b]$，损失变成
# $\ell(\mathbf{w}) = \frac{1}{2n}\|\mathbf{y} - X\mathbf{w}\|^2$，它的梯度（写成与 $\mathbf{w}$ 同形）是
#
# $$\nabla_{\mathbf{w}}\ell = -\frac{1}{n}X^\top(\mathbf{y} - X\mathbf{w}).$$
#
# > **勘误**：笔记把损失写成 $\frac{1}{2n}\sum_{i}\|y_i - X\mathbf{w}\|^2$，多了求和号（$\|\mathbf{y} - X\mathbf{w}\|^2$
# > 本身已经是对所有样本求和）；又说“线性模型的二阶导一定大于零”。准确地说，二阶导（Hessian）是
# > $X^\top X / n$，它总是**半正定**的，所以损失是凸函数；当 $X$ 列满秩时它正定，最小值点唯一。
#
# 损失是凸的，所以最优解就是梯度为零的点：$X^\top X\mathbf{w}^* = X^\top\mathbf{y}$（**正规方程**），
# 即 $\mathbf{w}^* = (X^\top X)^{-1}X^\top\mathbf{y}$。先用自动微分验证梯度公式：

# %%
X1 = torch.cat([features, torch.ones(len(features), 1)], dim=1)  # 右边加一列 1
w = torch.zeros(3, 1, requires_grad=True)
loss = ((labels - X1 @ w) ** 2).sum() / (2 * len(X1))
loss.backward()
formula = -X1.T @ (labels - X1 @ w.detach()) / len(X1)
w.grad.reshape(-1), formula.reshape(-1), torch.allclose(w.grad, formula, atol=1e-5)

# %%
viz.draw(loss, names={"X1": X1, "w": w, "labels": labels, "loss": loss})

# %% [markdown]
# 求解时不要显式求逆：`linalg.solve` 直接解线性方程组，更快也更稳定；`linalg.lstsq` 直接解最小二乘问题
# （用 QR 或 SVD 分解）。

# %%
w_solve = torch.linalg.solve(X1.T @ X1, X1.T @ labels)
w_lstsq = torch.linalg.lstsq(X1, labels).solution
print(f"true         w = {true_w.tolist()}, b = {true_b}")
print(f"solve(XᵀX)   w = {w_solve[:2, 0].tolist()}, b = {w_solve[2, 0].item():.6f}")
print(f"lstsq        w = {w_lstsq[:2, 0].tolist()}, b = {w_lstsq[2, 0].item():.6f}")
assert (w_solve - w_lstsq).abs().max() < 1e-3

# %% [markdown]
# ### 与小批量随机梯度下降比较
#
# 下一课会一步步实现小批量随机梯度下降；这里先用它训练 3 个周期，和显式解比较。显式解是这份数据上的
# 精确最小值点，SGD 只是逼近它；两者之差应与噪声（$\sigma = 0.01$）同一量级。

# %%
def data_iter(batch_size, features, labels):
    indices = list(range(len(features)))
    random.shuffle(indices)
    for i in range(0, len(features), batch_size):
        j = torch.tensor(indices[i: i + batch_size])
        yield features[j], labels[j]


w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for _ in range(3):  # 3 个周期
    for X, y in data_iter(10, features, labels):
        d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
        d2l.sgd([w, b], 0.03, 10)
w_sgd = torch.cat([w.detach()[:, 0], b.detach()])
gap_sgd = (w_solve[:, 0] - w_sgd).abs().max().item()
gap_true = (w_solve[:, 0] - torch.tensor([2, -3.4, 4.2])).abs().max().item()
print(f"SGD          w = {w_sgd[:2].tolist()}, b = {w_sgd[2].item():.6f}")
print(f"max |显式解 − SGD|  = {gap_sgd:.2e}")
print(f"max |显式解 − 真值| = {gap_true:.2e}  （数据只能把 w 确定到噪声的精度）")
assert gap_sgd < 0.01 and gap_true < 0.01

# %% [markdown]
# ### 最小二乘法实例：用直线 $y = a + bx$ 拟合五个点
#
# 设计矩阵的第一列全是 1（对应截距 $a$），第二列是 $x$。最小二乘的几何意义：残差与设计矩阵的每一列正交
# （$A^\top \mathbf{r} = \mathbf{0}$）。

# %%
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
y = torch.tensor([2.2, 2.8, 3.6, 4.5, 5.1])
A = torch.stack([torch.ones(5), x], dim=1)
a_b = torch.linalg.solve(A.T @ A, A.T @ y)  # 正规方程 AᵀA [a, b]ᵀ = Aᵀy
residual = y - A @ a_b
print(f"a = {a_b[0].item():.4f}, b = {a_b[1].item():.4f}")
print("残差 y − ŷ =", [round(r, 4) for r in residual.tolist()])
print("Aᵀ(y − ŷ) =", [round(v, 5) for v in (A.T @ residual).tolist()])
d2l.set_figsize()
d2l.plt.scatter(x.numpy(), y.numpy())
d2l.plt.plot(x.numpy(), (A @ a_b).numpy(), "r-")
d2l.plt.xlabel("x")
d2l.plt.ylabel("y");  # noqa: E703

# %% [markdown]
# ## 基础优化算法
#
# ### 梯度下降
#
# 大多数模型没有显式解。这时挑一个初始值 $\mathbf{w}_0$，沿负梯度方向不断更新：
# $\mathbf{w}_{t+1} = \mathbf{w}_t - \eta \nabla \ell(\mathbf{w}_t)$。**学习率** $\eta$ 是步长，是一个**超参数**
# （人为指定、不由训练学出的参数），太小收敛慢，太大会发散。
#
# 对上面的损失，Hessian 是 $X^\top X / n$，它的特征值都接近 1，所以学习率超过约 $2/\lambda_{\max}$ 就会发散：

# %%
H = X1.T @ X1 / len(X1)
eig = torch.linalg.eigvalsh(H)
print("Hessian 的特征值:", [round(v, 3) for v in eig.tolist()])
print(f"发散阈值 2/λmax ≈ {2 / eig.max().item():.3f}")


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


# 学习率太小、合适、太大
rates = {"lr=0.01 (too small)": 0.01, "lr=0.5 (good)": 0.5, "lr=2.5 (too large)": 2.5}
curves = {name: gradient_descent(r) for name, r in rates.items()}
small, good, large = curves.values()
assert good[-1] < 1e-3 < small[-1] and large[-1] > large[0]
d2l.plot(list(range(1, 11)), list(curves.values()), "epoch", "loss", legend=list(curves),
         yscale="log")

# %% [markdown]
# ### 小批量随机梯度下降
#
# 在整个训练集上算一次梯度太贵。随机采样 $b$ 个样本 $i_1, \dots, i_b$，用它们的平均损失近似：
# $\frac{1}{b}\sum_{j=1}^{b} l(\mathbf{x}_{i_j}, y_{i_j}, \mathbf{w})$。**批量大小** $b$ 是另一个重要的超参数：
# 太小不能充分利用并行计算、梯度噪声大，太大计算开销大。
#
# 总结：
#
# - 线性回归是对 $n$ 维输入的加权求和再加偏置，用平方损失衡量预测与真实值的差异；
# - 线性回归有显式解（大多数模型没有），可以看作单层神经网络；
# - 梯度下降沿负梯度方向更新参数；小批量随机梯度下降是深度学习默认的求解算法；
# - 两个重要的超参数是批量大小 $b$ 和学习率 $\eta$。
