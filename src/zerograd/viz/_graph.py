"""The backward graph of a tensor as a small drawable model, and its Graphviz DOT text.

`build(roots, names)` walks `grad_fn.next_functions` (iteratively) and returns a `Graph`: boxes
for the operations (their grad_fn names, output shapes and dtypes), for the leaf tensors (with
their variable names where known), for the tensors the operations saved, and for the roots. The
edges follow the data forward, leaves at the top. Layout and SVG live in _layout.py.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from .._tensor import Tensor
from ..autograd.function import _OUTPUT
from ..autograd.graph import AccumulateGrad, Node

COLORS = {"op": "#eeeeee", "leaf": "#cfe2f3", "output": "#d9ead3", "saved": "#fce5cd",
          "tensor": "#ffffff"}


@dataclass
class Box:
    """One box of the drawing: an operation, a leaf, a saved tensor or a root."""

    key: str
    kind: str  # op | leaf | saved | output
    lines: list[str]


@dataclass
class Graph:
    """Boxes and edges (source key, target key, dashed?) of a backward graph."""

    boxes: list[Box] = field(default_factory=list)
    edges: list[tuple[str, str, bool]] = field(default_factory=list)


def _shape(t: Any) -> str:
    shape = tuple(t.shape) if hasattr(t, "shape") else tuple(t)
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _describe(shape: Any, dtype: Any) -> str:
    name = getattr(dtype, "name", str(dtype))
    return f"{_shape(shape)} {name}"


def caller_names(frame: FrameType | None) -> dict[str, Any]:
    """Tensors visible in a frame (globals, then locals over them), by variable name."""
    if frame is None:
        return {}
    found = {**frame.f_globals, **frame.f_locals}
    return {k: v for k, v in found.items() if isinstance(v, Tensor) and not k.startswith("_")}


def names_from_caller(depth: int) -> dict[str, Any]:
    """caller_names of the frame `depth` levels above the function that calls this one."""
    frame = inspect.currentframe()
    try:
        for _ in range(depth + 1):
            frame = frame.f_back if frame is not None else None
        return caller_names(frame)
    finally:
        del frame


def _draw_saved(g: Graph, node: Node, box: Box, tensor_box: Any, keys: dict[int, str],
                by_id: dict[int, str]) -> None:
    """What `node` saved for its rules: its own inputs and result as a text line ("saves x,
    result"); any other tensor as a dashed edge from its box (an orange box if unnamed)."""
    words = []
    for t, _ in node.__dict__.get("_saved") or ():
        if t is _OUTPUT:
            words.append("result")
            continue
        if not isinstance(t, Tensor):  # a Python number the rule needs
            continue
        k = _input_position(node, t)
        if k is not None or id(t) in by_id:
            words.append(by_id.get(id(t), f"input {k}"))
        elif id(t) in keys:
            g.edges.append((keys[id(t)], box.key, True))
        else:
            sk = f"s{len(g.boxes)}"
            g.boxes.append(Box(sk, "saved", ["saved", _describe(t.shape, t.dtype)]))
            g.edges.append((sk, box.key, True))
    if words:
        box.lines.append("saves " + ", ".join(words))


def _input_position(node: Node, t: Tensor) -> int | None:
    """Which input of `node` the tensor t is, if its graph edge shows it."""
    for k, (nxt, nr) in enumerate(node.next_functions):
        if nxt is None:
            continue
        if isinstance(nxt, AccumulateGrad) and nxt.variable is t:
            return k
        if t.grad_fn is nxt and t._output_nr == nr:
            return k
    return None


def build(roots: Any, names: dict[str, Any] | None = None, show_saved: bool = True) -> Graph:
    """The drawable graph of `roots` (a tensor or a sequence of tensors)."""
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    by_id = {id(t): n for n, t in (names or {}).items()}
    out_names = {}
    for n, t in (names or {}).items():  # non-leaf variables name the node that made them
        if t.grad_fn is not None:
            out_names.setdefault((t.grad_fn, t._output_nr), n)
    g = Graph()
    keys: dict[Any, str] = {}
    meta: dict[tuple[Node, int], tuple[Any, Any]] = {}

    def key_of(obj: Any, prefix: str) -> tuple[str, bool]:
        k = keys.get(id(obj))
        if k is not None:
            return k, False
        k = keys[id(obj)] = f"{prefix}{len(keys)}"
        return k, True

    def tensor_box(t: Tensor, kind: str) -> str:
        k, new = key_of(t, "t")
        if new:
            label = [by_id[id(t)]] if id(t) in by_id else []
            g.boxes.append(Box(k, kind, label + [_describe(t.shape, t.dtype)]))
        return k

    stack: list[Node] = []
    for r in roots:
        rk = tensor_box(r, "output")
        out_names.pop((r.grad_fn, r._output_nr), None)  # the root's own box shows its name
        if r.grad_fn is not None:
            meta[(r.grad_fn, r._output_nr)] = (r.shape, r.dtype)
            stack.append(r.grad_fn)
            nk, _ = key_of(r.grad_fn, "n")
            g.edges.append((nk, rk, False))
    seen: set[int] = set()
    order: list[Node] = []
    while stack:  # discover every node, an explicit stack (no recursion), in DFS order
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        in_meta = node.__dict__.get("_in_meta")
        out_meta = meta.get((node, 0))
        for i, (nxt, nr) in enumerate(node.next_functions):
            if nxt is None:
                continue
            m = in_meta[i] if in_meta is not None and i < len(in_meta) else None
            if m is None and out_meta is not None and "_in_meta" in node.__dict__:
                # No entry in _in_meta (or none at all) means "same shape and dtype as the
                # output" (autograd/function.py `_record`).
                m = out_meta
            if m is not None:
                meta.setdefault((nxt, nr), m)
            stack.append(nxt)
    for node in order:
        if isinstance(node, AccumulateGrad):
            continue
        nk, _ = key_of(node, "n")
        lines = []
        if (node, 0) in out_names:
            lines.append(out_names[(node, 0)])
        lines.append(node.name())
        if (node, 0) in meta and node.n_diff_outputs == 1:
            lines.append(_describe(*meta[(node, 0)]))
        box = Box(nk, "op", lines)
        g.boxes.append(box)
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if isinstance(nxt, AccumulateGrad):
                g.edges.append((tensor_box(nxt.variable, "leaf"), nk, False))
            else:
                g.edges.append((key_of(nxt, "n")[0], nk, False))
        if show_saved:
            _draw_saved(g, node, box, tensor_box, keys, by_id)
    return g


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot_text(g: Graph) -> str:
    """Graphviz DOT for a Graph: `dot -Tsvg` draws it; so does zerograd.viz.draw."""
    out = ["digraph backward {", '    graph [rankdir=TB, fontname="monospace"]',
           '    node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11]']
    for b in g.boxes:
        label = "\\n".join(_quote(line) for line in b.lines)
        out.append(f'    {b.key} [label="{label}", fillcolor="{COLORS[b.kind]}"]')
    for s, t, dashed in g.edges:
        out.append(f"    {s} -> {t}" + (" [style=dashed]" if dashed else ""))
    out.append("}")
    return "\n".join(out) + "\n"
