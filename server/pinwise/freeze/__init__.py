"""`pip freeze` from a Snapshot, and the structure-preserving merge into a requirements file."""

from __future__ import annotations

from pinwise.freeze.merge import MergeResult, merge
from pinwise.freeze.render import FreezeOutput, freeze

__all__ = ["FreezeOutput", "MergeResult", "freeze", "merge"]
