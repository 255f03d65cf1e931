"""The `pinwise` command line: exit codes, output formats, options, robustness.

Most tests run the program in-process (`pinwise.cli.execute`, with its own streams, folder and
environment); the ones about processes and tracebacks run `python -m pinwise` for real.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

import pytest
from tests.support.builders import PIP_ENV, pip

from pinwise.cli import execute

pytestmark = pytest.mark.slow

BASE_ENV = {"PATH": os.environ.get("PATH", os.defpath), "NO_COLOR": ""}


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> dict[str, object]:
        data = json.loads(self.out)
        assert isinstance(data, dict)
        return data


def cli(args: Sequence[str], cwd: Path, environ: Optional[Mapping[str, str]] = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = execute(
        list(args), stdout=out, stderr=err, cwd=str(cwd), environ=dict(environ or BASE_ENV)
    )
    return Result(code, out.getvalue(), err.getvalue())


def subprocess_cli(
    args: Sequence[str], cwd: Path, env: Optional[Mapping[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **(env or {})}
    environ.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pinwise", *args],
        check=False,
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text(
        "jinja2like==3.1.6\nmarkuplike>=2\nnot-installed==1.0\n", encoding="utf-8"
    )
    return tmp_path


# --- exit codes and the text format --------------------------------------------------------------


def test_text_output_and_exit_1(project: Path, demo_env: Path) -> None:
    r = cli(["check", "--python", str(demo_env)], project)
    assert r.code == 1, r.err
    lines = r.out.splitlines()
    assert "requirements.txt:2:1: PW001 warning: markuplike is not pinned" in r.out
    assert "    fix: Pin to installed version (==3.0.4)" in lines
    assert "requirements.txt:3:1: PW002 warning: not-installed is not installed" in r.out
    assert lines[-1].startswith("2 warnings, 1 information in 1 file (interpreter: venv, Python 3.")
    assert "\x1b[" not in r.out  # not a terminal: no colour


def test_exit_0_when_only_information(project: Path, demo_env: Path) -> None:
    (project / "requirements.txt").write_text("jinja2like==3.1.6\n", encoding="utf-8")
    r = cli(["check", "--python", str(demo_env)], project)
    assert r.code == 0, r.out + r.err
    assert "PW011 information" in r.out


def test_colour_forced_and_no_color_wins(project: Path, demo_env: Path) -> None:
    forced = cli(["check", "--python", str(demo_env)], project, {**BASE_ENV, "FORCE_COLOR": "1"})
    assert "\x1b[33mwarning" in forced.out
    both = {**BASE_ENV, "FORCE_COLOR": "1", "NO_COLOR": "1"}
    assert "\x1b[" not in cli(["check", "--python", str(demo_env)], project, both).out


def test_select_and_ignore(project: Path, demo_env: Path) -> None:
    r = cli(["check", "--python", str(demo_env), "--format", "json", "--select", "PW002"], project)
    assert {d["code"] for d in r.json()["diagnostics"]} == {"PW002"}  # type: ignore[index,union-attr]
    r = cli(["check", "--python", str(demo_env), "--ignore", "PW001,PW002"], project)
    assert r.code == 0
    assert "PW001" not in r.out and "PW002" not in r.out
    r = cli(["check", "--python", str(demo_env), "--select", "PW42"], project)
    assert r.code == 2
    assert "PW42" in r.err and len(r.err.strip().splitlines()) == 1


# --- JSON and GitHub formats ---------------------------------------------------------------------


def test_json_shape(project: Path, demo_env: Path) -> None:
    r = cli(["check", "--python", str(demo_env), "--format", "json"], project)
    data = r.json()
    assert set(data) == {"interpreter", "diagnostics"}
    interp = data["interpreter"]
    assert isinstance(interp, dict)
    assert set(interp) == {"path", "python_version", "is_venv", "prefix"}
    assert interp["is_venv"] is True and interp["path"] == str(demo_env)
    diagnostics = data["diagnostics"]
    assert isinstance(diagnostics, list)
    keys = {"path", "line", "column", "end_line", "end_column", "code", "severity", "message"}
    for d in diagnostics:
        assert set(d) == keys
        assert d["severity"] in ("error", "warning", "information", "hint")
    pw001 = next(d for d in diagnostics if d["code"] == "PW001")
    assert (pw001["path"], pw001["line"], pw001["column"]) == ("requirements.txt", 2, 1)
    assert (pw001["end_line"], pw001["end_column"]) == (2, 14)


def test_paths_outside_cwd_stay_absolute(
    project: Path, demo_env: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = str(project / "requirements.txt")
    r = cli(["check", target, "--python", str(demo_env), "--format", "json"], elsewhere)
    paths = {d["path"] for d in r.json()["diagnostics"]}  # type: ignore[union-attr]
    assert paths == {target}


def test_github_format_escapes(project: Path, demo_env: Path) -> None:
    (project / "requirements.txt").write_text("foo=1.0\nbar 100%\n", encoding="utf-8")
    r = cli(["check", "--python", str(demo_env), "--format", "github"], project)
    assert r.code == 1
    lines = r.out.splitlines()
    assert all(line.startswith("::") for line in lines)
    first = lines[0]
    assert first.startswith(
        "::error file=requirements.txt,line=1,col=1,endLine=1,endColumn=8,title=PW005::"
    )
    assert "%0A" in first  # pip's pointer line, newline-escaped
    assert any("100%25" in line for line in lines)
    assert any(line.startswith("::notice ") and "PW011" in line for line in lines)


# --- discovery, settings -------------------------------------------------------------------------


def test_default_files_and_folder_argument(tmp_path: Path, demo_env: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements-dev.txt\nmarkuplike\n")
    (tmp_path / "requirements-dev.txt").write_text("typing-under\n")
    (tmp_path / "constraints.txt").write_text("markuplike==1.0\n")
    (tmp_path / "notes.txt").write_text("not a requirements file\n")
    r = cli(["check", "--python", str(demo_env), "--format", "json"], tmp_path)
    diags = r.json()["diagnostics"]
    assert isinstance(diags, list)
    assert {d["path"] for d in diags} == {
        "requirements.txt",
        "requirements-dev.txt",
        "constraints.txt",
    }
    pw011 = [d for d in diags if d["code"] == "PW011"]
    assert [d["path"] for d in pw011] == ["requirements.txt"]  # dev file is included: not a root
    # the standalone constraints file is checked as constraints: PW003 on it, not PW002/PW001
    cons = {d["code"] for d in diags if d["path"] == "constraints.txt"}
    assert cons == {"PW003"}
    # markuplike is pinned by the constraints file
    assert not [d for d in diags if d["code"] == "PW001" and d["line"] == 2]
    # a folder given as PATH: the same files, and its own .venv when there is one
    sub = cli(
        ["check", str(tmp_path), "--python", str(demo_env), "--format", "json"], tmp_path.parent
    )
    assert len(sub.json()["diagnostics"]) == len(diags)  # type: ignore[arg-type]


def test_independent_files_are_separate_installs(tmp_path: Path, demo_env: Path) -> None:
    # a service's pins and a docs build's: `pip install -r` of each alone; the same pin in both
    # is no duplicate, and one file's hashes put the other in no hash-checking mode
    (tmp_path / "requirements.txt").write_text("jinja2like==3.1.6 --hash=sha256:" + "a" * 64 + "\n")
    (tmp_path / "requirements-docs.txt").write_text("jinja2like==3.1.6\nmarkuplike==2.1.5\n")
    r = cli(["check", "--python", str(demo_env), "--format", "json"], tmp_path)
    diags = r.json()["diagnostics"]
    assert isinstance(diags, list)
    codes = {(d["path"], d["code"]) for d in diags}
    assert ("requirements-docs.txt", "PW004") not in codes
    assert ("requirements-docs.txt", "PW008") not in codes
    # (requirements.txt is in hash-checking mode: jinja2like's own dependency is not hashed)
    assert ("requirements.txt", "PW008") in codes


def test_folder_venv_is_discovered(tmp_path: Path) -> None:
    from tests.support.builders import make_venv

    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "requirements.txt").write_text("nothing-here==1\n")
    python = make_venv(proj / ".venv")
    r = cli(["check", "proj", "--format", "json"], tmp_path)
    assert r.json()["interpreter"]["path"] == str(python)  # type: ignore[index]


def test_python_may_be_an_environment_folder_or_a_command(project: Path, demo_env: Path) -> None:
    r = cli(["check", "--python", str(demo_env.parent.parent), "--format", "json"], project)
    assert r.json()["interpreter"]["path"] == str(demo_env)  # type: ignore[index]
    path_env = {**BASE_ENV, "PATH": str(demo_env.parent)}
    r = cli(["env", "--json", "--python", "python"], project, path_env)
    assert r.json()["interpreter"] == str(demo_env)


def test_no_requirements_files_is_a_usage_error(tmp_path: Path, demo_env: Path) -> None:
    r = cli(["check", "--python", str(demo_env)], tmp_path)
    assert r.code == 2
    assert "no requirements files" in r.err


def test_pyproject_settings_and_bad_values(project: Path, demo_env: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.pinwise]\nseverity = { PW001 = "error", PW011 = "off" }\n'
    )
    r = cli(["check", "--python", str(demo_env)], project)
    assert "PW001 error" in r.out and "PW011" not in r.out
    (project / "pyproject.toml").write_text('[tool.pinwise]\nseverity = { PW001 = "fatal" }\n')
    r = cli(["check", "--python", str(demo_env)], project)
    assert r.code == 2
    assert "pyproject.toml" in r.err and "PW001" in r.err and "warning" in r.err
    assert len(r.err.strip().splitlines()) == 1


# --- usage errors, unreadable files, interpreters ------------------------------------------------


def test_unreadable_root_file_is_exit_2(project: Path, demo_env: Path) -> None:
    r = cli(["check", "missing.txt", "--python", str(demo_env)], project)
    assert (r.code, r.out) == (2, "")
    assert r.err.strip() == "pinwise check: cannot read missing.txt: no such file"
    r = cli(["check", "/dev/zero", "--python", str(demo_env)], project)
    assert r.code == 2 and "not a regular file" in r.err
    if os.geteuid() != 0:  # root reads anything
        locked = project / "locked.txt"
        locked.write_text("x\n")
        locked.chmod(0)
        r = cli(["check", "locked.txt", "--python", str(demo_env)], project)
        assert r.code == 2 and "Permission denied" in r.err


def test_missing_interpreter_is_exit_2(project: Path) -> None:
    r = cli(["check", "--python", str(project / "no" / "python")], project)
    assert r.code == 2
    assert "does not exist" in r.err
    assert len(r.err.strip().splitlines()) == 1
    for command in (["freeze"], ["env", "--json"]):
        r = cli([*command, "--python", str(project / "nope")], project)
        assert r.code == 2 and r.out == ""


def test_usage_errors(project: Path) -> None:
    r = cli(["check", "--format", "xml"], project)
    assert r.code == 2 and "invalid choice" in r.err
    r = cli(["frobnicate"], project)
    assert r.code == 2
    r = cli(["serve", "--tcp", "nonsense"], project)
    assert r.code == 2 and "HOST:PORT" in r.err
    # a bad code on the command line is named as the option it was given with
    r = cli(["check", "--no-exec", "--ignore", "PW99"], project)
    assert r.code == 2
    assert "command line: --ignore: unknown rule code 'PW99' (allowed: PW001..PW017)" in r.err
    assert "[tool.pinwise]" not in r.err


@pytest.mark.parametrize("command", ["check", "freeze", "env", "serve"])
def test_help_has_examples(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    r = cli([command, "--help"], tmp_path)
    assert r.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"pinwise {command}" in out


def write_fake_python(folder: Path, marker: Path) -> Path:
    """An 'interpreter' that leaves a marker file behind if anything ever runs it."""
    fake = folder / "fakeenv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (folder / "fakeenv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    return fake


def test_no_exec_never_starts_the_interpreter(project: Path) -> None:
    marker = project / "ran"
    fake = write_fake_python(project, marker)
    for command in (["check"], ["env", "--json"], ["freeze"]):
        cli([*command, "--python", str(fake), "--no-exec"], project)
        assert not marker.exists(), command
    # the control: without --no-exec it is run (and fails, clearly)
    r = cli(["check", "--python", str(fake)], project)
    assert marker.exists()
    assert r.code == 2 and r.err.startswith("pinwise: ")


# --- robustness: run for real, no traceback ------------------------------------------------------


def test_no_traceback_on_binary_dev_zero_and_huge_lines(project: Path, demo_env: Path) -> None:
    (project / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (project / "zero.txt").write_text("-r /dev/zero\n-c /dev/zero\n-r /\n")
    (project / "huge.txt").write_text("a" * 2_000_000 + "==1\n" + "b" * 500_000 + "\n")
    (project / "utf16.txt").write_bytes("flask==1\n".encode("utf-16"))
    for name in ("binary.txt", "zero.txt", "huge.txt", "utf16.txt"):
        proc = subprocess_cli(["check", name, "--python", str(demo_env)], project)
        assert proc.returncode in (0, 1), (name, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
    proc = subprocess_cli(["check", "zero.txt", "--python", str(demo_env)], project)
    assert proc.stdout.count("PW006") == 3


# --- freeze and env ------------------------------------------------------------------------------


def test_freeze_matches_pip_freeze(project: Path, demo_env: Path) -> None:
    expected = pip("freeze", python=demo_env, cwd=project)
    r = cli(["freeze", "--python", str(demo_env)], project)
    assert r.code == 0
    assert r.out == expected.stdout
    expected = pip("freeze", "--all", "--exclude", "markuplike", python=demo_env, cwd=project)
    r = cli(["freeze", "--python", str(demo_env), "--all", "--exclude", "markuplike"], project)
    assert r.out == expected.stdout


def test_freeze_with_requirement_file(project: Path, demo_env: Path) -> None:
    expected = pip("freeze", "-r", "requirements.txt", python=demo_env, cwd=project, check=False)
    r = cli(["freeze", "-r", "requirements.txt", "--python", str(demo_env)], project)
    assert r.out == expected.stdout
    assert PIP_ENV  # pip ran isolated from this machine's configuration


def test_env_json(project: Path, demo_env: Path) -> None:
    r = cli(["env", "--json", "--python", str(demo_env)], project)
    assert r.code == 0
    data = r.json()
    for key in (
        "interpreter",
        "python_version",
        "prefix",
        "is_venv",
        "site_packages",
        "markers",
        "assumed_marker_keys",
        "distributions",
    ):
        assert key in data
    assert data["is_venv"] is True
    dists = data["distributions"]
    assert isinstance(dists, list)
    names = {d["name"] for d in dists}
    assert {"Jinja2Like", "Local.Wheel", "legacy_ver"} <= names
    local = next(d for d in dists if d["name"] == "Local.Wheel")
    assert set(local) >= {"name", "version", "location", "editable", "direct_url", "requires"}
    assert local["direct_url"]["url"].startswith("file://")
    text = cli(["env", "--python", str(demo_env)], project)
    assert "Jinja2Like 3.1.6" in text.out


def test_no_command_is_a_one_line_usage_error(project: Path) -> None:
    r = cli([], project)
    assert r.code == 2 and r.out == ""
    assert r.err.strip().splitlines() == [
        "pinwise: a command is needed: check, freeze, env or serve (pinwise --help)"
    ]


def test_a_virtual_env_variable_naming_no_venv_counts_as_unset(tmp_path: Path) -> None:
    from pinwise.cli.commands import choose_interpreter

    def venv(folder: Path) -> str:
        python = folder / "bin" / "python"
        python.parent.mkdir(parents=True)
        python.write_text("")
        return str(python)

    given = venv(tmp_path / "app" / ".venv")
    here = venv(tmp_path / "venv")
    active = venv(tmp_path / "active")
    app = str(tmp_path / "app")
    cwd = str(tmp_path)
    assert choose_interpreter(None, cwd, {"VIRTUAL_ENV": "/bogus"}, app) == given
    assert choose_interpreter(None, cwd, {}, app) == given
    assert choose_interpreter(None, cwd, {"VIRTUAL_ENV": str(tmp_path / "active")}, app) == active
    assert choose_interpreter(None, cwd, {"VIRTUAL_ENV": "/bogus"}) == here


def test_an_include_cycle_keeps_one_root() -> None:
    from pinwise.cli.files import reduce_roots

    r, a, b = "requirements.txt", "requirements-a.txt", "requirements-b.txt"
    edges = [(a, r), (a, b), (b, a)]  # every file is included: a cycle's file stands for them
    assert reduce_roots([r, a, b], edges) == [a]
    assert reduce_roots([a, b], [(a, b), (b, a)]) == [a]
    assert reduce_roots([r, a], [(a, r)]) == [a]
    assert reduce_roots([r], [(r, r)]) == [r]


def test_paths_outside_cwd_named_relatively_stay_relative(
    project: Path, demo_env: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (project / "requirements.txt").write_text("-r ../shared/base.txt\nalpha\n", encoding="utf-8")
    shared = project.parent / "shared"
    shared.mkdir(exist_ok=True)
    (shared / "base.txt").write_text("beta\n", encoding="utf-8")
    here = tmp_path_factory.mktemp("here")
    given = os.path.relpath(project / "requirements.txt", here)
    r = cli(["check", given, "--python", str(demo_env), "--format", "json"], here)
    paths = {d["path"] for d in r.json()["diagnostics"]}  # type: ignore[union-attr]
    assert paths == {given, os.path.relpath(shared / "base.txt", here)}


def test_a_folder_named_twice_is_checked_once_with_its_venv(tmp_path: Path) -> None:
    from pinwise.cli.commands import _roots

    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("alpha\n", encoding="utf-8")
    found = _roots(["app", "app/", str(app)], str(tmp_path))
    assert found.folder == str(app)
    assert found.roots == [str(app / "requirements.txt")]


def test_an_empty_select_is_a_usage_error(project: Path) -> None:
    for empty in ("", " , "):
        r = cli(["check", "--no-exec", "--select", empty], project)
        assert r.code == 2 and r.out == ""
        assert "--select needs at least one rule code" in r.err


def test_a_path_sharing_only_the_root_with_cwd_is_shown_absolute() -> None:
    from pinwise.cli.output import display_path

    cwd = "/home/user/project"
    assert display_path("/home/user/project/req.txt", cwd, relative_outside=True) == "req.txt"
    assert display_path("/home/user/shared/b.txt", cwd, relative_outside=True) == "../shared/b.txt"
    assert display_path("/home/user/shared/b.txt", cwd) == "/home/user/shared/b.txt"
    # `-r /etc/app/base.txt` from a check run without a path: not ../../../etc/app/base.txt
    assert display_path("/etc/app/base.txt", cwd, relative_outside=True) == "/etc/app/base.txt"
