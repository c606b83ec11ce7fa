"""The surface of zerograd.linalg against torch.linalg: lstsq's outputs per driver, tolerances
of pinv and matrix_rank, named tuples and their printing, grad_fn names, aliases, empty and
rank-deficient inputs, and the docstring examples."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

import zerograd

RNG = np.random.default_rng(7)


def _pair(a):
    return zerograd.tensor(a), torch.tensor(a)


def _close(z, t, **kw):
    assert tuple(z.shape) == tuple(t.shape)
    assert str(z.dtype) == str(t.dtype)
    np.testing.assert_allclose(z.detach().numpy(), t.detach().numpy(), **kw)


def _rank_deficient():
    a = RNG.standard_normal((5, 3))
    a[:, 2] = a[:, 0] - 2 * a[:, 1]
    return a


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((5, 3), (5,)), ((3, 5), (3, 2)),
                                    ((2, 5, 3), (2, 5, 2)), ((2, 5, 3), (1, 5, 2)),
                                    ((2, 5, 3), (2, 5))])
def test_lstsq_outputs_per_driver(driver, shapes):
    """solution, residuals, rank and singular_values: filled or empty exactly as torch's."""
    a, b = RNG.standard_normal(shapes[0]), RNG.standard_normal(shapes[1])
    m, n = shapes[0][-2:]
    if driver == "gels" and m < n:
        pytest.skip("gels needs a full-rank tall matrix for a unique answer")
    (za, ta), (zb, tb) = _pair(a), _pair(b)
    zr, tr = zerograd.linalg.lstsq(za, zb, driver=driver), torch.linalg.lstsq(ta, tb,
                                                                             driver=driver)
    assert type(zr).__name__ == type(tr).__name__ == "linalg_lstsq"
    for field in ("solution", "residuals", "rank", "singular_values"):
        _close(getattr(zr, field), getattr(tr, field), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_rank_deficient_minimum_norm(driver):
    a, b = _rank_deficient(), RNG.standard_normal((5, 2))
    zr = zerograd.linalg.lstsq(zerograd.tensor(a), zerograd.tensor(b), driver=driver)
    tr = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert int(zr.rank) == int(tr.rank) == 2
    _close(zr.solution, tr.solution, rtol=1e-7, atol=1e-9)
    _close(zr.residuals, tr.residuals)  # empty: A is not full rank


@pytest.mark.parametrize("driver", ["gelsd", "gelss"])
def test_lstsq_rcond_and_float32(driver):
    # The SVD drivers, whose rank is a threshold on singular values. torch's default gelsy
    # decides the rank from a pivoted QR, which is unstable for rcond between these singular
    # values (it has given rank 1 and rank 2 for the same call on this machine).
    a = np.diag([1.0, 1e-3, 1e-6]).astype(np.float32)
    b = np.ones((3, 1), np.float32)
    for rcond in (None, 1e-4, 1e-2):
        zr = zerograd.linalg.lstsq(zerograd.tensor(a), zerograd.tensor(b), rcond=rcond,
                                   driver=driver)
        tr = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), rcond=rcond, driver=driver)
        assert int(zr.rank) == int(tr.rank)
        _close(zr.solution, tr.solution, rtol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"rtol": 0.3}, {"atol": 0.5}, {"atol": 0.5, "rtol": 0.3},
                                    {"hermitian": True}, {"atol": 0.0}])
def test_pinv_and_matrix_rank_tolerances(kwargs):
    s = np.diag([3.0, 1.0, 0.2, 1e-17])
    q, _ = np.linalg.qr(RNG.standard_normal((4, 4)))
    a = q @ s @ q.T  # symmetric, so hermitian=True applies too
    za, ta = _pair(a)
    _close(zerograd.linalg.pinv(za, **kwargs), torch.linalg.pinv(ta, **kwargs), rtol=1e-7,
           atol=1e-9)
    assert int(zerograd.linalg.matrix_rank(za, **kwargs)) == int(
        torch.linalg.matrix_rank(ta, **kwargs))


def test_pinv_and_matrix_rank_legacy_positional_tolerances():
    a = np.diag([1.0, 0.1, 0.01]).astype(np.float32)
    za, ta = _pair(a)
    _close(zerograd.linalg.pinv(za, 0.05), torch.linalg.pinv(ta, 0.05))
    _close(zerograd.linalg.pinv(za, 0.05, True), torch.linalg.pinv(ta, 0.05, True))
    _close(zerograd.linalg.matrix_rank(za, 0.05), torch.linalg.matrix_rank(ta, 0.05))
    _close(zerograd.linalg.matrix_rank(za, tol=0.05), torch.linalg.matrix_rank(ta, tol=0.05))


def test_matrix_rank_batched_and_rank_deficient():
    a = np.stack([_rank_deficient(), RNG.standard_normal((5, 3))])
    za, ta = _pair(a)
    _close(zerograd.linalg.matrix_rank(za), torch.linalg.matrix_rank(ta))


def test_pinv_gradient_finite_for_repeated_singular_values():
    """pinv has its own rule (not via svd), so the identity's gradient is finite, as torch's."""
    z, t = (zerograd.eye(3, dtype=zerograd.float64, requires_grad=True),
            torch.eye(3, dtype=torch.float64, requires_grad=True))
    g = RNG.standard_normal((3, 3))
    (zg,) = zerograd.autograd.grad(zerograd.linalg.pinv(z), z, zerograd.tensor(g))
    (tg,) = torch.autograd.grad(torch.linalg.pinv(t), t, torch.tensor(g))
    np.testing.assert_allclose(zg.numpy(), tg.numpy(), rtol=1e-12)


def test_named_tuples_print_like_torch():
    a = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)
    za, ta = _pair(a)
    for fn in (lambda m, x: m.linalg.slogdet(x), lambda m, x: m.linalg.qr(x),
               lambda m, x: m.linalg.lstsq(x, m.tensor([[1.0], [2.0]]))):
        assert repr(fn(zerograd, za)) == repr(fn(torch, ta))
    zw, tw = zerograd.linalg.eigh(za), torch.linalg.eigh(ta)
    assert type(zw).__name__ == type(tw).__name__
    assert zw._fields == ("eigenvalues", "eigenvectors")
    assert zerograd.linalg.svd(za)._fields == ("U", "S", "Vh")


def test_grad_fn_names_match_torch():
    a = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)
    za = zerograd.tensor(a, requires_grad=True)
    ta = torch.tensor(a, requires_grad=True)
    fns = [lambda m, x: m.linalg.inv(x), lambda m, x: m.inverse(x), lambda m, x: x.inverse(),
           lambda m, x: m.linalg.solve(x, x), lambda m, x: m.linalg.solve(x, x[0]),
           lambda m, x: m.linalg.det(x), lambda m, x: m.det(x), lambda m, x: x.det(),
           lambda m, x: m.linalg.slogdet(x)[1], lambda m, x: m.linalg.cholesky(x),
           lambda m, x: m.linalg.qr(x)[0], lambda m, x: m.linalg.eigh(x)[1],
           lambda m, x: m.linalg.eigvalsh(x), lambda m, x: m.linalg.svd(x)[2],
           lambda m, x: m.linalg.svdvals(x), lambda m, x: m.linalg.pinv(x),
           lambda m, x: m.linalg.lstsq(x, x).solution, lambda m, x: m.linalg.matrix_norm(x),
           lambda m, x: m.linalg.vector_norm(x), lambda m, x: m.linalg.norm(x),
           lambda m, x: m.linalg.matrix_norm(x, 2), lambda m, x: m.linalg.matrix_norm(x, 1)]
    for fn in fns:
        assert fn(zerograd, za).grad_fn.name() == fn(torch, ta).grad_fn.name()


def test_top_level_aliases_and_methods():
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    za, ta = _pair(a)
    _close(zerograd.inverse(za), torch.inverse(ta))
    _close(za.inverse(), ta.inverse())
    _close(zerograd.det(za), torch.det(ta))
    _close(za.det(), ta.det())
    assert zerograd.linalg.matmul is zerograd.matmul
    _close(zerograd.linalg.diagonal(za, offset=1), torch.linalg.diagonal(ta, offset=1))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.linalg.inv(x), lambda m, x: m.linalg.det(x),
    lambda m, x: m.linalg.slogdet(x)[1], lambda m, x: m.linalg.cholesky(x),
    lambda m, x: m.linalg.eigvalsh(x), lambda m, x: m.linalg.svdvals(x),
])
def test_empty_matrices(fn):
    za, ta = _pair(np.zeros((2, 0, 0), np.float32))
    _close(fn(zerograd, za), fn(torch, ta))


def test_float32_results_stay_float32():
    a = (RNG.standard_normal((3, 3)) + 3 * np.eye(3)).astype(np.float32)
    za, ta = _pair(a)
    for fn in (lambda m, x: m.linalg.inv(x), lambda m, x: m.linalg.solve(x, x[0]),
               lambda m, x: m.linalg.pinv(x), lambda m, x: m.linalg.lstsq(x, x).solution,
               lambda m, x: m.linalg.matrix_norm(x, "nuc"), lambda m, x: m.linalg.det(x)):
        _close(fn(zerograd, za), fn(torch, ta), rtol=1e-5, atol=1e-6)


def test_vector_norm_orders_and_dtype():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    zx, tx = _pair(x)
    for ord in (0, 1, -1, 0.5, 3, float("inf"), -float("inf")):
        _close(zerograd.linalg.vector_norm(zx, ord), torch.linalg.vector_norm(tx, ord),
               rtol=1e-6)
    _close(zerograd.linalg.vector_norm(zx, dtype=zerograd.float64),
           torch.linalg.vector_norm(tx, dtype=torch.float64))
    _close(zerograd.linalg.norm(zx, keepdim=True), torch.linalg.norm(tx, keepdim=True))
    _close(zerograd.linalg.norm(zx[0], 3), torch.linalg.norm(tx[0], 3))
    _close(zerograd.linalg.norm(zx, "nuc"), torch.linalg.norm(tx, "nuc"), rtol=1e-6)


def test_cross_of_integers():
    a, b = np.array([1, 2, 3]), np.array([4, 5, 6])
    _close(zerograd.linalg.cross(zerograd.tensor(a), zerograd.tensor(b)),
           torch.linalg.cross(torch.tensor(a), torch.tensor(b)))


def test_docstring_examples_run():
    import zerograd.linalg as mod

    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
