"""What the commands act on: each folder's own environment, files that are not open, folders
and arguments that are not what a command takes (refused, never a fallback to another file)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.e2e import conftest
from tests.e2e.conftest import (
    PinwiseClient,
    Starter,
    apply_text_edits,
    codes,
    copy_venv,
    edits_for,
    execute,
    install_missing_once_reported,
    uri,
    write,
)
from tests.support.builders import make_project, pip_install_projects

pytestmark = pytest.mark.slow


def installed(venv: Path) -> list[str]:
    (site,) = (venv / "lib").glob("python*/site-packages")
    return sorted(p.name.split("-")[0] for p in site.glob("*.dist-info"))


def edited_uris(client: PinwiseClient) -> list[str]:
    found = []
    for params in client.applied:
        for change in params.edit.document_changes or []:
            found.append(change.uri if hasattr(change, "uri") else change.text_document.uri)
    return found


async def test_install_missing_goes_to_each_folders_own_environment(
    start_server: Starter, tmp_path: Path, venv_template: Path, wheelhouse: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    copy_venv(venv_template, a / ".venv")
    copy_venv(venv_template, b / ".venv")
    ra = write(a / "requirements.txt", f"--no-index\n--find-links {wheelhouse}\ngamma==0.5\n")
    rb = write(b / "requirements.txt", f"--no-index\n--find-links {wheelhouse}\ndelta==3.1\n")
    client = await start_server(a, b)
    client.open(ra)
    client.open(rb)
    await client.diagnostics_for(ra, lambda d: "PW002" in codes(d))
    await client.diagnostics_for(rb, lambda d: "PW002" in codes(d))
    result = await execute(client, "pinwise.installMissing")  # from the palette: no file given
    assert result["ok"], result
    assert sorted(result["installed"]) == ["delta==3.1", "gamma==0.5"]
    assert installed(a / ".venv") == ["alpha", "beta", "gamma"]
    assert installed(b / ".venv") == ["alpha", "beta", "delta"]
    await client.diagnostics_for(ra, lambda d: "PW002" not in codes(d))
    await client.diagnostics_for(rb, lambda d: "PW002" not in codes(d))


async def test_install_missing_expands_variables_in_index_options(
    start_server: Starter, project: Path, wheelhouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(conftest.SERVER_ENV, "PINWISE_TEST_WHEELS", str(wheelhouse))
    req = write(
        project / "requirements.txt",
        "--no-index\n--find-links ${PINWISE_TEST_WHEELS}\nalpha==1.0\ngamma==0.5\n",
    )
    client = await start_server(project)
    result = await install_missing_once_reported(client, req)
    assert result["ok"], result
    assert result["installed"] == ["gamma==0.5"]
    assert "gamma" in installed(project / ".venv")
    # the value went to pip in a file, never on a command line the log shows
    assert not any(str(wheelhouse) in m.message for m in client.log_messages)


async def test_pin_all_and_install_missing_on_a_file_that_is_not_open(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    text = f"--no-index\n--find-links {wheelhouse}\nalpha\ngamma==0.5\n"
    dev = write(project / "requirements-dev.txt", text)
    client = await start_server(project)  # (nothing opened: a file explorer's command)
    result = await execute(client, "pinwise.pinAll", uri(dev), [uri(dev)])
    assert result["ok"], result
    (params,) = client.applied
    (edit,) = params.edit.document_changes or []
    assert edit.text_document.version is None  # the file as it is on disk
    assert apply_text_edits(text, edit.edits) == text.replace("alpha\n", "alpha==1.0\n")
    result = await execute(client, "pinwise.installMissing", uri(dev))
    assert result["ok"], result
    assert result["installed"] == ["gamma==0.5"]


async def test_a_file_that_is_no_requirements_file_is_refused(
    start_server: Starter, project: Path
) -> None:
    readme = write(project / "README.md", "# Project\n")
    client = await start_server(project)
    for command in ("pinwise.freeze", "pinwise.pinAll", "pinwise.installMissing"):
        result = await execute(client, command, uri(readme))
        assert not result["ok"]
        assert "README.md" in result["message"], result
    assert client.applied == []
    assert readme.read_text() == "# Project\n"


@pytest.mark.parametrize("argument", [42, "requirements.txt", {"uri": ["x"]}])
async def test_an_argument_that_is_no_uri_is_refused(
    start_server: Starter, project: Path, argument: Any
) -> None:
    write(project / "requirements.txt", "alpha\n")
    client = await start_server(project)
    for command in ("pinwise.freeze", "pinwise.pinAll", "pinwise.createVenv"):
        result = await execute(client, command, argument)
        assert not result["ok"]
        assert "expected the URI of a file or folder" in result["message"], result
    assert client.applied == []


async def test_folders_outside_the_workspace_are_refused(
    start_server: Starter, project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere" / "proj"
    elsewhere.mkdir(parents=True)
    client = await start_server(project)
    for command in ("pinwise.freeze", "pinwise.createVenv"):
        result = await execute(client, command, uri(elsewhere))
        assert not result["ok"]
        assert "outside the open workspace folders" in result["message"], result
    assert not (tmp_path / "elsewhere" / ".venv").exists()
    assert not (elsewhere / ".venv").exists()
    assert client.applied == []
    assert await execute(client, "pinwise.status", uri(elsewhere)) is None
    status = await execute(client, "pinwise.status", uri(project))
    assert status["folder"] == uri(project)


async def test_freeze_into_a_subfolder_writes_its_own_requirements_file(
    start_server: Starter, project: Path
) -> None:
    api = project / "services" / "api"
    api.mkdir(parents=True)
    client = await start_server(project)
    result = await execute(client, "pinwise.freeze", uri(api))
    assert result["ok"], result
    assert uri(api / "requirements.txt") in edited_uris(client)
    assert uri(project / "requirements.txt") not in edited_uris(client)
    result = await execute(client, "pinwise.createVenv", uri(api))
    assert not result["ok"]
    assert "goes in the workspace folder" in result["message"]
    assert not (api / ".venv").exists()


async def test_freeze_into_a_constraints_file_appends_no_editables(
    start_server: Starter, project: Path
) -> None:
    lib = make_project(project / "src" / "mylib", "mylib", "0.3")
    pip_install_projects(project / ".venv" / "bin" / "python", [lib], editable=True)
    pins = write(project / "pins.txt", "alpha==1.0\n")  # a constraints file by use, not by name
    req = write(project / "requirements.txt", "-c pins.txt\nalpha\n")
    client = await start_server(project)
    client.open(req)
    client.open(pins)
    await client.diagnostics_for(req)
    await client.diagnostics_for(pins)
    for target in (pins, write(project / "constraints.txt", "beta==1.0\n")):
        client.applied.clear()
        result = await execute(client, "pinwise.freeze", uri(target))
        assert result["ok"], result
        (params,) = client.applied
        frozen = apply_text_edits(target.read_text(), edits_for(params.edit, uri(target)))
        assert "-e" not in frozen and "mylib" not in frozen, frozen
        assert "alpha" in frozen and "beta" in frozen


async def test_install_missing_from_a_pyproject_code_action(
    start_server: Starter, project: Path, wheelhouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(conftest.SERVER_ENV, "PIP_NO_INDEX", "1")
    monkeypatch.setitem(conftest.SERVER_ENV, "PIP_FIND_LINKS", str(wheelhouse))
    pyproject = write(
        project / "pyproject.toml",
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["alpha==1.0", "gamma==0.5"]\n',
    )
    client = await start_server(project)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(pyproject), language_id="toml", version=1, text=pyproject.read_text()
            )
        )
    )
    diags = await client.diagnostics_for(pyproject, lambda d: "PW002" in codes(d))
    (missing,) = [d for d in diags if d.code == "PW002"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
            range=missing.range,
            context=types.CodeActionContext(diagnostics=[missing]),
        )
    )
    (install,) = [a for a in actions or [] if a.title.startswith("Install missing requirements")]
    # (pytest-lsp's converter takes this CodeAction for a Command: its command as text)
    assert "pinwise.installMissing" in str(install.command)
    assert uri(pyproject) in str(install.command)
    result = await execute(client, "pinwise.installMissing", uri(pyproject))
    assert result["ok"], result
    assert result["installed"] == ["gamma==0.5"]


async def test_install_missing_in_a_folder_with_a_space_and_variables(
    start_server: Starter,
    tmp_path: Path,
    venv_template: Path,
    wheelhouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "my project"
    copy_venv(venv_template, folder / ".venv")
    shutil.copytree(wheelhouse, folder / "wheels")
    empty = tmp_path / "no wheels"
    empty.mkdir()
    monkeypatch.setitem(conftest.SERVER_ENV, "PINWISE_TEST_EMPTY", str(empty))
    req = write(
        folder / "requirements.txt",
        "--no-index\n--find-links wheels\n--find-links ${PINWISE_TEST_EMPTY}\n"
        "alpha==1.0\ngamma==0.5\n",
    )
    client = await start_server(folder)
    result = await install_missing_once_reported(client, req)
    assert result["ok"], result
    assert sorted(installed(folder / ".venv")) == ["alpha", "beta", "gamma"]


async def test_install_missing_keeps_each_files_hash_mode(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    wheel = wheelhouse / "gamma-0.5-py3-none-any.whl"
    good = hashlib.sha256(wheel.read_bytes()).hexdigest()
    head = f"--no-index\n--find-links {wheelhouse}\n"
    hashed = write(project / "requirements.txt", f"{head}gamma==0.5 --hash=sha256:{good}\n")
    plain = write(project / "requirements-dev.txt", f"{head}delta==3.1\n")
    client = await start_server(project)
    client.open(hashed)
    client.open(plain)
    await client.diagnostics_for(hashed, lambda d: "PW002" in codes(d))
    await client.diagnostics_for(plain, lambda d: "PW002" in codes(d))
    # from the palette: both files, each as `pip install -r` of it would (one has hashes)
    result = await execute(client, "pinwise.installMissing")
    assert result["ok"], result
    assert sorted(result["installed"]) == ["delta==3.1", "gamma==0.5"]


async def test_refresh_stats_and_status_take_no_offence_at_arguments(
    start_server: Starter, project: Path
) -> None:
    client = await start_server(project)
    assert (await execute(client, "pinwise.refresh", str(project)))["ok"]
    assert "analyses" in await execute(client, "pinwise.stats", 0)
    assert await execute(client, "pinwise.status", str(project)) is None
    assert client.messages == []  # no pop-up for any of them
