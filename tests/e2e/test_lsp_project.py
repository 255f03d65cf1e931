"""End to end (issue 5): Python files (PW015 and its quick fix applied to a real
requirements.txt), pyproject.toml buffers (ranges, hover, completion), `# via` of pip-compile files
in hover, MANIFEST.in ignored, and installMissing through uv in a venv without pip.

The `project` venv has alpha 1.0 and beta 1.0 (beta requires alpha>=1), and no pip.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Optional

import pytest
from lsprotocol import types

from tests.e2e import conftest
from tests.e2e.conftest import (
    PinwiseClient,
    Starter,
    apply_text_edits,
    codes,
    edits_for,
    install_missing_once_reported,
    uri,
    write,
)
from tests.support.builders import make_wheel, pip_install

pytestmark = pytest.mark.slow


def open_as(client: PinwiseClient, path: Path, language_id: str, version: int = 1) -> str:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path),
                language_id=language_id,
                version=version,
                text=path.read_text(encoding="utf-8"),
            )
        )
    )
    return uri(path)


def at(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


async def actions_at(client: PinwiseClient, path: Path, line: int) -> list[types.CodeAction]:
    diags = [d for d in client.diagnostics.get(uri(path), []) if d.range.start.line == line]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def resolved(client: PinwiseClient, action: types.CodeAction) -> types.WorkspaceEdit:
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None, action
    return action.edit


def titled(actions: list[types.CodeAction], prefix: str) -> types.CodeAction:
    found = [a for a in actions if a.title.startswith(prefix)]
    assert found, f"no action starting with {prefix!r} in {[a.title for a in actions]}"
    return found[0]


def versions(edit: types.WorkspaceEdit, target: str) -> list[Optional[int]]:
    return [
        c.text_document.version
        for c in edit.document_changes or []
        if isinstance(c, types.TextDocumentEdit) and c.text_document.uri == target
    ]


async def hover_text(client: PinwiseClient, path: Path, line: int, character: int) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            position=types.Position(line=line, character=character),
        )
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


APP = "import os\nimport alpha  # used directly, declared nowhere\nfrom beta import thing\n"


async def test_pw015_quick_fix_adds_the_pin_to_requirements_txt(
    start_server: Starter, project: Path
) -> None:
    req = write(project / "requirements.txt", "beta==1.0\n")
    app = write(project / "app.py", APP)
    client = await start_server(project)
    open_as(client, app, "python")
    diags = await client.diagnostics_for(app, lambda d: "PW015" in codes(d))
    (pw015,) = [d for d in diags if d.code == "PW015"]
    assert pw015.range == at(1, 7, 12)  # `alpha`; `os` is the standard library, beta declared
    assert pw015.source == "pinwise"
    assert pw015.severity == types.DiagnosticSeverity.Warning
    assert "alpha 1.0" in pw015.message
    assert "installed only because beta requires it" in pw015.message
    actions = await actions_at(client, app, 1)
    add = titled(actions, "Add alpha==1.0 to requirements.txt")
    assert add.kind == types.CodeActionKind.QuickFix and add.is_preferred
    assert titled(actions, "Ignore PW015")
    assert not [a for a in actions if a.title.startswith(("Pin all", "Freeze"))]
    edit = await resolved(client, add)
    # a versioned edit of another document: requirements.txt is not open, so no version
    assert versions(edit, uri(req)) == [None]
    assert not edits_for(edit, uri(app))
    req.write_text(apply_text_edits(req.read_text(), edits_for(edit, uri(req))))
    assert req.read_text() == "alpha==1.0\nbeta==1.0\n"  # sorted file: sorted position
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(req), type=types.FileChangeType.Changed)]
        )
    )
    await client.diagnostics_for(app, lambda d: "PW015" not in codes(d))


async def test_pw015_fix_on_an_open_requirements_file_uses_its_version(
    start_server: Starter, project: Path
) -> None:
    req = write(
        project / "requirements.txt",
        "# ours\nzeta-not-installed==1.0 ; python_version < '3'\nbeta==1.0\n",
    )
    app = write(project / "app.py", "import alpha\n")
    client = await start_server(project)
    client.open(req, version=4)
    await client.diagnostics_for(req)
    open_as(client, app, "python")
    await client.diagnostics_for(app, lambda d: "PW015" in codes(d))
    edit = await resolved(client, titled(await actions_at(client, app, 0), "Add alpha==1.0"))
    assert versions(edit, uri(req)) == [4]
    text = apply_text_edits(req.read_text(), edits_for(edit, uri(req)))
    # the file's requirement lines are not sorted (zeta before beta): the line goes at the end
    assert text.endswith("beta==1.0\nalpha==1.0\n")
    client.replace_all(req, text, 5)
    await client.diagnostics_for(app, lambda d: "PW015" not in codes(d))


PYPROJECT = """\
[project]
name = "demo"
version = "1.0"
dependencies = [
    "alpha>=2",
    "missing-one==1.0",
    "beta",
]

[dependency-groups]
dev = ["alpha==", "al"]
"""


async def test_pyproject_buffer_ranges_hover_and_completion(
    start_server: Starter, project: Path
) -> None:
    pyproject = write(project / "pyproject.toml", PYPROJECT)
    client = await start_server(project)
    open_as(client, pyproject, "toml")
    diags = await client.diagnostics_for(pyproject, lambda d: {"PW002", "PW003"} <= set(codes(d)))
    found = {(str(d.code), d.range.start.line, d.range.start.character, d.range.end.character)
             for d in diags}  # fmt: skip
    assert ("PW003", 4, 10, 13) in found  # `>=2` inside "alpha>=2"
    assert ("PW002", 5, 5, 16) in found  # `missing-one`
    assert "PW001" not in codes(d for d in diags if d.range.start.line == 6)  # libraries: no pins
    text = await hover_text(client, pyproject, 4, 6)
    assert "**alpha** 1.0" in text and "does not satisfy" in text and ">=2" in text
    # completion inside the dependency strings, as in a requirements line
    names = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
            position=types.Position(line=10, character=21),  # after `"al`
        )
    )
    assert names is not None
    items = names.items if isinstance(names, types.CompletionList) else names
    assert "alpha" in {i.label for i in items}
    pins = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
            position=types.Position(line=10, character=15),  # after `"alpha==`
        )
    )
    assert pins is not None
    items = pins.items if isinstance(pins, types.CompletionList) else pins
    assert [i.label for i in items] == ["==1.0"]
    outside = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
            position=types.Position(line=1, character=3),  # `name = ...`: not a dependency
        )
    )
    assert outside is None


COMPILED = """\
#
# This file is autogenerated by pip-compile with Python 3.11
# by the following command:
#
#    pip-compile requirements.in
#
alpha==1.0
    # via beta
beta==1.0
    # via -r requirements.in
gamma==0.5
    # via -r requirements.in
"""


async def test_hover_in_a_compiled_file_shows_via(start_server: Starter, project: Path) -> None:
    write(project / "requirements.in", "beta\n")
    req = write(project / "requirements.txt", COMPILED)
    client = await start_server(project)
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: {"PW002", "PW017"} <= set(codes(d)))
    # gamma: not installed (PW002, in a generated file: change the .in file, no edit of this
    # one), and no longer in requirements.in although its annotation says it came from there
    (missing,) = [d for d in diags if d.code == "PW002"]
    assert missing.range.start.line == 10
    assert "change requirements.in and re-compile" in missing.message
    (stale,) = [d for d in diags if d.code == "PW017"]
    assert stale.range.start.line == 10 and "re-run pip-compile" in stale.message
    assert stale.severity == types.DiagnosticSeverity.Warning
    alpha = await hover_text(client, req, 6, 1)
    assert "**alpha** 1.0" in alpha and "Required via beta (according to pip-compile)" in alpha
    beta = await hover_text(client, req, 8, 1)
    assert "requirements.in (a direct requirement)" in beta


async def test_manifest_in_is_ignored(start_server: Starter, project: Path) -> None:
    manifest = write(project / "MANIFEST.in", "include README.md\nrecursive-include src *.py\n")
    req = write(project / "requirements.txt", "alpha==1.0\n")
    client = await start_server(project)
    client.open(manifest)  # the extension gives it the pip-requirements language (`*.in`)
    client.open(req)
    await client.diagnostics_for(req)
    assert uri(manifest) not in client.diagnostics
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(manifest)))
    )
    assert not symbols


def uv_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **environ: str) -> None:
    """The server started with the dev venv's uv on PATH (its own cache, no configuration),
    and `environ`; the test is skipped without uv."""
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        pytest.skip("uv is not installed next to the test interpreter")
    path = f"{uv.parent}{os.pathsep}{conftest.SERVER_ENV.get('PATH', os.defpath)}"
    monkeypatch.setattr(
        conftest,
        "SERVER_ENV",
        {
            **conftest.SERVER_ENV,
            "PATH": path,
            "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
            "UV_NO_CONFIG": "1",
            **environ,
        },
    )


async def test_install_missing_without_pip_uses_uv(
    start_server: Starter,
    project: Path,
    wheelhouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uv_on_path(monkeypatch, tmp_path)
    site = next((project / ".venv" / "lib").glob("python*/site-packages"))
    assert not list(site.glob("pip-*.dist-info"))  # no pip in the environment
    req = write(
        project / "requirements.txt",
        f"--no-index\n--find-links {wheelhouse}\nalpha==1.0\ngamma==0.5\n",
    )
    client = await start_server(project)
    result = await install_missing_once_reported(client, req)
    assert result["ok"], result
    assert result["installer"] == "uv"
    assert result["installed"] == ["gamma==0.5"]
    assert any("gamma==0.5" in line for line in result["output"])
    (installed,) = site.glob("gamma-0.5.dist-info")
    assert (installed / "INSTALLER").read_text().strip() == "uv"
    await client.diagnostics_for(req, lambda d: "PW002" not in codes(d))


async def test_pw015_fix_creates_requirements_txt(start_server: Starter, project: Path) -> None:
    app = write(project / "tool.py", "import beta\n")
    client = await start_server(project)
    open_as(client, app, "python")
    diags = await client.diagnostics_for(app, lambda d: "PW015" in codes(d))
    (pw015,) = [d for d in diags if d.code == "PW015"]
    assert "no quick fix" not in pw015.message
    edit = await resolved(client, titled(await actions_at(client, app, 0), "Add beta==1.0"))
    req = project / "requirements.txt"
    changes = edit.document_changes or []
    assert isinstance(changes[0], types.CreateFile) and changes[0].uri == uri(req)
    assert versions(edit, uri(req)) == [None]
    req.write_text(apply_text_edits("", edits_for(edit, uri(req))))
    assert req.read_text() == "beta==1.0\n"
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(req), type=types.FileChangeType.Created)]
        )
    )
    await client.diagnostics_for(app, lambda d: "PW015" not in codes(d))


async def test_python_file_rediagnosed_when_the_environment_changes(
    start_server: Starter, project: Path, wheelhouse: Path
) -> None:
    write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    app = write(project / "job.py", "import alpha\nimport gamma\n")
    client = await start_server(project)
    open_as(client, app, "python")
    # gamma is not installed and not a well-known project: it may be the project's own module
    await client.diagnostics_for(app, lambda d: not d)
    wheel = wheelhouse / "gamma-0.5-py3-none-any.whl"
    await asyncio.get_running_loop().run_in_executor(
        None, pip_install, project / ".venv" / "bin" / "python", [wheel]
    )
    diags = await client.diagnostics_for(app, lambda d: "PW015" in codes(d))
    assert [(d.range.start.line, "gamma 0.5" in d.message) for d in diags] == [(1, True)]


def _server_without_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the server on the base interpreter without site-packages (`-S`), with only its own
    libraries on PYTHONPATH: no pip of its own, and no uv on PATH."""
    import packaging
    import pygls

    libs = tmp_path / "server-libs"
    libs.mkdir()
    site = Path(pygls.__file__).parent.parent
    for name in ("attr", "attrs", "cattr", "cattrs", "lsprotocol", "packaging", "pygls"):
        (libs / name).symlink_to(site / name)
    (libs / "typing_extensions.py").symlink_to(site / "typing_extensions.py")
    (libs / "pinwise").symlink_to(Path(conftest.__file__).parents[2] / "server" / "pinwise")
    assert Path(packaging.__file__).parent.parent == site
    base = getattr(sys, "_base_executable", sys.executable)
    monkeypatch.setattr(conftest, "SERVER_CMD", [base, "-S", "-m", "pinwise", "serve"])
    monkeypatch.setattr(
        conftest,
        "SERVER_ENV",
        {**conftest.SERVER_ENV, "PYTHONPATH": str(libs), "PATH": "/usr/bin:/bin"},
    )


async def test_install_missing_offers_ensurepip_when_nothing_can_install(
    start_server: Starter,
    project: Path,
    wheelhouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _server_without_pip(tmp_path, monkeypatch)
    req = write(
        project / "requirements.txt",
        f"--no-index\n--find-links {wheelhouse}\nalpha==1.0\ngamma==0.5\n",
    )
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW002" in codes(d))
    command = types.ExecuteCommandParams(command="pinwise.installMissing", arguments=[uri(req)])
    # declined (no answer): nothing runs, the message says what to do
    refused = await client.workspace_execute_command_async(command)
    assert not refused["ok"]
    assert "has no pip and uv is not on PATH" in refused["message"]
    assert "ensurepip" in refused["message"]
    (offer,) = client.message_requests
    assert [a.title for a in offer.actions or []] == ["Install pip (ensurepip)"]
    site = next((project / ".venv" / "lib").glob("python*/site-packages"))
    assert not list(site.glob("pip-*.dist-info"))
    # confirmed: ensurepip, then the environment's own pip installs
    client.message_reply = "Install pip (ensurepip)"
    result = await client.workspace_execute_command_async(command)
    assert result["ok"], result
    assert result["installer"] == "pip" and result["installed"] == ["gamma==0.5"]
    assert list(site.glob("pip-*.dist-info"))
    assert (site / "gamma-0.5.dist-info" / "INSTALLER").read_text().strip() == "pip"
    await client.diagnostics_for(req, lambda d: "PW002" not in codes(d))


async def test_uv_keeps_pre_when_an_option_has_a_variable(
    start_server: Starter,
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`${VAR}` options go to uv in a file; `--pre` must stay on its command line (uv ignores
    it in a file)."""
    wheels = tmp_path / "pre-wheels"
    wheels.mkdir()
    make_wheel(wheels, "epsilon", "0.9")
    make_wheel(wheels, "epsilon", "1.0rc1")
    uv_on_path(monkeypatch, tmp_path, PINWISE_TEST_WHEELS=str(wheels))
    req = write(
        project / "requirements.txt",
        "--pre\n--no-index\n--find-links ${PINWISE_TEST_WHEELS}\nalpha==1.0\nepsilon\n",
    )
    client = await start_server(project)
    result = await install_missing_once_reported(client, req)
    assert result["ok"], result
    assert result["installer"] == "uv"
    site = next((project / ".venv" / "lib").glob("python*/site-packages"))
    assert [p.name for p in site.glob("epsilon-*.dist-info")] == ["epsilon-1.0rc1.dist-info"]
