"""Positions and ranges in a text document, shared by every layer.

Engine positions are 0-based physical line numbers and 0-based *code point* columns (Python
string indices into the line, without its terminator). One exception: the spans of a parsed
line's parts (its requirement, options, comment) count rows from the line's first row
(`reqfile.model.LogicalLine`; its `place` gives the file's).
The LSP face converts columns to UTF-16 code units; the CLI prints them 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MemberDescriptorType
from typing import Any

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


# Fast makers (a parse and a moved analysis make many positions): the fields set through their
# slots, not by the frozen dataclass' `__init__`, which pays `object.__setattr__` per field.
# (On Python 3.9 the classes have no slots: the plain constructors.)
_new = object.__new__
_POSITION_SLOTS = isinstance(Position.__dict__.get("line"), MemberDescriptorType)
_POSITION_LINE = Position.__dict__["line"].__set__ if _POSITION_SLOTS else None
_POSITION_CHARACTER = Position.__dict__["character"].__set__ if _POSITION_SLOTS else None
_SPAN_START = Span.__dict__["start"].__set__ if _POSITION_SLOTS else None
_SPAN_END = Span.__dict__["end"].__set__ if _POSITION_SLOTS else None


def position(line: int, character: int) -> Position:
    """`Position(line, character)`, made faster."""
    if _POSITION_LINE is None or _POSITION_CHARACTER is None:
        return Position(line, character)
    p: Any = _new(Position)
    _POSITION_LINE(p, line)
    _POSITION_CHARACTER(p, character)
    return p  # type: ignore[no-any-return]


def span_of(start: Position, end: Position) -> Span:
    """`Span(start, end)`, made faster."""
    if _SPAN_START is None or _SPAN_END is None:
        return Span(start, end)
    s: Any = _new(Span)
    _SPAN_START(s, start)
    _SPAN_END(s, end)
    return s  # type: ignore[no-any-return]


def moved(span: Span, rows: int) -> Span:
    """`span` `rows` rows further down (up when negative); the very span when 0."""
    if not rows:
        return span
    start, end = span.start, span.end
    return span_of(
        position(start.line + rows, start.character), position(end.line + rows, end.character)
    )
