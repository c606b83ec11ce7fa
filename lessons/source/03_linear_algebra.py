# %% [markdown]
# # 线性代数
#
# 本课对应课程笔记「预备知识 · 线性代数基础」：标量、向量、矩阵和张量，降维求和，点积，
# 矩阵-向量积，矩阵乘法和范数。笔记中有几处代码直接运行会报错，本课都改正了，并在原处说明原因。

# %%
import zerograd as torch
from zerograd import viz

# %% [markdown]
# ## 标量、向量、矩阵与张量
#
# 标量是只有一个元素的张量，向量是一维张量，矩阵是二维张量，更高维的统称张量。

# %%
x, y = torch.tensor(3.0), torch.tensor(2.0)
x + y, x * y, x / y, x ** y

# %%
v = torch.arange(4)
v, v[3], len(v), v.shape

# %%
A = torch.arange(20).reshape(5, 4)
A, A.T  # A.T 是转置

# %%
B = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
B == B.T  # 对称矩阵等于自己的转置

# %% [markdown]
# `reshape` 的参数从左到右对应从外到内的维度：最左边的参数是最外层的维数，最右边的是最内层（列数）。
# 数值按“最右边的下标变化最快”的顺序填入：`(0,0,0,0), (0,0,0,1), …, (0,0,0,4), (0,0,1,0), …`。

# %%
X = torch.arange(120).reshape(2, 3, 4, 5)
X

# %% [markdown]
# ## 张量算法的基本性质
#
# 形状相同的张量做按元素运算，结果形状不变。两个矩阵按元素相乘称为 **Hadamard 积**，记作 $A \odot B$。

# %%
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
B = A.clone()  # 分配新内存，复制一份
A * B  # Hadamard 积

# %%
a = 2
X = torch.arange(24).reshape(2, 3, 4)
a + X, (a * X).shape  # 张量加上或乘以标量：每个元素都与标量运算

# %% [markdown]
# ## 降维
#
# - 不带参数的 `sum()` 对所有元素求和，得到标量；
# - `axis`（或 `dim`）指定沿哪一维求和，这一维在结果中消失；
# - `keepdim=True` 保留这一维（长度变成 1），便于后面用广播和原张量运算；
# - `cumsum` 沿某一维求累积和，不降维。
#
# > **勘误**：笔记中写的是 `X = torch.arange(20, dtype=torch.float32)`，接着 `X.reshape(4, 5)`，
# > 然后 `X.sum(axis=1)`。但 `reshape` 返回一个**新的**张量，并不改变 `X` 本身，所以 `X` 仍是形状为
# > `(20,)` 的一维张量，它只有第 0 维，`X.sum(axis=1)` 会报错：

# %%
X = torch.arange(20, dtype=torch.float32)
X.reshape(4, 5)  # 返回新张量，X 本身不变
try:
    X.sum(axis=1)
except IndexError as e:
    print("IndexError:", e)
X.shape

# %% [markdown]
# 正确的写法是把 `reshape` 的结果赋给变量。下面用 5 行 4 列的矩阵 `A`：

# %%
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
A.sum(), A.sum(axis=0), A.sum(axis=1), A.sum(axis=[0, 1])  # 最后一个与 A.sum() 相同

# %%
sum_A = A.sum(axis=1, keepdim=True)  # 形状 (5, 1)，不降维
sum_A, A / sum_A  # 借助广播，每行除以这一行的和

# %%
A.mean(), A.sum() / A.numel()  # mean 就是求和再除以元素个数

# %%
A.mean(axis=0), A.sum(axis=0) / A.shape[0]  # 按列求均值

# %%
A.cumsum(axis=0)  # 沿行累积求和

# %% [markdown]
# ## 点积
#
# 两个向量的点积是相同位置元素乘积之和：$\mathbf{x}^\top\mathbf{y} = \sum_i x_i y_i$。
#
# > **勘误**：笔记中 `x = torch.arange(4)` 是整数（`int64`）向量，`y = torch.ones(4)` 是浮点向量。
# > `torch.dot` 不做类型提升，要求两个向量的 `dtype` 相同，所以会报 `RuntimeError`：

# %%
try:
    torch.dot(torch.arange(4), torch.ones(4))
except RuntimeError as e:
    print("RuntimeError:", e)

# %%
x = torch.arange(4, dtype=torch.float32)
y = torch.ones(4, dtype=torch.float32)
x, y, torch.dot(x, y), torch.sum(x * y)  # 点积也可以写成按元素相乘再求和

# %% [markdown]
# ## 矩阵-向量积
#
# 矩阵 $A\in\mathbb{R}^{m\times n}$ 乘向量 $\mathbf{x}\in\mathbb{R}^n$ 得到 $\mathbf{x}$ 的一个线性变换
# $A\mathbf{x}\in\mathbb{R}^m$，第 $i$ 个元素是 $A$ 的第 $i$ 行与 $\mathbf{x}$ 的点积。
#
# > **勘误**：笔记中 `A = torch.arange(20).reshape(5, 4)` 是整数矩阵，而 `x` 是浮点向量，`torch.mv`
# > 同样要求类型一致。这里用浮点矩阵 `A`。

# %%
A.shape, x.shape, torch.mv(A, x), A @ x  # mv: matrix-vector；@ 也可以

# %% [markdown]
# ## 矩阵乘法
#
# $AB$ 要求 $A$ 的列数等于 $B$ 的行数：$(m\times k)(k\times n)\to m\times n$。
#
# > **勘误**：笔记中直接计算 `torch.mm(A, B)`，而那里的 `A`、`B` 都是 5×4，形状不匹配：

# %%
try:
    torch.mm(A, A.clone())
except RuntimeError as e:
    print("RuntimeError:", e)

# %%
B = torch.ones(4, 3)
torch.mm(A, B)  # (5×4)(4×3) → 5×3

# %% [markdown]
# ## 范数
#
# - $L_2$ 范数：$\|\mathbf{x}\|_2 = \sqrt{\sum_{i=1}^n x_i^2}$，用 `torch.norm`；
# - $L_1$ 范数：各元素绝对值之和，`torch.abs(u).sum()`；
# - 矩阵的 Frobenius 范数：所有元素平方和的平方根，也用 `torch.norm`。

# %%
u = torch.tensor([3.0, -4.0])
torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9)))

# %% [markdown]
# ## 用 zerograd 看一看：范数的梯度
#
# $L_2$ 范数 $f(u_1, u_2) = \sqrt{u_1^2 + u_2^2}$ 的梯度是 $\mathbf{u}/\|\mathbf{u}\|$：在 $(3, -4)$
# 处为 $(0.6, -0.8)$。`viz.trace` 把计算拆成一步一步的基本运算（计算迹），并分别用正向累积和反向累积
# 求导数——第 5 课会详细讲这两种模式：

# %%
viz.trace(lambda u1, u2: torch.sqrt(u1 * u1 + u2 * u2), u1=3.0, u2=-4.0)

# %% [markdown]
# 对向量做同样的计算，zerograd 记录下的计算图只有三步：按元素平方、求和、开方。对 `u` 求梯度得到同样的结果：

# %%
u = torch.tensor([3.0, -4.0], requires_grad=True)
norm = torch.sqrt((u * u).sum())
norm.backward()
print(u.grad)
assert torch.allclose(u.grad, u.detach() / norm.detach())
viz.draw(norm)

# %% [markdown]
# 矩阵-向量积在计算图里是一个运算 `MvBackward0`，它为反向传播保存了两个输入：

# %%
x = torch.arange(4.0, requires_grad=True)
y = torch.mv(A, x).sum()
viz.draw(y)
