"""Injected interpreter faults, each under a real client (pytest-lsp) with the real server.

The folder's `.venv/bin/python` (a symlink) is deleted, replaced by another Python, made
non-executable, replaced by a script that hangs, prints garbage or crashes. Each time the user
refreshes (`pinwise.refresh`); the server must keep answering (status, hover), say once what is
wrong (`window/showMessage`), keep the diagnostics the files alone give (PW005, PW001) without
inventing environment findings, and recover when the interpreter is repaired."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import pytest
from lsprotocol import types

from tests.e2e.conftest import SERVER_ENV, codes, uri, write
from tests.reliability.conftest import Start
from tests.reliability.support import expect, hover, matching, message_texts, script, status, until

pytestmark = pytest.mark.slow

REQS = "alpha==1.0\nbeta==1.0\nmissing-lib==1.0\ngamma\nalpha==\n"
# healthy: PW002 on missing-lib and gamma, PW001 on gamma, PW005 on `alpha==`
STATIC = ["PW001", "PW005"]
OTHER_PYTHON = "/usr/bin/python3.11"


def static_only(diags: Sequence[types.Diagnostic]) -> bool:
    return codes(diags) == STATIC


def healthy(diags: Sequence[types.Diagnostic]) -> bool:
    return codes(diags) == ["PW001", "PW002", "PW002", "PW005"]


def fault_deleted(python: Path) -> str:
    python.unlink()
    return "does not exist"


def fault_not_executable(python: Path) -> str:
    script(python, 'exec python3 "$@"', mode=0o644)
    return "not executable"


def fault_hanging(python: Path) -> str:
    script(python, f"exec sleep 987{os.getpid()}")
    return "did not answer"


def fault_garbage(python: Path) -> str:
    script(python, "printf '\\000\\377garbage PINWISE-ENV-1:{not json\\n'; exit 0")
    return "does not behave like a Python interpreter"


def fault_crashing(python: Path) -> str:
    script(python, "kill -SEGV $$")
    return "exited with status"


FAULTS: dict[str, Callable[[Path], str]] = {
    "deleted": fault_deleted,
    "not-executable": fault_not_executable,
    "hanging": fault_hanging,
    "garbage": fault_garbage,
    "crashing": fault_crashing,
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_interpreter_fault(lsp: Start, project: Path, fault: str) -> None:
    """An interpreter deleted, non-executable, hanging (killed after the timeout), printing
    garbage or crashing: the server answers, says why, keeps the static diagnostics, recovers."""
    req = write(project / "requirements.txt", REQS)
    python = project / ".venv" / "bin" / "python"
    target = os.readlink(python)
    client = await lsp(project, init_options={"interpreter": str(python)})
    client.open(req)
    await client.diagnostics_for(req, healthy)

    expected = FAULTS[fault](python)
    refresh = asyncio.ensure_future(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="pinwise.refresh", arguments=[])
        )
    )
    await client.wait_until(
        types.WINDOW_SHOW_MESSAGE,
        lambda: any(expected in m for m in message_texts(client)),
        timeout=30,
    )
    assert (await asyncio.wait_for(refresh, 30))["ok"] is True
    try:
        await client.diagnostics_for(req, static_only)
    except TimeoutError:
        raise AssertionError([(d.code, d.message) for d in client.diagnostics[uri(req)]]) from None
    # still answering: status, hover
    state = await status(client, project)
    assert state["pythonVersion"] is None
    assert await hover(client, req, 0, 1) is not None
    if fault == "hanging":  # every run of it is killed after the timeout (10 s)
        await until(lambda: not matching(f"sleep 987{os.getpid()}"), 25, "hanging run killed")

    # repaired: the same interpreter again
    if python.exists() or python.is_symlink():
        python.unlink()
    python.symlink_to(target)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.refresh", arguments=[])
    )
    await client.diagnostics_for(req, healthy)
    assert (await status(client, project))["pythonVersion"] is not None


@pytest.mark.skipif(not os.path.exists(OTHER_PYTHON), reason=f"needs {OTHER_PYTHON}")
async def test_interpreter_replaced_by_another_python(lsp: Start, project: Path) -> None:
    """The venv's python replaced by a different Python build: the new version is reported and
    the diagnostics are what a fresh `pinwise check` of that interpreter says (that build may
    not see the venv's site-packages at all: its pyvenv.cfg names another home)."""
    req = write(project / "requirements.txt", REQS)
    python = project / ".venv" / "bin" / "python"
    client = await lsp(project, init_options={"interpreter": str(python)})
    client.open(req)
    await client.diagnostics_for(req, healthy)
    before = (await status(client, project))["pythonVersion"]
    real = os.path.realpath(OTHER_PYTHON)
    if os.path.realpath(python) == real:
        pytest.skip("the venv already uses that Python")
    python.unlink()
    python.symlink_to(real)
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.refresh", arguments=[])
    )
    await client.wait_until(
        "pinwise/status",
        lambda: any(s.get("pythonVersion") not in (None, before) for s in client.statuses),
        timeout=30,
    )
    fresh = subprocess.run(
        [
            sys.executable,
            "-m",
            "pinwise",
            "check",
            str(req),
            "--python",
            str(python),
            "--format",
            "json",
        ],
        cwd=project,
        env={**SERVER_ENV, "XDG_CACHE_HOME": str(project.parent / "xdg-fresh")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    expected = sorted(
        (d["line"] - 1, d["code"])
        for d in json.loads(fresh.stdout)["diagnostics"]
        if d["path"].endswith("requirements.txt")
    )
    await expect(
        client, req, lambda d: sorted((x.range.start.line, str(x.code)) for x in d) == expected
    )


async def test_interpreter_replaced_by_a_folder(lsp: Start, project: Path) -> None:
    """Replaced by a directory (a broken unpack): the server answers and says why."""
    req = write(project / "requirements.txt", REQS)
    python = project / ".venv" / "bin" / "python"
    client = await lsp(project, init_options={"interpreter": str(python)})
    client.open(req)
    await client.diagnostics_for(req, healthy)
    python.unlink()
    python.mkdir()
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.refresh", arguments=[])
    )
    await client.diagnostics_for(req, static_only)
    assert (await status(client, project))["pythonVersion"] is None
    shutil.rmtree(python)
