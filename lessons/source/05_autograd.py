# %% [markdown]
# # 自动微分
#
# 本课对应课程笔记「预备知识 · 自动微分」：向量链式法则，计算图的显式与隐式构造，自动求导的正向累积
# 与反向累积（用笔记中的例子 $f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2$ 逐步演示），雅可比矩阵，
# 以及 PyTorch 风格的 `backward()`。zerograd 的 `viz.trace` 和 `viz.draw` 把每一步都摆在眼前。

# %%
import math
import time

import zerograd as torch
from zerograd import func, sym, viz
from zerograd.autograd import forward_ad as fwAD

# %% [markdown]
# ## 向量链式法则：线性回归实例
#
# 设 $\mathbf{x}, \mathbf{w} \in \mathbb{R}^n$，$y \in \mathbb{R}$，$z = (\langle \mathbf{x}, \mathbf{w} \rangle - y)^2$。
# 分解为 $a = \langle \mathbf{x}, \mathbf{w} \rangle$，$b = a - y$，$z = b^2$，按链式法则（分子布局）：
#
# $$\frac{\partial z}{\partial \mathbf{w}} = \frac{\partial z}{\partial b}\frac{\partial b}{\partial a}\frac{\partial a}{\partial \mathbf{w}} = 2b \cdot 1 \cdot \mathbf{x}^\top$$
#
# 自动微分得到的梯度（与 $\mathbf{w}$ 同形，即上式的转置）与公式一致：

# %%
torch.manual_seed(0)
x = torch.randn(5)
y = torch.tensor(0.5)
w = torch.randn(5, requires_grad=True)
z = (torch.dot(x, w) - y) ** 2
z.backward()
b = torch.dot(x, w.detach()) - y
w.grad, 2 * b * x, torch.allclose(w.grad, 2 * b * x)

# %%
viz.draw(z)

# %% [markdown]
# ## 符号求导、数值求导与自动求导
#
# 1. **符号求导**按法则推出导数的表达式，如 $x^a \to a x^{a-1}$；
# 2. **数值求导**用差商近似：$f'(x) \approx \frac{f(x+h) - f(x)}{h}$。$h$ 太大截断误差大，$h$ 太小舍入误差大；
# 3. **自动求导**把计算拆成基本运算，每个基本运算的导数是已知的，用链式法则把它们组合起来，
#    得到的是精确到浮点误差的导数值（不是表达式，也不是近似）。

# %%
def f(x1, x2):
    return torch.log(x1) + x1 * x2 - torch.sin(x2)


exact = 2 - math.cos(5)  # ∂f/∂x2 = x1 − cos(x2)，在 (2, 5) 处
x1 = torch.tensor(2.0, dtype=torch.float64)
for h in [1e-1, 1e-4, 1e-8, 1e-12]:
    x2 = torch.tensor(5.0, dtype=torch.float64)
    numeric = ((f(x1, x2 + h) - f(x1, x2)) / h).item()
    print(f"h = {h:.0e}: 差商 = {numeric:.10f}, 误差 = {abs(numeric - exact):.1e}")
x2 = torch.tensor(5.0, dtype=torch.float64, requires_grad=True)
f(x1, x2).backward()
print(f"自动微分:  {x2.grad.item():.10f}, 误差 = {abs(x2.grad.item() - exact):.1e}")

# %% [markdown]
# ## 计算图：显式构造与隐式构造
#
# 计算图把计算表示成一个有向无环图，节点是运算，边是数据。
#
# - **显式构造**（TensorFlow 1.x、Theano、MXNet 的 `sym`）：先写出公式（图），再喂入数值运行；
# - **隐式构造**（PyTorch、MXNet 的 `autograd.record`）：直接用数值计算，框架在计算的同时把图记录下来。
#
# 简单地说，显式构造“先给公式再给值”，隐式构造“先给值再给公式”。笔记里用 MXNet 举例；
# zerograd 两种都有：`zerograd.sym` 是显式图，普通的张量运算是隐式图。
#
# ### 显式构造：先给公式，再给值
#
# 笔记中的 MXNet 代码 `a = sym.var(); b = sym.var(); c = 2 * a + b` 在 zerograd 里几乎一样。`a`、`b` 只是
# **占位符**（placeholder），没有数值；`c` 是一张图（一个公式），打印出来是编号的清单（Wengert 列表）：

# %%
a = sym.var("a")  # 不声明形状：图可以在任意形状上运行
b = sym.var("b")
c = 2 * a + b
print(c)

# %% [markdown]
# 数值在**运行时**才给出。同一张图可以换一组数值、换一个形状再运行：

# %%
c1 = c.eval(a=torch.ones((2, 1)), b=torch.ones((2, 1)))
c2 = c.eval(a=torch.tensor([1.0, 2.0, 3.0]), b=torch.tensor(10.0))  # 另一组数值、另一个形状
c1, c2

# %% [markdown]
# 声明了形状的占位符，每次运行都会检查喂入的数据：

# %%
a3, b3 = sym.var("a", shape=(2, 1)), sym.var("b", shape=(2, 1))
c3 = 2 * a3 + b3
try:
    c3.eval(a=torch.ones(3), b=torch.ones((2, 1)))
except sym.FeedError as e:
    print("FeedError:", e)
c3.draw()

# %% [markdown]
# ### 隐式构造：先给值，边算边记录
#
# 笔记中的 MXNet 代码在 `autograd.record()` 里计算；PyTorch 和 zerograd 里对应的是 `requires_grad=True`。
# `c` 算出来就已经是数值了，它的 `grad_fn` 记录了它是怎么来的——这就是（反向）计算图的节点：

# %%
a_t = torch.ones((2, 1), requires_grad=True)  # requires_grad=True 相当于 autograd.record()
b_t = torch.ones((2, 1), requires_grad=True)
c_t = 2 * a_t + b_t
print(c_t)
print(c_t.grad_fn, c_t.grad_fn.next_functions)
viz.draw(c_t)

# %% [markdown]
# 把同一个函数在隐式（eager）模式下运行一遍并记录下来（`sym.trace`），得到的图与手写的显式图完全相同：

# %%
traced = sym.trace(lambda a, b: 2 * a + b, a_t.detach(), b_t.detach())
cmp = sym.compare(traced, c3, titles=["隐式 traced (eager run)", "显式 authored (sym.var)"])
assert cmp.same
cmp

# %% [markdown]
# ## 自动求导的两种模式
#
# 对链式求导式 $\frac{\partial y}{\partial x}=\frac{\partial y}{\partial u_n}\frac{\partial u_n}{\partial u_{n-1}}\cdots\frac{\partial u_2}{\partial u_1}\frac{\partial u_1}{\partial x}$：
#
# 1. **正向累积**从 $x$ 出发，自右向左乘：每个中间变量 $v$ 带着它对输入的导数 $\dot v = \partial v / \partial x$
#    一起向前算。一次正向只能得到对**一个**输入方向的导数，不需要存中间结果；
# 2. **反向累积**先正向计算并**存下**中间结果，再从输出出发，自左向右乘：把 $\bar v = \partial f / \partial v$
#    从输出传回每个中间变量和输入。一次反向得到对**所有**输入的导数，但要存中间结果——这就是神经网络
#    训练占显存的原因。
#
# ### 例：$f(x_1, x_2) = \ln(x_1) + x_1x_2 - \sin(x_2)$，在 $(x_1, x_2) = (2, 5)$ 处
#
# 中间变量：$v_1 = \ln x_1$，$v_2 = x_1 x_2$，$v_3 = \sin x_2$，$v_4 = v_1 + v_2$，$f = v_4 - v_3$。
# 下面三张表由 zerograd 实际执行得到（计算迹里输入记作 $v_{-1} = x_1$、$v_0 = x_2$，$f = v_5$）：
#
# - **正向计算**：每个中间变量的值；
# - **正向累积**：每个中间变量对 $x_1$、$x_2$ 的导数，每个输入一列（要跑两遍）；
# - **反向累积**：按 zerograd 反向传播引擎实际的执行顺序，每一步把伴随值 $\bar v$ 传给输入；
#   一个变量被用了几次，就会收到几份贡献，累加起来（`+=` 的行）。

# %%
t = viz.trace(f, x1=2.0, x2=5.0)
t

# %% [markdown]
# > **勘误**：笔记在反向传播的最后一步写成
# > $\frac{\partial f}{\partial x_2} = x_1 - \cos(x_2) \approx 2 - (-0.283) = 2.283$，这是把 $\cos 5$ 的符号弄错了。
# > 5 弧度在第四象限（$3\pi/2 \approx 4.71 < 5 < 2\pi \approx 6.28$），余弦为**正**：$\cos 5 \approx +0.2837$。
# > 正确结果是 $2 - 0.2837 = 1.7163$，与正向累积的结果相同——两种模式算的是同一个导数，结果必须一致。
# > 上表的 `v̄₀ = v̄₃ * cos(v₀) = -0.2837` 一行正是这个 $-\cos 5$ 的贡献。

# %%
assert abs(t.reverse_gradient[1] - (2 - math.cos(5))) < 1e-12
assert abs(t.reverse_gradient[1] - 1.7163) < 5e-5 and math.cos(5) > 0
print("∂f/∂x1 = 1/x1 + x2 =", 1 / 2 + 5, "   ∂f/∂x2 = x1 − cos(x2) =", round(2 - math.cos(5), 4))

# %% [markdown]
# 计算图（反向传播沿箭头的反方向走）。`x1` 和 `x2` 各被用了两次，所以各有两条路径把梯度传回来：

# %%
x1 = torch.tensor(2.0, requires_grad=True)
x2 = torch.tensor(5.0, requires_grad=True)
y = f(x1, x2)
viz.draw(y)

# %% [markdown]
# 用 PyTorch 的接口：反向模式是 `backward()`；正向模式是 `forward_ad`（对偶数），或者 `func.jvp`。

# %%
y.backward()
print("反向模式 backward():", x1.grad, x2.grad)

with fwAD.dual_level():  # 正向模式：给 x1 的切向量为 1，x2 为 0，得到 ∂f/∂x1
    d1 = fwAD.make_dual(torch.tensor(2.0), torch.tensor(1.0))
    d2 = fwAD.make_dual(torch.tensor(5.0), torch.tensor(0.0))
    print("正向模式 forward_ad:  ∂f/∂x1 =", fwAD.unpack_dual(f(d1, d2)).tangent)
point, direction = (torch.tensor(2.0), torch.tensor(5.0)), (torch.tensor(0.0), torch.tensor(1.0))
_, df_dx2 = func.jvp(f, point, direction)
print("正向模式 func.jvp:    ∂f/∂x2 =", df_dx2)

# %% [markdown]
# ### 在显式图上求导
#
# 显式图可以在运行之前被**变换**。对图求导，得到的是**另一张图**（每个基本运算用它自己的反向规则），
# 可以求二阶导数，也可以用正向规则得到切线图（`sym.jvp`）：

# %%
x1s, x2s = sym.var("x1", shape=()), sym.var("x2", shape=())
fs = f(x1s, x2s)  # 同一个 f，作用在占位符上
df1, df2 = sym.grad(fs, [x1s, x2s])
print(sym.Graph([fs, df1, df2]))
feeds = {"x1": torch.tensor(2.0), "x2": torch.tensor(5.0)}
value, g1, g2 = sym.Graph([fs, df1, df2]).run(feeds)
(h11,) = sym.grad(df1, [x1s])  # 二阶导数 ∂²f/∂x1² = −1/x1²
tangent = sym.jvp(fs, [x1s, x2s], [torch.tensor(1.0), torch.tensor(0.0)])
print(f"f = {value.item():.4f}, ∂f/∂x1 = {g1.item():.4f}, ∂f/∂x2 = {g2.item():.4f}, "
      f"∂²f/∂x1² = {h11.eval(feeds).item():.4f}, 正向 jvp = {tangent.eval(feeds).item():.4f}")
assert abs(g2.item() - (2 - math.cos(5))) < 1e-5 and abs(h11.eval(feeds).item() + 0.25) < 1e-6

# %% [markdown]
# 显式图的另一个好处：运行前可以优化（常量折叠、公共子表达式消除、删除死节点），再**编译**成一个直接
# 在 NumPy 数组上运行的 Python 函数，省掉隐式模式每一步运算的开销（创建张量、类型提升、记录计算图）：

# %%
w = sym.var("w", shape=(3,))
loss = (w * w).sum()
(gw,) = sym.grad(loss, [w])
step = sym.compile(sym.optimize(sym.Graph([loss, gw])))
print(step.source)
l_c, g_c = step(torch.tensor([1.0, -2.0, 3.0]).numpy())
float(l_c), g_c.tolist()

# %% [markdown]
# ## 雅可比矩阵：什么时候用正向，什么时候用反向
#
# 对 $\mathbf{y} = \mathbf{f}(\mathbf{x})$，$\mathbf{f}: \mathbb{R}^n \to \mathbb{R}^m$，雅可比矩阵 $J$ 是 $m \times n$ 的。
#
# - **正向模式**一次算出 $J\mathbf{v}$（雅可比-向量积，JVP），$\mathbf{v} \in \mathbb{R}^n$ 是**输入**空间的一个方向。
#   要得到整个 $J$，需要 $n$ 次（每个输入一次）；
# - **反向模式**一次算出 $\mathbf{u}^\top J$（向量-雅可比积，VJP），$\mathbf{u} \in \mathbb{R}^m$ 是**输出**空间的向量，
#   例如上游梯度 $\partial l / \partial \mathbf{y}$，于是 $\frac{\partial l}{\partial \mathbf{x}} = \mathbf{u}^\top J$。
#   要得到整个 $J$，需要 $m$ 次（每个输出一次）。
#
# 所以输入少、输出多（$n \ll m$）时正向模式划算，输出少、输入多（$n \gg m$）时反向模式划算。
# 神经网络的损失是标量（$m = 1$），参数成千上万，所以训练用反向传播。
#
# > **勘误**：笔记在“正向传播”一段中把 $\mathbf{v}$ 定义为 $\partial l/\partial \mathbf{y}$（$m$ 维），却与 $n$ 列的
# > $J$ 相乘，又说“正向传播适用于输入更多的场景”。这两处都不对：与 $J$ 右乘的 $\mathbf{v}$ 是输入空间的
# > $n$ 维方向；正向模式的代价随**输入**个数增长，适用于输入**少**的场景（与该节开头的结论一致）。
#
# 下面用 $\tanh(A\mathbf{x})$ 验证：两种模式得到同一个 $J$，而耗时取决于 $n$ 和 $m$ 哪个大。

# %%
def timed(fn, x):
    start = time.perf_counter()
    out = fn(x)
    return out, time.perf_counter() - start


def compare_modes(n, m):
    A = torch.randn(m, n)

    def g(x):  # g: R^n -> R^m
        return torch.tanh(A @ x)

    x = torch.randn(n)
    J_fwd, t_fwd = timed(func.jacfwd(g), x)
    J_rev, t_rev = timed(func.jacrev(g), x)
    assert torch.allclose(J_fwd, J_rev, atol=1e-6)
    print(f"n={n:3d} 个输入, m={m:3d} 个输出: J 是 {tuple(J_fwd.shape)}; "
          f"正向 jacfwd {t_fwd * 1e3:6.1f} ms, 反向 jacrev {t_rev * 1e3:6.1f} ms")


torch.manual_seed(0)
compare_modes(4, 400)
compare_modes(400, 4)

# %% [markdown]
# ## 实现：`backward()`
#
# ### 一个简单的例子：$y = 2\mathbf{x}^\top\mathbf{x}$，梯度为 $4\mathbf{x}$

# %%
x = torch.arange(4.0)
x.requires_grad_(True)  # 等价于 x = torch.arange(4.0, requires_grad=True)，之后用 x.grad 访问梯度
y = 2 * torch.dot(x, x)
y.backward()  # 反向传播求导
print(x.grad)  # 访问导数
print(x.grad == 4 * x)  # 验证

# %% [markdown]
# 默认情况下梯度会**累积**，所以再次求导前要清零（名字以 `_` 结尾的方法是原地操作）：

# %%
x.grad.zero_()  # 梯度清零
y = x.sum()
y.backward()
print(x.grad)

# %% [markdown]
# 梯度累积并非毫无用处：一个批量太大放不进内存时，可以切成几个小批量分别 `backward()`，梯度自动累加起来；
# 多个模型共享同一个权重时，各处的梯度也会自然相加。
#
# ### 非标量变量的反向传播
#
# 为什么不直接对 `y = 2 * x * x` 调用 `backward()`？因为 `y` 是向量：`backward()` 只能对**标量输出**
# 隐式地从 1 开始反向传播（笔记写成“梯度计算只支持标量输入”，应为标量**输出**）。对向量输出，要么先求和
# 成标量，要么传入 `gradient` 参数（即上游梯度 $\mathbf{u}$，得到 $\mathbf{u}^\top J$）：

# %%
x.grad.zero_()
y = x * x
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError:", e)
y.sum().backward()  # 等价于 y.backward(torch.ones(len(x)))
x.grad

# %% [markdown]
# ### 分离计算
#
# `detach()` 得到一个值相同、但不再属于计算图的张量，反向传播时被当作常数。下面 `z = u * x`，
# `u` 是 `y = x * x` 分离出来的常数，所以 $\partial z / \partial x = u$，而不是 $3x^2$：

# %%
x.grad.zero_()
y = x * x
u = y.detach()  # u 只有 y 的值，不再记录它是怎么算出来的
z = u * x  # 将 u 视为常数
z.sum().backward()
x.grad == u

# %%
viz.draw(z)  # 图里 u 是一个叶子（常数），从 u 回不到 x

# %% [markdown]
# ### Python 控制流的梯度计算
#
# 即使计算图要经过 Python 控制流（条件、循环、函数调用），仍然可以求梯度：图是**运行时**记录的，
# 记下的是这一次实际走过的路径。下面 `f(a)` 的 `while` 循环次数和 `if` 分支都取决于 `a` 的值，
# 但无论走哪条路，`f(a) = k·a`（$k$ 是某个常数），所以梯度等于 $k = f(a)/a$。

# %%
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)  # size=() 是 0 维张量，即标量
d = f(a)
d.backward()
a.grad, d / a, a.grad == d / a, torch.allclose(a.grad, d / a)

# %% [markdown]
# > **注意**：笔记用 `a.grad == d / a` 验证，结果可能是 `tensor(False)`。梯度 $k$ 是 2 的幂（或再乘 100），
# > 是精确的；而 `d / a` 先在 float32 中算出 `d = k·a`、再除以 `a`，两次舍入可能差最后一位。
# > 比较浮点数应该用 `torch.allclose`（在容差内相等）。
#
# 这一次走过的路径就是下面这张图：循环展开成了一串 `MulBackward0`。

# %%
viz.draw(d)

# %% [markdown]
# 显式图则不同：`sym.trace` 只记录**这一次**走过的路径，`while` 和 `if` 的判断变成了图里的**守卫**（guard）。
# 两个不同的输入走了两条路径，得到两张不同的图；用一张图去算另一条路径上的输入，守卫会发现：

# %%
t_small, t_neg = sym.trace(f, torch.tensor(0.7)), sym.trace(f, torch.tensor(-300.0))
print(len(t_small), "个节点 vs", len(t_neg), "个节点")
print("t_small(0.9) =", t_small(torch.tensor(0.9)).item(),
      "  eager f(0.9) =", f(torch.tensor(0.9)).item())
try:
    t_small(torch.tensor(-300.0))
except sym.GuardError as e:
    print("GuardError:", e)
