"""zerograd.viz.to_dot / draw and `zerograd graph`: the drawn graph is the real backward graph
(the same grad_fn names torch's graph has, leaves named after the caller's variables, shapes
and dtypes, saved tensors), the DOT text is well formed, and the pure-Python SVG layout is a
valid picture whose boxes do not overlap and whose arrows run from producer to consumer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zerograd
from zerograd import cli
from zerograd.viz._graph import build
from zerograd.viz._layout import layout

RNG = np.random.default_rng(0)
W, XV = RNG.standard_normal((2, 3)).astype(np.float32), RNG.standard_normal(3).astype(
    np.float32)


def mlp(m: Any) -> tuple[Any, Any, Any]:
    w = m.tensor(W, requires_grad=True)
    x = m.tensor(XV, requires_grad=True)
    h = m.tanh(w @ x)
    loss = (h * h).sum() / 2 + (w ** 2).sum() * 0.01
    return loss, w, x


def torch_node_names(t: Any) -> Counter[str]:
    """grad_fn class names in torch's backward graph (AccumulateGrad excluded)."""
    seen, stack, names = set(), [t.grad_fn], Counter()
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        if type(n).__name__ != "AccumulateGrad":
            names[type(n).__name__] += 1
        stack.extend(nxt for nxt, _ in n.next_functions)
    return names


def dot_nodes(dot: str) -> dict[str, list[str]]:
    return {m.group(1): m.group(2).split("\\n")
            for m in re.finditer(r'^\s+(\w+) \[label="(.*?)", fillcolor', dot, re.M)}


def test_to_dot_names_the_same_operations_as_torch() -> None:
    torch = pytest.importorskip("torch")
    loss, w, x = mlp(zerograd)
    dot = zerograd.viz.to_dot(loss)
    ops = Counter(line for lines in dot_nodes(dot).values() for line in lines
                  if line.endswith("Backward0") or line.endswith("Backward1"))
    assert ops == torch_node_names(mlp(torch)[0])


def test_to_dot_labels_leaves_shapes_and_saved_tensors() -> None:
    w = zerograd.tensor(W, requires_grad=True)
    x = zerograd.tensor(XV, requires_grad=True)
    h = zerograd.tanh(w @ x)
    out = h.sum()
    nodes = dot_nodes(zerograd.viz.to_dot(out))
    labels = list(nodes.values())
    assert ["w", "(2, 3) float32"] in labels and ["x", "(3,) float32"] in labels
    assert ["out", "() float32"] in labels  # the root, by its variable name
    assert ["MvBackward0", "(2,) float32", "saves w, x"] in labels
    assert ["h", "TanhBackward0", "(2,) float32", "saves result"] in labels
    bare = zerograd.viz.to_dot(out, names={}, show_saved=False)
    assert "saves" not in bare and '"w\\n' not in bare


def test_dot_text_is_well_formed() -> None:
    loss, _, _ = mlp(zerograd)
    dot = zerograd.viz.to_dot(loss)
    assert dot.startswith("digraph backward {") and dot.rstrip().endswith("}")
    declared = set(dot_nodes(dot))
    for a, b in re.findall(r"^\s+(\w+) -> (\w+)", dot, re.M):
        assert a in declared and b in declared
    if shutil.which("dot"):  # Graphviz itself accepts it, where it is installed
        subprocess.run(["dot", "-Tsvg"], input=dot, text=True, capture_output=True, check=True)


def test_draw_gives_a_valid_svg_whose_boxes_do_not_overlap() -> None:
    loss, w, x = mlp(zerograd)
    svg = zerograd.viz.draw(loss, engine="python")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    g = build(loss, {"w": w, "x": x})
    assert len(root.findall(f"{ns}rect")) == len(g.boxes)
    assert {"w", "x", "TanhBackward0"} <= {t.text for t in root.iter(f"{ns}text")}
    rect, lines, width, height = layout(g)
    boxes = list(rect.values())
    for i, (x0, y0, w0, h0) in enumerate(boxes):
        assert 0 <= x0 and x0 + w0 <= width and 0 <= y0 and y0 + h0 <= height
        for x1, y1, w1, h1 in boxes[i + 1:]:
            assert x0 + w0 <= x1 or x1 + w1 <= x0 or y0 + h0 <= y1 or y1 + h1 <= y0
    for (s, t, _), (pts, _) in zip(g.edges, lines):  # arrows: producer's bottom -> consumer top
        sx, sy, sw, sh = rect[s]
        tx, ty, tw, th = rect[t]
        assert pts[0] == pytest.approx((sx + sw / 2, sy + sh))
        assert pts[-1] == pytest.approx((tx + tw / 2, ty))
        assert sy + sh < ty


def test_jupyter_display_hooks() -> None:
    loss, _, _ = mlp(zerograd)
    svg = zerograd.viz.draw(loss, engine="python")
    assert isinstance(svg, str) and svg._repr_svg_() == str(svg)
    dot = zerograd.viz.to_dot(loss)
    assert isinstance(dot, str) and ET.fromstring(dot._repr_svg_()).tag.endswith("svg")
    table = zerograd.viz.trace(lambda x: x * x, x=3.0)
    assert "<table>" in table._repr_html_()


def test_engine_choice() -> None:
    loss, _, _ = mlp(zerograd)
    with pytest.raises(ValueError):
        zerograd.viz.draw(loss, engine="neato")
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="dot"):
            zerograd.viz.draw(loss, engine="dot")
        assert zerograd.viz.draw(loss) == zerograd.viz.draw(loss, engine="python")
    else:
        assert "<svg" in zerograd.viz.draw(loss, engine="dot")


def test_long_chains_and_shared_inputs() -> None:
    x = zerograd.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(1500):  # a deep graph: nothing may recurse
        y = y * 1.001
    assert zerograd.viz.to_dot(y).count("MulBackward0") == 1500
    assert zerograd.viz.draw(y, engine="python").count("<rect") == 1502
    z = x
    for _ in range(120):  # one leaf feeding every layer: long edges
        z = z * 1.001 + x
    svg = zerograd.viz.draw(z, engine="python")
    assert svg.count("<rect") == 240 + 2  # the ops, the leaf, the root
    ET.fromstring(svg)


def test_cli_graph_writes_svg_and_dot(tmp_path: Path) -> None:
    svg_path, dot_path = tmp_path / "g.svg", tmp_path / "g.dot"
    assert cli.main(["graph", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "x2=5", "-o",
                     str(svg_path), "--engine", "python"]) == 0
    root = ET.fromstring(svg_path.read_text(encoding="utf-8"))
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"x1", "x2", "f", "LogBackward0", "MulBackward0", "SinBackward0"} <= texts
    assert cli.main(["graph", "x*x", "--at", "x=3", "-o", str(dot_path)]) == 0
    assert dot_path.read_text().startswith("digraph")
    with pytest.raises(SystemExit):
        cli.main(["graph", "2 * 3", "--at", "x=1", "-o", str(dot_path)])
