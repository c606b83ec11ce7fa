"""gradcheck and gradgradcheck: analytical gradients against float64 central differences.

The numerical Jacobian perturbs one input element at a time by ±eps and differences the
outputs; the analytical one runs a VJP per output element (reverse mode) or a JVP per input
element (forward mode). `fast_mode=True` compares only the scalar uᵀ·J·v along random
directions u, v: one finite difference and one VJP per input/output pair. What lives elsewhere:
the engine (engine.py), the rules (ops/), Jacobian helpers for users (functional.py).
Internally this file works on float64 NumPy arrays; only the functions under test see Tensors.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ..backend import np, to_host

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck / gradgradcheck when a gradient check fails."""


# --- small helpers ----------------------------------------------------------------------------


def _tensor_cls() -> Any:
    from .._tensor import Tensor

    return Tensor


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_float_tensor(x: Any) -> bool:
    return isinstance(x, _tensor_cls()) and x.dtype.is_floating_point


def _differentiable_outputs(out: Any) -> tuple[Any, ...]:
    return tuple(o for o in _as_tuple(out) if isinstance(o, _tensor_cls()) and o.requires_grad)


def _diff_inputs(inputs: Sequence[Any]) -> list[int]:
    """Positions of the inputs gradients are checked for (tensors that require grad)."""
    return [i for i, x in enumerate(inputs) if isinstance(x, _tensor_cls()) and x.requires_grad]


def _host64(t: Any) -> Any:
    """A tensor's values as a fresh float64 NumPy array."""
    return to_host(t._data).astype(np.float64)


def _show(matrix: Any) -> Any:
    """A float64 array as a zerograd tensor, so error messages print like PyTorch's."""
    return _tensor_cls()._make(np.asarray(matrix, dtype=np.float64))


def _allclose(a: Any, n: Any, rtol: float, atol: float) -> bool:
    # torch.allclose(a, n): |a - n| <= atol + rtol * |n|, NaNs never close.
    return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _mismatch(a: Any, n: Any, out_idx: int, in_idx: int, forward: bool = False) -> str:
    mode = "computed with forward mode " if forward else ""
    a, n = np.asarray(a), np.asarray(n)
    where = ""
    if a.ndim == 2 and a.size and a.shape == n.shape:
        diff = np.abs(a - n)
        diff = np.where(np.isnan(diff), np.inf, diff)
        k = np.unravel_index(int(np.argmax(diff)), diff.shape)
        where = (f"largest difference {float(diff[k]):.6g} at (input element, output element) = "
                 f"{tuple(int(i) for i in k)}\n")
    return (
        f"Jacobian {mode}mismatch for output {out_idx:d} with respect to input {in_idx:d},\n"
        f"numerical:{_show(n)}\nanalytical:{_show(a)}\n{where}"
    )


# --- checking the arguments -------------------------------------------------------------------


def _check_inputs(inputs: Sequence[Any]) -> None:
    found = False
    for idx, x in enumerate(inputs):
        if not (isinstance(x, _tensor_cls()) and x.requires_grad):
            continue
        if x.dtype.name != "float64":
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                stacklevel=3,
            )
        # A stride-0 dimension means several elements share one memory cell: perturbing one
        # would perturb them all, and the numerical Jacobian would be wrong.
        if x._data.size and any(st == 0 and sz > 1
                                for st, sz in zip(x._data.strides, x._data.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
        found = True
    if not found:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )


# --- numerical side --------------------------------------------------------------------------


def _evaluate(func: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    """func's floating outputs as float64 arrays (None in the place of other outputs)."""
    return [_host64(o) if _is_float_tensor(o) else None for o in _as_tuple(func(*inputs))]


def _central_difference(func: Callable[..., Any], inputs: Sequence[Any], arr: Any, pos: Any,
                        step: Any, eps: float) -> list[Any]:
    """(f(x + step) - f(x - step)) / 2eps for each output, writing step into arr[pos]."""
    orig = arr[pos].copy()
    try:
        arr[pos] = orig - step
        minus = _evaluate(func, inputs)
        arr[pos] = orig + step
        plus = _evaluate(func, inputs)
    finally:
        arr[pos] = orig  # restore exactly: no drift from x + eps - eps
    return [None if p is None else (p - m).reshape(-1) / (2 * eps) for p, m in zip(plus, minus)]


def _numerical_jacobian(func: Callable[..., Any], inputs: Sequence[Any], idx: int,
                        eps: float) -> list[Any]:
    """For input `idx`: one (input numel, output numel) matrix per output (None: not float)."""
    arr = inputs[idx]._data
    cols: list[list[Any]] = []
    for pos in np.ndindex(*arr.shape):
        cols.append(_central_difference(func, inputs, arr, pos, eps, eps))
    outs = _evaluate(func, inputs)
    result = []
    for j, o in enumerate(outs):
        if o is None:
            result.append(None)
        elif not cols:
            result.append(np.zeros((0, o.size)))
        else:
            result.append(np.stack([c[j] for c in cols]))
    return result


def _numerical_jvp(func: Callable[..., Any], inputs: Sequence[Any], idx: int, u: Any,
                   eps: float) -> list[Any]:
    """J·u for input `idx` along direction u (flat, float64), one vector per output."""
    arr = inputs[idx]._data
    step = _to_device_like(np.asarray(u).reshape(arr.shape).astype(arr.dtype), arr)
    return _central_difference(func, inputs, arr, Ellipsis, eps * step, eps)


def _to_device_like(host: Any, like: Any) -> Any:
    from ..backend import namespace_of

    return namespace_of(like).asarray(host)


# --- analytical side -------------------------------------------------------------------------


def _vjp(output: Any, inputs: list[Any], v: Any) -> list[Any]:
    """vᵀ·J for one output against each input: float64 flat arrays, plus the raw gradients."""
    from .engine import grad

    g = _tensor_cls()._make(_to_device_like(np.asarray(v, dtype=output._data.dtype).reshape(
        output._data.shape), output._data))
    return list(grad(output, inputs, g, retain_graph=True, allow_unused=True))


def _check_grad_attributes(grads: list[Any], inputs: list[Any], check_dtypes: bool) -> None:
    for gi, x in zip(grads, inputs):
        if gi is None:
            continue
        if check_dtypes and gi.dtype != x.dtype:
            raise GradcheckError("Gradient has dtype mismatch")
        if tuple(gi.shape) != tuple(x.shape):
            raise GradcheckError(
                f"Analytical gradient has incorrect size (got {tuple(gi.shape)}, expected "
                f"{tuple(x.shape)})"
            )


def _flat(gi: Any, x: Any) -> Any:
    return np.zeros(x.numel()) if gi is None else _host64(gi).reshape(-1)


def _analytical_jacobian(output: Any, inputs: list[Any], nondet_tol: float,
                         check_dtypes: bool) -> list[Any]:
    """For one output: (input numel, output numel) matrices, one VJP per output element.

    Every VJP runs twice: a backward that gives a different answer for the same gradient is not
    reentrant (it keeps state between calls), which PyTorch reports separately.
    """
    n_out = output.numel()
    rows: list[list[Any]] = [[] for _ in inputs]
    for m in range(n_out):
        v = np.zeros(n_out)
        v[m] = 1.0
        first = _vjp(output, inputs, v)
        again = _vjp(output, inputs, v)
        _check_grad_attributes(first, inputs, check_dtypes)
        for i, (a, b, x) in enumerate(zip(first, again, inputs)):
            fa, fb = _flat(a, x), _flat(b, x)
            if fa.shape == fb.shape and not np.all(np.abs(fa - fb) <= nondet_tol):
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient. The tolerance for nondeterminism was "
                    f"{nondet_tol}."
                )
            rows[i].append(fa)
    return [np.stack(r, axis=1) if r else np.zeros((x.numel(), 0)) for r, x in zip(rows, inputs)]


def _forward_ad() -> Any:
    try:
        from . import forward_ad
    except ImportError as e:
        raise NotImplementedError(
            "check_forward_ad=True needs zerograd.autograd.forward_ad, which is not available"
        ) from e
    return forward_ad


def _forward_jacobian(func: Callable[..., Any], inputs: Sequence[Any], idx: int,
                      directions: Any) -> list[Any]:
    """J·t for each tangent t in `directions` (rows): one (len(directions), numel) per output."""
    fwAD = _forward_ad()
    x = inputs[idx]
    per_output: list[list[Any]] | None = None
    for t in directions:
        tangent = _tensor_cls()._make(_to_device_like(
            np.asarray(t, dtype=x._data.dtype).reshape(x._data.shape), x._data))
        with fwAD.dual_level():
            args = list(inputs)
            args[idx] = fwAD.make_dual(x.detach(), tangent)
            outs = _as_tuple(func(*args))
            cols = []
            for o in outs:
                if not _is_float_tensor(o):
                    cols.append(None)
                    continue
                o_dot = fwAD.unpack_dual(o).tangent
                cols.append(np.zeros(o.numel()) if o_dot is None else _host64(o_dot).reshape(-1))
        if per_output is None:
            per_output = [[] for _ in cols]
        for j, c in enumerate(cols):
            per_output[j].append(c)
    return [None if c is None or c[0] is None else np.stack(c) for c in (per_output or [])]


# --- the two modes --------------------------------------------------------------------------


def _slow_check(func: Callable[..., Any], inputs: Sequence[Any], func_out: tuple[Any, ...],
                outputs: tuple[Any, ...], eps: float, rtol: float, atol: float,
                check_dtypes: bool, nondet_tol: float, forward: bool) -> None:
    diff = _diff_inputs(inputs)
    numerical = [_numerical_jacobian(func, inputs, i, eps) for i in diff]  # [input][output]
    if not outputs:
        _require_zero(numerical)
        return
    # Outputs that require grad, by position among func's outputs.
    positions = [k for k, o in enumerate(func_out) if any(o is d for d in outputs)]
    if forward:
        for j, i in enumerate(diff):
            analytical = _forward_jacobian(func, inputs, i, np.eye(inputs[i].numel()))
            for oi, k in enumerate(positions):
                a, n = analytical[k], numerical[j][k]
                if a is None:
                    a = np.zeros_like(n)
                if not _allclose(a, n, rtol, atol):
                    raise GradcheckError(_mismatch(a, n, oi, j, forward=True))
        return
    diff_tensors = [inputs[i] for i in diff]
    for oi, (o, k) in enumerate(zip(outputs, positions)):
        analytical = _analytical_jacobian(o, diff_tensors, nondet_tol, check_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][k]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch(a, n, oi, j))


def _require_zero(numerical: list[list[Any]]) -> None:
    for per_input in numerical:
        for jac in per_input:
            if jac is not None and np.any(jac != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _fast_check(func: Callable[..., Any], inputs: Sequence[Any], func_out: tuple[Any, ...],
                outputs: tuple[Any, ...], eps: float, rtol: float, atol: float,
                check_dtypes: bool, nondet_tol: float, forward: bool) -> None:
    """Compare vᵀ(J u) by finite differences with (vᵀJ)·u from one VJP (or J u from one JVP).

    u and v are random, non-negative and of unit norm, drawn from a private generator so the
    user's random stream is left alone. atol is scaled by sum(u)·sum(v), the size of uᵀ·M·v for
    a matrix M of all-atol entries, so the test is as strict as the element-wise one.
    """
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    us = [_unit(rng, inputs[i].numel()) for i in diff]
    ju = [_numerical_jvp(func, inputs, i, u, eps) for i, u in zip(diff, us)]  # [input][output]
    if not outputs:
        _require_zero([[None if x is None else x[None] for x in row] for row in ju])
        return
    positions = [k for k, o in enumerate(func_out) if any(o is d for d in outputs)]
    if forward:
        for j, (i, u) in enumerate(zip(diff, us)):
            analytical = _forward_jacobian(func, inputs, i, u[None])
            for oi, k in enumerate(positions):
                a = analytical[k][0] if analytical[k] is not None else np.zeros_like(ju[j][k])
                n = ju[j][k]
                if not _allclose(a, n, rtol, atol * float(u.sum())):
                    raise GradcheckError(_mismatch(a, n, oi, j, forward=True)
                                         + _slow_report(func, inputs, oi, j, eps, rtol, atol))
        return
    diff_tensors = [inputs[i] for i in diff]
    for oi, (o, k) in enumerate(zip(outputs, positions)):
        v = _unit(rng, o.numel())
        first = _vjp(o, diff_tensors, v)
        again = _vjp(o, diff_tensors, v)
        _check_grad_attributes(first, diff_tensors, check_dtypes)
        for j, (ga, gb, x, u) in enumerate(zip(first, again, diff_tensors, us)):
            a, b = float(_flat(ga, x) @ u), float(_flat(gb, x) @ u)
            if abs(a - b) > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient. The tolerance for nondeterminism was "
                    f"{nondet_tol}."
                )
            n = float(v @ ju[j][k])
            if not _allclose(np.float64(a), np.float64(n), rtol,
                             atol * float(u.sum()) * float(v.sum())):
                raise GradcheckError(_mismatch(a, n, oi, j)
                                     + _slow_report(func, inputs, oi, j, eps, rtol, atol))


def _unit(rng: Any, n: int) -> Any:
    u = rng.random(n)
    norm = float(np.sqrt((u * u).sum()))
    return u / norm if norm > 0 else u


def _slow_report(func: Callable[..., Any], inputs: Sequence[Any], out_idx: int, in_idx: int,
                 eps: float, rtol: float, atol: float) -> str:
    """After a fast-mode failure: the full Jacobians of the failing pair, for the message."""
    i = _diff_inputs(inputs)[in_idx]
    outputs = _differentiable_outputs(func(*inputs))
    func_out = _as_tuple(func(*inputs))
    numerical = _numerical_jacobian(func, inputs, i, eps)
    positions = [k for k, o in enumerate(func_out) if _is_float_tensor(o) and o.requires_grad]
    n = numerical[positions[out_idx]]
    a = _analytical_jacobian(outputs[out_idx], [inputs[i]], float("inf"), False)[0]
    ok = _allclose(a, n, rtol, atol)
    return (
        "\nThe quantities above are computed in fast mode (random directions). Recomputed "
        f"in slow mode:\n\nNumerical:\n {_show(n)}\nAnalytical:\n{_show(a)}\n\n"
        f"The max per-element difference (slow mode) is: {float(np.max(np.abs(n - a)))}.\n"
        + ("Slow mode would have passed: try fast_mode=False.\n" if ok else "")
    )


# --- the checks that do not need a Jacobian ---------------------------------------------


def _zeros_like(t: Any) -> Any:
    from ..backend import namespace_of

    return _tensor_cls()._make(namespace_of(t._data).zeros_like(t._data))  # not t * 0: NaN


def _check_zero_grad_outputs(func: Callable[..., Any], inputs: Sequence[Any],
                             outputs: tuple[Any, ...], check_undefined: bool) -> None:
    """A zero output gradient gives zero (or None) input gradients of the right dtype and size;
    with check_undefined, a multi-output op also copes when one output gets no gradient."""
    from .engine import grad

    diff = [inputs[i] for i in _diff_inputs(inputs)]
    zeros = [_zeros_like(o) for o in outputs]
    got = grad(outputs, diff, zeros, allow_unused=True)
    for gi, x in zip(got, diff):
        if gi is None:
            continue
        if bool((to_host(gi._data) != 0).any()):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if tuple(gi.shape) != tuple(x.shape):
            raise GradcheckError("grad is incorrect size")
    if not check_undefined or len(outputs) < 2:
        return
    for skip in range(len(outputs)):
        fresh = _differentiable_outputs(func(*inputs))
        kept = [o for k, o in enumerate(fresh) if k != skip]
        try:
            got = grad(kept, diff, [_zeros_like(o) for o in kept], allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError(
                f"Expected backward function to handle undefined output grads (output {skip} "
                "received no gradient, and backward failed)"
            ) from e
        for gi in got:
            if gi is not None and bool((to_host(gi._data) != 0).any()):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads "
                    "are undefined or zero."
                )


# --- public API -----------------------------------------------------------------------------


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check analytical gradients of `func` against central finite differences.

    Inputs that require grad should be float64: with eps = 1e-6 a float32 difference is noise.
    Returns True, or raises GradcheckError naming the output, the input and both Jacobians
    (returns False instead when raise_exception=False). `masked` is accepted for PyTorch
    compatibility; zerograd has no sparse tensors.

    Example:
        >>> import zerograd as torch
        >>> x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    if check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError(
            "zerograd has no vmap, so check_batched_grad / check_batched_forward_grad cannot run"
        )
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    tupled = _as_tuple(inputs)
    _check_inputs(tupled)
    try:
        func_out = _as_tuple(func(*tupled))
        outputs = _differentiable_outputs(func_out)
        check = _fast_check if fast_mode else _slow_check
        args = (func, tupled, func_out, outputs, eps, rtol, atol, check_grad_dtypes, nondet_tol)
        if check_forward_ad:
            check(*args, forward=True)
        if check_backward_ad:
            check(*args, forward=False)
            if outputs:
                _check_zero_grad_outputs(func, tupled, outputs, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check second derivatives: gradcheck of (inputs, grad_outputs) -> vᵀ·J(inputs).

    When `grad_outputs` is None, random float64 ones in [-1, 1) that require grad are made
    (non-contiguous with `gen_non_contig_grad_outputs`), so the gradient of the gradient with
    respect to them is checked too.

    Example:
        >>> import zerograd as torch
        >>> x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradgradcheck(lambda t: t.exp() * t, (x,))
        True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    from .engine import grad

    Tensor = _tensor_cls()
    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        made = []
        for o in _differentiable_outputs(func(*tupled)):
            dt = o._data.dtype if o.dtype.is_floating_point else np.float64
            shape = tuple(o._data.shape)
            if gen_non_contig_grad_outputs and shape:
                arr = rng.uniform(-1, 1, shape + (2,)).astype(dt)[..., 0]
            else:
                arr = rng.uniform(-1, 1, shape).astype(dt)
            g = Tensor._make(_to_device_like(arr, o._data))
            g.requires_grad = True
            made.append(g)
        tupled_grads = tuple(made)
    else:
        tupled_grads = _as_tuple(grad_outputs)
    n_in = len(tupled)
    diff = _diff_inputs(tupled)

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        ins, gouts = args[:n_in], args[n_in:]
        outs = _differentiable_outputs(func(*ins))
        grads = grad(outs, [ins[i] for i in diff], gouts, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivative, tupled + tupled_grads, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception, nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad, check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev, fast_mode=fast_mode, masked=masked,
    )
