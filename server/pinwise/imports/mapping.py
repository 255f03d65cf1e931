"""Import name -> distribution, from the selected environment's metadata.

Where a distribution's importable names come from, in order:
- `RECORD` (read lazily, cached by the metadata folder's mtime): every package folder and module
  the wheel installed, as dotted paths (`google`, `google.protobuf`, `yaml`, `_yaml`); `../`
  entries (scripts), `*.dist-info`, `*.data`, `__pycache__` are skipped; extension modules map by
  the name before the first dot (`_cffi_backend.cpython-311-x86_64-linux-gnu.so`);
- `top_level.txt` (setuptools), when present;
- editables: the folders named in the `.pth` files the install wrote, setuptools' editable
  finder's `MAPPING`, else the project folder (`editable_location`) and its `src/`.

Several distributions sharing a top-level name (namespace packages such as `google`) are told
apart by the deepest package path that matches: `google.protobuf` -> protobuf. A module that no
installed distribution provides falls back to a table of well-known differing names
(`yaml` -> PyYAML) and otherwise to its own name.
"""

from __future__ import annotations

import ast
import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from packaging.utils import canonicalize_name

from pinwise.environment.model import Distribution, Snapshot
from pinwise.imports.collect import local_modules

# Import names whose distribution has a different name, for modules not installed (so there is no
# metadata to ask). Keys are top-level import names.
WELL_KNOWN: dict[str, str] = {
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "yaml": "PyYAML",
    "cv2": "opencv-python",
    "PIL": "Pillow",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jose": "python-jose",
    "jwt": "PyJWT",
    "magic": "python-magic",
    "multipart": "python-multipart",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyOpenSSL",
    "serial": "pyserial",
    "usb": "pyusb",
    "zmq": "pyzmq",
    "git": "GitPython",
    "github": "PyGithub",
    "gi": "PyGObject",
    "wx": "wxPython",
    "MySQLdb": "mysqlclient",
    "ldap": "python-ldap",
    "slugify": "python-slugify",
    "socks": "PySocks",
    "attr": "attrs",
    "google.protobuf": "protobuf",
    "grpc": "grpcio",
    "fitz": "PyMuPDF",
    "Levenshtein": "python-Levenshtein",
    "mpl_toolkits": "matplotlib",
    "pkg_resources": "setuptools",
    "setuptools": "setuptools",
    "win32api": "pywin32",
    "win32com": "pywin32",
    "pythoncom": "pywin32",
    "telegram": "python-telegram-bot",
    "discord": "discord.py",
    "Bio": "biopython",
    "OpenGL": "PyOpenGL",
    "nacl": "PyNaCl",
    "kafka": "kafka-python",
    "markdown": "Markdown",
    "jinja2": "Jinja2",
    "markupsafe": "MarkupSafe",
    "flask": "Flask",
    "websocket": "websocket-client",
    "tomli_w": "tomli-w",
    "typing_extensions": "typing-extensions",
    "ruamel": "ruamel.yaml",
    "google.cloud.storage": "google-cloud-storage",
    "googleapiclient": "google-api-python-client",
    "sentry_sdk": "sentry-sdk",
    "cairo": "pycairo",
    "Xlib": "python-xlib",
    "xdist": "pytest-xdist",
    "pytest_asyncio": "pytest-asyncio",
}

_MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd", ".pyw")


@dataclass(frozen=True)
class Resolution:
    """What an import resolves to: installed distributions (several only when metadata cannot
    tell them apart), or, when none provides it, the name its project most likely has."""

    module: str
    distributions: tuple[Distribution, ...]
    guess: str  # the project name to suggest (the first distribution's, else the fallback)
    how: str  # "installed", "well-known" or "module-name"

    @property
    def installed(self) -> bool:
        return bool(self.distributions)

    @property
    def normalized_names(self) -> frozenset[str]:
        if self.distributions:
            return frozenset(d.normalized_name for d in self.distributions)
        return frozenset({canonicalize_name(self.guess)})


# --- reading what a distribution installed -------------------------------------------------


def _dotted_paths(path: str) -> set[str]:
    """Dotted module/package names a RECORD path provides (empty for data, scripts, metadata)."""
    path = path.replace("\\", "/")
    if not path or path.startswith(("/", "../")) or ":" in path.split("/", 1)[0]:
        return set()
    parts = [p for p in path.split("/") if p and p != "."]
    if not parts or ".." in parts or "__pycache__" in parts:
        return set()
    head = parts[0]
    if head.endswith((".dist-info", ".egg-info", ".data")):
        return set()
    names: set[str] = set()
    dirs = parts[:-1]
    leaf = parts[-1]
    prefix: list[str] = []
    for folder in dirs:
        if not folder.isidentifier():
            break
        prefix.append(folder)
        names.add(".".join(prefix))
    else:
        if leaf.endswith(_MODULE_SUFFIXES):
            stem = leaf.split(".", 1)[0]
            if stem.isidentifier() and stem != "__init__":
                names.add(".".join([*prefix, stem]))
    return names


def _pth_folders(site: str, pth_name: str) -> list[str]:
    try:
        with open(os.path.join(site, pth_name), encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    folders: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(("#", "import ", "import\t")):
            continue
        folder = line if os.path.isabs(line) else os.path.join(site, line)
        if os.path.isdir(folder):
            folders.append(folder)
    return folders


_FINDER_MAPPING = re.compile(r"^MAPPING\s*(?::[^=]*)?=\s*(\{.*?\})\s*$", re.M | re.S)


def _finder_names(path: str) -> set[str]:
    """Top-level names of setuptools' editable finder (`__editable___x_finder.py`)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return set()
    match = _FINDER_MAPPING.search(text)
    if match is None:
        return set()
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return set()
    if not isinstance(value, dict):
        return set()
    return {k for k in value if isinstance(k, str) and k.isidentifier()}


def _read_record(dist: Distribution) -> set[str]:
    names: set[str] = set()
    record = os.path.join(dist.metadata_path, "RECORD")
    try:
        with open(record, encoding="utf-8", errors="replace", newline="") as handle:
            rows = list(csv.reader(io.StringIO(handle.read())))
    except (OSError, csv.Error):
        return names
    site = dist.location
    for row in rows:
        if not row:
            continue
        path = row[0]
        names |= _dotted_paths(path)
        if not dist.editable:
            continue
        base = path.replace("\\", "/")
        if "/" not in base and base.endswith(".pth"):
            for folder in _pth_folders(site, base):
                names |= local_modules(folder)
        elif "/" not in base and base.startswith("__editable__") and base.endswith("_finder.py"):
            names.discard(base[: -len(".py")])
            names |= _finder_names(os.path.join(site, base))
    return names


_RECORD_CACHE: dict[str, tuple[int, frozenset[str]]] = {}


def provided_modules(dist: Distribution) -> frozenset[str]:
    """Every dotted module/package name `dist` provides (RECORD, top_level.txt, editables);
    cached by the metadata folder's mtime."""
    try:
        mtime = os.stat(dist.metadata_path).st_mtime_ns
    except OSError:
        mtime = -1
    cached = _RECORD_CACHE.get(dist.metadata_path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    names = _read_record(dist) if not dist.is_egg_info else set()
    names |= {t.replace("/", ".") for t in dist.top_level if t}
    names = {n for n in names if not n.startswith("__editable__")}
    if dist.editable and not names and dist.editable_location:
        loc = dist.editable_location
        names |= local_modules(loc)
        if os.path.isdir(os.path.join(loc, "src")):
            names |= local_modules(os.path.join(loc, "src"))
            names.discard("src")
    result = frozenset(names)
    _RECORD_CACHE[dist.metadata_path] = (mtime, result)
    return result


def clear_cache() -> None:
    _RECORD_CACHE.clear()


# --- the map ----------------------------------------------------------------------------------


def _namespace(dist: Distribution, top: str) -> bool:
    """Whether `dist`'s `top` is a portion of a namespace package: a folder of its location
    without `__init__.py` (its RECORD then lists every module it has there)."""
    folder = os.path.join(dist.location, top)
    return os.path.isdir(folder) and not os.path.exists(os.path.join(folder, "__init__.py"))


class ImportMap:
    """Resolves import names to the distributions of one environment snapshot (lazy)."""

    def __init__(self, distributions: Iterable[Distribution]) -> None:
        self._dists: tuple[Distribution, ...] = tuple(distributions)
        self._top: Optional[dict[str, list[Distribution]]] = None
        self._cache: dict[str, Resolution] = {}

    @classmethod
    def from_snapshot(cls, snapshot: Optional[Snapshot]) -> ImportMap:
        return cls(snapshot.distributions if snapshot is not None else ())

    def _top_index(self) -> dict[str, list[Distribution]]:
        if self._top is None:
            index: dict[str, list[Distribution]] = {}
            for dist in self._dists:
                tops = {name.split(".", 1)[0] for name in provided_modules(dist)}
                for top in tops:
                    index.setdefault(top, []).append(dist)
            self._top = index
        return self._top

    def candidates(self, module: str) -> tuple[Distribution, ...]:
        """The installed distributions providing `module`, narrowed by the deepest package path
        that tells them apart."""
        parts = module.split(".")
        found = list(self._top_index().get(parts[0], ()))
        for depth in range(2, len(parts) + 1):
            if len(found) <= 1:
                break
            prefix = ".".join(parts[:depth])
            narrowed = [d for d in found if prefix in provided_modules(d)]
            if not narrowed:
                break
            found = narrowed
        if len(found) == 1 and len(parts) > 1:
            # the one distribution with a portion of a namespace package (`google`, `zope`)
            # provides `google.cloud.storage` only if it has `google.cloud`
            dist = found[0]
            if ".".join(parts[:2]) not in provided_modules(dist) and _namespace(dist, parts[0]):
                return ()
        return tuple(found)

    def resolve(self, module: str) -> Resolution:
        cached = self._cache.get(module)
        if cached is not None:
            return cached
        found = self.candidates(module)
        if found:
            result = Resolution(module, found, found[0].name, "installed")
        else:
            result = Resolution(module, (), *fallback_name(module))
        self._cache[module] = result
        return result

    def modules_of(self, dist: Distribution) -> frozenset[str]:
        return provided_modules(dist)


# Other distributions that provide a WELL_KNOWN import name (builds of the same code): declared,
# they declare the import as well as the usual one.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "cv2": (
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ),
    "PIL": ("pillow-simd",),
    "Crypto": ("pycrypto", "pycryptodomex"),
    "magic": ("python-magic-bin",),
    "MySQLdb": ("MySQL-python",),
    "Levenshtein": ("Levenshtein",),
    "yaml": ("pyyaml-ft",),
}


def fallback_name(module: str) -> tuple[str, str]:
    """(project name, how) for a module no installed distribution provides."""
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        known = WELL_KNOWN.get(".".join(parts[:depth]))
        if known is not None:
            return known, "well-known"
    return parts[0], "module-name"


def import_names_for(dist_name: str, modules: Sequence[str] = ()) -> frozenset[str]:
    """Top-level import names a (possibly not installed) project is known by: the reverse of
    WELL_KNOWN, plus its own name with `-`/`.` as `_`."""
    norm = canonicalize_name(dist_name)
    names = {k.split(".", 1)[0] for k, v in WELL_KNOWN.items() if canonicalize_name(v) == norm}
    names.update(k for k, others in ALTERNATIVES.items() if norm in map(canonicalize_name, others))
    names.add(norm.replace("-", "_"))
    names.update(m.split(".", 1)[0] for m in modules)
    return frozenset(names)
