"""`lsp.documents.Lines`: the engine's rows (pip's: `str.splitlines`, which also ends a line at a
form feed, U+2028...) placed on the client's lines (LSP: `\r\n`, `\r`, `\n` only), both ways."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise import reqfile
from pinwise.lsp.documents import Lines, client_lines, other_break_before

EDITOR_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # the client's lines


def utf16(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def lines_of(text: str) -> Lines:
    rows = reqfile.parse(text, "/p/requirements.txt").lines
    return Lines([r.text for r in rows], utf16, [r.terminator for r in rows])


def client_position(text: str, offset: int) -> tuple[int, int]:
    """Where the client puts the character at `offset` of `text` (line, UTF-16 units)."""
    start = 0
    for number, line in enumerate(EDITOR_LINE.findall(text)):
        if offset < start + len(line) or number == len(EDITOR_LINE.findall(text)) - 1:
            return number, utf16(text[start:offset])
        start += len(line)
    return 0, 0


PIECES = st.lists(
    st.sampled_from(["a", "é", "😀", " ", "\n", "\r\n", "\r", "\f", "\v", "\u2028", "\x85", "#"]),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(pieces=PIECES)
def test_every_row_position_is_where_the_client_sees_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    rows = reqfile.parse(text, "/p/requirements.txt").lines
    lines = lines_of(text)
    offset = 0
    for row, physical in enumerate(rows):
        for column in range(len(physical.text) + 1):
            where = lines.to_client(row, column)
            assert where == client_position(text, offset + column), (text, row, column)
            assert lines.from_client(*where) == (row, column), (text, row, column)
        offset += len(physical.text) + len(physical.terminator)
    assert [line for line in client_lines(text)] == EDITOR_LINE.findall(text)


def test_rows_that_are_client_lines_need_no_placing() -> None:
    lines = lines_of("alpha\r\nbeta\rgamma\n")
    assert not lines.mapped
    assert lines.to_client(1, 2) == (1, 2)
    placed = lines_of("# a\fb\u2028alpha\nbeta\n")
    assert placed.mapped
    assert placed.to_client(2, 0) == (0, 6) and placed.to_client(3, 4) == (1, 4)
    assert placed.from_client(0, 7) == (2, 1)
    assert placed.to_client(4, 0) == (2, 0)  # past the last row: the end of the text


def test_the_row_a_client_column_stands_in() -> None:
    assert other_break_before("# a\fb\u2028alp", 9) == 6
    assert other_break_before("alpha", 3) == 0
