"""The server's document kinds, line splitting, uv's spelling of pip's index options, and the
per-folder imports cache (pinwise.lsp.project, pinwise.lsp.commands)."""

from __future__ import annotations

from pathlib import Path

from pinwise.lsp import project
from pinwise.lsp.commands import uv_args
from pinwise.lsp.documents import is_requirements_document, is_requirements_name


def test_document_kinds() -> None:
    assert project.document_kind("/p/app.py", "python") == project.PYTHON
    assert project.document_kind("/p/app.py", None) == project.PYTHON
    assert project.document_kind("/p/pyproject.toml", "toml") == project.PYPROJECT
    assert project.document_kind("/p/notes.txt", "plaintext") is None
    assert project.document_kind("/p/stub.pyi", "python") is None
    assert project.is_manifest("/p/MANIFEST.in")
    assert not is_requirements_name("/p/MANIFEST.in")
    assert not is_requirements_document("file:///p/MANIFEST.in", "pip-requirements")
    assert is_requirements_document("file:///p/requirements.in", "pip-requirements")


def test_split_lines_as_lsp_counts_them() -> None:
    assert project.split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert project.split_lines("a\n") == ["a", ""]
    assert project.split_lines("x\x0cy") == ["x\x0cy"]  # form feed is not a line break in LSP


def test_uv_args() -> None:
    pip = ["--no-index", "--find-links", "/w", "--trusted-host", "h", "--pre", "--prefer-binary"]
    assert uv_args(pip) == [
        "--no-index",
        "--find-links",
        "/w",
        "--allow-insecure-host",
        "h",
        "--prerelease",
        "allow",
    ]


def test_imports_are_collected_once_per_folder_until_a_file_changes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import alpha\n")
    project.forget_imports()
    first = project.workspace_imports(str(tmp_path))
    assert project.workspace_imports(str(tmp_path)) is first
    (tmp_path / "b.py").write_text("import beta\n")
    assert project.forget_imports(str(tmp_path / "b.py")) == [str(tmp_path)]
    again = project.workspace_imports(str(tmp_path))
    assert {ref.top for ref in again.imports} == {"alpha", "beta"}
    assert project.forget_imports(str(tmp_path.parent / "elsewhere.py")) == []


def test_library_files_are_not_project_files(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    root = str(tmp_path)
    assert project.is_project_file(str(tmp_path / "app.py"), root)
    assert project.is_project_file(str(tmp_path / "pkg" / "mod.py"), root)
    assert not project.is_project_file(str(venv / "lib/python3.11/site-packages/x/y.py"), root)
    assert not project.is_project_file(str(tmp_path / "env" / "lib" / "z.py"), root)
    assert not project.is_project_file(str(tmp_path / "build" / "lib" / "a.py"), root)
    assert not project.is_project_file("/usr/lib/python3/dist-packages/yaml/__init__.py", root)
