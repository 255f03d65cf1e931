"""The pure parts of the start-up prelude and of the settings it parses before pygls loads: the
replayed stdin, the stdout that drops the second answer to `initialize`, the hand-written
settings parser, the position-encoding unit counters (they must count as pygls' codec does)."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from pygls.workspace.position_codec import PositionCodec
from tests.support.jsonrpc import frame

from pinwise.lsp.prelude import DropResponseStream, Prelude, ReplayStream
from pinwise.lsp.settings import FolderSettings, parse_folder_settings
from pinwise.lsp.wire import num_units


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
    initialize = frame({"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": {}})
    out = io.BytesIO()
    handover = Prelude(io.BytesIO(initialize + request), out).run()
    _, _, body = out.getvalue().partition(b"\r\n\r\n")
    answer = json.loads(body)
    assert answer["id"] == "a" and answer["result"]["capabilities"]["positionEncoding"] == "utf-16"
    assert handover.stdin.read(-1) == initialize + request


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


def _session(tmp_path: Path, after_open: list[dict[str, Any]]) -> tuple[bytes, bool, bytes, bytes]:
    """Run the prelude over a pipe holding initialize, initialized, didOpen and `after_open`
    (all there before it starts, as when the user types at once): (what it wrote, whether it
    published, what the full server would read, every byte the client sent)."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("alpha\n")
    document = {
        "uri": requirements.as_uri(),
        "languageId": "pip-requirements",
        "version": 1,
        "text": "alpha\n",
    }
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "rootUri": tmp_path.as_uri(),
                "capabilities": {},
                "initializationOptions": {"interpreter": str(tmp_path / "no-python")},
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}},
        *after_open,
    ]
    sent = b"".join(frame(m) for m in messages)
    read_end, write_end = os.pipe()
    os.write(write_end, sent)
    os.close(write_end)
    out = io.BytesIO()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        handover = Prelude(stream, out).run()
        return out.getvalue(), handover.published, handover.stdin.read(-1), sent


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
