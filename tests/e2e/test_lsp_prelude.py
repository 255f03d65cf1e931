"""The start-up prelude (`pinwise.lsp.prelude`): what the client receives from a server started
with it must be what the full server alone would send, only sooner.

Each test runs `pinwise serve` twice, with the prelude and with `PINWISE_PRELUDE=0`, through a
raw JSON-RPC client (frames as bytes, so nothing in between normalises what the server wrote),
and compares: the `initialize` result for many client capability sets, and the first
diagnostics of requirements files that exercise every part of the conversion (UTF-16 and UTF-8
columns past non-ASCII text, related locations in another file, tags, severities from pulled
configuration and from `[tool.pinwise]`, an untrusted workspace).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

from tests.e2e.conftest import SERVER_CMD, SERVER_ENV, copy_venv, uri, write
from tests.support.jsonrpc import frame, read_body

TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parents[2]


class RawClient:
    """A minimal client: Content-Length frames over the server's stdio, every message kept."""

    def __init__(self, proc: asyncio.subprocess.Process, configuration: Any) -> None:
        self.proc = proc
        self.configuration = configuration
        self.received: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.on_configuration: Optional[Callable[[dict[str, Any]], None]] = None
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(
        cls,
        cwd: Path,
        prelude: bool,
        configuration: Any = None,
        stderr: Optional[Path] = None,
    ) -> RawClient:
        env = {**SERVER_ENV, "PINWISE_PRELUDE": "1" if prelude else "0"}
        with open(stderr or os.devnull, "wb") as errors:
            proc = await asyncio.create_subprocess_exec(
                *SERVER_CMD,
                cwd=str(cwd),
                env=env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=errors,
                limit=2**24,
            )
        return cls(proc, configuration)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(message))

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while (body := await read_body(out)) is not None:
            message = json.loads(body)
            self.received.append(message)
            self.arrived.set()
            if message.get("method") == "workspace/configuration":
                if self.on_configuration is not None:
                    self.on_configuration(message)
                else:
                    self.answer_configuration(message)
            elif "id" in message and "method" in message:
                self.send({"id": message["id"], "result": None})

    def answer_configuration(self, message: dict[str, Any]) -> None:
        items = message["params"]["items"]
        self.send({"id": message["id"], "result": [self.configuration for _ in items]})

    async def wait(self, predicate: Callable[[], Any]) -> Any:
        async def loop() -> Any:
            while not (found := predicate()):
                self.arrived.clear()
                await self.arrived.wait()
            return found

        return await asyncio.wait_for(loop(), TIMEOUT)

    def published(self, document: str) -> list[dict[str, Any]]:
        return [
            m["params"]
            for m in self.received
            if m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == document
        ]

    def responses(self, request_id: Any) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("id") == request_id and "method" not in m]

    async def initialize(
        self, folder: Path, capabilities: Any, init_options: Any = None
    ) -> dict[str, Any]:
        self.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": os.getpid(),
                    "rootUri": uri(folder),
                    "workspaceFolders": [{"uri": uri(folder), "name": folder.name}],
                    "capabilities": capabilities,
                    "initializationOptions": init_options,
                },
            }
        )
        response = await self.wait(lambda: self.responses(1))
        self.send({"method": "initialized", "params": {}})
        return dict(response[0]["result"])

    def open(self, path: Path, version: int = 1) -> str:
        self.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": uri(path),
                        "languageId": "pip-requirements",
                        "version": version,
                        "text": path.read_text(encoding="utf-8"),
                    }
                },
            }
        )
        return uri(path)

    async def stop(self) -> None:
        self.send({"id": "bye", "method": "shutdown"})
        try:
            await self.wait(lambda: self.responses("bye"))
            self.send({"method": "exit"})
            await asyncio.wait_for(self.proc.wait(), 10)
        except (asyncio.TimeoutError, ConnectionError):
            self.proc.kill()
            await self.proc.wait()
        self.reader.cancel()


def _capabilities(name: str) -> dict[str, Any]:
    return dict(default_converter().unstructure(client_capabilities(name)))


CLIENTS = {
    "none": {},
    "visual-studio-code": _capabilities("visual-studio-code"),
    "neovim": _capabilities("neovim"),
    "utf-8 first": {"general": {"positionEncodings": ["utf-8", "utf-16"]}},
    "utf-32 first": {"general": {"positionEncodings": ["utf-32"]}},
    "unknown encoding": {"general": {"positionEncodings": ["ebcdic"]}},
}


@pytest.mark.parametrize("client_name", sorted(CLIENTS))
async def test_initialize_result_is_the_full_servers(tmp_path: Path, client_name: str) -> None:
    results = []
    for prelude in (True, False):
        client = await RawClient.start(tmp_path, prelude)
        results.append(await client.initialize(tmp_path, CLIENTS[client_name]))
        await client.stop()
    assert results[0] == results[1], "run scripts/gen_capabilities.py after changing features"


@pytest.fixture
def scenario(tmp_path: Path, venv_template: Path) -> Path:
    """A project whose requirements exercise every part of the conversion to LSP."""
    project = tmp_path / "project"
    copy_venv(venv_template, project / ".venv")
    write(project / "base.txt", "gamma==0.5\nalpha==1.0  # café\n")
    write(
        project / "requirements.txt",
        "-r base.txt\n"
        "# déjà vu 😀 before the findings\n"
        "alpha\n"  # PW001 (and a duplicate of base.txt's line: related location there)
        "beta==2.0\n"  # PW003
        "delta==3.1 ; python_version < '3'\n"  # PW009: tagged unnecessary
        "😀bad name\n"  # PW005, its range ends past an astral character
        "gamma==0.5\n",  # PW002, PW004 with base.txt
    )
    write(project / "pyproject.toml", '[tool.pinwise]\nseverity = { PW002 = "error" }\n')
    return project


SETTINGS = {
    "defaults": ({}, None, None),
    "utf-8 client": ({"general": {"positionEncodings": ["utf-8"]}}, None, None),
    "pulled configuration": (
        CLIENTS["visual-studio-code"],
        None,
        {"severity": {"PW001": "hint"}, "ignore": ["PW009"]},
    ),
    "initialization settings": ({}, {"settings": {"select": ["PW001", "PW004"]}}, None),
    "untrusted": ({}, {"trusted": False}, None),
    "bad pulled configuration": (CLIENTS["neovim"], None, {"severity": {"PW001": "loud"}}),
}


@pytest.mark.parametrize("case", sorted(SETTINGS))
async def test_first_diagnostics_are_the_full_servers(scenario: Path, case: str) -> None:
    capabilities, init_options, configuration = SETTINGS[case]
    if configuration is not None:
        capabilities = {**capabilities, "workspace": {"configuration": True}}
    requirements = scenario / "requirements.txt"
    alone = await RawClient.start(scenario, prelude=False, configuration=configuration)
    await alone.initialize(scenario, capabilities, init_options)
    document = alone.open(requirements)
    expected = (await alone.wait(lambda: alone.published(document)))[0]
    await alone.stop()
    assert expected["version"] == 1 and expected["diagnostics"]

    client = await RawClient.start(scenario, prelude=True, configuration=configuration)
    await client.initialize(scenario, capabilities, init_options)
    client.open(requirements)
    assert (await client.wait(lambda: client.published(document))) == [expected]
    # Answered once the full server has analysed version 1 itself: it did not send the same
    # diagnostics again (it would have sent its own, were they any different).
    status = {"command": "pinwise.status", "arguments": [document]}
    client.send({"id": "status", "method": "workspace/executeCommand", "params": status})
    await client.wait(lambda: client.responses("status"))
    assert client.published(document) == [expected]
    # The session goes on as with the full server alone: an edit is diagnosed.
    client.send(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": document, "version": 2},
                "contentChanges": [{"text": "alpha\n"}],
            },
        }
    )
    changed = await client.wait(
        lambda: [p for p in client.published(document) if p.get("version") == 2]
    )
    assert "PW001" in [d["code"] for d in changed[0]["diagnostics"]]
    assert len(client.responses(1)) == 1, "one answer to initialize, not two"
    await client.stop()


async def test_the_full_server_sends_its_own_diagnostics_when_they_differ(scenario: Path) -> None:
    """The settings change between the prelude's configuration pull and the full server's:
    the full server's diagnostics of version 1 differ from the prelude's, so it sends them
    (it skips only the very same diagnostics)."""
    capabilities = {"workspace": {"configuration": True}}
    client = await RawClient.start(scenario, prelude=True, configuration={})
    pulls: list[int] = []

    def answer(message: dict[str, Any]) -> None:
        pulls.append(1)
        section = {} if len(pulls) == 1 else {"severity": {"PW001": "hint"}}
        items = message["params"]["items"]
        client.send({"id": message["id"], "result": [section for _ in items]})

    client.on_configuration = answer
    await client.initialize(scenario, capabilities)
    document = client.open(scenario / "requirements.txt")
    await client.wait(lambda: client.published(document))  # the prelude's
    status = {"command": "pinwise.status", "arguments": [document]}
    client.send({"id": "status", "method": "workspace/executeCommand", "params": status})
    await client.wait(lambda: client.responses("status"))
    published = client.published(document)
    assert [p["version"] for p in published] == [1, 1], published

    def severity(params: dict[str, Any]) -> int:
        return next(int(d["severity"]) for d in params["diagnostics"] if d["code"] == "PW001")

    assert [severity(p) for p in published] == [2, 4]  # warning by the prelude, then a hint
    await client.stop()


async def test_a_message_before_the_configuration_answer(scenario: Path, tmp_path: Path) -> None:
    """The client sends an edit before answering the prelude's configuration request: the
    prelude publishes nothing and hands over; the full server diagnoses the edited text, and
    takes the late answer quietly (VS Code's log showed pygls' "response to unknown message id"
    as an error on every start)."""
    capabilities = {"workspace": {"configuration": True}}
    errors = tmp_path / "stderr.txt"
    client = await RawClient.start(scenario, prelude=True, configuration={}, stderr=errors)
    held: list[dict[str, Any]] = []
    client.on_configuration = held.append
    await client.initialize(scenario, capabilities)
    document = client.open(scenario / "requirements.txt")
    await client.wait(lambda: held)
    client.send(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": document, "version": 2},
                "contentChanges": [{"text": "alpha\n"}],
            },
        }
    )
    client.on_configuration = None
    client.answer_configuration(held[0])  # answered late: the full server gets an odd response
    final = await client.wait(
        lambda: [p for p in client.published(document) if p.get("version") == 2]
    )
    assert "PW001" in [d["code"] for d in final[0]["diagnostics"]]
    assert not [p for p in client.published(document) if p.get("version") == 1]
    await client.stop()
    assert "unknown message id" not in errors.read_text(), errors.read_text()


async def test_a_first_message_other_than_initialize(tmp_path: Path) -> None:
    """The prelude only answers `initialize`: anything else first is the full server's."""
    answers = []
    for prelude in (True, False):
        client = await RawClient.start(tmp_path, prelude)
        hover = {
            "textDocument": {"uri": uri(tmp_path / "requirements.txt")},
            "position": {"line": 0, "character": 0},
        }
        client.send({"id": 7, "method": "textDocument/hover", "params": hover})
        answers.append((await client.wait(lambda c=client: c.responses(7)))[0])
        await client.stop()
    assert answers[0] == answers[1]


def test_the_prelude_needs_neither_lsprotocol_nor_the_pygls_server(scenario: Path) -> None:
    """Run in a fresh interpreter: initialize, initialized and didOpen through the prelude,
    then look at what was imported."""
    requirements = scenario / "requirements.txt"
    frames = b""
    for message in (
        {"id": 1, "method": "initialize", "params": {"rootUri": uri(scenario), "capabilities": {}}},
        {"method": "initialized", "params": {}},
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri(requirements),
                    "languageId": "pip-requirements",
                    "version": 1,
                    "text": requirements.read_text(encoding="utf-8"),
                }
            },
        },
    ):
        frames += frame(message)
    script = (
        "import io, sys\n"
        "from pinwise.lsp.prelude import run_prelude\n"
        "out = io.BytesIO()\n"
        "handover = run_prelude(io.BytesIO(sys.stdin.buffer.read()), out)\n"
        "heavy = ('lsprotocol', 'pygls', 'cattrs', 'attrs', 'attr')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(handover.published, loaded, out.getvalue().count(b'publishDiagnostics'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=frames,
        capture_output=True,
        cwd=scenario,
        env=SERVER_ENV,
        timeout=60,
        check=True,
    )
    assert result.stdout.decode().split() == ["True", "['pygls',", "'pygls.uris']", "1"]


async def test_a_client_that_never_answers_the_configuration_request(scenario: Path) -> None:
    """The prelude waits for the `pinwise` section as long as the full server waits for an
    environment (2 s), then hands over: the first diagnostics still come."""
    capabilities = {"workspace": {"configuration": True}}
    client = await RawClient.start(scenario, prelude=True, configuration={})
    ignored: list[dict[str, Any]] = []

    def answer_all_but_the_first(message: dict[str, Any]) -> None:
        if not ignored:
            ignored.append(message)
        else:
            client.answer_configuration(message)

    client.on_configuration = answer_all_but_the_first
    await client.initialize(scenario, capabilities)
    document = client.open(scenario / "requirements.txt")
    published = await client.wait(lambda: client.published(document))
    assert ignored and ignored[0]["id"] == "pinwise-prelude-configuration"
    assert published[0]["version"] == 1 and published[0]["diagnostics"]
    assert len(client.responses(1)) == 1
    await client.stop()


async def test_requests_right_after_the_preludes_diagnostics(scenario: Path) -> None:
    """A client that acts on the prelude's diagnostics at once (VS Code asks for the status and
    code actions) gets the full server's answers about the environment the diagnostics were
    made with, not answers from a server that has not inspected it yet."""
    client = await RawClient.start(scenario, prelude=True)
    await client.initialize(scenario, {"workspace": {"configuration": True}})
    document = client.open(scenario / "requirements.txt")
    first = (await client.wait(lambda: client.published(document)))[0]
    unpinned = next(d for d in first["diagnostics"] if d["code"] == "PW001")
    client.send(
        {
            "id": "status",
            "method": "workspace/executeCommand",
            "params": {"command": "pinwise.status", "arguments": [document]},
        }
    )
    client.send(
        {
            "id": "actions",
            "method": "textDocument/codeAction",
            "params": {
                "textDocument": {"uri": document},
                "range": unpinned["range"],
                "context": {"diagnostics": [unpinned]},
            },
        }
    )
    status = (await client.wait(lambda: client.responses("status")))[0]["result"]
    assert status["interpreter"] == str(scenario / ".venv" / "bin" / "python")
    assert status["pythonVersion"] and status["counts"]["PW001"] >= 1
    actions = (await client.wait(lambda: client.responses("actions")))[0]["result"]
    assert any(a["title"].startswith("Pin to installed version") for a in actions), actions
    await client.stop()


def _change(document: str, version: int, *changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": document, "version": version},
            "contentChanges": list(changes),
        },
    }


def _at(line: int, start: int, end: Optional[int] = None) -> dict[str, Any]:
    end = start if end is None else end
    return {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}


# Typing right after opening: every version's diagnostics, in UTF-16 columns past an astral
# character (row 1 holds 😀, two units), two changes in one event, a whole-text change.
EDITS: list[tuple[dict[str, Any], ...]] = [
    ({"range": _at(2, 0), "text": "beta\n"},),  # a new unpinned line above `alpha`
    ({"range": _at(1, 12, 17), "text": "vu again"},),  # in the comment, after 😀
    ({"range": _at(3, 5), "text": "==1.0"}, {"range": _at(0, 0), "text": "# top\n"}),
    ({"range": _at(6, 0, 3), "text": "ok"},),  # `😀bad` (4 units) loses `😀b`: still bad
    ({"text": "-r base.txt\nalpha\nalpha==1.0\n"},),
]


async def _typed(
    client: RawClient, document: str, between: Optional[Callable[[], None]] = None
) -> dict[int, dict[str, Any]]:
    """Send EDITS one after the other, each once the last one's diagnostics came (`between`
    called after the first); the diagnostics of each version."""
    published: dict[int, dict[str, Any]] = {}
    for version, changes in enumerate(EDITS, start=2):
        client.send(_change(document, version, *changes))
        found = await client.wait(
            lambda v=version: [p for p in client.published(document) if p.get("version") == v]
        )
        published[version] = found[0]
        if version == 2 and between is not None:
            between()
    return published


async def test_typing_at_once_is_diagnosed_by_the_prelude(scenario: Path) -> None:
    """Edits made while the full server is still being imported are diagnosed by the prelude,
    exactly as the full server alone diagnoses them; a request made meanwhile is answered
    once the full server has taken over; no older version is published after a newer one."""
    capabilities = CLIENTS["visual-studio-code"]
    # No debounce: replaying the edits, the full server would diagnose each version it reads.
    options = {"settings": {"debounceMs": 0}}
    requirements = scenario / "requirements.txt"
    alone = await RawClient.start(scenario, prelude=False)
    await alone.initialize(scenario, capabilities, options)
    document = alone.open(requirements)
    await alone.wait(lambda: alone.published(document))
    expected = await _typed(alone, document)
    await alone.stop()

    client = await RawClient.start(scenario, prelude=True)
    await client.initialize(scenario, capabilities, options)
    client.open(requirements)
    await client.wait(lambda: client.published(document))
    # Answered by the full server only, and at once when it reads it: before any of the edits
    # sent after it, unless the prelude has diagnosed them meanwhile.
    stats = {"command": "pinwise.stats", "arguments": []}
    client.send({"id": "stats", "method": "workspace/executeCommand", "params": stats})
    hover = {"textDocument": {"uri": document}, "position": {"line": 2, "character": 1}}
    ask = {"id": "hover", "method": "textDocument/hover", "params": hover}
    assert await _typed(client, document, lambda: client.send(ask)) == expected
    last = len(EDITS) + 1
    assert not client.responses("stats"), "the full server took over before the edits"
    answer = (await client.wait(lambda: client.responses("hover")))[0]
    # Answered once the full server has analysed the last version itself: it did not send the
    # prelude's diagnostics of it again (it would have sent its own, were they any different).
    status = {"command": "pinwise.status", "arguments": [document]}
    client.send({"id": "status", "method": "workspace/executeCommand", "params": status})
    await client.wait(lambda: client.responses("status"))
    assert [p["version"] for p in client.published(document)].count(last) == 1
    # Answered by the full server after the hand-over. (About the text of then or of a later
    # edit: an asynchronous request sees the edits read while it waits, as without prelude.)
    assert answer["result"]["range"]["start"]["line"] == 2, answer
    # The full server goes on from the same text.
    client.send(_change(document, 7, {"range": _at(1, 0), "text": "gamma\n"}))
    after = await client.wait(
        lambda: [p for p in client.published(document) if p.get("version") == 7]
    )
    codes = sorted(d["code"] for d in after[0]["diagnostics"])
    assert codes.count("PW001") == 2, codes  # `alpha` and the new `gamma`
    # never an older version after a newer one: the full server published none of those the
    # prelude had gone past, nor the last one again
    versions = [p.get("version") for p in client.published(document)]
    assert versions[:last] == list(range(1, last + 1)), versions
    assert versions == sorted(versions) and versions[-1] == 7, versions
    # The full server took the prelude's snapshot of the environment (nothing was installed
    # since), so its analyses found the prelude's findings in the memo.
    logged = [
        m["params"]["message"] for m in client.received if m.get("method") == "window/logMessage"
    ]
    assert any("the start-up prelude's inspection, unchanged since" in m for m in logged), logged
    await client.stop()


async def test_closing_while_the_prelude_serves(scenario: Path) -> None:
    """An edit then a close right after opening: the last word is the full server's clearing
    of the diagnostics."""
    client = await RawClient.start(scenario, prelude=True)
    await client.initialize(scenario, {})
    document = client.open(scenario / "requirements.txt")
    await client.wait(lambda: client.published(document))
    client.send(_change(document, 2, {"range": _at(2, 0), "text": "beta\n"}))
    client.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": document}}})
    await client.wait(lambda: [p for p in client.published(document) if not p["diagnostics"]])
    await client.stop()  # the full server has answered: everything it sent is in
    assert client.published(document)[-1]["diagnostics"] == []


async def test_a_burst_of_edits_while_the_prelude_serves(scenario: Path) -> None:
    """1,000 edits right after opening: only the last version is diagnosed (debounced, by the
    prelude or the full server), and never an older one after it (the full server, replaying
    the edits, meets them all again)."""
    client = await RawClient.start(scenario, prelude=True)
    await client.initialize(scenario, {})
    document = client.open(scenario / "requirements.txt")
    await client.wait(lambda: client.published(document))
    for version in range(2, 1002):
        text = "gamma==0.5\n" if version == 1001 else " "
        client.send(_change(document, version, {"range": _at(0, 0), "text": text}))
    await client.wait(lambda: [p for p in client.published(document) if p["version"] == 1001])
    await client.stop()  # the full server has answered: everything it sent is in
    versions = [p["version"] for p in client.published(document)]
    assert versions[0] == 1 and set(versions[1:]) == {1001}, versions
    assert [d["code"] for d in client.published(document)[-1]["diagnostics"]].count("PW002") == 2


@pytest.mark.parametrize("prelude", [True, False], ids=["prelude", "alone"])
async def test_the_server_never_loads_openssl(scenario: Path, prelude: bool) -> None:
    """asyncio imports ssl for TLS transports the server never opens: `pinwise serve` keeps it
    out (about 4.5 MB resident). The server goes on to answer a command and to diagnose an
    edit; a later `import ssl` would load it as usual (`test_lsp_prelude_parts`)."""
    client = await RawClient.start(scenario, prelude)
    await client.initialize(scenario, {})
    document = client.open(scenario / "requirements.txt")
    stats = {"command": "pinwise.stats", "arguments": []}
    client.send({"id": "stats", "method": "workspace/executeCommand", "params": stats})
    answer = (await client.wait(lambda: client.responses("stats")))[0]
    assert answer["result"]["rssMb"] > 0, answer
    client.send(_change(document, 2, {"range": _at(2, 0), "text": "beta\n"}))
    await client.wait(lambda: [p for p in client.published(document) if p.get("version") == 2])
    maps = Path(f"/proc/{client.proc.pid}/maps").read_text()
    loaded = sorted({line.rsplit("/", 1)[-1] for line in maps.splitlines() if "ssl" in line})
    assert loaded == [], loaded
    await client.stop()
