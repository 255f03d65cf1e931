"""Which documents are requirements files, how to read them, and position conversion.

The engine counts columns in code points; the client counts them in the negotiated position
encoding (UTF-16 unless it asked for another). Every range that crosses the boundary goes through
`to_client_range` / `from_client_position`.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional, Union

from pygls.uris import from_fs_path, to_fs_path

from pinwise.reqfile import read_file
from pinwise.spans import Position, Span

if TYPE_CHECKING:
    from lsprotocol import types
    from pygls.workspace import Workspace

LANGUAGE_IDS = frozenset({"pip-requirements", "requirements", "pip_requirements"})
NAME_PATTERNS = ("requirements*.txt", "*requirements*.txt", "constraints*.txt", "*.in")


UNTITLED_FOLDER = "<untitled>"


def uri_to_path(uri: str) -> Optional[str]:
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return os.path.normpath(path) if path else None


def document_path(uri: str, base: Optional[str]) -> Optional[str]:
    """A path for an open document: its file, or for an unsaved (`untitled:`) buffer a made-up
    path in `base` (its includes then resolve against the workspace folder)."""
    path = uri_to_path(uri)
    if path is not None or not uri.startswith("untitled:"):
        return path
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in uri[len("untitled:") :])
    return os.path.join(base or os.getcwd(), UNTITLED_FOLDER, name or "untitled")


def path_to_uri(path: str) -> str:
    return str(from_fs_path(path))


def is_requirements_name(path: str) -> bool:
    name = os.path.basename(path).lower()
    if name == "manifest.in":
        return False  # setuptools' file list: `*.in` matches it, but it is no requirements file
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in NAME_PATTERNS):
        return True
    parent = os.path.basename(os.path.dirname(path)).lower()
    return parent == "requirements" and name.endswith(".txt")


def is_requirements_document(uri: str, language_id: Optional[str]) -> bool:
    """A requirements document: by language id, else by file name (never MANIFEST.in, which
    the extension's `*.in` pattern gives the language too)."""
    if os.path.basename(uri.rstrip("/")).lower() == "manifest.in":
        return False
    if language_id and language_id.lower() in LANGUAGE_IDS:
        return uri.startswith(("file:", "untitled:"))
    path = uri_to_path(uri)
    return path is not None and is_requirements_name(path)


class BufferReader:
    """The reqfile `Reader`: open editor buffers first, then the disk."""

    def __init__(self, workspace: Workspace, open_paths: dict[str, str]) -> None:
        self._workspace = workspace
        self._open_paths = open_paths  # path -> uri of open documents

    def __call__(self, path: str) -> Union[str, bytes]:
        uri = self._open_paths.get(os.path.normpath(path))
        if uri is not None:
            return self._workspace.get_text_document(uri).source
        return read_file(path)  # never blocks on a FIFO, refuses devices


class Lines:
    """A file's physical lines (without terminators) and the client's unit counter."""

    def __init__(self, lines: Sequence[str], num_units: object) -> None:
        self.lines = lines
        self._units = num_units

    def column_to_client(self, line: int, column: int) -> int:
        if line >= len(self.lines) or line < 0:
            return column
        text = self.lines[line]
        column = min(column, len(text))
        if text.isascii():
            return column
        prefix = text[:column]
        if prefix.isascii():
            return column
        return int(self._units(prefix))  # type: ignore[operator]

    def column_from_client(self, line: int, units: int) -> int:
        if line >= len(self.lines) or line < 0:
            return units
        text = self.lines[line]
        if text.isascii():
            return min(units, len(text))
        count = 0
        for index, char in enumerate(text):
            if count >= units:
                return index
            count += int(self._units(char))  # type: ignore[operator]
        return len(text)

    # lsprotocol is imported where its objects are made: the start-up prelude uses this module
    # before lsprotocol is loaded (see `pinwise.lsp.prelude`).
    def to_client_position(self, position: Position) -> types.Position:
        from lsprotocol import types

        return types.Position(
            line=position.line,
            character=self.column_to_client(position.line, position.character),
        )

    def to_client_range(self, span: Span) -> types.Range:
        from lsprotocol import types

        return types.Range(
            start=self.to_client_position(span.start), end=self.to_client_position(span.end)
        )

    def from_client_position(self, position: types.Position) -> Position:
        return Position(position.line, self.column_from_client(position.line, position.character))


def lines_for(workspace: Workspace, lines: Sequence[str]) -> Lines:
    return Lines(lines, workspace.position_codec.client_num_units)
