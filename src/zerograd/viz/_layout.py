"""Drawing a Graph as SVG with no system dependency: a small layered (Sugiyama-style) layout.

1. Layers: every box as low as its consumers allow (longest path to a root), so a leaf sits
   just above the operation that uses it. Edges that skip layers get invisible waypoints.
2. Order within layers: a few barycentre sweeps down and up reduce crossings.
3. x positions: each box moves toward the mean of its neighbours, then overlaps are pushed
   apart, alternating directions. The SVG draws rounded boxes, text and curved arrows.
If Graphviz's `dot` is on PATH, `render` can use it instead (its layouts are better still).
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape

from ._graph import COLORS, Graph, dot_text
from ._table import display_width

CHAR_W, LINE_H, PAD_X, PAD_Y = 7.4, 15.0, 10.0, 7.0
GAP_X, GAP_Y, MARGIN = 22.0, 38.0, 12.0


class SVG(str):
    """SVG text that Jupyter displays as a picture; `save(path)` writes it to a file."""

    def _repr_svg_(self) -> str:
        return str(self)

    def save(self, path: str) -> None:
        """Write the SVG to `path`."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(str(self))


def _layers(g: Graph) -> tuple[dict[str, int], dict[str, list[str]], dict[str, list[str]]]:
    """Layer of each box (0 = top), and its successors and predecessors."""
    succ: dict[str, list[str]] = {b.key: [] for b in g.boxes}
    pred: dict[str, list[str]] = {b.key: [] for b in g.boxes}
    for s, t, _ in g.edges:
        succ[s].append(t)
        pred[t].append(s)
    # Longest path to a sink, in reverse topological order (Kahn on successors, no recursion).
    out_deg = {k: len(v) for k, v in succ.items()}
    height = {k: 0 for k in succ}
    ready = [k for k, d in out_deg.items() if d == 0]
    while ready:
        k = ready.pop()
        for p in pred[k]:
            height[p] = max(height[p], height[k] + 1)
            out_deg[p] -= 1
            if out_deg[p] == 0:
                ready.append(p)
    top = max(height.values(), default=0)
    return {k: top - h for k, h in height.items()}, succ, pred


def _size(lines: list[str]) -> tuple[float, float]:
    w = max((display_width(s) for s in lines), default=1) * CHAR_W + 2 * PAD_X
    return w, len(lines) * LINE_H + 2 * PAD_Y


def layout(g: Graph) -> tuple[dict[str, tuple[float, float, float, float]],
                              list[tuple[list[tuple[float, float]], bool]], float, float]:
    """Box rectangles (x, y, w, h), edge polylines, and the picture's width and height."""
    layer, succ, pred = _layers(g)
    size = {b.key: _size(b.lines) for b in g.boxes}
    # Long edges get a waypoint in every layer they cross, unless that would swamp the picture
    # (one tensor feeding hundreds of layers): then they are drawn as one long curve.
    chains: list[tuple[list[str], bool]] = []
    n_dummy = 0
    span = sum(layer[t] - layer[s] - 1 for s, t, _ in g.edges)
    waypoints = span <= 4 * len(g.boxes) + 200
    for s, t, dashed in g.edges:
        path = [s]
        for lay in range(layer[s] + 1, layer[t] if waypoints else layer[s] + 1):
            d = f"_d{n_dummy}"
            n_dummy += 1
            layer[d], size[d] = lay, (2.0, LINE_H)
            path.append(d)
        path.append(t)
        chains.append((path, dashed))
    up: dict[str, list[str]] = {k: [] for k in layer}
    down: dict[str, list[str]] = {k: [] for k in layer}
    for path, _ in chains:
        for a, b in zip(path, path[1:]):
            down[a].append(b)
            up[b].append(a)
    n_layers = max(layer.values(), default=0) + 1
    rows: list[list[str]] = [[] for _ in range(n_layers)]
    for k in layer:  # discovery order first: roots' operations come out left to right
        rows[layer[k]].append(k)
    for _ in range(4):  # barycentre sweeps: down, then up
        for sweep in (range(1, n_layers), range(n_layers - 2, -1, -1)):
            for i in sweep:
                nb = up if sweep.step == 1 else down
                pos = {k: j for j, k in enumerate(rows[i - sweep.step])}
                here = {k: j for j, k in enumerate(rows[i])}
                rows[i].sort(key=lambda k: _mean([pos[n] for n in nb[k] if n in pos], here[k]))
    x = {}
    for row in rows:
        cursor = 0.0
        for k in row:
            x[k] = cursor + size[k][0] / 2
            cursor += size[k][0] + GAP_X
    for it in range(8):  # pull toward neighbours, then resolve overlaps
        order = range(n_layers) if it % 2 == 0 else range(n_layers - 1, -1, -1)
        for i in order:
            row = rows[i]
            want = {k: _mean([x[n] for n in up[k] + down[k]], x[k]) for k in row}
            _place(row, want, size, x)
    left = min((x[k] - size[k][0] / 2 for k in x), default=0.0)
    heights = [max((size[k][1] for k in row), default=0.0) for row in rows]
    tops = [MARGIN]
    for h in heights[:-1]:
        tops.append(tops[-1] + h + GAP_Y)
    rect = {}
    for i, row in enumerate(rows):
        for k in row:
            w, h = size[k]
            cx = x[k] - left + MARGIN
            rect[k] = (cx - w / 2, tops[i] + (heights[i] - h) / 2, w, h)
    lines = []
    for path, dashed in chains:
        pts = []
        for j, k in enumerate(path):
            rx, ry, w, h = rect[k]
            if j == 0:
                pts.append((rx + w / 2, ry + h))
            elif j == len(path) - 1:
                pts.append((rx + w / 2, ry))
            else:
                pts.append((rx + w / 2, ry + h / 2))
        lines.append((pts, dashed))
    width = max((r[0] + r[2] for r in rect.values()), default=0.0) + MARGIN
    height = (tops[-1] + heights[-1] if heights else 0.0) + MARGIN
    return {b.key: rect[b.key] for b in g.boxes}, lines, width, height


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _place(row: list[str], want: dict[str, float], size: dict[str, tuple[float, float]],
           x: dict[str, float]) -> None:
    """Put each box of a row at its wanted centre, keeping order and at least GAP_X apart."""
    pos = [want[k] for k in row]
    half = [size[k][0] / 2 for k in row]
    for j in range(1, len(row)):  # push right
        pos[j] = max(pos[j], pos[j - 1] + half[j - 1] + GAP_X + half[j])
    for j in range(len(row) - 2, -1, -1):  # pull back left where the wanted spot allows
        pos[j] = min(pos[j], pos[j + 1] - half[j + 1] - GAP_X - half[j])
    for k, p in zip(row, pos):
        x[k] = p


def _curve(pts: list[tuple[float, float]]) -> str:
    """An SVG path through the points, vertical tangents at each (smooth, like dot's)."""
    (x0, y0), rest = pts[0], pts[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    px, py = x0, y0
    for x, y in rest:
        my = (py + y) / 2
        d.append(f"C{px:.1f},{my:.1f} {x:.1f},{my:.1f} {x:.1f},{y:.1f}")
        px, py = x, y
    return " ".join(d)


def svg_python(g: Graph) -> SVG:
    """The graph as SVG, laid out in pure Python."""
    rect, lines, width, height = layout(g)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for pts, dashed in lines:
        dash = ' stroke-dasharray="4,3"' if dashed else ""
        out.append(f'<path d="{_curve(pts)}" fill="none" stroke="#555" stroke-width="1.2"'
                   f'{dash} marker-end="url(#arrow)"/>')
    for b in g.boxes:
        x, y, w, h = rect[b.key]
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
                   f'fill="{COLORS[b.kind]}" stroke="#444"/>')
        for i, text in enumerate(b.lines):
            ty = y + PAD_Y + LINE_H * (i + 0.78)
            weight = ' font-weight="bold"' if i == 0 and b.kind != "saved" else ""
            out.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" text-anchor="middle"{weight}>'
                       f"{escape(text)}</text>")
    out.append("</svg>")
    return SVG("\n".join(out) + "\n")


def svg_graphviz(g: Graph) -> SVG | None:
    """The graph as SVG drawn by Graphviz's `dot`, or None when dot is not installed."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "-Tsvg"], input=dot_text(g), capture_output=True, text=True,
                             timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return SVG(res.stdout)


def render(g: Graph, engine: str = "auto") -> SVG:
    """SVG for the graph: engine 'python' (always available), 'dot', or 'auto' (dot if found)."""
    if engine not in ("auto", "python", "dot"):
        raise ValueError(f"engine must be 'auto', 'python' or 'dot', not {engine!r}")
    if engine != "python":
        drawn = svg_graphviz(g)
        if drawn is not None:
            return drawn
        if engine == "dot":
            raise RuntimeError("Graphviz's `dot` was not found on PATH (use engine='python')")
    return svg_python(g)
