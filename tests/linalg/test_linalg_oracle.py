"""zerograd.linalg against torch.linalg: values, reverse-mode gradients for random cotangents,
forward-mode tangents, finite differences in float64, and the adjoint identity
<u, J v> = <Jᵀu, v> for every decomposition primitive.

Each case is one lambda run on both libraries (`lib` is torch or zerograd). Decompositions
with a sign freedom (eigenvectors, singular vectors, QR) are compared after aligning zerograd's
signs to torch's; the cotangents are flipped with them, so the gradients must agree exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import zerograd
import zerograd.autograd.forward_ad as fwAD

RNG = np.random.default_rng(20240508)


# --- inputs -------------------------------------------------------------------------------------


def general(*shape: int) -> np.ndarray:
    """Well-conditioned: random plus a multiple of the identity on the square part."""
    a = RNG.standard_normal(shape)
    k = min(shape[-2:])
    a[..., range(k), range(k)] += 3.0
    return a


def plain(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def spd(lib, x):
    """A symmetric positive-definite matrix made from any square x (differentiably)."""
    n = x.shape[-1]
    return x @ x.mT + n * lib.eye(n, dtype=x.dtype)


def sym(x):
    return x + x.mT


# --- cases: name -> (function of lib and inputs, input makers, sign alignment) ------------------


def _cols(z, t):
    """Per-column signs that turn zerograd's vectors into torch's."""
    return np.sign((z * t).sum(-2))


def align_eigh(z, t):
    d = _cols(z[1], t[1])
    return [np.ones_like(z[0]), d[..., None, :]]


def align_svd(z, t):
    d = _cols(z[0], t[0])
    return [d[..., None, :], np.ones_like(z[1]), d[..., :, None]]


def align_qr(z, t):
    d = _cols(z[0], t[0])
    return [d[..., None, :], d[..., :, None]]


CASES = {
    "inv": (lambda lib, a: lib.linalg.inv(a), [lambda: general(2, 4, 4)], None),
    "inverse_method": (lambda lib, a: a.inverse(), [lambda: general(3, 3)], None),
    "solve_matrix": (lambda lib, a, b: lib.linalg.solve(a, b),
                     [lambda: general(2, 3, 3), lambda: plain(2, 3, 2)], None),
    "solve_vector": (lambda lib, a, b: lib.linalg.solve(a, b),
                     [lambda: general(3, 3), lambda: plain(3)], None),
    "solve_batched_vector": (lambda lib, a, b: lib.linalg.solve(a, b),
                             [lambda: general(2, 3, 3), lambda: plain(2, 3)], None),
    "solve_broadcast": (lambda lib, a, b: lib.linalg.solve(a, b),
                        [lambda: general(3, 3), lambda: plain(2, 3, 4)], None),
    "solve_right": (lambda lib, a, b: lib.linalg.solve(a, b, left=False),
                    [lambda: general(3, 3), lambda: plain(2, 3)], None),
    "det": (lambda lib, a: lib.linalg.det(a), [lambda: general(3, 3, 3)], None),
    "det_method": (lambda lib, a: a.det(), [lambda: general(4, 4)], None),
    "slogdet": (lambda lib, a: lib.linalg.slogdet(a)[1], [lambda: plain(2, 3, 3)], None),
    "cholesky": (lambda lib, x: lib.linalg.cholesky(spd(lib, x)), [lambda: plain(2, 3, 3)],
                 None),
    "cholesky_upper": (lambda lib, x: lib.linalg.cholesky(spd(lib, x), upper=True),
                       [lambda: plain(3, 3)], None),
    "qr_tall": (lambda lib, a: tuple(lib.linalg.qr(a)), [lambda: general(2, 5, 3)], align_qr),
    "qr_square": (lambda lib, a: tuple(lib.linalg.qr(a)), [lambda: general(3, 3)], align_qr),
    "qr_wide": (lambda lib, a: tuple(lib.linalg.qr(a)), [lambda: general(3, 5)], align_qr),
    "eigh": (lambda lib, x: tuple(lib.linalg.eigh(sym(x))), [lambda: plain(2, 4, 4)],
             align_eigh),
    "eigh_upper": (lambda lib, x: tuple(lib.linalg.eigh(sym(x), UPLO="U")),
                   [lambda: plain(3, 3)], align_eigh),
    "eigvalsh": (lambda lib, x: lib.linalg.eigvalsh(sym(x)), [lambda: plain(2, 4, 4)], None),
    "svd_tall": (lambda lib, a: tuple(lib.linalg.svd(a, full_matrices=False)),
                 [lambda: plain(2, 5, 3)], align_svd),
    "svd_wide": (lambda lib, a: tuple(lib.linalg.svd(a, full_matrices=False)),
                 [lambda: plain(3, 5)], align_svd),
    "svd_square": (lambda lib, a: tuple(lib.linalg.svd(a, full_matrices=False)),
                   [lambda: plain(4, 4)], align_svd),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [lambda: plain(2, 4, 3)], None),
    "pinv_tall": (lambda lib, a: lib.linalg.pinv(a), [lambda: general(2, 5, 3)], None),
    "pinv_wide": (lambda lib, a: lib.linalg.pinv(a), [lambda: general(3, 4)], None),
    "pinv_hermitian": (lambda lib, x: lib.linalg.pinv(spd(lib, x), hermitian=True),
                       [lambda: plain(3, 3)], None),
    "lstsq_tall": (lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
                   [lambda: general(6, 3), lambda: plain(6, 2)], None),
    "lstsq_vector": (lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
                     [lambda: general(2, 6, 3), lambda: plain(2, 6)], None),
    "lstsq_wide": (lambda lib, a, b: lib.linalg.lstsq(a, b).solution,
                   [lambda: general(3, 5), lambda: plain(3, 2)], None),
    "lstsq_gelsd_residuals": (lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd").residuals,
                              [lambda: general(6, 3), lambda: plain(6, 2)], None),
    "matrix_norm_fro": (lambda lib, a: lib.linalg.matrix_norm(a), [lambda: plain(2, 3, 4)], None),
    "matrix_norm_nuc": (lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), [lambda: plain(3, 4)],
                        None),
    "matrix_norm_2": (lambda lib, a: lib.linalg.matrix_norm(a, 2), [lambda: plain(2, 3, 4)], None),
    "matrix_norm_-2": (lambda lib, a: lib.linalg.matrix_norm(a, -2), [lambda: plain(4, 3)], None),
    "matrix_norm_1": (lambda lib, a: lib.linalg.matrix_norm(a, 1), [lambda: plain(2, 3, 4)], None),
    "matrix_norm_-1": (lambda lib, a: lib.linalg.matrix_norm(a, -1), [lambda: plain(3, 4)], None),
    "matrix_norm_inf": (lambda lib, a: lib.linalg.matrix_norm(a, float("inf")),
                        [lambda: plain(2, 3, 4)], None),
    "matrix_norm_-inf": (lambda lib, a: lib.linalg.matrix_norm(a, -float("inf")),
                         [lambda: plain(3, 4)], None),
    "matrix_norm_dims_keepdim": (lambda lib, a: lib.linalg.matrix_norm(a, 2, dim=(2, 0),
                                                                       keepdim=True),
                                 [lambda: plain(4, 2, 3)], None),
    "matrix_norm_inf_dims": (lambda lib, a: lib.linalg.matrix_norm(a, float("inf"), dim=(0, 2)),
                             [lambda: plain(4, 2, 3)], None),
    "vector_norm": (lambda lib, a: lib.linalg.vector_norm(a, 3, dim=1), [lambda: plain(3, 4)],
                    None),
    "vector_norm_inf": (lambda lib, a: lib.linalg.vector_norm(a, float("inf")),
                        [lambda: plain(3, 4)], None),
    "norm_default": (lambda lib, a: lib.linalg.norm(a), [lambda: plain(2, 3, 4)], None),
    "norm_matrix_ord": (lambda lib, a: lib.linalg.norm(a, 2), [lambda: plain(3, 4)], None),
    "norm_vector_dim": (lambda lib, a: lib.linalg.norm(a, 1, dim=-1), [lambda: plain(3, 4)], None),
    "cross": (lambda lib, a, b: lib.linalg.cross(a, b), [lambda: plain(4, 3),
                                                         lambda: plain(4, 3)], None),
    "cross_dim_broadcast": (lambda lib, a, b: lib.linalg.cross(a, b, dim=0),
                            [lambda: plain(3, 4), lambda: plain(3, 1)], None),
    "multi_dot": (lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
                  [lambda: plain(5), lambda: plain(5, 2), lambda: plain(2, 6),
                   lambda: plain(6, 3)], None),
    "multi_dot_vectors": (lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
                          [lambda: plain(3), lambda: plain(3, 4), lambda: plain(4)], None),
}


def _outs(r):
    return r if isinstance(r, tuple) else (r,)


def _inputs(case, dtype="float64"):
    arrays = [make().astype(dtype) for make in CASES[case][1]]
    zs = [zerograd.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    return arrays, zs, ts


def _signs(case, z_outs, t_outs):
    align = CASES[case][2]
    if align is None:
        return [np.ones(o.shape) for o in z_outs]
    return align([o.detach().numpy() for o in z_outs], [o.detach().numpy() for o in t_outs])


TOL = {"float64": dict(rtol=1e-8, atol=1e-9), "float32": dict(rtol=2e-4, atol=2e-4)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_values(case, dtype):
    """Same values, shapes and dtypes as torch.linalg (after sign alignment)."""
    fn = CASES[case][0]
    _, zs, ts = _inputs(case, dtype)
    z_outs, t_outs = _outs(fn(zerograd, *zs)), _outs(fn(torch, *ts))
    for z, t, s in zip(z_outs, t_outs, _signs(case, z_outs, t_outs)):
        assert tuple(z.shape) == tuple(t.shape)
        assert str(z.dtype) == str(t.dtype)
        np.testing.assert_allclose(z.detach().numpy() * s, t.detach().numpy(), **TOL[dtype])


def _cotangents(t_outs):
    return [RNG.standard_normal(tuple(o.shape)) for o in t_outs]


@pytest.mark.parametrize("case", sorted(CASES))
def test_vjp_matches_torch(case):
    """Reverse mode: gradients for a random cotangent on every output equal torch's."""
    fn = CASES[case][0]
    _, zs, ts = _inputs(case)
    z_outs, t_outs = _outs(fn(zerograd, *zs)), _outs(fn(torch, *ts))
    signs = _signs(case, z_outs, t_outs)
    cots = _cotangents(t_outs)
    t_grads = torch.autograd.grad(t_outs, ts, [torch.tensor(c) for c in cots])
    z_grads = zerograd.autograd.grad(z_outs, zs, [zerograd.tensor(c * s)
                                                  for c, s in zip(cots, signs)])
    for zg, tg in zip(z_grads, t_grads):
        np.testing.assert_allclose(zg.numpy(), tg.numpy(), rtol=1e-7, atol=1e-9)


def _z_jvp(fn, zs, tangents):
    with fwAD.dual_level():
        duals = [fwAD.make_dual(z.detach(), zerograd.tensor(t)) for z, t in zip(zs, tangents)]
        outs = _outs(fn(zerograd, *duals))
        return [fwAD.unpack_dual(o).tangent.numpy() for o in outs]


@pytest.mark.parametrize("case", sorted(CASES))
def test_jvp_matches_torch(case):
    """Forward mode: tangents for random input tangents equal torch.func.jvp's."""
    fn = CASES[case][0]
    arrays, zs, ts = _inputs(case)
    tangents = [RNG.standard_normal(a.shape) for a in arrays]
    t_prim, t_tan = torch.func.jvp(lambda *xs: fn(torch, *xs), tuple(torch.tensor(a)
                                                                     for a in arrays),
                                   tuple(torch.tensor(t) for t in tangents))
    z_outs = _outs(fn(zerograd, *zs))
    signs = _signs(case, z_outs, _outs(t_prim))
    for zt, tt, s in zip(_z_jvp(fn, zs, tangents), _outs(t_tan), signs):
        np.testing.assert_allclose(zt * s, tt.numpy(), rtol=1e-7, atol=1e-9)


def _directional(fn, arrays, tangents, cots, eps=1e-6):
    """<u, (f(x + εv) − f(x − εv)) / 2ε>: the finite-difference counterpart of <u, J v>."""
    def f(sign):
        xs = [zerograd.tensor(a + sign * eps * t) for a, t in zip(arrays, tangents)]
        return [o.numpy() for o in _outs(fn(zerograd, *xs))]
    plus, minus = f(1), f(-1)
    return sum(float((u * (p - m)).sum()) for u, p, m in zip(cots, plus, minus)) / (2 * eps)


@pytest.mark.parametrize("case", sorted(CASES))
def test_float64_finite_differences_and_adjoint_identity(case):
    """<u, J v> three ways: reverse mode (<Jᵀu, v>), forward mode, central differences."""
    fn = CASES[case][0]
    arrays, zs, _ = _inputs(case)
    outs = _outs(fn(zerograd, *zs))
    tangents = [RNG.standard_normal(a.shape) for a in arrays]
    cots = [RNG.standard_normal(tuple(o.shape)) for o in outs]
    grads = zerograd.autograd.grad(outs, zs, [zerograd.tensor(c) for c in cots])
    reverse = sum(float((g.numpy() * t).sum()) for g, t in zip(grads, tangents))
    forward = sum(float((u * jv).sum()) for u, jv in zip(cots, _z_jvp(fn, zs, tangents)))
    numeric = _directional(fn, arrays, tangents, cots)
    assert reverse == pytest.approx(forward, rel=1e-9, abs=1e-10)
    assert reverse == pytest.approx(numeric, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("case", ["inv", "solve_broadcast", "det", "slogdet", "cholesky",
                                  "qr_tall", "qr_wide", "eigh", "svd_tall", "svd_wide",
                                  "pinv_wide", "lstsq_tall"])
def test_gradcheck_and_second_order(case):
    """zerograd.autograd.gradcheck (both modes) and gradgradcheck: the rules are written in
    differentiable ops, so their own derivatives are right too."""
    fn = CASES[case][0]
    _, zs, _ = _inputs(case)
    f = lambda *xs: fn(zerograd, *xs)  # noqa: E731
    assert zerograd.autograd.gradcheck(f, tuple(zs), check_forward_ad=True)
    assert zerograd.autograd.gradgradcheck(f, tuple(zs))


# --- raw inputs: the symmetric-matrix conventions (gradient symmetric, one triangle read) --------


@pytest.mark.parametrize("name", ["eigh", "eigvalsh", "cholesky", "cholesky_upper"])
def test_symmetric_input_conventions(name):
    """On a raw symmetric matrix torch returns a symmetric gradient although it reads one
    triangle; so do we, and the forward ignores the other triangle as torch does."""
    x = plain(3, 3)
    a = x @ x.T + 3 * np.eye(3)
    fns = {
        "eigh": lambda lib, m: tuple(lib.linalg.eigh(m)),
        "eigvalsh": lambda lib, m: lib.linalg.eigvalsh(m),
        "cholesky": lambda lib, m: lib.linalg.cholesky(m),
        "cholesky_upper": lambda lib, m: lib.linalg.cholesky(m, upper=True),
    }
    fn = fns[name]
    z, t = zerograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    z_outs, t_outs = _outs(fn(zerograd, z)), _outs(fn(torch, t))
    signs = align_eigh([o.detach().numpy() for o in z_outs], [o.detach().numpy() for o in t_outs]
                       ) if name == "eigh" else [1.0]
    cots = _cotangents(t_outs)
    (tg,) = torch.autograd.grad(t_outs, (t,), [torch.tensor(c) for c in cots])
    (zg,) = zerograd.autograd.grad(z_outs, (z,), [zerograd.tensor(c * s)
                                                  for c, s in zip(cots, signs)])
    np.testing.assert_allclose(zg.numpy(), tg.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(zg.numpy(), zg.numpy().T, atol=1e-12)
    junk = a.copy()
    upper = name == "cholesky_upper"
    junk[(np.tril_indices(3, -1) if upper else np.triu_indices(3, 1))] = 123.0
    for zo, to in zip(_outs(fn(zerograd, zerograd.tensor(junk))), _outs(fn(torch,
                                                                          torch.tensor(junk)))):
        np.testing.assert_allclose(np.abs(zo.numpy()), np.abs(to.numpy()), rtol=1e-10)


def test_full_matrices_svd_gradient_uses_thin_part():
    """full_matrices=True: torch narrows U and Vh to their first min(m, n) vectors for the
    gradient, and pads the forward tangent with zeros; so do we."""
    a = plain(4, 2)
    z, t = zerograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    zu, zs, zvh = zerograd.linalg.svd(z)
    tu, ts, tvh = torch.linalg.svd(t)
    assert tuple(zu.shape) == (4, 4) and tuple(zvh.shape) == (2, 2)
    d = np.sign((zu.detach().numpy()[:, :2] * tu.detach().numpy()[:, :2]).sum(0))
    gu = RNG.standard_normal((4, 4))
    (tg,) = torch.autograd.grad(tu, t, torch.tensor(gu))
    gz = gu.copy()
    gz[:, :2] *= d
    (zg,) = zerograd.autograd.grad(zu, z, zerograd.tensor(gz))
    np.testing.assert_allclose(zg.numpy(), tg.numpy(), rtol=1e-8, atol=1e-10)
    tangent = RNG.standard_normal((4, 2))
    (du, _, _) = _z_jvp(lambda lib, x: tuple(lib.linalg.svd(x)), [z], [tangent])
    assert du.shape == (4, 4) and not du[:, 2:].any()


def test_eigvalsh_and_svdvals_gradients_finite_for_repeated_values():
    """Functions of the values alone stay differentiable when values repeat (torch: the
    identity's eigvalsh gradient is the identity), with no warning."""
    eye = np.eye(3)
    for fn in (lambda lib, a: lib.linalg.eigvalsh(a).sum(), lambda lib, a: lib.linalg.svdvals(a)
               .sum(), lambda lib, a: lib.linalg.eigh(a)[0].sum()):
        z, t = zerograd.tensor(eye, requires_grad=True), torch.tensor(eye, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fn(zerograd, z).backward()
        fn(torch, t).backward()
        np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("name", ["eigh", "svd"])
def test_repeated_values_give_nonfinite_gradient_with_a_warning(name):
    """Eigen/singular vectors of a matrix with repeated values: torch's gradient is not
    finite; ours is not either, and a warning says why instead of a silent NaN."""
    eye = np.eye(3)
    pick = {"eigh": lambda lib, a: lib.linalg.eigh(a)[1].sum(),
            "svd": lambda lib, a: lib.linalg.svd(a)[0].sum()}[name]
    z, t = zerograd.tensor(eye, requires_grad=True), torch.tensor(eye, requires_grad=True)
    with pytest.warns(UserWarning, match="repeated"):
        pick(zerograd, z).backward()
    pick(torch, t).backward()
    assert not np.isfinite(z.grad.numpy()).all()
    assert not np.isfinite(t.grad.numpy()).all()


HESSIAN_CASES = {
    "logdet": lambda m, x: m.linalg.slogdet(x)[1],
    "det": lambda m, x: m.linalg.det(x),
    "inv": lambda m, x: (m.linalg.inv(x) ** 2).sum(),
    "eigvalsh": lambda m, x: (m.linalg.eigvalsh(x + x.mT) ** 3).sum(),
    "eigh_vectors": lambda m, x: (m.linalg.eigh(x + x.mT)[1] ** 4).sum(),  # sign-free
    "svd": lambda m, x: (m.linalg.svd(x)[0] ** 4).sum() + m.linalg.svdvals(x).prod(),
    "qr": lambda m, x: (m.linalg.qr(x)[0] ** 4).sum() + (m.linalg.qr(x)[1] ** 2).sum(),
    "cholesky": lambda m, x: (m.linalg.cholesky(spd(m, x)) ** 3).sum(),
    "pinv": lambda m, x: (m.linalg.pinv(x[:, :2]) ** 3).sum(),
    "lstsq": lambda m, x: (m.linalg.lstsq(x[:, :2], x[:, 2]).solution ** 3).sum(),
    "solve": lambda m, x: (m.linalg.solve(x, x[:, 0]) ** 3).sum(),
}


@pytest.mark.parametrize("case", sorted(HESSIAN_CASES))
def test_hessian_forward_over_reverse_matches_torch(case):
    """zerograd.func.hessian (jacfwd of jacrev) differentiates every rule in forward mode,
    reading the saved outputs' tangents: it must equal torch.func.hessian."""
    fn = HESSIAN_CASES[case]
    a = general(3, 3)
    hz = zerograd.func.hessian(lambda x: fn(zerograd, x))(zerograd.tensor(a))
    ht = torch.func.hessian(lambda x: fn(torch, x))(torch.tensor(a))
    np.testing.assert_allclose(hz.numpy(), ht.numpy(), rtol=1e-8, atol=1e-10)


def test_values_only_forward_mode_is_quiet_for_repeated_values():
    with fwAD.dual_level(), warnings.catch_warnings():
        warnings.simplefilter("error")
        x = fwAD.make_dual(zerograd.eye(3), zerograd.ones(3, 3))
        for fn in (zerograd.linalg.eigvalsh, zerograd.linalg.svdvals):
            np.testing.assert_allclose(fwAD.unpack_dual(fn(x)).tangent.numpy(), np.ones(3))
