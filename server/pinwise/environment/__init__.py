"""The selected interpreter's environment, read statically (see docs/architecture.md).

The model's classes are loaded on first use (PEP 562) so that `pinwise freeze`, which needs
`pinwise.environment.inspect.scan` only, never imports the dataclass model. (`inspect` is bound
here eagerly: it is also the name of a submodule, which importing would otherwise bind.)
"""

from __future__ import annotations

from pinwise.environment.errors import InspectionError
from pinwise.environment.inspect import discover_interpreter, fingerprint, inspect, torn
from pinwise.environment.interpreter import MARKER_KEYS, clear_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinwise.environment.model import DirectUrl, Distribution, Interpreter, Snapshot

__all__ = [
    "MARKER_KEYS",
    "DirectUrl",
    "Distribution",
    "InspectionError",
    "Interpreter",
    "Snapshot",
    "clear_cache",
    "discover_interpreter",
    "fingerprint",
    "inspect",
    "torn",
]

_MODEL = frozenset({"DirectUrl", "Distribution", "Interpreter", "Snapshot"})


def __getattr__(name: str) -> object:
    if name not in _MODEL:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pinwise.environment import model

    value = getattr(model, name)
    globals()[name] = value
    return value
