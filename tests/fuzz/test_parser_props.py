"""Properties of the parser on generated and hostile text.

- never raises (`parse`, `decode`, `load` on any text or bytes);
- every range lies inside the document (start <= end, line in range, column within the line);
- every physical line belongs to exactly one logical line, or to none. Precisely: physical lines
  are grouped as pip's `join_lines` groups them (a line ending in a backslash, and not a comment
  line, joins the next); a group whose joined text is empty once pip's comment pattern and
  surrounding whitespace are removed yields no logical line (its physical lines belong to none:
  blank lines, comment lines, lone continuations); every other group yields exactly one logical
  line with `first_line`/`last_line` the group's first and last physical line. pip's own
  `join_lines`/`ignore_comments` are the oracle.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pip._internal.req.req_file import ignore_comments, join_lines

from pinwise.reqfile import decode, load, load_set, parse
from pinwise.reqfile.model import LineKind, RequirementsFile
from tests.fuzz.figures import FUZZ, counted, run_property
from tests.fuzz.spans_check import check_span, placed_spans
from tests.fuzz.strategies import files, hostile_text

pytestmark = pytest.mark.fuzz_property
ENV = {"PW_TOKEN_NAME": "alpha", "PW_EMPTY": ""}


def check_ranges(rf: RequirementsFile) -> None:
    for index, line in enumerate(rf.logical_lines):
        for where, span in placed_spans(line, f"logical_lines[{index}]"):
            check_span(rf.lines, where, span)


def expected_groups(text: str) -> list[tuple[int, int]]:
    lines = text.splitlines()
    groups = list(join_lines(enumerate(lines, start=1)))
    starts = [number for number, _ in groups]
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    last = dict(zip(starts, ends))
    kept = [number for number, _ in ignore_comments(iter(groups))]
    return [(n - 1, last[n] - 1) for n in kept]


def check_lines(text: str, rf: RequirementsFile) -> None:
    assert len(rf.lines) == len(text.splitlines())
    assert "".join(p.text + p.terminator for p in rf.lines) == text
    got = [(ll.first_line, ll.last_line) for ll in rf.logical_lines]
    assert got == expected_groups(text), text
    owner: dict[int, int] = {}
    for index, (first, last) in enumerate(got):
        for number in range(first, last + 1):
            assert number not in owner, f"physical line {number} in two logical lines"
            owner[number] = index


@FUZZ
@given(text=st.one_of(files, hostile_text), constraint=st.booleans())
@counted("parser: never raises, ranges inside, line ownership")
def _parse_props(text: str, constraint: bool) -> None:
    rf = parse(text, "/fuzz/requirements.txt", constraint=constraint, environ=ENV, cwd="/fuzz")
    check_ranges(rf)
    check_lines(text, rf)
    for line in rf.logical_lines:
        assert (line.kind is LineKind.INVALID) == (line.error is not None)
        assert "Pinwise could not parse" not in (line.error.message if line.error else "")
        # an expansion's value never shows: the raw text keeps the `${NAME}` reference
        if line.expanded:
            assert "${PW_TOKEN_NAME}" in line.raw_text, line


def test_parser_properties() -> None:
    run_property("parser: never raises, ranges inside, line ownership", _parse_props)


@FUZZ
@given(data=st.binary(max_size=300))
@counted("decode and load: never raise on any bytes")
def _bytes_props(data: bytes) -> None:
    decoded = decode(data)
    assert isinstance(decoded.text, str)
    rf = load("/fuzz/requirements.txt", reader=lambda path: data)
    check_ranges(rf)
    if rf.read_error is None:
        check_lines("".join(p.text + p.terminator for p in rf.lines), rf)


def test_bytes_properties() -> None:
    run_property("decode and load: never raise on any bytes", _bytes_props)


@FUZZ
@given(
    texts=st.dictionaries(
        st.sampled_from(["a.txt", "b.txt", "c.txt"]),
        st.lists(
            st.sampled_from(["-r a.txt", "-r b.txt", "-c c.txt", "-r missing.txt", "x==1", "#"]),
            max_size=4,
        ).map("\n".join),
        min_size=1,
    )
)
@counted("load_set: includes (cycles, diamonds, missing) never raise")
def _include_props(texts: dict[str, str]) -> None:
    def reader(path: str) -> str:
        name = path.rsplit("/", 1)[-1]
        if name not in texts:
            raise FileNotFoundError(2, "No such file or directory", path)
        return texts[name]

    reqset = load_set([f"/fuzz/{next(iter(texts))}"], reader=reader, cwd="/fuzz")
    for rf in reqset.files.values():
        check_ranges(rf)
    for edge, _why in reqset.missing:
        assert edge.target.rsplit("/", 1)[-1] not in texts
    assert set(reqset.files) <= {f"/fuzz/{name}" for name in texts}


def test_include_properties() -> None:
    run_property("load_set: includes (cycles, diamonds, missing) never raise", _include_props)
