"""`pinwise check` beyond the requirements files (issue 5): PW015 in `.py` files at the import's
line:column, pyproject.toml findings with exact ranges, `.py` / pyproject.toml PATHs (what the
pre-commit hook passes), against the real `demo_env` venv (Jinja2Like requires MarkupLike;
zope.dotted has a top_level.txt)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pinwise.cli import execute
from pinwise.imports import clear_caches

pytestmark = pytest.mark.slow

PYPROJECT = """\
[project]
name = "demo-app"
version = "1.0"
dependencies = [
    "jinja2like>=4",
    "not-here==1.0",
]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("jinja2like==3.1.6\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "import os\n\nfrom markuplike import x\nimport zope.dotted\n", encoding="utf-8"
    )
    (tmp_path / "other.py").write_text("import markuplike  # a second file\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    clear_caches()
    return tmp_path


def check(cwd: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = execute(
        ["check", *args], stdout=out, stderr=err, cwd=str(cwd), environ={"NO_COLOR": "1"}
    )
    return code, out.getvalue(), err.getvalue()


def diagnostics(cwd: Path, *args: str) -> list[dict[str, Any]]:
    code, out, err = check(cwd, *args, "--format", "json")
    assert code == 1, err
    data: dict[str, Any] = json.loads(out)
    found: list[dict[str, Any]] = data["diagnostics"]
    return found


def where(d: dict[str, Any]) -> tuple[str, str, int, int, int, int]:
    return (d["code"], d["path"], d["line"], d["column"], d["end_line"], d["end_column"])


def test_text_output_has_pw015_at_the_import(project: Path, demo_env: Path) -> None:
    code, out, err = check(project, "--python", str(demo_env))
    assert code == 1, err
    assert (
        "app.py:3:6: PW015 warning: 'markuplike' comes from MarkupLike 3.0.4, which is not "
        "declared in requirements.txt, pyproject.toml (it is installed only because jinja2like "
        "requires it)\n    fix: Add MarkupLike==3.0.4 to requirements.txt\n"
    ) in out
    assert "app.py:4:8: PW015 warning: 'zope' comes from zope.dotted 8.7" in out
    assert "other.py:1:8: PW015 warning:" in out
    assert "pyproject.toml:5:16: PW003 warning: Jinja2Like 3.1.6 is installed" in out
    assert "pyproject.toml:6:6: PW002 warning: not-here is not installed" in out
    assert "import os" not in out and "'os'" not in out  # the standard library


def test_json_ranges_in_py_and_pyproject(project: Path, demo_env: Path) -> None:
    found = {where(d) for d in diagnostics(project, "--python", str(demo_env))}
    assert {
        ("PW015", "app.py", 3, 6, 3, 16),  # `markuplike` of `from markuplike import x`
        ("PW015", "app.py", 4, 8, 4, 19),  # `zope.dotted`
        ("PW015", "other.py", 1, 8, 1, 18),
        ("PW003", "pyproject.toml", 5, 16, 5, 19),  # `>=4` inside the TOML string
        ("PW002", "pyproject.toml", 6, 6, 6, 14),  # `not-here`
        ("PW016", "pyproject.toml", 5, 6, 5, 16),
    } <= found


def test_py_and_pyproject_paths_as_pre_commit_passes_them(project: Path, demo_env: Path) -> None:
    found = diagnostics(project, "--python", str(demo_env), "app.py", "pyproject.toml")
    paths = {d["path"] for d in found}
    # PW015 only in the .py file named; the requirements file is read for what it declares,
    # its own findings (PW011, PW016) are not asked for
    assert paths == {"app.py", "pyproject.toml"}
    assert {d["code"] for d in found if d["path"] == "app.py"} == {"PW015"}
    # what requirements.txt declares still counts: jinja2like is not reported as undeclared
    (project / "uses.py").write_text("import jinja2like\n", encoding="utf-8")
    code, out, err = check(project, "--python", str(demo_env), "uses.py")
    assert code == 0, out + err
    assert out.startswith("No problems in 1 file (interpreter: venv, Python ")


def test_only_pyproject_no_requirements_files(tmp_path: Path, demo_env: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "main.py").write_text("import markuplike\n", encoding="utf-8")
    clear_caches()
    found = {where(d)[:3] for d in diagnostics(tmp_path, "--python", str(demo_env))}
    assert ("PW015", "main.py", 1) in found
    assert ("PW003", "pyproject.toml", 5) in found
    # a folder with neither requirements files nor pyproject.toml is still a usage error
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = check(empty, "--python", str(demo_env))
    assert code == 2 and "no requirements files" in err


def test_suppression_and_select(project: Path, demo_env: Path) -> None:
    (project / "other.py").write_text("import markuplike  # pinwise: ignore[PW015]\n")
    clear_caches()
    found = diagnostics(project, "--python", str(demo_env), "--select", "PW015")
    assert {(d["path"], d["line"]) for d in found} == {("app.py", 3), ("app.py", 4)}


def test_manifest_in_is_not_a_requirements_file(project: Path, demo_env: Path) -> None:
    (project / "MANIFEST.in").write_text("include README.md\nrecursive-include src *.py\n")
    found = diagnostics(project, "--python", str(demo_env))
    assert not [d for d in found if d["path"] == "MANIFEST.in"]


def test_pw017_in_file_and_compiled_file_disagree(tmp_path: Path, demo_env: Path) -> None:
    (tmp_path / "requirements.in").write_text("jinja2like\nplain-dash\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(
        "#\n# This file is autogenerated by pip-compile with Python 3.11\n"
        "# by the following command:\n#\n#    pip-compile requirements.in\n#\n"
        "jinja2like==3.1.6\n    # via -r requirements.in\n"
        "markuplike==3.0.4\n    # via jinja2like\n",
        encoding="utf-8",
    )
    clear_caches()
    found = diagnostics(tmp_path, "--python", str(demo_env), "--select", "PW017,PW001")
    assert [where(d) for d in found] == [("PW017", "requirements.in", 2, 1, 2, 11)]
    assert "re-run pip-compile" in found[0]["message"]


@pytest.mark.parametrize("warnings", ["error", "always"])
def test_the_compilers_warnings_about_user_code_are_not_pinwises(
    tmp_path: Path, demo_env: Path, warnings: str
) -> None:
    """An invalid escape sequence in the user's code makes the compiler warn (SyntaxWarning
    from Python 3.12, DeprecationWarning before). Pinwise says nothing of it on its stderr, and
    with warnings as errors the file is still parsed and checked."""
    (tmp_path / "requirements.txt").write_text("jinja2like==3.1.6\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        'PATTERN = "\\d+"\nfrom markuplike import x\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "server")
    done = subprocess.run(
        [sys.executable, "-W", warnings, "-m", "pinwise", "check", "--python", str(demo_env)],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "app.py:2:6: PW015 warning: 'markuplike' comes from MarkupLike" in done.stdout
    assert "escape sequence" not in done.stderr + done.stdout, done.stderr
    assert "cannot parse" not in done.stdout


def test_python_files_that_cannot_be_checked_are_named(project: Path, demo_env: Path) -> None:
    # skipped silently, a syntax error would hide an undeclared import: each is named on stderr
    (project / "broken.py").write_text("import markuplike\ndef (:\n", encoding="utf-8")
    (project / "latin.py").write_bytes(b"# caf\xe9\nimport markuplike\n")  # no coding cookie
    code, out, err = check(project, "--python", str(demo_env), "--format", "json")
    assert code == 1 and json.loads(out)["diagnostics"]  # (stdout stays JSON)
    notes = [line for line in err.splitlines() if line.startswith("pinwise: note: ")]
    assert len(notes) == 2, err
    assert "broken.py: not checked, Python cannot parse it (line 2)" in notes[0]
    assert "latin.py: cannot read" in notes[1] and "0xe9" in notes[1]
    # named on the command line, only the files named are spoken of
    _, _, err = check(project, "app.py", "--python", str(demo_env))
    assert "pinwise: note" not in err
