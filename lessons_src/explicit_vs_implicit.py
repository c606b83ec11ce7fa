"""计算图的两种构造方式：显式构造（先给公式再给值）与隐式构造（先给值再给公式）。

Run: python lessons_src/explicit_vs_implicit.py. The notes' MXNet blocks for c = 2 * a + b in
zerograd terms: 1. explicit (zerograd.sym), 2. implicit (eager, the graph recorded as you go) and
both graphs side by side; 3. symbolic gradients on the notes' worked example ln x1 + x1 x2 - sin x2;
4. optimising and compiling a graph; 5. Python control flow: one trace records one path.
Every claim printed is also asserted.
"""

from __future__ import annotations

import math
import time

import zerograd as torch
from zerograd import sym

torch.manual_seed(0)

# --- 1. 显式构造 explicit: 先给公式，再给值 ------------------------------------------------------
# MXNet:  a = sym.var(); b = sym.var(); c = 2 * a + b
# 这里 a、b 只是占位符（placeholder）：没有数值，c 只是一张图（一个公式）。
print("== 1. 显式构造 explicit: the formula first ==")
a = sym.var("a")  # 不声明形状：图可以在任意形状上运行 (shape bound when it runs)
b = sym.var("b")
c = 2 * a + b
print(c)  # 编号的 Wengert 列表 (the numbered listing): v3 = mul(v1, 2) ...
# 数值在运行时才给出 (values come when the graph runs):
out = c.eval(a=torch.ones((2, 1)), b=torch.ones((2, 1)))
print("c.eval(a=ones(2,1), b=ones(2,1)) =", out.tolist())
assert out.tolist() == [[3.0], [3.0]]
# 同一张图换一组数值、换一个形状再运行 (the same graph, other values and shapes):
out2 = c.eval(a=torch.tensor([1.0, 2.0, 3.0]), b=torch.tensor(10.0))
print("c.eval(a=[1,2,3], b=10) =", out2.tolist())
assert out2.tolist() == [12.0, 14.0, 16.0]

# 声明了形状的占位符：每次运行都检查喂入的形状和类型 (declared shapes are checked on every run)
a3, b3 = sym.var("a", shape=(2, 1)), sym.var("b", shape=(2, 1))
c3 = 2 * a3 + b3
try:
    c3.eval(a=torch.ones(3), b=torch.ones((2, 1)))
except sym.FeedError as e:
    print("喂错形状 (a wrong feed):", e)
print("Graphviz DOT of the explicit graph (zerograd.viz draws it; c3.draw() gives SVG):")
print(c3.to_dot())

# --- 2. 隐式构造 implicit: 先给值，再给公式（边算边记录） -----------------------------------------
# MXNet:  with autograd.record(): a = nd.ones((2,1)); b = nd.ones((2,1)); c = 2 * a + b
print("== 2. 隐式构造 implicit: the values first, the graph recorded as you go ==")
a_t = torch.ones((2, 1), requires_grad=True)  # requires_grad=True 相当于 autograd.record()
b_t = torch.ones((2, 1), requires_grad=True)
c_t = 2 * a_t + b_t
print(c_t)  # 已经是数值了，grad_fn 记录了它是怎么来的 (numbers now; grad_fn says how)
print("反向图 backward graph (zerograd.viz.to_dot):")
print(torch.viz.to_dot(c_t))

# 把同一个函数在 eager 模式下跑一遍并记录下来（sym.trace），得到的图与手写的显式图相同。
traced = sym.trace(lambda a, b: 2 * a + b, a_t.detach(), b_t.detach())
cmp = sym.compare(traced, c3, titles=["隐式 traced (eager run)", "显式 authored (sym.var)"])
print(cmp)
assert cmp.same

# --- 3. 符号求导 symbolic gradients: 每个原语自己的反向规则作用在符号节点上 ---
print("\n== 3. 符号求导 symbolic gradients ==")
ga, gb = sym.grad(c3, [a3, b3])  # d(sum c)/da, d(sum c)/db as new graph nodes
print(sym.Graph([ga, gb]))
(c_t.sum()).backward()
print("sym.grad:", ga.eval(a=torch.ones((2, 1)), b=torch.ones((2, 1))).tolist(),
      " eager a.grad:", a_t.grad.tolist())
assert ga.eval(a=torch.ones((2, 1)), b=torch.ones((2, 1))).tolist() == a_t.grad.tolist()

# 笔记中的例子 the notes' worked example: f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5)
x1, x2 = sym.var("x1", shape=()), sym.var("x2", shape=())
f = torch.log(x1) + x1 * x2 - torch.sin(x2)
print(f)  # v3 = log(v1), v4 = mul(v1, v2), v5 = sin(v2), v6 = add(v3, v4), v7 = sub(v6, v5)
df1, df2 = sym.grad(f, [x1, x2])
feeds = {"x1": torch.tensor(2.0), "x2": torch.tensor(5.0)}
value, g1, g2 = sym.Graph([f, df1, df2]).run(feeds)
print(f"f(2, 5) = {value.item():.4f}, ∂f/∂x1 = {g1.item():.4f}, ∂f/∂x2 = {g2.item():.4f}")
assert abs(value.item() - (math.log(2) + 10 - math.sin(5))) < 1e-5
assert abs(g1.item() - (1 / 2 + 5)) < 1e-5 and abs(g2.item() - (2 - math.cos(5))) < 1e-5
# 正向模式（切线）forward mode: sym.jvp with the primitives' JVP rules
t = sym.jvp(f, [x1, x2], [torch.tensor(1.0), torch.tensor(0.0)])
print(f"sym.jvp along x1: {t.eval(feeds).item():.4f} (= ∂f/∂x1)")
assert abs(t.eval(feeds).item() - g1.item()) < 1e-5
# 二阶导数 second order: ∂²f/∂x1² = -1/x1²
(h11,) = sym.grad(df1, [x1])
print(f"∂²f/∂x1² = {h11.eval(feeds).item():.4f} (= -1/4)")
assert abs(h11.eval(feeds).item() + 0.25) < 1e-6

# --- 4. 优化与编译 optimisation and compilation --------------------------------------------------
print("\n== 4. 优化与编译 optimise and compile ==")
w = sym.var("w", shape=(3,))
loss = (w * w).sum()
(gw,) = sym.grad(loss, [w])
g = sym.optimize(sym.Graph([loss, gw]), show=True)  # 常量折叠、公共子表达式、死节点
step = sym.compile(g)  # 一个在 NumPy 数组上运行的 Python 函数 (over backend arrays)
print(step.source)
w0 = torch.tensor([1.0, -2.0, 3.0])
l_c, g_c = step(w0.numpy())
print("compiled:", float(l_c), g_c.tolist())
assert float(l_c) == 14.0 and g_c.tolist() == [2.0, -4.0, 6.0]

# 编译省掉了 eager 模式每个运算的开销：线性回归的一步 (d2l 3.2, batch 10)
X, y = torch.randn(10, 2), torch.randn(10, 1)
w_e = torch.zeros((2, 1), requires_grad=True)


def eager_step() -> None:
    ls = ((X @ w_e - y) ** 2 / 2).sum()
    ls.backward()
    with torch.no_grad():
        w_e.sub_(0.03 * w_e.grad / 10)
        w_e.grad.zero_()


def sgd_step(X, y, w):  # noqa: ANN001, ANN201
    ls = ((X @ w - y) ** 2 / 2).sum()
    (gw,) = sym.grad(ls, [w])
    return w - 0.03 * gw / 10


fast = sym.compile(sym.trace(sgd_step, X, y, torch.zeros((2, 1))))
Xa, ya, wa = X.numpy(), y.numpy(), torch.zeros((2, 1)).numpy()


def compiled_step() -> None:
    global wa
    wa = fast(Xa, ya, wa)


def best_of(fn, n=200, repeats=3):  # noqa: ANN001, ANN201
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - t0)
    return best / n


# (eager and compiled here run in one process; benchmarks/sym_compile.py times them properly)
te, tc = best_of(eager_step), best_of(compiled_step)
print(f"one linreg step: eager {te * 1e6:.0f} µs, compiled {tc * 1e6:.0f} µs "
      f"({te / tc:.1f}x)")
assert torch.allclose(w_e.detach(), torch.tensor(wa), atol=1e-5)  # the same steps, both ways

# --- 5. Python 控制流 control flow: 一次追踪只记录一条路径 ---
print("\n== 5. 控制流 control flow: a trace records one path ==")


def fn(a):  # 笔记中的例子 (the notes' example): f(a) = k * a, k depends on a
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


# 隐式（eager）：每次调用都重新构造图，所以梯度总是对的 (eager builds a new graph every call)
a_e = torch.randn(size=(), requires_grad=True)
d = fn(a_e)
d.backward()
print("eager: a.grad == d / a:", bool(a_e.grad == d / a_e))
assert torch.allclose(a_e.grad, d.detach() / a_e.detach())

# 显式（追踪）：两个输入，两条路径，两张不同的图 (two inputs, two paths, two graphs)
t_small, t_neg = sym.trace(fn, torch.tensor(0.7)), sym.trace(fn, torch.tensor(-300.0))
print(sym.compare(t_small, t_neg, titles=["trace at a = 0.7", "trace at a = -300"]))
assert len(t_small) > len(t_neg) and len(t_small.guards) > len(t_neg.guards)
print("t_small(0.9) =", t_small(torch.tensor(0.9)).item(), " eager:",
      fn(torch.tensor(0.9)).item())
assert t_small(torch.tensor(0.9)).item() == fn(torch.tensor(0.9)).item()
try:
    t_small(torch.tensor(-300.0))  # 另一条路径：守卫（guard）发现了 (another path: a guard fails)
except sym.GuardError as e:
    print("GuardError:", e)
else:
    raise AssertionError("the guard should have failed")
