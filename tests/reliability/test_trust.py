"""Workspace trust: with `trusted: false` (and `pinwise check/env/freeze --no-exec`) no process is
ever started; and no requirements file makes Pinwise run anything without an explicit command.

The interpreter is a canary (a script that records each start before running the real Python);
the project is hostile (tests/reliability/hostile.py): a setup.py and a build backend that
record being run, a .pth file, a FIFO and devices as includes, `${PW_CMD}` holding a shell
command, index / find-links / include URLs on a local listener that records connections."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.e2e.conftest import SERVER_ENV, codes, uri
from tests.reliability.conftest import Start
from tests.reliability.hostile import canary_python, cmd_env, hostile_project, listen, ran
from tests.reliability.support import command, descendants, expect, hover
from tests.support.builders import pip_install

pytestmark = pytest.mark.slow

COMMANDS = [
    "pinwise.installMissing",
    "pinwise.createVenv",
    "pinwise.freeze",
    "pinwise.pinAll",
    "pinwise.refresh",
    "pinwise.status",
    "pinwise.stats",
]


async def whole_session(client: Any, req: Path, folder: Path) -> None:
    """Open, change, hover, completion, code actions (resolved), symbols, links, every command."""
    text = req.read_text()
    client.open(req, text)
    await expect(client, req, lambda d: "PW006" in codes(d))
    client.replace_all(req, text + "delta\n", 2)
    await expect(client, req, lambda d: "PW001" in codes(d) and len(d) > 1)
    lines = text.count("\n")
    for line in range(lines + 1):
        await hover(client, req, line, 1)
        await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(req)),
                position=types.Position(line=line, character=0),
            )
        )
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(req)),
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=line, character=0),
                ),
                context=types.CodeActionContext(diagnostics=list(client.diagnostics[uri(req)])),
            )
        )
        for action in actions or []:
            if isinstance(action, types.CodeAction) and action.data is not None:
                await client.code_action_resolve_async(action)
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    for name in COMMANDS:
        result = await asyncio.wait_for(command(client, name, uri(req)), 60)
        if name in ("pinwise.installMissing", "pinwise.createVenv"):
            assert result["ok"] is False and "untrusted" in str(result["message"]), result
    await command(client, "pinwise.createVenv", uri(folder))


async def test_untrusted_session_starts_no_process(lsp: Start, project: Path) -> None:
    """trusted: false: a whole session on a hostile project never starts the canary interpreter
    or anything else, including while the watcher reacts to an install made in a terminal."""
    markers = project.parent / "markers"
    listener = await listen()
    req = hostile_project(project, markers, listener)
    python = canary_python(project / ".venv", markers)
    client = await lsp(
        project,
        init_options={"interpreter": str(python), "trusted": False},
        env=cmd_env(markers),
    )
    await whole_session(client, req, project)
    assert descendants(client.server_pid) == []
    # watching: gamma installed from a terminal (the test's own pip, not Pinwise): the watcher
    # re-reads the environment statically and the diagnostics follow, still without a process
    assert "PW002" in codes(client.diagnostics[uri(req)])
    before = [d for d in client.diagnostics[uri(req)] if d.code == "PW002" and "gamma" in d.message]
    assert before
    assert ran(markers) == [], f"something ran: {ran(markers)}"
    wheel = next(Path(p) for p in _wheels(project))
    # the terminal's pip runs the venv's interpreter, which would run the .pth file
    next((project / ".venv" / "lib").glob("python3*/site-packages/zzz-canary.pth")).unlink()
    os.unlink(python)
    os.symlink(os.path.realpath(sys.executable), python)  # pip needs a real interpreter
    pip_install(python, [wheel])
    canary_python(project / ".venv", markers)  # the canary is back before the watcher looks
    await expect(
        client,
        req,
        lambda d: not [x for x in d if x.code == "PW002" and "gamma" in x.message],
    )
    assert descendants(client.server_pid) == []
    assert ran(markers) == [], f"something ran: {ran(markers)}"
    assert listener.connections == []
    status = await command(client, "pinwise.status", uri(req))
    assert status["trusted"] is False


def _wheels(project: Path) -> list[str]:
    found = sorted(Path(project).parents[1].glob("**/gamma-0.5-py3-none-any.whl"))
    if not found:
        pytest.skip("no gamma wheel in the session's wheelhouse")
    return [str(found[0])]


async def test_canary_runs_when_trusted(lsp: Start, project: Path) -> None:
    """The control: with trust, the same canary does record its (isolated) start, so the
    untrusted test above would have seen one; and still nothing else runs."""
    markers = project.parent / "markers"
    listener = await listen()
    req = hostile_project(project, markers, listener)
    python = canary_python(project / ".venv", markers)
    client = await lsp(project, init_options={"interpreter": str(python)}, env=cmd_env(markers))
    client.open(req)
    await expect(client, req, lambda d: "PW006" in codes(d))
    assert ran(markers) == ["interpreter"]
    started = (markers / "interpreter").read_text()
    assert " -I -S -c " in started  # isolated: no site, no .pth, no user site
    for name in ("pinwise.pinAll", "pinwise.freeze", "pinwise.refresh", "pinwise.status"):
        await command(client, name, uri(req))
    assert ran(markers) == ["interpreter"], "a requirements file made Pinwise run something"
    assert listener.connections == []


async def test_fifo_and_devices_as_includes_never_hang(lsp: Start, project: Path) -> None:
    """`-r fifo.txt`, `-r /dev/zero`, `-c /dev/urandom`: PW006 on each, the server answers."""
    fifo = project / "fifo.txt"
    os.mkfifo(fifo)
    req = project / "requirements.txt"
    req.write_text("-r fifo.txt\n-r /dev/zero\n-c /dev/urandom\nalpha==1.0\n")
    client = await lsp(project)
    client.open(req)
    diags = await expect(client, req, lambda d: codes(d).count("PW006") == 3)
    assert sorted(d.range.start.line for d in diags if d.code == "PW006") == [0, 1, 2]
    assert await hover(client, req, 3, 1) is not None


@pytest.mark.parametrize("cli", [["check"], ["env", "--json"], ["freeze"]])
def test_cli_no_exec_starts_nothing(project: Path, cli: list[str]) -> None:
    """`pinwise check|env|freeze --no-exec` on the hostile project: nothing runs."""
    markers = project.parent / "markers"
    loop = asyncio.new_event_loop()
    listener = loop.run_until_complete(listen())
    hostile_project(project, markers, listener)
    python = canary_python(project / ".venv", markers)
    env = {**SERVER_ENV, **cmd_env(markers), "XDG_CACHE_HOME": str(project.parent / "xdg")}
    result = subprocess.run(
        [sys.executable, "-m", "pinwise", *cli, "--no-exec", "--python", str(python)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    loop.run_until_complete(asyncio.sleep(0))
    assert result.returncode in (0, 1), result.stderr
    assert ran(markers) == [], f"something ran: {ran(markers)}"
    assert listener.connections == []
    # and without --no-exec at most the canary's isolated run happens
    result = subprocess.run(
        [sys.executable, "-m", "pinwise", *cli, "--python", str(python)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran(markers) in ([], ["interpreter"]), ran(markers)
    if ran(markers):
        assert " -I -S -c " in (markers / "interpreter").read_text()
    loop.run_until_complete(asyncio.sleep(0))
    assert listener.connections == []
    loop.close()
