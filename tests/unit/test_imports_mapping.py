"""Import name -> distribution on REAL installed distributions: wheels built here (with and
without top_level.txt, namespace packages shared by two projects, differing import and project
names, extension modules, scripts), a PEP 660 editable project, installed by pip into a venv."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.builders import (
    make_project,
    make_venv,
    make_wheel,
    pip_install,
    pip_install_projects,
)
from tests.support.more_builders import namespace_wheels

from pinwise.environment import Snapshot, inspect
from pinwise.imports import ImportMap, clear_caches, fallback_name, provided_modules

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    root = tmp_path_factory.mktemp("mapping")
    wheels = root / "wheels"
    # differing names, with top_level.txt, an extension module named before its first dot
    make_wheel(
        wheels,
        "PyYAMLike",
        "6.0.1",
        modules={
            "yamlike/__init__.py": "",
            "yamlike/loader.py": "",
            "_yamlike.cpython-311-x86_64-linux-gnu.so": "not really a binary",
        },
        top_level=["_yamlike", "yamlike"],
    )
    # no top_level.txt: RECORD only (flit / hatch / poetry wheels), a single-module project
    make_wheel(wheels, "scikit-learnish", "1.4.0", modules={"sklearnish/__init__.py": ""})
    make_wheel(wheels, "six-ish", "1.16.0", modules={"sixish.py": ""})
    # a script (RECORD: ../../../bin/toolcmd) and data next to the package
    make_wheel(
        wheels,
        "toolpkg",
        "2.0",
        modules={
            "toolpkg/__init__.py": "",
            "toolpkg/__pycache__/x.cpython-311.pyc": "",
            "toolpkg-2.0.data/scripts/toolcmd": "#!python\nprint('hi')\n",
        },
    )
    # a namespace shared by two projects, with top_level.txt, and one more without it
    namespace_wheels(
        wheels,
        "gns",
        [("gns-protobuf", "4.25.0", "protobuf"), ("gns-auth", "2.28.0", "auth")],
    )
    make_wheel(wheels, "gns-cloud-storage", "2.14.0", modules={"gns/cloud/storage/__init__.py": ""})
    make_wheel(wheels, "gns-cloud-core", "2.4.0", modules={"gns/cloud/core/__init__.py": ""})
    # a namespace of which one portion is installed (zope.interface without zope.component)
    make_wheel(wheels, "solo-core", "1.0", modules={"solo/core/__init__.py": ""})
    python = make_venv(root / "venv")
    pip_install(python, sorted(wheels.glob("*.whl")))
    project = make_project(
        root / "proj" / "editable-proj", "editable-proj", "0.3.0", package="edpkg"
    )
    pip_install_projects(python, [project], editable=True)
    clear_caches()
    return inspect(str(python))


def names(imap: ImportMap, module: str) -> list[str]:
    return sorted(d.normalized_name for d in imap.resolve(module).distributions)


def test_top_level_txt_and_extension_modules(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    assert names(imap, "yamlike") == ["pyyamlike"]
    assert names(imap, "yamlike.loader") == ["pyyamlike"]
    assert names(imap, "_yamlike") == ["pyyamlike"]
    resolution = imap.resolve("yamlike")
    assert (
        resolution.installed and resolution.how == "installed" and resolution.guess == "PyYAMLike"
    )


def test_record_only_distributions(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    assert snap.get("scikit-learnish") is not None and not snap.get("scikit-learnish").top_level  # type: ignore[union-attr]
    assert names(imap, "sklearnish") == ["scikit-learnish"]
    assert names(imap, "sixish") == ["six-ish"]
    assert names(imap, "toolpkg") == ["toolpkg"]
    modules = provided_modules(snap.get("toolpkg"))  # type: ignore[arg-type]
    assert modules == frozenset({"toolpkg"})  # no script, no .data, no __pycache__
    assert not imap.resolve("toolcmd").installed


def test_namespace_packages_by_deepest_path(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    assert names(imap, "gns.protobuf") == ["gns-protobuf"]
    assert names(imap, "gns.protobuf.message") == ["gns-protobuf"]
    assert names(imap, "gns.auth.transport") == ["gns-auth"]
    assert names(imap, "gns.cloud.storage.blob") == ["gns-cloud-storage"]
    assert names(imap, "gns.cloud.core") == ["gns-cloud-core"]
    assert names(imap, "gns.cloud") == ["gns-cloud-core", "gns-cloud-storage"]
    assert names(imap, "gns") == [
        "gns-auth",
        "gns-cloud-core",
        "gns-cloud-storage",
        "gns-protobuf",
    ]


def test_one_portion_of_a_namespace_provides_only_its_own(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    assert names(imap, "solo.core.x") == ["solo-core"]
    assert names(imap, "solo") == ["solo-core"]
    assert names(imap, "solo.other") == []  # another portion, not installed
    assert names(imap, "solo.other.thing") == []


def test_editable_project_by_its_pth(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    dist = snap.get("editable-proj")
    assert dist is not None and dist.editable
    assert names(imap, "edpkg") == ["editable-proj"]


def test_not_installed_fall_back_to_well_known_names_then_the_module(snap: Snapshot) -> None:
    imap = ImportMap.from_snapshot(snap)
    for module, project in [
        ("sklearn", "scikit-learn"),
        ("yaml", "PyYAML"),
        ("cv2", "opencv-python"),
        ("PIL.Image", "Pillow"),
        ("bs4", "beautifulsoup4"),
        ("dateutil.parser", "python-dateutil"),
        ("google.protobuf.message", "protobuf"),
    ]:
        resolution = imap.resolve(module)
        assert not resolution.installed
        assert (resolution.guess, resolution.how) == (project, "well-known"), module
    assert fallback_name("somethingelse.sub") == ("somethingelse", "module-name")


def test_record_cache_follows_the_metadata_folder(snap: Snapshot, tmp_path: Path) -> None:
    dist = snap.get("six-ish")
    assert dist is not None
    first = provided_modules(dist)
    assert provided_modules(dist) is first


def test_setuptools_editable_finder(tmp_path: Path) -> None:
    """What setuptools' strict / compat editable installs leave: a finder module with MAPPING and
    a .pth that imports it (no folder on sys.path to scan)."""
    from tests.support.builders import site_packages, write_dist_info

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    src = tmp_path / "proj" / "src" / "edfind"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    finder = "__editable___ed_finder_1_0_finder"
    (site / f"{finder}.py").write_text(
        f"import sys\nMAPPING: dict[str, str] = {{'edfind': {str(src)!r}}}\n"
        "NAMESPACES: dict[str, list[str]] = {}\n"
    )
    pth = "__editable__.ed_finder-1.0.pth"
    (site / pth).write_text(f"import {finder}; {finder}.install()\n")
    info = write_dist_info(
        site,
        "ed-finder",
        "1.0",
        direct_url={"url": (tmp_path / "proj").as_uri(), "dir_info": {"editable": True}},
    )
    (info / "RECORD").write_text(f"{finder}.py,,\n{pth},,\n{info.name}/RECORD,,\n")
    clear_caches()
    snap = inspect(str(python))
    dist = snap.get("ed-finder")
    assert dist is not None and dist.editable
    assert provided_modules(dist) == frozenset({"edfind"})
    assert names(ImportMap.from_snapshot(snap), "edfind.sub") == ["ed-finder"]
