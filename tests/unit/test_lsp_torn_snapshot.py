"""An install that lands while an environment is inspected: the server must look again (the
snapshot may lack what the fingerprint, taken after it, already has)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from pathlib import Path
from typing import Any

import pytest
from tests.support.builders import make_venv, site_packages, write_dist_info

from pinwise.lsp import folders
from pinwise.lsp.state import EnvState


class _Server:
    """What `load_env` reads of the server."""

    def __init__(self) -> None:
        self.prelude_environments: dict[Any, Any] = {}
        self.thread_pool = concurrent.futures.ThreadPoolExecutor(1)
        self.warnings: list[str] = []

    def show_warning(self, message: str) -> None:
        self.warnings.append(message)


@pytest.mark.parametrize("installed_meanwhile", [True, False])
def test_an_install_during_the_inspection_is_looked_at_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed_meanwhile: bool
) -> None:
    python = make_venv(tmp_path / ".venv")
    site = site_packages(python)
    os.utime(site, (1_700_000_000, 1_700_000_000))  # (made just now: not "during" anything)
    real_inspect = folders._inspect

    def inspect_while_installing(env: EnvState, prelude: Any = None) -> Any:
        found = real_inspect(env, prelude)
        if installed_meanwhile:  # lands after the scan, before the fingerprint
            write_dist_info(site, "gamma", "0.5")
        return found

    monkeypatch.setattr(folders, "_inspect", inspect_while_installing)
    env = EnvState(interpreter=str(python), allow_exec=False)
    asyncio.run(folders.load_env(_Server(), env))  # type: ignore[arg-type]
    assert env.snapshot is not None
    if installed_meanwhile:
        assert env.fingerprint is None  # the watcher's next poll inspects again
    else:
        assert env.fingerprint is not None


def test_a_user_site_made_after_the_inspection_is_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pip install --user` into a system-site venv (or a global Python) makes the user site the
    first time: the watcher must see it, though no such folder was there to watch."""
    from pinwise.environment import fingerprint, inspect

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PYTHONNOUSERSITE", raising=False)
    python = make_venv(tmp_path / ".venv", system_site_packages=True)
    snapshot = inspect(str(python), allow_exec=False)
    before = fingerprint(snapshot)
    user_site = next(p for p in snapshot.absent_site_packages if str(tmp_path / "home") in p)
    write_dist_info(Path(user_site), "gamma", "0.5")
    assert fingerprint(snapshot) != before
    assert inspect(str(python), allow_exec=False).get("gamma") is not None


def test_a_clock_ahead_is_no_tear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site folder modified "in the future" (a clock ahead, an extracted archive) made every
    inspection look torn: the watcher inspected again four times a second, for ever."""
    python = make_venv(tmp_path / ".venv")
    site = site_packages(python)
    future = 4_000_000_000  # (2096)
    os.utime(site, (future, future))
    env = EnvState(interpreter=str(python), allow_exec=False)
    asyncio.run(folders.load_env(_Server(), env))  # type: ignore[arg-type]
    assert env.fingerprint is not None


def test_a_user_site_made_during_the_inspection_is_a_tear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PYTHONNOUSERSITE", raising=False)
    python = make_venv(tmp_path / ".venv", system_site_packages=True)
    os.utime(site_packages(python), (1_700_000_000, 1_700_000_000))
    real_inspect = folders._inspect

    def inspect_while_installing_for_the_user(env: EnvState, prelude: Any = None) -> Any:
        found = real_inspect(env, prelude)
        (user_site,) = [p for p in found[0].absent_site_packages if "home" in p]
        write_dist_info(Path(user_site), "gamma", "0.5")
        return found

    monkeypatch.setattr(folders, "_inspect", inspect_while_installing_for_the_user)
    env = EnvState(interpreter=str(python), allow_exec=False)
    asyncio.run(folders.load_env(_Server(), env))  # type: ignore[arg-type]
    assert env.fingerprint is None
