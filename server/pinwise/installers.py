"""Installers and conda environments (pure decisions and static reading; running is the faces'
business).

- `choose_installer(interpreter, snapshot, uv=...)`: the environment's own pip; else
  `uv pip install --python <interpreter>` when uv is on PATH (environments made by uv or
  `venv --without-pip`); else an offer to run `ensurepip` first.
- `conda_distributions(prefix, known)`: the Python packages a conda environment's `conda-meta`
  records that have no `*.dist-info` of their own (so they count as installed);
  `with_conda(snapshot)` adds them to a snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Optional

from packaging.utils import canonicalize_name

from pinwise.environment.model import Distribution, Snapshot

PIP = "pip"
UV = "uv"
ENSUREPIP = "ensurepip"


@dataclass(frozen=True)
class Installer:
    """How to install into the selected environment."""

    kind: str  # PIP, UV or ENSUREPIP (nothing can install yet: offer to bootstrap pip)
    argv: tuple[str, ...]  # the command before the packages (`... install`); for ENSUREPIP the
    # bootstrap command to offer
    message: str = ""  # what to tell the user (for ENSUREPIP: why, and what the offer runs)

    def install(self, args: Sequence[str]) -> list[str]:
        """The full install command for `args` (requirements, -r files, options)."""
        if self.kind == ENSUREPIP:
            raise ValueError("no installer: bootstrap pip with the ensurepip command first")
        return [*self.argv, *args]


def has_pip(snapshot: Optional[Snapshot]) -> bool:
    return snapshot is not None and snapshot.get("pip") is not None


def choose_installer(
    interpreter: str,
    snapshot: Optional[Snapshot],
    *,
    uv: Optional[str] = None,
    find_uv: bool = True,
) -> Installer:
    """The environment's pip when it has one; else uv (`uv` argument, or found on PATH when
    `find_uv`); else the ensurepip offer."""
    if has_pip(snapshot):
        return Installer(PIP, (interpreter, "-m", "pip", "install"))
    uv_path = uv or (shutil.which("uv") if find_uv else None)
    if uv_path:
        return Installer(UV, (uv_path, "pip", "install", "--python", interpreter))
    return Installer(
        ENSUREPIP,
        (interpreter, "-m", "ensurepip", "--upgrade", "--default-pip"),
        f"{interpreter} has no pip and uv is not on PATH: run `{interpreter} -m ensurepip` "
        "to install pip into the environment, then install again",
    )


# --- conda ---------------------------------------------------------------------------------------


def is_conda_prefix(prefix: str) -> bool:
    return os.path.isdir(os.path.join(prefix, "conda-meta"))


@dataclass(frozen=True)
class CondaPackage:
    name: str
    version: str
    build: str
    channel: str
    record: str  # the conda-meta/*.json file
    site_files: tuple[str, ...]  # its files under site-packages (relative to site-packages)


def conda_packages(prefix: str) -> list[CondaPackage]:
    """Every conda package of `prefix` that installed something under site-packages."""
    folder = os.path.join(prefix, "conda-meta")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    out: list[CondaPackage] = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            continue
        files = data.get("files") or []
        site: list[str] = []
        for item in files if isinstance(files, list) else []:
            if not isinstance(item, str):
                continue
            marker = "site-packages/"
            at = item.replace("\\", "/").find(marker)
            if at >= 0:
                site.append(item.replace("\\", "/")[at + len(marker) :])
        if not site:
            continue
        out.append(
            CondaPackage(
                name=data["name"],
                version=str(data.get("version", "")),
                build=str(data.get("build", "")),
                channel=str(data.get("channel", "")),
                record=path,
                site_files=tuple(site),
            )
        )
    return out


def _top_levels(site_files: Iterable[str]) -> tuple[str, ...]:
    tops: set[str] = set()
    for path in site_files:
        head = path.split("/", 1)[0]
        if head.endswith((".dist-info", ".egg-info", ".pth")) or head == "__pycache__":
            continue
        stem = head.split(".", 1)[0]
        if stem.isidentifier():
            tops.add(stem)
    return tuple(sorted(tops))


def _has_own_metadata(package: CondaPackage) -> bool:
    return any(f.split("/", 1)[0].endswith((".dist-info", ".egg-info")) for f in package.site_files)


def conda_distributions(
    prefix: str, site_packages: str, known: Iterable[str] = ()
) -> list[Distribution]:
    """Distributions for conda packages with Python files but no *.dist-info / *.egg-info of
    their own (older conda builds), skipping names in `known` (normalised)."""
    skip = {canonicalize_name(k) for k in known}
    out: list[Distribution] = []
    for package in conda_packages(prefix):
        norm = canonicalize_name(package.name)
        if norm in skip or _has_own_metadata(package):
            continue
        out.append(
            Distribution(
                name=package.name,
                normalized_name=norm,
                version=package.version,
                location=site_packages,
                metadata_path=package.record,
                installer="conda",
                top_level=_top_levels(package.site_files),
            )
        )
    return out


def with_conda(snapshot: Snapshot) -> Snapshot:
    """`snapshot` plus the conda packages only conda-meta knows about (for a conda prefix)."""
    prefix = snapshot.interpreter.prefix
    if not is_conda_prefix(prefix) or not snapshot.site_packages:
        return snapshot
    known = [d.normalized_name for d in snapshot.distributions]
    extra = conda_distributions(prefix, snapshot.site_packages[0], known)
    if not extra:
        return snapshot
    by_name = dict(snapshot.by_name)
    for dist in extra:
        by_name.setdefault(dist.normalized_name, dist)
    return replace(snapshot, distributions=snapshot.distributions + tuple(extra), by_name=by_name)
