"""`from zerograd import d2l` needs NumPy alone; optional packages load only when used.

Each check runs in a fresh interpreter whose import system refuses matplotlib, pandas, IPython,
scikit-learn and torch (a meta path finder raising ModuleNotFoundError), as on a machine with
only `pip install zerograd`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKER = textwrap.dedent("""
    import sys
    BLOCKED = ("matplotlib", "pandas", "IPython", "matplotlib_inline", "sklearn", "scipy",
               "torch", "PIL")

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
""")


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = BLOCKER + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_import_needs_numpy_alone() -> None:
    proc = _run("""
        from zerograd import d2l
        import zerograd
        timer = d2l.Timer()
        acc = d2l.Accumulator(2)
        acc.add(zerograd.tensor(2.0), 3)
        assert acc.data == [2.0, 3.0]
        assert d2l.reduce_sum(d2l.ones(3)).item() == 3.0
        assert d2l.size(d2l.zeros(2, 3)) == 6
        assert d2l.concat is zerograd.cat and d2l.float32 is zerograd.float32
        X, y = d2l.synthetic_data(d2l.tensor([2, -3.4]), 4.2, 5)
        assert tuple(y.shape) == (5, 1)
        assert d2l.try_gpu().type in ("cpu", "cuda")
        assert d2l.get_fashion_mnist_labels([0, 9]) == ["t-shirt", "ankle boot"]
        d2l.use_svg_display()
        assert not d2l.in_notebook()
        heavy = [m for m in ("matplotlib", "pandas", "IPython", "sklearn", "torch")
                 if m in sys.modules]
        assert heavy == [], heavy
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_missing_matplotlib_gives_an_install_hint() -> None:
    proc = _run("""
        from zerograd import d2l
        for call in (lambda: d2l.plot([1, 2], [3, 4]), lambda: d2l.plt, lambda: d2l.Animator()):
            try:
                call()
            except ModuleNotFoundError as e:
                assert "zerograd[d2l]" in str(e) and e.name == "matplotlib", e
            else:
                raise AssertionError("no error")
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_missing_scikit_learn_gives_an_install_hint() -> None:
    proc = _run("""
        from zerograd import d2l
        try:
            d2l.load_data_digits(32)
        except ModuleNotFoundError as e:
            assert "zerograd[digits]" in str(e) and "scikit-learn" in str(e), e
            print("ok")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_lazy_attributes_resolve_when_available() -> None:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from zerograd import d2l
        import zerograd
        assert "pandas" not in sys.modules
        assert d2l.pd.__name__ == "pandas" and d2l.plt.__name__ == "matplotlib.pyplot"
        assert d2l.torch is zerograd and d2l.nn is zerograd.nn
        assert d2l.nn_Module is zerograd.nn.Module
        assert {"plt", "ones", "reduce_sum", "train_ch3"} <= set(dir(d2l))
        try:
            d2l.no_such_helper
        except AttributeError as e:
            assert "no_such_helper" in str(e)
        print("ok")
    """)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
