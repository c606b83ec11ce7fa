# %% [markdown]
# # 微积分
#
# 本课对应课程笔记「预备知识 · 微积分（标量向量求导）」：导数和切线、偏导数与梯度、链式法则，
# 以及矩阵求导的**分子布局**与**分母布局**。每个公式都用 zerograd 的自动微分和有限差分验证一遍。

# %%
# %matplotlib inline
import zerograd as torch
from zerograd import d2l, func, viz

# %% [markdown]
# ## 导数和微分
#
# 导数的定义：$f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}$。取 $f(x) = 3x^2 - 4x$，在 $x = 1$ 处
# 让 $h$ 越来越小，差商趋近于 $f'(1) = 6 \cdot 1 - 4 = 2$：

# %%
def f(x):
    return 3 * x ** 2 - 4 * x


def numerical_lim(f, x, h):
    return (f(x + h) - f(x)) / h


h = 0.1
for _ in range(5):
    print(f"h={h:.5f}, numerical limit={numerical_lim(f, 1, h):.5f}")
    h *= 0.1

# %% [markdown]
# 在 $x = 1$ 处的切线是 $y = f'(1)(x - 1) + f(1) = 2x - 3$。`d2l.plot` 把函数和切线画在一起：

# %%
x = torch.arange(0, 3, 0.1)
d2l.plot(x, [f(x), 2 * x - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"])

# %% [markdown]
# 自动微分给出同样的导数。`viz.trace` 展示它是怎么一步一步算出来的：上表是前向计算的每个中间变量，
# 中表是**正向累积**（每个变量对 $x$ 的导数 $\dot v$ 随前向计算一起传播），下表是**反向累积**
# （从输出开始，把 $\bar v = \partial f / \partial v$ 传回输入）。

# %%
t = viz.trace(f, x=1.0)
assert abs(t.reverse_gradient[0] - 2.0) < 1e-12 and abs(t.forward_gradient[0] - 2.0) < 1e-12
t

# %% [markdown]
# ## 偏导数和梯度
#
# 多元函数 $y = f(x_1, \dots, x_n)$ 对 $x_i$ 的偏导数把其他变量看作常数。所有偏导数组成**梯度**
# $\nabla_{\mathbf{x}} f(\mathbf{x}) = [\partial_{x_1} f, \dots, \partial_{x_n} f]^\top$。
# 常用的几条规则（$A$ 为矩阵，$\mathbf{x}$ 为 $n$ 维向量）：
#
# - $\nabla_{\mathbf{x}} A\mathbf{x}$ 的每一行与 $A$ 的列对应：$\nabla_{\mathbf{x}} (\mathbf{c}^\top A\mathbf{x}) = A^\top \mathbf{c}$
# - $\nabla_{\mathbf{x}} \mathbf{x}^\top A \mathbf{x} = (A + A^\top)\mathbf{x}$
# - $\nabla_{\mathbf{x}} \|\mathbf{x}\|^2 = \nabla_{\mathbf{x}} \mathbf{x}^\top\mathbf{x} = 2\mathbf{x}$

# %%
torch.manual_seed(0)
A = torch.randn(3, 4)
c = torch.randn(3)
x = torch.randn(4, requires_grad=True)
(c @ A @ x).backward()
print(torch.allclose(x.grad, A.T @ c))
x.grad = None
(x @ x).backward()
print(torch.allclose(x.grad, 2 * x.detach()))

# %% [markdown]
# ## 链式法则
#
# 若 $y = f(u)$、$u = g(x)$，则 $\frac{dy}{dx} = \frac{dy}{du}\frac{du}{dx}$。例如 $y = \sin(x^2)$：
# $\frac{dy}{dx} = \cos(x^2) \cdot 2x$。计算迹里的每一行正是链式法则的一步：

# %%
viz.trace(lambda x: torch.sin(x * x), x=1.5)

# %% [markdown]
# ## 矩阵求导：分子布局与分母布局
#
# 笔记中的表格（分子布局，$\mathbf{x}$ 为 $n$ 维列向量，$\mathbf{y}$ 为 $m$ 维列向量，$X$ 为 $n \times k$ 矩阵）：
#
# |  | 标量 $x$ | 向量 $\mathbf{x}\ (n,1)$ | 矩阵 $X\ (n,k)$ |
# |:---:|:---:|:---:|:---:|
# | 标量 $y$ | $\partial y/\partial x\ (1,)$ | $\partial y/\partial \mathbf{x}\ (1,n)$ | $\partial y/\partial X\ (k,n)$ |
# | 向量 $\mathbf{y}\ (m,1)$ | $\partial \mathbf{y}/\partial x\ (m,1)$ | $\partial \mathbf{y}/\partial \mathbf{x}\ (m,n)$ | $\partial \mathbf{y}/\partial X\ (m,k,n)$ |
# | 矩阵 $Y\ (m,l)$ | $\partial Y/\partial x\ (m,l)$ | $\partial Y/\partial \mathbf{x}\ (m,l,n)$ | $\partial Y/\partial X\ (m,l,k,n)$ |
#
# 分子布局保留分子的维度、把分母的维度转置放到后面；分母布局的结果正好是它的转置。
# 向量对向量的导数（**雅可比矩阵**）在分子布局下是 $m \times n$ 的，第 $i$ 行是 $\partial f_i / \partial \mathbf{x}$。
# `func.jacrev`（反向模式）和 `func.jacfwd`（正向模式）给出的正是分子布局的雅可比矩阵。
#
# 例：$\mathbf{f}: \mathbb{R}^3 \to \mathbb{R}^2$，$\mathbf{f}(\mathbf{x}) = [x_0 x_1,\ \sin x_2 + x_0^2]^\top$。

# %%
torch.set_default_dtype(torch.float64)  # 下面要和有限差分比较，用双精度


def f2(x):
    return torch.stack([x[0] * x[1], torch.sin(x[2]) + x[0] ** 2])


def central_difference_jacobian(f, x, eps=1e-6):
    """数值雅可比：第 j 列是 (f(x + εe_j) − f(x − εe_j)) / 2ε，同样是 m×n 的分子布局。"""
    cols = []
    for j in range(x.numel()):
        e = torch.zeros_like(x)
        e[j] = eps
        cols.append((f(x + e) - f(x - e)) / (2 * eps))
    return torch.stack(cols, dim=-1)


x = torch.tensor([1.0, 2.0, 0.5])
J = func.jacrev(f2)(x)
print("J.shape =", tuple(J.shape), "(m × n)")
print(J)
print("第 0 行 = [x1, x0, 0]      =", [x[1].item(), x[0].item(), 0.0])
print("第 1 行 = [2x0, 0, cos x2] =", [2 * x[0].item(), 0.0, round(torch.cos(x[2]).item(), 4)])
assert torch.allclose(J, func.jacfwd(f2)(x))  # 正向模式给出同一个矩阵
assert torch.allclose(J, central_difference_jacobian(f2, x), atol=1e-8)

# %% [markdown]
# 标量函数 $s: \mathbb{R}^n \to \mathbb{R}$ 在分子布局下的导数是 $1 \times n$ 的行向量；深度学习框架里的
# **梯度**是它的转置，形状与 $\mathbf{x}$ 相同——这样才能直接做 $\mathbf{x} \leftarrow \mathbf{x} - \eta \nabla s$。

# %%
s = lambda v: (v ** 2).sum()  # noqa: E731
func.jacrev(s)(x).shape, func.grad(s)(x)

# %% [markdown]
# ### 两个恒等式
#
# - $\frac{\partial A\mathbf{y}}{\partial \mathbf{y}} = A$（分子布局；分母布局下是 $A^\top$）；
# - $\frac{\partial \mathbf{y}^\top A\mathbf{y}}{\partial \mathbf{y}} = (A + A^\top)\mathbf{y}$（写成与 $\mathbf{y}$
#   同形的梯度）；只有 $A$ 对称时它才等于 $2A\mathbf{y}$。

# %%
torch.manual_seed(0)
m, n = 3, 4
A_rect = torch.randn(m, n)
y = torch.randn(n)
J_lin = func.jacrev(lambda v: A_rect @ v)(y)
print(f"A 是 {m}×{n}，jacrev(y ↦ Ay).shape = {tuple(J_lin.shape)}")
assert torch.allclose(J_lin, A_rect)
assert torch.allclose(central_difference_jacobian(lambda v: A_rect @ v, y), A_rect, atol=1e-8)

A = torch.randn(n, n)  # 一般的（不对称的）方阵
quad = lambda v: v @ A @ v  # noqa: E731  即 yᵀAy
formula = (A + A.T) @ y
by_func = func.grad(quad)(y)
y_leaf = y.clone().requires_grad_()
(by_autograd,) = torch.autograd.grad(quad(y_leaf), y_leaf)
by_fd = central_difference_jacobian(lambda v: quad(v).reshape(1), y)[0]
print("(A + Aᵀ)y     =", formula)
print("func.grad     =", by_func)
print("autograd.grad =", by_autograd)
print("有限差分       =", by_fd)
assert torch.allclose(by_func, formula) and torch.allclose(by_autograd, formula)
assert torch.allclose(by_fd, formula, atol=1e-7)
print("A 不对称时 2Ay 与 (A + Aᵀ)y 的最大差 =", (2 * A @ y - formula).abs().max().item())

# %% [markdown]
# `yᵀAy` 的计算图：两次矩阵乘法。反向传播沿着图从输出走回 `y`，`y` 被用了两次，两条路径的梯度相加，
# 于是得到 $A^\top\mathbf{y} + A\mathbf{y}$。

# %%
q = quad(y_leaf)
viz.draw(q, names={"y": y_leaf, "A": A, "q": q})

# %%
torch.set_default_dtype(torch.float32)  # 恢复默认的单精度
