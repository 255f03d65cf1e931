"""Fixtures for the differential tests: a folder with the local projects and archives the
corpus refers to, made the current directory (pip resolves requirement paths against it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.differential.pip_oracle import environ_for_tests


def make_fixture_tree(root: Path) -> None:
    (root / "proj").mkdir()
    (root / "proj" / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (root / "legacy").mkdir()
    (root / "legacy" / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (root / "sub").mkdir()
    (root / "plainword").mkdir()
    (root / "dist").mkdir()
    (root / "dist" / "local_wheel-2.0rc1+cpu-py3-none-any.whl").write_bytes(b"PK")
    (root / "dist" / "pkg-1.0.tar.gz").write_bytes(b"")
    (root / "other.txt").write_text("bar==1.0\n")
    (root / "constraints.txt").write_text("bar==1.0\n")


@pytest.fixture(scope="module")
def pip_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("world")
    make_fixture_tree(root)
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    for key in [k for k in os.environ if k.startswith("PW_")]:
        mp.delenv(key)
    for key, value in environ_for_tests({}).items():
        mp.setenv(key, value)
    try:
        yield root
    finally:
        mp.undo()
