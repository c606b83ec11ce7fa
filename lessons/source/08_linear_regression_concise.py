# %% [markdown]
# # 线性回归的简洁实现
#
# 上一课从零实现了线性回归。实际中，数据迭代器、损失函数、优化器和常用的层都由框架提供。本课（d2l 3.3 节）
# 用 `utils.data`、`nn` 和 `optim` 重写同一个模型，代码与 PyTorch 完全相同。

# %%
import zerograd as torch
from zerograd import d2l, nn, viz
from zerograd.utils import data

torch.manual_seed(0)

# %% [markdown]
# ## 生成数据集

# %%
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

# %% [markdown]
# ## 读取数据集
#
# `TensorDataset` 把特征和标签包装成数据集，`DataLoader` 每次随机取出一个小批量。

# %%
def load_array(data_arrays, batch_size, is_train=True):  #@save
    """构造一个 PyTorch 数据迭代器"""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


batch_size = 10
data_iter = load_array((features, labels), batch_size)
next(iter(data_iter))

# %% [markdown]
# ## 定义模型
#
# `nn.Linear(2, 1)` 是全连接层：2 个输入，1 个输出。`nn.Sequential` 把若干层串起来；这里只有一层。

# %%
net = nn.Sequential(nn.Linear(2, 1))
net

# %% [markdown]
# ## 初始化模型参数
#
# `net[0]` 是第一层。用 `weight.data` 和 `bias.data` 访问参数，原地改写它们的值。

# %%
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)

# %% [markdown]
# ## 定义损失函数和优化算法
#
# `nn.MSELoss` 计算均方误差（默认对小批量求平均，没有 $\frac12$）；`optim.SGD` 是小批量随机梯度下降，
# `net.parameters()` 给出所有要优化的参数。

# %%
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)

# %% [markdown]
# 一个小批量的损失在计算图中的样子：`AddmmBackward0` 一步算出 $X W^\top + \mathbf{b}$（全连接层），
# `MseLossBackward0` 是均方误差。与上一课手写的图相比，层和损失都变成了单个节点。

# %%
X, y = next(iter(data_iter))
l = loss(net(X), y)
viz.draw(l, names={"X": X, "y": y, "weight": net[0].weight, "bias": net[0].bias, "l": l})

# %% [markdown]
# ## 训练
#
# 每个小批量：前向计算损失，`trainer.zero_grad()` 清零梯度，`l.backward()` 反向传播，`trainer.step()` 更新参数。

# %%
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f"epoch {epoch + 1}, loss {l:f}")

# %%
w = net[0].weight.data
print("w的估计误差：", true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print("b的估计误差：", true_b - b)
assert (true_w - w.reshape(-1)).abs().max() < 0.01 and abs(true_b - b.item()) < 0.01

# %% [markdown]
# ## 不改一行代码：`%load_ext zerograd`
#
# 前面都写的是 `import zerograd as torch`。加载 zerograd 的 IPython 扩展之后，原本为 PyTorch 写的代码——
# `import torch`、`from torch import nn`、`from d2l import torch as d2l`——会直接得到 zerograd 的模块。
# （命令行里对应的是 `zerograd run 脚本.py`。）zerograd 还没有实现的名字会明确地告诉你。

# %%
# %load_ext zerograd

# %%
import torch
from torch import nn
from torch.utils import data as torch_data

from d2l import torch as d2l_torch

net = nn.Sequential(nn.Linear(2, 1))
print(torch.tensor([1.0, 2.0]) * 2, nn.Linear is d2l.torch.nn.Linear, torch_data.DataLoader)
print(d2l_torch.synthetic_data is d2l.synthetic_data)
try:
    nn.Conv2d(1, 1, kernel_size=3)
except AttributeError as e:
    print("AttributeError:", e)

# %%
# %unload_ext zerograd
