"""Reliability fixtures: the e2e fixtures (real `python -m pinwise serve` under pytest-lsp's client,
real venvs built offline), plus a client that records everything it receives (every JSON-RPC
message, the server's stderr) and the server's process id, and a per-test interpreter cache.

Outcomes of the tests here are written to test-artifacts/reliability-results.json at the end of
the session (for fuzz/reliability_report.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    SERVER_CMD,
    SERVER_ENV,
    PinwiseClient,
    make_client,
    project,
    uri,
    venv_template,
    wheelhouse,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RESULTS: dict[str, dict[str, Any]] = {}


class RecordingClient(PinwiseClient):
    """A PinwiseClient that keeps the raw text of every message and stderr line it receives."""

    received: list[str]
    stderr_lines: list[str]
    server_pid: int


def _record(client: RecordingClient) -> None:
    protocol = client.protocol
    original = protocol.structure_message

    def structure(data: dict[str, Any]) -> Any:
        if "jsonrpc" in data:
            client.received.append(json.dumps(data))
        return original(data)

    protocol.structure_message = structure  # type: ignore[method-assign]


async def _read_stderr(client: RecordingClient, stream: asyncio.StreamReader) -> None:
    while True:
        line = await stream.readline()
        if not line:
            return
        client.stderr_lines.append(line.decode("utf-8", "replace"))


Start = Callable[..., Awaitable[RecordingClient]]


@pytest_asyncio.fixture
async def lsp(tmp_path: Path) -> AsyncIterator[Start]:
    """`await lsp(folder, init_options=..., env=..., capabilities=...)`: an initialised client.

    The server gets the e2e environment, its own XDG_CACHE_HOME (no interpreter answers shared
    with other tests), PIP_RETRIES=0 (a refused connection fails at once) and `env` on top."""
    clients: list[RecordingClient] = []

    async def start(
        *folders: Path,
        init_options: Optional[dict[str, Any]] = None,
        configuration: Optional[dict[str, Any]] = None,
        env: Optional[dict[str, str]] = None,
        capabilities: str = "visual-studio-code",
    ) -> RecordingClient:
        client = make_client(configuration)
        client.__class__ = RecordingClient
        client.received = []
        client.stderr_lines = []
        _record(client)
        server_env = {
            **SERVER_ENV,
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
            "PIP_RETRIES": "0",
            **(env or {}),
        }
        await client.start_io(*SERVER_CMD, env=server_env)
        server = client._server
        assert server is not None and server.stderr is not None
        if client._stderr_forwarder is not None:
            client._stderr_forwarder.cancel()
        client._stderr_forwarder = asyncio.ensure_future(_read_stderr(client, server.stderr))
        client.server_pid = server.pid
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
        with contextlib.suppress(Exception):
            await client.stop()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability/" not in report.nodeid.replace(os.sep, "/"):
        return
    entry = RESULTS.setdefault(report.nodeid, {"outcome": "passed", "seconds": 0.0})
    entry["seconds"] = round(entry["seconds"] + report.duration, 2)
    if report.outcome != "passed" or (report.when == "call" and entry["outcome"] == "passed"):
        entry["outcome"] = report.outcome
    if report.user_properties:
        entry.setdefault("figures", {}).update(dict(report.user_properties))
    if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
        entry["reason"] = str(report.longrepr[2])


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "tests/reliability/" in item.nodeid.replace(os.sep, "/"):
        doc = (getattr(item, "function", None).__doc__ or "") if hasattr(item, "function") else ""
        RESULTS.setdefault(item.nodeid, {"outcome": "passed", "seconds": 0.0})["doc"] = " ".join(
            doc.split()
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not RESULTS:
        return
    out = ARTIFACTS / "reliability-results.json"
    merged: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):  # a partial run updates the last full one
        merged = json.loads(out.read_text(encoding="utf-8")).get("tests", {})
    merged.update(RESULTS)
    data = {
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "tests": dict(sorted(merged.items())),
        "counts": {
            outcome: sum(1 for r in merged.values() if r["outcome"] == outcome)
            for outcome in ("passed", "failed", "skipped")
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out)
