"""Plotting: d2l's plot/set_axes/Animator semantics, PNG files outside Jupyter, inline inside."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import zerograd
from zerograd import d2l

plt = pytest.importorskip("matplotlib.pyplot")


def _lines(ax: Any) -> list[tuple[np.ndarray, np.ndarray, str]]:
    return [(np.asarray(l.get_xdata()), np.asarray(l.get_ydata()), l.get_linestyle())
            for l in ax.get_lines()]


def test_plt_is_pyplot_and_set_figsize_sets_rcparams() -> None:
    assert d2l.plt is plt
    d2l.set_figsize((5, 2))
    assert tuple(plt.rcParams["figure.figsize"]) == (5.0, 2.0)
    d2l.set_figsize()
    assert tuple(plt.rcParams["figure.figsize"]) == (3.5, 2.5)


def test_set_axes_applies_every_setting() -> None:
    _, ax = plt.subplots()
    ax.plot([1, 2, 3], [1, 10, 100])
    d2l.set_axes(ax, "x", "f(x)", [1, 3], [1, 100], "linear", "log", ["f"])
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    assert ax.get_xscale() == "linear" and ax.get_yscale() == "log"
    assert tuple(ax.get_xlim()) == (1, 3) and tuple(ax.get_ylim()) == (1, 100)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f"]


def test_plot_curves_like_d2l(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The calculus section's call: one x, a list of two curves, zerograd tensors included.
    x = np.arange(0, 3, 0.1)
    fx = zerograd.tensor(3 * x ** 2 - 4 * x)
    d2l.plot(x, [fx, 2 * x - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"])
    ax = plt.gca()
    (x0, y0, s0), (x1, y1, s1) = _lines(ax)
    np.testing.assert_allclose(x0, x)
    np.testing.assert_allclose(y0, fx.numpy())
    np.testing.assert_allclose(y1, 2 * x - 3)
    assert (s0, s1) == ("-", "--")  # fmts '-' and 'm--'
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    # Outside Jupyter the figure is saved to a PNG in the printed folder.
    out = capsys.readouterr().out
    path = tmp_path / "figures" / "plot-1.png"
    assert str(path) in out and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_y_only_and_2d_tensor_forms() -> None:
    y = zerograd.tensor([1.0, 4.0, 9.0])
    d2l.plot(y)  # X is the data: plotted against its index
    [(x0, y0, _)] = _lines(plt.gca())
    np.testing.assert_array_equal(x0, [0, 1, 2])
    np.testing.assert_array_equal(y0, [1, 4, 9])
    # A 1-D X shared by several curves given as a list of lists.
    d2l.plot([0, 1, 2], [[0, 1, 2], [2, 1, 0]])
    lines = _lines(plt.gca())
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[1][1], [2, 1, 0])


def test_each_plot_outside_jupyter_gets_its_own_figure(tmp_path: Path) -> None:
    d2l.plot([1, 2], [3, 4])
    d2l.plot([1, 2], [4, 3])
    assert len(plt.get_fignums()) == 2
    assert sorted(os.listdir(tmp_path / "figures")) == ["plot-1.png", "plot-2.png"]
    # With axes given, redraws of one figure overwrite one file.
    fig, axes = plt.subplots(1, 2)
    d2l.plot([1, 2], [1, 2], axes=axes[0])
    d2l.plot([1, 2], [2, 1], axes=axes[1])
    assert sorted(os.listdir(tmp_path / "figures")) == ["plot-1.png", "plot-2.png", "plot-3.png"]
    assert len(axes[0].get_lines()) == len(axes[1].get_lines()) == 1


def test_show_images_titles_and_saves(tmp_path: Path) -> None:
    imgs = zerograd.rand(4, 8, 8)
    axes = d2l.show_images(imgs, 2, 2, titles=["a", "b", "c", "d"])
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(axes[3].get_images()[0].get_array(), imgs[3].numpy())
    assert not axes[0].axes.get_xaxis().get_visible()
    assert (tmp_path / "figures" / "images-1.png").is_file()


def test_animator_prints_progress_and_keeps_one_png(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 3], legend=["train loss", "test acc"])
    animator.add(1, (0.75, zerograd.tensor(0.5)))
    animator.add(2, (0.5, None))  # None skips a curve, as in train_ch6
    animator.add(3, (0.25, 0.875))
    assert animator.X == [[1, 2, 3], [1, 3]]
    assert [float(v) for v in animator.Y[1]] == [0.5, 0.875]
    out = capsys.readouterr().out.splitlines()
    progress = [line for line in out if line.startswith("epoch")]
    assert progress == ["epoch 1: train loss 0.7500, test acc 0.5000",
                        "epoch 2: train loss 0.5000",
                        "epoch 3: train loss 0.2500, test acc 0.8750"]
    assert os.listdir(tmp_path / "figures") == ["animator-1.png"]
    ax = animator.axes[0]
    assert ax.get_xlabel() == "epoch" and tuple(ax.get_xlim()) == (1, 3)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [0.75, 0.5, 0.25])


class _FakeShell:
    """Stands in for a Jupyter kernel's InteractiveShell."""

    kernel = object()
    config: dict[str, Any] = {"IPKernelApp": {}}


@pytest.fixture
def fake_jupyter(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Fake IPython modules that record display calls, as if running inside a kernel."""
    calls: list[tuple[str, Any]] = []
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: _FakeShell()  # type: ignore[attr-defined]
    display = types.ModuleType("IPython.display")
    display.display = lambda obj: calls.append(("display", obj))  # type: ignore[attr-defined]
    display.clear_output = (  # type: ignore[attr-defined]
        lambda wait=False: calls.append(("clear_output", wait)))
    ipython.display = display  # type: ignore[attr-defined]
    inline = types.ModuleType("matplotlib_inline.backend_inline")
    inline.set_matplotlib_formats = (  # type: ignore[attr-defined]
        lambda *fmts: calls.append(("formats", fmts)))
    pkg = types.ModuleType("matplotlib_inline")
    pkg.backend_inline = inline  # type: ignore[attr-defined]
    for name, mod in [("IPython", ipython), ("IPython.display", display),
                      ("matplotlib_inline", pkg), ("matplotlib_inline.backend_inline", inline)]:
        monkeypatch.setitem(sys.modules, name, mod)
    yield calls


def test_in_notebook_detection(fake_jupyter: list[tuple[str, Any]],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert d2l.in_notebook()
    # A terminal IPython shell has no kernel: not a notebook.
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: types.SimpleNamespace())
    assert not d2l.in_notebook()
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: None)
    assert not d2l.in_notebook()


def test_not_a_notebook_without_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not d2l.in_notebook()
    d2l.use_svg_display()  # a no-op outside Jupyter, and it does not import IPython
    assert "IPython" not in sys.modules


def test_in_jupyter_svg_inline_and_animator_redraws(
        fake_jupyter: list[tuple[str, Any]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    d2l.use_svg_display()
    assert fake_jupyter.pop() == ("formats", ("svg",))
    animator = d2l.Animator(legend=["loss"])
    animator.add(1, 0.5)
    animator.add(2, 0.25)
    kinds = [k for k, _ in fake_jupyter]
    assert kinds == ["formats", "display", "clear_output", "display", "clear_output"]
    assert fake_jupyter[1][1] is animator.fig and fake_jupyter[2][1] is True
    d2l.plot([1, 2], [3, 4])
    assert capsys.readouterr().out == ""  # no progress lines, no files: the notebook shows it
    assert not (tmp_path / "figures").exists()
