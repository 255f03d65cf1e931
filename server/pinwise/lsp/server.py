"""The Pinwise language server: state, lifecycle and document synchronisation.

Features live in their own modules (`actions`, `commands`, `hover`, `completion`, `links`,
`symbols`); each registers its handlers on the server made by `create_server()`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections import deque
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, Optional

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.workspace.text_document import TextDocument

import pinwise
from pinwise.lsp import diagnostics, documents, folders, project, status, watching
from pinwise.lsp.collector import Collector
from pinwise.lsp.documents import BufferReader, is_requirements_document, uri_to_path
from pinwise.lsp.heap import HEAP
from pinwise.lsp.logs import ClientLogHandler, scrub, setup_logging
from pinwise.lsp.prelude import CONFIGURATION_ID, Conversion, Handover
from pinwise.lsp.settings import InitOptions, parse_init_options
from pinwise.lsp.state import DocState, EnvState, FolderState

# pygls splits a document into lines with `str.splitlines`, which also ends one at a form feed,
# U+2028 and a few more: an incremental change's positions, which count lines as LSP does
# (`\r\n`, `\r`, `\n`), then landed on the wrong line of a text holding one. Its documents count
# lines as the client does.
TextDocument.lines = property(  # type: ignore[method-assign,assignment]
    lambda self: tuple(documents.client_lines(self.source)), doc=TextDocument.lines.__doc__
)

logger = logging.getLogger(__name__)


class PinwiseServer(LanguageServer):
    """pygls' LanguageServer plus what Pinwise keeps between requests."""

    def __init__(self) -> None:
        super().__init__(
            name="pinwise",
            version=pinwise.__version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.init_options = InitOptions()
        self.pushed_settings: Any = None  # didChangeConfiguration settings (push-only clients)
        self.folders: dict[str, FolderState] = {}
        self.envs: dict[tuple[str, bool], EnvState] = {}
        self.docs: dict[str, DocState] = {}
        self.open_paths: dict[str, str] = {}  # normalised path -> uri
        self.tasks: set[asyncio.Task[Any]] = set()
        self.timings: deque[float] = deque(maxlen=1000)  # load+analyse+convert+publish
        self.face_timings: deque[float] = deque(maxlen=1000)  # convert+publish alone
        self.collector = Collector()  # the cyclic GC, kept off the keystroke path
        self.watcher: Optional[asyncio.Task[None]] = None
        self.log_handler: Optional[ClientLogHandler] = None
        self._reader: Optional[BufferReader] = None
        self._settings_problems: set[str] = set()
        # uri -> the last version the start-up prelude published: older ones, which the server
        # meets again replaying the edits the prelude diagnosed, are not published
        self.prelude_versions: dict[str, int] = {}
        # what the prelude inspected and converted, for the server to start from (`Handover`)
        self.prelude_environments: dict[tuple[str, bool], tuple[Any, Any]] = {}
        self.prelude_conversions: dict[str, Conversion] = {}
        # uri -> (version, diagnostics' texts) the prelude published last, until the server
        # publishes something else for the document (the same again is not sent)
        self.prelude_published: dict[str, tuple[int, list[bytes]]] = {}

    # -- state helpers ---------------------------------------------------------------------
    @property
    def trusted(self) -> bool:
        return self.init_options.trusted

    @property
    def reader(self) -> BufferReader:
        if self._reader is None:
            self._reader = BufferReader(self.workspace, self.open_paths)
        return self._reader

    def spawn(
        self, coro: Coroutine[Any, Any, Any], name: str, *, quiet_cancel: bool = False
    ) -> asyncio.Task[Any]:
        """Start a background task, keep a reference, and log its failure."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if t.cancelled():
                if not quiet_cancel:
                    logger.debug("%s: cancelled", name)
                return
            exc = t.exception()
            if exc is not None:
                logger.error("%s failed: %r", name, exc, exc_info=exc)

        task.add_done_callback(done)
        return task

    def supports_configuration(self) -> bool:
        return bool(get_capability(self.client_capabilities, "workspace.configuration", False))

    def show_warning(self, message: str) -> None:
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=scrub(message))
        )

    def show_error(self, message: str) -> None:
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=scrub(message))
        )

    def report_settings_problem(self, message: str) -> None:
        logger.warning("%s", message)
        if message not in self._settings_problems:
            self._settings_problems.add(message)
            self.show_warning(f"Pinwise: {message}")

    def folder_for(self, path: str) -> FolderState:
        return folders.folder_for_path(self, path)

    def path_for(self, uri: str) -> Optional[str]:
        """The path of an open document (a made-up one for an `untitled:` buffer)."""
        doc = self.docs.get(uri)
        if doc is not None:
            return doc.path
        first = next((f.path for f in self.folders.values() if not f.implicit), None)
        return documents.document_path(uri, first)


def _on_initialize(ls: PinwiseServer, params: types.InitializeParams) -> None:
    ls.log_handler = setup_logging(ls)
    ls.log_handler.attach()
    ls.init_options, problems = parse_init_options(params.initialization_options)
    for problem in problems:
        ls.report_settings_problem(problem)
    for folder in params.workspace_folders or []:
        folders.add_folder(ls, folder.uri)
    if not ls.folders and params.root_uri:
        folders.add_folder(ls, params.root_uri)
    logger.info(
        "Pinwise %s: %d folder(s), %s",
        pinwise.__version__,
        len(ls.folders),
        "trusted" if ls.trusted else "untrusted: static inspection only",
    )


async def _on_initialized(ls: PinwiseServer, params: types.InitializedParams) -> None:
    ls.spawn(_register_dynamic(ls), "dynamic registration")  # no need to wait for the client
    ls.watcher = ls.spawn(watching.watch(ls), "environment watcher")
    await asyncio.gather(*(folders.resolve_and_refresh(ls, f) for f in list(ls.folders.values())))
    ls.prelude_environments.clear()  # one no folder chose (another interpreter): not needed


async def _register_dynamic(ls: PinwiseServer) -> None:
    registrations = []
    if get_capability(
        ls.client_capabilities, "workspace.did_change_configuration.dynamic_registration", False
    ):
        registrations.append(
            types.Registration(
                id="pinwise-configuration",
                method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                register_options=types.DidChangeConfigurationRegistrationOptions(section="pinwise"),
            )
        )
    if get_capability(
        ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False
    ):
        registrations.append(
            types.Registration(
                id="pinwise-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[
                        types.FileSystemWatcher(glob_pattern="**/*.txt"),
                        types.FileSystemWatcher(glob_pattern="**/*.in"),
                        types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                        types.FileSystemWatcher(glob_pattern="**/*.py"),
                    ]
                ),
            )
        )
    if registrations:
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=registrations)
            )
        except Exception as exc:
            logger.warning("dynamic registration refused: %s", exc)


def _did_open(ls: PinwiseServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    path = ls.path_for(item.uri)
    if path is None:
        return
    ls.open_paths[path] = item.uri  # its buffer is what includers read now
    diagnostics.schedule_includers(ls, path, exclude=item.uri)
    if is_requirements_document(item.uri, item.language_id):
        kind: Optional[str] = project.REQUIREMENTS
    else:
        kind = project.document_kind(path, item.language_id)
    if kind is None:
        return
    doc = DocState(
        uri=item.uri, path=path, version=item.version, language_id=item.language_id, kind=kind
    )
    ls.docs[item.uri] = doc
    ls.folder_for(path)
    diagnostics.schedule(ls, item.uri, delay=0.0)


def _did_change(ls: PinwiseServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    doc = ls.docs.get(uri)
    if doc is not None and doc.kind != project.PYTHON:  # Python files: on open and on save
        diagnostics.schedule(ls, uri, edit=True)
    path = ls.path_for(uri)
    if path is not None:
        diagnostics.schedule_includers(ls, path, exclude=uri)


def _did_save(ls: PinwiseServer, params: types.DidSaveTextDocumentParams) -> None:
    path = uri_to_path(params.text_document.uri)
    if path is not None and os.path.basename(path) == "pyproject.toml":
        diagnostics.schedule_all(ls)
    elif path is not None and path.endswith(".py"):
        if params.text_document.uri in ls.docs:
            diagnostics.schedule(ls, params.text_document.uri, delay=0.0)
        _python_file_changed(ls, path)


def _python_file_changed(ls: PinwiseServer, path: str) -> None:
    """A `.py` file changed on disk: what the folder imports may have changed (PW016)."""
    project.forget_imports(path)
    folder = ls.folder_for(path)
    for uri, doc in list(ls.docs.items()):
        if doc.kind != project.PYTHON and ls.folder_for(doc.path) is folder:
            diagnostics.schedule(ls, uri)


def _did_close(ls: PinwiseServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.prelude_versions.pop(uri, None)  # opened again, its versions may start over
    ls.prelude_conversions.pop(uri, None)
    ls.prelude_published.pop(uri, None)
    path = ls.path_for(uri)
    if path is not None and ls.open_paths.get(path) == uri:
        del ls.open_paths[path]
        diagnostics.schedule_includers(ls, path, exclude=uri)  # now read from the disk
    doc = ls.docs.pop(uri, None)
    if doc is None:
        return
    if doc.pending is not None:
        doc.pending.cancel()
    diagnostics.clear(ls, uri)
    for other in list(ls.docs.values()):  # what this file's analysis found in them is gone
        if other.path in doc.deps and other.lines is not None:
            diagnostics.compose(ls, other)
            diagnostics.publish(ls, other)
    status.send_if_changed(ls, ls.folder_for(doc.path))


async def _did_change_configuration(
    ls: PinwiseServer, params: types.DidChangeConfigurationParams
) -> None:
    settings = params.settings
    if isinstance(settings, dict) and "pinwise" in settings:
        ls.pushed_settings = settings["pinwise"]
    for folder in list(ls.folders.values()):
        old_settings = folder.settings
        changed = await folders.resolve_folder(ls, folder)
        if changed or folder.settings != old_settings:
            diagnostics.schedule_all(ls, delay=0.0, folder_uri=folder.uri)
        status.send_if_changed(ls, folder)
    folders.drop_unused_envs(ls)


async def _did_change_folders(
    ls: PinwiseServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    for removed in params.event.removed:
        ls.folders.pop(removed.uri.rstrip("/"), None)
    added = [folders.add_folder(ls, f.uri) for f in params.event.added]
    folders.drop_stand_ins(ls, [f for f in added if f is not None])
    await asyncio.gather(*(folders.resolve_and_refresh(ls, f) for f in added if f is not None))
    folders.drop_unused_envs(ls)
    diagnostics.schedule_all(ls, delay=0.0)


def _did_change_watched_files(ls: PinwiseServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = uri_to_path(change.uri)
        if path is None:
            continue
        if os.path.basename(path) == "pyproject.toml":
            diagnostics.schedule_all(ls)
        elif path.endswith(".py"):
            _python_file_changed(ls, path)
        elif path not in ls.open_paths:
            diagnostics.schedule_includers(ls, path)


def _shutdown(ls: PinwiseServer, params: None) -> None:
    for task in list(ls.tasks):
        task.cancel()


def create_server() -> PinwiseServer:
    """A new, fully registered server (tests make their own; `main` uses one)."""
    from pinwise.lsp import actions, commands, completion, hover, links, symbols

    ls = PinwiseServer()
    ls.feature(types.INITIALIZE)(_on_initialize)
    ls.feature(types.INITIALIZED)(_on_initialized)
    ls.feature(types.TEXT_DOCUMENT_DID_OPEN)(_did_open)
    ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)(_did_change)
    ls.feature(types.TEXT_DOCUMENT_DID_SAVE)(_did_save)
    ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)(_did_close)
    ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_did_change_configuration)
    ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(_did_change_folders)
    ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(_did_change_watched_files)
    ls.feature(types.SHUTDOWN)(_shutdown)
    for module in (actions, commands, completion, hover, links, symbols):
        module.register(ls)
    return ls


def start_from_prelude(server: PinwiseServer, handover: Handover) -> None:
    """Give the server what the prelude did. Moved, not copied: the hand-over lives as long as
    the server reads stdin through it, and the server drops each piece once used (a 5,000-line
    file's conversion and a snapshot's memo are megabytes)."""
    if handover.configuration_pending:
        # The answer to the prelude's configuration request comes to this server: expected
        # (pygls would log a response to an unknown request), and not needed any more.
        server.protocol._request_futures[CONFIGURATION_ID] = Future()
    server.prelude_versions, handover.versions = handover.versions, {}
    server.prelude_environments, handover.environments = handover.environments, {}
    conversions, handover.conversions = handover.conversions, {}
    server.prelude_conversions = conversions
    server.prelude_published = {
        uri: (conversion.published, conversion.texts)
        for uri, conversion in conversions.items()
        if conversion.published is not None
        and conversion.published == server.prelude_versions.get(uri)
    }


def main(tcp: Optional[str] = None, handover: Optional[Handover] = None) -> int:
    """`pinwise serve [--tcp HOST:PORT]`: serve over stdio (default) or TCP; over stdio, from
    where the start-up prelude handed over when it ran (it may have made the server)."""
    HEAP.limit_arenas()  # before the worker threads of the analyses start
    server = handover.server if handover is not None and handover.server else create_server()
    setup_logging(server)
    # Everything imported so far (lsprotocol's ~1,000 classes, pygls, the engine) lives as
    # long as the process: keep it out of the cyclic collector's scans.
    gc.freeze()
    if tcp:
        host, _, port = tcp.rpartition(":")
        try:
            port_number = int(port)
        except ValueError:
            logger.error("--tcp expects HOST:PORT, not %r", tcp)
            return 2
        # pygls says "Serving on (host, port)" once the socket listens: let it reach stderr.
        pygls_server = logging.getLogger("pygls.server")
        pygls_server.setLevel(logging.INFO)
        pygls_server.addHandler(logging.StreamHandler())
        server.start_tcp(host or "127.0.0.1", port_number)
    elif handover is not None:
        logger.info(
            "start-up prelude: %s",
            "published the first diagnostics"
            if handover.published
            else "handed over before publishing anything",
        )
        start_from_prelude(server, handover)
        server.start_io(handover.stdin, handover.stdout)  # type: ignore[arg-type]
    else:
        server.start_io()
    return 0
