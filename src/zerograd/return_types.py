"""Named tuples some functions return, printed as PyTorch prints them
(`torch.return_types.max(values=..., indices=...)`)."""

from __future__ import annotations

from typing import Any


def _make(name: str, fields: tuple[str, ...]) -> type:
    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args = args + tuple(kwargs[f] for f in fields[len(args):])
        if len(args) == 1 and len(fields) > 1:
            args = tuple(args[0])
        return tuple.__new__(cls, args)

    def __repr__(self: tuple) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    ns: dict[str, Any] = {"__new__": __new__, "__repr__": __repr__, "__slots__": (),
                          "_fields": fields, "__doc__": f"({', '.join(fields)}) of {name}."}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    ns["__reduce__"] = lambda self: (globals()[name], tuple(self))
    return type(name, (tuple,), ns)


max = _make("max", ("values", "indices"))  # noqa: A001
min = _make("min", ("values", "indices"))  # noqa: A001
sort = _make("sort", ("values", "indices"))
topk = _make("topk", ("values", "indices"))
mode = _make("mode", ("values", "indices"))
median = _make("median", ("values", "indices"))
kthvalue = _make("kthvalue", ("values", "indices"))
cummax = _make("cummax", ("values", "indices"))
cummin = _make("cummin", ("values", "indices"))
slogdet = _make("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _make("linalg_slogdet", ("sign", "logabsdet"))
linalg_qr = _make("linalg_qr", ("Q", "R"))
linalg_eigh = _make("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _make("linalg_svd", ("U", "S", "Vh"))
linalg_lstsq = _make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
