"""`pinwise.interpreter` (and `initializationOptions.interpreter`) read as `--python` reads it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pinwise.lsp.settings import interpreter_choice


def fake_venv(folder: Path) -> Path:
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    return python


def test_a_venv_folder_named_alone_is_the_folders(tmp_path: Path) -> None:
    # `.venv` has no slash: it was looked up on PATH, then kept relative to the server's cwd
    python = fake_venv(tmp_path / ".venv")
    assert interpreter_choice(None, ".venv", str(tmp_path)) == (str(python), "configuration")


def test_a_venv_folder_stands_for_its_interpreter(tmp_path: Path) -> None:
    python = fake_venv(tmp_path / "envs" / "py311")
    for value in ("envs/py311", str(tmp_path / "envs" / "py311")):
        assert interpreter_choice(None, value, str(tmp_path))[0] == str(python)
    assert interpreter_choice(str(tmp_path / "envs" / "py311"), None, "/") == (
        str(python),
        "initializationOptions",
    )


def test_commands_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python3 = shutil.which("python3")
    assert python3 is not None
    assert interpreter_choice(None, "python3", str(tmp_path))[0] == os.path.abspath(python3)
    assert interpreter_choice(None, "bin/python", str(tmp_path))[0] == str(tmp_path / "bin/python")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert interpreter_choice(None, "~/py/bin/python", "/")[0] == str(tmp_path / "py/bin/python")
    # a name neither on PATH nor in the folder: the folder's (and inspection says it is missing)
    assert interpreter_choice(None, "nope-python", str(tmp_path))[0] == str(
        tmp_path / "nope-python"
    )


def test_pushed_keys_go_over_the_folders_own_settings() -> None:
    from pinwise.lsp.settings import FolderSettings, layered

    given = FolderSettings(interpreter="/b/.venv/bin/python", ignore=("PW001",))
    pushed = layered(given, {"ignore": ["PW011"]})  # (Neovim 0.7 pushes in on_init)
    assert pushed.interpreter == "/b/.venv/bin/python"
    assert pushed.ignore == ("PW011",)
    assert layered(None, {"ignore": ["PW011"]}).interpreter is None


def test_one_bad_folder_costs_only_its_own_settings() -> None:
    from pinwise.lsp.settings import parse_init_options

    options, problems = parse_init_options(
        {
            "settings": [
                {"workspace": "file:///a", "ignore": ["PW01"]},
                {"workspace": "file:///b", "interpreter": "/b/.venv/bin/python"},
            ]
        }
    )
    assert list(options.folder_settings) == ["file:///b"]
    assert options.folder_settings["file:///b"].interpreter == "/b/.venv/bin/python"
    (problem,) = problems
    assert "PW01" in problem and "file:///a" in problem


def test_an_empty_lua_table_is_an_empty_severity_map() -> None:
    from pinwise.lsp.settings import parse_folder_settings

    settings = parse_folder_settings({"ignore": ["PW011"], "severity": []})
    assert settings.severity == {} and settings.ignore == ("PW011",)


@pytest.mark.parametrize("value", ["false", "true", None, 0, 1])
def test_a_trusted_flag_that_is_no_boolean_fails_closed(value: object) -> None:
    from pinwise.lsp.settings import parse_init_options

    options, problems = parse_init_options({"trusted": value})
    assert options.trusted is False
    assert "treated as false" in problems[0]
    assert parse_init_options({})[0].trusted is True  # missing means trusted
