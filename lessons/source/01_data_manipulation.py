# %% [markdown]
# # 数据操作
#
# 本课对应课程笔记「预备知识 · 数据操作」。代码运行在 zerograd 上：写 `import zerograd as torch`，
# 笔记里的 PyTorch 代码就能原样运行，打印出的结果与 PyTorch 相同。
#
# 无论使用哪个深度学习框架，核心都是**张量类**（n 维数组）：PyTorch 和 TensorFlow 中叫 `Tensor`，
# MXNet 中叫 `ndarray`。它和 NumPy 的 `ndarray` 相似，区别在于深度学习框架的张量可以在 GPU 上并行计算，
# 并且支持**自动微分**。zerograd 的张量建立在 NumPy 之上，同样支持自动微分（见第 5 课）。
#
# 张量表示一个由数值组成的 n 维数组，例如：
#
# 1. RGB 图像：高、宽、通道三个维度，是 3 维张量；
# 2. 一批 RGB 图像：再加一个批量维度，是 4 维张量；
# 3. 一批视频：再加一个时间维度，是 5 维张量。

# %%
import zerograd as torch
from zerograd import viz

# %% [markdown]
# ## 入门

# %%
x = torch.arange(12)  # 创建一个 0~11 共 12 个元素的向量
x

# %%
x.shape  # 张量的形状

# %%
x.numel()  # 元素个数（number of elements）

# %%
X = x.reshape(3, 4)  # 重新排成 3 行 4 列；也可以写 x.reshape(-1, 4)，-1 由元素个数推出
X

# %%
torch.zeros(2, 3, 4)  # 形状为 (2, 3, 4) 的全 0 张量：2 个 3 行 4 列的矩阵

# %%
torch.ones(2, 3, 4)

# %%
torch.manual_seed(0)  # 固定随机种子，结果可以复现（同一种子下 zerograd 与 PyTorch 给出相同的数）
torch.randn(3, 4)  # 3 行 4 列，每个元素从标准正态分布中采样

# %%
torch.tensor([[1, 2, 3], [4, 5, 6]])  # 把（嵌套的）Python 列表转成张量

# %% [markdown]
# ### `reshape` 给出的是视图
#
# 运行下面的代码会发现：`a` 和 `b` 是两个不同的 Python 对象（`id` 不同），但修改 `b` 会改变 `a`。
# 这是因为 `reshape` 在可能时返回一个**视图**（view）：新的形状，同一块存储。
#
# > **勘误**：笔记原文写作 `a = arange(12)`，少了 `torch.`，直接运行会报
# > `NameError: name 'arange' is not defined`。应写成 `torch.arange(12)`。

# %%
a = torch.arange(12)
b = a.reshape(3, 4)
b[:] = 2
print(a)
id(a) == id(b), a.data_ptr() == b.data_ptr()  # 不同的对象，同一块存储

# %% [markdown]
# 如果确实需要两份互不影响的数据，用 `clone()` 复制一份：

# %%
A = torch.arange(20).reshape(5, 4)
B = A.clone()
B[0, 0] = 100
A[0, 0], B[0, 0]

# %% [markdown]
# ## 运算符
#
# `+`、`-`、`*`、`/`、`**` 都是**按元素**运算。注意两个整数张量相除 `/` 得到浮点数（真除法），`//` 才是整除。

# %%
x = torch.tensor([1, 2, 3])
y = torch.tensor([4, 5, 6])
x + y, x - y, x * y, x / y, x ** y, y // x

# %% [markdown]
# 上面两个张量的元素都是整数，`dtype` 是 `torch.int64`。实际中张量一般是 32 位浮点数 `torch.float32`，
# 可以用两种方式得到：

# %%
torch.tensor([1.0, 2, 3, 4]), torch.tensor([1, 2, 3, 4], dtype=torch.float32)

# %%
x.dtype, torch.tensor([1.0, 2, 3, 4]).dtype, torch.exp(torch.tensor([0.0, 1.0]))

# %% [markdown]
# ### 连接张量
#
# `torch.cat` 把张量拼接起来：`dim=0` 沿行（纵向）拼接，`dim=1` 沿列（横向）拼接。
# 这里 `X` 是浮点数、`Y` 是整数，拼接结果按类型提升规则成为浮点数。

# %%
X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
Y = torch.tensor([[0, 0, 1, 0], [2, 0, 3, 0], [1, 2, 3, 4]])
torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1)

# %%
X == Y  # 逐元素判断是否相等，得到形状相同的布尔张量

# %%
X.sum()  # 所有元素求和，得到一个只有一个元素的张量（标量）

# %% [markdown]
# ## 广播机制
#
# 两个形状不同的张量做按元素运算时，会先沿长度为 1 的维度把它们“复制”成相同的形状，再运算。
#
# > **更准确的规则**：笔记里说“张量有一个维度为 1 时，才可触发广播机制”。准确地说，从**最后一维**开始
# > 逐维对齐，每一对维度要么相等，要么其中一个是 1（或者那个张量根本没有这一维）。
# > 例如 (3, 1) 和 (1, 2) 广播成 (3, 2)；(5, 4) 和 (4,) 广播成 (5, 4)；(2, 3) 和 (2,) 则不行。

# %%
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
a, b, a + b

# %%
try:
    torch.ones(2, 3) + torch.ones(2)  # 最后一维 3 和 2 既不相等，也都不是 1
except RuntimeError as e:
    print("RuntimeError:", e)

# %% [markdown]
# ## 索引和切片
#
# 与 Python 列表相同，下标从 0 开始，`-1` 是最后一个，切片 `1:3` “左闭右开”。

# %%
X[-1], X[1:3]  # 最后一行；第 2 行和第 3 行（下标 1 和 2）

# %%
X[1, 2] = 9  # 写入单个元素
X[0:2, :] = 12  # 给前两行的所有元素赋值
X

# %% [markdown]
# ## 节省内存
#
# `Y = Y + X` 会为结果分配新的内存，`Y` 指向了一个新对象：

# %%
before = id(Y)
Y = Y + X
id(Y) == before

# %% [markdown]
# 用切片赋值 `Z[:] = ...` 可以把结果写进已经分配好的张量（原地操作），`id` 不变：

# %%
Z = torch.zeros_like(Y)  # 与 Y 形状、类型相同的全 0 张量
print("id(Z):", id(Z))
Z[:] = X + Y
print("id(Z):", id(Z))

# %% [markdown]
# 如果后面不再需要 `X` 原来的值，也可以用 `X[:] = X + Y` 或 `X += Y`：

# %%
before = id(X)
X += Y
id(X) == before

# %% [markdown]
# ## 转换为其他 Python 对象

# %%
A = X.numpy()  # 张量转成 NumPy 数组
B = torch.tensor(A)  # NumPy 数组转成张量
type(A), type(B), isinstance(B, torch.Tensor)

# %%
a = torch.tensor([3.5])  # 只有一个元素的张量可以转成 Python 标量
a, a.item(), float(a), int(a)

# %% [markdown]
# ## 用 zerograd 看一看：广播在反向传播中被“撤销”
#
# 广播把 (3, 1) 和 (1, 2) 的张量扩成 (3, 2) 再相加。求梯度时，每个输入得到的梯度必须和它自己的形状
# 相同，所以被复制出来的那一维要**求和**回去：`a` 的每个元素在结果里出现了 2 次，梯度就是 2；
# `b` 的每个元素出现了 3 次，梯度就是 3。zerograd 把每一步运算记在计算图里，`viz.draw` 把它画出来：

# %%
a = torch.arange(3.0).reshape(3, 1).requires_grad_()
b = torch.arange(2.0).reshape(1, 2).requires_grad_()
c = (a + b).sum()
viz.draw(c)

# %%
c.backward()
a.grad, b.grad
