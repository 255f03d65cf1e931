"""Positions and ranges in a text document, shared by every layer.

Engine positions are 0-based physical line numbers and 0-based *code point* columns (Python
string indices into the line, without its terminator). One exception: the rows of an option's
spans count from its logical line's first row (`reqfile.model.Option`, `LogicalLine.place`).
The LSP face converts columns to UTF-16 code units; the CLI prints them 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass

from pinwise._compat import SLOTS


@dataclass(frozen=True, order=True, **SLOTS)
class Position:
    line: int
    character: int


@dataclass(frozen=True, **SLOTS)
class Span:
    start: Position
    end: Position

    @classmethod
    def on_line(cls, line: int, start: int, end: int) -> Span:
        return cls(Position(line, start), Position(line, end))

    def contains(self, position: Position) -> bool:
        return self.start <= position <= self.end


@dataclass(frozen=True, **SLOTS)
class TextEdit:
    """Replace `span` of the file at `path` by `new_text` (an insertion when the span is empty)."""

    path: str
    span: Span
    new_text: str
