"""The selected environment: status, switching by configuration, watching pip, deleted venvs."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import Starter, codes, copy_venv, uri, write
from tests.support.builders import make_venv, pip_install

pytestmark = pytest.mark.slow


async def test_status_payload(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha\nbeta==1.0\ngamma==0.5\n")
    client = await start_server(project)
    client.open(req)
    await client.wait_until("pinwise/status", lambda: any(s["counts"] for s in client.statuses))
    status = client.statuses[-1]
    assert status == {
        "folder": uri(project),
        "interpreter": str(project / ".venv" / "bin" / "python"),
        "pythonVersion": status["pythonVersion"],
        "isVenv": True,
        "envName": ".venv",
        "counts": {"PW001": 1, "PW002": 1},
        "trusted": True,
        "error": None,
    }
    assert status["pythonVersion"].count(".") == 2
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.status", arguments=[uri(req)])
    )
    assert result == status
    refreshed = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.refresh", arguments=[])
    )
    assert refreshed == {"ok": True}
    await client.diagnostics_for(req, lambda d: codes(d) == ["PW001", "PW002"])


async def test_interpreter_switch_by_configuration(
    start_server: Starter, project: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    other = make_venv(tmp_path / "other")
    pip_install(other, [wheelhouse / "alpha-2.0-py3-none-any.whl"])
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await start_server(project)
    client.open(req)
    assert not await client.diagnostics_for(req)
    client.set_configuration({"interpreter": str(other)}, section="pinwise")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    diags = await client.diagnostics_for(req, lambda d: len(d) > 0)
    assert codes(diags) == ["PW002", "PW003"]  # beta missing, alpha 2.0 installed
    await client.wait_until(
        "pinwise/status", lambda: client.statuses[-1]["interpreter"] == str(other)
    )
    # Severity and ignore settings apply on the next configuration change.
    client.set_configuration(
        {"interpreter": str(other), "severity": {"PW003": "error"}, "ignore": ["PW002"]},
        section="pinwise",
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    diags = await client.diagnostics_for(req, lambda d: codes(d) == ["PW003"])
    assert diags[0].severity == types.DiagnosticSeverity.Error


async def test_bad_settings_are_reported_and_ignored(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\ngamma==0.5\n")
    client = await start_server(
        project, configuration={"": {"pinwise": {"severity": {"PW002": "loud"}}}}
    )
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: len(d) > 0)
    assert codes(diags) == ["PW002"]
    assert diags[0].severity == types.DiagnosticSeverity.Warning
    # The first diagnostics may come from the start-up prelude, before the full server (which
    # reports settings problems) has read the configuration.
    await client.wait_until(
        types.WINDOW_SHOW_MESSAGE,
        lambda: any("'loud' is not one of" in m.message for m in client.messages),
    )


async def test_watching_follows_pip_install(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\ngamma==0.5\n")
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: codes(d) == ["PW002"])
    loop = asyncio.get_running_loop()
    python = project / ".venv" / "bin" / "python"
    await loop.run_in_executor(
        None, pip_install, python, [wheelhouse / "gamma-0.5-py3-none-any.whl"]
    )
    installed = time.monotonic()
    await client.diagnostics_for(req, lambda d: len(d) == 0)
    elapsed = time.monotonic() - installed
    print(f"diagnostics followed pip install after {elapsed:.3f}s")
    assert elapsed < 1.0, f"diagnostics followed pip install after {elapsed:.2f}s"
    # And an uninstall: pip removes the files, the server notices.
    from tests.support.builders import pip

    await loop.run_in_executor(None, lambda: pip("uninstall", "-y", "gamma", python=python))
    await client.diagnostics_for(req, lambda d: codes(d) == ["PW002"])


async def test_deleted_and_recreated_venv(
    start_server: Starter, project: Path, venv_template: Path
) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await start_server(project)
    client.open(req)
    assert not await client.diagnostics_for(req)
    # The first diagnostics may come from the start-up prelude: wait for the full server to
    # have inspected the venv (its status) before deleting it.
    await client.wait_until(
        "pinwise/status", lambda: bool(client.statuses) and client.statuses[-1]["pythonVersion"]
    )
    shutil.rmtree(project / ".venv")
    await client.wait_until(
        types.WINDOW_SHOW_MESSAGE, lambda: any(".venv" in m.message for m in client.messages)
    )
    await client.wait_until("pinwise/status", lambda: client.statuses[-1]["pythonVersion"] is None)
    gone = client.statuses[-1]
    # not inspected (a null version says so; isVenv stays the contract's bool), and why
    assert gone["isVenv"] is False and gone["envName"] is None
    assert ".venv" in gone["error"], gone
    # The server keeps answering while the environment is gone.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(req)),
            position=types.Position(line=0, character=1),
        )
    )
    assert hover is not None
    copy_venv(venv_template, project / ".venv")
    await client.wait_until(
        "pinwise/status", lambda: client.statuses[-1]["pythonVersion"] is not None
    )
    assert not await client.diagnostics_for(req)


async def test_hanging_interpreter(start_server: Starter, project: Path, tmp_path: Path) -> None:
    hang = tmp_path / "hang" / "bin" / "python"
    hang.parent.mkdir(parents=True)
    hang.write_text("#!/bin/sh\nsleep 60\n")
    hang.chmod(0o755)
    req = write(project / "requirements.txt", "alpha==1.0\n")
    client = await start_server(project, init_options={"interpreter": str(hang)})
    client.open(req)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    assert symbols is not None and [s.name for s in symbols] == ["alpha"]
    # Diagnostics from the file alone arrive before the interpreter's timeout.
    await client.diagnostics_for(req, timeout=8)
    await client.wait_until(
        types.WINDOW_SHOW_MESSAGE,
        lambda: any(str(hang) in m.message for m in client.messages),
        timeout=30,
    )


async def test_multi_root_each_folder_its_interpreter(
    start_server: Starter, project: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    second = tmp_path / "second"
    python = make_venv(second / ".venv")
    pip_install(python, [wheelhouse / "alpha-2.0-py3-none-any.whl"])
    first_req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    second_req = write(second / "requirements.txt", "alpha==1.0\n")
    client = await start_server(
        project,
        second,
        init_options={"settings": [{"workspace": uri(second), "ignore": ["PW001"]}]},
    )
    client.open(first_req)
    client.open(second_req)
    assert not await client.diagnostics_for(first_req)
    diags = await client.diagnostics_for(second_req, lambda d: len(d) > 0)
    assert codes(diags) == ["PW003"]
    await client.wait_until(
        "pinwise/status",
        lambda: {s["folder"] for s in client.statuses} >= {uri(project), uri(second)},
    )
    latest = {s["folder"]: s for s in client.statuses}
    assert latest[uri(second)]["interpreter"] == str(python)
    assert latest[uri(project)]["interpreter"] == str(project / ".venv" / "bin" / "python")


async def test_a_folder_added_later_takes_its_documents(
    start_server: Starter, project: Path, tmp_path: Path, wheelhouse: Path
) -> None:
    # a document opened outside every workspace folder gets a stand-in folder of its own (its
    # parent); once a workspace folder holding it is added, that folder's interpreter is its
    elsewhere = tmp_path / "env"
    python = make_venv(elsewhere)
    pip_install(python, [wheelhouse / "alpha-2.0-py3-none-any.whl"])
    second = tmp_path / "second"
    req = write(second / "sub" / "requirements.txt", "alpha==1.0\n")
    client = await start_server(
        project,
        init_options={
            "settings": [
                {"workspace": uri(second), "interpreter": str(python)},
                {"workspace": uri(tmp_path / "third"), "interpreter": str(python)},
            ]
        },
    )
    client.open(req)
    before = await client.diagnostics_for(req, lambda d: len(d) > 0)
    assert "PW003" not in codes(before)  # not second's interpreter yet
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=uri(second), name="second")], removed=[]
            )
        )
    )
    after = await client.diagnostics_for(req, lambda d: "PW003" in codes(d))
    (mismatch,) = [d for d in after if d.code == "PW003"]
    assert "alpha 2.0 is installed" in mismatch.message
    # the same when the folder added is the very one the stand-in was made for
    third = tmp_path / "third"
    other = write(third / "requirements.txt", "alpha==1.0\n")
    client.open(other)
    await client.diagnostics_for(other, lambda d: len(d) > 0)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=uri(third), name="third")], removed=[]
            )
        )
    )
    await client.wait_until(
        "pinwise/status",
        lambda: any(
            s["folder"] == uri(third) and s["interpreter"] == str(python) for s in client.statuses
        ),
    )


async def test_an_include_from_another_folder_brings_no_verdict_of_its_environment(
    start_server: Starter, tmp_path: Path, venv_template: Path, wheelhouse: Path
) -> None:
    """Folder a's file includes folder b's: b's file is judged by b's environment alone (a's
    says gamma is missing; b has it), and b's status follows what b's file shows."""
    a, b = tmp_path / "a", tmp_path / "b"
    copy_venv(venv_template, a / ".venv")
    copy_venv(venv_template, b / ".venv")
    pip_install(b / ".venv" / "bin" / "python", [wheelhouse / "gamma-0.5-py3-none-any.whl"])
    ra = write(a / "requirements.txt", "-r ../b/requirements.txt\nalpha==1.0\nalpha==1.0\n")
    rb = write(b / "requirements.txt", "gamma==0.5\nbeta==1.0\nbeta==1.0\n")
    client = await start_server(a, b)
    client.open(rb)
    assert codes(await client.diagnostics_for(rb, lambda d: "PW004" in codes(d))) == ["PW004"]
    client.open(ra)
    await client.diagnostics_for(ra, lambda d: "PW004" in codes(d))
    await asyncio.sleep(0.5)  # (what a's analysis says of b's file is published by now)
    assert codes(client.diagnostics[uri(rb)]) == ["PW004"]
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.status", arguments=[uri(rb)])
    )
    assert status["counts"] == {"PW004": 1}
    b_statuses = [s for s in client.statuses if s["folder"] == uri(b)]
    assert b_statuses and b_statuses[-1]["counts"] == {"PW004": 1}


async def test_the_status_of_an_included_files_folder_follows_its_counts(
    start_server: Starter, tmp_path: Path, venv_template: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    copy_venv(venv_template, a / ".venv")
    copy_venv(venv_template, b / ".venv")
    ra = write(a / "requirements.txt", "--require-hashes\n-r ../b/requirements.txt\n")
    rb = write(b / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await start_server(a, b)
    client.open(rb)
    assert not await client.diagnostics_for(rb)
    client.open(ra)
    # a's install is in hash-checking mode: b's lines, which a reads, have no hash (PW008)
    await client.diagnostics_for(rb, lambda d: codes(d) == ["PW008", "PW008"])
    await client.wait_until(
        "pinwise/status",
        lambda: [s for s in client.statuses if s["folder"] == uri(b)][-1]["counts"] == {"PW008": 2},
    )


async def test_a_switch_keeps_the_old_environment_until_the_new_one_is_read(
    start_server: Starter, project: Path, tmp_path: Path, venv_template: Path
) -> None:
    """While the new interpreter is inspected (slowly here), analyses use the old one: never
    none (that dropped every PW002 for the inspection's time, then brought them back)."""
    python = copy_venv(venv_template, tmp_path / "slow" / ".venv")
    slow = write(python.parent / "python-slow", f'#!/bin/sh\nsleep 2\nexec {python} "$@"\n')
    slow.chmod(0o755)
    text = "alpha==1.0\nbeta==1.0\ndelta==3.1\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: codes(d) == ["PW002"])
    client.set_configuration({"interpreter": str(slow)}, section="pinwise")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    seen: list[list[str]] = []
    started = time.monotonic()
    edited = False
    while time.monotonic() - started < 4:
        if not edited and time.monotonic() - started > 0.5:
            client.replace_all(req, text + "\n", version=2)  # an edit during the inspection
            edited = True
        seen.append(codes(client.diagnostics.get(uri(req), [])))
        await asyncio.sleep(0.05)
    assert all(found == ["PW002"] for found in seen), seen
    await client.wait_until(
        "pinwise/status", lambda: client.statuses[-1]["interpreter"] == str(slow)
    )


async def test_switching_back_while_the_new_interpreter_is_inspected(
    start_server: Starter, project: Path, tmp_path: Path, venv_template: Path
) -> None:
    python = copy_venv(venv_template, tmp_path / "slow" / ".venv")
    slow = write(python.parent / "python-slow", f'#!/bin/sh\nsleep 2\nexec {python} "$@"\n')
    slow.chmod(0o755)
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\ndelta==3.1\n")
    original = str(project / ".venv" / "bin" / "python")
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: codes(d) == ["PW002"])
    await client.wait_until(  # (the full server's own, not the start-up prelude's)
        "pinwise/status",
        lambda: bool(client.statuses) and client.statuses[-1]["interpreter"] == original,
    )
    client.set_configuration({"interpreter": str(slow)}, section="pinwise")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await asyncio.sleep(0.5)
    client.set_configuration({}, section="pinwise")  # back to the discovered .venv
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await asyncio.sleep(3)  # (the slow inspection has ended)
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.status", arguments=[uri(req)])
    )
    assert status["interpreter"] == original
