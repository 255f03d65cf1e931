"""The language server keeps the cyclic garbage collector off the keystroke path
(`lsp.collector`): it freezes what each analysis leaves, which is only safe because the engine
makes no reference cycles, and collects the whole heap when the server pauses."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.builders import make_venv, site_packages, write_dist_info

from pinwise.analysis.model import Settings
from pinwise.environment import inspect
from pinwise.lsp import collector
from pinwise.lsp.compute import Inputs, compute

FILES = {
    "requirements.txt": (
        "-r base.txt\n-c constraints.txt\n-r missing.txt\n-r requirements.txt\n"
        "alpha==1.0\nalpha>=1  # again\nbeta ; python_version < '3'\ngamma[x]==2\n"
        "--hash=sha256:00 bad option\n-e ./local\nhttps://example.com/x.whl\n"
        "delta @ git+https://example.com/d.git\n${TOKEN}==1\n"
    ),
    "base.txt": "beta==0.1\nalpha==2.0\n-r requirements.txt\n",
    "constraints.txt": "gamma==3\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("collector")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    python = make_venv(folder / ".venv")
    site = site_packages(python)
    write_dist_info(site, "alpha", "1.0")
    write_dist_info(
        site,
        "gamma",
        "2",
        metadata="Metadata-Version: 2.1\nName: gamma\n"
        "Version: 2\nProvides-Extra: x\nRequires-Dist: zeta; extra == 'x'\n",
    )
    return folder, inspect(str(python))


@pytest.fixture
def no_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_collection")
@pytest.mark.parametrize("with_snapshot", [True, False])
def test_an_analysis_makes_no_reference_cycles(
    project: tuple[Path, Any], with_snapshot: bool
) -> None:
    folder, snapshot = project
    path = str(folder / "requirements.txt")
    text = FILES["requirements.txt"]
    for edit in ("", "alpha==1.1\n", "\n\n", "-r nowhere.txt\n"):
        inputs = Inputs(
            path=path,
            version=1,
            generation=0,
            cwd=str(folder),
            snapshot=snapshot if with_snapshot else None,
            settings=Settings(),
            buffers={path: edit + text},
        )
        result = compute(inputs)
        assert result.findings  # a real analysis, with something to say
        assert gc.collect() == 0, f"the analysis of {edit!r} + the file left reference cycles"


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_frozen_garbage_waits_for_the_idle_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "IDLE_SECONDS", 0.05)

    async def scenario() -> None:
        keeper = collector.Collector()
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage
        keeper.after_analysis()  # frozen: ordinary collections no longer see it
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert gone() is not None
        keeper.after_analysis()  # another analysis: the idle timer starts again
        await asyncio.sleep(0.03)
        assert gone() is not None
        await asyncio.sleep(0.1)  # idle: the whole heap is collected
        assert gone() is None
        assert gc.get_freeze_count() > 0  # the survivors frozen again

    try:
        asyncio.run(scenario())
    finally:
        gc.unfreeze()


def test_a_long_burst_collects_without_a_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "MAX_FROZEN", 3)
    keeper = collector.Collector()
    try:
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage
        keeper.after_analysis()
        keeper.after_analysis()
        assert gone() is not None
        keeper.after_analysis()  # the third in a row: collected now
        assert gone() is None
    finally:
        gc.unfreeze()
