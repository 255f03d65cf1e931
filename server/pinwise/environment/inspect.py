"""Finding an interpreter's environment and reading it into a Snapshot, statically.

What `site.py` would put on sys.path is computed here from the prefix and the version (plus
`.pth` files, read without executing their `import` lines), then every distribution on those
folders is read from its metadata files. The interpreter itself is run at most once, isolated
(`-I -S`), for the marker environment, and only when allowed.
"""

from __future__ import annotations

import os
import stat
import sys

from pinwise.environment.errors import InspectionError
from pinwise.environment.interpreter import MARKER_KEYS, RunInfo, run_interpreter
from pinwise.environment.metadata import (
    info_folder_name,
    normalize,
    read_dist_info,
    read_distribution,
    read_fields,
    uses_pkg_resources,
)

# The dataclass model is imported where a Snapshot is built: `scan` (what `pinwise freeze` uses)
# returns plain objects, and `import dataclasses` costs about as much as the whole freeze.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Mapping
    from types import ModuleType
    from typing import Any, Optional, TypeVar, Union

    from pinwise.environment.model import Distribution, Snapshot

    _D = TypeVar("_D", "Distribution", "ScannedDistribution")
    # info_folder_name(entry), and the name normalised (None when there is none)
    _Named = tuple[Optional[str], Optional[str], Optional[str]]


def _digits(text: str) -> str:
    """The leading decimal digits of `text` (what `\\d+` matches at its start)."""
    end = 0
    while end < len(text) and text[end].isdecimal():
        end += 1
    return text[:end]


def leading_version(text: str) -> Optional[tuple[int, ...]]:
    """(X, Y) or (X, Y, Z) from the start of `text` ("3.11.7.final.0", "3.12"), as the regular
    expression `^(\\d+)\\.(\\d+)(?:\\.(\\d+))?` reads it (without importing re)."""
    major = _digits(text)
    if not major or text[len(major) : len(major) + 1] != ".":
        return None
    rest = text[len(major) + 1 :]
    minor = _digits(rest)
    if not minor:
        return None
    rest = rest[len(minor) :]
    patch = _digits(rest[1:]) if rest.startswith(".") else ""
    if patch:
        return (int(major), int(minor), int(patch))
    return (int(major), int(minor))


def python_dir_version(name: str) -> Optional[tuple[int, int]]:
    """(X, Y) from a `pythonX.Y` or `pythonX.Yt` folder name (`^python(\\d+)\\.(\\d+)t?$`)."""
    if name.endswith("\n"):
        name = name[:-1]  # `$` also matches before a final newline
    if not name.startswith("python"):
        return None
    rest = name[len("python") :]
    major = _digits(rest)
    if not major or rest[len(major) : len(major) + 1] != ".":
        return None
    rest = rest[len(major) + 1 :]
    minor = _digits(rest)
    if not minor or rest[len(minor) :] not in ("", "t"):
        return None
    return (int(major), int(minor))


def _msg(path: str, what: str, todo: str = "") -> str:
    todo = (
        todo
        or "Select a working Python interpreter (--python, or the pinwise.interpreter setting)."
    )
    return f"Cannot inspect the Python interpreter {path}: {what}. {todo}"


def read_pyvenv_cfg(path: str) -> dict[str, str]:
    """`key = value` lines of a pyvenv.cfg, keys lower-cased (as site.py reads them)."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip().lower()] = value.strip()
    return values


def find_pyvenv_cfg(interpreter: str) -> Optional[str]:
    """pyvenv.cfg next to the interpreter or one level up (site.py's two places)."""
    here = os.path.dirname(interpreter)
    for folder in (here, os.path.dirname(here)):
        candidate = os.path.join(folder, "pyvenv.cfg")
        if os.path.isfile(candidate):
            return candidate
    return None


def _check_file(interpreter: str, allow_exec: bool) -> None:
    if not os.path.lexists(interpreter):
        raise InspectionError(_msg(interpreter, "the file does not exist"))
    try:
        os.stat(interpreter)
    except PermissionError:
        # a link into a folder this user cannot read (a venv made by root, its interpreter in
        # /root/.pyenv): without running it, the venv's own files are all that is read
        if allow_exec:
            raise InspectionError(
                _msg(
                    interpreter,
                    f"permission denied reading its target ({os.path.realpath(interpreter)})",
                    "Run as a user who can read it, select another interpreter, or use "
                    "--no-exec (the environment's files are read without running it).",
                )
            ) from None
        return
    except OSError:
        raise InspectionError(
            _msg(
                interpreter,
                "it is a broken link (its target does not exist)",
                "Recreate the virtual environment or select another interpreter.",
            )
        ) from None
    if os.path.isdir(interpreter):
        raise InspectionError(
            _msg(
                interpreter,
                "it is a folder, not an interpreter",
                "Point at the python executable inside it (bin/python).",
            )
        )
    if allow_exec and not os.access(interpreter, os.X_OK):
        raise InspectionError(
            _msg(
                interpreter,
                "it is not executable",
                "Make it executable (chmod +x) or select another interpreter.",
            )
        )


def _version_from_cfg(cfg: Mapping[str, str]) -> Optional[tuple[int, ...]]:
    for key in ("version_info", "version"):
        found = leading_version(cfg.get(key, ""))
        if found:
            return found
    return None


def _version_from_lib(prefix: str) -> Optional[tuple[int, ...]]:
    best: Optional[tuple[int, ...]] = None
    for lib in ("lib", "lib64"):
        try:
            names = os.listdir(os.path.join(prefix, lib))
        except OSError:
            continue
        for name in names:
            candidate = python_dir_version(name)
            if candidate is not None and (best is None or candidate > best):
                best = candidate
    return best


_PATCHLEVEL = rb'#define\s+PY_VERSION\s+"(\d+)\.(\d+)\.(\d+)'


def _version_from_headers(prefix: str, version: tuple[int, ...]) -> tuple[int, ...]:
    """X.Y.Z from the installation's `include/pythonX.Y*/patchlevel.h`, when X.Y is all we have."""
    if len(version) >= 3:
        return version
    include = os.path.join(prefix, "include")
    try:
        names = os.listdir(include)
    except OSError:
        return version
    for name in names:
        if name.startswith(f"python{version[0]}.{version[1]}"):
            try:
                with open(os.path.join(include, name, "patchlevel.h"), "rb") as handle:
                    import re

                    found = re.search(_PATCHLEVEL, handle.read())
            except OSError:
                continue
            if found and (int(found.group(1)), int(found.group(2))) == tuple(version[:2]):
                return tuple(int(g) for g in found.groups())
    return version


def _static_site_dirs(prefix: str, version: tuple[int, ...]) -> list[str]:
    """What site.getsitepackages([prefix]) gives on POSIX and Windows, plus Debian's folders."""
    xy = f"python{version[0]}.{version[1]}"
    found: list[str] = []
    lib = os.path.join(prefix, "lib", xy, "site-packages")
    found.append(lib)
    lib64 = os.path.join(prefix, "lib64", xy, "site-packages")
    if os.path.isdir(lib64) and os.path.realpath(lib64) != os.path.realpath(lib):
        found.insert(0, lib64)
    found.append(os.path.join(prefix, "Lib", "site-packages"))
    if prefix in ("/usr", "/usr/local"):  # Debian / Ubuntu system interpreters
        found += [
            os.path.join("/usr/local/lib", xy, "dist-packages"),
            "/usr/local/lib/python3/dist-packages",
            os.path.join("/usr/lib/python3/dist-packages"),
            os.path.join("/usr/lib", xy, "dist-packages"),
        ]
    return found


def _add_site_dir(
    sitedir: str,
    paths: list[str],
    known: set[str],
    skip_hidden: bool = True,
    listings: Optional[dict[str, list[str]]] = None,
) -> None:
    """site.addsitedir: the folder, then folders named by its .pth files (sorted by name).

    Python 3.13+ skips `.pth` files whose name starts with a dot; older ones read them too.
    The folder's listing is kept in `listings` (the distributions are found in it next).
    """
    key = os.path.normcase(os.path.abspath(sitedir))
    if key in known or not os.path.isdir(sitedir):
        return
    known.add(key)
    paths.append(sitedir)
    try:
        listing = os.listdir(sitedir)
    except OSError:
        return
    if listings is not None:
        listings[sitedir] = listing
    # (`in` first: an operator, where a method call per name costs more, for 600 names)
    names = sorted(
        n
        for n in [n for n in listing if ".pth" in n]
        if n.endswith(".pth") and not (skip_hidden and n.startswith("."))
    )
    for name in names:
        try:
            with open(os.path.join(sitedir, name), "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        text = data.decode("utf-8-sig", "replace")
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith(("import ", "import\t")):
                continue  # executable line (setuptools' __editable__ finders): never run
            folder = os.path.abspath(os.path.join(sitedir, line.rstrip()))
            folder_key = os.path.normcase(folder)
            if folder_key not in known and os.path.exists(folder):
                known.add(folder_key)
                paths.append(folder)


def _server_markers(
    version: Optional[tuple[int, ...]], cfg: Mapping[str, str]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Markers without running the interpreter, and which of them are assumed."""
    assumed: list[str] = []
    if os.name == "posix" and hasattr(os, "uname"):
        uname = os.uname()  # what platform.uname() reports on POSIX, without importing platform
        system, machine, release, version_text = (
            uname.sysname,
            uname.machine,
            uname.release,
            uname.version,
        )
    else:
        import platform

        info = platform.uname()
        system, machine, release, version_text = (
            info.system,
            info.machine,
            info.release,
            info.version,
        )
    markers = {
        "os_name": os.name,
        "sys_platform": sys.platform,
        "platform_system": system,
        "platform_machine": machine,
        "platform_release": release,
        "platform_version": version_text,
    }
    assumed += list(markers)
    impl = cfg.get("implementation", "").lower()
    if impl in ("cpython", "pypy", "graalpy"):
        impl_name = {"cpython": "cpython", "pypy": "pypy", "graalpy": "graalpy"}[impl]
        impl_platform = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalVM"}[impl]
    else:
        impl_name, impl_platform = "cpython", "CPython"
        assumed += ["implementation_name", "platform_python_implementation"]
    markers["implementation_name"] = impl_name
    markers["platform_python_implementation"] = impl_platform
    if version is not None:
        markers["python_version"] = f"{version[0]}.{version[1]}"
        if len(version) >= 3:
            full = f"{version[0]}.{version[1]}.{version[2]}"
        else:
            full = f"{version[0]}.{version[1]}"
            assumed.append("python_full_version")
        markers["python_full_version"] = full
        markers["implementation_version"] = full
        if impl_name != "cpython" or "implementation_name" in assumed or len(version) < 3:
            assumed.append("implementation_version")
    return {k: markers.get(k, "") for k in MARKER_KEYS}, tuple(
        k for k in MARKER_KEYS if k in assumed
    )


def _static_layout(
    path: str, cfg_path: Optional[str], cfg: Mapping[str, str]
) -> tuple[str, str, Optional[tuple[int, ...]]]:
    """(prefix, base prefix, version or None) from the files alone, as site.py would set them."""
    if cfg_path is not None:
        prefix = os.path.dirname(os.path.dirname(path))  # what site.venv() sets
        home = cfg.get("home")
        base_prefix = os.path.dirname(home.rstrip("/\\")) if home else prefix
    else:
        bindir = os.path.dirname(os.path.realpath(path))
        prefix = (
            os.path.dirname(bindir)
            if os.path.basename(bindir).lower() in ("bin", "scripts")
            else bindir
        )
        base_prefix = prefix
    version = _version_from_cfg(cfg) or _version_from_lib(prefix)
    if version is None and base_prefix != prefix:
        version = _version_from_lib(base_prefix)
    if version is not None:
        version = _version_from_headers(base_prefix, version)
    return prefix, base_prefix, version


class _Layout:
    """Where an interpreter's distributions are, and what it is (before reading them)."""

    __slots__ = (
        "absent_site_dirs",
        "assumed",
        "base_prefix",
        "executed",
        "is_venv",
        "listings",
        "markers",
        "path",
        "prefix",
        "python_version",
        "site_dirs",
        "system_site",
    )

    def __init__(
        self,
        *,
        path: str,
        prefix: str,
        base_prefix: str,
        python_version: str,
        markers: dict[str, str],
        assumed: tuple[str, ...],
        is_venv: bool,
        system_site: bool,
        site_dirs: list[str],
        listings: dict[str, list[str]],
        executed: bool,
        absent_site_dirs: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.prefix = prefix
        self.base_prefix = base_prefix
        self.python_version = python_version
        self.markers = markers
        self.assumed = assumed
        self.is_venv = is_venv
        self.system_site = system_site
        self.site_dirs = site_dirs
        self.listings = listings  # site dir -> its os.listdir, taken by _add_site_dir
        self.executed = executed
        self.absent_site_dirs = absent_site_dirs  # site dirs Python would read once made


def _layout(interpreter: str, allow_exec: bool, timeout: float, need_markers: bool) -> _Layout:
    path = os.path.abspath(os.path.expanduser(interpreter))
    _check_file(path, allow_exec)
    cfg_path = find_pyvenv_cfg(path)
    cfg: dict[str, str] = {}
    if cfg_path is not None:
        try:
            cfg = read_pyvenv_cfg(cfg_path)
        except OSError as exc:
            raise InspectionError(
                _msg(path, f"its {cfg_path} cannot be read ({exc.strerror or exc})")
            ) from None
    is_venv = cfg_path is not None
    system_site = cfg.get("include-system-site-packages", "false").lower() == "true"

    run: Optional[RunInfo] = None
    static: Optional[tuple[str, str, Optional[tuple[int, ...]]]] = None
    if not allow_exec or (not need_markers and is_venv and not system_site):
        static = _static_layout(path, cfg_path, cfg)
        if static[2] is None and allow_exec:
            static = None  # the files do not tell the version: ask the interpreter
    if static is None:
        run = run_interpreter(path, timeout)
        prefix, base_prefix = run.prefix, run.base_prefix
        version: Optional[tuple[int, ...]] = run.version
        markers = dict(run.markers)
        assumed: tuple[str, ...] = ()
        is_venv = is_venv or prefix != base_prefix
    else:
        prefix, base_prefix, version = static
        if version is None:
            raise InspectionError(
                _msg(
                    path,
                    "its Python version cannot be told from its files (no pyvenv.cfg version, "
                    "no lib/pythonX.Y folder) and running it is not allowed",
                    "Trust the workspace so Pinwise may run it once, or select a virtual "
                    "environment created by venv or virtualenv.",
                )
            )
        markers, assumed = _server_markers(version, cfg)

    assert version is not None
    site_dirs: list[str] = []
    if run is not None and run.site is not None:
        own = list(run.site)
        base = list(run.base_site or ())
    else:
        own = _static_site_dirs(prefix, version)
        base = _static_site_dirs(base_prefix, version)

    ordered: list[str] = []
    if (not is_venv or system_site) and "PYTHONNOUSERSITE" not in os.environ:
        user_site = run.user_site if run is not None else None
        if user_site is None:
            user_site = os.path.join(
                os.path.expanduser("~"),
                ".local",
                "lib",
                f"python{version[0]}.{version[1]}",
                "site-packages",
            )
        ordered.append(user_site)
    ordered += own
    if is_venv and system_site:
        ordered += base
    known: set[str] = set()
    listings: dict[str, list[str]] = {}
    for folder in ordered:
        _add_site_dir(
            folder, site_dirs, known, skip_hidden=tuple(version[:2]) >= (3, 13), listings=listings
        )

    if len(version) >= 3:
        python_version = ".".join(str(v) for v in version[:3])
    else:
        python_version = markers.get("python_full_version") or ".".join(str(v) for v in version)
    if run is not None:
        python_version = markers["python_full_version"]
    return _Layout(
        path=path,
        prefix=prefix,
        base_prefix=base_prefix,
        python_version=python_version,
        markers=markers,
        assumed=assumed,
        is_venv=is_venv,
        system_site=system_site,
        site_dirs=site_dirs,
        listings=listings,
        executed=run is not None,
        absent_site_dirs=tuple(f for f in ordered if not os.path.isdir(f)),
    )


def inspect(
    interpreter: str,
    *,
    allow_exec: bool = True,
    timeout: float = 5.0,
    need_markers: bool = True,
) -> Snapshot:
    """The environment of `interpreter`, read from its files (see the module docstring).

    With `allow_exec`, the interpreter is run once (cached) for its marker environment and
    prefixes; without, no process is started and some marker keys are assumed from this machine
    (listed in `assumed_marker_keys`). With `need_markers=False` (pip freeze needs no markers) a
    virtual environment that does not include the system site-packages is read from its files
    alone even when running it is allowed: pyvenv.cfg and lib/pythonX.Y say everything else.
    Raises InspectionError with a message that says what happened, where and what to do.
    """
    from pinwise.environment import model
    from pinwise.environment.model import Interpreter, Snapshot

    lay = _layout(interpreter, allow_exec, timeout, need_markers)
    reading = _Reading(model)
    distributions = _read_all(
        lay.site_dirs,
        reading,
        _read_cached,
        lay.listings,
        importlib_order=not uses_pkg_resources(lay.python_version),
    )
    warnings = reading.warnings
    by_name = {d.normalized_name: d for d in distributions}
    env_name = os.path.basename(lay.prefix.rstrip("/\\")) if lay.is_venv else "global"
    info = Interpreter(
        path=lay.path,
        python_version=lay.python_version,
        implementation=lay.markers.get("implementation_name", "cpython"),
        prefix=lay.prefix,
        base_prefix=lay.base_prefix,
        is_venv=lay.is_venv,
        env_name=env_name,
        executed=lay.executed,
    )
    snapshot = Snapshot(
        interpreter=info,
        site_packages=tuple(lay.site_dirs),
        markers=lay.markers,
        assumed_marker_keys=lay.assumed,
        distributions=tuple(distributions),
        include_system_site_packages=lay.system_site,
        warnings=tuple(warnings),
        by_name=by_name,
        absent_site_packages=lay.absent_site_dirs,
    )
    if reading.pending:  # direct_url.json read on first use: its warnings too
        model.defer_warnings(snapshot, tuple(reading.pending))
    if os.path.isdir(os.path.join(lay.prefix, "conda-meta")):
        # a conda environment: the Python packages only conda-meta records count as installed
        from pinwise.installers import with_conda

        snapshot = with_conda(snapshot)
    return snapshot


class ScannedDirectUrl:
    """A DirectUrl's fields, without the dataclass (what `scan` gives)."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.url: str = fields["url"]
        self.vcs: Optional[str] = fields["vcs"]
        self.commit_id: Optional[str] = fields["commit_id"]
        self.requested_revision: Optional[str] = fields["requested_revision"]
        self.archive_hashes: tuple[tuple[str, str], ...] = fields["archive_hashes"]
        self.editable: bool = fields["editable"]
        self.is_dir: bool = fields["is_dir"]
        self.subdirectory: Optional[str] = fields["subdirectory"]


class ScannedDistribution:
    """A Distribution's fields that pip freeze uses, without the dataclass."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.name: str = fields["name"]
        self.normalized_name: str = fields["normalized_name"]
        self.version: str = fields["version"]
        self.location: str = fields["location"]
        self.metadata_path: str = fields["metadata_path"]
        du = fields["direct_url"]
        self.direct_url: Optional[ScannedDirectUrl] = (
            ScannedDirectUrl(du) if du is not None else None
        )
        self.editable: bool = fields["editable"]
        self.editable_location: Optional[str] = fields["editable_location"]


class ScannedInterpreter:
    def __init__(self, path: str, python_version: str, executed: bool) -> None:
        self.path = path
        self.python_version = python_version
        self.executed = executed


class Scan:
    """What `scan` found: the parts of a Snapshot that `pip freeze` needs, as plain objects."""

    def __init__(
        self,
        interpreter: ScannedInterpreter,
        site_packages: tuple[str, ...],
        distributions: tuple[ScannedDistribution, ...],
        warnings: tuple[str, ...],
    ) -> None:
        self.interpreter = interpreter
        self.site_packages = site_packages
        self.distributions = distributions
        self.warnings = warnings


def scan(interpreter: str, *, allow_exec: bool = True, timeout: float = 5.0) -> Scan:
    """`inspect(interpreter, need_markers=False)` for one-shot callers (`pinwise freeze`): the
    same distributions, found the same way, as plain objects (no dataclass model, no cache).

    A virtual environment is read from its files alone; another interpreter is run once (its
    answer cached on disk). Raises InspectionError as `inspect` does.
    """
    lay = _layout(interpreter, allow_exec, timeout, need_markers=False)
    reading = _Reading()
    found = _read_all(
        lay.site_dirs,
        reading,
        _read_scanned,
        lay.listings,
        importlib_order=not uses_pkg_resources(lay.python_version),
    )
    return Scan(
        interpreter=ScannedInterpreter(lay.path, lay.python_version, lay.executed),
        site_packages=tuple(lay.site_dirs),
        distributions=tuple(found),
        warnings=tuple(reading.warnings),
    )


class _Reading:
    """What the reads of one inspection share: the warnings, the `.egg-link` names on sys.path
    and, for `inspect`, the dataclass model module (`scan` never imports it)."""

    __slots__ = (
        "dir_fd",
        "egg_links",
        "make_distribution",
        "model",
        "pending",
        "warnings",
    )

    def __init__(self, model: Optional[ModuleType] = None) -> None:
        self.warnings: list[str] = []
        # the distributions whose direct_url.json is read on first use, each with where its
        # warnings go among `warnings` (model.defer_warnings)
        self.pending: list[tuple[int, Distribution]] = []
        self.egg_links: frozenset[str] = frozenset()
        self.model = model
        if model is not None:
            self.make_distribution: Callable[[dict[str, Any]], Distribution]
            self.make_distribution = model.distribution_from_fields
        # the folder being read, open (`inspect` only, where os.open and os.stat take dir_fd):
        # files are found relative to it, a shorter path lookup than from the root
        self.dir_fd: Optional[int] = None


def _read_scanned(
    folder: str,
    entry: str,
    location: str,
    named: _Named,
    reading: _Reading,
) -> Optional[ScannedDistribution]:
    fields = read_fields(
        folder, entry, location, reading.warnings, egg_links=reading.egg_links, lean=True
    )
    return None if fields is None else ScannedDistribution(fields)


def _info_entries(
    folder: str, names: Optional[list[str]] = None, importlib_order: bool = True
) -> tuple[list[str], list[str]]:
    """(metadata entries, egg-link names) of a folder (listed, unless `names` is its listing).
    The entries in the order pip meets them, which decides which of two `.dist-info` folders of
    a project (an upgrade cut short) wins: with `importlib_order` importlib.metadata's (the
    folder's listing order, the entries of a project together where its first stands,
    `_listing_order`), else pkg_resources' (sorted by name)."""
    infos: list[str] = []
    links: list[str] = []
    if names is None:
        try:
            names = os.listdir(folder)
        except OSError:
            return infos, links
    # every suffix looked for has a `-`: most names (modules, packages) are passed over by an
    # operator, where a method call per name costs more
    for name in [n for n in names if "-" in n]:
        low = name[-10:].lower()  # the longest suffix looked for is 10 characters
        if low.endswith((".dist-info", ".egg-info")):
            infos.append(name)
        elif low.endswith(".egg-link"):
            links.append(name)
    if folder.lower().endswith(".egg") and "EGG-INFO" in names:
        infos.append("EGG-INFO")  # an unzipped egg on sys.path (easy_install): importlib finds it
    links.sort()
    return (_listing_order(infos) if importlib_order else _pkg_resources_order(infos)), links


def _pkg_resources_order(entries: list[str]) -> list[str]:
    """`entries` as pip meets them through pkg_resources (Python < 3.11): sorted by name. It
    keeps the first of each key (the name before the first `-`, runs of characters other than
    letters, digits and `.` as one `-`, lower-cased), so `foo.bar` and `foo_bar` are two
    projects to it; pip freeze then keeps the last of those for the one project they are
    (`installations[canonical_name] = ...`). Only the entries that survive both are returned.
    (No `re`: `pinwise freeze` imports none.)"""
    first_of_key: dict[str, str] = {}
    for entry in sorted(entries):
        name = entry.rpartition(".")[0].partition("-")[0]
        key = "".join(c if c.isascii() and (c.isalnum() or c == ".") else "-" for c in name)
        while "--" in key:
            key = key.replace("--", "-")
        first_of_key.setdefault(key.lower(), entry)
    last_of_project: dict[str, str] = {}
    for entry in first_of_key.values():
        last_of_project[normalize(entry.rpartition(".")[0].partition("-")[0])] = entry
    kept = set(last_of_project.values())
    return [entry for entry in sorted(entries) if entry in kept]


def _listing_order(entries: list[str]) -> list[str]:
    """`entries` grouped by project as importlib.metadata's `Lookup` groups them (the name
    before the first `-`, lower-cased, runs of `_` and `.` as one `_`), each group where its
    first entry stands, in listing order within it. (No `re`: `pinwise freeze` imports none.)"""
    first: dict[str, int] = {}
    group = []
    for index, entry in enumerate(entries):
        key = entry.lower().rpartition(".")[0].partition("-")[0].replace(".", "_")
        while "__" in key:
            key = key.replace("__", "_")
        group.append(first.setdefault(key, index))
    return [entries[i] for i in sorted(range(len(entries)), key=group.__getitem__)]


_DIR_FD = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_all(
    site_dirs: list[str],
    reading: _Reading,
    read: Callable[[str, str, str, _Named, _Reading], Optional[_D]],
    listings: Mapping[str, list[str]],
    importlib_order: bool = True,
) -> list[_D]:
    """Every distribution on `site_dirs`, first of each name wins (pip's _DistributionFinder).
    `listings`: the site dirs' listings, when taken already."""
    listing: list[tuple[str, list[str], list[str]]] = []
    for site_dir in site_dirs:
        infos, links = _info_entries(site_dir, listings.get(site_dir), importlib_order)
        listing.append((site_dir, infos, links))
    reading.egg_links = frozenset(link for _, _, links in listing for link in links)
    found: list[_D] = []
    seen: set[str] = set()

    def visit(folder: str, entries: list[str], location: str) -> None:
        if reading.model is not None and _DIR_FD and entries:
            try:
                reading.dir_fd = os.open(folder, _DIR_FLAGS)
            except OSError:
                reading.dir_fd = None
        try:
            for entry in entries:
                name, version = info_folder_name(entry)
                normalized = None if name is None else normalize(name)
                if normalized is not None and normalized in seen:
                    continue
                dist = read(folder, entry, location, (name, version, normalized), reading)
                if dist is None or dist.normalized_name in seen:
                    continue
                seen.add(dist.normalized_name)
                found.append(dist)
        finally:
            if reading.dir_fd is not None:
                os.close(reading.dir_fd)
                reading.dir_fd = None

    for folder, infos, links in listing:
        visit(folder, infos, folder)
        for link in links:  # legacy `setup.py develop` editables, as pip finds them
            target = _egg_link_target(os.path.join(folder, link))
            if target is None:
                continue
            target = os.path.join(folder, target)
            if target.endswith(".whl") or not os.path.isdir(target):
                continue
            visit(target, _info_entries(target, None, importlib_order)[0], target)
    return found


# Parsed distributions, keyed by their metadata folder, stamped with the stat of their METADATA
# file (inode, mtime, ctime, size, taken from the open file when it is read) and the mtime of
# their folder: a re-inspection (the watcher saw a change) re-reads only what was installed or
# changed since. pip never rewrites a .dist-info in place: an upgrade or reinstall removes the
# folder and makes a new one, with a new METADATA file (a new inode, or new times: a file made
# again by hardlinking, as uv does from its cache, has its ctime changed by the unlink and the
# link); a hand edit of METADATA changes its times. The folder's mtime is there for the files an
# installer writes after METADATA (INSTALLER, direct_url.json, ...): they are read on first use
# and kept with the cached distribution, so a re-inspection that came between METADATA and them
# (the watcher polls while pip is still writing) must not keep what it saw then; adding a file
# changes the folder's mtime. A distribution read by the slow reader (read_distribution: an
# egg-info, no METADATA, odd metadata) is stamped with the stat of its folder and its metadata
# file. Not seen before the next cold read: a file of the folder rewritten in place by hand
# after its first use (no installer does that).
_MetaStamp = tuple[str, int, int, int, int, int, frozenset[str]]  # ("meta", ...): see above
_FolderStamp = tuple[int, int, int, int, int, frozenset[str]]
_DIST_CACHE: dict[
    tuple[str, str],
    tuple[Union[_MetaStamp, _FolderStamp], Optional[Distribution], tuple[str, ...]],
] = {}
_DIST_CACHE_MAX = 50_000


def _read_cached(
    folder: str,
    entry: str,
    location: str,
    named: _Named,
    reading: _Reading,
) -> Optional[Distribution]:
    """One distribution (see read_distribution), from the cache when its stamp still holds."""
    warnings, egg_links, dir_fd = reading.warnings, reading.egg_links, reading.dir_fd
    path = folder + os.sep + entry
    here = path if dir_fd is None else entry  # the folder, for os.stat and os.open
    key = (path, location)
    cached = _DIST_CACHE.get(key)
    if cached is not None:
        stamp = cached[0]
        if stamp[0] == "meta":  # a _MetaStamp: the fast reader's
            try:
                folder_mtime = os.stat(here, dir_fd=dir_fd).st_mtime_ns
                mst = os.stat(here + os.sep + "METADATA", dir_fd=dir_fd)
            except OSError:
                pass
            else:
                if stamp == _fast_stamp(mst, folder_mtime, egg_links):
                    if cached[2]:  # (none: the fast reader gives none at inspection)
                        warnings.extend(cached[2])
                    found = cached[1]
                    if found is not None:  # (the fast reader always gives one)
                        reading.pending.append((len(warnings), found))  # see below
                    return found
        else:
            try:
                st = os.stat(here, dir_fd=dir_fd)
            except OSError:
                pass
            else:
                meta_stamp = _meta_stamp(here, dir_fd)
                if stamp == (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, *meta_stamp, egg_links):
                    warnings.extend(cached[2])
                    return cached[1]
    start = len(warnings)
    dist: Optional[Distribution]
    fast = None
    folder_mtime = -1
    if entry[-10:].lower() == ".dist-info":
        try:  # before reading: a file added meanwhile makes the stamp stale, not the data
            folder_mtime = os.stat(here, dir_fd=dir_fd).st_mtime_ns
        except OSError:
            pass
        else:
            fast = read_dist_info(
                path, named, location, warnings, egg_links=egg_links, dir_fd=dir_fd, entry=entry
            )
    if fast is not None:
        fields, mst = fast
        new_stamp: Union[_MetaStamp, _FolderStamp] = _fast_stamp(mst, folder_mtime, egg_links)
        dist = reading.make_distribution(fields)
        # its direct_url.json's warnings come after any others, when it is read (on first use)
        reading.pending.append((len(warnings), dist))
    else:
        try:
            st = os.stat(here, dir_fd=dir_fd)
        except OSError:
            return read_distribution(folder, entry, location, warnings, egg_links=egg_links)
        meta_stamp = _meta_stamp(here, dir_fd)
        new_stamp = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, *meta_stamp, egg_links)
        dist = read_distribution(folder, entry, location, warnings, egg_links=egg_links)
    if len(_DIST_CACHE) >= _DIST_CACHE_MAX:
        _DIST_CACHE.clear()
    _DIST_CACHE[key] = (new_stamp, dist, tuple(warnings[start:]) if len(warnings) > start else ())
    return dist


def _fast_stamp(mst: os.stat_result, folder_mtime: int, egg_links: frozenset[str]) -> _MetaStamp:
    return (
        "meta",
        mst.st_ino,
        mst.st_mtime_ns,
        mst.st_ctime_ns,
        mst.st_size,
        folder_mtime,
        egg_links,
    )


def _meta_stamp(info: str, dir_fd: Optional[int]) -> tuple[int, int]:
    """(st_mtime_ns, st_size) of the metadata file of the folder `info` (relative to `dir_fd`
    when given), (-1, -1) when it cannot be stat'ed."""
    name = "PKG-INFO" if info.lower().endswith(".egg-info") else "METADATA"
    try:
        mst = os.stat(info + os.sep + name, dir_fd=dir_fd)
    except OSError:
        return (-1, -1)
    return (mst.st_mtime_ns, mst.st_size)


def clear_distribution_cache() -> None:
    """Forget parsed distributions (tests measure cold reads with this)."""
    _DIST_CACHE.clear()


def _egg_link_target(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    return line.strip()
    except OSError:
        return None
    return None


def discover_interpreter(folder: str, environ: Mapping[str, str]) -> Optional[str]:
    """$VIRTUAL_ENV, then .venv/, venv/, env/ in `folder`, then `python3` on PATH."""
    candidates: list[str] = []
    virtual_env = environ.get("VIRTUAL_ENV")
    if virtual_env:
        candidates.append(virtual_env)
    candidates += [os.path.join(folder, name) for name in (".venv", "venv", "env")]
    for env in candidates:
        for exe in (os.path.join(env, "bin", "python"), os.path.join(env, "Scripts", "python.exe")):
            if os.path.isfile(exe):
                return os.path.abspath(exe)
    import shutil

    found = shutil.which("python3", path=environ.get("PATH", os.defpath))
    return os.path.abspath(found) if found else None


TORN_SLACK_NS = 50_000_000  # a folder's mtime may lag the write a little


def torn(snapshot: Snapshot, started_ns: int, finished_ns: Optional[int] = None) -> bool:
    """Whether something was installed or removed while `snapshot` was taken (from
    `started_ns`, `time.time_ns()`): a site folder modified since or gone, or one made
    meanwhile. Then the snapshot may lack what a fingerprint taken after it already has:
    inspect again. With `finished_ns`, an mtime later than the inspection (a clock ahead, an
    extracted archive) is no tear: a watcher that inspects again on a tear would do so for
    ever. Without it (a one-off check, as the start-up prelude's) it counts, to be safe."""
    low = started_ns - TORN_SLACK_NS
    high = finished_ns + TORN_SLACK_NS if finished_ns is not None else None
    for folder in snapshot.site_packages:
        try:
            mtime = os.stat(folder).st_mtime_ns
            if mtime >= low and (high is None or mtime <= high):
                return True
        except OSError:
            return True  # (gone: the next inspection no longer lists it, so no loop)
    return any(os.path.isdir(folder) for folder in snapshot.absent_site_packages)


def fingerprint(snapshot: Snapshot) -> Hashable:
    """A cheap value that changes when something is installed or removed (one stat per folder)."""
    # (a site folder made since, `pip install --user`'s first, is a change: absent, its mark is
    # None; made, its mtime)
    paths = [snapshot.interpreter.path, *snapshot.site_packages, *snapshot.absent_site_packages]
    cfg = find_pyvenv_cfg(snapshot.interpreter.path)
    if cfg is not None:
        paths.append(cfg)
    marks: list[tuple[str, Optional[int]]] = []
    for p in paths:
        try:
            st = os.stat(p)
            marks.append(
                (p, st.st_mtime_ns if stat.S_ISDIR(st.st_mode) else st.st_mtime_ns ^ st.st_size)
            )
        except OSError:
            marks.append((p, None))
    return tuple(marks)
