"""``minpy info``: what this installation can run on, and what it differentiates.

``report``: versions (minpy, Python, NumPy, CuPy, the CUDA runtime and driver), the devices
found, the active policy, and, where no GPU can be used, why and how to fix it.
``differentiable_table``: the README's table of what minpy differentiates, by module
(``python -m minpy.info --differentiable`` prints it, ``--write README.md`` updates the file).
CuPy is reached only through the GPU backend, so this module imports no array library but
NumPy.
"""

from __future__ import annotations

import importlib
import pathlib
import pkgutil
import platform
import sys
import types
from typing import Any

import numpy

__all__ = ["differentiable_table", "report", "update_readme"]

START = "<!-- differentiable:start -->"
END = "<!-- differentiable:end -->"
#: functions written in minpy operations through which no gradient flows: onehot_encode
#: writes integers, the rest touch no array
_NO_GRADIENT_FUNCTIONS = frozenset(
    {
        "onehot_encode",
        "record_op_stat",
        "set_policy",
        "show_op_stat",
    }
)
#: modules whose results are never traced (random draws)
_UNTRACED_MODULES = frozenset({"minpy.numpy.random"})


def report() -> str:
    """A plain-text report of versions, devices, the active policy and GPU availability.

    Returns
    -------
    str
        One ``name: value`` line per fact; printed by ``minpy info``.

    Examples
    --------
    >>> from minpy.info import report
    >>> text = report()
    >>> "numpy" in text and "policy" in text
    True
    """
    import minpy
    from minpy.backends import get_backend

    lines = [
        ("minpy", minpy.__version__),
        ("python", platform.python_version()),
        ("numpy", numpy.__version__),
    ]
    gpu = get_backend("gpu")
    versions = getattr(gpu, "versions", None)
    if callable(versions):
        lines += list(versions().items())
    lines.append(("policy", minpy.get_global_policy().name))
    lines.append(("context", repr(minpy.current_context())))
    lines.append(("devices", "cpu(0)"))
    ok, why = gpu.available()
    if ok:
        names = getattr(gpu, "device_names", None)
        found = names() if callable(names) else [f"gpu({i})" for i in range(gpu.device_count())]
        lines += [("", name) for name in found]
    else:
        lines.append(("gpu", f"unavailable: {why}"))
    width = max(len(k) for k, _ in lines) + 1
    return "\n".join(f"{(k + ':') if k else '':<{width}} {v}" for k, v in lines)


def _modules() -> list[types.ModuleType]:
    """minpy.numpy, its submodules, and the public modules of minpy.scipy where SciPy is."""
    import minpy.numpy as np

    found = [np, np.linalg, np.fft, np.random]
    try:
        scipy_pkg = importlib.import_module("minpy.scipy")
    except ImportError:  # no SciPy: minpy.scipy says so on import
        return found
    for info in pkgutil.walk_packages(scipy_pkg.__path__, "minpy.scipy."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(importlib.import_module(info.name))
    return found


def _classify(module: types.ModuleType) -> tuple[list[str], list[str]]:
    """The public names of ``module`` that differentiate, and those that give no gradient.

    A primitive differentiates if it has a rule; a function (or ``r_``-like object) written in
    minpy operations differentiates through the primitives it calls, unless it is one of
    those that give integers or touch no array. Classes, constants and NumPy's own host
    utilities (``result_type``) are not listed.
    """
    from minpy.primitive import Primitive

    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n[0] == "_"]
    yes: list[str] = []
    no: list[str] = []
    for name in sorted(names):
        obj = getattr(module, name, None)
        if isinstance(obj, Primitive):
            (yes if obj.differentiable else no).append(name)
        elif isinstance(obj, (type, types.ModuleType)) or not _minpy_made(obj):
            continue
        elif module.__name__ in _UNTRACED_MODULES or name in _NO_GRADIENT_FUNCTIONS:
            no.append(name)
        else:
            yes.append(name)
    return yes, no


def _minpy_made(obj: Any) -> bool:
    """Whether ``obj`` is a function, or an object with ``__getitem__``, that minpy defines."""
    if callable(obj):
        owner = getattr(obj, "__module__", "") or ""
    elif hasattr(type(obj), "__getitem__"):
        owner = type(obj).__module__
    else:
        return False
    return owner == "minpy" or owner.startswith("minpy.")


def differentiable_table() -> str:
    """The Markdown block listing, per module, what minpy differentiates and what not.

    Returns
    -------
    str
        The README's block, from ``<!-- differentiable:start -->`` to its end marker: a
        row per module (``minpy.numpy``, ``.linalg``, ``.fft``, ``.random`` and each public
        ``minpy.scipy`` module that imports), with the count and the names of the
        differentiable functions and of those without a gradient.

    Examples
    --------
    >>> from minpy.info import differentiable_table
    >>> table = differentiable_table()
    >>> "| `minpy.numpy` |" in table and " einsum," in table
    True
    """
    rows = [
        START,
        f"<!-- made by `python -m minpy.info --differentiable` from NumPy {numpy.__version__};"
        " do not edit by hand -->",
        "",
        "| module | differentiable | no gradient |",
        "|---|---|---|",
    ]
    for module in _modules():
        yes, no = _classify(module)
        cell_yes = f"{len(yes)}: {', '.join(yes)}" if yes else "0"
        cell_no = f"{len(no)}: {', '.join(no)}" if no else "0"
        rows.append(f"| `{module.__name__}` | {cell_yes} | {cell_no} |")
    return "\n".join([*rows, END])


def update_readme(path: str | pathlib.Path, check: bool = False) -> bool:
    """Replace the README's differentiable block with a fresh one; whether it changed.

    With ``check=True`` the file is left alone and the answer says whether it is stale.

    Raises
    ------
    ValueError
        If the file lacks the start and end markers.
    """
    path = pathlib.Path(path)
    text = path.read_text()
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"{path}: no {START} ... {END} block to update; add the two markers where the "
            "table belongs"
        )
    new = text[:start] + differentiable_table() + text[end + len(END) :]
    if new != text and not check:
        path.write_text(new)
    return new != text


def main(argv: list[str]) -> int:
    """``python -m minpy.info [--differentiable [--write README.md | --check README.md]]``."""
    if argv[:1] != ["--differentiable"]:
        print(report())
        return 0
    if len(argv) == 3 and argv[1] in ("--write", "--check"):
        stale = update_readme(argv[2], check=argv[1] == "--check")
        if argv[1] == "--check" and stale:
            print(f"{argv[2]}: the differentiable table is stale; run with --write")
            return 1
        return 0
    print(differentiable_table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
