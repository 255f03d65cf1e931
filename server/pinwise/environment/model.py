"""The snapshot of a Python environment, read statically from its files.

Shared contract between `environment` (which builds it), `analysis`, `freeze` and the faces.
Fields may be added; existing ones are not renamed or removed without updating every user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pinwise.environment.errors import InspectionError

TYPE_CHECKING = False  # typing is not imported at run time: `pinwise freeze` starts faster
if TYPE_CHECKING:
    from typing import Optional


@dataclass(frozen=True)
class DirectUrl:
    """PEP 610 `direct_url.json`."""

    url: str
    vcs: Optional[str] = None  # vcs_info.vcs
    commit_id: Optional[str] = None  # vcs_info.commit_id
    requested_revision: Optional[str] = None
    archive_hashes: tuple[tuple[str, str], ...] = ()  # (alg, hex) from archive_info
    editable: bool = False  # dir_info.editable
    is_dir: bool = False
    subdirectory: Optional[str] = None


@dataclass(frozen=True)
class Distribution:
    name: str  # metadata `Name` as written (Jinja2, typing_extensions)
    normalized_name: str  # PEP 503
    version: str  # metadata `Version` as written (may be invalid PEP 440)
    location: str  # the sys.path entry it was found in
    metadata_path: str  # the .dist-info / .egg-info folder (or file)
    requires: tuple[str, ...] = ()  # Requires-Dist lines as written
    provides_extras: tuple[str, ...] = ()
    direct_url: Optional[DirectUrl] = None
    editable: bool = False
    editable_location: Optional[str] = None  # the project folder of an editable install
    installer: Optional[str] = None
    summary: Optional[str] = None
    license: Optional[str] = None
    home_page: Optional[str] = None
    top_level: tuple[str, ...] = ()  # top_level.txt, when present
    is_egg_info: bool = False


@dataclass(frozen=True)
class Interpreter:
    path: str  # as given (absolute)
    python_version: str  # "3.11.7"
    implementation: str  # "cpython"
    prefix: str  # sys.prefix
    base_prefix: str  # sys.base_prefix
    is_venv: bool
    env_name: str  # ".venv", or the folder name, or "global"
    executed: bool  # whether the interpreter was actually run to learn this


@dataclass(frozen=True)
class Snapshot:
    interpreter: Interpreter
    site_packages: tuple[str, ...]  # in sys.path order, including .pth-added folders
    markers: dict[str, str]  # the 11 PEP 508 marker keys
    assumed_marker_keys: tuple[str, ...]  # keys guessed without running the interpreter
    distributions: tuple[Distribution, ...]  # de-duplicated, sys.path order
    include_system_site_packages: bool = False
    warnings: tuple[str, ...] = ()  # unreadable metadata and similar, with paths
    by_name: dict[str, Distribution] = field(default_factory=dict)  # normalized name -> dist

    def get(self, name: str) -> Optional[Distribution]:
        from packaging.utils import canonicalize_name

        return self.by_name.get(canonicalize_name(name))


__all__ = ["DirectUrl", "Distribution", "InspectionError", "Interpreter", "Snapshot"]
