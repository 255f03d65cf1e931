"""`pip freeze` from a Snapshot, and the structure-preserving merge into a requirements file.

The names are loaded on first use (PEP 562): `pinwise freeze` needs the renderer only, and the
merge needs the dataclass model and the requirements-file parser, which cost more than the whole
freeze. `merge` is both a submodule and a function: the package keeps the function bound when the
submodule is imported (as the eager `from pinwise.freeze.merge import merge` did before).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

    from pinwise.freeze.merge import MergeResult, merge
    from pinwise.freeze.render import FreezeOutput, freeze

__all__ = ["FreezeOutput", "MergeResult", "freeze", "merge"]

_HOMES = {
    "FreezeOutput": "render",
    "freeze": "render",
    "MergeResult": "merge",
    "merge": "merge",
}


if not TYPE_CHECKING:
    ModuleType = type(sys)  # types.ModuleType, without importing types


class _Package(ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOMES and isinstance(value, ModuleType):
            return  # the import system binding the submodule `merge`: keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
