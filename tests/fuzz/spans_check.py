"""Every range a parse or an analysis produces, and the check that it lies inside its document."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from pinwise.reqfile.model import LogicalLine, PhysicalLine
from pinwise.spans import Position, Span


def spans_in(value: Any, where: str = "") -> Iterator[tuple[str, Span]]:
    """(field path, span) for every Span reachable from `value` (dataclasses, tuples, lists)."""
    if isinstance(value, Span):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from spans_in(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from spans_in(item, f"{where}[{index}]")


# The spans of a line's parts count rows from its first row (`model.LogicalLine`), except
# these, which are the file's (and its own `.span`).
_FILE_ROWS = (".error.", ".warnings[", ".include.")


def placed_spans(line: LogicalLine, where: str) -> Iterator[tuple[str, Span]]:
    """`spans_in(line)`, a part's placed in the file (`model.LogicalLine`); a part must stand
    on the line's own rows."""
    for field_path, span in spans_in(line, where):
        inner = field_path[len(where) :]
        if inner != ".span" and not inner.startswith(_FILE_ROWS):
            rows = line.last_line - line.first_line
            assert 0 <= span.start.line <= span.end.line <= rows, f"{field_path}: {span}"
            yield field_path, line.place(span)
        else:
            yield field_path, span


def inside(lines: Sequence[PhysicalLine], pos: Position) -> bool:
    if not lines:
        return pos == Position(0, 0)
    if not 0 <= pos.line < len(lines):
        # the position just after a final terminator (an insertion at the end of the file)
        return pos.line == len(lines) and pos.character == 0 and bool(lines[-1].terminator)
    return 0 <= pos.character <= len(lines[pos.line].text)


def check_span(lines: Sequence[PhysicalLine], where: str, span: Span) -> None:
    assert inside(lines, span.start), f"{where}: start {span.start} outside the document"
    assert inside(lines, span.end), f"{where}: end {span.end} outside the document"
    assert span.start <= span.end, f"{where}: start {span.start} after end {span.end}"
