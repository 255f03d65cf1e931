"""`python -m pinwise.lsp --tcp HOST:PORT` (what `pinwise serve --tcp` runs) serves a client."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.conftest import SERVER_ENV, codes, make_client, uri, write

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_tcp(project: Path) -> None:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pinwise.lsp",
        "--tcp",
        f"127.0.0.1:{port}",
        env=SERVER_ENV,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stderr is not None
        # The server says when it listens; connect then (no sleeping, no guessing).
        while b"Serving on" not in await asyncio.wait_for(server.stderr.readline(), 30):
            pass
        client = make_client()
        await client.start_tcp("127.0.0.1", port)
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=uri(project),
                workspace_folders=[types.WorkspaceFolder(uri=uri(project), name="project")],
            )
        )
        assert result.server_info is not None and result.server_info.name == "pinwise"
        req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\ngamma==0.5\n")
        client.open(req)
        diags = await client.diagnostics_for(req, lambda d: len(d) > 0)
        assert codes(diags) == ["PW002"]
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(server.wait(), 30)
        await client.stop()
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
