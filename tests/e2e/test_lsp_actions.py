"""Code actions and commands: every edit applied to the text and the result checked."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from lsprotocol import types

from tests.e2e.conftest import (
    PinwiseClient,
    Starter,
    apply_text_edits,
    codes,
    edits_for,
    uri,
    write,
)

pytestmark = pytest.mark.slow


async def actions_at(
    client: PinwiseClient, path: Path, line: int, only: Optional[list[str]] = None
) -> list[types.CodeAction]:
    diags = [d for d in client.diagnostics.get(uri(path), []) if d.range.start.line == line]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=diags[0].range
            if diags
            else types.Range(
                start=types.Position(line=line, character=0),
                end=types.Position(line=line, character=0),
            ),
            context=types.CodeActionContext(diagnostics=diags, only=only),
        )
    )
    actions: list[types.CodeAction] = []
    for raw in result or []:
        item = raw
        if isinstance(item, types.Command) and item.command.startswith("{"):
            # lsprotocol's client-side hook reads any object with a "command" key as a Command
            # (and stringifies the nested one): rebuild the CodeAction the server sent.
            cmd = ast.literal_eval(item.command)
            item = types.CodeAction(
                title=item.title,
                kind=types.CodeActionKind.QuickFix,
                command=types.Command(
                    title=cmd["title"], command=cmd["command"], arguments=cmd.get("arguments")
                ),
            )
        if isinstance(item, types.CodeAction):
            actions.append(item)
    return actions


def titled(actions: list[types.CodeAction], prefix: str) -> types.CodeAction:
    found = [a for a in actions if a.title.startswith(prefix)]
    assert found, f"no action starting with {prefix!r} in {[a.title for a in actions]}"
    return found[0]


async def apply_action(
    client: PinwiseClient, path: Path, text: str, action: types.CodeAction, version: int = 1
) -> str:
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None, action
    for change in action.edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri(path):
            assert change.text_document.version == version  # versioned: stale edits are refused
    return apply_text_edits(text, edits_for(action.edit, uri(path)))


async def test_pin_to_installed_version(start_server: Starter, project: Path) -> None:
    text = "alpha  # the first\nbeta==1.0\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW001" in codes(d))
    action = titled(await actions_at(client, req, 0), "Pin to installed version")
    assert action.is_preferred
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.diagnostics and action.diagnostics[0].code == "PW001"
    result = await apply_action(client, req, text, action)
    assert result == "alpha==1.0  # the first\nbeta==1.0\n"


async def test_update_pin(start_server: Starter, project: Path) -> None:
    text = "alpha==2.0\nbeta==1.0\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW003" in codes(d))
    action = titled(await actions_at(client, req, 0), "Update pin to installed version")
    assert await apply_action(client, req, text, action) == "alpha==1.0\nbeta==1.0\n"


async def test_remove_duplicate_and_ignore(start_server: Starter, project: Path) -> None:
    text = "alpha==1.0\nbeta==1.0\nalpha==1.0\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: "PW004" in codes(d))
    line = next(d.range.start.line for d in diags if d.code == "PW004")
    actions = await actions_at(client, req, line)
    result = await apply_action(client, req, text, titled(actions, "Remove duplicate requirement"))
    assert result == "alpha==1.0\nbeta==1.0\n"
    ignored = await apply_action(client, req, text, titled(actions, "Ignore PW004"))
    assert ignored.splitlines()[line].endswith("# pinwise: ignore[PW004]")
    assert ignored.splitlines()[:line] == text.splitlines()[:line]  # other lines untouched


async def test_pin_all_fix_all_and_command(start_server: Starter, project: Path) -> None:
    text = "alpha\nbeta>=0.5\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: codes(d).count("PW001") == 2)
    (action,) = await actions_at(client, req, 0, only=["source.fixAll"])
    assert action.kind == "source.fixAll.pinwise"
    assert action.title.startswith("Pin all unpinned requirements")
    assert await apply_action(client, req, text, action) == "alpha==1.0\nbeta==1.0\n"
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.pinAll", arguments=[uri(req)])
    )
    assert result["ok"]
    applied = client.applied[-1].edit
    assert apply_text_edits(text, edits_for(applied, uri(req))) == "alpha==1.0\nbeta==1.0\n"


async def test_lines_as_the_editor_counts_them(start_server: Starter, project: Path) -> None:
    # pip ends a line at a form feed and at U+2028 too (`str.splitlines`); the editor does not:
    # its line 0 holds three of pip's (a comment, an invalid line, `alpha`)
    text = "# note\fsee below\u2028alpha\nbeta>=0.5\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: codes(d).count("PW001") == 2)
    where = sorted(
        (d.code, d.range.start.line, d.range.start.character, d.range.end.character)
        for d in diags
        if d.code in ("PW001", "PW005")
    )
    assert where == [("PW001", 0, 17, 22), ("PW001", 1, 0, 9), ("PW005", 0, 7, 16)]
    (action,) = await actions_at(client, req, 1, only=["source.fixAll"])
    expected = "# note\fsee below\u2028alpha==1.0\nbeta==1.0\n"
    assert await apply_action(client, req, text, action) == expected
    # an incremental change lands where the editor puts it: `==1.0` typed after `alpha`
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(req), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=22),
                        end=types.Position(line=0, character=22),
                    ),
                    text="==1.0",
                )
            ],
        )
    )
    diags = await client.diagnostics_for(req, lambda d: codes(d).count("PW001") == 1)
    (left,) = [d for d in diags if d.code == "PW001"]
    assert left.range.start.line == 1  # beta; alpha is pinned, and nothing else moved
    assert [d.range.start.character for d in diags if d.code == "PW005"] == [7]


async def test_freeze_into_file(start_server: Starter, project: Path) -> None:
    text = "# ours\nbeta\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: len(d) > 0)
    (action,) = await actions_at(client, req, 0, only=["source.pinwise.freeze"])
    assert action.title.startswith("Freeze environment into this file")
    result = await apply_action(client, req, text, action)
    assert result.startswith("# ours\nbeta==1.0\n")
    # alpha was installed from a local wheel: pip freeze writes it as a direct reference.
    assert "\nalpha @ file://" in result


async def test_freeze_command_creates_requirements(start_server: Starter, project: Path) -> None:
    client = await start_server(project)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.freeze", arguments=[uri(project)])
    )
    assert result["ok"], result
    edit = client.applied[-1].edit
    target = uri(project / "requirements.txt")
    assert any(isinstance(c, types.CreateFile) and c.uri == target for c in edit.document_changes)
    created = apply_text_edits("", edits_for(edit, target)).splitlines()
    assert [line.split(" ")[0] for line in created] == ["alpha", "beta"]


async def test_install_missing_with_progress(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    text = f"--no-index\n--find-links {wheelhouse}\nalpha==1.0\nbeta==1.0\ngamma==0.5\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    action = titled(await actions_at(client, req, 4), "Install missing requirements")
    assert action.command is not None and action.command.command == "pinwise.installMissing"
    result: Any = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )
    assert result["ok"], result
    assert result["installed"] == ["gamma==0.5"]
    (reports,) = client.progress_reports.values()
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    messages = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert any("gamma" in (m or "") for m in messages)
    assert (project / ".venv/lib").exists()
    await client.diagnostics_for(req, lambda d: "PW002" not in codes(d))
    assert any("Successfully installed gamma-0.5" in m.message for m in client.log_messages)


async def test_install_failure_is_reported(
    start_server: Starter, project: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    req = write(
        project / "requirements.txt", f"--no-index\n-f {empty}\nalpha==1.0\nbeta==1.0\nnope==1\n"
    )
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.installMissing", arguments=[uri(req)])
    )
    assert not result["ok"]
    assert "pip install failed" in result["message"]
    assert any("pip install failed" in m.message for m in client.messages)


def base_python() -> str:
    """The interpreter behind the test's venv: not a virtual environment (PW010 applies)."""
    candidate = Path(sys.base_prefix) / "bin" / "python3"
    return str(candidate if candidate.exists() else Path(sys.base_prefix) / "bin" / "python")


async def test_create_venv(start_server: Starter, tmp_path: Path) -> None:
    folder = tmp_path / "novenv"
    req = write(folder / "requirements.txt", "alpha==1.0\n")
    client = await start_server(
        folder, configuration={"": {"pinwise": {"interpreter": base_python()}}}
    )
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: "PW010" in codes(d))
    line = next(d.range.start.line for d in diags if d.code == "PW010")
    action = titled(await actions_at(client, req, line), "Create a virtual environment")
    assert action.command is not None and action.command.command == "pinwise.createVenv"
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=action.command.command, arguments=action.command.arguments
        )
    )
    assert result["ok"], result
    assert (folder / ".venv" / "bin" / "python").exists()
    assert (folder / ".venv" / "pyvenv.cfg").exists()
    # The interpreter was chosen by configuration: the user is told to select the new one.
    assert any(".venv" in m.message for m in client.messages)
    (reports,) = client.progress_reports.values()
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


async def test_untrusted_refuses_to_execute(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\ngamma==0.5\n")
    client = await start_server(project, init_options={"trusted": False})
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    assert codes(diags) == ["PW002"]  # static inspection still finds what is missing
    actions = await actions_at(client, req, 2)
    assert not [a for a in actions if a.title.startswith("Install missing")]
    for command in ("pinwise.installMissing", "pinwise.createVenv"):
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=[uri(req)])
        )
        assert not result["ok"]
        assert "untrusted" in result["message"]
    assert sum("untrusted" in m.message for m in client.messages) == 2
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.status", arguments=[uri(req)])
    )
    assert status["trusted"] is False
    assert not (project / ".venv" / "lib" / "python3.11" / "site-packages" / "gamma").exists()


async def test_install_is_cancellable(start_server: Starter, project: Path) -> None:
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # an index that accepts and never answers: pip waits

    index = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = index.sockets[0].getsockname()[1]
    req = write(
        project / "requirements.txt",
        f"--index-url http://127.0.0.1:{port}/simple\nalpha==1.0\nbeta==1.0\ngamma==0.5\n",
    )
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    command = asyncio.ensure_future(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="pinwise.installMissing", arguments=[uri(req)])
        )
    )
    await client.wait_until(types.PROGRESS, lambda: bool(held) and bool(client.progress_reports))
    (token,) = client.progress_reports
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(command, 30)
    assert result["cancelled"] and not result["ok"]
    assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)
    for writer in held:
        writer.close()
    index.close()


async def test_install_missing_keeps_hash_checking(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    wheel = wheelhouse / "gamma-0.5-py3-none-any.whl"
    good = hashlib.sha256(wheel.read_bytes()).hexdigest()
    head = f"--no-index\n--find-links {wheelhouse}\n"
    pinned = "alpha==1.0 --hash=sha256:{0}\nbeta==1.0 --hash=sha256:{0}\n".format("0" * 64)
    req = write(
        project / "requirements.txt", head + pinned + "gamma==0.5 --hash=sha256:" + "1" * 64 + "\n"
    )
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    # A wrong hash: pip refuses, as `pip install -r requirements.txt` would.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.installMissing", arguments=[uri(req)])
    )
    assert not result["ok"]
    assert any("do not match the hashes" in line or "HASHES" in line for line in result["output"])
    # The right hash: installed.
    client.replace_all(req, head + pinned + f"gamma==0.5 --hash=sha256:{good}\n", 2)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.installMissing", arguments=[uri(req)])
    )
    assert result["ok"], result
    await client.diagnostics_for(req, lambda d: "PW002" not in codes(d))
