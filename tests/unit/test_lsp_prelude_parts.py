"""The pure parts of the start-up prelude and of the settings it parses before pygls loads: the
replayed stdin, the stdout that drops the second answer to `initialize`, the hand-written
settings parser, the position-encoding unit counters (they must count as pygls' codec does)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.workspace.position_codec import PositionCodec
from pygls.workspace.text_document import TextDocument
from tests.support.builders import make_venv, pip_install, site_packages
from tests.support.jsonrpc import frame, messages

from pinwise import environment
from pinwise.analysis.model import Settings
from pinwise.lsp import folders, wire
from pinwise.lsp import prelude as prelude_module
from pinwise.lsp.compute import Inputs
from pinwise.lsp.diagnostics import _published_by_prelude
from pinwise.lsp.prelude import (
    PUBLISH,
    Conversion,
    DropResponseStream,
    Handover,
    Prelude,
    ReplayStream,
    _FullServerImport,
    _Opened,
    apply_changes,
)
from pinwise.lsp.server import PinwiseServer, start_from_prelude
from pinwise.lsp.settings import FolderSettings, parse_folder_settings
from pinwise.lsp.state import DiagnosticList, DocState, EnvState
from pinwise.lsp.wire import num_units

ROOT = Path(__file__).resolve().parents[2]


def test_replay_stream_gives_the_kept_frames_then_the_stream() -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize"}).encode()
    kept = frame({"id": 1, "method": "initialize"}) + b"Content-Length: 2\r\n\r\n{}"
    replay = ReplayStream(kept, io.BytesIO(b"rest\nmore"))
    assert replay.readline() == b"Content-Length: %d\r\n" % len(body)
    assert replay.readline() == b"\r\n"
    assert replay.read(len(body)) == body
    assert replay.readline() == b"Content-Length: 2\r\n"
    assert replay.readline() == b"\r\n"
    assert replay.read(4) == b"{}re"  # the kept bytes run out mid-read: the stream follows
    assert replay.readline() == b"st\n"
    assert replay.read(-1) == b"more"
    assert replay.read(5) == b""


def test_replay_stream_completes_a_line_the_kept_bytes_cut() -> None:
    replay = ReplayStream(b"Content-Len", io.BytesIO(b"gth: 5\r\n"))
    assert replay.readline() == b"Content-Length: 5\r\n"


def test_drop_response_stream_drops_only_the_answer_to_initialize() -> None:
    out = io.BytesIO()
    stream = DropResponseStream(out, 1)
    log = frame({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"id": 1}})
    answer = frame({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}})
    stream.write(log)
    stream.write(answer)
    stream.write(answer)  # a later response with that id (the client reused it) goes through
    assert out.getvalue() == log + answer


def test_drop_response_stream_without_prelude_answer_drops_nothing() -> None:
    out = io.BytesIO()
    answer = frame({"jsonrpc": "2.0", "id": 1, "result": None})
    DropResponseStream(out, None).write(answer)
    assert out.getvalue() == answer


@pytest.mark.parametrize(
    "first",
    [
        b"",  # the client closed stdin at once
        b"garbage\r\n\r\n",  # no Content-Length
        b"Content-Length: 5\r\n\r\n{nope",  # not JSON
        frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),  # not initialize
    ],
)
def test_the_prelude_keeps_what_it_cannot_handle_for_the_full_server(first: bytes) -> None:
    out = io.BytesIO()
    handover = Prelude(io.BytesIO(first + b"after"), out).run()
    assert out.getvalue() == b""  # nothing answered
    assert handover.stdin.read(-1) == first + b"after"  # every byte, in order
    assert not handover.published


def test_the_prelude_answers_initialize_and_hands_over_at_a_request() -> None:
    request = frame({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {}})
    params = {"capabilities": {}}
    initialize = frame({"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": params})
    out = io.BytesIO()
    handover = Prelude(io.BytesIO(initialize + request), out).run()
    _, _, body = out.getvalue().partition(b"\r\n\r\n")
    answer = json.loads(body)
    assert answer["id"] == "a" and answer["result"]["capabilities"]["positionEncoding"] == "utf-16"
    assert handover.stdin.read(-1) == initialize + request


@pytest.mark.parametrize(
    "params",
    [
        {},  # no capabilities
        {"capabilities": {}, "processId": "abc"},
        {"capabilities": {"textDocument": 5}},
        {"capabilities": {}, "trace": "loud"},
        {"capabilities": {}, "clientInfo": {"version": "1"}},
        [],
    ],
)
def test_an_initialize_pygls_refuses_is_left_to_the_full_server(params: Any) -> None:
    """The prelude answering it would tell the client all is well, and then the full server,
    which cannot read it, never initialises: it must say so itself. (Each case is checked
    against what pygls' converter refuses.)"""
    from lsprotocol import types
    from pygls.protocol import default_converter

    with pytest.raises(Exception):  # noqa: B017  (cattrs' errors vary)
        default_converter().structure(params, types.InitializeParams)
    initialize = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
    out = io.BytesIO()
    handover = Prelude(io.BytesIO(initialize), out).run()
    assert out.getvalue() == b""
    assert handover.stdin.read(-1) == initialize


def test_an_initialize_pygls_reads_is_answered() -> None:
    from lsprotocol import types
    from pygls.protocol import default_converter

    for params in (
        {"capabilities": {}},
        {"capabilities": {"workspace": {}}, "processId": None, "trace": "off"},
        {"capabilities": {}, "processId": 7, "clientInfo": {"name": "nvim"}, "rootUri": None},
    ):
        default_converter().structure(params, types.InitializeParams)  # pygls reads it
        initialize = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        out = io.BytesIO()
        Prelude(io.BytesIO(initialize), out).run()
        assert b'"result"' in out.getvalue(), params


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_unit_counters_count_as_pygls(encoding: str) -> None:
    codec = PositionCodec(encoding)
    for text in ["", "abc", "café", "😀x", "\U0010ffff", "\ud800"]:
        assert num_units(encoding)(text) == codec.client_num_units(text), text


def test_settings_parse_by_hand() -> None:
    settings = parse_folder_settings(
        {
            "interpreter": "",
            "severity": {"PW001": "error"},
            "ignore": ["PW002"],
            "select": ["PW001", "PW002"],
            "debounceMs": 0,
            "somethingNew": True,  # unknown keys are ignored, as before
        }
    )
    assert settings == FolderSettings(
        interpreter=None,
        severity={"PW001": "error"},
        ignore=("PW002",),
        select=("PW001", "PW002"),
        debounce_ms=0,
    )
    assert parse_folder_settings({}) == FolderSettings()
    assert parse_folder_settings(None) == FolderSettings()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"debounceMs": "1"}, "pinwise.debounceMs: unexpected value '1'"),
        ({"debounceMs": True}, "pinwise.debounceMs: unexpected value True"),
        ({"debounceMs": 20000}, "pinwise.debounceMs: 20000 is not within 0..10000"),
        ({"ignore": "PW001"}, "pinwise.ignore: unexpected value 'PW001'"),
        ({"ignore": [1]}, "pinwise.ignore: unknown rule code 1"),
        ({"select": ["PW999"]}, "unknown rule code 'PW999'"),
        ({"severity": {"PW001": 3}}, "pinwise.severity.PW001: 3 is not one of"),
        ({"severity": {"PW001": "loud"}}, "pinwise.severity.PW001: 'loud' is not one of"),
        ({"severity": {"XX1": "error"}}, "unknown rule code 'XX1'"),
        ({"interpreter": 3}, "pinwise.interpreter: unexpected value 3"),
        ([], "the pinwise settings must be an object"),
    ],
)
def test_bad_settings_say_which_key(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_folder_settings(data)


def test_input_times_out_and_keeps_what_it_read() -> None:
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(read_end, "rb", buffering=0) as stream:
            os.write(write_end, b'Content-Length: 10\r\n\r\n{"a"')
            prelude = Prelude(stream, io.BytesIO())
            started = time.monotonic()
            raw, body = prelude._read_frame(time.monotonic() + 0.2)
            assert body is None and 0.15 < time.monotonic() - started < 5
            assert raw == b"Content-Length: 10\r\n\r\n"  # the header; the body waits in the buffer
            os.write(write_end, b": 1}" + b"next")
            assert prelude.stdin.read(4) == b'{"a"'
            assert prelude.stdin.read(4, time.monotonic() + 5) == b": 1}"
            assert prelude.stdin.leftover() == b"next"  # read ahead, handed to the full server
    finally:
        os.close(write_end)


def test_input_hands_over_what_it_read_ahead() -> None:
    read_end, write_end = os.pipe()
    first = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
    second = frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    os.write(write_end, first + second)  # one read gets both: the second is read ahead
    os.close(write_end)
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        handover = Prelude(stream, io.BytesIO()).run()
        assert handover.stdin.read(-1) == first + second


def _opening(tmp_path: Path, options: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """initialize (no interpreter, `options` added), initialized, and the didOpen of
    `tmp_path/requirements.txt`, written with `alpha` (version 1)."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("alpha\n")
    document = {
        "uri": requirements.as_uri(),
        "languageId": "pip-requirements",
        "version": 1,
        "text": "alpha\n",
    }
    init_options = {"interpreter": str(tmp_path / "no-python"), **(options or {})}
    return [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "rootUri": tmp_path.as_uri(),
                "capabilities": {},
                "initializationOptions": init_options,
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}},
    ]


def _over_a_pipe(messages: list[dict[str, Any]]) -> tuple[bytes, bool, bytes, bytes]:
    """Run the prelude over a pipe holding `messages` (all there before it starts, as when the
    user types at once, then the end of input): (what it wrote, whether it published, what the
    full server would read, every byte the client sent)."""
    sent = b"".join(frame(m) for m in messages)
    read_end, write_end = os.pipe()
    os.write(write_end, sent)
    os.close(write_end)
    out = io.BytesIO()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        handover = Prelude(stream, out).run()
        return out.getvalue(), handover.published, handover.stdin.read(-1), sent


def _session(tmp_path: Path, after_open: list[dict[str, Any]]) -> tuple[bytes, bool, bytes, bytes]:
    """`_over_a_pipe` of the opening of `tmp_path/requirements.txt`, then `after_open`."""
    return _over_a_pipe([*_opening(tmp_path), *after_open])


def _edit(uri: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": "alpha==1\n"}],
        },
    }


def test_an_edit_during_the_first_analysis_means_no_stale_publication(tmp_path: Path) -> None:
    uri = (tmp_path / "requirements.txt").as_uri()
    written, published, replayed, sent = _session(tmp_path, [_edit(uri)])
    assert b"publishDiagnostics" not in written and not published
    assert replayed == sent  # every frame for the full server, in order


def test_other_messages_during_the_first_analysis_do_not_stop_it(tmp_path: Path) -> None:
    other = _edit((tmp_path / "other.txt").as_uri())
    written, published, replayed, sent = _session(tmp_path, [other])
    assert written.count(b"publishDiagnostics") == 1 and published
    assert replayed == sent


def test_a_frame_too_deep_for_json_is_kept_for_the_full_server() -> None:
    initialize = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
    deep = b"[" * 100_000 + b"]" * 100_000
    odd = b"Content-Length: %d\r\n\r\n" % len(deep) + deep
    handover = Prelude(io.BytesIO(initialize + odd), io.BytesIO()).run()
    assert handover.stdin.read(-1) == initialize + odd


# -- edits the prelude applies while the full server is imported --------------------------------

_CHARACTERS = st.sampled_from(["a", "=", " ", "é", "😀", "\n", "\r\n", "\r", "\x0c", "\u2028"])
# an editor's lines: they end at \r\n, \r and \n only (a form feed or U+2028 is within one)
EDITOR_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_TEXTS = st.lists(_CHARACTERS, max_size=12).map("".join)
_ENCODINGS = ["utf-8", "utf-16", "utf-32"]


@st.composite
def _change(draw: st.DrawFn, text: str, encoding: str) -> dict[str, Any]:
    """A change an editor could send for `text`, mostly: positions within their lines, with
    some past a line's end or past the last line; sometimes the whole text."""
    if draw(st.integers(0, 9)) == 0:
        return {"text": draw(_TEXTS)}
    lines = EDITOR_LINE.findall(text)

    def position() -> dict[str, int]:
        row = draw(st.integers(0, len(lines) + 1))
        width = num_units(encoding)(lines[row].rstrip("\r\n")) if row < len(lines) else 0
        return {"line": row, "character": draw(st.integers(0, width + 1))}

    return {"range": {"start": position(), "end": position()}, "text": draw(_TEXTS)}


def _pygls_applies(text: str, changes: list[dict[str, Any]], encoding: str) -> str:
    """What the full server's document holds after the same changes (pygls' own code)."""
    document = TextDocument(
        "file:///r.txt",
        source=text,
        sync_kind=types.TextDocumentSyncKind.Incremental,
        position_codec=PositionCodec(encoding),
    )
    params = default_converter().structure(
        {"textDocument": {"uri": document.uri, "version": 2}, "contentChanges": changes},
        types.DidChangeTextDocumentParams,
    )
    for change in params.content_changes:
        document.apply_change(change)
    return document.source


def _within_lines(text: str, changes: list[dict[str, Any]], encoding: str) -> bool:
    """Whether every change is a whole text, or a forward range of positions each within its
    line or at the start of the row after the last (as editors send them)."""
    for change in changes:
        if "range" in change:
            lines = EDITOR_LINE.findall(text)
            ends = []
            for position in (change["range"]["start"], change["range"]["end"]):
                row, column = position["line"], position["character"]
                if row == len(lines) and column == 0:  # the empty row after the last line end
                    ends.append((row, column))
                    continue
                if row >= len(lines):
                    return False
                content = lines[row].rstrip("\r\n")
                if column > num_units(encoding)(content):
                    return False
                ends.append((row, column))
            if ends[1] < ends[0]:
                return False
        text = _pygls_applies(text, [change], encoding)
    return True


@settings(max_examples=500, deadline=None, database=None)
@given(text=_TEXTS, encoding=st.sampled_from(_ENCODINGS), data=st.data())
def test_the_prelude_applies_edits_as_pygls(text: str, encoding: str, data: st.DataObject) -> None:
    """What the prelude makes of an edit is what the full server's document will hold; it
    leaves nothing ordinary to the full server (only what pygls itself would misplace)."""
    changes = []
    edited = text
    for _ in range(data.draw(st.integers(1, 3))):
        changes.append(data.draw(_change(edited, encoding)))
        edited = _pygls_applies(edited, changes[-1:], encoding)
    applied = apply_changes(text, changes, encoding)
    if applied is not None:
        assert applied == edited
    if _within_lines(text, changes, encoding):
        assert applied is not None


@pytest.mark.parametrize(
    "changes",
    [
        None,
        [None],
        [{"range": {"start": {"line": 0, "character": 0}}, "text": "x"}],  # no end
        [{"range": {"start": {"line": 0, "character": -1}, "end": {"line": 0, "character": 0}}}],
        [{"range": None, "text": "x"}],
        [{"text": 3}],
        [
            {
                "range": {
                    "start": {"line": True, "character": 0},
                    "end": {"line": 0, "character": 0},
                },
                "text": "x",
            }
        ],
    ],
)
def test_malformed_edits_are_left_to_the_full_server(changes: Any) -> None:
    assert apply_changes("alpha\n", changes, "utf-16") is None


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (None, ((1, True), (3, True), (4, False), (2, False))),  # nothing known of what it sent
        ([b"{1}", b"{2}"], ((3, True), (4, False), (4, False))),  # other diagnostics than sent
        ([b"{1}", b"{3}"], ((2, True), (4, True), (4, True), (5, False), (4, False))),  # the same
        ([b"{1}", b"{3}"], ((5, False), (4, False))),  # past it (the prelude's went unread)
    ],
)
def test_the_full_server_publishes_no_version_older_than_the_preludes(
    sent: Optional[list[bytes]], expected: tuple[tuple[int, bool], ...]
) -> None:
    """Replaying the edits the prelude diagnosed, the full server meets their versions again:
    it does not publish those older than the prelude's last, nor the last with the very
    diagnostics the prelude published for it until it has published something else."""
    uri = "file:///r.txt"
    server = SimpleNamespace(
        prelude_versions={uri: 4}, prelude_published={} if sent is None else {uri: (4, sent)}
    )
    document = DocState(uri=uri, path="/r.txt")
    document.diagnostics = DiagnosticList([b"{1}", b"{3}"], [(0, 0, 0, 1), (2, 0, 2, 1)])
    for version, dropped in expected:
        document.analyzed_version = version
        assert _published_by_prelude(server, document) is dropped, version  # type: ignore[arg-type]
    assert server.prelude_versions == {}  # reached: later versions are the server's alone
    assert server.prelude_published == {}


def test_edits_the_prelude_applied_in_a_row_are_replayed_as_one() -> None:
    """The full server reads each run of edits the prelude applied as one `didChange` (the
    whole text after the run, the last version), so it neither applies each change nor
    analyses every version again; other frames, a lone edit and edits the prelude did not
    apply come as they were sent."""
    uri = "file:///w/requirements.txt"

    def edit(version: int, *changes: dict[str, Any]) -> dict[str, Any]:
        identifier = {"uri": uri, "version": version}
        params = {"textDocument": identifier, "contentChanges": list(changes)}
        return {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}

    at = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    opened = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
    hover = {"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": {}}
    edits = [edit(version, {"range": at, "text": "x"}) for version in range(2, 8)]
    sent = [opened, edits[0], edits[1], hover, edits[2], hover, edits[3], edits[4], edits[5]]
    prelude = Prelude(io.BytesIO(), io.BytesIO())
    prelude.kept = [frame(m) for m in sent]
    prelude.applied = {  # all but the last, with the text after each
        1: (edits[0], "x\n"),
        2: (edits[1], "xx\n"),
        4: (edits[2], "xxx\n"),
        6: (edits[3], "xxxx\n"),
        7: (edits[4], "xxxxx\n"),
    }
    replayed = prelude._replayed()
    assert messages(replayed) == [
        opened,
        edit(3, {"text": "xx\n"}),
        hover,
        edits[2],
        hover,
        edit(6, {"text": "xxxxx\n"}),
        edits[5],
    ]
    lone = frame(edits[2]) + frame(hover)
    assert lone in replayed  # a lone edit: the very frame sent
    assert replayed.endswith(frame(edits[5]))  # not applied: as it was sent
    prelude.applied = {}
    assert prelude._replayed() == b"".join(prelude.kept)


def _opened_document(tmp_path: Path) -> _Opened:
    path = str(tmp_path / "requirements.txt")
    inputs = Inputs(
        path=path,
        version=1,
        generation=-1,
        cwd=str(tmp_path),
        snapshot=None,
        settings=Settings(),
        buffers={path: "alpha\n"},
    )
    return _Opened((tmp_path / "requirements.txt").as_uri(), path, inputs, 0.0)


def _change_message(uri: str, **overrides: Any) -> dict[str, Any]:
    at = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    message: dict[str, Any] = {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": at, "text": "x"}],
        },
    }
    for key, value in overrides.items():
        target = message
        *path, last = key.split(".")
        for part in path:
            target = target[int(part) if isinstance(target, list) else part]
        target[last] = value
    return message


@pytest.mark.parametrize(
    ("overrides", "outcome"),
    [
        ({}, True),
        ({"params.contentChanges.0.rangeLength": 0}, True),
        ({"params.textDocument.version": -(2**31)}, True),
        # what pygls refuses or ignores: the full server's to judge, at once
        ({"params.textDocument.version": 2**31}, None),
        ({"params.contentChanges.0.range.start.line": 2**31}, None),
        ({"params.contentChanges.0.range.end.character": 2**31}, None),
        ({"params.contentChanges.0.rangeLength": -1}, None),
        ({"jsonrpc": "1.0"}, None),
        ({"id": 4}, None),  # a didChange with an id
        ({"params.textDocument.uri": "file:///elsewhere.txt"}, None),
        ({"method": "textDocument/didSave"}, None),
        ({"method": "textDocument/didClose"}, None),
        ({"method": "workspace/didChangeConfiguration"}, None),
        ({"method": "exit"}, None),
        # requests that only read: kept for the full server, serving goes on (VS Code asks
        # for these right after opening)
        ({"id": 5, "method": "textDocument/hover"}, False),
        ({"id": 5, "method": "textDocument/documentSymbol"}, False),
        ({"id": 5, "method": "textDocument/codeAction"}, False),
        ({"id": 5, "method": "codeAction/resolve"}, False),
        ({"id": 5, "method": "textDocument/documentLink"}, False),
        ({"id": 5, "method": "textDocument/completion"}, False),
        (
            {"id": 5, "method": "workspace/executeCommand", "params": {"command": "pinwise.stats"}},
            False,
        ),
        ({"id": 5, "result": None, "method": None}, False),  # a response
        (
            {
                "id": 6,
                "method": "workspace/executeCommand",
                "params": {"command": "pinwise.status"},
            },
            False,
        ),
        ({"method": "$/cancelRequest", "params": {"id": 5}}, False),
        # requests that may change what the analysis sees
        (
            {
                "id": 7,
                "method": "workspace/executeCommand",
                "params": {"command": "pinwise.installMissing"},
            },
            None,
        ),
        ({"id": 8, "method": "shutdown", "params": None}, None),
    ],
)
def test_what_the_prelude_does_with_a_message_while_serving(
    tmp_path: Path, overrides: dict[str, Any], outcome: Optional[bool]
) -> None:
    document = _opened_document(tmp_path)
    prelude = Prelude(io.BytesIO(), io.BytesIO())
    message = _change_message(document.uri, **overrides)
    assert prelude._edit(document, message) is outcome
    expected = "xalpha\n" if outcome else "alpha\n"
    assert document.inputs.buffers[document.path] == expected


class _HeldImport:
    """Stands in for the thread importing the full server: done when the test says so (the
    prelude serves until then)."""

    made: ClassVar[list[_HeldImport]] = []

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.done = threading.Event()
        self.server = None
        self.fd, self._signal = os.pipe()
        _HeldImport.made.append(self)

    def finish(self) -> None:
        self.done.set()
        os.write(self._signal, b".")

    def wait(self) -> None:
        self.done.wait(30)
        os.close(self.fd)
        os.close(self._signal)


def _read_until_published(stream: int, version: int, data: bytes = b"") -> bytes:
    """What the prelude wrote (after `data`, read before), read until the diagnostics of
    `version` came."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if select.select([stream], [], [], 0.1)[0]:
            data += os.read(stream, 1 << 20)
        found = messages(data) if data.endswith(b"}") else []
        if any(m.get("params", {}).get("version") == version for m in found):
            return data
    raise AssertionError(f"no diagnostics of version {version}: {data[-500:]!r}")


def test_the_prelude_serves_edits_until_the_full_server_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over pipes, as `pinwise serve` runs: two edits and a request that came during the first
    analysis (v1 is never published), an edit that comes later; each run of edits it applied
    is replayed as one, and the text the full server ends with is the prelude's."""
    monkeypatch.setattr(prelude_module, "_FullServerImport", _HeldImport)
    _HeldImport.made.clear()
    uri = (tmp_path / "requirements.txt").as_uri()

    def insert(version: int, text: str) -> dict[str, Any]:
        identifier = {"uri": uri, "version": version}
        params = {
            "textDocument": identifier,
            "contentChanges": [{"range": _AT_START, "text": text}],
        }
        return {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}

    hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    sent = [
        *_opening(tmp_path, {"settings": {"debounceMs": 0}}),
        insert(2, "beta==1.0\n"),
        insert(3, "gamma\n"),
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": hover},
    ]
    client_in, prelude_in = os.pipe()
    prelude_out, client_out = os.pipe()
    os.write(prelude_in, b"".join(frame(m) for m in sent))  # there before the prelude starts
    handovers = []
    with (
        os.fdopen(client_in, "rb", buffering=0) as stdin,
        os.fdopen(client_out, "wb", buffering=0) as stdout,
    ):
        worker = threading.Thread(
            target=lambda: handovers.append(Prelude(stdin, stdout).run()), daemon=True
        )
        worker.start()
        written = _read_until_published(prelude_out, 3)
        later = insert(4, "delta\n")
        os.write(prelude_in, frame(later))
        written = _read_until_published(prelude_out, 4, written)
        _HeldImport.made[0].finish()
        worker.join(30)
        os.close(prelude_in)
        (handover,) = handovers
        replayed = messages(handover.stdin.read(-1))
    os.close(prelude_out)
    published = [m["params"] for m in messages(written) if m.get("method") == PUBLISH]
    assert [p["version"] for p in published] == [3, 4]  # v1 and v2 were stale when diagnosed
    rows = [(d["code"], d["range"]["start"]["line"]) for d in published[-1]["diagnostics"]]
    assert sorted(rows) == [("PW001", 0), ("PW001", 1), ("PW001", 3)], rows  # delta gamma alpha
    assert handover.versions == {uri: 4}
    # as sent, but v2 and v3 (applied in a row) as one didChange of the whole text; v4 alone,
    # after the request, as it was sent
    merged = insert(3, "")
    merged["params"]["contentChanges"] = [{"text": "gamma\nbeta==1.0\nalpha\n"}]
    assert replayed == [*sent[:3], merged, sent[5], later]
    text = "alpha\n"
    for message in replayed:
        if message.get("method") == "textDocument/didChange":
            text = _pygls_applies(text, message["params"]["contentChanges"], "utf-16")
    assert text == "delta\ngamma\nbeta==1.0\nalpha\n"


_AT_START = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


def test_the_full_server_is_made_and_prepared_in_a_thread(caplog: pytest.LogCaptureFixture) -> None:
    """The thread creates the server and structures the messages it will read first; one it
    cannot read (an `initialize` pygls refuses) neither stops that nor is logged there (the
    full server says so when it reads it for real)."""
    bad = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": "abc"}}
    good = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
    caplog.set_level(logging.DEBUG, logger="pygls")
    making = _FullServerImport([bad, good])
    assert select.select([making.fd], [], [], 60)[0], "the thread never said it was done"
    making.wait()
    assert isinstance(making.server, PinwiseServer)
    assert not [r for r in caplog.records if r.name == "pygls.protocol.json_rpc"]
    assert not logging.getLogger("pygls.protocol.json_rpc").disabled


@pytest.mark.parametrize(
    "change", [{"jsonrpc": None}, {"version": 2**31}, {"version": None}, {"version": True}]
)
def test_an_open_pygls_would_refuse_is_left_to_the_full_server(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    """pygls ignores a `didOpen` without `"jsonrpc": "2.0"` and refuses one whose version is
    not an LSP integer: the full server never opens that document, so the prelude must not
    diagnose it either."""
    messages = _opening(tmp_path)
    opened = messages[2]
    opened["jsonrpc"] = change.get("jsonrpc", "2.0")
    opened["params"]["textDocument"]["version"] = change.get("version", 1)
    written, published, replayed, sent = _over_a_pipe(messages)
    assert b"publishDiagnostics" not in written and not published
    assert replayed == sent


def test_asyncio_is_imported_without_tls_then_ssl_loads_as_usual() -> None:
    """In a fresh interpreter, as `pinwise serve` starts: asyncio imported with ssl held off
    works without it (its TLS support off, its subprocesses fine); then `import ssl` loads."""
    script = (
        "import sys\n"
        "from pinwise.lsp import import_asyncio_without_tls\n"
        "import_asyncio_without_tls()\n"
        "import asyncio, asyncio.sslproto\n"
        "assert asyncio.sslproto.ssl is None and '_ssl' not in sys.modules\n"
        "assert 'ssl' not in sys.modules  # allowed again\n"
        "async def child():\n"
        "    proc = await asyncio.create_subprocess_exec(sys.executable, '-c', 'print(7)',\n"
        "                                                stdout=asyncio.subprocess.PIPE)\n"
        "    return (await proc.communicate())[0]\n"
        "assert asyncio.run(child()).strip() == b'7'\n"
        "import ssl\n"
        "assert ssl.SSLContext\n"
        "import_asyncio_without_tls()  # imported already: nothing to do\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "ok", done.stderr


def _inspected_by_prelude(python: Path, trusted: bool = True) -> tuple[Any, Any]:
    """What the prelude keeps of its inspection of `python`'s environment for the server."""
    prelude = Prelude(io.BytesIO(), io.BytesIO())
    done, snapshot = prelude._inspect(str(python), trusted)
    assert done and snapshot is not None
    kept: tuple[Any, Any] = prelude.environments.get((str(python), trusted), (snapshot, None))
    return kept


def _load_env(python: Path, trusted: bool, kept: dict[tuple[str, bool], Any]) -> EnvState:
    """The full server's first inspection of the environment, the prelude's `kept`."""
    env = EnvState(interpreter=str(python), allow_exec=trusted)

    async def load() -> None:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            ls = SimpleNamespace(thread_pool=pool, prelude_environments=kept)
            await folders.load_env(ls, env)  # type: ignore[arg-type]

    asyncio.run(load())
    return env


def test_the_full_server_adopts_the_preludes_environment_while_unchanged(
    tmp_path: Path, wheelhouse: Path
) -> None:
    """The prelude's snapshot becomes the server's (the same object: the analysis memo is per
    snapshot) while the environment's fingerprint is the one the prelude took, for the same
    interpreter and trust; after an install, the server inspects again."""
    python = make_venv(tmp_path / "venv")
    site = str(site_packages(python))
    os.utime(site, ns=(time.time_ns() - 10**9,) * 2)  # installed a second ago
    snapshot, fingerprint = _inspected_by_prelude(python)
    assert fingerprint == environment.fingerprint(snapshot)
    key = (str(python), True)
    kept = {key: (snapshot, fingerprint)}
    env = _load_env(python, True, kept)
    assert env.snapshot is snapshot and env.fingerprint == fingerprint and kept == {}
    # the prelude inspected trusted; an untrusted server (static inspection) does not adopt it
    kept = {key: (snapshot, fingerprint)}
    assert _load_env(python, False, kept).snapshot is not snapshot
    assert kept == {key: (snapshot, fingerprint)}  # (dropped once the folders are resolved)
    pip_install(python, [wheelhouse / "extra_pkg-1.0-py3-none-any.whl"])
    env = _load_env(python, True, {key: (snapshot, fingerprint)})
    assert env.snapshot is not None and env.snapshot is not snapshot
    assert env.snapshot.get("extra_pkg") is not None and snapshot.get("extra_pkg") is None
    assert env.fingerprint == environment.fingerprint(env.snapshot) != fingerprint


def test_a_snapshot_the_environment_changed_under_is_not_offered(tmp_path: Path) -> None:
    """A site-packages folder modified while (or just before) the prelude inspected it may
    have been read half installed: the prelude keeps no fingerprint for it, and the server
    inspects again."""
    python = make_venv(tmp_path / "venv")
    os.utime(site_packages(python), ns=(time.time_ns() + 10**9,) * 2)  # (a second ahead)
    _, fingerprint = _inspected_by_prelude(python)
    assert fingerprint is None


def test_the_server_takes_the_preludes_work_away_from_the_hand_over() -> None:
    """What the prelude hands over is moved to the server, which drops each piece once used
    (the hand-over itself lives as long as the server reads stdin through it); the texts the
    prelude published are known for the version it published last only."""
    conversion = Conversion((), [b"{1}"], [(0, 0, 0, 1)], frozenset(), published=3)
    unpublished = Conversion((), [b"{2}"], [(0, 0, 0, 1)], frozenset())
    handover = Handover(
        stdin=None,  # type: ignore[arg-type]
        stdout=None,  # type: ignore[arg-type]
        published=True,
        versions={"file:///a.txt": 3, "file:///b.txt": 5},
        environments={("/venv/bin/python", True): (object(), ("fingerprint",))},
        conversions={"file:///a.txt": conversion, "file:///b.txt": unpublished},
    )
    server = SimpleNamespace()
    start_from_prelude(server, handover)  # type: ignore[arg-type]
    assert handover.versions == handover.environments == handover.conversions == {}
    assert server.prelude_versions == {"file:///a.txt": 3, "file:///b.txt": 5}
    assert list(server.prelude_environments) == [("/venv/bin/python", True)]
    assert set(server.prelude_conversions) == {"file:///a.txt", "file:///b.txt"}
    assert server.prelude_published == {"file:///a.txt": (3, [b"{1}"])}


def test_the_preludes_publication_in_pieces_is_the_same_bytes(tmp_path: Path) -> None:
    # written a piece at a time (`wire.write_pieces`), as many pieces as it takes: the client
    # reads the very frame the prelude would write whole
    other = _edit((tmp_path / "other.txt").as_uri())
    whole, published, _, _ = _session(tmp_path, [other])
    assert published
    saved = wire.PIECE, wire.write_pieces
    writes: list[bytes] = []

    def counted(write: Any, parts: Any) -> None:
        def each(data: bytes) -> object:
            writes.append(data)
            return write(data)

        saved[1](each, parts)

    wire.PIECE, wire.write_pieces = 40, counted
    try:
        pieces, _, _, _ = _session(tmp_path, [other])
    finally:
        wire.PIECE, wire.write_pieces = saved
    assert pieces == whole
    assert len(writes) > 2 and b"".join(writes) in whole
