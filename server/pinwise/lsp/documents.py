"""Which documents are requirements files, how to read them, and position conversion.

The engine counts columns in code points; the client counts them in the negotiated position
encoding (UTF-16 unless it asked for another). Every range that crosses the boundary goes through
`to_client_range` / `from_client_position`.
"""

from __future__ import annotations

import fnmatch
import os
import re
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


UNTITLED_PREFIX = "<untitled>"


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
    # in `base` itself: `-r base.txt` is `base`'s base.txt, as for a file saved there
    return os.path.join(base or os.getcwd(), f"{UNTITLED_PREFIX}{name or 'untitled'}")


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


# Where a line ends for an LSP client: `\r\n`, `\r`, `\n` only. Python's `splitlines`, and so pip
# and the engine's rows, also end one at these (a form feed, U+2028...): a requirements file's row
# is then part of a client line, after other rows.
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CLIENT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_CLIENT_ENDS = frozenset({"\r\n", "\r", "\n", ""})


def index_of_units(text: str, units: int, num_units: object) -> int:
    """The code-point index in `text` that `units` client units (`num_units` counts them)
    reach, at most the length of `text`."""
    if text.isascii():
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += int(num_units(char))  # type: ignore[operator]
    return len(text)


def other_break_before(text: str, index: int) -> int:
    """Where the last row of `text[:index]` begins for pip: after its last line break that the
    client does not count (a form feed, U+2028...), else 0."""
    found = 0
    for match in _OTHER_BREAKS.finditer(text, 0, index):
        found = match.end()
    return found


def client_lines(text: str) -> list[str]:
    """`text`'s lines as an LSP client counts them, each with its terminator."""
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(True)
    return _CLIENT_LINE.findall(text)


class Lines:
    """A file's physical lines (without terminators) and the client's unit counter.

    With `terminators` (each row's), rows that end at a line break the client does not count
    (`client_lines`) are placed on the client's lines: `to_client` / `from_client` convert
    positions both ways. Without any such row (nearly always) a row is a client line, and
    `column_to_client` / `column_from_client` convert columns alone."""

    def __init__(
        self, lines: Sequence[str], num_units: object, terminators: Sequence[str] = ()
    ) -> None:
        self.lines = lines
        self._units = num_units
        # row -> (client line, code points before it there); then what each client line holds
        self._placed: Optional[list[tuple[int, int]]] = None
        self._client: list[str] = []
        self._starts: list[list[tuple[int, int]]] = []  # per client line: (offset, row)
        if not _CLIENT_ENDS.issuperset(terminators):
            self._place(terminators)

    def _place(self, terminators: Sequence[str]) -> None:
        placed: list[tuple[int, int]] = []
        line, offset, parts = 0, 0, []
        starts: list[tuple[int, int]] = []
        for row, (text, end) in enumerate(zip(self.lines, terminators)):
            placed.append((line, offset))
            starts.append((offset, row))
            parts.append(text)
            if end in _CLIENT_ENDS:
                self._client.append("".join(parts))
                self._starts.append(starts)
                line, offset, parts, starts = line + 1, 0, [], []
            else:
                parts.append(end)
                offset += len(text) + len(end)
        if parts:  # the text ends with a break the client does not count
            self._client.append("".join(parts))
            self._starts.append(starts)
        placed.append((line, offset))  # past the last row: where the text ends
        self._placed = placed

    @property
    def mapped(self) -> bool:
        """Whether some row is not a client line of its own (see the class)."""
        return self._placed is not None

    def to_client(self, row: int, column: int) -> tuple[int, int]:
        """A position (row, code-point column) as the client's (line, units)."""
        placed = self._placed
        if placed is None:
            return row, self.column_to_client(row, column)
        if row >= len(placed):
            return placed[-1][0] + row - len(placed) + 1, column
        line, offset = placed[row]
        if line >= len(self._client):
            return line, column
        if row < len(self.lines):
            column = min(column, len(self.lines[row]))
        prefix = self._client[line][: offset + column]
        return line, len(prefix) if prefix.isascii() else int(self._units(prefix))  # type: ignore[operator]

    def from_client(self, line: int, units: int) -> tuple[int, int]:
        """A client position (line, units) as (row, code-point column)."""
        placed = self._placed
        if placed is None:
            return line, self.column_from_client(line, units)
        if line >= len(self._client):
            return len(self.lines) + line - len(self._client), units
        index = index_of_units(self._client[line], units, self._units)
        offset, row = self._starts[line][0]
        for start, each in self._starts[line]:
            if start <= index:
                offset, row = start, each
        return row, min(index - offset, len(self.lines[row]))

    def column_to_client(self, line: int, column: int) -> int:
        """A column of `line` in the client's units (a row that is a client line: `mapped`
        False; else `to_client`)."""
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
        return index_of_units(self.lines[line], units, self._units)

    # lsprotocol is imported where its objects are made: the start-up prelude uses this module
    # before lsprotocol is loaded (see `pinwise.lsp.prelude`).
    def to_client_position(self, position: Position) -> types.Position:
        from lsprotocol import types

        line, character = self.to_client(position.line, position.character)
        return types.Position(line=line, character=character)

    def to_client_range(self, span: Span) -> types.Range:
        from lsprotocol import types

        return types.Range(
            start=self.to_client_position(span.start), end=self.to_client_position(span.end)
        )

    def from_client_position(self, position: types.Position) -> Position:
        return Position(*self.from_client(position.line, position.character))


def lines_for(workspace: Workspace, lines: Sequence[str], terminators: Sequence[str] = ()) -> Lines:
    return Lines(lines, workspace.position_codec.client_num_units, terminators)
