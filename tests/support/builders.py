"""Real wheels and real virtual environments, built offline by the tests themselves.

Wheels are written with zipfile (a valid RECORD, METADATA, WHEEL), installed with pip 26.3 (the
test dependency, run as `python -m pip --python <env>`), so the environments are exactly what a
user's `pip install` makes. Nothing here touches the network.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

# pip must not read the machine's configuration (it may carry constraints or index settings).
PIP_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PIP_NO_INPUT": "1",
    "PIP_NO_INDEX": "1",
}
PIP_ENV.pop("VIRTUAL_ENV", None)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make_wheel(
    out_dir: Path,
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    modules: Mapping[str, str] | None = None,
    top_level: Sequence[str] | None = None,
    summary: str | None = None,
    license: str | None = None,
    home_page: str | None = None,
) -> Path:
    """Write `name-version-py3-none-any.whl` into `out_dir` and return its path.

    `modules` maps archive paths (`pkg/__init__.py`) to source; by default one module named after
    the project. `extras` maps an extra to its requirements (written with the extra marker).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    dist = canonicalize_name(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    if modules is None:
        modules = {f"{dist}/__init__.py": f"__version__ = {version!r}\n"}
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        meta.append(f"Summary: {summary}")
    if home_page:
        meta.append(f"Home-page: {home_page}")
    if license:
        meta.append(f"License: {license}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    for extra, reqs in (extras or {}).items():
        meta.append(f"Provides-Extra: {extra}")
        for r in reqs:
            joiner = " and " if ";" in r else "; "
            base, _, marker = r.partition(";")
            cond = f'extra == "{extra}"'
            meta.append(
                f"Requires-Dist: {base.strip()}; ({marker.strip()}) and {cond}"
                if marker
                else f"Requires-Dist: {r}{joiner}{cond}"
            )
    files: dict[str, bytes] = {k: v.encode() for k, v in modules.items()}
    files[f"{info}/METADATA"] = ("\n".join(meta) + "\n").encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: pinwise-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if top_level is not None:
        files[f"{info}/top_level.txt"] = ("\n".join(top_level) + "\n").encode()
    record = [_record_line(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return wheel


def make_venv(path: Path, *, system_site_packages: bool = False) -> Path:
    """Create a real venv without pip (fast) and return its interpreter."""
    args = [sys.executable, "-m", "venv", "--without-pip", str(path)]
    if system_site_packages:
        args.insert(-1, "--system-site-packages")
    subprocess.run(args, check=True, timeout=120)
    return path / "bin" / "python"


def pip(
    *args: str, python: Path | str | None = None, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pip 26.3 (the test dependency) against `python`'s environment."""
    cmd = [sys.executable, "-m", "pip"]
    if python is not None:
        cmd += ["--python", str(python)]
    cmd += list(args)
    return subprocess.run(
        cmd, env=PIP_ENV, capture_output=True, text=True, check=check, timeout=300, cwd=cwd
    )


def pip_install(
    python: Path | str,
    targets: Iterable[str | Path],
    *,
    editable: bool = False,
    no_deps: bool = True,
    find_links: Path | None = None,
) -> None:
    args = ["install", "--no-index", "--no-build-isolation" if editable else "--quiet"]
    if no_deps:
        args.append("--no-deps")
    if find_links is not None:
        args += ["--find-links", str(find_links)]
    for target in targets:
        args += ["-e", str(target)] if editable else [str(target)]
    pip(*args, python=python)


# -- more environments: hand-written metadata, editable projects, git checkouts ----------------

# A complete PEP 517 + PEP 660 backend in one file, so that pip can make real (editable and
# regular) installs offline with build isolation: the project needs nothing from an index.
_BACKEND = r"""
import base64, hashlib, os, tarfile, zipfile

def _cfg():
    here = os.getcwd()
    data = {}
    with open(os.path.join(here, "pinwise_project.cfg")) as f:
        for line in f:
            k, _, v = line.partition("=")
            data[k.strip()] = v.strip()
    return here, data

def _dist(name):
    import re
    return re.sub(r"[-_.]+", "_", name).lower()

def _meta(data):
    lines = ["Metadata-Version: 2.1", "Name: " + data["name"], "Version: " + data["version"]]
    return ("\n".join(lines) + "\n").encode()

def _write(wheel_directory, files, data):
    info = "%s-%s.dist-info" % (_dist(data["name"]), data["version"])
    files[info + "/METADATA"] = _meta(data)
    files[info + "/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: pinwise-backend\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    rec = []
    for p, d in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        rec.append("%s,sha256=%s,%d" % (p, h, len(d)))
    rec.append(info + "/RECORD,,")
    files[info + "/RECORD"] = ("\n".join(rec) + "\n").encode()
    name = "%s-%s-py3-none-any.whl" % (_dist(data["name"]), data["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as zf:
        for p, d in files.items():
            zf.writestr(p, d)
    return name

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_sdist = get_requires_for_build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    here, data = _cfg()
    files = {}
    src = os.path.join(here, data["package"])
    for root, _, names in os.walk(src):
        for n in names:
            full = os.path.join(root, n)
            with open(full, "rb") as f:
                files[os.path.relpath(full, here).replace(os.sep, "/")] = f.read()
    return _write(wheel_directory, files, data)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    here, data = _cfg()
    pth = "__editable__.%s-%s.pth" % (_dist(data["name"]), data["version"])
    return _write(wheel_directory, {pth: (here + "\n").encode()}, data)

def build_sdist(sdist_directory, config_settings=None):
    here, data = _cfg()
    base = "%s-%s" % (_dist(data["name"]), data["version"])
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        for n in os.listdir(here):
            if n not in (".git", "dist", "build"):
                tf.add(os.path.join(here, n), arcname=base + "/" + n)
    return name
"""


def make_project(
    path: Path, name: str, version: str = "0.1.0", *, package: str | None = None
) -> Path:
    """A buildable project folder (pyproject.toml + the in-tree backend above); returns it.

    pip installs it offline, normally (`pip install path`) or editable (`pip install -e path`,
    PEP 660: a `__editable__.*.pth` with the project folder, and direct_url.json
    `dir_info.editable`).
    """
    package = package or canonicalize_name(name).replace("-", "_")
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "pinwise_backend"\nbackend-path = ["."]\n'
    )
    (path / "pinwise_backend.py").write_text(_BACKEND)
    (path / "pinwise_project.cfg").write_text(
        f"name = {name}\nversion = {version}\npackage = {package}\n"
    )
    (path / package).mkdir(exist_ok=True)
    (path / package / "__init__.py").write_text(f"__version__ = {version!r}\n")
    return path


def pip_install_projects(python: Path | str, projects: Iterable[Path], *, editable: bool) -> None:
    """Install project folders with pip (build isolation on: the backend needs nothing)."""
    args = ["install", "--no-index", "--no-deps", "--quiet"]
    for project in projects:
        args += ["-e", str(project)] if editable else [str(project)]
    pip(*args, python=python)


def git(*args: str, cwd: Path) -> str:
    """Run git with a fixed identity and no user or system configuration."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Pinwise Tests",
        "GIT_AUTHOR_EMAIL": "tests@pinwise.invalid",
        "GIT_COMMITTER_NAME": "Pinwise Tests",
        "GIT_COMMITTER_EMAIL": "tests@pinwise.invalid",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def make_git_repo(
    path: Path,
    *,
    remotes: Mapping[str, str] | None = None,
    commit: bool = True,
    branch: str = "main",
) -> Path:
    """`git init` in `path` (which should already hold the files), commit them, add remotes."""
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", branch, cwd=path)
    if commit:
        git("add", "-A", cwd=path)
        git("commit", "-q", "-m", "initial", cwd=path)
    for remote, url in (remotes or {}).items():
        git("remote", "add", remote, url, cwd=path)
    return path


def site_packages(python: Path | str) -> Path:
    """The venv's own site-packages folder (POSIX layout)."""
    env = Path(python).parent.parent
    found = sorted(env.glob("lib/python*/site-packages"))
    if not found:
        raise FileNotFoundError(f"no site-packages under {env}")
    return found[0]


def write_dist_info(
    site: Path,
    name: str,
    version: str,
    *,
    folder: str | None = None,
    metadata: str | bytes | None = None,
    direct_url: Mapping[str, object] | None = None,
    installer: str | None = "pip",
    extra_files: Mapping[str, str | bytes] | None = None,
) -> Path:
    """A hand-written `.dist-info` (for what pip refuses to install, e.g. invalid versions)."""
    import json

    folder = folder or f"{canonicalize_name(name).replace('-', '_')}-{version}.dist-info"
    info = site / folder
    info.mkdir(parents=True, exist_ok=True)
    if metadata is None:
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    (info / "METADATA").write_bytes(metadata.encode() if isinstance(metadata, str) else metadata)
    if installer is not None:
        (info / "INSTALLER").write_text(installer + "\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    for fname, data in (extra_files or {}).items():
        (info / fname).write_bytes(data.encode() if isinstance(data, str) else data)
    (info / "RECORD").write_text("")
    return info


def write_legacy_editable(
    site: Path, project: Path, name: str, version: str, *, requires: str | None = None
) -> None:
    """What `setup.py develop` leaves: an egg-info in the project, egg-link + easy-install.pth."""
    egg = project / f"{name.replace('-', '_')}.egg-info"
    egg.mkdir(parents=True, exist_ok=True)
    (egg / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (egg / "top_level.txt").write_text(name.replace("-", "_") + "\n")
    if requires is not None:
        (egg / "requires.txt").write_text(requires)
    link_name = re.sub("[^A-Za-z0-9.]+", "-", name)
    (site / f"{link_name}.egg-link").write_text(f"{project}\n.")
    with open(site / "easy-install.pth", "a") as handle:
        handle.write(f"{project}\n")


def make_venv_with(python: str | Path, path: Path, *, system_site_packages: bool = False) -> Path:
    """make_venv with another base interpreter (e.g. a 3.12 one, for pip freeze's 3.12 rules)."""
    args = [str(python), "-m", "venv", "--without-pip", str(path)]
    if system_site_packages:
        args.insert(-1, "--system-site-packages")
    subprocess.run(args, check=True, timeout=120)
    return path / "bin" / "python"
