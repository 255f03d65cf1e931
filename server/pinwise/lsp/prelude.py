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
4. while the full server is imported (in a thread, about half a second), it goes on diagnosing
   that document's edits (`didChange`), so that typing right after opening is answered at
   once; requests are kept for the full server, which answers them after the hand-over;
5. then it hands over: the full server reads every kept frame again before the rest of stdin,
   so it builds the very state it would have built alone; its own answer to the replayed
   `initialize` is dropped (the client has one already), and it publishes nothing for a version
   older than the last one the prelude published (`Handover.versions`), nor that one again
   when its diagnostics are the very ones the prelude sent. It also starts from
   the prelude's work: the environment the prelude inspected, when nothing was installed or
   removed since (`Handover.environments`), so that its first analysis finds the prelude's
   findings in the analysis memo, and the diagnostics' texts the prelude converted
   (`Handover.conversions`), so that it converts none of them again.

The hand-over happens once the full server is imported, or at the first message the prelude
does not handle (any notification but `initialized`, `didOpen` first, edits of the opened
document, `$/cancelRequest` and `$/setTrace`; the `shutdown` request; a message before the
document is open), or on anything unexpected: an error in the prelude only means the full server
publishes the diagnostics itself, as it would without a prelude. `PINWISE_PRELUDE=0` turns it
off. On a stdin that cannot be polled (tests, Windows) it hands over right after the first
publication, importing the full server then.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO, Optional

import pinwise

if TYPE_CHECKING:
    from pinwise.analysis.model import Finding
    from pinwise.lsp.compute import Inputs, Result
    from pinwise.lsp.settings import FolderSettings

# The engine (about 0.15 s of imports) is imported when the first document is opened, after
# `initialize` has been answered. (Importing it in a thread from the start gained nothing: the
# client sends `initialized` and `didOpen` at once, and the two threads contend for the GIL.)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vscode-jsonrpc; charset=utf-8"
CONFIGURATION_ID = "pinwise-prelude-configuration"
PUBLISH = "textDocument/publishDiagnostics"
# Requests the prelude leaves for the full server to answer after the hand-over while it goes on
# diagnosing edits: they read the server's state and change nothing, as do the commands
# `READING_COMMANDS` (any other request, such as a command that installs packages or refreshes
# the environment, makes it hand over at once).
READING_REQUESTS = frozenset(
    "textDocument/" + name
    for name in [
        "hover",
        "completion",
        "codeAction",
        "codeLens",
        "documentLink",
        "documentSymbol",
        "definition",
        "declaration",
        "typeDefinition",
        "implementation",
        "references",
        "documentHighlight",
        "foldingRange",
        "selectionRange",
        "semanticTokens/full",
        "semanticTokens/full/delta",
        "semanticTokens/range",
        "inlayHint",
        "signatureHelp",
        "diagnostic",
        "documentColor",
    ]
) | {"completionItem/resolve", "codeAction/resolve", "documentLink/resolve", "codeLens/resolve"}
READING_COMMANDS = frozenset({"pinwise.status", "pinwise.stats"})
ENV_WAIT_SECONDS = 2.0  # as the full server: past this, it diagnoses without the environment
SWITCH_SECONDS = 0.0005  # the thread switch interval while importing (the default is 5 ms)
FRAME_SECONDS = 1.0  # to read the rest of a frame begun (past this: the full server reads it)
# a folder modified this little before an inspection began may have changed during it (the
# kernel stamps modification times with a clock coarser than the one read here)
SUPPORTED_ENCODINGS = ("utf-8", "utf-16", "utf-32")  # what pygls' position codec can count


@dataclass
class Handover:
    """What the full server starts from: stdin with the kept frames in front, and stdout with
    a filter that drops its answer to the replayed `initialize`."""

    stdin: ReplayStream
    stdout: DropResponseStream
    published: bool  # the prelude published the first diagnostics
    # The last version of each document the prelude published diagnostics for: the full server,
    # replaying the edits, must not publish an older one after it.
    versions: dict[str, int] = field(default_factory=dict)
    server: Any = None  # the full server, made (and prepared) in a thread while the prelude served
    # (interpreter, trusted) -> the snapshot the prelude inspected and its fingerprint then
    environments: dict[tuple[str, bool], tuple[Any, Any]] = field(default_factory=dict)
    # uri -> the last diagnostics the prelude converted for the document
    conversions: dict[str, Conversion] = field(default_factory=dict)
    # the prelude's `workspace/configuration` request is unanswered: its response will reach
    # the full server, which must take it quietly (`CONFIGURATION_ID`)
    configuration_pending: bool = False


@dataclass(frozen=True)
class Conversion:
    """A document's own findings as last converted, in order: each one's diagnostic as JSON
    text and its client range, and the indices of those that name a place in another file
    (their text is never reused: that file may have changed). What the full server's
    conversions start from (`diagnostics._convert`)."""

    findings: tuple[Finding, ...]
    texts: list[bytes]
    ranges: list[tuple[int, int, int, int]]
    foreign: frozenset[int]
    published: Optional[int] = None  # the version published with these texts, if it was


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
    (pygls writes each message whole, in one `write`; Pinwise's big notifications come in
    pieces, the first with the header and `"method"`, the others without a header)."""

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

    def fileno(self) -> int:
        """For `wire.write_vectored`: what it writes there is never a response."""
        return self._stream.fileno()

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


# `ClientCapabilities`' members, each an object when given (lsprotocol refuses anything else)
_CAPABILITY_SECTIONS = ("workspace", "textDocument", "notebookDocument", "window", "general")
_TRACE_VALUES = (None, "off", "messages", "verbose")


def _initialize_params_valid(params: Any) -> bool:
    """Whether pygls can read these `initialize` parameters, as far as their first level and
    the capabilities' sections tell (lsprotocol's `InitializeParams`): else the prelude does
    not answer (a success, then a full server that never initialised), and the full server
    says what is wrong. Deeper mistakes in the capabilities are left to it too."""
    if not isinstance(params, dict):
        return False
    capabilities = params.get("capabilities")
    process = params.get("processId")
    client = params.get("clientInfo")
    return (
        isinstance(capabilities, dict)
        and all(isinstance(capabilities.get(k, {}), dict) for k in _CAPABILITY_SECTIONS)
        and (process is None or isinstance(process, int))
        and params.get("trace") in _TRACE_VALUES
        and (client is None or (isinstance(client, dict) and isinstance(client.get("name"), str)))
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

    def has_data(self) -> bool:
        """Whether bytes can be read now without waiting (or the end of input is there)."""
        if self._buffer or self._eof:
            return True
        return self._fd is not None and bool(select.select([self._fd], [], [], 0)[0])

    def wait(self, other: int, deadline: Optional[float] = None) -> Optional[bool]:
        """Wait until bytes can be read (True), the descriptor `other` is readable (False) or
        the deadline (a `time.monotonic()`) has passed (None)."""
        if self._buffer or self._eof:
            return True
        assert self._fd is not None
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        readable = select.select([self._fd, other], [], [], timeout)[0]
        if not readable:
            return None
        return self._fd in readable

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
        self.versions: dict[str, int] = {}  # uri -> last version published
        # read (and kept) but not handled yet, with the index of its frame in `kept`
        self.pending: deque[tuple[int, dict[str, Any]]] = deque()
        self.at = -1  # the index in `kept` of the message being handled
        # index in `kept` -> an edit the prelude applied, and the document's text after it
        self.applied: dict[int, tuple[dict[str, Any], str]] = {}
        # uri -> the last diagnostics converted (published unless an edit came meanwhile)
        self.conversions: dict[str, Conversion] = {}
        # (interpreter, trusted) -> a snapshot inspected and its fingerprint right after
        self.environments: dict[tuple[str, bool], tuple[Any, Any]] = {}
        self.torn = False  # a frame could not be read whole: what follows is the full server's
        self.server: Any = None  # the full server, once made in a thread
        self.configuration_pending = False  # asked the client, not answered yet

    def run(self) -> Handover:
        try:
            self._run()
        except BrokenPipeError:
            raise
        except Exception:  # the full server will do what the prelude could not
            logger.exception("the start-up prelude failed; the full server takes over")
        return Handover(
            stdin=ReplayStream(self._replayed() + self.stdin.leftover(), self.stdin.stream),
            stdout=DropResponseStream(self.stdout, self.initialize_id),
            published=bool(self.versions),
            versions=dict(self.versions),
            server=self.server,
            environments=dict(self.environments),
            conversions=dict(self.conversions),
            configuration_pending=self.configuration_pending,
        )

    # -- the conversation ------------------------------------------------------------------
    def _run(self) -> None:
        message = self._next()
        if message is None or message.get("method") != "initialize" or "id" not in message:
            return
        if message.get("jsonrpc") != "2.0" or not _initialize_params_valid(message.get("params")):
            return  # pygls ignores or refuses it: the full server's to judge
        self.params = message["params"]
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
                if message.get("jsonrpc") != "2.0":
                    return  # pygls ignores it: the full server's to judge
                opened = self._first_diagnostics(message.get("params"))
                if opened is not None and self.stdin.pollable:
                    self._serve_while_importing(opened)
            return

    def _next(self) -> Optional[dict[str, Any]]:
        """The next message, kept for the full server (None at the end of input or on a frame
        the prelude cannot read: the full server reads it again and says what is wrong)."""
        if self.pending:
            self.at, message = self.pending.popleft()
            return message
        if self.torn:
            return None
        raw, read = self._read_message()
        if raw:
            self.kept.append(raw)
        if read is None:
            self.torn = True
        self.at = len(self.kept) - 1
        return read

    def _replayed(self) -> bytes:
        """The kept frames for the full server, each run of edits the prelude applied in a row
        made one `didChange`: the whole text after the last of them, and its version (pygls
        gets there as the prelude did: a property test compares the two). The full server does
        not analyse each version the prelude has published again, nor apply each change."""
        out: list[bytes] = []
        run: list[tuple[bytes, tuple[dict[str, Any], str]]] = []
        for index, raw in enumerate(self.kept):
            edit = self.applied.get(index)
            if edit is not None:
                run.append((raw, edit))
                continue
            out.extend(_joined_edits(run))
            run = []
            out.append(raw)
        out.extend(_joined_edits(run))
        return b"".join(out)

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
        self.stdout.write(_frame(message))
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

    def _first_diagnostics(self, params: Any) -> Optional[_Opened]:
        """Publish the diagnostics of an opened requirements document, as the full server would
        (nothing when it is another kind of document, or when anything is not as expected); the
        document, when it could be analysed."""
        opened = self._opened_requirements(params)
        if opened is None:
            return None
        uri, path, text, version = opened
        analysed = self._analysis_inputs(path, text, version)
        if analysed is None:
            return None
        document = _Opened(uri, path, *analysed)
        self._diagnose(document)
        return document

    def _diagnose(self, document: _Opened) -> None:
        """Analyse the document's text and publish, unless an edit or a close of it has come
        meanwhile (never publish for a stale version)."""
        from pinwise.lsp.compute import compute
        from pinwise.lsp.wire import separated, write_vectored

        inputs = document.inputs
        texts = self._diagnostic_texts(document.uri, document.path, compute(inputs))
        if self._text_changed_since(document.uri):
            return
        # as the full server writes it: each diagnostic's JSON text joined, not dumped again
        head = {"uri": document.uri, "version": document.version}
        message = json.dumps({"jsonrpc": "2.0", "method": PUBLISH, "params": head})
        parts = [message[:-2].encode() + b', "diagnostics": [', *separated(texts), b"]}}"]
        header = _header(sum(map(len, parts)))
        write_vectored(self.stdout, [header, *parts])  # (never 3 MB in one new buffer)
        self.versions[document.uri] = document.version
        conversion = self.conversions[document.uri]
        self.conversions[document.uri] = replace(conversion, published=document.version)

    # -- edits while the full server is imported ---------------------------------------------
    def _serve_while_importing(self, document: _Opened) -> None:
        """Diagnose the document's edits while the full server is imported in a thread; return
        once it is, or at a message the prelude does not handle. Debounced as in the full
        server: a version is diagnosed once no edit has come for the debounce time."""
        loading = _FullServerImport(self._first_messages(document))
        # The import holds the interpreter's lock between its own waits; each time this thread
        # has waited (for the client, or for the pipe while writing), it needs the lock back.
        # A short switch interval bounds that wait (a 300-line keystroke: ~12 ms -> ~2 ms).
        switching = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_SECONDS)
        try:
            edited: Optional[float] = None  # when the last edit not diagnosed yet came
            while not loading.done.is_set():
                if not self.pending:
                    quiet = None if edited is None else edited + document.debounce
                    ready = self.stdin.wait(loading.fd, quiet)
                    if ready is None:  # no edit during the debounce time
                        edited = None
                        self._diagnose(document)
                        continue
                    if not ready:
                        break  # imported
                message = self._next()
                changed = None if message is None else self._edit(document, message)
                if changed is None:
                    break
                if changed:
                    edited = time.monotonic()
        finally:
            loading.wait()
            sys.setswitchinterval(switching)
            self.server = loading.server

    def _first_messages(self, document: _Opened) -> list[dict[str, Any]]:
        """Messages of each type the full server will read first, replaying the session (the
        client's own `initialize` parameters: the types met depend on them)."""
        uri = document.uri
        at = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
        opened = {"uri": uri, "languageId": "pip-requirements", "version": 1, "text": ""}
        changes = [{"range": at, "rangeLength": 0, "text": ""}, {"text": ""}]
        notifications = [
            ("initialized", {}),
            ("textDocument/didOpen", {"textDocument": opened}),
            (
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes},
            ),
        ]
        return [
            {
                "jsonrpc": "2.0",
                "id": self.initialize_id,
                "method": "initialize",
                "params": self.params,
            },
            *(
                {"jsonrpc": "2.0", "method": method, "params": params}
                for method, params in notifications
            ),
        ]

    def _edit(self, document: _Opened, message: dict[str, Any]) -> Optional[bool]:
        """Take in a message that came while serving: True for an edit of the document (now
        applied), False for one left to the full server (a request: it answers after the
        hand-over), None for one the prelude must not go past (hand over now)."""
        method = message.get("method")
        if message.get("jsonrpc") != "2.0":
            return None  # pygls ignores it: whatever it is, the full server's to judge
        if "id" in message:
            # a response, or a request that reads the state and changes nothing
            return False if method is None or _reads_only(method, message) else None
        if method in ("$/cancelRequest", "$/setTrace"):
            return False
        params = message.get("params")
        if method != "textDocument/didChange" or not isinstance(params, dict):
            return None  # another document, the configuration, files on disk...: the full server
        identifier = params.get("textDocument")
        if not isinstance(identifier, dict) or identifier.get("uri") != document.uri:
            return None
        version = identifier.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or not _lsp_integer(version):
            return None  # pygls would refuse the whole message
        text = document.inputs.buffers[document.path]
        changes = params.get("contentChanges")
        edited = apply_changes(text, changes, self._position_encoding())
        if edited is None:
            return None
        document.inputs = replace(document.inputs, version=version, buffers={document.path: edited})
        self.applied[self.at] = (message, edited)
        return True

    def _opened_requirements(self, params: Any) -> Optional[tuple[str, str, str, int]]:
        """(uri, path, text, version) of a `didOpen` of a requirements document."""
        from pinwise.lsp.documents import document_path, is_requirements_document

        item = params.get("textDocument") if isinstance(params, dict) else None
        if not isinstance(item, dict):
            return None
        uri, text, version = item.get("uri"), item.get("text"), item.get("version")
        if not isinstance(uri, str) or not isinstance(text, str):
            return None
        if not isinstance(version, int) or isinstance(version, bool) or not _lsp_integer(version):
            return None  # pygls would refuse the whole message: the full server says so
        folders = self._folders()
        path = document_path(uri, folders[0][1] if folders else None)
        if path is None or not is_requirements_document(uri, item.get("languageId")):
            return None  # Python files, pyproject.toml: the full server
        return uri, path, text, version

    def _analysis_inputs(
        self, path: str, text: str, version: int
    ) -> Optional[tuple[Inputs, float]]:
        """What the full server would analyse the document with: its folder's settings (pulled
        from the client as the server pulls them), `[tool.pinwise]`, the interpreter's
        environment; and its debounce in seconds (None: the prelude cannot tell in time, the
        full server goes on)."""
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
        inputs = Inputs(
            path=path,
            version=version,
            generation=-1,
            cwd=folder_path,
            snapshot=snapshot,
            settings=settings,
            buffers={path: text},
        )
        return inputs, folder_settings.debounce_ms / 1000.0

    def _diagnostic_texts(self, uri: str, path: str, result: Result) -> list[bytes]:
        """The document's own findings as the full server converts them (`wire`, the JSON text
        of each diagnostic), with the negotiated position encoding, related places in other
        files of its set. As in the full server, the text of a finding that is the very same
        object as in the last analysis is reused (the analysis hands back the same finding for
        an unchanged line at the same place), unless it names a place in another file."""
        from pinwise.lsp.compute import find_file
        from pinwise.lsp.documents import Lines, path_to_uri
        from pinwise.lsp.wire import (
            client_range,
            diagnostic_text,
            location_text,
            names_another_file,
            num_units,
        )

        units = num_units(self._position_encoding())
        files = result.reqset.files

        def lines_of(file_path: str) -> Lines:
            file = files.get(file_path) or find_file(files, file_path)
            rows = file.lines if file else ()
            return Lines([row.text for row in rows], units, [row.terminator for row in rows])

        lines = lines_of(path)
        others: dict[str, Lines] = {}

        def related_text(other: str, span: Any) -> str:
            other = os.path.normpath(other)
            if other == path:
                return location_text(uri, client_range(lines, span))
            if other not in others:
                others[other] = lines_of(other)
            return location_text(path_to_uri(other), client_range(others[other], span))

        last = self.conversions.get(uri)
        known = (
            {id(f): i for i, f in enumerate(last.findings) if i not in last.foreign}
            if last is not None
            else {}
        )
        own: list[Finding] = []
        texts: list[bytes] = []
        ranges: list[tuple[int, int, int, int]] = []
        foreign: set[int] = set()
        sections: dict[Any, Any] = {}  # `wire.RelatedSections`
        for finding in result.findings:
            if os.path.normpath(finding.path) != path:
                continue
            i = known.get(id(finding))
            if last is not None and i is not None and last.findings[i] is finding:
                text, where = last.texts[i], last.ranges[i]
            else:
                made, where = diagnostic_text(finding, lines, related_text, sections)
                text = made.encode("ascii")
            if names_another_file(finding, path):
                foreign.add(len(own))
            own.append(finding)
            texts.append(text)
            ranges.append(where)
        self.conversions[uri] = Conversion(tuple(own), texts, ranges, frozenset(foreign))
        return texts

    def _text_changed_since(self, uri: str) -> bool:
        """Whether an edit or a close of `uri` has come while the prelude was computing (the
        frames that have come are read, and kept for the full server). Without a descriptor to
        poll (tests, Windows) nothing can be known without blocking: False."""
        if not self.stdin.pollable:
            return False
        changed = False
        while not self.torn and self.stdin.has_data():
            # a frame begun is read whole (a client writes frames whole; a big edit may take
            # a few reads to come)
            raw, message = self._read_message(time.monotonic() + FRAME_SECONDS)
            if raw:
                self.kept.append(raw)
            if message is None:
                self.torn = True  # the end, or a frame cut short: the full server reads on
                break
            self.pending.append((len(self.kept) - 1, message))
            params = message.get("params")
            document = params.get("textDocument") if isinstance(params, dict) else None
            if (
                message.get("method") in ("textDocument/didChange", "textDocument/didClose")
                and isinstance(document, dict)
                and document.get("uri") == uri
            ):
                changed = True
        return changed

    def _folder_settings(
        self, folder_uri: str, given: Optional[FolderSettings]
    ) -> Optional[FolderSettings]:
        """The folder's `pinwise` section, pulled as the full server pulls it (None: some other
        message came meanwhile, so the full server should answer first)."""
        from pinwise.lsp.settings import FolderSettings, layered

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
        self.configuration_pending = True
        # A client that never answers would get no diagnostics until its next message: past the
        # full server's wait for an environment, it takes over.
        raw, message = self._read_message(time.monotonic() + ENV_WAIT_SECONDS)
        if message is None or message.get("id") != CONFIGURATION_ID or "method" in message:
            # Something else came first (or nothing): the full server reads it and goes on.
            self.kept.append(raw)
            return None
        self.configuration_pending = False
        result = message.get("result")
        section = result[0] if isinstance(result, list) and result else None
        if section is None or section == {}:
            return given or FolderSettings()
        try:
            return layered(given, section)
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
            started = time.time_ns()
            try:
                snapshot = environment.inspect(
                    interpreter, allow_exec=trusted, timeout=INSPECT_TIMEOUT
                )
            except InspectionError:
                return None, None
            # The full server adopts the snapshot while the environment's fingerprint is still
            # the one taken now, unless something was installed or removed during the
            # inspection (a torn snapshot: it inspects again).
            try:
                if environment.torn(snapshot, started):  # (once: a later mtime counts too)
                    return snapshot, None
                return snapshot, environment.fingerprint(snapshot)
            except Exception:
                return snapshot, None

        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pinwise-prelude")
        future = pool.submit(run)
        pool.shutdown(wait=False)
        try:
            snapshot, fingerprint = future.result(timeout=ENV_WAIT_SECONDS)
        except concurrent.futures.TimeoutError:
            return False, None  # a slow or hanging interpreter: the full server handles it
        if snapshot is not None and fingerprint is not None:
            self.environments[(interpreter, trusted)] = (snapshot, fingerprint)
        return True, snapshot


def _frame(message: dict[str, Any]) -> bytes:
    return _framed(json.dumps(message).encode())


def _framed(body: bytes) -> bytes:
    return _header(len(body)) + body


def _header(length: int) -> bytes:
    return f"Content-Length: {length}\r\nContent-Type: {CONTENT_TYPE}\r\n\r\n".encode()


def _joined_edits(edits: list[tuple[bytes, tuple[dict[str, Any], str]]]) -> list[bytes]:
    """One `didChange` frame for edits of a document in a row, given as (frame, (message, text
    after it)): the frame itself for one edit, none for none."""
    if len(edits) <= 1:
        return [raw for raw, _ in edits]
    message, text = edits[-1][1]
    last = message["params"]["textDocument"]
    params = {"textDocument": last, "contentChanges": [{"text": text}]}
    return [_frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params})]


@dataclass
class _Opened:
    """The document the prelude diagnoses, with what it is analysed with (its text as the full
    server holds it, once the same edits are applied)."""

    uri: str
    path: str
    inputs: Inputs
    debounce: float  # seconds from an edit to its diagnostics, as in the full server

    @property
    def version(self) -> int:
        """The version of the text in `inputs` (always one: the prelude serves no other)."""
        assert self.inputs.version is not None
        return self.inputs.version


class _FullServerImport:
    """The full server made in a thread: `pinwise.lsp.server` (pygls, lsprotocol, the server's
    own modules) imported, the server object created and its message converter prepared for
    `messages`, which it will read first (cattrs writes a structuring function for each
    message type the first time it meets it: 27 ms for VS Code's `initialize` alone). `fd`
    becomes readable once that is done, so that a wait for the client can end on it too;
    `server` is None if anything failed (the main thread then does it all again, and says
    what is wrong)."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.done = threading.Event()
        self.server: Any = None
        self._messages = messages
        self.fd, self._signal = os.pipe()
        self._thread = threading.Thread(target=self._run, name="pinwise-import", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from pinwise.lsp import import_asyncio_without_tls

            import_asyncio_without_tls()
            from pinwise.lsp.server import create_server

            server = create_server()
        except Exception:
            logger.debug("creating the full server in a thread failed", exc_info=True)
        else:
            # pygls logs a message it cannot read (the client's `initialize` may be one): it
            # will say so when it reads it for real, once.
            quiet = logging.getLogger("pygls.protocol.json_rpc")
            was = quiet.disabled
            quiet.disabled = True
            try:
                for message in self._messages:
                    with suppress(Exception):
                        server.protocol.structure_message(message)
            finally:
                quiet.disabled = was
            self.server = server
        finally:
            self.done.set()
            os.write(self._signal, b".")

    def wait(self) -> None:
        self._thread.join()
        os.close(self.fd)
        os.close(self._signal)


def apply_changes(text: str, changes: Any, encoding: str) -> Optional[str]:
    """`text` after a `didChange`'s content changes, as pygls applies them (its document is
    the full server's); None for what the prelude leaves to pygls: anything malformed, a
    position past the end of its line, a range that ends before it starts."""
    from pinwise.lsp.documents import client_lines

    if not isinstance(changes, list):
        return None
    for change in changes:
        if not isinstance(change, dict) or not isinstance(change.get("text"), str):
            return None
        if "rangeLength" in change and _natural(change["rangeLength"]) is None:
            return None
        if "range" not in change:
            text = change["text"]  # the whole document
            continue
        lines = client_lines(text)
        bounds = change["range"]
        if not isinstance(bounds, dict):
            return None
        start = _offset(lines, bounds.get("start"), encoding)
        end = _offset(lines, bounds.get("end"), encoding)
        if start is None or end is None or end < start:
            return None
        text = text[:start] + change["text"] + text[end:]
    return text


def _offset(lines: list[str], position: Any, encoding: str) -> Optional[int]:
    """The index in the text of a client position (columns counted in `encoding`). A row past
    the last is the end of the text, as in pygls; a column past its line's end is left to it."""
    if not isinstance(position, dict):
        return None
    row, column = _natural(position.get("line")), _natural(position.get("character"))
    if row is None or column is None:
        return None
    if row >= len(lines):
        return sum(map(len, lines))
    content = lines[row].rstrip("\r\n")  # (a line ends at these only, see `client_lines`)
    index = units = 0
    for char in content:
        if units >= column:
            break
        units += _units(char, encoding)
        index += 1
    if units < column:
        return None
    return sum(map(len, lines[:row])) + index


def _reads_only(method: str, request: dict[str, Any]) -> bool:
    """Whether a request only reads the server's state (`READING_REQUESTS`, `READING_COMMANDS`)."""
    if method == "workspace/executeCommand":
        params = request.get("params")
        return isinstance(params, dict) and params.get("command") in READING_COMMANDS
    return method in READING_REQUESTS


def _natural(value: Any) -> Optional[int]:
    """`value` when it is an LSP `uinteger` (a whole number from 0 to 2**31 - 1)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    return None


def _lsp_integer(value: int) -> bool:
    """Whether `value` is within an LSP `integer`'s range (pygls refuses a message otherwise)."""
    return -(2**31) <= value < 2**31


def _units(char: str, encoding: str) -> int:
    """How many code units of the position encoding a character takes (as pygls counts)."""
    point = ord(char)
    if encoding == "utf-8":
        return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
    if encoding == "utf-16":
        return 2 if point > 0xFFFF else 1
    return 1


def run_prelude(stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None) -> Handover:
    return Prelude(stdin or sys.stdin.buffer, stdout or sys.stdout.buffer).run()
