"""雅可比矩阵的布局约定（分子布局）与两个矩阵求导恒等式的数值验证。

Run: python lessons_src/jacobian_layout.py
  1. Numerator layout: for f: ℝⁿ → ℝᵐ, jacrev(f)(x) is m×n, row i = ∂f_i/∂x (one output per
     row), as in the notes' table; a scalar function's gradient has the shape of x.
  2. ∂(Ay)/∂y = A, and ∂(yᵀAy)/∂y = (A + Aᵀ)y, checked with zerograd.func (jacrev, grad),
     zerograd.autograd.grad, and central finite differences.
"""

from __future__ import annotations

import zerograd as torch
from zerograd.func import grad, jacfwd, jacrev

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)  # 有限差分需要双精度


def central_difference_jacobian(f, x, eps=1e-6):
    """数值雅可比：第 j 列是 (f(x + εe_j) − f(x − εe_j)) / 2ε（同样是 m×n 的分子布局）。"""
    cols = []
    for j in range(x.numel()):
        e = torch.zeros_like(x)
        e[j] = eps
        cols.append((f(x + e) - f(x - e)) / (2 * eps))
    return torch.stack(cols, dim=-1)


# --- 1. 分子布局：f: ℝ³ → ℝ²，雅可比是 2×3 --------------------------------------------------------


def f(x):
    return torch.stack([x[0] * x[1], torch.sin(x[2]) + x[0] ** 2])


x = torch.tensor([1.0, 2.0, 0.5])
J = jacrev(f)(x)
print("== 1. 分子布局（numerator layout） ==")
print(f"f: R^{x.numel()} -> R^{f(x).numel()},  jacrev(f)(x).shape = {tuple(J.shape)}  (m × n)")
print("J =\n", J)
print("行 i 是 ∂f_i/∂x：第 0 行 = [x1, x0, 0] =", [x[1].item(), x[0].item(), 0.0])
print("             第 1 行 = [2x0, 0, cos x2] =",
      [2 * x[0].item(), 0.0, round(torch.cos(x[2]).item(), 4)])
assert tuple(J.shape) == (2, 3)
assert torch.allclose(J, torch.tensor([[2.0, 1.0, 0.0], [2.0, 0.0, torch.cos(x[2]).item()]]))
assert torch.allclose(J, jacfwd(f)(x))  # 正向模式给出同一个矩阵
assert torch.allclose(J, central_difference_jacobian(f, x), atol=1e-8)

# 标量函数 g: ℝⁿ → ℝ 在分子布局下的导数是 1×n 的行向量；torch 的梯度是它的转置，形状与 x 相同。
s = lambda v: (v ** 2).sum()  # noqa: E731
print(f"标量函数: jacrev(s)(x).shape = {tuple(jacrev(s)(x).shape)}, grad(s)(x) = {grad(s)(x)}")


# --- 2. 两个恒等式 --------------------------------------------------------------------------------

print("\n== 2. ∂(Ay)/∂y = A  与  ∂(yᵀAy)/∂y = (A + Aᵀ)y ==")
m, n = 3, 4
A_rect = torch.randn(m, n)
y = torch.randn(n)
J_lin = jacrev(lambda v: A_rect @ v)(y)
print(f"A 是 {m}×{n}，jacrev(y ↦ Ay).shape = {tuple(J_lin.shape)}")
print("max |∂(Ay)/∂y − A| =", (J_lin - A_rect).abs().max().item())
assert torch.allclose(J_lin, A_rect)
assert torch.allclose(central_difference_jacobian(lambda v: A_rect @ v, y), A_rect, atol=1e-8)

A = torch.randn(n, n)  # 一般的（不对称的）方阵
quad = lambda v: v @ A @ v  # noqa: E731  yᵀAy
formula = (A + A.T) @ y
by_func = grad(quad)(y)
y_leaf = y.clone().requires_grad_()
(by_autograd,) = torch.autograd.grad(quad(y_leaf), y_leaf)
by_fd = central_difference_jacobian(lambda v: quad(v).reshape(1), y)[0]
print("(A + Aᵀ)y          =", formula)
print("func.grad          =", by_func)
print("autograd.grad      =", by_autograd)
print("有限差分            =", by_fd)
print("max |func.grad − (A + Aᵀ)y| =", (by_func - formula).abs().max().item())
assert torch.allclose(by_func, formula) and torch.allclose(by_autograd, formula)
assert torch.allclose(by_fd, formula, atol=1e-7)
# 若 A 对称，公式化为 2Ay；只有 A 对称时 ∂(yᵀAy)/∂y = 2Ay 才成立。
print("A 不对称时 2Ay ≠ (A + Aᵀ)y：max 差 =", (2 * A @ y - formula).abs().max().item())
print("全部验证通过。")
