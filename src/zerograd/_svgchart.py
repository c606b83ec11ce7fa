"""A tiny pure-Python SVG chart writer: scatter plots and line charts with axes and ticks.

`zerograd demo` draws its data scatter and loss curve with it, so the demo needs NumPy alone
(matplotlib, when installed, adds PNG copies). It knows linear and log10 axes, "nice" tick
steps (1, 2, 5 times a power of ten), a title, axis labels and a legend, and nothing more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k)."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(round(k * step, 12))
        k += 1
    return ticks


def _label(v: float) -> str:
    return f"{v:g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.0e}"


@dataclass
class _Series:
    xs: list[float]
    ys: list[float]
    kind: str  # "scatter" or "line"
    color: str
    label: str | None
    size: float


@dataclass
class Chart:
    """One set of axes. Add series, then `to_svg()`; `log_y` draws y on a log10 scale."""

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    width: int = 480
    height: int = 340
    log_y: bool = False
    series: list[_Series] = field(default_factory=list)

    def scatter(self, xs: Sequence[float], ys: Sequence[float], color: str = COLORS[0],
                size: float = 1.5, label: str | None = None) -> Chart:
        """Add points (x, y) drawn as dots of radius `size`."""
        self.series.append(_Series([float(x) for x in xs], [float(y) for y in ys], "scatter",
                                   color, label, size))
        return self

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str = COLORS[0],
             width: float = 1.5, label: str | None = None) -> Chart:
        """Add a polyline through (x, y)."""
        self.series.append(_Series([float(x) for x in xs], [float(y) for y in ys], "line",
                                   color, label, width))
        return self

    def _ty(self, y: float) -> float:
        return math.log10(max(y, 1e-300)) if self.log_y else y

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [x for s in self.series for x in s.xs]
        ys = [self._ty(y) for s in self.series for y in s.ys if not self.log_y or y > 0]
        if not xs or not ys:
            return 0.0, 1.0, 0.0, 1.0
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if self.log_y:  # whole decades, so the ticks are powers of ten
            y0, y1 = math.floor(y0), math.ceil(y1)
        pad_x, pad_y = (x1 - x0) * 0.03 or 0.5, 0.0 if self.log_y else (y1 - y0) * 0.05 or 0.5
        return x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y if y1 > y0 else y0 + 1

    def to_svg(self) -> str:
        """The chart as a standalone SVG document."""
        x0, x1, y0, y1 = self._ranges()
        left, right, top, bottom = 62, 14, 30 if self.title else 12, 44
        pw, ph = self.width - left - right, self.height - top - bottom

        def px(x: float) -> float:
            return left + (x - x0) / (x1 - x0) * pw

        def py(ty: float) -> float:
            return top + ph - (ty - y0) / (y1 - y0) * ph

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
               f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
               'font-family="sans-serif" font-size="11">',
               f'<rect width="{self.width}" height="{self.height}" fill="white"/>']
        if self.title:
            out.append(f'<text x="{self.width / 2:.1f}" y="18" text-anchor="middle" '
                       f'font-size="13">{escape(self.title)}</text>')
        for t in nice_ticks(x0, x1):
            out.append(f'<line x1="{px(t):.1f}" y1="{top + ph}" x2="{px(t):.1f}" '
                       f'y2="{top + ph + 4}" stroke="black"/>')
            out.append(f'<text x="{px(t):.1f}" y="{top + ph + 16}" '
                       f'text-anchor="middle">{_label(t)}</text>')
        yticks = (list(range(math.ceil(y0), math.floor(y1) + 1)) if self.log_y
                  else nice_ticks(y0, y1))
        for t in yticks:
            text = f"1e{int(t)}" if self.log_y else _label(t)
            out.append(f'<line x1="{left - 4}" y1="{py(t):.1f}" x2="{left + pw}" '
                       f'y2="{py(t):.1f}" stroke="#e5e5e5"/>')
            out.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{text}</text>')
        out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
                   'stroke="black"/>')
        for s in self.series:
            pts = [(px(x), py(self._ty(y))) for x, y in zip(s.xs, s.ys) if not self.log_y or y > 0]
            if s.kind == "scatter":
                out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s.size}" fill="{s.color}"/>'
                           for x, y in pts)
            elif pts:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                out.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" '
                           f'stroke-width="{s.size}"/>')
        labelled = [s for s in self.series if s.label]
        # About 6.5 px per character at font-size 11: the legend ends inside the plot's frame.
        lx = left + pw - 26 - 6.5 * max((len(s.label or "") for s in labelled), default=0)
        for i, s in enumerate(labelled):
            y = top + 14 + 16 * i
            out.append(f'<rect x="{lx:.1f}" y="{y - 8}" width="12" height="8" '
                       f'fill="{s.color}"/>')
            out.append(f'<text x="{lx + 18:.1f}" y="{y}">{escape(s.label or "")}</text>')
        out.append(f'<text x="{left + pw / 2:.1f}" y="{self.height - 8}" '
                   f'text-anchor="middle">{escape(self.xlabel)}</text>')
        out.append(f'<text transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" '
                   f'text-anchor="middle">{escape(self.ylabel)}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"
