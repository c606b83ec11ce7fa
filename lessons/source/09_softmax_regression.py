# %% [markdown]
# # softmax 回归
#
# 线性回归预测“多少”，**分类**问题预测“哪一类”。本课对应 d2l 3.4–3.7 节：softmax 回归的模型与交叉熵损失，
# 从零实现，再用 `nn` 简洁实现。d2l 书中用 Fashion-MNIST（需要下载）；这里用 scikit-learn 自带的手写数字
# 数据集（1797 张 8×8 的灰度图，10 类），离线即可运行，接口与 `d2l.load_data_fashion_mnist` 相同。

# %%
# %matplotlib inline
import zerograd as torch
from zerograd import d2l, nn, viz

torch.manual_seed(0)

# %% [markdown]
# ## 分类问题与 softmax 回归
#
# 类别用**独热编码**（one-hot）表示：10 类就是 10 维向量，正确类别的位置为 1，其余为 0。
#
# 模型对每个类别各算一个线性输出（**未规范化的预测**，logits）：$\mathbf{o} = W^\top\mathbf{x} + \mathbf{b}$，
# 每个输出都依赖所有输入，所以 softmax 回归的输出层是**全连接层**。再用 softmax 把输出变成概率：
#
# $$\hat{\mathbf{y}} = \mathrm{softmax}(\mathbf{o}), \qquad \hat y_j = \frac{\exp(o_j)}{\sum_k \exp(o_k)}.$$
#
# 所有 $\hat y_j$ 非负、和为 1，且不改变 $\mathbf{o}$ 的大小顺序：$\arg\max_j \hat y_j = \arg\max_j o_j$。
#
# ## 损失函数：交叉熵
#
# 最大化正确类别的预测概率（极大似然），等价于最小化**交叉熵损失**
# $l(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_j y_j \log \hat y_j$（独热的 $\mathbf{y}$ 只留下正确类别那一项）。
# 把 softmax 代进去求导，得到一个很简洁的结果：
#
# $$\frac{\partial l}{\partial o_j} = \mathrm{softmax}(\mathbf{o})_j - y_j,$$
#
# 即“预测概率减去真实概率”。用计算迹验证：3 个类别，正确类别是第 0 类。

# %%
def cross_entropy_of_logits(o1, o2, o3):
    return -torch.log(torch.exp(o1) / (torch.exp(o1) + torch.exp(o2) + torch.exp(o3)))


t = viz.trace(cross_entropy_of_logits, o1=1.0, o2=2.0, o3=0.5)
p = torch.softmax(torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64), dim=0)
expected = (p - torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)).tolist()
assert all(abs(g - e) < 1e-9 for g, e in zip(t.reverse_gradient, expected))
print("softmax(o) − y =", [round(v, 4) for v in expected])
t

# %% [markdown]
# ## 读取数据集
#
# `d2l.load_data_digits` 返回训练集和测试集的迭代器（80% 训练、20% 测试），每个小批量的图像形状是
# (批量大小, 1, 8, 8)，像素值在 0 到 1 之间。

# %%
batch_size = 64
train_iter, test_iter = d2l.load_data_digits(batch_size)
X, y = next(iter(train_iter))
X.shape, X.dtype, y.shape, y.dtype, len(train_iter.dataset), len(test_iter.dataset)

# %%
d2l.show_images(X[:12].reshape(12, 8, 8), 2, 6, titles=[str(int(v)) for v in y[:12]]);  # noqa: E703

# %% [markdown]
# ## 从零开始实现
#
# ### 初始化模型参数
#
# 每张图展平成 64 维向量，输出 10 类，所以 $W$ 是 64×10，$\mathbf{b}$ 是 10 维。

# %%
num_inputs, num_outputs = 64, 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

# %% [markdown]
# ### 定义 softmax 操作
#
# 对每一行（每个样本）：求指数，按行求和得到规范化常数（配分函数），再相除。回忆 `sum(1, keepdim=True)`：

# %%
X_demo = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
X_demo.sum(0, keepdim=True), X_demo.sum(1, keepdim=True)

# %%
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # 这里应用了广播机制


X_prob = softmax(torch.normal(0, 1, (2, 5)))
X_prob, X_prob.sum(1)

# %% [markdown]
# ### 定义模型和交叉熵损失
#
# `y_hat[range(len(y_hat)), y]` 用整数数组索引，一次取出每个样本的正确类别的预测概率：

# %%
def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


y_demo = torch.tensor([0, 2])
y_hat_demo = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y_hat_demo[[0, 1], y_demo]

# %%
def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


cross_entropy(y_hat_demo, y_demo)

# %% [markdown]
# ### 分类精度
#
# 预测类别是概率最大的那一类；分类精度是预测正确的比例。第一个样本预测为第 2 类（错），第二个也是第 2 类（对）：

# %%
def accuracy(y_hat, y):  #@save
    """计算预测正确的数量"""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


accuracy(y_hat_demo, y_demo) / len(y_demo)

# %% [markdown]
# 随机初始化的模型只能瞎猜，在测试集上的精度很低（瞎猜的期望精度是 $1/10$）：

# %%
d2l.evaluate_accuracy(net, test_iter)

# %% [markdown]
# 一个小批量的损失的计算图：矩阵乘法、加偏置、softmax 的三步（指数、求和、相除）、按正确类别取值、取对数、求和。

# %%
l = cross_entropy(net(X[:4]), y[:4]).sum()
viz.draw(l, names={"X": X, "W": W, "b": b, "l": l})

# %% [markdown]
# ### 训练
#
# 使用 `d2l.train_ch3`（与 d2l 书中相同：每个周期训练一遍，在测试集上评估，画出训练损失和精度），
# 更新参数用上一课的小批量随机梯度下降 `d2l.sgd`。训练结束时 `train_ch3` 会检查：训练损失小于 0.5，
# 训练精度和测试精度都大于 0.7。

# %%
lr = 0.5


def updater(batch_size):
    return d2l.sgd([W, b], lr, batch_size)


num_epochs = 10
d2l.train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater)

# %% [markdown]
# ### 预测
#
# 每张图上方是真实标签，下方是预测：

# %%
d2l.predict_ch3(net, test_iter)

# %% [markdown]
# ## 简洁实现
#
# ### 数值稳定性
#
# 从零实现的 softmax 直接求 $\exp(o_j)$：$o_j$ 很大时会上溢成 `inf`，得到 `nan`。

# %%
o = torch.tensor([[100.0, 0.0]])
softmax(o), torch.log(softmax(o))

# %% [markdown]
# 解决办法是先减去最大值 $\max_k o_k$（不改变 softmax 的值），并把 softmax 和对数合在一起算：
# $\log \hat y_j = o_j - \max_k o_k - \log\sum_k \exp(o_k - \max_k o_k)$（LogSumExp 技巧）。
# `nn.CrossEntropyLoss` 就是这样做的，它直接接受未规范化的输出 $\mathbf{o}$：

# %%
torch.log_softmax(o, dim=1), nn.CrossEntropyLoss()(o, torch.tensor([1]))

# %% [markdown]
# ### 模型、损失与优化器
#
# `nn.Flatten()` 把每张图展平成 64 维向量，`nn.Linear(64, 10)` 是全连接层。

# %%
net = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.5)

# %% [markdown]
# 现在 softmax 和对数合成了数值稳定的一步 `LogSoftmaxBackward0`，`NllLossBackward0`（负对数似然）
# 再取出每个样本正确类别的那一项（zerograd 把它的内部步骤也画了出来）：

# %%
l = loss(net(X[:4]), y[:4]).sum()
viz.draw(l, names={"X": X, "weight": net[1].weight, "bias": net[1].bias, "l": l})

# %%
d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)

# %% [markdown]
# 小结：
#
# - softmax 把输出变成概率分布；交叉熵衡量预测分布与真实分布的差距，它对 logits 的梯度是 $\mathrm{softmax}(\mathbf{o}) - \mathbf{y}$；
# - 从零实现的 softmax 可能上溢；`nn.CrossEntropyLoss` 用 LogSumExp 技巧，数值稳定；
# - 两种实现在手写数字数据集上都通过了 `train_ch3` 的检查（训练损失 < 0.5，精度 > 0.7）。
