"""pip's requirements-file format: physical and logical lines with exact ranges.

Public API: `decode`, `parse`, `load`, `load_set` (see docs/architecture.md) and the model.
"""

from __future__ import annotations

from pinwise.reqfile._decode import Decoded, decode
from pinwise.reqfile._io import MAX_FILE_BYTES, read_file
from pinwise.reqfile.parser import Reader, clear_caches, load, load_set, parse

__all__ = [
    "MAX_FILE_BYTES",
    "Decoded",
    "Reader",
    "clear_caches",
    "decode",
    "load",
    "load_set",
    "parse",
    "read_file",
]
