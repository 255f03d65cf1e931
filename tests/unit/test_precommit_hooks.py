"""The repository's .pre-commit-hooks.yaml: the hook's id, entry and the files it selects (the
contract's requirements-file patterns, Python files and pyproject.toml; MANIFEST.in is not a
requirements file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def field(name: str) -> str:
    match = re.search(rf"^  {name}: (.*)$", HOOKS.read_text(encoding="utf-8"), re.M)
    assert match is not None, name
    return match.group(1).strip()


def test_hook_definition() -> None:
    text = HOOKS.read_text(encoding="utf-8")
    assert re.search(r"^- id: pinwise-check$", text, re.M)
    assert field("entry") == "pinwise check"
    assert field("language") == "python"
    assert field("pass_filenames") == "true"


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("sub/dir/test_requirements.txt", True),
        ("requirements/base.txt", True),
        ("constraints.txt", True),
        ("constraints-py39.txt", True),
        ("requirements.in", True),
        ("deps/dev.in", True),
        ("MANIFEST.in", False),
        ("docs/notes.txt", False),
        ("requirements/nested/x.txt", False),
        ("setup.py", True),
        ("pkg/module.py", True),
        ("pyproject.toml", True),
        ("sub/pyproject.toml", True),
        ("pyproject.toml.bak", False),
        ("notes.pyc", False),
    ],
)
def test_files_pattern(path: str, selected: bool) -> None:
    files, exclude = field("files"), field("exclude")
    assert (bool(re.search(files, path)) and not re.search(exclude, path)) is selected
