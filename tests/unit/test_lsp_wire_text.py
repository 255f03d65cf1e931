"""The language server sends each diagnostic as text made directly (`wire.diagnostic_text`),
the start-up prelude as `json.dumps` of `wire.diagnostic_json`: the two must be the same bytes
for every finding, whatever its message, name, related places, code or severity."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.analysis.model import RULES, Finding, Severity
from pinwise.lsp import wire
from pinwise.lsp.documents import Lines
from pinwise.spans import Position, Span

TEXT = ["alpha==1.0", "béta==2  # ☃", "${FOO}==1", "\U0001f600 x", "", "gamma \\", "  delta"]
OTHER_TEXT = ["\U0001f600\U0001f600==1", "plain"]
HERE, OTHER = "/proj/requirements.txt", "/proj/é other.txt"
URIS = {HERE: "file:///proj/requirements.txt", OTHER: "file:///proj/%C3%A9%20other.txt"}
UNITS = {"utf-16": wire.num_units("utf-16"), "utf-8": wire.num_units("utf-8")}

text_values = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from('"\\\n\t\x00/'),
    max_size=30,
)
rows = st.integers(-1, len(TEXT) + 1)
columns = st.integers(0, 40)


@st.composite
def spans(draw: Any) -> Span:
    start = Position(draw(rows), draw(columns))
    end = Position(draw(st.integers(start.line, start.line + 2)), draw(columns))
    return Span(start, end)


findings = st.builds(
    Finding,
    code=st.sampled_from(sorted(RULES)),
    severity=st.sampled_from(list(Severity)),
    message=text_values,
    path=st.just(HERE),
    span=spans(),
    name=st.none() | text_values,
    related=st.lists(
        st.tuples(st.sampled_from([HERE, OTHER]), spans(), text_values), max_size=3
    ).map(tuple),
)


@settings(max_examples=500, deadline=None, database=None)
@given(finding=findings, encoding=st.sampled_from(sorted(UNITS)))
def test_the_text_is_json_dumps_of_the_json(finding: Finding, encoding: str) -> None:
    files = {HERE: Lines(TEXT, UNITS[encoding]), OTHER: Lines(OTHER_TEXT, UNITS[encoding])}

    def related_place(path: str, span: Span) -> dict[str, Any]:
        return {"uri": URIS[path], "range": wire.json_range(files[path], span)}

    def related_text(path: str, span: Span) -> str:
        return wire.location_text(URIS[path], wire.client_range(files[path], span))

    data = wire.diagnostic_json(finding, files[HERE], related_place)
    text, where = wire.diagnostic_text(finding, files[HERE], related_text)
    assert text == json.dumps(data)
    assert text.isascii()
    start, end = data["range"]["start"], data["range"]["end"]
    assert where == (start["line"], start["character"], end["line"], end["character"])


@settings(max_examples=300, deadline=None)
@given(
    span=spans(),
    texts=st.lists(st.text(max_size=12) | st.sampled_from(TEXT), max_size=6),
    units=st.sampled_from(sorted(UNITS)),
)
def test_a_client_range_is_each_end_through_column_to_client(
    span: Span, texts: list[str], units: str
) -> None:
    # `client_range` inlines `Lines.column_to_client` (rows past either end: columns as they are)
    lines = Lines(texts, UNITS[units])
    expected = (
        span.start.line,
        lines.column_to_client(span.start.line, span.start.character),
        span.end.line,
        lines.column_to_client(span.end.line, span.end.character),
    )
    assert wire.client_range(lines, span) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(
    batch=st.lists(findings, max_size=8),
    repeat=st.lists(st.integers(0, 7), max_size=6),
    encoding=st.sampled_from(sorted(UNITS)),
    mapped=st.booleans(),
)
def test_texts_in_one_loop_are_the_texts_one_by_one(
    batch: list[Finding], repeat: list[int], encoding: str, mapped: bool
) -> None:
    # `diagnostic_texts` (a conversion of many findings) inlines `diagnostic_text`; findings
    # that say the same share their sections (the same `related` tuple, the same message)
    batch += [batch[i] for i in repeat if i < len(batch)]
    terminators = ["\n"] * len(TEXT)
    if mapped:  # a row ending at a break the client does not count: positions are mapped
        terminators[1] = "\x85"
    here = Lines(TEXT, UNITS[encoding], terminators)
    assert here.mapped is mapped
    files = {HERE: here, OTHER: Lines(OTHER_TEXT, UNITS[encoding])}

    def related_text(path: str, span: Span) -> str:
        return wire.location_text(URIS[path], wire.client_range(files[path], span))

    one_by_one = []
    for finding in batch:
        text, where = wire.diagnostic_text(finding, here, related_text)
        one_by_one.append((text.encode("ascii"), where))
    assert list(wire.diagnostic_texts(batch, here, related_text, {})) == one_by_one
