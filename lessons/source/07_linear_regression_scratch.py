# %% [markdown]
# # 线性回归的从零开始实现
#
# 本课对应课程笔记「线性回归的 pytorch 实现」（d2l 3.2 节）：只用张量和自动微分，从零实现数据流水线、
# 模型、损失函数和小批量随机梯度下降。任务：根据带噪声的线性模型构造一个人造数据集，再用这个有限样本的
# 数据集恢复模型的参数。

# %%
# %matplotlib inline
import random

import zerograd as torch
from zerograd import d2l, viz

torch.manual_seed(0)  # 固定随机种子，每次运行结果相同
random.seed(0)

# %% [markdown]
# ## 生成数据集
#
# 1000 个样本，每个样本有 2 个特征，服从标准正态分布。标签由 $\mathbf{y} = X\mathbf{w} + b + \epsilon$ 生成，
# 其中 $\mathbf{w} = [2, -3.4]^\top$，$b = 4.2$，噪声 $\epsilon$ 服从均值 0、标准差 0.01 的正态分布。

# %%
def synthetic_data(w, b, num_examples):  #@save
    """生成 y = Xw + b + 噪声"""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
print("features:", features[0], "\nlabel:", labels[0])

# %% [markdown]
# 第二个特征 `features[:, 1]` 与标签的散点图显示出明显的线性关系（斜率约为 $-3.4$）：

# %%
d2l.set_figsize()
d2l.plt.scatter(features[:, (1)].detach().numpy(), labels.detach().numpy(), 1);  # noqa: E703

# %% [markdown]
# ## 读取数据集
#
# 训练时要反复取出小批量样本。`data_iter` 打乱样本顺序，每次返回 `batch_size` 个样本的特征和标签。

# %%
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # 样本随机读取，没有特定的顺序
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print(X, "\n", y)
    break

# %% [markdown]
# ## 初始化模型参数
#
# 权重从均值 0、标准差 0.01 的正态分布中采样，偏置初始化为 0。两者都要 `requires_grad=True`，
# 之后才能对它们求梯度。

# %%
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)

# %% [markdown]
# ## 定义模型、损失函数和优化算法

# %%
def linreg(X, w, b):  #@save
    """线性回归模型"""
    return torch.matmul(X, w) + b  # b 是标量，广播到每个样本


def squared_loss(y_hat, y):  #@save
    """均方损失"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):  #@save
    """小批量随机梯度下降"""
    with torch.no_grad():  # 更新参数本身不需要被记录进计算图
        for param in params:
            param -= lr * param.grad / batch_size  # 损失是对批量求和的，除以批量大小得到平均
            param.grad.zero_()  # 梯度会累积，用完清零

# %% [markdown]
# ## 一个样本的梯度：看一看计算迹
#
# 对单个样本 $(x_1, x_2, y)$，损失 $l = \frac12(x_1w_1 + x_2w_2 + b - y)^2$ 对参数的梯度是
# $(\hat y - y)\,[x_1, x_2, 1]$。`viz.trace` 把它拆成基本运算，分别用正向和反向累积算出来：

# %%
x1, x2, y1 = features[0, 0].item(), features[0, 1].item(), labels[0, 0].item()


def one_example_loss(w1, w2, b):
    return (x1 * w1 + x2 * w2 + b - y1) ** 2 / 2


t = viz.trace(one_example_loss, w1=0.1, w2=-0.2, b=0.3)
y_hat = x1 * 0.1 + x2 * -0.2 + 0.3
expected = [(y_hat - y1) * x1, (y_hat - y1) * x2, (y_hat - y1)]
assert all(abs(g - e) < 1e-6 for g, e in zip(t.reverse_gradient, expected))
t

# %% [markdown]
# 一个小批量的损失 `l.sum()` 的计算图：`MmBackward0` 是矩阵乘法 $X\mathbf{w}$，`AddBackward0` 加上偏置，
# 然后是平方损失的几步运算和求和。反向传播沿箭头反方向走到叶子 `w` 和 `b`：

# %%
l = squared_loss(linreg(X, w, b), y)
loss = l.sum()
viz.draw(loss)

# %% [markdown]
# ## 训练
#
# 每个迭代周期（epoch）遍历一遍数据集：取一个小批量，算损失，反向传播求梯度，用 `sgd` 更新参数。
# 学习率 `lr = 0.03`，训练 3 个周期。

# %%
lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss

for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # X 和 y 的小批量损失
        # l 的形状是 (batch_size, 1)，不是标量。把 l 中的元素加起来，再求关于 [w, b] 的梯度
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # 使用参数的梯度更新参数
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")

# %% [markdown]
# 数据是我们自己合成的，所以知道真实参数，可以直接比较：

# %%
print(f"w的估计误差: {true_w - w.reshape(true_w.shape)}")
print(f"b的估计误差: {true_b - b}")
assert (true_w - w.detach().reshape(-1)).abs().max() < 0.01 and abs(true_b - b.item()) < 0.01

# %% [markdown]
# 小结：
#
# - 只用张量和自动微分就能实现并训练一个模型，不需要定义层或复杂的优化器；
# - `backward()` 求梯度，`torch.no_grad()` 里原地更新参数，再把梯度清零；
# - 同样的代码写成脚本，可以用 `zerograd run 脚本.py` 在 zerograd 上原样运行（其中的 `import torch`
#   会得到 zerograd）；`zerograd demo` 运行的正是这一课的训练过程，并把图保存到文件夹里。
