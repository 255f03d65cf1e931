"""The selected interpreter's environment, read statically (see docs/architecture.md)."""

from __future__ import annotations

from pinwise.environment.inspect import discover_interpreter, fingerprint, inspect
from pinwise.environment.interpreter import MARKER_KEYS, clear_cache
from pinwise.environment.model import (
    DirectUrl,
    Distribution,
    InspectionError,
    Interpreter,
    Snapshot,
)

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
]
