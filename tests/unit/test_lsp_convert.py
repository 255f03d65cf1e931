"""The language server converts only the findings that are not the very same objects as at the
last conversion (`diagnostics._convert`): after any change of the list the diagnostics and the
text sent must be what a fresh conversion gives."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pygls.io_ import StdoutWriter

from pinwise.analysis.model import Finding, Severity
from pinwise.lsp import diagnostics, wire
from pinwise.lsp.documents import lines_for
from pinwise.lsp.prelude import Conversion
from pinwise.lsp.state import DocState
from pinwise.spans import Span

PATH = "/proj/requirements.txt"
OTHER = "/proj/other.txt"
URI = "file:///proj/requirements.txt"
TEXT = ["alpha==1.0", "béta==2", "${FOO}==1", "gamma  # x", "delta"]


class _Codec:
    @staticmethod
    def client_num_units(chars: str) -> int:
        return sum(2 if ord(c) > 0xFFFF else 1 for c in chars)


def _server(stdout: bool = False) -> Any:
    """A server whose writer is a byte sink, or (`stdout`) pygls' writer of stdio over one
    (written in pieces: `wire.pieces`)."""
    workspace = SimpleNamespace(position_codec=_Codec())
    sink = io.BytesIO()
    writer = StdoutWriter(sink) if stdout else sink
    protocol = SimpleNamespace(writer=writer, CHARSET="utf-8", CONTENT_TYPE="x", _send_data=None)
    return SimpleNamespace(
        sink=sink,
        workspace=workspace,
        open_paths={PATH: URI},
        protocol=protocol,
        docs={},
        prelude_conversions={},
    )


def _doc(ls: Any, other: str = "x") -> DocState:
    doc = DocState(uri=URI, path=PATH)
    doc.lines = lines_for(ls.workspace, TEXT)
    _set_other(ls, doc, other)
    ls.docs[URI] = doc
    return doc


def _set_other(ls: Any, doc: DocState, other: str) -> None:
    """What the related places in the other file depend on: its text, whether it is open."""
    lines = (SimpleNamespace(text=other, terminator=""),)
    doc.reqset = SimpleNamespace(files={OTHER: SimpleNamespace(lines=lines)})  # type: ignore[assignment]
    if other.startswith("\U0001f600"):
        ls.open_paths[OTHER] = "file:///proj/other.txt?open"
    else:
        ls.open_paths.pop(OTHER, None)


def _finding(i: int) -> Finding:
    line = i % len(TEXT)
    related: tuple[tuple[str, Span, str], ...] = ()
    if i % 3 == 1:
        related = ((PATH, Span.on_line((line + 1) % len(TEXT), 0, 3), "first here"),)
    elif i % 3 == 2:
        related = ((OTHER, Span.on_line(0, 0, 1), "elsewhere"),)
    return Finding(
        code=f"PW00{1 + i % 9}",
        severity=Severity.WARNING,
        message=f"finding {i}",
        path=PATH,
        span=Span.on_line(line, 0, 1 + i % 4),
        name="alpha" if i % 2 else None,
        related=related,
    )


POOL = [_finding(i) for i in range(30)]


def _convert(ls: Any, doc: DocState, findings: list[Finding], own: int) -> tuple[Any, bytes]:
    doc.findings = tuple(findings)
    doc.diagnostics = diagnostics._convert(ls, doc, own)
    ls.sink.seek(0)
    ls.sink.truncate()
    assert diagnostics._write_serialised(ls, doc, {"uri": URI, "version": 1})
    return doc.diagnostics.payload, ls.sink.getvalue()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    lists=st.lists(
        st.tuples(
            st.lists(st.sampled_from(POOL), max_size=25),
            st.integers(0, 25),
            st.sampled_from(["x", "\U0001f600x", "\u00e9x"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_reused_conversions_equal_a_fresh_one(
    lists: list[tuple[list[Finding], int, str]],
) -> None:
    # findings out of place looked up by id: 64 in the server; written to a stream without a
    # descriptor in pieces of 64 KB in the server
    saved = diagnostics._SHIFTED, wire.PIECE
    diagnostics._SHIFTED, wire.PIECE = 2, 200
    try:
        ls = _server(stdout=True)
        doc = _doc(ls)
        for findings, size, other in lists:
            own = min(size, len(findings))
            _set_other(ls, doc, other)
            payload, sent = _convert(ls, doc, findings, own)
            fresh_ls = _server()
            fresh_payload, fresh_sent = _convert(fresh_ls, _doc(fresh_ls, other), findings, own)
            assert payload == fresh_payload
            assert sent == fresh_sent
            header, _, body = sent.partition(b"\r\n\r\n")
            assert int(header.split(b"\r\n")[0].split(b": ")[1]) == len(body)
            assert json.loads(body)["params"]["diagnostics"] == payload
            # the texts are what `json.dumps` makes of the JSON data of `to_json`
            doc.findings = tuple(findings)
            expected = [diagnostics.to_json(ls, doc, f) for f in findings]
            assert payload == expected
            assert [json.loads(t) for t in doc.diagnostics.texts] == expected
    finally:
        diagnostics._SHIFTED, wire.PIECE = saved


def test_pieces_join_into_the_parts_and_never_cut_one() -> None:
    parts = [bytes([65 + i % 26]) * (1 + (i * 37) % 300) for i in range(200)]
    pieces = list(wire.pieces(parts))
    assert b"".join(pieces) == b"".join(parts)
    assert all(len(p) >= wire.PIECE for p in pieces[:-1]) or len(pieces) == 1
    saved = wire.PIECE
    wire.PIECE = 500
    try:
        pieces = list(wire.pieces(parts))
        assert len(pieces) > 10 and b"".join(pieces) == b"".join(parts)
        assert all(500 <= len(p) < 500 + 300 for p in pieces[:-1])
    finally:
        wire.PIECE = saved


def test_unchanged_findings_are_not_converted_again(monkeypatch: Any) -> None:
    ls = _server()
    doc = _doc(ls)
    findings = [POOL[i] for i in range(0, 30, 3)]  # none related to another file
    _convert(ls, doc, findings, len(findings))
    converted: list[Finding] = []
    original = diagnostics.to_texts

    def counted(ls: Any, doc: DocState, batch: Sequence[Finding], *args: Any) -> Any:
        converted.extend(batch)
        return original(ls, doc, batch, *args)

    monkeypatch.setattr(diagnostics, "to_texts", counted)
    findings[4] = POOL[1]
    _convert(ls, doc, findings, len(findings))
    assert converted == [POOL[1]]
    converted.clear()
    del findings[2]
    _convert(ls, doc, findings, len(findings))
    assert converted == []


def test_findings_of_the_version_before_the_last_are_not_converted_again(monkeypatch: Any) -> None:
    """Enter then Backspace near the top of a big file: every row below moves and moves back,
    and the analysis hands back the findings of two versions ago."""
    monkeypatch.setattr(diagnostics, "_SHIFTED", 2)  # more changed than this: looked up by id
    ls = _server()
    doc = _doc(ls)
    before = [POOL[i] for i in range(0, 30, 3)]
    after = [POOL[i] for i in range(1, 30, 3)]
    _convert(ls, doc, before, len(before))
    _convert(ls, doc, after, len(after))
    converted: list[Finding] = []
    original = diagnostics.to_texts

    def counted(ls: Any, doc: DocState, batch: Sequence[Finding], *args: Any) -> Any:
        converted.extend(batch)
        return original(ls, doc, batch, *args)

    monkeypatch.setattr(diagnostics, "to_texts", counted)
    _convert(ls, doc, after, len(after))  # the same findings again (an includer composing)
    assert converted == []
    _convert(ls, doc, before, len(before))
    assert converted == []
    # related places in another file are always converted again (its text may have changed)
    mixed = [POOL[2], *before]
    _convert(ls, doc, mixed, len(mixed))
    assert converted == [POOL[2]]


def test_the_first_conversion_starts_from_the_preludes() -> None:
    """A document's first conversion reuses the start-up prelude's text (and range) of each
    finding that is the very same object, except those naming a place in another file; the
    prelude's conversion is used once."""
    findings = POOL[:12]
    fresh_ls = _server()
    fresh_doc = _doc(fresh_ls)
    expected, _ = _convert(fresh_ls, fresh_doc, findings, len(findings))
    foreign = {i for i, f in enumerate(findings) if any(p == OTHER for p, _, _ in f.related)}
    assert foreign and len(foreign) < len(findings)
    marked = [
        text if i in foreign else text.replace(b'"finding ', b'"from the prelude ')
        for i, text in enumerate(fresh_doc.diagnostics.texts)
    ]
    ls = _server()
    ls.prelude_conversions[URI] = Conversion(
        tuple(findings), marked, list(fresh_doc.diagnostics.ranges), frozenset(foreign)
    )
    doc = _doc(ls)
    new = _finding(40)  # not in the prelude's conversion: converted
    payload, _ = _convert(ls, doc, [*findings, new], len(findings) + 1)
    for i, diagnostic in enumerate(payload[:-1]):
        wanted = dict(expected[i])
        if i not in foreign:
            wanted["message"] = wanted["message"].replace("finding ", "from the prelude ")
        assert diagnostic == wanted, i
    assert payload[-1]["message"] == "finding 40"
    assert ls.prelude_conversions == {}
    # then from the server's own conversions
    again, _ = _convert(ls, doc, findings, len(findings))
    assert [d["message"] for d in again] == [d["message"] for d in payload[:-1]]


def test_separated_is_what_join_is_made_of() -> None:
    for texts in ([], [b"a"], [b"a", b"bc"], [b"x"] * 5):
        assert b"".join(wire.separated(texts)) == b", ".join(texts)


def test_a_write_failing_after_the_first_piece_is_a_broken_pipe() -> None:
    parts = [b"x" * 100] * 10
    for failing_call, expected in ((1, OSError), (2, BrokenPipeError), (5, BrokenPipeError)):

        def write(data: bytes, calls: list[bytes] = [], failing_call: int = failing_call) -> None:  # noqa: B006
            calls.append(data)
            if len(calls) == failing_call:
                raise OSError(5, "Input/output error")

        saved = wire.PIECE
        wire.PIECE = 150
        try:
            with pytest.raises(OSError) as raised:
                wire.write_pieces(write, parts)
        finally:
            wire.PIECE = saved
        assert type(raised.value) is expected  # the first piece failing: nothing was cut short


def _drain(fd: int, out: list[bytes]) -> None:
    while chunk := os.read(fd, 1 << 16):
        out.append(chunk)


def test_a_message_written_vectored_to_a_pipe_arrives_whole() -> None:
    # more parts than one `writev` takes, and more bytes than the pipe holds at once
    parts = [bytes([65 + i % 26]) * (1 + (i * 37) % 300) for i in range(3000)]
    read_end, write_end = os.pipe()
    received: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_end, received))
    reader.start()
    with open(write_end, "wb") as stream:
        stream.write(b"before ")  # held by the stream's buffer: it must come first
        wire.write_vectored(stream, parts)
        stream.write(b" after")
    reader.join(10)
    os.close(read_end)
    assert b"".join(received) == b"before " + b"".join(parts) + b" after"


def test_a_short_write_is_resumed_where_it_stopped(monkeypatch: Any) -> None:
    written: list[bytes] = []

    def writev(fd: int, buffers: list[Any]) -> int:  # at most 7 bytes a call, as a pipe may
        data = b"".join(bytes(b) for b in buffers)[:7]
        written.append(data)
        return len(data)

    monkeypatch.setattr(wire.os, "writev", writev)
    monkeypatch.setattr(wire, "_IOV_MAX", 3)
    parts = [b"abc", b"", b"defghijkl", b"m", b"nopqrstuvwxyz" * 3]
    wire._writev_all(99, parts)
    assert b"".join(written) == b"".join(parts)


def test_a_vectored_write_failing_midway_is_a_broken_pipe(monkeypatch: Any) -> None:
    calls: list[int] = []

    def writev(fd: int, buffers: list[Any]) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return 4

    monkeypatch.setattr(wire.os, "writev", writev)
    with pytest.raises(BrokenPipeError):
        wire._writev_all(99, [b"x" * 10])
    calls.clear()
    monkeypatch.setattr(
        wire.os, "writev", lambda fd, buffers: (_ for _ in ()).throw(OSError(5, "EIO"))
    )
    with pytest.raises(OSError) as raised:  # nothing written: the stream is not lost
        wire._writev_all(99, [b"x" * 10])
    assert type(raised.value) is OSError


def test_a_stream_without_a_descriptor_is_written_in_pieces() -> None:
    sink = io.BytesIO()
    parts = [b"a" * 100, b"b" * 100]
    wire.write_vectored(sink, parts)
    assert sink.getvalue() == b"".join(parts)


def test_findings_sharing_their_related_places_share_its_text() -> None:
    ls = _server()
    doc = _doc(ls)
    related = ((PATH, Span.on_line(1, 0, 2), "first requirement of alpha"),)
    findings = [
        Finding(
            "PW004", Severity.WARNING, f"dup {i}", PATH, Span.on_line(i % 3, 0, 1), related=related
        )
        for i in range(5)
    ]
    doc.findings = tuple(findings)
    texts = diagnostics._convert(ls, doc, len(findings)).texts
    assert [json.loads(t) for t in texts] == [diagnostics.to_json(ls, doc, f) for f in findings]
    sections: wire.RelatedSections = {}
    lines = doc.lines
    assert lines is not None
    made = [wire.diagnostic_text(f, lines, lambda p, s: "{}", sections)[0] for f in findings]
    assert [k for k in sections if isinstance(k, int)] == [id(related)]  # written once
    assert all('"relatedInformation": [{"location": {}' in text for text in made)


def test_a_non_blocking_pipe_is_written_whole() -> None:
    # a client may leave the descriptor non-blocking: a full pipe is waited for, not an error
    parts = [bytes([65 + i % 26]) * 500 for i in range(1000)]  # 500 KB: far more than a pipe
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    received: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_end, received))
    reader.start()
    with open(write_end, "wb", buffering=0) as stream:
        wire.write_vectored(stream, parts)
    reader.join(10)
    os.close(read_end)
    assert b"".join(received) == b"".join(parts)
