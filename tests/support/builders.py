"""Real wheels and real virtual environments, built offline by the tests themselves.

Wheels are written with zipfile (a valid RECORD, METADATA, WHEEL), installed with pip 26.3 (the
test dependency, run as `python -m pip --python <env>`), so the environments are exactly what a
user's `pip install` makes. Nothing here touches the network.
"""

from __future__ import annotations

import base64
import hashlib
import os
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
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
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


def pip(*args: str, python: Path | str | None = None, check: bool = True,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run pip 26.3 (the test dependency) against `python`'s environment."""
    cmd = [sys.executable, "-m", "pip"]
    if python is not None:
        cmd += ["--python", str(python)]
    cmd += list(args)
    return subprocess.run(cmd, env=PIP_ENV, capture_output=True, text=True, check=check,
                          timeout=300, cwd=cwd)


def pip_install(python: Path | str, targets: Iterable[str | Path], *, editable: bool = False,
                no_deps: bool = True, find_links: Path | None = None) -> None:
    args = ["install", "--no-index", "--no-build-isolation" if editable else "--quiet"]
    if no_deps:
        args.append("--no-deps")
    if find_links is not None:
        args += ["--find-links", str(find_links)]
    for target in targets:
        args += (["-e", str(target)] if editable else [str(target)])
    pip(*args, python=python)
