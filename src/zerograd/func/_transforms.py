"""torch.func's function transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Each transform takes a function and returns a new one. Reverse-mode transforms run `func` on
tracked copies of the chosen arguments and call the engine (autograd.grad); forward-mode ones
run it on dual tensors. They compose: `hessian` is `jacfwd(jacrev(f))` (forward over reverse),
and `grad(grad(f))` works because an argument that an outer transform tracks stays connected to
its graph. The Jacobian loops themselves live in autograd/functional.py; there is no vmap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from ..autograd import forward_ad as fwAD
from ..autograd.engine import grad as _grad
from ..autograd.functional import (
    _forward_blocks,
    _forward_level,
    _plain,
    _reverse_blocks,
    _track,
    _zeros_like,
)
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from . import _pytree as pt

Argnums = int | tuple[int, ...]


def _argnums(argnums: Argnums, n: int, fname: str) -> tuple[int, ...]:
    """argnums as a tuple of non-negative positions, checked against the n arguments."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError(f"{fname}: argnums must be non-empty")
    out = []
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"{fname}: Expected argnums to be int or tuple[int], got {a!r}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
        out.append(a % n)
    return tuple(out)


class _Inputs:
    """The differentiated arguments: flat tracked leaves, and how to put them back."""

    def __init__(self, args: tuple[Any, ...], argnums: Argnums, fname: str, outer: bool,
                 track: bool = True) -> None:
        self.nums = _argnums(argnums, len(args), fname)
        self.is_tuple = isinstance(argnums, tuple)
        self.args = list(args)
        self.specs = []
        self.leaves: list[Tensor] = []
        self.counts = []
        originals = []
        for i in self.nums:
            leaves, spec = pt.flatten(args[i])
            for x in leaves:
                if not isinstance(x, Tensor):
                    raise RuntimeError(f"{fname}: Expected the differentiated arguments to be "
                                       f"Tensors (or nests of them), got {type(x).__name__}")
            originals.extend(leaves)
            self.specs.append(spec)
            self.counts.append(len(leaves))
        # Results stay differentiable (create_graph) when an enclosing graph tracks an input
        # (`outer`: grad mode was on where the transformed function was called).
        self.keep = outer and any(x.requires_grad for x in originals)
        self.leaves = [_track(x, self.keep) for x in originals] if track else originals

    def call_args(self, leaves: list[Tensor] | None = None) -> list[Any]:
        """The positional arguments with the differentiated ones replaced by `leaves`."""
        leaves = self.leaves if leaves is None else leaves
        args = list(self.args)
        pos = 0
        for i, spec, n in zip(self.nums, self.specs, self.counts):
            args[i] = pt.unflatten(spec, leaves[pos:pos + n])
            pos += n
        return args

    def group(self, values: list[Any]) -> Any:
        """One value per leaf, nested like the differentiated arguments (tuple if argnums is)."""
        trees, pos = [], 0
        for spec, n in zip(self.specs, self.counts):
            trees.append(pt.unflatten(spec, values[pos:pos + n]))
            pos += n
        return tuple(trees) if self.is_tuple else trees[0]


def _split_aux(out: Any, has_aux: bool, fname: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{fname}(f)(*args): output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    return out[0], out[1]


def _strip(tree: Any, keep: bool) -> Any:
    return pt.map_leaves(lambda t: _plain(t, keep), tree)


def grad_and_value(func: Callable[..., Any], argnums: Argnums = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """A function returning (gradient of func w.r.t. args[argnums], func's value).

    Example:
        >>> import zerograd as torch
        >>> from zerograd.func import grad_and_value
        >>> grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
        (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = is_grad_enabled()
        with enable_grad():
            ins = _Inputs(args, argnums, "grad_and_value", outer)
            out, aux = _split_aux(func(*ins.call_args(), **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            gs: Any = [None] * len(ins.leaves)
            if out.requires_grad:
                gs = _grad(out, ins.leaves, create_graph=ins.keep, allow_unused=True)
        grads = [_plain(g, ins.keep) if g is not None else _zeros_like(x)
                 for g, x in zip(gs, ins.leaves)]
        value = _plain(out, ins.keep)
        if has_aux:
            return ins.group(grads), (value, _strip(aux, ins.keep))
        return ins.group(grads), value

    return wrapper


def grad(func: Callable[..., Any], argnums: Argnums = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """A function returning the gradient of scalar-valued func w.r.t. args[argnums].

    Example:
        >>> import zerograd as torch
        >>> from zerograd.func import grad
        >>> grad(grad(torch.sin))(torch.tensor(0.0))  # -sin(0)
        tensor(-0.)
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives vᵀJ for every primal."""
    outer = is_grad_enabled()
    with enable_grad():
        ins = _Inputs(primals, tuple(range(len(primals))), "vjp", outer)
        out, aux = _split_aux(func(*ins.call_args()), has_aux, "vjp")
    outs, out_spec = pt.flatten(out)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has "
                               f"only Tensors as outputs, got {type(o)}")

    def vjp_fn(cotangents: Any, *, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple[Any, ...]:
        """vᵀJ for the cotangents v (nested like func's output), one entry per primal."""
        cts, ct_spec = pt.flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {ct_spec}, primal output: {out_spec}"
            )
        cg = ins.keep if create_graph is None else create_graph
        pairs = [(o, c) for o, c in zip(outs, cts) if o.requires_grad]
        gs: Any = [None] * len(ins.leaves)
        if pairs:
            with enable_grad():
                gs = _grad([o for o, _ in pairs], ins.leaves, [c for _, c in pairs],
                           retain_graph=retain_graph, create_graph=cg, allow_unused=True)
        res = [_plain(g, cg) if g is not None else _zeros_like(x) for g, x in zip(gs, ins.leaves)]
        return tuple(ins.group(res))

    value = _strip(out, ins.keep)
    if has_aux:
        return value, vjp_fn, _strip(aux, ins.keep)
    return value, vjp_fn


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """(func(*primals), J·tangents[, aux]) by one forward-mode (dual) pass."""
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it "
                           "should be valid to call f(*primals).")
    ps, p_spec = pt.flatten(primals)
    ts, t_spec = pt.flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, tangents also must "
            f"be. Got primals with structure {p_spec} and tangents with structure {t_spec}"
        )
    for p, t in zip(ps, ts):
        if not isinstance(p, Tensor) or not isinstance(t, Tensor):
            raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be "
                               "Tensors (or nests of them)")
        if p.shape != t.shape:
            raise RuntimeError(
                "jvp(f, primals, tangents): Expected primals and tangents to have the same "
                f"shape. Got primal with shape {p.shape} and tangent with shape {t.shape}"
            )
    keep = is_grad_enabled() and any(p.requires_grad for p in ps)
    with enable_grad(), _forward_level():
        duals = [fwAD.make_dual(p, t) for p, t in zip(ps, ts)]
        out, aux = _split_aux(func(*pt.unflatten(p_spec, duals)), has_aux, "jvp")
        outs, out_spec = pt.flatten(out)
        pairs = [fwAD.unpack_dual(o) for o in outs]
        aux = pt.map_leaves(lambda a: fwAD.unpack_dual(a).primal
                            if isinstance(a, Tensor) else a, aux)
    prim = pt.unflatten(out_spec, [_plain(p, keep) for p, _ in pairs])
    tan = pt.unflatten(out_spec, [_plain(t, keep) if t is not None else _zeros_like(o)
                                  for o, (_, t) in zip(outs, pairs)])
    if has_aux:
        return prim, tan, _strip(aux, keep)
    return prim, tan


def _jacobian_tree(out_spec: Any, ins: _Inputs, blocks: list[list[Tensor]]) -> Any:
    """Blocks J[i][j] nested as: output structure, then the differentiated arguments'."""
    per_output = [ins.group([_plain(b, ins.keep) for b in row]) for row in blocks]
    return pt.unflatten(out_spec, per_output)


def jacrev(func: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False
           ) -> Callable[..., Any]:
    """A function returning the Jacobian of func by reverse mode: one backward pass per output
    element, sharing one forward pass. `chunk_size` is accepted (zerograd always loops)."""
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = is_grad_enabled()
        with enable_grad():
            ins = _Inputs(args, argnums, "jacrev", outer)
            out, aux = _split_aux(func(*ins.call_args(), **kwargs), has_aux, "jacrev")
            outs, out_spec = pt.flatten(out)
            blocks = _reverse_blocks(outs, ins.leaves, ins.keep)
        jac = _jacobian_tree(out_spec, ins, blocks)
        return (jac, _strip(aux, ins.keep)) if has_aux else jac

    return wrapper


def jacfwd(func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """A function returning the Jacobian of func by forward mode: one dual pass per input
    element."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ins = _Inputs(args, argnums, "jacfwd", is_grad_enabled(), track=False)
        spec: list[Any] = []
        auxes: list[Any] = []

        def flat(*leaves: Tensor) -> list[Tensor]:
            out, aux = _split_aux(func(*ins.call_args(list(leaves)), **kwargs), has_aux,
                                  "jacfwd")
            outs, out_spec = pt.flatten(out)
            if not spec:
                spec.append(out_spec)
                auxes.append(pt.map_leaves(
                    lambda a: fwAD.unpack_dual(a).primal if isinstance(a, Tensor) else a, aux))
            return outs

        with enable_grad():
            _, blocks = _forward_blocks(flat, ins.leaves)
        jac = _jacobian_tree(spec[0], ins, blocks)
        return (jac, _strip(auxes[0], ins.keep)) if has_aux else jac

    return wrapper


def hessian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """A function returning the Hessian of scalar func: jacfwd(jacrev(func)), forward over
    reverse.

    Example:
        >>> import zerograd as torch
        >>> from zerograd.func import hessian
        >>> hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp"]
