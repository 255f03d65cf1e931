"""InspectionError, in a module of its own so that raising or catching it imports nothing else
(`pinwise.environment.model` re-exports it; `pinwise freeze` never loads the dataclass model)."""

from __future__ import annotations


class InspectionError(Exception):
    """The interpreter cannot be inspected; the message says why and what to do."""
