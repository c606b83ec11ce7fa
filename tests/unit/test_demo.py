"""`zerograd demo`: linear regression from scratch, the autodiff trace, and the figures.

The command runs in a subprocess (as `pip install . && zerograd demo` runs it), once as is and
once with matplotlib made unimportable. The training itself is checked against the same loop
in PyTorch (zerograd's generator draws what torch's draws), the trace against calculus, and
the SVG charts by parsing them.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import zerograd
from zerograd import demo
from zerograd._svgchart import Chart, nice_ticks

SRC = Path(zerograd.__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"

# Run the demo with every `import matplotlib...` failing, as on a machine without it.
NO_MATPLOTLIB = """\
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "matplotlib":
            raise ModuleNotFoundError("No module named 'matplotlib'", name=name)
sys.meta_path.insert(0, Block())
from zerograd.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _demo(tmp_path: Path, block_matplotlib: bool = False) -> tuple[str, Path]:
    out = tmp_path / "figs"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "PYTHONIOENCODING": "utf-8"}
    head = ["-c", NO_MATPLOTLIB] if block_matplotlib else ["-m", "zerograd"]
    done = subprocess.run([sys.executable, *head, "demo", "-o", str(out)], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # no warnings either
    return done.stdout, out


def _floats(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", text)]


def _check_report(stdout: str) -> None:
    epochs = [line for line in stdout.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 3 and "\r" not in stdout  # a pipe gets finished lines only
    for i, line in enumerate(epochs, 1):
        assert line.startswith(f"epoch {i}/3 [{'#' * 30}] 100/100 batches  loss "), line
    losses = [float(line.rsplit("loss ", 1)[1]) for line in epochs]
    assert losses[0] > losses[1] > losses[2] and losses[2] < 1e-3  # noise σ=0.01: σ²/2 = 5e-5
    w_line = next(line for line in stdout.splitlines() if line.startswith("estimated w"))
    w1, w2, b = _floats(w_line)
    err_w = _floats(next(line for line in stdout.splitlines() if "error in w" in line))
    err_b = _floats(next(line for line in stdout.splitlines() if "error in b" in line))
    assert max(abs(w1 - 2), abs(w2 + 3.4), abs(b - 4.2)) < 0.01
    assert err_w == pytest.approx([2 - w1, -3.4 - w2], abs=1.5e-4)  # printed to 4 decimals
    assert err_b == pytest.approx([4.2 - b], abs=1.5e-4)
    # The notes' example: ∂f/∂x1 = 1/x1 + x2, ∂f/∂x2 = x1 - cos(x2), at (2, 5), in both modes.
    grads = f"∂f/∂x1 = {1 / 2 + 5:.4f}, ∂f/∂x2 = {2 - math.cos(5):.4f}"
    assert f"forward mode 正向累积: {grads}" in stdout
    assert f"reverse mode 反向累积: {grads}" in stdout
    assert f"f = {math.log(2) + 10 - math.sin(5):.4f}" in stdout


def _check_svgs(out: Path) -> None:
    data = ET.parse(out / "data.svg").getroot()
    assert len(data.findall(f"{SVG}circle")) == 1000  # one dot per example
    loss = ET.parse(out / "loss.svg").getroot()
    lines = loss.findall(f"{SVG}polyline")
    assert [len(p.get("points", "").split()) for p in lines] == [300, 4]  # batches, epochs
    graph = (out / "graph.svg").read_text(encoding="utf-8")
    ET.fromstring(graph)
    for label in ("MmBackward0", "AddBackward0", "SumBackward0", ">w<", ">b<", ">loss<"):
        assert label in graph, label
    assert "∂f/∂x2" in (out / "trace.txt").read_text(encoding="utf-8")


def test_demo_report_and_figures(tmp_path: Path) -> None:
    stdout, out = _demo(tmp_path)
    _check_report(stdout)
    _check_svgs(out)
    assert f"figures written to {out}{os.sep}" in stdout
    if importlib.util.find_spec("matplotlib") is not None:
        for name in ("data.png", "loss.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    seconds = float(re.search(r"finished in (\d+\.\d+) s", stdout).group(1))  # type: ignore
    assert seconds < 60


def test_demo_without_matplotlib(tmp_path: Path) -> None:
    stdout, out = _demo(tmp_path, block_matplotlib=True)
    _check_report(stdout)
    _check_svgs(out)
    assert sorted(p.name for p in out.iterdir()) == ["data.svg", "graph.svg", "loss.svg",
                                                     "trace.txt"]
    assert "matplotlib is not installed: SVG figures only" in stdout


def test_training_follows_torch_step_by_step() -> None:
    torch = pytest.importorskip("torch")
    result = demo.train(io.StringIO(), seed=3)
    # The same course loop in PyTorch: same seed, same draws, same shuffles.
    torch.manual_seed(3)
    random.seed(3)
    X = torch.normal(0, 1, (1000, 2))
    y = torch.matmul(X, torch.tensor([2.0, -3.4])) + 4.2
    y += torch.normal(0, 0.01, y.shape)
    y = y.reshape((-1, 1))
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    assert result.features.numpy().tolist() == X.numpy().tolist()
    epoch_losses = []
    for _ in range(3):
        indices = list(range(1000))
        random.shuffle(indices)
        for i in range(0, 1000, 10):
            j = torch.tensor(indices[i:i + 10])
            ((X[j] @ w + b - y[j]) ** 2 / 2).sum().backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= 0.03 * p.grad / 10
                    p.grad.zero_()
        with torch.no_grad():
            epoch_losses.append(float(((X @ w + b - y) ** 2 / 2).mean()))
    assert result.epoch_losses == pytest.approx(epoch_losses, rel=1e-4)
    assert result.w.detach().numpy() == pytest.approx(w.detach().numpy(), abs=1e-6)
    assert result.b.detach().numpy() == pytest.approx(b.detach().numpy(), abs=1e-6)
    assert len(result.batch_losses) == 300


def test_progress_bar_redraws_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = demo.ProgressBar(10, "epoch 1/1", stream, width=10)
    for _ in range(10):
        bar.update()
    bar.close("  loss 0.5")
    frames = stream.getvalue().split("\r")[1:]
    assert frames == ["epoch 1/1 [#####.....] 5/10 batches",
                      "epoch 1/1 [##########] 10/10 batches",
                      "epoch 1/1 [##########] 10/10 batches  loss 0.5\n"]


def test_demo_stops_quietly_when_the_reader_goes_away(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen([sys.executable, "-m", "zerograd", "demo", "-o", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # `zerograd demo | head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert err == b""


@pytest.mark.parametrize("lo, hi", [(0, 1), (-3.2, 4.1), (1e-3, 7e-3), (0, 300), (-11, -10.5),
                                    (12345, 67890)])
def test_nice_ticks(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi)
    assert 3 <= len(ticks) <= 11
    assert all(lo - 1e-12 <= t <= hi + 1e-12 for t in ticks)
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1, 2, 5)
    assert ticks[0] - step < lo  # the first tick is the first multiple of the step in range


def test_chart_maps_points_into_the_frame() -> None:
    svg = Chart(title="t", xlabel="x", ylabel="y").scatter([0, 1, 2], [0, 10, 20]).to_svg()
    root = ET.fromstring(svg)
    frame = [r for r in root.findall(f"{SVG}rect") if r.get("fill") == "none"][0]
    x0, y0 = float(frame.get("x", 0)), float(frame.get("y", 0))
    x1, y1 = x0 + float(frame.get("width", 0)), y0 + float(frame.get("height", 0))
    pts = [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in root.findall(f"{SVG}circle")]
    assert all(x0 < x < x1 and y0 < y < y1 for x, y in pts)
    assert pts[0][0] < pts[1][0] < pts[2][0] and pts[0][1] > pts[1][1] > pts[2][1]  # y up
    # Equal steps in the data are equal steps on screen.
    assert pts[1][0] - pts[0][0] == pytest.approx(pts[2][0] - pts[1][0], abs=0.11)
    log = ET.fromstring(Chart(log_y=True).line([0, 1, 2], [1, 10, 100]).to_svg())
    ys = [float(p.split(",")[1]) for p in log.find(f"{SVG}polyline").get("points").split()]  # type: ignore
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.11)  # decades evenly spaced
