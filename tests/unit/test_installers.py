"""Installers for environments without pip (uv, else the ensurepip offer), and conda
environments whose conda-meta packages count as installed. Real venvs, real uv."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.support.builders import PIP_ENV, make_venv, make_wheel, pip_install, site_packages
from tests.support.more_builders import uv_executable

from pinwise.environment import inspect
from pinwise.imports import ImportMap, clear_caches
from pinwise.installers import (
    ENSUREPIP,
    PIP,
    UV,
    choose_installer,
    conda_packages,
    is_conda_prefix,
    with_conda,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("nopip") / "venv")


def test_choice_without_pip(bare_venv: Path) -> None:
    snap = inspect(str(bare_venv))
    assert snap.get("pip") is None
    uv = choose_installer(str(bare_venv), snap, uv="/opt/uv/bin/uv")
    assert uv.kind == UV
    assert uv.install(["-r", "requirements.txt"]) == [
        "/opt/uv/bin/uv",
        "pip",
        "install",
        "--python",
        str(bare_venv),
        "-r",
        "requirements.txt",
    ]
    offer = choose_installer(str(bare_venv), snap, find_uv=False)
    assert offer.kind == ENSUREPIP
    assert offer.argv[:3] == (str(bare_venv), "-m", "ensurepip")
    assert "has no pip" in offer.message
    with pytest.raises(ValueError):
        offer.install(["x"])


def test_choice_with_pip(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "pip", "99.0", modules={})
    pip_install(python, sorted(wheels.glob("*.whl")))
    snap = inspect(str(python))
    chosen = choose_installer(str(python), snap, uv="/opt/uv")
    assert chosen.kind == PIP and chosen.argv == (str(python), "-m", "pip", "install")


def test_uv_installs_into_a_venv_without_pip(tmp_path: Path) -> None:
    uv = uv_executable()
    if not (Path(uv).exists() or shutil.which(uv)):
        pytest.skip("uv is not available")
    python = make_venv(tmp_path / "venv")
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "uv-installed", "1.2.3")
    snap = inspect(str(python))
    installer = choose_installer(str(python), snap, uv=uv)
    assert installer.kind == UV
    env = {k: v for k, v in PIP_ENV.items() if not k.startswith("UV_")}
    env.update(UV_NO_CONFIG="1", UV_OFFLINE="1", UV_CACHE_DIR=str(tmp_path / "cache"))
    argv = installer.install(["--no-index", "--find-links", str(wheels), "uv-installed"])
    subprocess.run(argv, env=env, check=True, capture_output=True, timeout=300)
    after = inspect(str(python))
    dist = after.get("uv-installed")
    assert dist is not None and dist.version == "1.2.3" and dist.installer == "uv"


def _conda_record(prefix: Path, name: str, version: str, files: list[str]) -> None:
    meta = prefix / "conda-meta"
    meta.mkdir(exist_ok=True)
    (meta / f"{name}-{version}-py_0.json").write_text(
        json.dumps(
            {
                "name": name,
                "version": version,
                "build": "py_0",
                "channel": "conda-forge",
                "files": files,
            }
        )
    )


def test_conda_meta_packages_count_as_installed(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "env")
    prefix = python.parent.parent
    site = site_packages(python)
    rel = site.relative_to(prefix).as_posix()
    (site / "condaonly").mkdir()
    (site / "condaonly" / "__init__.py").write_text("")
    _conda_record(prefix, "conda-only", "1.5", [f"{rel}/condaonly/__init__.py"])
    _conda_record(prefix, "openssl", "3.0", ["lib/libssl.so"])  # not a Python package
    # a conda package that also has its own dist-info: already in the snapshot, not twice
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "both-ways", "2.0")
    pip_install(python, sorted(wheels.glob("*.whl")))
    _conda_record(
        prefix,
        "both-ways",
        "2.0",
        [f"{rel}/both_ways/__init__.py", f"{rel}/both_ways-2.0.dist-info/METADATA"],
    )
    assert is_conda_prefix(str(prefix))
    assert [p.name for p in conda_packages(str(prefix))] == ["both-ways", "conda-only"]
    snap = inspect(str(python))  # inspect itself adds conda-meta's packages
    assert with_conda(snap) is snap
    conda_only = snap.get("conda-only")
    assert conda_only is not None and conda_only.version == "1.5"
    assert conda_only.installer == "conda" and conda_only.top_level == ("condaonly",)
    assert [d.normalized_name for d in snap.distributions].count("both-ways") == 1
    assert snap.get("openssl") is None
    clear_caches()
    resolved = ImportMap.from_snapshot(snap).resolve("condaonly.sub")
    assert [d.name for d in resolved.distributions] == ["conda-only"]


def test_not_conda_is_unchanged(bare_venv: Path) -> None:
    snap = inspect(str(bare_venv))
    assert with_conda(snap) is snap
