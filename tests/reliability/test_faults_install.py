"""pip failing during `pinwise.installMissing`, and the client vanishing while it runs.

- `--no-index` with one installable and one missing requirement, and a bad index URL
  (`--index-url http://127.0.0.1:9/`, nothing listens there): pip fails, the user is told, the
  requirements file is left byte for byte as it was (no edit is sent), the environment is
  unchanged and the server goes on answering with the same diagnostics.
- The client vanishes (its end of the pipes closed) while pip waits on an index that never
  answers: the server exits and leaves no pip or interpreter process behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types

from tests.e2e.conftest import codes, uri, write
from tests.reliability.conftest import Start
from tests.reliability.support import command, descendants, expect, hover, matching, until

pytestmark = pytest.mark.slow


def gamma_missing(diags: Sequence[types.Diagnostic]) -> bool:
    return codes(diags) == ["PW002", "PW002"]  # gamma, not-there


@pytest.mark.parametrize(
    "options",
    [
        pytest.param("--no-index\n-f {wheelhouse}\n", id="no-index, one package missing"),
        pytest.param("--index-url http://127.0.0.1:9/\n", id="bad index URL"),
    ],
)
async def test_pip_fails_and_nothing_changes(
    lsp: Start, project: Path, wheelhouse: Path, options: str
) -> None:
    """pip fails half-way (gamma could be installed, not-there cannot): nothing is installed,
    the file is untouched, the failure is shown, the diagnostics stay right."""
    text = (
        options.format(wheelhouse=wheelhouse)
        + "alpha==1.0\nbeta==1.0\ngamma==0.5\nnot-there==1.0\n"
    )
    req = write(project / "requirements.txt", text)
    before = req.read_bytes()
    client = await lsp(project)
    client.open(req)
    await expect(client, req, gamma_missing)
    result = await asyncio.wait_for(command(client, "pinwise.installMissing", uri(req)), 120)
    assert result["ok"] is False and result.get("exitCode") not in (None, 0), result
    assert "pip install failed" in str(result["message"])
    assert any("pip install failed" in m.message for m in client.messages)
    assert req.read_bytes() == before
    assert client.applied == []
    site = next((project / ".venv" / "lib").glob("python3*/site-packages"))
    assert not list(site.glob("gamma*")), "pip installed part of the set"
    await expect(client, req, gamma_missing)
    assert await hover(client, req, text.count("\n") - 3, 1) is not None


@pytest_asyncio.fixture
async def silent_index() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never answers (an index that hangs)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield port
    for writer in held:
        writer.close()
    server.close()
    with contextlib.suppress(Exception):
        await server.wait_closed()


async def test_client_vanishes_during_install(lsp: Start, project: Path, silent_index: int) -> None:
    """The client goes away while pip runs: the server exits, no pip process is orphaned."""
    index = f"http://127.0.0.1:{silent_index}/simple-{silent_index}/"
    req = write(
        project / "requirements.txt", f"--index-url {index}\nalpha==1.0\nbeta==1.0\ngamma==0.5\n"
    )
    client = await lsp(project, env={"PIP_DEFAULT_TIMEOUT": "120"})
    client.open(req)
    await expect(client, req, lambda d: codes(d) == ["PW002"])
    pending = asyncio.ensure_future(command(client, "pinwise.installMissing", uri(req)))
    await client.wait_until(types.PROGRESS, lambda: bool(client.progress_reports), timeout=30)
    pid = client.server_pid
    venv_python = str(project / ".venv" / "bin" / "python")
    # pip runs in the venv's interpreter (with `--python`, a child of Pinwise's own pip)
    await until(
        lambda: any(index in cmd and venv_python in cmd for _, cmd in descendants(pid)),
        30,
        "pip running in the environment",
    )
    started = [cmd for _, cmd in descendants(pid)]
    # the client vanishes: its end of the server's stdin and stdout closes
    server = client._server
    assert server is not None and server.stdin is not None
    server.stdin.close()
    client._stop_event.set()
    pending.cancel()
    await asyncio.wait_for(server.wait(), 30)
    await until(lambda: not matching(index), 20, "no process left using the test's index")
    assert not matching(index), started
