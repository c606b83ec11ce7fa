"""zerograd.func and zerograd.autograd.functional against torch.func and
torch.autograd.functional: values, shapes and nesting of results, argnums/has_aux, composition
(grad of grad, forward over reverse, reverse over forward), differentiability of results inside
an outer graph, and the errors for bad calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal(4)
Y = RNG.standard_normal(4)
M = RNG.standard_normal((3, 4))
W = RNG.standard_normal((2, 3))


def assert_tree(z: Any, t: Any, tol: float = 1e-10, where: str = "result") -> None:
    """Same nesting (tuples, lists, dicts), shapes, dtypes and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(z, zerograd.Tensor), f"{where}: {type(z).__name__}"
        assert tuple(z.shape) == tuple(t.shape), f"{where}: {z.shape} vs {t.shape}"
        assert str(z.dtype) == str(t.dtype), where
        np.testing.assert_allclose(z.detach().numpy(), t.detach().numpy(force=True), rtol=tol,
                                   atol=tol, err_msg=where)
    elif isinstance(t, dict):
        assert isinstance(z, dict) and list(z) == list(t), where
        for k in t:
            assert_tree(z[k], t[k], tol, f"{where}[{k!r}]")
    elif isinstance(t, (tuple, list)):
        assert type(z) is type(t) and len(z) == len(t), f"{where}: {type(z)} vs {type(t)}"
        for i, (a, b) in enumerate(zip(z, t)):
            assert_tree(a, b, tol, f"{where}[{i}]")
    else:
        assert z == t, where


def run_both(fn: Any) -> tuple[Any, Any]:
    return fn(zerograd), fn(torch)


FUNCS = {
    "elementwise": lambda m, x: (x.sin() * x.exp()).sum(),
    "matmul tanh": lambda m, x: (m.tensor(M) @ x).tanh().pow(2).sum(),
    "softmax": lambda m, x: (m.softmax(x, 0) * x).sum(),
    "norm": lambda m, x: x.norm() * x.logsumexp(0),
    "index": lambda m, x: (x[1:] * x[:-1]).sum() + x[[0, 0, 2]].prod(),
}


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("transform", ["grad", "grad_and_value", "hessian"])
def test_scalar_transforms(name: str, transform: str) -> None:
    f = FUNCS[name]
    z, t = run_both(lambda m: getattr(m.func, transform)(lambda x: f(m, x))(m.tensor(X)))
    assert_tree(z, t)


VECTOR = {
    "tanh(Ax)": lambda m, x: (m.tensor(M) @ x).tanh(),
    "cumprod": lambda m, x: x.cumprod(0) * 2,
    "outer": lambda m, x: m.outer(x, x.sin()),
    "reshape": lambda m, x: x.reshape(2, 2).t().exp(),
}


@pytest.mark.parametrize("name", VECTOR)
@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobians(name: str, transform: str) -> None:
    f = VECTOR[name]
    z, t = run_both(lambda m: getattr(m.func, transform)(lambda x: f(m, x))(m.tensor(X)))
    assert_tree(z, t)


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
def test_jacobian_nesting_argnums_and_aux(transform: str) -> None:
    def f(m: Any, x: Any, y: Any) -> Any:
        return {"a": x.sin() * y, "b": (x * y).sum()}, x.cos()

    def run(m: Any) -> Any:
        jac = getattr(m.func, transform)
        x, y = m.tensor(X), m.tensor(Y)
        return (jac(lambda x, y: f(m, x, y), argnums=(0, 1), has_aux=True)(x, y),
                jac(lambda x, y: f(m, x, y)[0], argnums=1)(x, y))

    z, t = run_both(run)
    assert_tree(z, t)
    # A negative argnum counts from the end (torch 2.13's jacfwd returns zeros for it, a bug).
    x, y = zerograd.tensor(X), zerograd.tensor(Y)
    jac = getattr(zerograd.func, transform)
    assert_tree(jac(lambda x, y: f(zerograd, x, y)[0], argnums=-1)(x, y),
                torch.func.jacrev(lambda x, y: f(torch, x, y)[0], argnums=-1)(
                    torch.tensor(X), torch.tensor(Y)))


def test_grad_argnums_has_aux_and_pytrees() -> None:
    def run(m: Any) -> Any:
        params = {"w": m.tensor(W), "b": m.tensor(Y[:2])}

        def loss(p: Any, x: Any) -> Any:
            out = (p["w"] @ x).tanh() + p["b"]
            return (out ** 2).sum(), out

        x = m.tensor(M[:, 0].copy())
        return (m.func.grad(loss, has_aux=True)(params, x),
                m.func.grad(lambda p, x: loss(p, x)[0], argnums=(0, 1))(params, x),
                m.func.grad_and_value(lambda p, x: loss(p, x)[0], argnums=1)(params, x))

    z, t = run_both(run)
    assert_tree(z, t)


def test_vjp_and_jvp() -> None:
    def run(m: Any) -> Any:
        x, y = m.tensor(X), m.tensor(Y)

        def f(x: Any, y: Any) -> Any:
            return x * y.exp(), (x.sin() @ y)

        out, vjp_fn = m.func.vjp(f, x, y)
        first = vjp_fn((m.tensor(Y), m.tensor(2.0)))
        again = vjp_fn((m.tensor(X), m.tensor(-1.0)))  # the graph is kept between calls
        aux = m.func.vjp(lambda x: (x.exp(), x * 2), x, has_aux=True)
        fwd = m.func.jvp(f, (x, y), (m.tensor(Y), m.tensor(X)))
        fwd_aux = m.func.jvp(lambda x: (x.exp().sum(), x * 3), (x,), (y,), has_aux=True)
        return out, first, again, aux[0], aux[2], fwd, fwd_aux

    z, t = run_both(run)
    assert_tree(z, t)


@pytest.mark.parametrize("combo", ["grad grad", "jacrev jacrev", "jacrev jacfwd",
                                   "jacfwd jacrev", "jacrev grad", "jacfwd grad"])
def test_compositions(combo: str) -> None:
    outer, inner = combo.split()

    def run(m: Any) -> Any:
        if inner == "grad":
            g = m.func.grad(lambda x: FUNCS["elementwise"](m, x))
        else:
            g = getattr(m.func, inner)(lambda x: VECTOR["tanh(Ax)"](m, x).sum())
        if outer == "grad":
            return m.func.grad(lambda x: g(x).sum())(m.tensor(X))
        return getattr(m.func, outer)(g)(m.tensor(X))

    z, t = run_both(run)
    assert_tree(z, t)


def test_third_order_by_nesting() -> None:
    z, t = run_both(lambda m: m.func.grad(m.func.grad(m.func.grad(m.sin)))(m.tensor(0.7)))
    assert_tree(z, t)


def test_results_stay_differentiable_inside_an_outer_graph() -> None:
    def run(m: Any) -> Any:
        x = m.tensor(X, requires_grad=True)
        g = m.func.grad(lambda x: FUNCS["elementwise"](m, x))(x)
        j = m.func.jacrev(lambda x: x.sin() * x)(x)
        (g.sum() + j.sum()).backward()
        return x.grad

    z, t = run_both(run)
    assert_tree(z, t)


def test_no_grad_outside_gives_plain_results() -> None:
    x = zerograd.tensor(X, requires_grad=True)
    with zerograd.no_grad():
        g = zerograd.func.grad(lambda x: (x * x).sum())(x)
    assert not g.requires_grad and g.grad_fn is None
    assert x.grad is None  # transforms never touch .grad


def test_forward_over_forward_is_refused() -> None:
    f = zerograd.func.jacfwd(zerograd.func.jacfwd(lambda x: x.sin()))
    with pytest.raises(RuntimeError, match="Nested forward mode AD"):
        f(zerograd.tensor(X))


@pytest.mark.parametrize("case", ["nonscalar", "argnum", "aux", "jvp primals", "int input"])
def test_func_errors_match_torch(case: str) -> None:
    def run(m: Any) -> Exception:
        x = m.tensor(X)
        try:
            if case == "nonscalar":
                m.func.grad(lambda x: x * 2)(x)
            elif case == "argnum":
                m.func.grad(lambda x: x.sum(), argnums=1)(x)
            elif case == "aux":
                m.func.grad(lambda x: x.sum(), has_aux=True)(x)
            elif case == "jvp primals":
                m.func.jvp(lambda x: x.sin(), x, x)
            elif case == "int input":
                m.func.jacrev(lambda x: x * 2)(m.tensor([1, 2]))
        except Exception as e:  # noqa: BLE001 - the class and text are what we compare
            return e
        raise AssertionError("no error")

    z, t = run_both(run)
    assert type(z) is type(t)
    assert str(z) == str(t)


# --- torch.autograd.functional ---------------------------------------------------------------


def two_in_two_out(x: Any, y: Any) -> Any:
    return x.sin() * y, (x * y.exp()).sum()


def scalar_of_two(x: Any, y: Any) -> Any:
    return (x.sin() * y).sum() + (x * x * y.exp()).sum()


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_functional_jacobian(strategy: str) -> None:
    def run(m: Any) -> Any:
        F = m.autograd.functional
        x, y = m.tensor(X), m.tensor(Y)
        kw = {"strategy": strategy, "vectorize": strategy == "forward-mode"}
        return (F.jacobian(lambda x: x.exp() * x, x, **kw),
                F.jacobian(lambda x, y: x * y, (x, y), **kw),
                F.jacobian(two_in_two_out, (x, y), **kw),
                F.jacobian(lambda x: (x.sin(), x.sum()), x, **kw))

    z, t = run_both(run)
    assert_tree(z, t)


@pytest.mark.parametrize("outer", ["reverse-mode", "forward-mode"])
def test_functional_hessian(outer: str) -> None:
    def run(m: Any) -> Any:
        F = m.autograd.functional
        kw = {"outer_jacobian_strategy": outer, "vectorize": outer == "forward-mode"}
        return (F.hessian(lambda x: scalar_of_two(x, x), m.tensor(X), **kw),
                F.hessian(scalar_of_two, (m.tensor(X), m.tensor(Y)), **kw))

    z, t = run_both(run)
    assert_tree(z, t)


def test_functional_products() -> None:
    def run(m: Any) -> Any:
        F = m.autograd.functional
        x, y, v = m.tensor(X), m.tensor(Y), m.tensor(Y * 2)
        return (F.vjp(lambda x: x.sin() * x, x, v),
                F.vjp(two_in_two_out, (x, y), (v, m.tensor(1.5))),
                F.jvp(lambda x: x.sin() * x, x, v),
                F.jvp(two_in_two_out, (x, y), (v, x)),
                F.hvp(lambda x: scalar_of_two(x, x), x, v),
                F.vhp(scalar_of_two, (x, y), (v, x)),
                F.vjp(lambda x: x.sum() * 3, x))

    z, t = run_both(run)
    assert_tree(z, t)


def test_functional_create_graph_and_strict() -> None:
    def run(m: Any) -> Any:
        F = m.autograd.functional
        x = m.tensor(X, requires_grad=True)
        plain = F.jacobian(lambda x: x.sin(), x)
        kept = F.jacobian(lambda x: x.sin(), x, create_graph=True)
        kept.sum().backward()
        indep = F.jacobian(lambda x, y: x * 2, (m.tensor(X), m.tensor(Y)))
        return plain.requires_grad, kept.requires_grad, x.grad, indep

    z, t = run_both(run)
    assert_tree(z, t)


@pytest.mark.parametrize("case", ["strict", "v none", "v shape", "hessian vector", "bad input",
                                  "bad output", "strategy", "forward no vectorize",
                                  "forward create_graph"])
def test_functional_errors_match_torch(case: str) -> None:
    def run(m: Any) -> Exception:
        F = m.autograd.functional
        x, y = m.tensor(X), m.tensor(Y)
        try:
            if case == "strict":
                F.jacobian(lambda x, y: x.sin(), (x, y), strict=True)
            elif case == "v none":
                F.vjp(lambda x: x.sin(), x)
            elif case == "v shape":
                F.vjp(lambda x: x.sin(), x, m.ones(2))
            elif case == "hessian vector":
                F.hessian(lambda x: x.sin(), x)
            elif case == "bad input":
                F.jacobian(lambda x: x, [x])
            elif case == "bad output":
                F.jacobian(lambda x: 3, x)
            elif case == "strategy":
                F.jacobian(lambda x: x, x, strategy="sideways")
            elif case == "forward no vectorize":
                F.jacobian(lambda x: x, x, strategy="forward-mode")
            elif case == "forward create_graph":
                F.jacobian(lambda x: x, x, strategy="forward-mode", vectorize=True,
                           create_graph=True)
        except Exception as e:  # noqa: BLE001 - the class is what we compare
            return e
        raise AssertionError("no error")

    z, t = run_both(run)
    assert type(z) is type(t), (z, t)
    assert str(z).replace(" ", "") == str(t).replace(" ", "")
