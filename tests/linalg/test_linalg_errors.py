"""Bad input to zerograd.linalg raises what torch.linalg raises: the same exception class and
a message that says at least what torch's says (singular matrix and which batch element,
the shape of a non-square input, a non positive-definite matrix and its failing minor,
integer dtypes, bad arguments)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import zerograd

SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
NOT_PD = [[1.0, 2.0], [2.0, 1.0]]


def _stack(*mats):
    return np.stack([np.asarray(m, dtype=np.float32) for m in mats])


def _both(fn, *arrays, **kw):
    """Run fn on zerograd and on torch; return the two exceptions."""
    errs = []
    for lib in (zerograd, torch):
        args = [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
        with pytest.raises(Exception) as info:
            fn(lib, *args, **kw)
        errs.append(info.value)
    return errs


CASES = {
    "inv_singular": (lambda m, a: m.linalg.inv(a), np.array(SINGULAR, np.float32)),
    "inv_zero": (lambda m, a: m.linalg.inv(a), np.zeros((3, 3), np.float32)),
    "inv_batch_element": (lambda m, a: m.linalg.inv(a), _stack(np.eye(2), SINGULAR, SINGULAR)),
    "inverse_alias": (lambda m, a: m.inverse(a), np.array(SINGULAR, np.float64)),
    "inverse_method": (lambda m, a: a.inverse(), np.array(SINGULAR, np.float64)),
    "inv_non_square": (lambda m, a: m.linalg.inv(a), np.ones((2, 3), np.float32)),
    "inv_1d": (lambda m, a: m.linalg.inv(a), np.ones(3, np.float32)),
    "inv_int": (lambda m, a: m.linalg.inv(a), np.ones((2, 2), np.int64)),
    **{f"{name}_half": (fn, np.eye(3, dtype=np.float16)) for name, fn in {
        "inv": lambda m, a: m.linalg.inv(a), "solve": lambda m, a: m.linalg.solve(a, a),
        "det": lambda m, a: m.linalg.det(a), "slogdet": lambda m, a: m.linalg.slogdet(a),
        "cholesky": lambda m, a: m.linalg.cholesky(a), "qr": lambda m, a: m.linalg.qr(a),
        "eigh": lambda m, a: m.linalg.eigh(a), "svd": lambda m, a: m.linalg.svd(a),
        "svdvals": lambda m, a: m.linalg.svdvals(a), "pinv": lambda m, a: m.linalg.pinv(a),
        "lstsq": lambda m, a: m.linalg.lstsq(a, a),
        "matrix_rank": lambda m, a: m.linalg.matrix_rank(a),
        "matrix_norm_nuc": lambda m, a: m.linalg.matrix_norm(a, "nuc"),
    }.items()},
    "inv_int_non_square": (lambda m, a: m.linalg.inv(a), np.ones((2, 3), np.int64)),
    "solve_singular": (lambda m, a, b: m.linalg.solve(a, b), np.array(SINGULAR, np.float32),
                       np.ones(2, np.float32)),
    "solve_batch_element": (lambda m, a, b: m.linalg.solve(a, b), _stack(np.eye(2), SINGULAR),
                            np.ones(2, np.float32)),
    "solve_non_square": (lambda m, a, b: m.linalg.solve(a, b), np.ones((2, 3), np.float32),
                         np.ones(2, np.float32)),
    "solve_shapes": (lambda m, a, b: m.linalg.solve(a, b), np.eye(2, dtype=np.float32),
                     np.ones(3, np.float32)),
    "solve_batched_shapes": (lambda m, a, b: m.linalg.solve(a, b),
                             np.ones((4, 3, 3), np.float32), np.ones((2, 3), np.float32)),
    "solve_right_vector": (lambda m, a, b: m.linalg.solve(a, b, left=False),
                           np.eye(3, dtype=np.float32), np.ones(3, np.float32)),
    "solve_dtypes": (lambda m, a, b: m.linalg.solve(a, b), np.eye(2, dtype=np.float32),
                     np.ones(2, np.float64)),
    "solve_int": (lambda m, a, b: m.linalg.solve(a, b), np.eye(2, dtype=np.int64),
                  np.ones(2, np.int64)),
    "det_non_square": (lambda m, a: m.linalg.det(a), np.ones((2, 3), np.float32)),
    "det_alias_non_square": (lambda m, a: m.det(a), np.ones((2, 3), np.float32)),
    "det_int": (lambda m, a: m.linalg.det(a), np.ones((2, 2), np.int64)),
    "det_1d": (lambda m, a: m.linalg.det(a), np.ones(3, np.float32)),
    "slogdet_non_square": (lambda m, a: m.linalg.slogdet(a), np.ones((2, 3), np.float32)),
    "slogdet_int": (lambda m, a: m.linalg.slogdet(a), np.ones((2, 2), np.int64)),
    "cholesky_not_pd": (lambda m, a: m.linalg.cholesky(a), np.array(NOT_PD, np.float32)),
    "cholesky_batch_element": (lambda m, a: m.linalg.cholesky(a), _stack(np.eye(2), NOT_PD)),
    "cholesky_minor_3": (lambda m, a: m.linalg.cholesky(a),
                         np.diag([1.0, 2.0, -1.0]).astype(np.float64)),
    "cholesky_upper_not_pd": (lambda m, a: m.linalg.cholesky(a, upper=True),
                              np.array([[4.0, 100.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 4.0]])),
    "cholesky_non_square": (lambda m, a: m.linalg.cholesky(a), np.ones((2, 3), np.float32)),
    "cholesky_int": (lambda m, a: m.linalg.cholesky(a), np.eye(2, dtype=np.int64)),
    "qr_int": (lambda m, a: m.linalg.qr(a), np.ones((2, 2), np.int64)),
    "qr_1d": (lambda m, a: m.linalg.qr(a), np.ones(3, np.float32)),
    "qr_mode": (lambda m, a: m.linalg.qr(a, mode="x"), np.eye(2, dtype=np.float32)),
    "eigh_non_square": (lambda m, a: m.linalg.eigh(a), np.ones((2, 3), np.float32)),
    "eigh_int": (lambda m, a: m.linalg.eigh(a), np.eye(2, dtype=np.int64)),
    "eigvalsh_int": (lambda m, a: m.linalg.eigvalsh(a), np.eye(2, dtype=np.int64)),
    "eigh_uplo": (lambda m, a: m.linalg.eigh(a, UPLO="X"), np.eye(2, dtype=np.float32)),
    "svd_int": (lambda m, a: m.linalg.svd(a), np.ones((2, 2), np.int64)),
    "svdvals_1d": (lambda m, a: m.linalg.svdvals(a), np.ones(3, np.float32)),
    "pinv_int": (lambda m, a: m.linalg.pinv(a), np.ones((2, 2), np.int64)),
    "pinv_1d": (lambda m, a: m.linalg.pinv(a), np.ones(3, np.float32)),
    "matrix_rank_int": (lambda m, a: m.linalg.matrix_rank(a), np.ones((2, 2), np.int64)),
    "matrix_rank_1d": (lambda m, a: m.linalg.matrix_rank(a), np.ones(3, np.float32)),
    "lstsq_int": (lambda m, a, b: m.linalg.lstsq(a, b), np.ones((3, 2), np.int64),
                  np.ones((3, 1), np.int64)),
    "lstsq_rows": (lambda m, a, b: m.linalg.lstsq(a, b), np.ones((3, 2), np.float32),
                   np.ones((4, 1), np.float32)),
    "lstsq_dims": (lambda m, a, b: m.linalg.lstsq(a, b), np.ones((3, 2), np.float32),
                   np.ones((2, 3, 1), np.float32)),
    "lstsq_dtypes": (lambda m, a, b: m.linalg.lstsq(a, b), np.ones((3, 2), np.float32),
                     np.ones((3, 1), np.float64)),
    "lstsq_1d": (lambda m, a, b: m.linalg.lstsq(a, b), np.ones(3, np.float32),
                 np.ones(3, np.float32)),
    "lstsq_driver": (lambda m, a, b: m.linalg.lstsq(a, b, driver="foo"),
                     np.ones((3, 2), np.float32), np.ones((3, 1), np.float32)),
    "cross_length": (lambda m, a, b: m.linalg.cross(a, b), np.ones(2, np.float32),
                     np.ones(2, np.float32)),
    "cross_ndim": (lambda m, a, b: m.linalg.cross(a, b), np.ones((4, 3), np.float32),
                   np.ones((2, 1, 3), np.float32)),
    "cross_dtypes": (lambda m, a, b: m.linalg.cross(a, b), np.ones(3, np.float32),
                     np.ones(3, np.float64)),
    "multi_dot_one": (lambda m, a: m.linalg.multi_dot([a]), np.ones((2, 2), np.float32)),
    "multi_dot_3d": (lambda m, a, b: m.linalg.multi_dot([a, b]), np.ones((2, 2, 2), np.float32),
                     np.ones((2, 2), np.float32)),
    "multi_dot_middle": (lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
                         np.ones((2, 2), np.float32), np.ones(2, np.float32),
                         np.ones((2, 2), np.float32)),
    "multi_dot_shapes": (lambda m, a, b: m.linalg.multi_dot([a, b]), np.ones((2, 3), np.float32),
                         np.ones((4, 5), np.float32)),
    "multi_dot_vector_shapes": (lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
                                np.ones(3, np.float32), np.ones((4, 2), np.float32),
                                np.ones(2, np.float32)),
    "multi_dot_dtypes": (lambda m, a, b: m.linalg.multi_dot([a, b]), np.ones((2, 3), np.float32),
                         np.ones((3, 5), np.int64)),
    "vector_norm_int": (lambda m, a: m.linalg.vector_norm(a), np.ones(3, np.int64)),
    "vector_norm_narrowing": (lambda m, a: m.linalg.vector_norm(a, dtype=m.float32),
                              np.ones(3, np.float64)),
    "matrix_norm_1d": (lambda m, a: m.linalg.matrix_norm(a), np.ones(3, np.float32)),
    "matrix_norm_ord": (lambda m, a: m.linalg.matrix_norm(a, ord=3), np.ones((2, 2), np.float32)),
    "matrix_norm_ord_str": (lambda m, a: m.linalg.matrix_norm(a, ord="foo"),
                            np.ones((2, 2), np.float32)),
    "matrix_norm_same_dims": (lambda m, a: m.linalg.matrix_norm(a, dim=(0, 0)),
                              np.ones((2, 3), np.float32)),
    "matrix_norm_int": (lambda m, a: m.linalg.matrix_norm(a), np.ones((2, 2), np.int64)),
    "norm_3d_ord": (lambda m, a: m.linalg.norm(a, ord=2), np.ones((2, 2, 2), np.float32)),
    "norm_fro_vector_dim": (lambda m, a: m.linalg.norm(a, ord="fro", dim=0),
                            np.ones((2, 3), np.float32)),
    "norm_three_dims": (lambda m, a: m.linalg.norm(a, dim=(0, 1, 2)),
                        np.ones((2, 3, 4), np.float32)),
    "norm_nuc_1d": (lambda m, a: m.linalg.norm(a, ord="nuc"), np.ones(3, np.float32)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_matches_torch(case):
    fn, *arrays = CASES[case]
    z, t = _both(fn, *arrays)
    for cls in (RuntimeError, TypeError, NotImplementedError, ValueError):
        assert isinstance(z, cls) == isinstance(t, cls), (case, type(z), type(t))
    assert isinstance(z, zerograd.linalg.LinAlgError) == isinstance(t, torch.linalg.LinAlgError)
    assert str(t) in str(z), (str(z), str(t))


def test_linalg_error_is_a_runtime_error_named_like_torchs():
    assert issubclass(zerograd.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError, match="singular"):
        zerograd.linalg.inv(zerograd.zeros(2, 2))


def test_singular_det_is_zero_with_torchs_zero_gradient():
    """det of an exactly singular matrix is 0 and, as torch's first-order rule gives, so is
    its gradient; slogdet there is -inf and warns that its gradient is not finite."""
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    z, t = zerograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    zd, td = zerograd.linalg.det(z), torch.linalg.det(t)
    assert float(zd) == float(td) == 0.0
    zd.backward()
    td.backward()
    np.testing.assert_array_equal(np.abs(z.grad.numpy()), np.abs(t.grad.numpy()))
    sign, logabs = zerograd.linalg.slogdet(z)
    assert float(sign) == 0.0 and float(logabs) == -np.inf
    with pytest.warns(UserWarning, match="singular"):
        (g,) = zerograd.autograd.grad(logabs, z)
    assert not np.isfinite(g.numpy()).all()


def test_qr_and_svd_derivatives_torch_refuses():
    a = np.random.default_rng(0).standard_normal((4, 2))
    for fn in (lambda m, x: m.linalg.qr(x, mode="complete")[0].sum(),
               lambda m, x: m.linalg.qr(x, mode="r")[1].sum()):
        errs = []
        for lib in (zerograd, torch):
            x = lib.tensor(a, requires_grad=True)
            with pytest.raises(RuntimeError) as info:
                fn(lib, x).backward()
            errs.append(str(info.value))
        assert errs[1] in errs[0]
