"""Linear-algebra primitives: inv, solve, det, slogdet, cholesky, qr, eigh, svd, pinv, lstsq.

Each forward runs NumPy's LAPACK routine (`xp.linalg`) on arrays, batched over leading dims;
each VJP and JVP is written in zerograd Tensor ops (matmul, solve, inv ...) so it can itself be
differentiated. What is differentiable follows PyTorch: eigenvectors and singular vectors up to
sign, svd with the thin factors, qr in 'reduced' mode. Argument checking, the public names and
the composites (norms, pinv's tolerances, matrix_rank, cross, multi_dot) live in zerograd/linalg.py;
matrix products stay in ops/linalg.py.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._tensor import Tensor
from ..autograd.function import Primitive, _apply
from ..backend import namespace_of, np, shims_of
from . import linalg as L
from . import movement as M
from .elementwise import where
from .join import cat


class LinAlgError(RuntimeError):
    """A matrix was singular or not positive-definite (torch.linalg.LinAlgError)."""


# --- helpers on Tensors (used by the rules) ------------------------------------------------------


def _eye(like: Tensor, n: int) -> Tensor:
    return Tensor._make(namespace_of(like._data).eye(n, dtype=like._data.dtype))


def _diag_embed(v: Tensor) -> Tensor:
    """Batched diagonal matrices from the last dim of v (differentiable)."""
    return v.unsqueeze(-1) * _eye(v, v.shape[-1])


def _diag(x: Tensor) -> Tensor:
    return L.diagonal(x, 0, -2, -1)


def _inv(a: Tensor) -> Tensor:
    return _apply(Inv, (a,), (a._data,), {"fname": "linalg.inv"})


def _solve(a: Tensor, b: Tensor) -> Tensor:
    """A⁻¹B for a matrix right-hand side (..., n, k)."""
    return _apply(Solve, (a, b), (a._data, b._data),
                  {"fname": "torch.linalg.solve", "vector": False})


def _pinv(a: Tensor) -> Tensor:
    return _apply(Pinv, (a,), (a._data,), {"atol": None, "rtol": None, "hermitian": False})


def _absent(g: Tensor) -> bool:
    """An all-zero cotangent: the engine's stand-in for an output nobody used. PyTorch skips
    the terms of an undefined gradient (they would be 0 · inf = nan for repeated values)."""
    return not bool(g._data.any())


def _gap(values: Tensor, what: str, warn: bool = True) -> Tensor:
    """E[i, j] = v_j - v_i, with 1 on the diagonal, as PyTorch divides by it. Repeated values
    give 0 off the diagonal, hence an inf/nan gradient (torch's documented behaviour): warn."""
    e = values.unsqueeze(-2) - values.unsqueeze(-1)
    n = values.shape[-1]
    off = e._data == 0
    off[..., range(n), range(n)] = False
    if warn and off.any():
        warnings.warn(
            f"{what} has repeated values, so the gradient through its vectors is not finite "
            "(PyTorch returns inf/nan here as well); differentiate a function that does not "
            "depend on the choice of basis of the repeated subspace instead", stacklevel=4)
    return e + _eye(values, n)


# --- finding the failing pivot, as LAPACK reports it (only run once an error is known) -----------


def _lu_zero_pivot(a: Any) -> int:
    """1-based index of the first exactly-zero pivot of partial-pivoting LU (getrf's info)."""
    a = np.array(a, copy=True)
    n = a.shape[-1]
    for j in range(n):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if a[p, j] == 0:
            return j + 1
        a[[j, p]] = a[[p, j]]
        a[j + 1:, j] /= a[j, j]
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return 0


def _chol_bad_minor(a: Any) -> int:
    """Order of the first leading minor that is not positive-definite (potrf's info)."""
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[-1]
    low = np.zeros_like(a)
    for j in range(n):
        d = a[j, j] - low[j, :j] @ low[j, :j]
        if not d > 0:
            return j + 1
        low[j, j] = np.sqrt(d)
        low[j + 1:, j] = (a[j + 1:, j] - low[j + 1:, :j] @ low[j, :j]) / low[j, j]
    return 0


def _raise_batched(fname: str, a: Any, find: Any, message: Any) -> None:
    """Raise LinAlgError for the first batch element where `find` reports a failure."""
    host = a.get() if hasattr(a, "get") else a  # a CuPy array is copied to the host
    mats = np.asarray(host).reshape((-1,) + a.shape[-2:])
    for b, m in enumerate(mats):
        info = find(m)
        if info:
            where_ = f"(Batch element {b}): " if a.ndim > 2 else ""
            raise LinAlgError(f"{fname}: {where_}{message(info)}")
    raise LinAlgError(f"{fname}: {message(0)}")


def _singular(info: int) -> str:
    if info:
        return (f"The diagonal element {info} is zero, the inversion could not be completed "
                "because the input matrix is singular.")
    return "The inversion could not be completed because the input matrix is singular."


# --- the primitives ------------------------------------------------------------------------------


class Inv(Primitive):
    """out = A⁻¹     VJP: A_bar = −outᵀ G outᵀ     JVP: out_dot = −out A_dot out"""

    op_name = "inv"
    grad_fn_name = "LinalgInvExBackward0"
    save_output = True

    def forward(self, a: Any) -> Any:
        try:
            return shims_of(a).linalg_call(namespace_of(a).linalg.inv, a)
        except np.linalg.LinAlgError:
            _raise_batched(self.fname, a, _lu_zero_pivot, _singular)

    def backward(self, g: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return -(out.mT @ g @ out.mT)

    def jvp(self, a_dot: Tensor) -> Tensor:
        (out,) = self.saved_tensors
        return -(out @ a_dot @ out)


class Solve(Primitive):
    """X = A⁻¹B     VJP: B_bar = A⁻ᵀG, A_bar = −B_bar Xᵀ     JVP: X_dot = A⁻¹(B_dot − A_dot X)
    B is (..., n, k), or (..., n) with `vector` (the rules then work on it as one column)."""

    op_name = "solve"
    grad_fn_name = "LinalgSolveExBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, a: Any, b: Any) -> Any:
        xp = namespace_of(a)
        try:
            if self.vector:
                return shims_of(a).linalg_call(xp.linalg.solve, a, b[..., None])[..., 0]
            return shims_of(a).linalg_call(xp.linalg.solve, a, b)
        except np.linalg.LinAlgError:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-1 if self.vector else -2])
            full = np.broadcast_to(a, batch + a.shape[-2:])
            _raise_batched(self.fname, full, _lu_zero_pivot,
                           lambda _: "The solver failed because the input matrix is singular.")

    def backward(self, g: Tensor) -> Any:
        a, x = self.saved_tensors
        if self.vector:
            g, x = g.unsqueeze(-1), x.unsqueeze(-1)
        b_bar = _solve(a.mT, g)
        return -(b_bar @ x.mT), b_bar.squeeze(-1) if self.vector else b_bar

    def jvp(self, a_dot: Tensor, b_dot: Tensor) -> Tensor:
        a, x = self.saved_tensors
        if self.vector:
            return _solve(a, b_dot.unsqueeze(-1) - a_dot @ x.unsqueeze(-1)).squeeze(-1)
        return _solve(a, b_dot - a_dot @ x)


def _safe_inv_t(a: Tensor, singular: Tensor) -> Tensor:
    """A⁻ᵀ where A is invertible; the identity in its place for singular batch elements."""
    if bool(singular._data.any()):
        a = where(singular.unsqueeze(-1).unsqueeze(-1), _eye(a, a.shape[-1]), a)
    return _inv(a).mT


class Det(Primitive):
    """out = det A     VJP: A_bar = g · out · A⁻ᵀ     JVP: out_dot = out · tr(A⁻¹ A_dot)
    For an exactly singular A both are 0, which is what PyTorch's first-order rule returns
    (its LU-based formula multiplies by det = 0)."""

    op_name = "det"
    grad_fn_name = "LinalgDetBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, a: Any) -> Any:
        return namespace_of(a).linalg.det(a)

    def _cofactor(self) -> Tensor:
        a, out = self.saved_tensors
        return out.unsqueeze(-1).unsqueeze(-1) * _safe_inv_t(a, out == 0)

    def backward(self, g: Tensor) -> Tensor:
        return g.unsqueeze(-1).unsqueeze(-1) * self._cofactor()

    def jvp(self, a_dot: Tensor) -> Tensor:
        return (self._cofactor() * a_dot).sum((-2, -1))


class Slogdet(Primitive):
    """(sign, logabsdet) = slogdet A     VJP: A_bar = g_logabsdet · A⁻ᵀ (sign: no gradient)
    JVP: logabsdet_dot = tr(A⁻¹ A_dot), sign_dot = 0. Not differentiable at a singular A:
    the gradient is ±inf/nan there (as in PyTorch), with a warning."""

    op_name = "slogdet"
    grad_fn_name = "LinalgSlogdetBackward0"
    n_outputs = 2
    n_diff_outputs = 2
    save_inputs = (0,)

    def forward(self, a: Any) -> Any:
        sign, logabs = namespace_of(a).linalg.slogdet(a)
        return sign, logabs

    def _inv_t(self) -> tuple[Tensor, Tensor | None]:
        (a,) = self.saved_tensors
        xp = namespace_of(a._data)
        singular = Tensor._make(xp.asarray(xp.linalg.det(a._data) == 0))
        if not bool(singular._data.any()):
            return _inv(a).mT, None
        warnings.warn("slogdet is not differentiable at a singular matrix (logabsdet = "
                      "-inf): its gradient there is not finite", stacklevel=3)
        return _safe_inv_t(a, singular), singular.unsqueeze(-1).unsqueeze(-1)

    def backward(self, g_sign: Tensor, g_logabs: Tensor) -> Tensor:
        inv_t, singular = self._inv_t()
        g = g_logabs.unsqueeze(-1).unsqueeze(-1)
        if singular is None:  # (a where() would turn 0 · inf into nan in double backward)
            return g * inv_t
        return where(singular, g * float("inf"), g * inv_t)

    def jvp(self, a_dot: Tensor) -> tuple[Tensor, Tensor]:
        inv_t, singular = self._inv_t()
        prod = inv_t * a_dot if singular is None else where(singular, float("nan"), inv_t * a_dot)
        t = prod.sum((-2, -1))
        return t * 0, t


def _phi(x: Tensor) -> Tensor:
    """The lower triangle of x with its diagonal halved (Cholesky's rules)."""
    return M.tril(x, -1) + 0.5 * _diag_embed(_diag(x))


class Cholesky(Primitive):
    """L = chol(A), A = L Lᵀ     VJP: A_bar = sym(L⁻ᵀ Φ(Lᵀ G) L⁻¹)
    JVP: L_dot = L Φ(L⁻¹ A_dot L⁻ᵀ)
    Φ = lower triangle with half the diagonal; sym(X) = (X + Xᵀ)/2. Reads A's lower triangle
    (upper=True: the upper one, and returns U = Lᵀ)."""

    op_name = "cholesky"
    grad_fn_name = "LinalgCholeskyExBackward0"
    save_output = True

    def forward(self, a: Any) -> Any:
        xp = namespace_of(a)
        src = xp.swapaxes(a, -1, -2) if self.upper else a
        try:
            low = shims_of(a).linalg_call(xp.linalg.cholesky, src)
        except np.linalg.LinAlgError:
            _raise_batched("linalg.cholesky", src, _chol_bad_minor, lambda k: (
                "The factorization could not be completed because the input is not "
                f"positive-definite (the leading minor of order {k} is not positive-definite)."))
        return xp.swapaxes(low, -1, -2) if self.upper else low

    def _low(self) -> Tensor:
        (out,) = self.saved_tensors
        return out.mT if self.upper else out

    def backward(self, g: Tensor) -> Tensor:
        low = self._low()
        g = g.mT if self.upper else g
        inv = _inv(low)
        a_bar = inv.mT @ _phi(low.mT @ g) @ inv
        return 0.5 * (a_bar + a_bar.mT)

    def jvp(self, a_dot: Tensor) -> Tensor:
        low = self._low()
        inv = _inv(low)
        out = low @ _phi(inv @ (a_dot.mT if self.upper else a_dot) @ inv.mT)
        return out.mT if self.upper else out


def _copyltu(x: Tensor) -> Tensor:
    """The symmetric matrix with x's lower triangle (and diagonal)."""
    low = M.tril(x, -1)
    return low + low.mT + _diag_embed(_diag(x))


def _qr_square_or_tall_vjp(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    # A_bar = (G_Q + Q copyltu(M)) R⁻ᵀ with M = R G_Rᵀ − G_Qᵀ Q  (m ≥ n)
    m = r @ gr.mT - gq.mT @ q
    return _solve(r, (gq + q @ _copyltu(m)).mT).mT


def _qr_square_or_tall_jvp(a_dot: Tensor, q: Tensor, r: Tensor) -> tuple[Tensor, Tensor]:
    # C = Qᵀ A_dot R⁻¹ = Ω + R_dot R⁻¹ with Ω = QᵀQ_dot skew and R_dot R⁻¹ upper triangular
    ar = _solve(r.mT, a_dot.mT).mT  # A_dot R⁻¹
    c = q.mT @ ar
    low = M.tril(c, -1)
    omega = low - low.mT
    return ar - q @ (c - omega), (c - omega) @ r


class QR(Primitive):
    """A = QR, Q orthonormal columns, R upper triangular
    VJP (m ≥ n): A_bar = (G_Q + Q copyltu(R G_Rᵀ − G_Qᵀ Q)) R⁻ᵀ; m < n splits A = [X | Y]
    JVP (m ≥ n): C = Qᵀ A_dot R⁻¹, Ω = tril(C, −1) − its transpose, R_dot = (C − Ω)R,
    Q_dot = A_dot R⁻¹ − Q(C − Ω)."""

    op_name = "qr"
    grad_fn_name = "LinalgQrBackward0"
    n_outputs = 2
    n_diff_outputs = 2
    save_output = True

    def forward(self, a: Any) -> Any:
        xp = namespace_of(a)
        if self.mode == "r":
            return xp.zeros((0,), dtype=a.dtype), xp.linalg.qr(a, mode="r")
        q, r = xp.linalg.qr(a, mode=self.mode)
        return q, r

    def _check(self) -> None:
        if self.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr.")
        q, r = self.saved_tensors
        if self.mode == "complete" and q.shape[-1] > r.shape[-1]:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")

    def backward(self, gq: Tensor, gr: Tensor) -> Tensor:
        self._check()
        q, r = self.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if m >= n:
            return _qr_square_or_tall_vjp(q, r, gq, gr)
        # A = [X | Y] with X = QU square, Y = QV: V = QᵀY feeds back into Q's cotangent.
        u, v, gu, gv = r[..., :m], r[..., m:], gr[..., :m], gr[..., m:]
        x_bar = _qr_square_or_tall_vjp(q, u, gq + q @ v @ gv.mT, gu)  # Y = QV
        return cat((x_bar, q @ gv), dim=-1)

    def jvp(self, a_dot: Tensor) -> tuple[Tensor, Tensor]:
        self._check()
        q, r = self.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if m >= n:
            return _qr_square_or_tall_jvp(a_dot, q, r)
        u, v = r[..., :m], r[..., m:]
        q_dot, u_dot = _qr_square_or_tall_jvp(a_dot[..., :m], q, u)
        v_dot = q.mT @ (a_dot[..., m:] - q_dot @ v)
        return q_dot, cat((u_dot, v_dot), dim=-1)


class Eigh(Primitive):
    """A = V diag(λ) Vᵀ, λ ascending     VJP: A_bar = V (diag(g_λ) + ½ skew(Vᵀ G_V) / E) Vᵀ
    JVP: λ_dot = diag(P), V_dot = V (P / E, zero diagonal), with P = Vᵀ A_dot V
    E[i, j] = λ_j − λ_i: vanishes for repeated eigenvalues (inf/nan, as in PyTorch; we warn)."""

    op_name = "eigh"
    grad_fn_name = "LinalgEighBackward0"
    n_outputs = 2
    n_diff_outputs = 2
    save_output = True

    def forward(self, a: Any) -> Any:
        w, v = namespace_of(a).linalg.eigh(a, UPLO=self.UPLO)
        return w, v

    def backward(self, g_w: Tensor, g_v: Tensor) -> Tensor:
        w, v = self.saved_tensors
        inner = _diag_embed(g_w)
        if not (self.values_only or _absent(g_v)):
            k = v.mT @ g_v
            inner = inner + 0.5 * (k - k.mT) / _gap(w, "linalg.eigh: the input")
        return v @ inner @ v.mT

    def jvp(self, a_dot: Tensor) -> tuple[Tensor, Tensor]:
        w, v = self.saved_tensors
        p = v.mT @ a_dot @ v
        w_dot = _diag(p)
        # eigvalsh still needs V's tangent: its backward reads V (forward-over-reverse).
        e = _gap(w, "linalg.eigh: the input", warn=not self.values_only)
        return w_dot, v @ ((p - _diag_embed(w_dot)) / e)


class SVD(Primitive):
    """A = U diag(S) Vh (thin: k = min(m, n))     VJP: A_bar = U [skew(UᵀG_U)/E S +
    S skew(Vh G_Vhᵀ)/E + diag(G_S)] Vh + (I − UUᵀ)G_U S⁻¹Vh + U S⁻¹ G_Vh (I − VhᵀVh)
    JVP: P = Uᵀ A_dot V, S_dot = diag(P), U_dot = U (PS + SPᵀ)/E + (I − UUᵀ)A_dot V S⁻¹, ...
    E[i, j] = S_j² − S_i². full_matrices=True: only the first k columns carry gradient."""

    op_name = "svd"
    grad_fn_name = "LinalgSvdBackward0"
    n_outputs = 3
    n_diff_outputs = 3
    save_output = True

    def forward(self, a: Any) -> Any:
        u, s, vh = namespace_of(a).linalg.svd(a, full_matrices=self.full_matrices)
        return u, s, vh

    def _thin(self) -> tuple[Tensor, Tensor, Tensor]:
        u, s, vh = self.saved_tensors
        k = s.shape[-1]
        return u[..., :k], s, vh[..., :k, :]

    def backward(self, g_u: Tensor, g_s: Tensor, g_vh: Tensor) -> Tensor:
        u, s, vh = self._thin()
        k = s.shape[-1]
        g_u, g_vh = g_u[..., :k], g_vh[..., :k, :]
        inner = _diag_embed(g_s)
        use_u = not (self.values_only or _absent(g_u))
        use_v = not (self.values_only or _absent(g_vh))
        if not (use_u or use_v):
            return u @ inner @ vh
        e = _gap(s * s, "linalg.svd: the input's singular values")
        a_bar = None
        if use_u:
            j = u.mT @ g_u
            inner = inner + ((j - j.mT) / e) * s.unsqueeze(-2)
            if u.shape[-2] > k:  # the part of G_U outside the column space of U
                a_bar = ((g_u - u @ (u.mT @ g_u)) / s.unsqueeze(-2)) @ vh
        if use_v:
            j = vh @ g_vh.mT
            inner = inner + s.unsqueeze(-1) * ((j - j.mT) / e)
            if vh.shape[-1] > k:
                extra = u @ ((g_vh - (g_vh @ vh.mT) @ vh) / s.unsqueeze(-1))
                a_bar = extra if a_bar is None else a_bar + extra
        out = u @ inner @ vh
        return out if a_bar is None else out + a_bar

    def jvp(self, a_dot: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        u, s, vh = self._thin()
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        v = vh.mT
        p = u.mT @ a_dot @ v
        s_dot = _diag(p)
        # svdvals still needs U's and Vh's tangents: its backward reads them.
        e = _gap(s * s, "linalg.svd: the input's singular values", warn=not self.values_only)
        x = p * s.unsqueeze(-2) + s.unsqueeze(-1) * p.mT
        y = s.unsqueeze(-1) * p + p.mT * s.unsqueeze(-2)
        u_dot = u @ ((x - _diag_embed(_diag(x))) / e)
        v_dot = v @ ((y - _diag_embed(_diag(y))) / e)
        if m > k:
            u_dot = u_dot + (a_dot @ v - u @ p) / s.unsqueeze(-2)
        if n > k:
            v_dot = v_dot + (a_dot.mT @ u - v @ p.mT) / s.unsqueeze(-2)
        vh_dot = v_dot.mT
        if self.full_matrices:  # PyTorch pads the extra columns' tangents with zeros
            xp = namespace_of(u._data)
            if m > k:
                u_dot = cat((u_dot, Tensor._make(xp.zeros(u.shape[:-1] + (m - k,),
                                                          u._data.dtype))), dim=-1)
            if n > k:
                vh_dot = cat((vh_dot, Tensor._make(xp.zeros(vh.shape[:-2] + (n - k, n),
                                                            u._data.dtype))), dim=-2)
        return u_dot, s_dot, vh_dot


def tolerance(sv: Any, m: int, n: int, atol: Any, rtol: Any) -> Any:
    """max(atol, rtol · σ_max) per matrix, with PyTorch's defaults (rtol = eps · max(m, n)
    unless only a positive atol is given). Shared by pinv and matrix_rank."""
    xp = namespace_of(sv)
    default = np.finfo(sv.dtype).eps * max(m, n)
    smax = sv.max(axis=-1) if sv.shape[-1] else xp.zeros(sv.shape[:-1], sv.dtype)
    a = xp.asarray(0.0 if atol is None else atol, dtype=sv.dtype)
    if rtol is None:
        r = xp.where(a > 0, 0.0, default) if atol is not None else default
    else:
        r = xp.asarray(rtol, dtype=sv.dtype)
    return xp.maximum(a, r * smax)


def _pinv_jvp(a: Tensor, p: Tensor, a_dot: Tensor) -> Tensor:
    # dP = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P   (Golub & Pereyra, constant rank)
    ad_t = a_dot.mT
    return (-(p @ a_dot @ p) + (p @ p.mT) @ (ad_t - (ad_t @ a) @ p)
            + (ad_t - p @ (a @ ad_t)) @ (p.mT @ p))


def _pinv_vjp(a: Tensor, p: Tensor, g: Tensor) -> Tensor:
    # A_bar = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A): the adjoint of _pinv_jvp
    x = g.mT @ (p @ p.mT)
    y = (p.mT @ p) @ g.mT
    return -(p.mT @ g @ p.mT) + x - a @ (p @ x) + y - (y @ p) @ a


class Pinv(Primitive):
    """out = A⁺ (singular values ≤ tol dropped)     VJP: A_bar = −A⁺ᵀ G A⁺ᵀ
    + (I − AA⁺) Gᵀ A⁺A⁺ᵀ + A⁺ᵀA⁺ Gᵀ (I − A⁺A)     JVP: the same three terms forward
    (the derivative at constant rank, as PyTorch's; finite even for repeated singular values)."""

    op_name = "pinv"
    grad_fn_name = "LinalgPinvBackward0"
    save_inputs = (0,)
    save_output = True

    def forward(self, a: Any) -> Any:
        xp = namespace_of(a)
        m, n = a.shape[-2:]
        if self.hermitian:
            w, v = xp.linalg.eigh(a)
            sv, left, right = xp.abs(w), v, xp.swapaxes(v, -1, -2)
        else:
            left, sv, right = xp.linalg.svd(a, full_matrices=False)
        keep = sv > tolerance(sv, m, n, self.atol, self.rtol)[..., None]
        base = w if self.hermitian else sv
        inv = xp.where(keep, 1 / xp.where(keep, base, 1), 0).astype(a.dtype)
        return xp.swapaxes(right, -1, -2) @ (inv[..., None] * xp.swapaxes(left, -1, -2))

    def backward(self, g: Tensor) -> Tensor:
        a, p = self.saved_tensors
        return _pinv_vjp(a, p, g)

    def jvp(self, a_dot: Tensor) -> Tensor:
        a, p = self.saved_tensors
        return _pinv_jvp(a, p, a_dot)


class Lstsq(Primitive):
    """X = A⁺B, the minimum-norm least-squares solution (B: ..., m, k); also rank and
    singular values (no gradient)     VJP: B_bar = A⁺ᵀG, A_bar = pinv's VJP of G Bᵀ
    JVP: X_dot = (pinv's JVP of A_dot) B + A⁺ B_dot. With `vector`, B is (..., m)."""

    op_name = "lstsq"
    grad_fn_name = "LinalgLstsqBackward0"
    n_outputs = 3
    n_diff_outputs = 1
    save_inputs = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        xp = namespace_of(a)
        if self.vector:
            b = b[..., None]
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        m, n = a.shape[-2:]
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        x = xp.empty(batch + (n, b.shape[-1]), dtype=a.dtype)
        rank = xp.empty(batch, dtype=np.int64)
        sv = xp.empty(batch + (min(m, n),), dtype=a.dtype)
        for i in np.ndindex(*batch):  # LAPACK's gelsd is not batched: one matrix at a time
            x[i], _, rank[i], sv[i] = xp.linalg.lstsq(a[i], b[i], rcond=self.rcond)
        return x[..., 0] if self.vector else x, rank, sv

    def backward(self, g: Tensor) -> Any:
        a, b = self.saved_tensors
        if self.vector:
            g, b = g.unsqueeze(-1), b.unsqueeze(-1)
        p = _pinv(a)
        b_bar = p.mT @ g
        return _pinv_vjp(a, p, g @ b.mT), b_bar.squeeze(-1) if self.vector else b_bar

    def jvp(self, a_dot: Tensor, b_dot: Tensor) -> Tensor:
        a, b = self.saved_tensors
        if self.vector:
            b, b_dot = b.unsqueeze(-1), b_dot.unsqueeze(-1)
        p = _pinv(a)
        x_dot = _pinv_jvp(a, p, a_dot) @ b + p @ b_dot
        return x_dot.squeeze(-1) if self.vector else x_dot
