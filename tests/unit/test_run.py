"""`zerograd run script.py` and `%load_ext zerograd`: unmodified PyTorch code runs on zerograd.

Scripts run in a subprocess as a learner runs them. A script that uses only what zerograd
implements prints the same under `zerograd run` as under `python` with real PyTorch; names
zerograd lacks fail with "zerograd does not implement torch.X yet"; tracebacks point at the
script's own lines; argv, __name__, sys.path and exit codes behave as with `python script.py`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import zerograd
from zerograd import _import_hook

SRC = Path(zerograd.__file__).resolve().parents[1]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            "PYTHONIOENCODING": "utf-8"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          encoding="utf-8", env=_env(), cwd=cwd, timeout=120)


def _script(tmp_path: Path, text: str, name: str = "script.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# Course code (d2l 2.1, 2.5, 3.2-3.3 style) using every import form the brief names. It prints
# values, dtypes and grad_fns, so the outputs of real torch and zerograd can be compared.
COURSE_SCRIPT = """\
    import random
    import sys

    import torch
    import torch.nn as nn
    import torch.optim
    from torch import nn as nn2
    from torch.nn import functional as F
    from torch.utils import data

    print(__name__, sys.argv[1:])
    x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    print(x.sum(axis=1), x.mean(), x.dtype, nn is nn2)
    a = torch.arange(4.0, requires_grad=True)
    y = 2 * torch.dot(a, a)
    y.backward()
    print(y, a.grad)
    torch.manual_seed(0)
    random.seed(0)
    X = torch.normal(0, 1, (100, 2))
    labels = X @ torch.tensor([2, -3.4]).reshape(2, 1) + 4.2
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    opt = torch.optim.SGD(net.parameters(), lr=0.03)
    loader = data.DataLoader(data.TensorDataset(X, labels), batch_size=10, shuffle=True)
    for epoch in range(2):
        for xb, yb in loader:
            loss = nn.MSELoss()(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}, loss {F.mse_loss(net(X), labels).item():.6f}")
    print(net[0].weight.data, net[0].bias.data)
"""


@pytest.mark.skipif(not HAS_TORCH, reason="needs PyTorch to compare against")
def test_course_script_prints_what_torch_prints(tmp_path: Path) -> None:
    script = _script(tmp_path, COURSE_SCRIPT)
    with_torch = _run([str(script), "--lr", "0.03"], tmp_path)
    with_zerograd = _run(["-m", "zerograd", "run", str(script), "--lr", "0.03"], tmp_path)
    assert with_torch.returncode == 0, with_torch.stderr
    assert with_zerograd.returncode == 0, with_zerograd.stderr
    assert with_zerograd.stdout == with_torch.stdout
    assert with_zerograd.stdout.startswith("__main__ ['--lr', '0.03']\n")


def test_d2l_import_resolves_to_zerograd_d2l(tmp_path: Path) -> None:
    script = _script(tmp_path, """\
        import torch
        from d2l import torch as d2l
        import zerograd
        features, labels = d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2, 50)
        print(d2l.synthetic_data is zerograd.d2l.synthetic_data, tuple(features.shape),
              tuple(labels.shape), torch.Tensor is zerograd.Tensor, d2l.torch is torch)
    """)
    done = _run(["-m", "zerograd", "run", str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "(50,", "2)", "(50,", "1)", "True", "True"]


MISSING = [
    ("x = torch.fft", "AttributeError", "torch.fft"),
    ("layer = torch.nn.Conv2d(1, 1, 3)", "AttributeError", "torch.nn.Conv2d"),
    ("from torch.nn import Conv2d", "ImportError", "torch.nn.Conv2d"),
    ("from torch.distributions import Normal", "ModuleNotFoundError", "torch.distributions"),
    ("import torch.fft", "ModuleNotFoundError", "torch.fft"),
    ("from torch import fft", "ImportError", "torch.fft"),
    ("from torch.nn.modules.conv import Conv2d", "ModuleNotFoundError", "torch.nn.modules.conv"),
    ("d2l.train_ch6", "AttributeError", "d2l.train_ch6"),
]


@pytest.mark.parametrize("line, error, name", MISSING, ids=[m[0] for m in MISSING])
def test_missing_names_say_zerograd_does_not_implement_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, error: str,
        name: str) -> None:
    script = _script(tmp_path, f"""\
        import torch
        from d2l import torch as d2l

        def build():
            {line}

        build()
    """)
    assert _import_hook.run_script(str(script)) == 1  # in-process: the same code path, quicker
    stderr = capsys.readouterr().err
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"{error}: "), stderr
    assert f"zerograd does not implement {name} yet" in last, stderr
    # The traceback starts in the script (no runner frames) and names the failing line.
    lines = stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == f'  File "{script}", line 7, in <module>', stderr
    assert f'  File "{script}", line 5, in build' in lines, stderr
    assert "runpy" not in stderr


def test_missing_name_through_the_command_line(tmp_path: Path) -> None:
    script = _script(tmp_path, "import torch\n\nnet = torch.nn.Conv2d(1, 1, 3)\n")
    done = _run(["-m", "zerograd", "run", str(script)], tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[:3] == [
        "Traceback (most recent call last):", f'  File "{script}", line 3, in <module>',
        "    net = torch.nn.Conv2d(1, 1, 3)"], done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "AttributeError: module 'torch.nn' has no attribute 'Conv2d' (zerograd does not "
        "implement torch.nn.Conv2d yet)")


def test_hasattr_and_getattr_default_still_work_under_the_hook() -> None:
    _import_hook.install()
    try:
        import torch  # the alias: zerograd

        assert torch.tensor is zerograd.tensor
        assert not hasattr(torch.nn, "Conv2d")
        assert getattr(torch, "fft", "absent") == "absent"
        assert hasattr(torch.nn, "Linear")
        assert "Linear" in dir(torch.nn)
    finally:
        _import_hook.uninstall()


def test_torchvision_is_refused_with_a_pointer(tmp_path: Path) -> None:
    script = _script(tmp_path, "import torch\nfrom torchvision import transforms\n")
    done = _run(["-m", "zerograd", "run", str(script)], tmp_path)
    assert done.returncode == 1
    assert "ModuleNotFoundError: zerograd does not implement torchvision" in done.stderr
    assert "load_data_fashion_mnist" in done.stderr


def test_traceback_points_at_the_script_line_inside_zerograd_errors(tmp_path: Path) -> None:
    script = _script(tmp_path, """\
        import torch

        a = torch.ones(2, 3)
        b = torch.ones(4, 5)
        c = torch.mm(a, b)
    """)
    done = _run(["-m", "zerograd", "run", str(script)], tmp_path)
    assert done.returncode == 1
    assert f'  File "{script}", line 5, in <module>\n    c = torch.mm(a, b)' in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("RuntimeError: mat1 and mat2 shapes")


def test_argv_name_path_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 41\n", encoding="utf-8")
    script = _script(tmp_path, """\
        import sys
        import helper  # a module next to the script, found as python finds it

        print(__name__, sys.argv, helper.VALUE + 1, __file__ == sys.argv[0])
        if __name__ == "__main__":
            sys.exit(int(sys.argv[2]))
    """)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _run(["-m", "zerograd", "run", str(script), "--code", "3"], elsewhere)
    assert done.returncode == 3, done.stderr
    assert done.stdout == f"__main__ {[str(script), '--code', '3']} 42 True\n"
    zero = _run(["-m", "zerograd", "run", str(script), "--code", "0"], elsewhere)
    assert zero.returncode == 0, zero.stderr


def test_exit_with_a_message_and_a_missing_script(tmp_path: Path) -> None:
    script = _script(tmp_path, "import sys\nsys.exit('bad input')\n")
    done = _run(["-m", "zerograd", "run", str(script)], tmp_path)
    assert (done.returncode, done.stderr) == (1, "bad input\n")
    missing = _run(["-m", "zerograd", "run", str(tmp_path / "nope.py")], tmp_path)
    assert missing.returncode == 2
    assert "can't open file" in missing.stderr and "nope.py" in missing.stderr


def test_run_script_restores_argv_path_and_modules(tmp_path: Path) -> None:
    script = _script(tmp_path, "import torch\nRESULT = torch.ones(2).sum().item()\n")
    argv, path, before = sys.argv[:], sys.path[:], sys.modules.get("torch")
    assert _import_hook.run_script(str(script), ["x"]) == 0
    assert (sys.argv, sys.path, sys.modules.get("torch")) == (argv, path, before)
    assert not _import_hook.is_installed()


@pytest.mark.skipif(not HAS_TORCH, reason="checks that real torch comes back")
def test_install_sets_real_torch_aside_and_uninstall_restores_it() -> None:
    import torch as real

    _import_hook.install()
    try:
        import torch
        import torch.nn as nn
        from torch.utils import data

        assert torch is not real and torch.tensor is zerograd.tensor
        assert nn.Linear is zerograd.nn.Linear and data.DataLoader is zerograd.utils.data.DataLoader
        assert sys.modules["torch.nn"] is nn
        _import_hook.install()  # a second install changes nothing
        assert sys.meta_path.count(_import_hook._finder) == 1
    finally:
        _import_hook.uninstall()
    import torch

    assert torch is real and sys.modules["torch.nn"] is real.nn
    assert not any(isinstance(m, _import_hook.AliasModule) for m in list(sys.modules.values()))


@pytest.mark.skipif(importlib.util.find_spec("IPython") is None, reason="needs IPython")
def test_load_ext_in_ipython(tmp_path: Path) -> None:
    # A real IPython shell: %load_ext zerograd, course code, %unload_ext zerograd.
    code = textwrap.dedent("""\
        from IPython.core.interactiveshell import InteractiveShell
        import zerograd
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "zerograd")
        shell.run_cell("import torch\\nfrom torch import nn\\nfrom d2l import torch as d2l\\n"
                       "y = 2 * torch.dot(torch.arange(4.0), torch.arange(4.0))",
                       store_history=False).raise_error()
        ns = shell.user_ns
        print("RESULT", ns["torch"].tensor is zerograd.tensor,
              ns["nn"].Linear is zerograd.nn.Linear, ns["d2l"].sgd is zerograd.d2l.sgd,
              float(ns["y"]))
        r = shell.run_cell("torch.nn.Conv2d", store_history=False)
        print("RESULT", type(r.error_in_exec).__name__, "does not implement torch.nn.Conv2d" in
              str(r.error_in_exec))
        shell.run_line_magic("unload_ext", "zerograd")
        r = shell.run_cell("import torch as t2", store_history=False)
        print("RESULT", r.success and ns["t2"].tensor is not zerograd.tensor)
    """)
    done = _run(["-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    want_last = "True" if HAS_TORCH else "False"  # without torch, `import torch` fails again
    results = [w for line in done.stdout.splitlines() if line.startswith("RESULT ")
               for w in line.split()[1:]]  # IPython prints the traceback of the failing cell
    assert results == ["True", "True", "True", "28.0", "AttributeError", "True", want_last], \
        done.stdout
