"""The public drawing functions: `to_dot` (Graphviz DOT text) and `draw` (SVG).

Both read variable names from the caller's frame, so `draw(y)` labels the leaf `x` as "x"
(pass `names={"x": x}` to choose them yourself). Both return strings that Jupyter displays as
pictures. The graph model is built in _graph.py and laid out in _layout.py.
"""

from __future__ import annotations

from typing import Any

from ._graph import Graph, build, dot_text, names_from_caller
from ._layout import SVG, render


class DotSource(str):
    """Graphviz DOT text of a backward graph; Jupyter shows it drawn, `render()` gives SVG."""

    _graph: Graph

    def render(self, engine: str = "auto") -> SVG:
        """The graph as SVG (engine 'python', 'dot' or 'auto', as in `draw`)."""
        return render(self._graph, engine)

    def _repr_svg_(self) -> str:
        return str(self.render())


def to_dot(tensor: Any, names: dict[str, Any] | None = None, show_saved: bool = True
           ) -> DotSource:
    """The backward graph of `tensor` (or a tuple of tensors) as Graphviz DOT text.

    Operations are labelled with their grad_fn names and output shapes and dtypes, leaves and
    roots with their variable names (read from the caller, or given as `names`), and each
    operation says what it saved for backward ("saves x, result"; other tensors it saved hang
    off it with dashed edges).

    Example:
        >>> import zerograd as torch
        >>> x = torch.ones(3, requires_grad=True)
        >>> y = (x * 2).sum()
        >>> print(torch.viz.to_dot(y))
        digraph backward {
            graph [rankdir=TB, fontname="monospace"]
            node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11]
            t0 [label="y\\n() float32", fillcolor="#d9ead3"]
            n1 [label="SumBackward0\\n() float32", fillcolor="#eeeeee"]
            n2 [label="MulBackward0\\n(3,) float32\\nsaves x", fillcolor="#eeeeee"]
            t3 [label="x\\n(3,) float32", fillcolor="#cfe2f3"]
            n1 -> t0
            n2 -> n1
            t3 -> n2
        }
        <BLANKLINE>
    """
    if names is None:
        names = names_from_caller(1)
    g = build(tensor, names, show_saved)
    out = DotSource(dot_text(g))
    out._graph = g
    return out


def draw(tensor: Any, names: dict[str, Any] | None = None, show_saved: bool = True,
         engine: str = "auto") -> SVG:
    """The backward graph of `tensor` as SVG text (displayed inline in Jupyter).

    `engine='python'` lays it out in pure Python; 'dot' uses Graphviz's `dot` (which must be on
    PATH); 'auto' (the default) uses dot when it is installed and Python otherwise.
    """
    if names is None:
        names = names_from_caller(1)
    return render(build(tensor, names, show_saved), engine)
