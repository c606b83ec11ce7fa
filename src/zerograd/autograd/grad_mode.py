"""Whether operations record a graph: `no_grad`, `enable_grad`, `set_grad_enabled`.

The flag is thread-local, so one thread's `no_grad` never switches off another thread's graph.
Each class works as a context manager and as a function decorator, as in PyTorch. Anomaly
detection's switch lives here too, for the same reason.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    # Class attributes are the defaults every new thread starts from.
    enabled = True
    anomaly = False
    anomaly_check_nan = True
    # A callable(node, inputs, result) that `_apply` reports every primitive to, or None: how
    # viz.trace records the evaluation trace without a second implementation of the ops.
    tracer: Any = None


state = _State()


class _ForwardState:
    """The active forward-mode dual level (None when forward mode is off); global, as in torch."""

    level: int | None = None
    # Weak references to the tensors given a tangent at this level: leaving the level clears
    # their tangents, so a later level never sees stale ones (as in PyTorch).
    duals: list[Any] = []


forward_state = _ForwardState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph."""
    return state.enabled


class _Mode:
    """Base: a context manager that sets the grad flag, usable as a decorator."""

    _target: bool

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _Mode:
        """A fresh manager with the same setting (decorators need one per call)."""
        new = self.__class__.__new__(self.__class__)
        new._target = self._target
        return new


class _BareDecorator(_Mode):
    """A mode that also decorates without parentheses (`@no_grad`), as PyTorch's do."""

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        self.__init__()  # type: ignore[misc]
        return self(orig_func) if orig_func is not None else self


class no_grad(_BareDecorator):
    """Context manager / decorator: operations inside record no graph."""

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self._target = False


class enable_grad(_BareDecorator):
    """Context manager / decorator: switch graph recording back on inside `no_grad`."""

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self._target = True


class set_grad_enabled(_Mode):
    """Set graph recording on or off; as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = state.enabled
        self._target = bool(mode)
        state.enabled = self._target  # takes effect at once when used as a plain call

    def __enter__(self) -> None:
        state.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        # Used as `@set_grad_enabled(False)`: the constructor already switched the flag at
        # decoration time; put it back and switch only while the function runs.
        state.enabled = self._prev
        return super().__call__(fn)

    def clone(self) -> _Mode:
        """A fresh manager with the same setting that does not switch on construction."""
        new = _Mode.clone(self)
        new._prev = state.enabled
        return new


class inference_mode(_Mode):
    """Like `no_grad` (zerograd has no separate inference tensors)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # `@inference_mode` without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._target = not mode


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()` or after `set_detect_anomaly(True)`."""
    return state.anomaly


class detect_anomaly:
    """Context manager: backward raises on NaN and names the forward op that made it."""

    def __init__(self, check_nan: bool = True) -> None:
        import warnings

        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly, state.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self._prev


class set_detect_anomaly:
    """Switch anomaly detection on or off; as a call or a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly, state.anomaly_check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self._prev
