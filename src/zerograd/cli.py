"""The `zerograd` command line (also `python -m zerograd`).

    zerograd demo [-o DIR]                                          # linear regression, end to end
    zerograd run script.py [args...]                                # a PyTorch script, on zerograd
    zerograd trace "log(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5     # evaluation-trace tables
    zerograd graph "log(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 -o graph.svg

One small function per subcommand (`cmd_<name>`), registered in `build_parser`; `main(argv)`
is the entry point. Expressions are parsed with `ast` and evaluated by walking the tree: only
numbers, the variables given with --at, + - * / ** and the functions in FUNCTIONS are allowed,
so no code in an expression is ever executed.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import zerograd

FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: getattr(zerograd, name) for name in (
        "log", "exp", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs", "square",
        "log1p", "expm1", "log2", "log10", "reciprocal", "rsqrt")
}
FUNCTIONS["ln"] = zerograd.log
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: lambda a: -a, ast.UAdd: lambda a: a}


class ExpressionError(ValueError):
    """An expression the command line refuses (unknown name, disallowed syntax)."""


def _as_tensor(v: Any) -> Any:
    """Functions take tensors (as in torch): a number becomes a 0-d tensor of the default
    dtype, which type promotion then lets follow the variables' dtype."""
    return v if isinstance(v, zerograd.Tensor) else zerograd.tensor(float(v))


def compile_expression(text: str) -> tuple[Callable[..., Any], list[str]]:
    """A function of the expression's variables (as keyword arguments), and their names in
    order of first appearance. Only arithmetic, numbers, names and FUNCTIONS are allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {text!r} ({e.msg})") from None
    names: list[str] = []

    def build(node: ast.AST) -> Callable[[dict[str, Any]], Any]:
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = node.value
            return lambda env: value
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)")
            if node.id in CONSTANTS:
                c = CONSTANTS[node.id]
                return lambda env: c
            if node.id not in names:
                names.append(node.id)
            name = node.id
            return lambda env: env[name]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            op, left, right = _BINARY[type(node.op)], build(node.left), build(node.right)
            return lambda env: op(left(env), right(env))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            uop, operand = _UNARY[type(node.op)], build(node.operand)
            return lambda env: uop(operand(env))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id not in FUNCTIONS:
                raise ExpressionError(f"unknown function {node.func.id!r}; allowed: "
                                      + ", ".join(sorted(FUNCTIONS)))
            fn, args = FUNCTIONS[node.func.id], [build(a) for a in node.args]
            return lambda env: fn(*[_as_tensor(a(env)) for a in args])
        raise ExpressionError(f"not allowed in an expression: {ast.unparse(node)!r} (only "
                              "numbers, variables, + - * / ** and calls of known functions)")

    body = build(tree)

    def f(**env: Any) -> Any:
        return body(env)

    return f, names


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """['x1=2', 'x2=5'] -> {'x1': 2.0, 'x2': 5.0}."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ExpressionError(f"--at expects NAME=VALUE pairs, got {item!r}")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ExpressionError(f"--at {item!r}: {value!r} is not a number") from None
    return out


def _function_and_point(args: argparse.Namespace) -> tuple[Callable[..., Any], dict[str, float]]:
    f, names = compile_expression(args.expression)
    at = parse_assignments(args.at or [])
    missing = [n for n in names if n not in at]
    if missing:
        raise ExpressionError("give a value for every variable with --at, e.g. --at "
                              + " ".join(f"{n}=1" for n in missing))
    return f, at


def cmd_trace(args: argparse.Namespace) -> int:
    """`zerograd trace EXPR --at x1=2 x2=5`: print the primal, tangent and adjoint traces."""
    f, at = _function_and_point(args)
    table = zerograd.viz.trace(f, **at)
    text = {"text": table.to_text, "markdown": table.to_markdown,
            "html": table._repr_html_}[args.format]()
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    """`zerograd graph EXPR --at ... -o graph.svg`: write the backward graph (SVG or DOT)."""
    f, at = _function_and_point(args)
    leaves = {n: zerograd.tensor(v, requires_grad=True) for n, v in at.items()}
    out = f(**leaves)
    if not isinstance(out, zerograd.Tensor) or out.grad_fn is None:
        raise ExpressionError("the expression does not depend on any variable: no graph")
    names = {**leaves, "f": out}
    as_dot = args.dot or args.output.endswith((".dot", ".gv"))
    if as_dot:
        text = str(zerograd.viz.to_dot(out, names=names))
    else:
        text = str(zerograd.viz.draw(out, names=names, engine=args.engine))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.output} ({'DOT' if as_dot else 'SVG'}, "
              f"{text.count(chr(10))} lines)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """`zerograd demo [-o DIR]`: linear regression from scratch, traces, figures in DIR."""
    from . import demo

    try:
        return demo.run(args.output, seed=args.seed)
    except BrokenPipeError:
        # The reader went away (`zerograd demo | head`): stop quietly, as Unix tools do, and
        # point stdout at devnull so the interpreter's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def cmd_run(args: argparse.Namespace) -> int:
    """`zerograd run script.py [args...]`: run an unmodified PyTorch script on zerograd."""
    from ._import_hook import run_script

    return run_script(args.script, args.args)


def _add_expression_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("expression", help='e.g. "log(x1) + x1*x2 - sin(x2)"')
    p.add_argument("--at", nargs="+", metavar="NAME=VALUE", default=[],
                   help="the point, e.g. --at x1=2 x2=5")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="zerograd", description="zerograd: autodiff you can read (从零开始的自动微分).")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True

    p = sub.add_parser("demo", help="the course's linear regression from scratch, end to end",
                       description=cmd_demo.__doc__)
    p.add_argument("-o", "--output", default="zerograd-demo-output",
                   help="folder for the figures (default: ./zerograd-demo-output)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("run", help="run a PyTorch script unchanged, with torch = zerograd",
                       description=cmd_run.__doc__ + " `import torch`, `from torch import nn`, "
                       "`from d2l import torch as d2l` ... resolve to zerograd's modules.")
    p.add_argument("script", help="the Python file to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    p.set_defaults(run=cmd_run)

    p = sub.add_parser("trace", help="evaluation-trace tables: forward and reverse mode",
                       description=cmd_trace.__doc__)
    _add_expression_args(p)
    p.add_argument("--format", choices=("text", "markdown", "html"), default="text")
    p.set_defaults(run=cmd_trace)

    p = sub.add_parser("graph", help="draw the backward graph of an expression",
                       description=cmd_graph.__doc__)
    _add_expression_args(p)
    p.add_argument("-o", "--output", default="graph.svg",
                   help="file to write (.svg, or .dot/.gv for DOT text; - for stdout)")
    p.add_argument("--dot", action="store_true", help="write Graphviz DOT text instead of SVG")
    p.add_argument("--engine", choices=("auto", "python", "dot"), default="auto",
                   help="SVG layout: pure Python, Graphviz's dot, or dot when installed")
    p.set_defaults(run=cmd_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ExpressionError as e:
        parser.exit(2, f"zerograd {args.command}: error: {e}\n")
    return 2
