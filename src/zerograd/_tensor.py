"""Tensor: a backend array plus what autograd needs (requires_grad, grad, grad_fn, versions).

This file holds what is particular to the Tensor object itself: its fields, properties,
conversions to Python and NumPy, copying, pickling and the autograd entry points (`backward`,
hooks). Arithmetic, reductions, indexing and the rest are operations: they live in `ops/`, and
`ops/__init__.py` attaches them to Tensor as methods and operators (`x + y`, `x.sum()`).

Fields: `_data` the backend array (its dtype and device are the tensor's: nothing to keep in
sync); `_vc` the version counter, a one-item list shared with every view of the same storage;
`_base` the tensor a view looks into; `_grad_acc` the leaf's AccumulateGrad node (which refers
back to the leaf weakly); `_fw` the forward-mode tangent; `_extra` a dict for rare things
(hooks, retain_grad, how a view was made).
"""

from __future__ import annotations

import copy as _copy
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from . import _dtype as D
from ._device import CPU, as_device, device
from ._shapes import Size, wrap_dim
from .backend import Array, np, to_host

_new = object.__new__


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Example:
        >>> import zerograd as torch
        >>> x = torch.arange(4.0, requires_grad=True)
        >>> y = 2 * torch.dot(x, x)
        >>> y
        tensor(28., grad_fn=<MulBackward0>)
        >>> y.backward(); x.grad
        tensor([ 0.,  4.,  8., 12.])
    """

    # Every tensor sets these four; the rarer fields below are class-level defaults that an
    # instance overrides in its __dict__ only when it needs to (creating tensors is the
    # hottest path of all, so it stores as little as possible).
    __slots__ = ("_data", "requires_grad", "grad_fn", "_vc", "__weakref__", "__dict__")
    _output_nr: int = 0
    _base: Tensor | None = None
    _grad_acc: Any = None
    _fw: Tensor | None = None
    _extra: dict[str, Any] | None = None
    # NumPy defers to our reflected operators (ndarray + Tensor -> Tensor), as with torch.
    __array_priority__ = 1000

    @staticmethod
    def _make(data: Array) -> Tensor:
        """Wrap a backend array without copying: the fast constructor every op uses."""
        t = _new(Tensor)
        t._data = data
        t.requires_grad = False
        t.grad_fn = None
        t._vc = [0]
        return t

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        # torch.Tensor(data) copies data as float32; torch.Tensor(2, 3) is uninitialised.
        from ._creation import legacy_new

        t = legacy_new(*args, **kwargs)
        if cls is not Tensor:
            t = t.as_subclass(cls)
        return t

    def as_subclass(self, cls: type) -> Any:
        """The same data and history, viewed as an instance of subclass `cls`."""
        t = _new(cls)
        _copy_fields(self, t)
        return t

    # --- what the tensor is ------------------------------------------------------------------

    @property
    def dtype(self) -> D.dtype:
        """The element type, e.g. torch.float32."""
        return D.from_numpy_dtype(self._data.dtype)

    @property
    def shape(self) -> Size:
        """The size of each dimension, as a `torch.Size`."""
        return Size(self._data.shape)

    @property
    def device(self) -> device:
        """Where the data lives: cpu or cuda:N."""
        if isinstance(self._data, np.ndarray):
            return CPU
        return device("cuda", self._data.device.id)

    @property
    def is_cuda(self) -> bool:
        """True when the data lives on a GPU."""
        return not isinstance(self._data, np.ndarray)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor is the result of a recorded operation."""
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        """How many in-place changes this storage has seen."""
        return self._vc[0]

    def size(self, dim: int | None = None) -> Any:
        """The shape (a torch.Size), or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return int(self._data.itemsize)

    def stride(self, dim: int | None = None) -> Any:
        """Strides in elements (not bytes), as PyTorch reports them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the elements lie in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        """True for float16/32/64."""
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """True for complex dtypes (zerograd has none)."""
        return False

    def get_device(self) -> int:
        """-1 for the CPU, else the CUDA device index."""
        return -1 if isinstance(self._data, np.ndarray) else int(self._data.device.id)

    def data_ptr(self) -> int:
        """The address of the first element."""
        if isinstance(self._data, np.ndarray):
            return int(self._data.__array_interface__["data"][0])
        return int(self._data.data.ptr)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # --- to Python and NumPy -----------------------------------------------------------------

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar "
                "(item() needs exactly one element; index it first, e.g. x[0].item())"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of Python numbers."""
        return to_host(self._data).tolist()

    def numpy(self, *, force: bool = False) -> Any:
        """A NumPy array sharing memory with the tensor (CPU tensors without grad only)."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if not isinstance(self._data, np.ndarray):
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use "
                    "Tensor.cpu() to copy the tensor to host memory first."
                )
            return to_host(self._data)
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if not isinstance(self._data, np.ndarray):  # as torch: no silent copy from a GPU
            return self.detach().numpy()
        arr = self._data
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def _scalar(self, kind: str) -> Any:
        if self._data.size != 1:  # float(t) / int(t): torch raises ValueError, item() doesn't
            raise ValueError(
                f"only one element tensors can be converted to Python scalars (this one has "
                f"{self._data.size}; use {kind}(t[i]) or t.tolist())"
            )
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        if self.requires_grad:  # PyTorch warns here (and only here: not for int() or item())
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
                UserWarning,
                stacklevel=2,
            )
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(
                f"Boolean value of Tensor with {amount} is ambiguous "
                f"(this one has {self._data.size} elements; use .any() or .all())"
            )
        return bool(self._data.reshape(()).item())

    def __index__(self) -> int:
        if self.dtype.category > 1 or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    # --- autograd ------------------------------------------------------------------------------

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward() accumulated here (leaves, and non-leaves after retain_grad)."""
        g = self.__dict__.get("_grad")
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self.__dict__["_grad"] = value

    @grad.deleter
    def grad(self) -> None:
        self.__dict__.pop("_grad", None)

    @property
    def data(self) -> Tensor:
        """The same storage without history: changes are not tracked by autograd."""
        # Unlike detach(), a fresh version counter, as in PyTorch: writes through .data are
        # invisible to the saved-tensor checks (that is what .data is for, and its danger).
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf tensor; returns self."""
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self.dtype.category < 2:
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(this one is {self.dtype}; convert it first, e.g. x = x.float())"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new tensor on the same storage, cut off from the graph."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor off from the graph, in place; returns self."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward (leaves always keep it)."""
        if self.is_leaf:
            return
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._extra and self._extra.get("retains_grad"):
            return
        import weakref

        ref = weakref.ref(self)

        def keep(g: Tensor) -> None:
            t = ref()
            if t is None:
                return
            if t.grad is None:
                t.grad = g.detach().clone()
            else:
                t.grad = t.grad + g.detach()

        self._extra_dict()["retains_grad"] = True
        self._tensor_hooks().append(_RetainGrad(keep))

    @property
    def retains_grad(self) -> bool:
        """True after retain_grad() on a non-leaf."""
        return bool(self._extra and self._extra.get("retains_grad"))

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        from .autograd.graph import _Handle

        if self.is_leaf:
            hooks = self._extra_dict().setdefault("hooks", [])
            hooks.append(hook)
            return _Handle(hooks, hook)
        hooks = self._tensor_hooks()
        # Retain-grad hooks always run last, so they see what the other hooks returned.
        pos = next((i for i, h in enumerate(hooks) if isinstance(h, _RetainGrad)), len(hooks))
        hooks.insert(pos, hook)
        return _Handle(hooks, hook)

    def _tensor_hooks(self) -> list[Any]:
        table = self.grad_fn.__dict__.setdefault("_tensor_hooks", {})
        return table.setdefault(self._output_nr, [])

    def _extra_dict(self) -> dict[str, Any]:
        if self._extra is None:
            self._extra = {}
        return self._extra

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor with respect to the graph's leaves."""
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- copies, devices, dtypes --------------------------------------------------------------

    def cpu(self) -> Tensor:
        """This tensor on the CPU (itself if it is already there)."""
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """This tensor on a CUDA device."""
        return self.to(as_device("cuda" if device is None else device))

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment. If you were attempting to deepcopy a module, "
                "this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new._data = self._data.copy()
        new.requires_grad = self.requires_grad
        new.grad_fn = None
        new._vc = [0]
        memo[id(self)] = new
        user = _user_attributes(self)
        if user:  # attributes a user (or nn.Module code) put on the tensor
            new.__dict__.update(_copy.deepcopy(user, memo))
        if self.grad is not None:
            new.grad = _copy.deepcopy(self.grad, memo)
        return new

    def __reduce_ex__(self, protocol: int) -> Any:
        return (
            _rebuild,
            (type(self), to_host(self._data).copy(), self.requires_grad, str(self.device),
             _user_attributes(self) or None),
        )


_PRIVATE = frozenset(("_grad", "_output_nr", "_base", "_grad_acc", "_fw", "_extra"))


def _user_attributes(t: Tensor) -> dict[str, Any]:
    """Attributes set on a tensor from outside (not zerograd's own bookkeeping)."""
    return {k: v for k, v in t.__dict__.items() if k not in _PRIVATE}


def _copy_fields(src: Tensor, dst: Tensor) -> None:
    """Make `dst` the same tensor as `src` (data, history, extras) under another class."""
    dst._data, dst.requires_grad, dst.grad_fn, dst._vc = (
        src._data, src.requires_grad, src.grad_fn, src._vc)
    dst.__dict__.update(src.__dict__)


class _RetainGrad:
    """The hook retain_grad() installs (a class so register_hook can keep it last)."""

    def __init__(self, fn: Callable[[Tensor], None]) -> None:
        self.fn = fn

    def __call__(self, g: Tensor) -> None:
        self.fn(g)


def _rebuild(cls: type, arr: Any, requires_grad: bool, dev: str,
             state: dict[str, Any] | None) -> Tensor:
    """Unpickle a tensor (module-level so pickle can find it)."""
    t = Tensor._make(arr)
    if dev != "cpu":
        t = t.to(dev)
    if cls is not Tensor:
        t = t.as_subclass(cls)
    t.requires_grad = requires_grad
    if state:
        t.__dict__.update(state)
    return t


def is_tensor(obj: object) -> bool:
    """True if `obj` is a zerograd Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of a tensor."""
    return input.numel()


def _bind_autograd() -> None:
    from .autograd import function

    function._late_imports()


_bind_autograd()
