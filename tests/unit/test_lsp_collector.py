"""The language server keeps the cyclic garbage collector off the keystroke path
(`lsp.collector`): it freezes what each analysis leaves, which is only safe because the engine
makes no reference cycles, and collects the whole heap when the server pauses."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.builders import make_venv, site_packages, write_dist_info

from pinwise.analysis.model import Settings
from pinwise.environment import inspect
from pinwise.lsp import collector, project
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
    "pyproject.toml": (
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["alpha==1.0", "zeta>=1"]\n'
        "[dependency-groups]\n"
        'dev = ["beta", {include-group = "test"}, {include-group = "nowhere"}]\n'
        'test = ["gamma[x]==2", {include-group = "dev"}]\n'
    ),
    "app.py": "import os, alpha, gamma.sub, omega\nfrom missing_pkg import x\n",
}


@pytest.fixture(scope="module")
def project_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("collector")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    python = make_venv(folder / ".venv")
    site = site_packages(python)
    write_dist_info(site, "alpha", "1.0")
    write_dist_info(site, "omega", "1.0", extra_files={"top_level.txt": "omega\n"})
    (site / "omega").mkdir()
    (site / "omega" / "__init__.py").write_text("")
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
    project_folder: tuple[Path, Any], with_snapshot: bool
) -> None:
    folder, snapshot = project_folder
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


@pytest.mark.usefixtures("no_collection")
@pytest.mark.parametrize(
    ("name", "kind"), [("pyproject.toml", project.PYPROJECT), ("app.py", project.PYTHON)]
)
def test_the_analysis_of_a_python_file_or_pyproject_makes_no_reference_cycles(
    project_folder: tuple[Path, Any], name: str, kind: str
) -> None:
    folder, snapshot = project_folder
    path = str(folder / name)
    for edit in ("", "\n", "# a comment\n"):
        inputs = Inputs(
            path=path,
            version=1,
            generation=0,
            cwd=str(folder),
            snapshot=snapshot,
            settings=Settings(),
            buffers={path: edit + FILES[name]},
            kind=kind,
        )
        result = compute(inputs)
        assert result.findings
        assert gc.collect() == 0, f"the analysis of {name} left reference cycles"


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_frozen_garbage_waits_for_the_idle_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "IDLE_SECONDS", 0.3)

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
        await asyncio.sleep(0.1)
        assert gone() is not None
        await asyncio.sleep(0.5)  # idle: the whole heap is collected
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


def test_the_idle_collection_waits_for_a_running_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """An analysis running in a worker thread: the whole-heap walk waits for the next pause
    rather than hold it up."""
    monkeypatch.setattr(collector, "IDLE_SECONDS", 0.3)

    async def scenario() -> None:
        keeper = collector.Collector()
        keeper.after_analysis()
        started = asyncio.Event()
        finish = threading.Event()

        def analysis(_: None) -> None:
            loop.call_soon_threadsafe(started.set)
            finish.wait(5)

        loop = asyncio.get_running_loop()
        running = loop.run_in_executor(None, collector.without_collections, analysis, None)
        await started.wait()
        await asyncio.sleep(0.5)
        assert keeper.full_collections == 0  # not while the analysis runs
        finish.set()
        await running  # ended (dropped as stale, say: no `after_analysis`)
        await asyncio.sleep(0.1)
        assert keeper.full_collections == 0
        keeper.note_activity()  # an edit: its analysis is on its way
        await asyncio.sleep(0.1)
        assert keeper.full_collections == 0
        await asyncio.sleep(0.5)
        assert keeper.full_collections == 1

    try:
        asyncio.run(scenario())
    finally:
        gc.unfreeze()
