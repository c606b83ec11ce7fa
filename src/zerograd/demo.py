"""`zerograd demo`: the course's linear regression from scratch (d2l 3.2), shown end to end.

Synthetic data y = Xw + b + ε (w = [2, -3.4], b = 4.2, 1,000 examples), minibatch SGD (batch 10,
lr 0.03, 3 epochs) with a text progress bar per epoch, the loss per epoch, the learned w and b
and their errors; then the notes' autodiff example f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at
(2, 5) as evaluation-trace tables, and the figures (data scatter, loss curve, computation graph)
written to a folder. Needs NumPy alone: SVG charts come from _svgchart.py; matplotlib, when
installed, adds PNG copies. The command-line wiring is in cli.py.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import zerograd as torch
from zerograd import viz
from zerograd._svgchart import COLORS, Chart
from zerograd.d2l import linreg, sgd, squared_loss, synthetic_data

TRUE_W = [2.0, -3.4]
TRUE_B = 4.2
NUM_EXAMPLES, BATCH_SIZE, LR, NUM_EPOCHS = 1000, 10, 0.03, 3
DEFAULT_OUTPUT = "zerograd-demo-output"


class ProgressBar:
    """A plain-text progress bar. On a terminal it redraws one line with '\\r'; in a pipe or a
    file it writes the finished line once, so logs hold no control characters."""

    def __init__(self, total: int, label: str, stream: TextIO, width: int = 30) -> None:
        self.total, self.label, self.stream, self.width = total, label, stream, width
        self.count = 0
        self.live = bool(getattr(stream, "isatty", lambda: False)())

    def _line(self, extra: str) -> str:
        filled = self.width * self.count // self.total
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.label} [{bar}] {self.count}/{self.total} batches{extra}"

    def update(self, extra: str = "") -> None:
        """One more step done; redraw on a terminal (every few steps, to stay cheap)."""
        self.count += 1
        if self.live and (self.count % 5 == 0 or self.count == self.total):
            self.stream.write("\r" + self._line(extra))
            self.stream.flush()

    def close(self, extra: str = "") -> None:
        """Finish the line, with `extra` (e.g. the epoch's loss) after the bar."""
        self.stream.write(("\r" if self.live else "") + self._line(extra) + "\n")
        self.stream.flush()


def data_iter(batch_size: int, features: Any, labels: Any) -> Iterator[tuple[Any, Any]]:
    """The course's minibatch reader: shuffle the example indices, yield batch_size at a time."""
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


@dataclass
class Result:
    """What training produced: the data, parameters, and the loss history."""

    features: Any
    labels: Any
    w: Any
    b: Any
    initial_loss: float = 0.0
    epoch_losses: list[float] = field(default_factory=list)
    batch_losses: list[float] = field(default_factory=list)


def train(stream: TextIO, seed: int = 0) -> Result:
    """Linear regression from scratch, exactly as the course writes it, with progress bars."""
    torch.manual_seed(seed)
    random.seed(seed)
    true_w = torch.tensor(TRUE_W)
    features, labels = synthetic_data(true_w, TRUE_B, NUM_EXAMPLES)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    result = Result(features, labels, w, b)
    with torch.no_grad():
        result.initial_loss = float(squared_loss(linreg(features, w, b), labels).mean())
    batches = (NUM_EXAMPLES + BATCH_SIZE - 1) // BATCH_SIZE
    for epoch in range(NUM_EPOCHS):
        bar = ProgressBar(batches, f"epoch {epoch + 1}/{NUM_EPOCHS}", stream)
        for X, y in data_iter(BATCH_SIZE, features, labels):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], LR, BATCH_SIZE)
            result.batch_losses.append(float(l.detach().mean()))
            bar.update()
        with torch.no_grad():
            train_l = float(squared_loss(linreg(features, w, b), labels).mean())
        result.epoch_losses.append(train_l)
        bar.close(f"  loss {train_l:f}")
    return result


def autodiff_example(x1: Any, x2: Any) -> Any:
    """The notes' example: f(x1, x2) = ln(x1) + x1·x2 − sin(x2)."""
    return torch.log(x1) + x1 * x2 - torch.sin(x2)


def _computation_graph(result: Result) -> str:
    """SVG of the backward graph of one minibatch's loss, with the course's variable names."""
    X, y = result.features[:BATCH_SIZE], result.labels[:BATCH_SIZE]
    w, b = result.w, result.b
    y_hat = linreg(X, w, b)
    loss = squared_loss(y_hat, y).sum()
    return str(viz.draw(loss, names={"X": X, "w": w, "b": b, "y": y, "y_hat": y_hat,
                                     "loss": loss}))


def _charts(result: Result) -> dict[str, Chart]:
    xs = result.features[:, 1].tolist()
    ys = result.labels[:, 0].tolist()
    data = Chart(title="合成数据 synthetic data: y = Xw + b + ε", xlabel="feature x₂ (特征)",
                 ylabel="label y (标签)").scatter(xs, ys, size=1.2)
    steps = list(range(1, len(result.batch_losses) + 1))
    per_epoch = len(steps) // NUM_EPOCHS
    loss = Chart(title="训练损失 training loss", xlabel="iteration (小批量)", ylabel="loss",
                 log_y=True)
    loss.line(steps, result.batch_losses, color=COLORS[0], width=1.0, label="minibatch loss")
    loss.line([0, *[per_epoch * (e + 1) for e in range(NUM_EPOCHS)]],
              [result.initial_loss, *result.epoch_losses], color=COLORS[1], width=2.0,
              label="loss on all data, per epoch")
    return {"data": data, "loss": loss}


def _matplotlib_pngs(result: Result, folder: str) -> list[str]:
    """data.png and loss.png through matplotlib's Agg canvas (no pyplot state is touched);
    [] when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return []
    fig = Figure(figsize=(3.5, 2.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.scatter(result.features[:, 1].tolist(), result.labels[:, 0].tolist(), 1)
    ax.set_xlabel("feature x2")
    ax.set_ylabel("label y")
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "data.png"), dpi=120)
    fig = Figure(figsize=(4.5, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.semilogy(range(1, len(result.batch_losses) + 1), result.batch_losses, lw=0.8,
                label="minibatch loss")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "loss.png"), dpi=120)
    return ["data.png", "loss.png"]


def write_figures(result: Result, folder: str, trace_text: str) -> list[str]:
    """Write the figures (and the trace tables as text) into folder; return the file names."""
    os.makedirs(folder, exist_ok=True)
    files = {f"{name}.svg": chart.to_svg() for name, chart in _charts(result).items()}
    files["graph.svg"] = _computation_graph(result)
    files["trace.txt"] = trace_text
    for name, text in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    return [*files, *_matplotlib_pngs(result, folder)]


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


def run(output: str = DEFAULT_OUTPUT, seed: int = 0, stream: TextIO | None = None) -> int:
    """The whole demo; returns the exit status."""
    out = stream if stream is not None else sys.stdout
    start = time.perf_counter()
    out.write("zerograd demo: 线性回归的从零开始实现 (linear regression from scratch)\n")
    out.write(f"data: {NUM_EXAMPLES} examples of y = Xw + b + ε, true w = {TRUE_W}, "
              f"b = {TRUE_B}\n")
    out.write(f"training: minibatch SGD, batch size {BATCH_SIZE}, lr {LR}, "
              f"{NUM_EPOCHS} epochs\n\n")
    result = train(out, seed)
    w = result.w.detach().reshape(-1).tolist()
    b = float(result.b.detach()[0])
    out.write(f"\nestimated w = {_fmt(w)}, b = {b:.4f}\n")
    out.write(f"error in w (true - estimated): {_fmt([t - e for t, e in zip(TRUE_W, w)])}\n")
    out.write(f"error in b (true - estimated): {TRUE_B - b:.4f}\n\n")
    out.write("自动微分 autodiff: f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at (x1, x2) = (2, 5)\n\n")
    trace_text = viz.trace(autodiff_example, x1=2.0, x2=5.0).to_text()
    out.write(trace_text + "\n")
    files = write_figures(result, output, trace_text)
    out.write(f"figures written to {output}{os.sep}: {', '.join(files)}\n")
    if not any(f.endswith(".png") for f in files):
        out.write("(matplotlib is not installed: SVG figures only; pip install matplotlib "
                  "adds PNG copies)\n")
    out.write(f"finished in {time.perf_counter() - start:.1f} s\n")
    out.flush()
    return 0
