"""The torch → zerograd import hook behind `zerograd run` and `%load_ext zerograd`.

While installed, a finder first on `sys.meta_path` answers `import torch`, `torch.X` and
`d2l` / `d2l.torch` with zerograd's modules: each is a thin alias module (`torch.nn` shows
`zerograd.nn`'s names) whose missing names raise "zerograd does not implement torch.X yet",
as AttributeError, or as ImportError inside `from torch.X import Y`. Real torch modules already
imported are set aside while the hook is in place and put back when it is removed. Running a
script with the hook (`run_script`) lives here too; the command line itself is in cli.py.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import opcode
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

# Packages built on real torch: under the hook they would import zerograd in torch's place and
# fail deep inside, so they are refused up front with a pointer to what zerograd offers.
_REFUSED = {
    "torchvision": "d2l.load_data_fashion_mnist and d2l.load_data_digits load the course's "
    "image data without it",
    "torchaudio": "", "torchtext": "",
}
_IMPORT_FROM = opcode.opmap["IMPORT_FROM"]


def _zerograd_name(name: str) -> str | None:
    """The zerograd module behind an aliased name ('torch.nn' -> 'zerograd.nn'), or None."""
    if name == "torch" or name.startswith("torch."):
        return "zerograd" + name[len("torch"):]
    if name == "d2l.torch" or name.startswith("d2l.torch."):
        return "zerograd.d2l" + name[len("d2l.torch"):]
    return None


def _public_name(zerograd_name: str) -> str:
    """The torch-side name of a zerograd module ('zerograd.d2l' -> 'd2l.torch')."""
    if zerograd_name == "zerograd.d2l" or zerograd_name.startswith("zerograd.d2l."):
        return "d2l.torch" + zerograd_name[len("zerograd.d2l"):]
    return "torch" + zerograd_name[len("zerograd"):]


def _spelled(public: str) -> str:
    """How the course spells a name: d2l's helpers are `d2l.X`, not `d2l.torch.X`."""
    return "d2l" + public[len("d2l.torch"):] if public.startswith("d2l.torch") else public


def _in_from_import(depth: int) -> bool:
    """Whether the frame `depth` levels up is executing `from M import name` (IMPORT_FROM).
    That statement turns any AttributeError into its own "cannot import name" message, so a
    missing name raises ImportError there and AttributeError everywhere else."""
    frame = sys._getframe(depth + 1)
    code = frame.f_code.co_code
    return 0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_FROM


class AliasModule(types.ModuleType):
    """`torch.X` under the hook: shows the names of zerograd.X, and says which it lacks."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        self.__dict__["__zerograd__"] = target

    def __getattr__(self, name: str) -> Any:
        __tracebackhide__ = True  # IPython and pytest leave this frame out of tracebacks
        target: types.ModuleType = self.__dict__["__zerograd__"]
        try:
            value = getattr(target, name)
        except AttributeError:
            if name.startswith("__") and name.endswith("__"):
                if name == "__all__":
                    return [n for n in dir(target) if not n.startswith("_")]
                raise
            full = f"{_spelled(self.__name__)}.{name}"
            msg = f"zerograd does not implement {full} yet"
            if _in_from_import(1):
                raise ImportError(f"cannot import name {name!r} from {self.__name__!r} ({msg})",
                                  name=self.__name__) from None
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r} ({msg})",
                                 name=name, obj=self) from None
        if isinstance(value, types.ModuleType) and value.__name__.startswith("zerograd"):
            # zerograd.nn seen through torch is torch.nn (so `torch.nn is nn` holds).
            value = importlib.import_module(_public_name(value.__name__))
        if not (name.startswith("__") and name.endswith("__")):
            self.__dict__[name] = value  # later lookups skip __getattr__
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self.__dict__["__zerograd__"])) | set(self.__dict__))

    def __repr__(self) -> str:
        return f"<module {self.__name__!r} (zerograd: {self.__dict__['__zerograd__'].__name__})>"


class _D2lPackage(types.ModuleType):
    """The `d2l` package: only its torch flavour (`from d2l import torch as d2l`) exists."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        msg = f"zerograd provides d2l.torch only (as zerograd.d2l), not d2l.{name}"
        if _in_from_import(1):
            raise ImportError(msg, name="d2l") from None
        raise AttributeError(msg, name=name, obj=self)


class TorchFinder:
    """Maps `torch.X` to `zerograd.X` and `d2l`, `d2l.torch` to zerograd.d2l: a meta path
    finder and the loader of what it finds (the protocol needs no base class; importlib.abc
    alone would add milliseconds to `import zerograd`)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        """A spec for the names this hook aliases; None for every other module."""
        top = fullname.partition(".")[0]
        if top in _REFUSED:
            hint = _REFUSED[top]
            raise ModuleNotFoundError(
                f"zerograd does not implement {top}: it is built on real PyTorch"
                + (f" ({hint})" if hint else ""), name=fullname)
        if fullname == "d2l":
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        source = _zerograd_name(fullname)
        if source is None:
            if top == "d2l":
                raise ModuleNotFoundError(f"zerograd provides d2l.torch only (as zerograd.d2l), "
                                          f"not {fullname}", name=fullname)
            return None
        try:
            module = importlib.import_module(source)
        except ModuleNotFoundError as e:
            if e.name is not None and source.startswith(e.name):
                raise ModuleNotFoundError(
                    f"No module named {fullname!r} (zerograd does not implement "
                    f"{_spelled(fullname)} yet)", name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, self,
                                               is_package=hasattr(module, "__path__"))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        """The alias module for spec.name."""
        if spec.name == "d2l":
            return _D2lPackage("d2l", "The d2l book's helpers: only d2l.torch, as zerograd.d2l.")
        source = _zerograd_name(spec.name)
        assert source is not None
        return AliasModule(spec.name, importlib.import_module(source))

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the alias shows an already imported zerograd module."""


_finder: TorchFinder | None = None
_set_aside: dict[str, types.ModuleType] = {}


def _aliased(name: str) -> bool:
    top = name.partition(".")[0]
    return top in ("torch", "d2l") or top in _REFUSED


def is_installed() -> bool:
    """Whether the hook is in place."""
    return _finder is not None


def install() -> None:
    """Put the hook first on sys.meta_path; `import torch` gives zerograd from now on."""
    global _finder
    if _finder is not None:
        return
    # Real torch (or d2l) imported earlier would be found in sys.modules before any finder.
    for name in [n for n in sys.modules if _aliased(n)]:
        _set_aside[name] = sys.modules.pop(name)
    _finder = TorchFinder()
    sys.meta_path.insert(0, _finder)
    importlib.invalidate_caches()


def uninstall() -> None:
    """Remove the hook and its aliases, and give back any real torch modules set aside."""
    global _finder
    if _finder is None:
        return
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if _aliased(n)]:
        del sys.modules[name]
    sys.modules.update(_set_aside)
    _set_aside.clear()


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext zerograd`: the notebook's `import torch` gives zerograd from now on."""
    install()


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext zerograd`: `import torch` finds real PyTorch again (if installed)."""
    uninstall()


def _script_traceback(exc: BaseException, script: str) -> None:
    """Print exc's traceback from the script's first frame on (the runner's frames say
    nothing to the learner), as Python would for `python script.py`."""
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb or exc.__traceback__)


def run_script(path: str, args: Sequence[str] = ()) -> int:
    """Run a PyTorch script unchanged on zerograd, as `python path args...` would run it:
    `__name__ == "__main__"`, sys.argv = [path, *args], the script's folder first on
    sys.path. Returns the exit status (SystemExit's code, or 1 after an uncaught exception)."""
    import runpy

    if not os.path.isfile(path):
        print(f"zerograd run: can't open file {path!r}: no such file", file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    was_installed = is_installed()
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    install()
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        _script_traceback(e, path)
        return 130
    except Exception as e:  # noqa: BLE001 - any error of the script is reported, as python does
        _script_traceback(e, path)
        return 1
    finally:
        sys.stdout.flush()
        if not was_installed:
            uninstall()
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0
