"""zerograd.autograd.forward_ad against torch.autograd.forward_ad: dual tensors, their printing,
errors, the level's lifetime, in-place ops on duals, and the engine details forward-over-reverse
depends on (tangents through broadcasting sums, accumulation, saved outputs, tracked leaves).
Per-op JVP rules are checked in tests/oracle/test_jvp.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import zerograd
import zerograd.autograd.forward_ad as zfw

torch = pytest.importorskip("torch")
import torch.autograd.forward_ad as tfw  # noqa: E402

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
V = RNG.standard_normal((3, 4))


def both(fn: Any) -> tuple[Any, Any]:
    """fn(m, fw) run with zerograd and with torch."""
    return fn(zerograd, zfw), fn(torch, tfw)


def close(a: Any, b: Any, tol: float = 1e-12) -> None:
    np.testing.assert_allclose(np.asarray(a.detach()), b.detach().numpy(), rtol=tol, atol=tol)


def test_dual_tensors_print_like_torch() -> None:
    def show(m: Any, fw: Any) -> list[str]:
        with fw.dual_level():
            x = fw.make_dual(m.tensor([1.0, 2.0]), m.tensor([1.0, 0.5]))
            y = x.sin()
            r = m.tensor([1.0, 2.0], requires_grad=True)
            d = fw.make_dual(r, m.ones(2))
            inside = [repr(x), repr(y), repr(d), repr(fw.unpack_dual(y).primal)]
        return [*inside, repr(y)]

    z, t = both(show)
    assert z == t


def test_unpack_dual() -> None:
    def run(m: Any, fw: Any) -> Any:
        with fw.dual_level():
            x = fw.make_dual(m.tensor(A), m.tensor(V))
            p, t = fw.unpack_dual(x.exp())
            plain = fw.unpack_dual(m.tensor(A))
            return p, t, plain.tangent, type(plain).__name__, plain._fields

    (zp, zt, zn, zname, zf), (tp, tt, tn, tname, tf) = both(run)
    close(zp, tp)
    close(zt, tt)
    assert zn is None and tn is None
    assert zname == tname and zf == tf


@pytest.mark.parametrize("case", ["no level", "shape", "int primal", "int tangent", "nested"])
def test_errors_match_torch(case: str) -> None:
    def run(m: Any, fw: Any) -> Exception:
        x = m.tensor([1.0, 2.0])
        try:
            if case == "no level":
                fw.make_dual(x, m.ones(2))
            with fw.dual_level():
                if case == "shape":
                    fw.make_dual(x, m.ones(3))
                elif case == "int primal":
                    fw.make_dual(m.tensor([1, 2]), m.ones(2))
                elif case == "int tangent":
                    fw.make_dual(x, m.tensor([1, 2]))
                elif case == "nested":
                    with fw.dual_level():
                        pass
        except Exception as e:  # noqa: BLE001 - the class is what we compare
            return e
        raise AssertionError("no error")

    z, t = both(run)
    assert type(z) is type(t)
    assert str(t).split("(")[0] in str(z) or str(z).startswith(str(t)[:40])


def test_leaving_the_level_drops_every_tangent() -> None:
    x = zerograd.tensor(A)
    with zfw.dual_level():
        d = zfw.make_dual(x, zerograd.tensor(V))
        y = (d * 2).sum()
        assert zfw.unpack_dual(y).tangent is not None
    assert d._fw is None and y._fw is None
    assert zfw.unpack_dual(y).tangent is None
    with zfw.dual_level():  # a new level sees no stale tangent from the old one
        assert zfw.unpack_dual(y * 3).tangent is None


def test_make_dual_keeps_the_reverse_graph() -> None:
    def run(m: Any, fw: Any) -> Any:
        r = m.tensor(A, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(r, m.tensor(V))
            out = (d.sin() * d).sum()
            tangent = fw.unpack_dual(out).tangent
            name = d.grad_fn.name()
        out.backward()
        return tangent, r.grad, name

    (zt, zg, zn), (tt, tg, tn) = both(run)
    close(zt, tt)
    close(zg, tg)
    assert zn == tn


def test_tangent_dtype_follows_the_primal() -> None:
    def run(m: Any, fw: Any) -> Any:
        with fw.dual_level():
            x = fw.make_dual(m.tensor(A), m.tensor(V, dtype=m.float32))
            return [fw.unpack_dual(y).tangent.dtype for y in (x, x * 2, x.sin())]

    z, t = both(run)
    assert [str(d) for d in z] == [str(d) for d in t]


def test_multi_output_op_gets_tangents() -> None:
    def run(m: Any, fw: Any) -> Any:
        with fw.dual_level():
            x = fw.make_dual(m.tensor(A), m.tensor(V))
            values, indices = x.max(dim=1)
            return fw.unpack_dual(values).tangent, fw.unpack_dual(indices).tangent

    (zv, zi), (tv, ti) = both(run)
    close(zv, tv)
    assert zi is None and ti is None


def test_inplace_ops_update_the_tangent_like_torch() -> None:
    def run(m: Any, fw: Any) -> Any:
        v = m.tensor(V[0].copy())
        with fw.dual_level():
            d = fw.make_dual(m.tensor(A[0].copy()), v)
            d.mul_(2)
            same = fw.unpack_dual(d).tangent is v  # torch writes into the given tangent
            base = m.zeros(2, 4)
            base[1] = d  # a plain tensor receives a dual value: it becomes dual
            e = m.zeros(2, 4)
            e[0].add_(d)  # in place through a view: the base gets the tangent
            f = fw.make_dual(m.tensor(A[1].copy()), m.tensor(V[1].copy()))
            f.fill_(3.0)  # overwritten by a constant: tangent zero
            return (fw.unpack_dual(d).tangent, v, same, fw.unpack_dual(base).tangent,
                    fw.unpack_dual(e).tangent, fw.unpack_dual(f).tangent)

    z, t = both(run)
    for i in (0, 1, 3, 4):
        close(z[i], t[i])
    assert z[2] == t[2]
    assert z[5] is None or not z[5].numpy().any()


# --- what forward-over-reverse needs from the engine ---------------------------------------


def hessian_vector(m: Any, f: Any, x: np.ndarray, v: np.ndarray) -> Any:
    """d/dε ∇f(x + εv) with the module's own forward_ad and autograd.grad."""
    fw = zfw if m is zerograd else tfw
    with fw.dual_level():
        d = fw.make_dual(m.tensor(x), m.tensor(v))
        if m is zerograd:
            from zerograd.autograd.functional import _track

            leaf = _track(d, False)  # a reverse-mode leaf made from a dual keeps its tangent
        else:
            leaf = d.detach().requires_grad_()
            leaf = fw.make_dual(leaf, m.tensor(v))
        (g,) = m.autograd.grad(f(m, leaf), leaf)
        return fw.unpack_dual(g).tangent


@pytest.mark.parametrize("name, f", [
    # the gradient of b is summed back over a broadcast dim (sum_to keeps the tangent)
    ("broadcast", lambda m, x: (x * x.sum(0, keepdim=True)).sum()),
    # x feeds two ops: the engine accumulates two dual gradients
    ("accumulate", lambda m, x: (x.sin() * x.exp()).sum()),
    # tanh's rule reads its saved output, which must carry a tangent
    ("saved output", lambda m, x: x.tanh().sum() + x.sigmoid().pow(2).sum()),
    ("matmul", lambda m, x: (x @ x.T).tanh().sum()),
    ("softmax", lambda m, x: (m.softmax(x, 1) * x).sum()),
    ("index", lambda m, x: (x[:, 1:] * x[:, :-1]).sum() + x[[0, 0, 2]].pow(3).sum()),
])
def test_forward_over_reverse_through_the_engine(name: str, f: Any) -> None:
    z = hessian_vector(zerograd, f, A, V)
    t = hessian_vector(torch, f, A, V)
    close(z, t, 1e-10)
