"""The parser re-parses only the rows a keystroke changed (`parser._parse_again`): whatever the
edit, the file it gives must equal a fresh parse of the new text."""

from __future__ import annotations

import operator
from contextlib import nullcontext
from typing import Optional

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pinwise.reqfile import parser
from pinwise.reqfile.model import RequirementsFile
from pinwise.reqfile.parser import clear_caches, parse
from pinwise.spans import moved

ROWS = [
    "",
    "# a comment",
    "alpha==1.0",
    "alpha == 1.0  # pinned",
    "beta[fast]>=2 ; python_version >= '3'",
    "gamma \\",
    "    ==1.0",
    "delta==1.0 \\",
    "# a comment \\",
    "  --hash=sha256:" + "a" * 64,
    "-r other.txt",
    "-e ./here",
    "./local/path",
    "${FOO}==1.0",
    "--require-hashes",
    "not a requirement !!",
    "\\",
    "zeta",
]
PIECES = st.sampled_from([" ", "x", "\\", "#", "=", "1", "\n", "\r\n", "\\\n", "", "${A}"])
EDITS = st.one_of(
    st.tuples(st.just("insert-text"), st.integers(0, 10_000), PIECES),
    st.tuples(st.just("delete-text"), st.integers(0, 10_000), st.integers(1, 3)),
    st.tuples(st.just("replace-row"), st.integers(0, 100), st.sampled_from(ROWS)),
)


def _fresh(text: str) -> RequirementsFile:
    clear_caches()
    return parse(text, "/proj/requirements.txt", environ={"A": "x"}, cwd="/proj")


def _warm(text: str) -> RequirementsFile:
    return parse(text, "/proj/requirements.txt", environ={"A": "x"}, cwd="/proj")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    rows=st.lists(st.sampled_from(ROWS), max_size=20),
    end=st.sampled_from(["\n", ""]),
    edits=st.lists(EDITS, min_size=1, max_size=10),
)
def test_a_parse_made_from_the_last_one_equals_a_fresh_one(
    rows: list[str], end: str, edits: list[tuple[str, int, object]]
) -> None:
    text = "\n".join(rows) + end
    _fresh(text)
    for kind, n, what in edits:
        if kind == "insert-text":
            at = n % (len(text) + 1)
            text = text[:at] + str(what) + text[at:]
        elif kind == "delete-text" and text:
            at = n % len(text)
            text = text[:at] + text[at + int(what) :]  # type: ignore[call-overload]
        elif kind == "replace-row":
            lines = text.split("\n")
            lines[n % len(lines)] = str(what)
            text = "\n".join(lines)
        warm = _warm(text)
        assert warm == _fresh(text), (kind, n, what, text)
        _warm(text)


def test_unchanged_lines_are_the_same_objects_and_the_changed_one_is_parsed_again() -> None:
    rows = [f"pkg{i}==1.{i}" for i in range(200)]
    before = _fresh("\n".join(rows) + "\n")
    calls: list[Optional[int]] = []
    original = parser._parse_rows

    def counted(physical: object, start: int, *args: object) -> object:
        calls.append(len(physical))  # type: ignore[arg-type]
        return original(physical, start, *args)  # type: ignore[arg-type]

    parser._parse_rows = counted  # type: ignore[assignment]
    try:
        rows[50] = " " + rows[50]
        after = _warm("\n".join(rows) + "\n")
    finally:
        parser._parse_rows = original
    assert calls == [1]  # one row parsed again
    assert after.logical_lines[50] is not before.logical_lines[50]
    assert after.logical_lines[50].requirement is not None
    assert all(
        a is b for i, (a, b) in enumerate(zip(after.logical_lines, before.logical_lines)) if i != 50
    )
    assert after == _fresh("\n".join(rows) + "\n")


@pytest.mark.parametrize("added", ["\n", "# a comment\n", "new==1\n", "a \\\n  ==1\n"])
def test_rows_added_are_the_only_rows_parsed_the_lines_below_move(added: str) -> None:
    rows = [f"pkg{i}==1.{i}" for i in range(200)]
    text = "\n".join(rows) + "\n"
    before = _fresh(text)
    calls: list[int] = []
    original = parser._parse_rows

    def counted(physical: object, start: int, *args: object) -> object:
        calls.append(len(physical))  # type: ignore[arg-type]
        return original(physical, start, *args)  # type: ignore[arg-type]

    at = text.index("pkg50==")
    parser._parse_rows = counted  # type: ignore[assignment]
    try:
        after = _warm(text[:at] + added + text[at:])
        undone = _warm(text)  # and Backspace: the lines of before, not moved back
    finally:
        parser._parse_rows = original
    rows_added = added.count("\n")
    assert calls == [rows_added]  # the new rows alone
    assert after == _fresh(text[:at] + added + text[at:])
    assert all(map(operator.is_, after.logical_lines[:50], before.logical_lines))
    for now, was in zip(after.logical_lines[-150:], before.logical_lines[50:]):
        assert now is not was and now.first_line == was.first_line + rows_added
        assert now.requirement is was.requirement  # moved, not parsed again
    assert all(map(operator.is_, undone.logical_lines, before.logical_lines))
    assert undone.lines == before.lines


@pytest.mark.parametrize("how", ["again", "whole", "general"])
def test_a_moved_hashed_block_shares_its_options_with_the_block_as_it_was(how: str) -> None:
    # what `pip-compile --generate-hashes` writes: a requirement and its hashes on
    # continuation rows, then the same with a line added above (every row moves down):
    # parsed again from the last parse (the block moved: the same parts), parsed whole (its
    # options from the line cache), parsed by the general path alone (no cache)
    block = [
        "certifi==2024.2.2 \\",
        "    --hash=sha256:" + "a" * 64 + " \\",
        "    --hash=sha256:" + "b" * 64,
    ]
    general = how == "general"
    before = _fresh("\n".join(block) + "\n")
    if how == "whole":
        parser._LAST_PARSE.clear()
    with parser.general_path_only() if general else nullcontext():
        after = _warm("\n".join(["# a new line", *block]) + "\n")
    (old,), (new,) = before.logical_lines, after.logical_lines
    assert (new.first_line, new.last_line) == (1, 3)
    assert new is not old
    assert (new.requirement is old.requirement) == (how == "again")
    assert new.options is old.options  # shared: their rows count from the line's first
    assert general or new.raw_text is old.raw_text  # (the fast path keeps the text once)
    assert new.requirement is not None and old.requirement is not None
    assert new.requirement.hashes is old.requirement.hashes
    assert after == _fresh("\n".join(["# a new line", *block]) + "\n")
    spans = [new.place(h.span) for h in new.requirement.hashes]
    assert [(s.start.line, s.start.character, s.end.line) for s in spans] == [
        (2, 4, 2),
        (3, 4, 3),
    ]


def test_a_moved_line_is_a_new_line_sharing_every_part_with_the_line_as_it_was() -> None:
    # A line added above moves every line below to a row it never stood at: each is a new
    # line (where it stands) holding the very parts of the line as it was (their rows count
    # from the line's first), not a new parse.
    rows = [
        "alpha==1.0  # pinwise: ignore[PW001]",
        "  beta[x]>=2 ; python_version >= '3'  # why",
        "gamma==1 --hash=sha256:" + "a" * 64,
    ]
    before = _fresh("\n".join(rows) + "\n")
    after = _warm("\n".join(["# a new line", *rows]) + "\n")
    for old, new in zip(before.logical_lines, after.logical_lines):
        assert new is not old and (new.first_line, new.last_line) == (old.first_line + 1,) * 2
        assert new.span == moved(old.span, 1)
        assert new.requirement is old.requirement and new.requirement is not None
        assert new.options is old.options and new.comment is old.comment
        assert new.suppression is old.suppression
        span = new.requirement.span
        assert new.place(span) == moved(old.place(span), 1)
    assert after == _fresh("\n".join(["# a new line", *rows]) + "\n")


def test_a_text_written_twice_is_one_requirement_placed_on_each_line() -> None:
    parsed = _fresh("a==1\nb==2\n  a==1\n")
    first, _, again = parsed.logical_lines
    assert first.requirement is not None and first.requirement is not again.requirement
    parsed = _fresh("a==1\nb==2\na==1\n")
    first, _, again = parsed.logical_lines
    assert first.requirement is again.requirement and first.requirement is not None
    name = first.requirement.name_span
    assert name is not None
    assert (first.place(name).start.line, again.place(name).start.line) == (0, 2)
    with parser.general_path_only():  # (which makes each line's own)
        assert _fresh("a==1\nb==2\na==1\n") == parsed


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(["certifi==2024.2.2 \\", "    --hash=sha256:" + "a" * 64], id="rows"),
        pytest.param(["certifi==2024.2.2 --hash=sha256:" + "a" * 64], id="one-row"),
    ],
)
def test_options_stay_shared_while_the_line_is_only_found_in_the_cache(block: list[str]) -> None:
    # Enter then Backspace at the end of the file (whole parses that leave the block where it
    # is: found in the cache, not parsed), then a line above it: still shared.
    text = "\n".join(block) + "\n"
    old = _fresh(text).logical_lines[0]
    for _ in range(4):  # more rounds than the cache keeps an unused entry
        _warm(text + "\n")
        _warm(text)
    new = _warm("# a new line\n" + text).logical_lines[0]
    assert new.first_line == 1 and new.options is old.options
    assert _warm("# a new line\n" + text) == _fresh("# a new line\n" + text)


@settings(max_examples=500, deadline=None, database=None)
@given(
    rows=st.lists(st.sampled_from(["", "a==1", "b \\", "  --hash=x", "# c"]), max_size=12),
    end=st.sampled_from(["\n", ""]),
    at=st.integers(0, 10_000),
    cut=st.integers(0, 6),
    piece=st.sampled_from(["", "\n", "\n\n", "x", "x\n", "\ny", "\\\n"]),
)
def test_rows_kept_across_a_whole_parse_are_the_rows_of_the_new_text(
    rows: list[str], end: str, at: int, cut: int, piece: str
) -> None:
    # any edit, rows added or removed included: the rows `_rows_kept` gives are those
    # `split_physical` gives, and those before the change are the last parse's objects
    old = "\n".join(rows) + end if rows else ""
    at %= len(old) + 1
    new = old[:at] + piece + old[at + cut :]
    old_physical = parser.split_physical(old)
    kept = parser._rows_kept((old, old_physical, (), False), new)
    assume(kept is not None)  # (it always answers for "\n" texts: a health check would say so)
    assert kept is not None and kept == parser.split_physical(new)
    unchanged = old[:at].count("\n")
    assert all(a is b for a, b in zip(kept[:unchanged], old_physical[:unchanged]))


def test_a_line_added_above_keeps_the_row_objects_below() -> None:
    rows = [f"pkg{i}==1.{i}" for i in range(100)]
    before = _fresh("\n".join(rows) + "\n")
    after = _warm("\n".join(["new==1", *rows]) + "\n")
    assert after.lines[0].text == "new==1"
    assert all(a is b for a, b in zip(after.lines[1:], before.lines))
    assert after == _fresh("\n".join(["new==1", *rows]) + "\n")


def test_a_block_left_in_place_by_whole_parses_keeps_one_copy_of_its_text() -> None:
    block = "certifi==2024.2.2 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    text = "top==1\n" + block
    _fresh(text)
    for _ in range(4):  # Enter then Backspace above the block: it moves, then is found in place
        _warm("\n" + text)
        _warm(text)
    (cache,) = parser._LINE_CACHE.values()
    joined = "certifi==2024.2.2     --hash=sha256:" + "a" * 64
    held = {
        id(k[1] if k[0] is parser._SAME_OPTIONS else k[0])
        for table in (cache.current, cache.previous, cache.older)
        for k in table
        if joined in (k[0], k[1])
    }
    assert len(held) == 1
