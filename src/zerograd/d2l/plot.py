"""d2l 0.17's plotting: use_svg_display, set_figsize, set_axes, plot, show_images, Animator.

matplotlib (and IPython) are imported on first use, never at `from zerograd import d2l`. Inside a
Jupyter kernel everything behaves as in d2l (inline SVG, an Animator redrawn in place). Anywhere
else (a terminal, a script, CI) figures are saved as PNG files in a folder that is printed
(`$ZEROGRAD_FIGURES`, default ./d2l-figures) and `Animator` prints one progress line per point.
Data loading and training live in data.py and train.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = [
    "use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "Animator",
    "figures_dir", "in_notebook",
]  # fmt: skip

_FMTS = ("-", "m--", "g-.", "r:")


def _pyplot() -> Any:
    """matplotlib.pyplot, imported on first use with a clear message when it is missing."""
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as e:
        if e.name is not None and e.name.split(".")[0] == "matplotlib":
            raise ModuleNotFoundError(
                "d2l's plotting helpers need matplotlib: pip install 'zerograd[d2l]' "
                "(or pip install matplotlib)",
                name="matplotlib",
            ) from None
        raise
    return plt


def in_notebook() -> bool:
    """True inside a Jupyter (IPython kernel) session, where figures display inline."""
    # A kernel has always imported IPython already, so a script never pays for importing it here.
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    if shell is None:
        return False
    return hasattr(shell, "kernel") or "IPKernelApp" in getattr(shell, "config", {})


def figures_dir() -> str:
    """Where figures are saved outside Jupyter: $ZEROGRAD_FIGURES, else ./d2l-figures."""
    return os.environ.get("ZEROGRAD_FIGURES") or os.path.join(".", "d2l-figures")


# (folder, stem) -> figures saved there by this process: a re-run overwrites its own files.
_counts: dict[tuple[str, str], int] = {}


def _save(fig: Any, stem: str) -> str:
    """Write `fig` to its PNG file (the same file on every redraw) and return the path."""
    # The path is kept on the figure itself, so every redraw of one figure overwrites one file.
    path = getattr(fig, "_zerograd_png", None)
    if path is None:
        folder = figures_dir()
        os.makedirs(folder, exist_ok=True)
        n = _counts.get((folder, stem), 0) + 1
        _counts[(folder, stem)] = n
        path = os.path.join(folder, f"{stem}-{n}.png")
        fig._zerograd_png = path
        print(f"[d2l] figure saved to {path}", flush=True)
    fig.savefig(path, bbox_inches="tight")  # as Jupyter's inline backend crops
    return path


def use_svg_display() -> None:
    """Use the SVG format for figures shown in Jupyter (a no-op outside a notebook)."""
    if not in_notebook():
        return
    try:
        from matplotlib_inline import backend_inline

        backend_inline.set_matplotlib_formats("svg")
    except ImportError:  # older IPython kept the function itself
        from IPython import display

        display.set_matplotlib_formats("svg")


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """Set matplotlib's default figure size (and SVG display in Jupyter)."""
    use_svg_display()
    _pyplot().rcParams["figure.figsize"] = figsize


def set_axes(axes: Any, xlabel: str | None, ylabel: str | None, xlim: Any, ylim: Any,
             xscale: str, yscale: str, legend: Sequence[str] | None) -> None:
    """Set the labels, scales, limits, legend and grid of matplotlib axes."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _has_one_axis(X: Any) -> bool:
    """True for one curve's data: a 1-D array/tensor or a flat list of numbers."""
    return bool(hasattr(X, "ndim") and X.ndim == 1
                or isinstance(X, list) and not hasattr(X[0], "__len__"))


def _fresh_axes(plt: Any) -> Any:
    """Outside Jupyter each plot() gets its own figure, as each notebook cell does."""
    if plt.get_fignums() and not plt.gcf().axes:
        return plt.gcf().gca()  # a figure the user just opened with plt.figure()
    return plt.figure().gca()


def plot(X: Any, Y: Any = None, xlabel: str | None = None, ylabel: str | None = None,
         legend: Sequence[str] | None = None, xlim: Any = None, ylim: Any = None,
         xscale: str = "linear", yscale: str = "linear", fmts: Sequence[str] = _FMTS,
         figsize: tuple[float, float] = (3.5, 2.5), axes: Any = None) -> None:
    """Plot one or several curves (Y against X) on `axes`, as d2l.plot does."""
    if legend is None:
        legend = []
    set_figsize(figsize)
    plt = _pyplot()
    notebook = in_notebook()
    if not axes:
        axes = plt.gca() if notebook else _fresh_axes(plt)
    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    if not notebook:
        _save(axes.figure, "plot")


def show_images(imgs: Any, num_rows: int, num_cols: int, titles: Sequence[str] | None = None,
                scale: float = 1.5) -> Any:
    """Show a grid of images (tensors, arrays or PIL images); returns the flattened axes."""
    from .._tensor import is_tensor

    figsize = (num_cols * scale, num_rows * scale)
    fig, axes = _pyplot().subplots(num_rows, num_cols, figsize=figsize)
    axes = axes.flatten() if hasattr(axes, "flatten") else [axes]
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(img.detach().numpy() if is_tensor(img) else img)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    if not in_notebook():
        _save(fig, "images")
    return axes


class Animator:
    """Plot data incrementally: in Jupyter redraw in place; elsewhere print and save a PNG."""

    def __init__(self, xlabel: str | None = None, ylabel: str | None = None,
                 legend: Sequence[str] | None = None, xlim: Any = None, ylim: Any = None,
                 xscale: str = "linear", yscale: str = "linear", fmts: Sequence[str] = _FMTS,
                 nrows: int = 1, ncols: int = 1,
                 figsize: tuple[float, float] = (3.5, 2.5)) -> None:
        if legend is None:
            legend = []
        use_svg_display()
        self.fig, self.axes = _pyplot().subplots(nrows, ncols, figsize=figsize)
        if nrows * ncols == 1:
            self.axes = [self.axes]
        self.xlabel, self.legend = xlabel, list(legend)
        # A closure keeps the axis settings, so every redraw re-applies them after cla().
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.X: list[list[Any]] | None = None
        self.Y: list[list[Any]] | None = None
        self.fmts = fmts

    def add(self, x: Any, y: Any) -> None:
        """Add one point per curve (y may be a number or a sequence; None skips a curve)."""
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        self.axes[0].cla()
        for xs, ys, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(xs, ys, fmt)
        self.config_axes()
        if in_notebook():
            from IPython import display

            display.display(self.fig)
            display.clear_output(wait=True)
        else:
            print(self._progress_line(x, y), flush=True)
            _save(self.fig, "animator")

    def _progress_line(self, x: Sequence[Any], y: Sequence[Any]) -> str:
        """'epoch 3: train loss 0.5123, test acc 0.8210' for the points just added."""
        xs = [a for a, b in zip(x, y) if a is not None and b is not None]
        where = f"{self.xlabel or 'x'} {float(xs[0]):g}" if xs else (self.xlabel or "x")
        parts = []
        for i, b in enumerate(y):
            if b is not None:
                name = self.legend[i] if i < len(self.legend) else f"y{i + 1}"
                parts.append(f"{name} {float(b):.4f}")
        return f"{where}: " + ", ".join(parts)
