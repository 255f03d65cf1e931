"""pip's pre-processing of a requirements file (pip-reference A4-A8), keeping positions.

Physical lines are split like `str.splitlines()`, joined on trailing backslashes, stripped of
comments and whitespace, and `${VAR}`-expanded, exactly as pip 26.3 does it; every character of
the result can be mapped back to the physical line and column where it stands.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Callable, Optional, TypeVar, Union

from pinwise.reqfile._build import make, position, setter, span_of
from pinwise.reqfile.model import PhysicalLine
from pinwise.spans import Position, Span

COMMENT_RE = re.compile(r"(^|\s+)#.*$")
ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")

T = TypeVar("T")

_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_RARE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # line breaks besides \n and \r
# PhysicalLine objects are made directly, field by field (see `_build.token`), while the class
# has just these fields; a field added later (with a default) makes them go through `make`.
_PLAIN_PHYSICAL = tuple(f.name for f in fields(PhysicalLine)) == ("text", "terminator")
_new = object.__new__
_PHYSICAL_TEXT = setter(PhysicalLine, "text")
_PHYSICAL_TERMINATOR = setter(PhysicalLine, "terminator")


def _physical(text: str, terminator: str) -> PhysicalLine:
    if not _PLAIN_PHYSICAL:
        return make(PhysicalLine, text=text, terminator=terminator)
    line: Any = _new(PhysicalLine)
    _PHYSICAL_TEXT(line, text)
    _PHYSICAL_TERMINATOR(line, terminator)
    return line  # type: ignore[no-any-return]


def split_physical(text: str) -> tuple[PhysicalLine, ...]:
    """Split like `str.splitlines()`, keeping each line's terminator."""
    out: list[PhysicalLine] = []
    append = out.append
    crs = text.count("\r")
    rare = any(c in text for c in _RARE_BREAKS)  # (a non-ASCII one in ASCII text: no search)
    if not rare and (crs == 0 or crs == text.count("\r\n")):
        # Only "\n" or "\r\n" terminators (the usual case): every piece but the last has one.
        pieces = text.split("\n")
        tail = pieces.pop()
        if crs == 0 and _PLAIN_PHYSICAL:
            new = _new
            cls = PhysicalLine
            set_text, set_terminator = _PHYSICAL_TEXT, _PHYSICAL_TERMINATOR
            for piece in pieces:
                line: Any = new(cls)
                set_text(line, piece)
                set_terminator(line, "\n")
                append(line)
        elif crs == 0:
            for piece in pieces:
                append(_physical(piece, "\n"))
        else:
            for piece in pieces:
                if piece[-1:] == "\r":
                    append(_physical(piece[:-1], "\r\n"))
                else:
                    append(_physical(piece, "\n"))
        if tail:
            append(_physical(tail, ""))
        return tuple(out)
    for chunk in text.splitlines(True):
        if chunk.endswith("\r\n"):
            append(make(PhysicalLine, text=chunk[:-2], terminator="\r\n"))
        elif chunk and chunk[-1] in _BREAKS:
            append(make(PhysicalLine, text=chunk[:-1], terminator=chunk[-1]))
        else:
            append(make(PhysicalLine, text=chunk, terminator=""))
    return tuple(out)


class PosMap:
    """Maps offsets in a joined logical line to physical positions.

    `starts[i]` is the offset where segment i begins; its characters stand on physical line
    `lines[i]` from column `cols[i]` on. Positions are shared between the spans of a line.
    """

    __slots__ = ("cache", "cols", "lines", "starts")

    def __init__(self, starts: list[int], lines: list[int], cols: list[int]) -> None:
        self.starts = starts
        self.lines = lines
        self.cols = cols
        self.cache: dict[int, Position] = {}

    def pos(self, offset: int) -> Position:
        p = self.cache.get(offset)
        if p is not None:
            return p
        starts = self.starts
        if len(starts) == 1:
            p = position(self.lines[0], self.cols[0] + offset)
        else:
            i = max(bisect_right(starts, offset) - 1, 0)
            p = position(self.lines[i], self.cols[i] + offset - starts[i])
        self.cache[offset] = p
        return p

    def end(self, offset: int, start: int) -> Position:
        """The position just after the character at `offset - 1` (for a range's end)."""
        if offset <= start or len(self.starts) == 1:
            return self.pos(offset)
        key = -offset - 1  # ends that fall on a segment boundary differ from starts
        p = self.cache.get(key)
        if p is None:
            starts = self.starts
            i = max(bisect_right(starts, offset - 1) - 1, 0)
            p = position(self.lines[i], self.cols[i] + offset - starts[i])
            self.cache[key] = p
        return p

    def span(self, start: int, end: int) -> Span:
        return span_of(self.pos(start), self.end(end, start))


class Joined:
    """One logical line after continuation joining (before comment stripping)."""

    __slots__ = ("first", "last", "map", "text")

    def __init__(self, first: int, last: int, text: str, posmap: PosMap) -> None:
        self.first = first
        self.last = last
        self.text = text
        self.map = posmap


def join_lines(
    lines: tuple[PhysicalLine, ...],
    fast: Optional[Callable[[int, str], Optional[T]]] = None,
    start: int = 0,
) -> list[Union[Joined, T]]:
    """pip's `join_lines`: a line ending in `\\` (not a comment line) joins the next one.

    `fast(number, text)` may turn a lone physical line (one that joins no other) straight into
    a result, or return None to leave it to the general path. `start` is the number of the
    first of `lines` (a part of a file that begins where a logical line begins).
    """
    out: list[Union[Joined, T]] = []
    pending: Optional[list[str]] = None
    starts: list[int] = []
    plines: list[int] = []
    cols: list[int] = []
    length = 0
    first = 0
    match = COMMENT_RE.match
    for number, physical in enumerate(lines, start):
        line = physical.text
        if fast is not None and pending is None and not line.endswith("\\"):
            result = fast(number, line)
            if result is not None:
                out.append(result)
                continue
        is_comment = "#" in line and match(line) is not None
        if not line.endswith("\\") or is_comment:
            if pending is not None:
                if is_comment:
                    # pip prefixes " " so the comment is always stripped later.
                    starts.append(length)
                    plines.append(number)
                    cols.append(0)
                    pending.append(" ")
                    length += 1
                starts.append(length)
                plines.append(number)
                cols.append(0)
                pending.append(line)
                out.append(Joined(first, number, "".join(pending), PosMap(starts, plines, cols)))
                pending = None
            elif is_comment:
                continue  # a comment line on its own: pip drops it (nothing is left)
            else:
                out.append(Joined(number, number, line, PosMap([0], [number], [0])))
        else:
            if pending is None:
                pending = []
                starts = []
                plines = []
                cols = []
                length = 0
                first = number
            piece = line.strip("\\")
            lead = len(line) - len(line.lstrip("\\"))
            starts.append(length)
            plines.append(number)
            cols.append(lead)
            pending.append(piece)
            length += len(piece)
    if pending is not None:
        last = start + len(lines) - 1
        out.append(Joined(first, last, "".join(pending), PosMap(starts, plines, cols)))
    return out


class Expansion:
    """Maps offsets in the `${VAR}`-expanded text back to the unexpanded text.

    Each segment is (expanded start, expanded end, raw start, raw end, literal?). Characters of
    an expanded value all map to the whole `${VAR}` reference.
    """

    __slots__ = ("estarts", "segments", "values")

    def __init__(
        self, segments: list[tuple[int, int, int, int, bool]], values: list[tuple[str, str]]
    ) -> None:
        self.segments = segments
        self.estarts = [s[0] for s in segments]
        self.values = values  # (expanded value, reference), longest value first

    def _seg(self, offset: int) -> tuple[int, int, int, int, bool]:
        i = bisect_right(self.estarts, offset) - 1
        return self.segments[max(i, 0)]

    def raw_range(self, start: int, end: int) -> tuple[int, int]:
        es, _ee, rs, re_, literal = self._seg(start)
        rstart = rs + (start - es) if literal else rs
        if end <= start:
            return rstart, rstart
        es, _ee, rs, re_, literal = self._seg(end - 1)
        rend = rs + (end - es) if literal else re_
        return rstart, rend

    def hide(self, message: str) -> str:
        """Put `${VAR}` back where an expanded value appears in a message."""
        for value, ref in self.values:
            message = message.replace(value, ref)
        return message


def expand(raw: str, environ: Mapping[str, str]) -> tuple[str, Optional[Expansion]]:
    """pip's `expand_env_variables`: `${NAME}` with a set, non-empty value is replaced."""
    if "${" not in raw:
        return raw, None
    segments: list[tuple[int, int, int, int, bool]] = []
    values: list[tuple[str, str]] = []
    parts: list[str] = []
    epos = 0
    rpos = 0
    for m in ENV_VAR_RE.finditer(raw):
        value = environ.get(m.group(1))
        if not value:
            continue
        if m.start() > rpos:
            literal = raw[rpos : m.start()]
            segments.append((epos, epos + len(literal), rpos, m.start(), True))
            parts.append(literal)
            epos += len(literal)
        segments.append((epos, epos + len(value), m.start(), m.end(), False))
        parts.append(value)
        values.append((value, m.group(0)))
        epos += len(value)
        rpos = m.end()
    if not values:
        return raw, None
    if rpos < len(raw):
        segments.append((epos, epos + len(raw) - rpos, rpos, len(raw), True))
        parts.append(raw[rpos:])
    values.sort(key=lambda v: -len(v[0]))
    return "".join(parts), Expansion(segments, values)
