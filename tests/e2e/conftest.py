"""End-to-end fixtures: a real `python -m pinwise.lsp` over stdio, driven by pytest-lsp's client,
against real virtual environments built offline from wheels the tests make."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from tests.support.builders import make_venv, make_wheel, pip_install

# The user-facing entry point (`pinwise serve`), run with the test interpreter.
SERVER_CMD = [sys.executable, "-m", "pinwise", "serve"]
# The server inherits no pip configuration from this machine (it has global constraints and
# PIP_FIND_LINKS), and no activated venv (discovery would pick it).
SERVER_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"},
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}
TIMEOUT = 15.0

WHEELS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "alpha",
        "1.0",
        {
            "summary": "The first letter",
            "license": "MIT",
            "home_page": "https://example.invalid/alpha",
        },
    ),
    ("alpha", "2.0", {"summary": "The first letter"}),
    ("beta", "1.0", {"requires": ["alpha>=1"]}),
    ("gamma", "0.5", {}),
    ("delta", "3.1", {}),
]


def uri(path: Path | str) -> str:
    return str(from_fs_path(str(path)))


class PinwiseClient(LanguageClient):
    """pytest-lsp's client, plus what Pinwise sends: applyEdit requests and `pinwise/status`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.statuses: list[dict[str, Any]] = []
        self.message_requests: list[types.ShowMessageRequestParams] = []
        self.message_reply: Optional[str] = None
        self.registrations: list[types.Registration] = []

    async def wait_until(
        self, method: str, predicate: Callable[[], bool], timeout: float = TIMEOUT
    ) -> None:
        """Wait for notifications of `method` until `predicate()` holds (checked first)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out waiting for {method}")
            # asyncio.wait, not wait_for: a timed-out wait must not cancel pytest-lsp's future
            # (setting its result would fail when the notification arrives later).
            waiter = asyncio.ensure_future(self.wait_for_notification(method))
            await asyncio.wait([waiter], timeout=remaining)

    async def diagnostics_for(
        self,
        path: Path,
        predicate: Callable[[Sequence[types.Diagnostic]], bool] = lambda d: True,
        timeout: float = TIMEOUT,
    ) -> Sequence[types.Diagnostic]:
        key = uri(path)
        await self.wait_until(
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
            lambda: key in self.diagnostics and predicate(self.diagnostics[key]),
            timeout,
        )
        return self.diagnostics[key]

    def open(self, path: Path, text: Optional[str] = None, version: int = 1) -> str:
        if text is None:
            text = path.read_text(encoding="utf-8")
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri(path), language_id="pip-requirements", version=version, text=text
                )
            )
        )
        return uri(path)

    def replace_all(self, path: Path, text: str, version: int) -> None:
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )


def make_client(configuration: Optional[dict[str, Any]] = None) -> PinwiseClient:
    client = PinwiseClient(converter_factory=default_converter, configuration=configuration)
    register_lsp_features(client)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(
        client: PinwiseClient, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        client.applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(client: PinwiseClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    @client.feature("pinwise/status")
    def on_status(client: PinwiseClient, params: Any) -> None:
        client.statuses.append(_plain(params))

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message_request(
        client: PinwiseClient, params: types.ShowMessageRequestParams
    ) -> Optional[types.MessageActionItem]:
        client.message_requests.append(params)
        if client.message_reply is None:
            return None
        return types.MessageActionItem(title=client.message_reply)

    return client


def _plain(value: Any) -> Any:
    """pygls hands custom notification params over as namedtuple-like objects: make them dicts."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


Starter = Callable[..., Awaitable[PinwiseClient]]


@pytest_asyncio.fixture
async def start_server() -> AsyncIterator[Starter]:
    """`await start_server(folder, init_options=..., configuration=...)`: an initialised client."""
    clients: list[PinwiseClient] = []

    async def start(
        *folders: Path,
        init_options: Optional[dict[str, Any]] = None,
        configuration: Optional[dict[str, Any]] = None,
        capabilities: str = "visual-studio-code",
    ) -> PinwiseClient:
        client = make_client(configuration)
        await client.start_io(*SERVER_CMD, env=SERVER_ENV)
        clients.append(client)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(capabilities),
                root_uri=uri(folders[0]) if folders else None,
                workspace_folders=[types.WorkspaceFolder(uri=uri(f), name=f.name) for f in folders]
                or None,
                initialization_options=init_options,
            )
        )
        return client

    yield start
    for client in clients:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        await client.stop()


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheelhouse")
    for name, version, extra in WHEELS:
        make_wheel(folder, name, version, **extra)
    return folder


@pytest.fixture(scope="session")
def venv_template(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    """A venv with alpha 1.0 and beta 1.0 installed (copied per test: fast and isolated)."""
    root = tmp_path_factory.mktemp("template") / ".venv"
    python = make_venv(root)
    pip_install(
        python,
        [wheelhouse / "alpha-1.0-py3-none-any.whl", wheelhouse / "beta-1.0-py3-none-any.whl"],
    )
    return root


def copy_venv(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    cfg = target / "pyvenv.cfg"
    text = cfg.read_text()
    cfg.write_text(text.replace(str(template), str(target)))
    return target / "bin" / "python"


@pytest.fixture
def project(tmp_path: Path, venv_template: Path) -> Path:
    """A folder with a `.venv` (alpha 1.0, beta 1.0) and nothing else."""
    folder = tmp_path / "project"
    folder.mkdir()
    copy_venv(venv_template, folder / ".venv")
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(diagnostics: Iterable[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def execute(client: PinwiseClient, command: str, *arguments: Any) -> Any:
    """`workspace/executeCommand` of `command` with `arguments`: what the server answers."""
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


async def install_missing_once_reported(client: PinwiseClient, req: Path) -> Any:
    """Open `req`, wait for its PW002, then run `pinwise.installMissing` on it."""
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    return await execute(client, "pinwise.installMissing", uri(req))


# An editor's lines end at \r\n, \r and \n only (not at a form feed or U+2028, as with
# `str.splitlines`)
EDITOR_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def apply_text_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 columns) to `text` the way an editor does."""
    lines = EDITOR_LINE.findall(text)
    if not lines or text.endswith(("\n", "\r")):
        lines.append("")

    def offset(pos: types.Position) -> int:
        before = sum(len(line) for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= pos.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line.rstrip("\r\n"))

    spans = sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_for(edit: types.WorkspaceEdit, target: str) -> list[types.TextEdit]:
    """The text edits of `edit` for document `target`, whichever form the server used."""
    found: list[types.TextEdit] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == target:
            found += [e for e in change.edits if isinstance(e, types.TextEdit)]
    for key, text_edits in (edit.changes or {}).items():
        if key == target:
            found += list(text_edits)
    return found
