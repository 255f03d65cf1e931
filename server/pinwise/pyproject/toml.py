"""A small TOML reader that keeps positions: every string value knows where each of its
characters stands in the source, so findings can point inside it.

It reads the whole TOML 1.0 syntax that matters for finding values (tables, arrays of tables,
dotted and quoted keys, the four string kinds with escapes, arrays and inline tables across lines,
comments); other scalars (numbers, booleans, dates) are kept as raw text. It never raises: the
first syntax error stops reading and is reported with its position. On Python 3.11+ the caller
may also run `tomllib` for the strict verdict (see `pinwise.pyproject.read`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional, Union

from pinwise.spans import Position, Span


@dataclass(frozen=True)
class TomlString:
    value: str
    # (start, end) source offsets of each decoded character (an escape covers several)
    char_offsets: tuple[tuple[int, int], ...]
    start: int  # the opening quote
    end: int  # just after the closing quote
    literal: bool  # '...' or '''...''' (no escapes)


@dataclass
class TomlArray:
    items: list[TomlValue]
    start: int
    end: int


@dataclass
class TomlTable:
    items: dict[str, TomlValue] = field(default_factory=dict)
    start: int = 0
    end: int = 0
    # keys defined by a [header] (or [[header]]) rather than by dotted keys / implicitly
    explicit: bool = False
    inline: bool = False


@dataclass(frozen=True)
class TomlScalar:
    raw: str
    start: int
    end: int


TomlValue = Union[TomlString, TomlArray, TomlTable, TomlScalar, "TomlTableArray"]


@dataclass
class TomlTableArray:
    tables: list[TomlTable]
    start: int
    end: int


@dataclass(frozen=True)
class TomlError:
    message: str
    offset: int


class _Stop(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


_DEC = r"(?:0|[1-9](?:_?[0-9])*)"
_DIGITS = r"[0-9](?:_?[0-9])*"
_SCALAR = re.compile(
    r"^(?:true|false"
    rf"|[+-]?{_DEC}"
    r"|0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|0o[0-7](?:_?[0-7])*|0b[01](?:_?[01])*"
    rf"|[+-]?{_DEC}(?:\.{_DIGITS})?(?:[eE][+-]?{_DIGITS})?"
    r"|[+-]?(?:inf|nan)"
    r"|\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r")$"
)
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "e": "\x1b",
}


class Document:
    """The parsed document: the root table, the first error (if any), and offset -> position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self.root = TomlTable(start=0, end=len(text), explicit=True)
        self.error: Optional[TomlError] = None
        try:
            _Parser(text, self.root).parse()
        except _Stop as stop:
            self.error = TomlError(stop.message, stop.offset)
        except RecursionError:
            self.error = TomlError("values nested too deeply", 0)

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[line]
        column = offset - start
        # a position never points at the \r of a \r\n terminator's right side
        return Position(line, column)

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def string_span(self, string: TomlString, start: int, end: int) -> Span:
        """The source span of `string.value[start:end]` (an empty range: a point)."""
        offsets = string.char_offsets
        if not offsets:
            inner = string.start + (3 if self._triple(string) else 1)
            return self.span(inner, inner)
        if start >= len(offsets):
            point = offsets[-1][1]
            return self.span(point, point)
        if end <= start:
            point = offsets[start][0]
            return self.span(point, point)
        return self.span(offsets[start][0], offsets[min(end, len(offsets)) - 1][1])

    def _triple(self, string: TomlString) -> bool:
        return self.text.startswith(('"""', "'''"), string.start)

    def get(self, *keys: str) -> Optional[TomlValue]:
        value: Optional[TomlValue] = self.root
        for key in keys:
            if not isinstance(value, TomlTable):
                return None
            value = value.items.get(key)
        return value


class _Parser:
    def __init__(self, text: str, root: TomlTable) -> None:
        self.text = text
        self.pos = 0
        self.root = root
        self.n = len(text)

    # -- low level --
    def fail(self, message: str, offset: Optional[int] = None) -> _Stop:
        return _Stop(message, self.pos if offset is None else offset)

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.text[i] if i < self.n else ""

    def skip_ws(self) -> None:
        while self.pos < self.n and self.text[self.pos] in " \t":
            self.pos += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            while self.pos < self.n and self.text[self.pos] not in "\r\n":
                ch = self.text[self.pos]
                if ch != "\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
                    raise self.fail("control characters are not allowed in comments")
                self.pos += 1

    def skip_newline(self) -> bool:
        if self.peek() == "\n":
            self.pos += 1
            return True
        if self.peek() == "\r" and self.peek(1) == "\n":
            self.pos += 2
            return True
        return False

    def skip_ws_comments_newlines(self) -> None:
        while True:
            self.skip_ws()
            self.skip_comment()
            if not self.skip_newline():
                return

    def end_of_line(self) -> None:
        self.skip_ws()
        self.skip_comment()
        if self.pos < self.n and not self.skip_newline():
            raise self.fail(f"expected the end of the line, found {self.text[self.pos]!r}")

    # -- document --
    def parse(self) -> None:
        current = self.root
        while True:
            self.skip_ws_comments_newlines()
            if self.pos >= self.n:
                return
            if self.peek() == "[":
                current = self.header()
            else:
                self.key_value(current)
            self.end_of_line()

    def header(self) -> TomlTable:
        start = self.pos
        is_array = self.peek(1) == "["
        self.pos += 2 if is_array else 1
        self.skip_ws()
        keys = self.key()
        self.skip_ws()
        closing = "]]" if is_array else "]"
        if not self.text.startswith(closing, self.pos):
            raise self.fail(f"expected {closing!r} to close the table header")
        self.pos += len(closing)
        table: TomlTable = self.root
        for i, key in enumerate(keys[:-1]):
            existing = table.items.get(key)
            if existing is None:
                new = TomlTable(start=start)
                table.items[key] = new
                table = new
            elif isinstance(existing, TomlTable) and not existing.inline:
                table = existing
            elif isinstance(existing, TomlTableArray):
                table = existing.tables[-1]
            else:
                raise self.fail(f"key {'.'.join(keys[: i + 1])!r} is already defined", start)
        last = keys[-1]
        existing = table.items.get(last)
        if is_array:
            new_table = TomlTable(start=start, explicit=True)
            if existing is None:
                table.items[last] = TomlTableArray([new_table], start, self.pos)
            elif isinstance(existing, TomlTableArray):
                existing.tables.append(new_table)
            else:
                raise self.fail(f"key {'.'.join(keys)!r} is already defined", start)
            return new_table
        if existing is None:
            new_table = TomlTable(start=start, explicit=True)
            table.items[last] = new_table
            return new_table
        if isinstance(existing, TomlTable) and not existing.explicit and not existing.inline:
            existing.explicit = True
            existing.start = start
            return existing
        raise self.fail(f"table [{'.'.join(keys)}] is defined more than once", start)

    def key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            self.skip_ws()
            if self.peek() != ".":
                return keys
            self.pos += 1
            self.skip_ws()
            keys.append(self.simple_key())

    def simple_key(self) -> str:
        ch = self.peek()
        if ch in {'"', "'"}:
            if self.text.startswith(ch * 3, self.pos):
                raise self.fail("a key cannot be a multi-line string")
            return self.string().value
        start = self.pos
        while self.pos < self.n and self.text[self.pos] in _BARE:
            self.pos += 1
        if self.pos == start:
            found = repr(ch) if ch else "the end of the file"
            raise self.fail(f"expected a key, found {found}")
        return self.text[start : self.pos]

    def key_value(self, table: TomlTable, *, inline: bool = False) -> None:
        # inside an inline table, dotted keys build sub-tables that are still inline
        start = self.pos
        keys = self.key()
        self.skip_ws()
        if self.peek() != "=":
            raise self.fail("expected '=' after a key")
        self.pos += 1
        self.skip_ws()
        value = self.value()
        target = table
        for key in keys[:-1]:
            existing = target.items.get(key)
            if existing is None:
                new = TomlTable(start=start)
                target.items[key] = new
                target = new
            elif (
                isinstance(existing, TomlTable)
                and not existing.explicit
                and (inline or not existing.inline)
            ):
                target = existing
            else:
                raise self.fail(f"key {key!r} is already defined", start)
        if keys[-1] in target.items:
            raise self.fail(f"key {'.'.join(keys)!r} is defined more than once", start)
        target.items[keys[-1]] = value

    # -- values --
    def value(self) -> TomlValue:
        ch = self.peek()
        if ch in ('"', "'"):
            return self.string()
        if ch == "[":
            return self.array()
        if ch == "{":
            return self.inline_table()
        start = self.pos
        while self.pos < self.n and self.text[self.pos] not in ",]}#\r\n":
            self.pos += 1
        raw = self.text[start : self.pos].rstrip(" \t")
        self.pos = start + len(raw)
        if not raw:
            found = repr(ch) if ch else "the end of the file"
            raise self.fail(f"expected a value, found {found}")
        if not _SCALAR.match(raw):
            raise self.fail(f"invalid value {raw!r}", start)
        return TomlScalar(raw, start, self.pos)

    def array(self) -> TomlArray:
        start = self.pos
        self.pos += 1
        items: list[TomlValue] = []
        while True:
            self.skip_ws_comments_newlines()
            if self.peek() == "]":
                self.pos += 1
                return TomlArray(items, start, self.pos)
            if self.pos >= self.n:
                raise self.fail("the array is not closed with ']'", start)
            items.append(self.value())
            self.skip_ws_comments_newlines()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() == "]":
                continue
            else:
                found = repr(self.peek()) if self.peek() else "the end of the file"
                raise self.fail(f"expected ',' or ']' in the array, found {found}")

    def inline_table(self) -> TomlTable:
        start = self.pos
        self.pos += 1
        table = TomlTable(start=start, inline=True, explicit=True)
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            table.end = self.pos
            return table
        while True:
            self.skip_ws()
            self.key_value(table, inline=True)
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
                continue
            if self.peek() == "}":
                self.pos += 1
                table.end = self.pos
                return table
            raise self.fail("expected ',' or '}' in the inline table")

    def string(self) -> TomlString:
        start = self.pos
        quote = self.peek()
        literal = quote == "'"
        triple = self.text.startswith(quote * 3, self.pos)
        self.pos += 3 if triple else 1
        chars: list[str] = []
        offsets: list[tuple[int, int]] = []
        if triple:
            self.skip_newline()  # a newline right after the opening delimiter is trimmed
        while True:
            if self.pos >= self.n:
                raise self.fail("the string is not closed", start)
            ch = self.text[self.pos]
            if triple and self.text.startswith(quote * 3, self.pos):
                # up to two quotes may stand right before the closing delimiter
                extra = 0
                while extra < 2 and self.text.startswith(quote * 4, self.pos + extra):
                    extra += 1
                for k in range(extra):
                    chars.append(quote)
                    offsets.append((self.pos + k, self.pos + k + 1))
                self.pos += extra + 3
                break
            if not triple and ch == quote:
                self.pos += 1
                break
            if ch in "\r\n":
                if not triple:
                    raise self.fail("the string is not closed before the end of the line", start)
                here = self.pos
                if not self.skip_newline():
                    self.pos += 1
                chars.append("\n")
                offsets.append((here, self.pos))
                continue
            if ch == "\\" and not literal:
                self.escape(chars, offsets, triple)
                continue
            if ch != "\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
                raise self.fail("control characters must be escaped in strings")
            chars.append(ch)
            offsets.append((self.pos, self.pos + 1))
            self.pos += 1
        return TomlString("".join(chars), tuple(offsets), start, self.pos, literal)

    def escape(self, chars: list[str], offsets: list[tuple[int, int]], triple: bool) -> None:
        start = self.pos
        code = self.peek(1)
        if code in _ESCAPES:
            chars.append(_ESCAPES[code])
            self.pos += 2
            offsets.append((start, self.pos))
            return
        if code in ("u", "U", "x"):
            width = {"u": 4, "U": 8, "x": 2}[code]
            digits = self.text[self.pos + 2 : self.pos + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail(f"invalid \\{code} escape: {width} hex digits expected")
            value = int(digits, 16)
            if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise self.fail(f"\\{code}{digits} is not a Unicode scalar value")
            chars.append(chr(value))
            self.pos += 2 + width
            offsets.append((start, self.pos))
            return
        if triple:
            # a line-ending backslash: trim the newline and following whitespace
            probe = self.pos + 1
            while probe < self.n and self.text[probe] in " \t":
                probe += 1
            if probe < self.n and self.text[probe] in "\r\n":
                self.pos = probe
                while self.pos < self.n and self.text[self.pos] in " \t\r\n":
                    self.pos += 1
                return
        raise self.fail(f"invalid escape sequence \\{code}" if code else "invalid escape")
