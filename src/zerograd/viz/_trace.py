"""Evaluation trace tables (计算迹): the primal, tangent (正向累积) and adjoint (反向累积) traces.

Nothing here differentiates anything. `trace(f, x1=2.0, x2=5.0)` runs f itself: once on leaves
that require grad, recording every primitive `_apply` runs (the `state.tracer` hook), and then
the engine's own reverse sweep with a hook on every node (so the adjoint rows come in the
engine's order, from the registry's VJP rules); and once per input on dual tensors (the
registry's JVP rules give the tangents). The rule column is each primitive's docstring formula
with the variable names put in, e.g. `v̇₁ = v̇₋₁ / v₋₁`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import _dtype as D
from .._creation import tensor as _tensor
from .._tensor import Tensor
from ..autograd import forward_ad as fwAD
from ..autograd.engine import grad as _grad
from ..autograd.grad_mode import forward_state, state
from ._table import Table

_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def var(i: int, mark: str = "") -> str:
    """v with index i as a subscript, and an optional combining mark (dot: ̇, bar: ̄)."""
    return "v" + mark + str(i).translate(_SUB)


DOT, BAR = "\u0307", "\u0304"


def num(x: Any) -> str:
    """A value as the tables show it: 4 decimals, no negative zero; short arrays in brackets."""
    vals = [float(v) for v in (x if isinstance(x, list) else [x])]
    out = [f"{v:.4f}" if f"{v:.4f}" != "-0.0000" else "0.0000" for v in vals]
    if isinstance(x, list):
        return "[" + ", ".join(out[:6]) + (", …" if len(out) > 6 else "") + "]"
    return out[0]


def _value(t: Any) -> Any:
    """A tensor's value as a float (one element) or a flat list of floats."""
    if t is None:
        return 0.0
    if not isinstance(t, Tensor):
        return float(t)
    flat = [float(v) for v in t.detach().reshape(-1).tolist()]
    return flat[0] if len(flat) == 1 else flat


@dataclass
class _Op:
    node: Any
    inputs: tuple[Any, ...]
    out: Tensor


def _record(run: Callable[[], Any], dual_only: bool) -> tuple[list[_Op], Any]:
    """Run `run()` and list the primitives applied to tensors that depend on the inputs."""
    ops: list[_Op] = []

    def tracer(node: Any, inputs: Any, result: Any) -> None:
        # In a dual pass, primitives run inside jvp rules (level switched off) are not f's own.
        if dual_only and forward_state.level is None:
            return
        first = result[0] if isinstance(result, tuple) else result
        ops.append(_Op(node, tuple(inputs), first))

    prev, state.tracer = state.tracer, tracer
    try:
        out = run()
    finally:
        state.tracer = prev
    return ops, out


def _docstring_rules(cls: type) -> tuple[str | None, dict[str, str], list[str] | None]:
    """(JVP right-hand side, {input name: VJP right-hand side}, input names) from a primitive's
    docstring, e.g. 'out = x * y  VJP: x_bar = g * y, y_bar = g * x  JVP: out_dot = ...'."""
    doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].split())
    params = list(inspect.signature(cls.jvp).parameters.values())[1:]
    names = None
    if params and all(p.kind is p.POSITIONAL_OR_KEYWORD and p.name.endswith("_dot")
                      for p in params):
        names = [p.name[:-4] for p in params]
    jvp = None
    if "JVP:" in doc:
        text = doc.split("JVP:", 1)[1].split(". ", 1)[0].strip()
        if text.startswith("out_dot ="):
            text = text[len("out_dot ="):].strip()
        if "_dot" in text and "=" not in text:  # a formula, not words such as "likewise"
            jvp = text
    vjp: dict[str, str] = {}
    if "VJP:" in doc:
        text = doc.split("VJP:", 1)[1].split("JVP:", 1)[0].strip()
        for part in _split_top(text):
            m = re.fullmatch(r"(\w+)_bar = (.+)", part.strip())
            if m:
                vjp[m.group(1)] = m.group(2).strip()
    return jvp, vjp, names


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([" and 1 or (ch in ")]" and -1 or 0)
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def _subst(expr: str, mapping: dict[str, str]) -> str | None:
    """Put names into a rule; None if a placeholder is left over (a rule we cannot show)."""
    # ASCII boundaries: "y²" is y followed by a superscript, which \w would count as a letter.
    alts = "|".join(sorted(map(re.escape, mapping), key=len, reverse=True))
    out = re.sub(rf"(?<![A-Za-z0-9_])({alts})(?![A-Za-z0-9_])", lambda m: mapping[m.group(0)],
                 expr)
    return None if re.search(r"[A-Za-z]_(dot|bar)", out) else out


class _Names:
    """Display names: inputs v₁₋ₙ … v₀, operations v₁ … vₙ, anything else a constant."""

    def __init__(self, inputs: list[Tensor], ops: list[_Op]) -> None:
        self.of: dict[int, int] = {}
        for i, x in enumerate(inputs):
            self.of[id(x)] = i + 1 - len(inputs)
        for j, op in enumerate(ops):
            self.of[id(op.out)] = j + 1

    def index(self, x: Any) -> int | None:
        return self.of.get(id(x)) if isinstance(x, Tensor) else None

    def show(self, x: Any, mark: str = "") -> str:
        i = self.index(x)
        if i is not None:
            return var(i, mark)
        if mark == DOT:
            return "0"  # constants have no tangent
        v = _value(x)
        return num(v) if isinstance(v, list) else f"{v:g}"


def _expression(op: _Op, names: _Names) -> str:
    name = type(op.node).op_name
    args = [names.show(x) for x in op.inputs]
    if name in _INFIX and len(args) == 2:
        return f"{args[0]} {_INFIX[name]} {args[1]}"
    if name == "neg":
        return f"-{args[0]}"
    return f"{name}({', '.join(args)})"


def _jvp_rule(op: _Op, i: int, names: _Names) -> str:
    jvp, _, params = _docstring_rules(type(op.node))
    dotted = [names.show(x, DOT) for x in op.inputs]
    shown = None
    if jvp and params and len(params) == len(op.inputs):
        mapping = {"out": var(i), "out_dot": var(i, DOT)}
        for p, x, d in zip(params, op.inputs, dotted):
            mapping[p], mapping[p + "_dot"] = names.show(x), d
        shown = _subst(jvp, mapping)
    return f"{var(i, DOT)} = " + (shown or f"jvp_{type(op.node).op_name}({', '.join(dotted)})")


def _vjp_rule(op: _Op, i: int, k: int, names: _Names) -> str | None:
    _, vjp, params = _docstring_rules(type(op.node))
    if not params or len(params) != len(op.inputs) or params[k] not in vjp:
        return None
    mapping = {"g": var(i, BAR), "out": var(i)}
    for p, x in zip(params, op.inputs):
        mapping[p] = names.show(x)
    return _subst(vjp[params[k]], mapping)


def _keep_needed(ops: list[_Op], out: Tensor) -> list[int]:
    """Indices of the recorded operations that the output depends on."""
    needed = {id(out)}
    keep = []
    for j in range(len(ops) - 1, -1, -1):
        if id(ops[j].out) in needed:
            keep.append(j)
            needed.update(id(x) for x in ops[j].inputs if isinstance(x, Tensor))
    return keep[::-1]


def _layered(ops: list[_Op], inputs: list[Tensor]) -> list[int]:
    """Operations ordered by depth (longest path from the inputs), then by execution: the
    numbering of the textbook's evaluation trace (v₁ = ln v₋₁, v₂ = v₋₁ v₀, v₃ = sin v₀, ...)."""
    depth = {id(x): 0 for x in inputs}
    for op in ops:
        depth[id(op.out)] = 1 + max((depth.get(id(x), 0) for x in op.inputs
                                     if isinstance(x, Tensor)), default=0)
    return sorted(range(len(ops)), key=lambda j: (depth[id(ops[j].out)], j))


def _inputs(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
            ) -> tuple[list[str], Callable[[list[Any]], Any]]:
    """Input names (f's parameter names where they can be read) and how to call f."""
    names = [f"x{i + 1}" for i in range(len(args))] + list(kwargs)
    try:
        bound = inspect.signature(f).bind(*args, **kwargs)
        if all(not isinstance(v, tuple | dict) for v in bound.arguments.values()):
            names = list(bound.arguments)
    except (TypeError, ValueError):
        pass
    n_pos = len(args)

    def call(values: list[Any]) -> Any:
        return f(*values[:n_pos], **dict(zip(kwargs, values[n_pos:])))

    return names, call


def trace(f: Callable[..., Any], *args: Any, **kwargs: Any) -> TraceTable:
    """The evaluation trace of scalar f at the given inputs, in forward and reverse mode.

    Example:
        >>> import zerograd as torch
        >>> t = torch.viz.trace(lambda x1, x2: torch.log(x1) + x1 * x2 - torch.sin(x2),
        ...                     x1=2.0, x2=5.0)
        >>> [round(g, 4) for g in t.reverse_gradient]
        [5.5, 1.7163]
    """
    names, call = _inputs(f, args, kwargs)
    values = [*args, *kwargs.values()]
    for n, v in zip(names, values):
        if isinstance(v, Tensor) and v.numel() != 1:
            raise ValueError(f"trace() follows scalar inputs; {n} has shape {tuple(v.shape)}")
    base = [float(v.item() if isinstance(v, Tensor) else v) for v in values]

    def leaves() -> list[Tensor]:
        return [_tensor(b, dtype=D.float64) for b in base]

    # Reverse pass: leaves that require grad; the engine's sweep, watched by node hooks.
    xs = [x.requires_grad_() for x in leaves()]
    ops, out = _record(lambda: call(xs), dual_only=False)
    if not isinstance(out, Tensor) or out.numel() != 1:
        raise ValueError("trace() needs a function that returns one number (a 1-element tensor)")
    keep = _keep_needed(ops, out)
    ops = [ops[j] for j in keep]
    order = _layered(ops, xs)
    ops = [ops[j] for j in order]
    swept: list[tuple[Any, tuple[Any, ...], tuple[Any, ...]]] = []
    for op in ops:
        op.node.register_hook(lambda gi, go, n=op.node: swept.append((n, gi, go)))
    rev = _grad(out, xs, allow_unused=True) if out.requires_grad else [None] * len(xs)

    # Forward passes: every input dual, tangent 1 for one of them and 0 for the others.
    tangents: list[list[Any]] = []
    fwd_grad = []
    for k in range(len(xs)):
        with fwAD.dual_level():
            duals = [fwAD.make_dual(x, _tensor(float(i == k), dtype=D.float64))
                     for i, x in enumerate(leaves())]
            d_ops, d_out = _record(lambda duals=duals: call(duals), dual_only=True)
            d_ops = [d_ops[j] for j in keep]
            d_ops = [d_ops[j] for j in order]
            if [type(o.node) for o in d_ops] != [type(o.node) for o in ops]:
                raise RuntimeError("trace(): f applied different operations on dual inputs")
            tangents.append([_value(o.out._fw) for o in d_ops])
            fwd_grad.append(_value(d_out._fw))
    return TraceTable(names, xs, base, ops, out, tangents, fwd_grad,
                      [_value(g) for g in rev], swept)


class TraceTable:
    """The three evaluation traces of one function at one point, and both gradients.

    `str(t)` / `t.to_text()` gives aligned text, `t.to_markdown()` Markdown, Jupyter shows
    HTML, and `t.to_pandas()` a DataFrame (one row per variable) when pandas is installed.
    """

    def __init__(self, names: list[str], inputs: list[Tensor], base: list[float],
                 ops: list[_Op], out: Tensor,
                 tangents: list[list[Any]], forward_gradient: list[Any],
                 reverse_gradient: list[Any], swept: list[Any]) -> None:
        self.input_names = names
        self.value = _value(out)
        self.forward_gradient = forward_gradient
        self.reverse_gradient = reverse_gradient
        self.agree = all(abs(a - b) <= 1e-9 * (1 + abs(b))
                         for a, b in zip(forward_gradient, reverse_gradient))
        self._names = _Names(inputs, ops)
        self.primal = self._primal(base, ops)
        self.tangent = self._tangent(ops, tangents)
        self.adjoint = self._adjoint(ops, swept, reverse_gradient)

    def _primal(self, base: list[float], ops: list[_Op]) -> Table:
        t = Table("正向计算 Forward primal trace: v = op(inputs)",
                  ["变量 var", "运算 op", "值 value"], numeric={2})
        n = len(base)
        for i, (name, b) in enumerate(zip(self.input_names, base)):
            t.rows.append([var(i + 1 - n), name, num(b)])
        for j, op in enumerate(ops):
            t.rows.append([var(j + 1), _expression(op, self._names), num(_value(op.out))])
        t.rows.append(["f", var(len(ops)) if ops else "-", num(self.value)])
        return t

    def _tangent(self, ops: list[_Op], tangents: list[list[Any]]) -> Table:
        heads = [f"∂/∂{name}" for name in self.input_names]
        t = Table("正向累积 Forward tangent trace: v̇ = ∂v/∂x, one column per input",
                  ["切线 tangent", "规则 rule", *heads], numeric=set(range(2, 2 + len(heads))))
        n = len(self.input_names)
        for i, name in enumerate(self.input_names):
            t.rows.append([var(i + 1 - n, DOT), f"seed 种子 ({name})",
                           *[num(float(i == k)) for k in range(n)]])
        for j, op in enumerate(ops):
            t.rows.append([var(j + 1, DOT), _jvp_rule(op, j + 1, self._names),
                           *[num(col[j]) for col in tangents]])
        return t

    def _adjoint(self, ops: list[_Op], swept: list[Any], rev: list[Any]) -> Table:
        t = Table("反向累积 Reverse adjoint trace: v̄ = ∂f/∂v, in the engine's order",
                  ["步 step", "伴随 adjoint", "规则 rule", "贡献 contribution", "累计 total"],
                  numeric={0, 3, 4})
        index = {id(op.node): j + 1 for j, op in enumerate(ops)}
        ops_by = {id(op.node): op for op in ops}
        total: dict[int, Any] = {}
        if ops:
            last = len(ops)
            total[last] = 1.0
            t.rows.append(["0", var(last, BAR), f"{var(last, BAR)} = ∂f/∂f (seed)", num(1.0),
                           num(1.0)])
        for step, (node, grad_in, _) in enumerate(swept, 1):
            i, op = index[id(node)], ops_by[id(node)]
            for k, x in enumerate(op.inputs):
                target = self._names.index(x)
                if target is None or k >= len(grad_in) or grad_in[k] is None:
                    continue
                c = _value(grad_in[k])
                rule = _vjp_rule(op, i, k, self._names) or f"vjp_{type(node).op_name}[{k}]" \
                    f"({var(i, BAR)})"
                first = target not in total
                total[target] = c if first else _add(total[target], c)
                rule = f"{var(target, BAR)} {'=' if first else '+='} {rule}"
                t.rows.append([str(step), var(target, BAR), rule, num(c), num(total[target])])
        return t

    def _gradient_lines(self) -> list[str]:
        def grads(vals: list[Any]) -> str:
            return ", ".join(f"∂f/∂{n} = {num(v)}" for n, v in zip(self.input_names, vals))

        verdict = ("✓ 两种模式的梯度一致 / both modes give the same gradient" if self.agree
                   else "✗ 两种模式的梯度不一致 / the two modes disagree")
        return [f"f = {num(self.value)}",
                f"梯度 gradient, forward mode 正向累积: {grads(self.forward_gradient)}",
                f"梯度 gradient, reverse mode 反向累积: {grads(self.reverse_gradient)}",
                verdict]

    def to_text(self) -> str:
        """The three tables and the gradients as aligned plain text."""
        parts = [self.primal.text(), self.tangent.text(), self.adjoint.text(),
                 "\n".join(self._gradient_lines())]
        return "\n\n".join(parts) + "\n"

    __str__ = to_text

    def __repr__(self) -> str:
        return self.to_text()

    def to_markdown(self) -> str:
        """The tables and gradients as Markdown."""
        parts = [self.primal.markdown(), self.tangent.markdown(), self.adjoint.markdown(),
                 "\n\n".join(self._gradient_lines())]
        return "\n\n".join(parts) + "\n"

    def _repr_html_(self) -> str:
        lines = "".join(f"<p>{line}</p>" for line in self._gradient_lines())
        return self.primal.html() + self.tangent.html() + self.adjoint.html() + lines

    def to_pandas(self, table: str = "summary") -> Any:
        """A pandas DataFrame: 'summary' (one row per variable: value, tangents, final
        adjoint), or the 'primal', 'tangent' or 'adjoint' table as shown."""
        import pandas as pd

        if table in ("primal", "tangent", "adjoint"):
            t = getattr(self, table)
            return pd.DataFrame(t.rows, columns=t.header)
        if table != "summary":
            raise ValueError("table must be 'summary', 'primal', 'tangent' or 'adjoint'")
        rows = {}
        for r in self.primal.rows[:-1]:
            rows[r[0]] = {"op": r[1], "value": float(r[2]) if "[" not in r[2] else r[2]}
        for r, key in zip(self.tangent.rows, list(rows)):
            for name, cell in zip(self.input_names, r[2:]):
                rows[key][f"∂/∂{name}"] = float(cell) if "[" not in cell else cell
        for r in self.adjoint.rows:
            key = r[1].replace(BAR, "")
            if key in rows:
                rows[key]["adjoint"] = float(r[4]) if "[" not in r[4] else r[4]
        return pd.DataFrame.from_dict(rows, orient="index")


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, list) or isinstance(b, list):
        a = a if isinstance(a, list) else [a] * len(b)
        b = b if isinstance(b, list) else [b] * len(a)
        return [x + y for x, y in zip(a, b)]
    return a + b
