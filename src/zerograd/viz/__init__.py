"""zerograd.viz: seeing autodiff at work. `to_dot(t)` gives the backward graph of a tensor as
Graphviz DOT text, `draw(t)` renders it as SVG (pure Python; Graphviz's `dot` when installed),
and `trace(f, x1=2.0, x2=5.0)` builds the evaluation-trace tables of forward and reverse mode.
Results display inline in Jupyter.
"""

from __future__ import annotations

from ._api import DotSource, draw, to_dot
from ._layout import SVG
from ._trace import TraceTable, trace

__all__ = ["SVG", "DotSource", "TraceTable", "draw", "to_dot", "trace"]
