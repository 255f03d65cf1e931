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
