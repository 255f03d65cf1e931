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
from typing import Any, Callable

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
# `POSITION_SETTERS` are those setters (line, character, start, end), for loops that inline
# them; on Python 3.9 (no slots) they store into the instance dictionary.
_new = object.__new__


def setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """What sets field `name` of a new instance of `cls`: its slot's descriptor, or (a class
    with an instance dictionary: Python 3.9) a store into that dictionary."""
    slot = cls.__dict__.get(name)
    if isinstance(slot, MemberDescriptorType):
        return slot.__set__

    def store(obj: Any, value: Any) -> None:
        obj.__dict__[name] = value

    return store


POSITION_SETTERS = (
    setter(Position, "line"),
    setter(Position, "character"),
    setter(Span, "start"),
    setter(Span, "end"),
)
_SET_LINE, _SET_CHARACTER, _SET_START, _SET_END = POSITION_SETTERS


def position(line: int, character: int) -> Position:
    """`Position(line, character)`, made faster."""
    p: Any = _new(Position)
    _SET_LINE(p, line)
    _SET_CHARACTER(p, character)
    return p  # type: ignore[no-any-return]


def span_of(start: Position, end: Position) -> Span:
    """`Span(start, end)`, made faster."""
    s: Any = _new(Span)
    _SET_START(s, start)
    _SET_END(s, end)
    return s  # type: ignore[no-any-return]


def moved(span: Span, rows: int) -> Span:
    """`span` `rows` rows further down (up when negative); the very span when 0."""
    if not rows:
        return span
    start, end = span.start, span.end
    return span_of(
        position(start.line + rows, start.character), position(end.line + rows, end.character)
    )
