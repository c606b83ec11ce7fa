# %% [markdown]
# # 数据预处理
#
# 本课对应课程笔记「预备知识 · 数据预处理」：用 pandas 读取一个小的 CSV 数据集，处理缺失值，
# 再转换成张量。数据在本地生成，不需要网络。

# %%
import os

import pandas as pd

import zerograd as torch
from zerograd import viz

# %% [markdown]
# ## 读取数据集
#
# 先创建一个人工数据集，存在 `../data/house_tiny.csv`。每行是一个样本（一次房屋交易），
# 列依次是房间数量、街道类型和价格；`NA` 表示缺失值（not available）。

# %%
os.makedirs(os.path.join("..", "data"), exist_ok=True)  # 创建目录；目录已存在时不报错
data_file = os.path.join("..", "data", "house_tiny.csv")
with open(data_file, "w") as f:
    f.write("NumRooms,Alley,Price\n")  # 列名：房间数量, 街道类型, 价格
    f.write("NA,Pave,127500\n")  # 每行是一个数据样本
    f.write("2,NA,106000\n")
    f.write("4,NA,178100\n")
    f.write("NA,NA,140000\n")

# %%
data = pd.read_csv(data_file)  # pandas 把 NA 读成 NaN（not a number）
print(data)

# %% [markdown]
# ## 处理缺失值
#
# 处理缺失数据的典型方法有**插值**（用一个替代值填上）和**删除**（忽略缺失的行或列）。这里用插值。
#
# 1. 数值列：用这一列的均值填充。`iloc` 按位置选取（index location）：前两列是输入，最后一列是输出。

# %%
inputs, outputs = data.iloc[:, 0:2], data.iloc[:, 2]
inputs = inputs.fillna(inputs.mean(numeric_only=True))  # 只对数值列求均值
print(inputs)

# %% [markdown]
# 2. 类别列：`Alley` 只有 `Pave` 和 `NaN` 两种取值。`get_dummies` 把它变成两列独热（one-hot）编码
#    `Alley_Pave` 和 `Alley_nan`。新版 pandas 的结果是布尔值，`* 1` 把它们变成整数 0/1。

# %%
inputs = pd.get_dummies(inputs, dummy_na=True) * 1
print(inputs)

# %% [markdown]
# ## 转换为张量格式
#
# 现在所有列都是数值，可以转成张量。`to_numpy(dtype=float)` 可以指定数据类型；`.values` 直接取底层的
# NumPy 数组。NumPy 的浮点数默认是 64 位，所以得到的张量是 `torch.float64`。

# %%
X = torch.tensor(inputs.to_numpy(dtype=float))
y = torch.tensor(outputs.to_numpy(dtype=float))
A = torch.tensor(inputs.values)
X, y, A

# %% [markdown]
# 深度学习一般用 32 位浮点数就够了（省一半内存，计算也更快），可以在创建时指定：

# %%
X32 = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
X32.dtype, X32.element_size(), X.element_size()  # 每个元素占的字节数

# %% [markdown]
# ## 练习：删除缺失值最多的列
#
# 除了插值，也可以直接删除。下面重新读入原始数据，找出缺失值最多的列并删掉它。

# %%
raw = pd.read_csv(data_file)
missing = raw.isna().sum()
print(missing)
raw.drop(columns=missing.idxmax())

# %% [markdown]
# ## 用 zerograd 看一看：预处理在计算图之外
#
# 数据本身不需要梯度，所以对数据做的预处理（例如标准化：减均值、除以标准差）不会被记录，
# 结果没有 `grad_fn`：

# %%
X_std = (X - X.mean(dim=0)) / X.std(dim=0)
X_std, X_std.requires_grad, X_std.grad_fn

# %% [markdown]
# 只有当某个输入 `requires_grad=True` 时，zerograd 才会把运算记进计算图。同样的标准化，如果对一个需要
# 梯度的张量做，就会得到下面这张计算图：每个方框是一次运算（名字与 PyTorch 的 `grad_fn` 相同），
# 蓝色的是叶子（输入），绿色的是结果。

# %%
W = torch.tensor(inputs.to_numpy(dtype=float), requires_grad=True)
W_std = (W - W.mean(dim=0)) / W.std(dim=0)
viz.draw(W_std)
