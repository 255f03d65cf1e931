"""The start-up prelude: the first diagnostics before pygls and lsprotocol are loaded.

Importing pygls and lsprotocol (about 1,000 attrs classes) takes 0.5-0.8 s here, longer than
the whole budget from start to first diagnostics (300 ms). So `pinwise serve` over stdio starts
with this prelude, which needs neither:

1. it reads the client's first messages itself (Content-Length frames on stdin), keeping every
   frame as it came;
2. it answers `initialize` with the capabilities the full server advertises (generated into
   `_capabilities_data` by `scripts/gen_capabilities.py`; `tests/e2e/test_lsp_prelude.py`
   checks they are what pygls computes) and the position encoding pygls would choose;
3. when the first requirements file is opened, it computes its diagnostics with the code the
   full server uses (`compute`, `wire`, the same settings and interpreter choice, the
   configuration pulled from the client as the server pulls it) and publishes them;
4. then it hands over: the full server is imported and reads every kept frame again before the
   rest of stdin, so it builds the very state it would have built alone; its own answer to the
   replayed `initialize` is dropped (the client has one already).

The hand-over happens after the first publication, or at the first message the prelude does
not handle (any request but `initialize`, any notification but `initialized` and `didOpen`),
or on anything unexpected: an error in the prelude only means the full server publishes the
first diagnostics itself, as it would without a prelude. `PINWISE_PRELUDE=0` turns it off.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Optional

import pinwise

if TYPE_CHECKING:
    from pinwise.lsp.compute import Inputs, Result
    from pinwise.lsp.settings import FolderSettings

# The engine (about 0.15 s of imports) is imported when the first document is opened, after
# `initialize` has been answered. (Importing it in a thread from the start gained nothing: the
# client sends `initialized` and `didOpen` at once, and the two threads contend for the GIL.)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vscode-jsonrpc; charset=utf-8"
CONFIGURATION_ID = "pinwise-prelude-configuration"
ENV_WAIT_SECONDS = 2.0  # as the full server: past this, it diagnoses without the environment
SUPPORTED_ENCODINGS = ("utf-8", "utf-16", "utf-32")  # what pygls' position codec can count


@dataclass
class Handover:
    """What the full server starts from: stdin with the kept frames in front, and stdout with
    a filter that drops its answer to the replayed `initialize`."""

    stdin: ReplayStream
    stdout: DropResponseStream
    published: bool  # the prelude published the first diagnostics


class ReplayStream:
    """`readline` and `read`, as pygls' stdin reader calls them: the kept frames, then the
    stream itself."""

    def __init__(self, kept: bytes, stream: BinaryIO) -> None:
        self._kept = kept
        self._stream = stream

    def readline(self) -> bytes:
        if self._kept:
            end = self._kept.find(b"\n") + 1 or len(self._kept)
            line, self._kept = self._kept[:end], self._kept[end:]
            if line.endswith(b"\n"):
                return line
            return line + self._stream.readline()
        return self._stream.readline()

    def read(self, size: int = -1) -> bytes:
        if self._kept:
            if size < 0:
                data, self._kept = self._kept, b""
                return data + self._stream.read()
            data, self._kept = self._kept[:size], self._kept[size:]
            if len(data) < size:
                data += self._stream.read(size - len(data))
            return data
        return self._stream.read(size)


class DropResponseStream:
    """stdout for the full server, dropping the one response to `initialize` it will write
    (pygls writes each message whole, in one `write`)."""

    def __init__(self, stream: BinaryIO, initialize_id: Any) -> None:
        self._stream = stream
        self._pending = initialize_id is not None
        self._id = initialize_id

    def write(self, data: bytes) -> int:
        if self._pending and self._is_initialize_response(data):
            self._pending = False
            return len(data)
        written = self._stream.write(data)
        return len(data) if written is None else written

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()

    def _is_initialize_response(self, data: bytes) -> bool:
        _, sep, body = data.partition(b"\r\n\r\n")
        if not sep or len(body) > 1_000_000 or b'"method"' in body:
            return False  # a notification or request, or far too big for that response
        try:
            message = json.loads(body)
        except ValueError:
            return False
        return (
            isinstance(message, dict)
            and "method" not in message
            and message.get("id") == self._id
            and ("result" in message or "error" in message)
        )


class TimedOut(Exception):
    """Nothing (or not all of a frame) came from the client in time."""


class Input:
    """stdin for the prelude: read straight from its file descriptor, so that a wait can time
    out (`select`) and so that what was read but not used is known (`leftover`); a stream
    without a descriptor (tests), or any stream on Windows, is read as it is, without
    time-outs."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self._buffer = bytearray()
        self._eof = False
        self._fd: Optional[int] = None
        if os.name != "nt":  # Windows' select() takes sockets only, not pipes
            try:
                self._fd = stream.fileno()
            except (AttributeError, OSError, ValueError):  # io.BytesIO and the like
                self._fd = None

    def readline(self, deadline: Optional[float] = None) -> bytes:
        if self._fd is None:
            return self.stream.readline()
        while b"\n" not in self._buffer and not self._eof:
            self._fill(deadline)
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        return self._take(end)

    def read(self, size: int, deadline: Optional[float] = None) -> bytes:
        if self._fd is None:
            return self.stream.read(size)
        while len(self._buffer) < size and not self._eof:
            self._fill(deadline)
        return self._take(size)

    @property
    def pollable(self) -> bool:
        """Whether a read can be given a deadline."""
        return self._fd is not None

    def leftover(self) -> bytes:
        """Bytes read from the descriptor and not handed out (the full server reads them)."""
        return self._take(len(self._buffer))

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _fill(self, deadline: Optional[float]) -> None:
        assert self._fd is not None
        if deadline is not None:
            remaining = max(0.0, deadline - time.monotonic())
            if not select.select([self._fd], [], [], remaining)[0]:
                raise TimedOut
        chunk = os.read(self._fd, 65536)
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True


class Prelude:
    def __init__(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self.stdin = Input(stdin)
        self.stdout = stdout
        self.kept: list[bytes] = []  # every frame read, as read, for the full server
        self.initialize_id: Any = None
        self.params: dict[str, Any] = {}
        self.published = False

    def run(self) -> Handover:
        try:
            self._run()
        except BrokenPipeError:
            raise
        except Exception:  # the full server will do what the prelude could not
            logger.exception("the start-up prelude failed; the full server takes over")
        return Handover(
            stdin=ReplayStream(b"".join(self.kept) + self.stdin.leftover(), self.stdin.stream),
            stdout=DropResponseStream(self.stdout, self.initialize_id),
            published=self.published,
        )

    # -- the conversation ------------------------------------------------------------------
    def _run(self) -> None:
        message = self._next()
        if message is None or message.get("method") != "initialize" or "id" not in message:
            return
        params = message.get("params")
        self.params = params if isinstance(params, dict) else {}
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": self._initialize_result()})
        self.initialize_id = message["id"]
        while True:
            message = self._next()
            if message is None:
                return
            method = message.get("method")
            if method == "initialized" and "id" not in message:
                continue
            if method == "textDocument/didOpen" and "id" not in message:
                self._first_diagnostics(message.get("params"))
            return

    def _next(self) -> Optional[dict[str, Any]]:
        """The next message, kept for the full server (None at the end of input or on a frame
        the prelude cannot read: the full server reads it again and says what is wrong)."""
        raw, message = self._read_message()
        if raw:
            self.kept.append(raw)
        return message

    def _read_message(
        self, deadline: Optional[float] = None
    ) -> tuple[bytes, Optional[dict[str, Any]]]:
        raw, body = self._read_frame(deadline)
        if body is None:
            return raw, None
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested too deep: the frame is kept
            return raw, None
        return raw, message if isinstance(message, dict) else None

    def _read_frame(self, deadline: Optional[float] = None) -> tuple[bytes, Optional[bytes]]:
        """(the bytes read, the body): no body at the end of input, on a frame that cannot be
        read, or past the deadline (the bytes read so far are returned all the same)."""
        raw = bytearray()
        try:
            return self._read_frame_into(raw, deadline)
        except TimedOut:
            return bytes(raw), None

    def _read_frame_into(
        self, raw: bytearray, deadline: Optional[float]
    ) -> tuple[bytes, Optional[bytes]]:
        length: Optional[int] = None
        while True:
            line = self.stdin.readline(deadline)
            raw += line
            if not line or not line.endswith(b"\n"):
                return bytes(raw), None
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    return bytes(raw), None
        if length is None or length < 0:
            return bytes(raw), None
        body = self.stdin.read(length, deadline)
        raw += body
        return bytes(raw), body if len(body) == length else None

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message)  # ASCII: the length in characters is the length in bytes
        header = f"Content-Length: {len(body)}\r\nContent-Type: {CONTENT_TYPE}\r\n\r\n"
        self.stdout.write((header + body).encode("utf-8"))
        self.stdout.flush()

    # -- initialize ------------------------------------------------------------------------
    def _capability(self, *path: str) -> Any:
        value: Any = self.params.get("capabilities")
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def _position_encoding(self) -> str:
        """pygls' choice: the client's first encoding it can count, else UTF-16."""
        encodings = self._capability("general", "positionEncodings")
        for encoding in encodings if isinstance(encodings, list) else ():
            if encoding in SUPPORTED_ENCODINGS:
                return str(encoding)
        return "utf-16"

    def _initialize_result(self) -> dict[str, Any]:
        from pinwise.lsp._capabilities_data import CAPABILITIES

        capabilities = dict(CAPABILITIES, positionEncoding=self._position_encoding())
        # pygls says `false` for these two when the client names them (whatever its value) and
        # the server does not handle them, as here; it omits them otherwise.
        sync = dict(capabilities["textDocumentSync"])
        for key in ("willSave", "willSaveWaitUntil"):
            if self._capability("textDocument", "synchronization", key) is not None:
                sync[key] = False
        capabilities["textDocumentSync"] = sync
        return {
            "capabilities": capabilities,
            "serverInfo": {"name": "pinwise", "version": pinwise.__version__},
        }

    # -- the first diagnostics ---------------------------------------------------------------
    def _folders(self) -> list[tuple[str, str]]:
        """(uri, path) of the workspace folders, as the full server adds them."""
        from pinwise.lsp.documents import uri_to_path

        found = []
        for item in self.params.get("workspaceFolders") or []:
            uri = item.get("uri") if isinstance(item, dict) else None
            if isinstance(uri, str) and (path := uri_to_path(uri)) is not None:
                found.append((uri.rstrip("/"), path))
        root = self.params.get("rootUri")
        if not found and isinstance(root, str) and (path := uri_to_path(root)) is not None:
            found.append((root.rstrip("/"), path))
        return found

    def _folder_for(self, path: str) -> tuple[str, str]:
        """The innermost folder holding `path`, else its own folder (as the full server)."""
        best: Optional[tuple[str, str]] = None
        for uri, root in self._folders():
            inside = path == root or path.startswith(root.rstrip(os.sep) + os.sep)
            if inside and (best is None or len(root) > len(best[1])):
                best = (uri, root)
        if best is not None:
            return best
        from pinwise.lsp.documents import path_to_uri

        parent = os.path.dirname(path)
        return path_to_uri(parent), parent

    def _first_diagnostics(self, params: Any) -> None:
        """Publish the diagnostics of an opened requirements document, as the full server would
        (nothing when it is another kind of document, or when anything is not as expected)."""
        from pinwise.lsp.compute import compute

        opened = self._opened_requirements(params)
        if opened is None:
            return
        uri, path, text, version = opened
        inputs = self._analysis_inputs(path, text, version)
        if inputs is None:
            return
        diagnostics = self._diagnostics_json(uri, path, compute(inputs))
        notification: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
        if isinstance(version, int):
            notification["version"] = version
        if self._text_changed_since(uri):
            return  # never publish for a stale version: the full server diagnoses the new one
        self._send(
            {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": notification}
        )
        self.published = True

    def _opened_requirements(self, params: Any) -> Optional[tuple[str, str, str, Any]]:
        """(uri, path, text, version) of a `didOpen` of a requirements document."""
        from pinwise.lsp.documents import document_path, is_requirements_document

        item = params.get("textDocument") if isinstance(params, dict) else None
        if not isinstance(item, dict):
            return None
        uri, text = item.get("uri"), item.get("text")
        if not isinstance(uri, str) or not isinstance(text, str):
            return None
        folders = self._folders()
        path = document_path(uri, folders[0][1] if folders else None)
        if path is None or not is_requirements_document(uri, item.get("languageId")):
            return None  # Python files, pyproject.toml: the full server
        return uri, path, text, item.get("version")

    def _analysis_inputs(self, path: str, text: str, version: Any) -> Optional[Inputs]:
        """What the full server would analyse the document with: its folder's settings (pulled
        from the client as the server pulls them), `[tool.pinwise]`, the interpreter's
        environment (None: the prelude cannot tell in time, the full server goes on)."""
        from pinwise.lsp.compute import Inputs
        from pinwise.lsp.settings import (
            interpreter_choice,
            parse_init_options,
            read_project_settings,
        )

        folder_uri, folder_path = self._folder_for(path)
        options, _ = parse_init_options(self.params.get("initializationOptions"))
        folder_settings = self._folder_settings(
            folder_uri, options.folder_settings.get(folder_uri) or options.settings
        )
        if folder_settings is None:
            return None
        pyproject = os.path.join(folder_path, "pyproject.toml")
        settings = folder_settings.merged_with(
            read_project_settings(pyproject if os.path.exists(pyproject) else None)
        )
        interpreter, _ = interpreter_choice(
            options.interpreter, folder_settings.interpreter, folder_path
        )
        inspected, snapshot = self._inspect(interpreter, options.trusted)
        if not inspected:
            return None
        return Inputs(
            path=path,
            version=version if isinstance(version, int) else None,
            generation=-1,
            cwd=folder_path,
            snapshot=snapshot,
            settings=settings,
            buffers={path: text},
        )

    def _diagnostics_json(self, uri: str, path: str, result: Result) -> list[dict[str, Any]]:
        """The document's own findings as the full server converts them (`wire`), with the
        negotiated position encoding; related places in other files of its set."""
        from pinwise.lsp.compute import find_file
        from pinwise.lsp.documents import Lines, path_to_uri
        from pinwise.lsp.wire import diagnostic_json, json_range, num_units

        units = num_units(self._position_encoding())
        files = result.reqset.files

        def lines_of(file_path: str) -> Lines:
            file = files.get(file_path) or find_file(files, file_path)
            return Lines([line.text for line in file.lines] if file else [], units)

        lines = lines_of(path)
        others: dict[str, Lines] = {}

        def related_place(other: str, span: Any) -> dict[str, Any]:
            other = os.path.normpath(other)
            if other == path:
                return {"uri": uri, "range": json_range(lines, span)}
            if other not in others:
                others[other] = lines_of(other)
            return {"uri": path_to_uri(other), "range": json_range(others[other], span)}

        return [
            diagnostic_json(finding, lines, related_place)
            for finding in result.findings
            if os.path.normpath(finding.path) == path
        ]

    def _text_changed_since(self, uri: str) -> bool:
        """Whether an edit or a close of `uri` has come while the prelude was computing (the
        frames that have come are read, and kept for the full server). Without a descriptor to
        poll (tests, Windows) nothing can be known without blocking: False."""
        if not self.stdin.pollable:
            return False
        while True:
            raw, message = self._read_message(time.monotonic())  # what is there, no waiting
            if raw:
                self.kept.append(raw)
            if message is None:
                return False  # nothing more (or part of a frame: the full server reads the rest)
            params = message.get("params")
            document = params.get("textDocument") if isinstance(params, dict) else None
            if (
                message.get("method") in ("textDocument/didChange", "textDocument/didClose")
                and isinstance(document, dict)
                and document.get("uri") == uri
            ):
                return True

    def _folder_settings(
        self, folder_uri: str, given: Optional[FolderSettings]
    ) -> Optional[FolderSettings]:
        """The folder's `pinwise` section, pulled as the full server pulls it (None: some other
        message came meanwhile, so the full server should answer first)."""
        from pinwise.lsp.settings import FolderSettings, parse_folder_settings

        if not self._capability("workspace", "configuration"):
            return given or FolderSettings()
        self._send(
            {
                "jsonrpc": "2.0",
                "id": CONFIGURATION_ID,
                "method": "workspace/configuration",
                "params": {"items": [{"scopeUri": folder_uri, "section": "pinwise"}]},
            }
        )
        # A client that never answers would get no diagnostics until its next message: past the
        # full server's wait for an environment, it takes over.
        raw, message = self._read_message(time.monotonic() + ENV_WAIT_SECONDS)
        if message is None or message.get("id") != CONFIGURATION_ID or "method" in message:
            # Something else came first (or nothing): the full server reads it and goes on.
            self.kept.append(raw)
            return None
        result = message.get("result")
        section = result[0] if isinstance(result, list) and result else None
        if section is None or section == {}:
            return given or FolderSettings()
        try:
            return parse_folder_settings(section)
        except ValueError:  # the full server reports it to the user
            return given or FolderSettings()

    def _inspect(self, interpreter: Optional[str], trusted: bool) -> tuple[bool, Any]:
        """(done, snapshot): inspected within the full server's wait (the snapshot is None
        when the interpreter cannot be inspected, as in the server), or not done in time."""
        if interpreter is None:
            return True, None
        import concurrent.futures

        from pinwise import environment
        from pinwise.environment.model import InspectionError
        from pinwise.lsp.compute import INSPECT_TIMEOUT

        def run() -> Any:
            try:
                return environment.inspect(interpreter, allow_exec=trusted, timeout=INSPECT_TIMEOUT)
            except InspectionError:
                return None

        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pinwise-prelude")
        future = pool.submit(run)
        pool.shutdown(wait=False)
        try:
            return True, future.result(timeout=ENV_WAIT_SECONDS)
        except concurrent.futures.TimeoutError:
            return False, None  # a slow or hanging interpreter: the full server handles it


def run_prelude(stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None) -> Handover:
    return Prelude(stdin or sys.stdin.buffer, stdout or sys.stdout.buffer).run()
