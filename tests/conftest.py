"""Session-scoped real environments that any test may reuse (read-only!).

All are built offline by the tests themselves (tests/support/builders.py): wheels made with
zipfile, projects with a tiny in-tree PEP 517/660 backend, git repositories made with git, and
installed by pip 26.3 (the dev venv's `python -m pip --python <env>`, configuration isolated).
Never install into or delete from them: build your own with the builders for destructive tests.

Fixtures
- `wheelhouse` -> Path: a folder of wheels (the ones `demo_env` installs, plus spares:
  `extra_pkg-1.0`, `extra_pkg-2.0`).
- `demo_env` -> Path: the interpreter (`.../bin/python`) of a Python 3.11 venv without pip, with
    Jinja2Like 3.1.6        (capitals; requires MarkupLike>=2.0, extra i18n: Babel>=2.7)
    MarkupLike 3.0.4        (capitals)
    zope.dotted 8.7         (dots in the name; top_level.txt)
    typing_under 4.16.0     (underscore in the name)
    plain-dash 1.0          (requires missing-dep>=1: a broken dependency, for PW012)
  all installed from `--find-links` (so `pip freeze` prints `Name==version`), and
    Local.Wheel 2.0rc1+cpu  installed from the wheel's path (direct_url.json archive_info)
    legacy_ver 0.9-snapshot (hand-written dist-info: not a PEP 440 version, `===` in freeze)
    pip 99.0, setuptools 99.0, wheel 99.0 (metadata only: what freeze hides without --all).
- `freeze_env` -> FreezeEnv: a Python 3.11 venv with every `pip freeze` line form: PEP 660
  editables made by pip (no VCS; git with https / scp / several remotes / no remote / a deleted
  local remote / an existing local bare remote / a subdirectory / packed refs / detached HEAD),
  a legacy `setup.py develop` editable (egg-link), a dir_info install, an sdist archive install,
  a non-editable git install, a hand-written direct_url.json with a subdirectory.
  `.python` is the interpreter, `.projects` maps a short key to each project folder, `.repos`
  maps a key to each git checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.builders import (
    git,
    make_git_repo,
    make_project,
    make_venv,
    make_wheel,
    pip,
    pip_install,
    pip_install_projects,
    site_packages,
    write_dist_info,
    write_legacy_editable,
)


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    make_wheel(
        out,
        "Jinja2Like",
        "3.1.6",
        requires=["MarkupLike>=2.0"],
        extras={"i18n": ["Babel>=2.7"]},
        summary="Templates, capitalised",
        license="BSD-3-Clause",
        home_page="https://example.invalid/jinja2like",
    )
    make_wheel(out, "MarkupLike", "3.0.4")
    make_wheel(
        out, "zope.dotted", "8.7", top_level=["zope"], modules={"zope/dotted/__init__.py": ""}
    )
    make_wheel(out, "typing_under", "4.16.0")
    make_wheel(out, "plain-dash", "1.0", requires=["missing-dep>=1"])
    make_wheel(out, "extra_pkg", "1.0")
    make_wheel(out, "extra_pkg", "2.0")
    local = out / "local"
    make_wheel(local, "Local.Wheel", "2.0rc1+cpu")
    fakes = out / "fakes"
    for name in ("pip", "setuptools", "wheel"):
        make_wheel(fakes, name, "99.0", modules={})
    return out


@pytest.fixture(scope="session")
def demo_env(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    root = tmp_path_factory.mktemp("demo")
    python = make_venv(root / "venv")
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        "--find-links",
        str(wheelhouse),
        "Jinja2Like",
        "MarkupLike",
        "zope.dotted",
        "typing_under",
        "plain-dash",
        python=python,
    )
    pip_install(python, sorted((wheelhouse / "local").glob("*.whl")))
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        "--find-links",
        str(wheelhouse / "fakes"),
        "pip==99.0",
        "setuptools==99.0",
        "wheel==99.0",
        python=python,
    )
    write_dist_info(site_packages(python), "legacy_ver", "0.9-snapshot")
    return python


@dataclass
class FreezeEnv:
    python: Path
    root: Path
    projects: dict[str, Path] = field(default_factory=dict)
    repos: dict[str, Path] = field(default_factory=dict)


def _make_sdist(project: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    code = f"import pinwise_backend as b; print(b.build_sdist({str(out)!r}))"
    name = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    return out / name


@pytest.fixture(scope="session")
def freeze_env(tmp_path_factory: pytest.TempPathFactory) -> FreezeEnv:
    root = tmp_path_factory.mktemp("freeze")
    env = FreezeEnv(python=make_venv(root / "venv"), root=root)
    p = env.projects

    p["novcs"] = make_project(root / "novcs" / "proj", "My_Proj", "0.1.0")

    def repo(
        key: str, name: str, remotes: dict[str, str] | None, *, sub: str = "", commit: bool = True
    ) -> Path:
        top = root / key
        project = make_project(top / sub if sub else top, name, "1.0")
        env.repos[key] = make_git_repo(top, remotes=remotes, commit=commit)
        p[key] = project
        return top

    repo("https", "git-proj", {"origin": "https://github.com/example/git-proj.git"})
    repo("scp", "scp.proj", {"upstream": "git@github.com:org/scp-proj.git"})
    repo(
        "multi",
        "multi_proj",
        {"aaa": "https://example.com/aaa.git", "origin": "https://example.com/origin.git"},
    )
    repo("noremote", "NoRemote", None)
    repo("deleted", "deleted-remote", {"origin": str(root / "gone" / "repo.git")})
    bare = root / "bare.git"
    bare.mkdir()
    git("init", "-q", "--bare", cwd=bare)
    repo("localremote", "local-remote", {"origin": str(bare)})
    repo("subdir", "Sub-Proj", {"origin": "https://example.com/mono.git"}, sub="packages/sub")
    packed = repo("packed", "packed_proj", {"origin": "ssh://git@example.com/packed.git"})
    git("pack-refs", "--all", cwd=packed)
    detached = repo("detached", "detached-proj", {"origin": "https://example.com/d.git"})
    git("checkout", "-q", "--detach", cwd=detached)

    pip_install_projects(env.python, [p[k] for k in p], editable=True)

    site = site_packages(env.python)
    legacy = root / "legacy" / "Legacy_Proj"
    legacy.mkdir(parents=True)
    write_legacy_editable(
        site,
        legacy,
        "Legacy-Proj",
        "1.0",
        requires="dep-a>=1\n\n[extra1]\ndep-b\n\n[:python_version < '4']\ndep-c\n",
    )
    p["legacy"] = legacy

    p["dirinfo"] = make_project(root / "plain" / "plain_pkg", "plain_pkg", "2.0")
    p["archive"] = make_project(root / "archive" / "arch_pkg", "Arch-Pkg", "3.0")
    sdist = _make_sdist(p["archive"], root / "sdists")
    vcs_src = make_project(root / "vcs_src", "vcs_pkg", "4.0")
    env.repos["vcs_src"] = make_git_repo(vcs_src)
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        str(p["dirinfo"]),
        str(sdist),
        f"vcs_pkg @ git+file://{vcs_src}",
        python=env.python,
    )
    write_dist_info(
        site,
        "sub_archive",
        "5.0",
        direct_url={
            "url": "https://example.com/mono-5.0.zip",
            "archive_info": {"hashes": {"sha256": "ab" * 32}},
            "subdirectory": "python/sub",
        },
    )
    shutil.rmtree(root / "vcs_clone", ignore_errors=True)
    return env
