"""The snapshot of a Python environment, read statically from its files.

Shared contract between `environment` (which builds it), `analysis`, `freeze` and the faces.
Fields may be added; existing ones are not renamed or removed without updating every user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pinwise.environment.errors import InspectionError

TYPE_CHECKING = False  # typing is not imported at run time: `pinwise freeze` starts faster
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, Optional


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


class _ReadOnFirstUse:
    """A Distribution field that inspection leaves to be worked out when it is first asked for.

    Which fields, and from what (see metadata.read_dist_info, the only reader that leaves them
    out; a Distribution made by its constructor has every field set and never gets here):
    - `installer` and `top_level`, from the INSTALLER and top_level.txt files of the metadata
      folder (few callers need them, and opening them was half the files a cold inspection
      opened): the files are read on first use;
    - `requires`, `provides_extras`, `summary`, `license` and `home_page`, from the METADATA
      header block, which inspection read (its text is kept in the instance's `__dict__` under
      `_headers` until then) but parsed only for Name and Version: parsed on first use of any
      of the five, which are then all set (and the text dropped);
    - `direct_url`, `editable` and `editable_location`, from direct_url.json (opening and
      parsing it was a third of a cold inspection; most callers ask only a few distributions),
      or, for a distribution without one, the `.egg-link` names on sys.path that inspection saw
      (kept as `_egg_links` when there are any): all three set at the first use of any
      (metadata.load_direct_url). What reading the file warns (unreadable, not valid) is kept
      with them and is in the warnings of the Snapshot (see Snapshot), which reads the file
      then if no field did yet.

    A non-data descriptor: the value, once worked out, is stored in the instance's `__dict__`
    under the field's name, which attribute lookup then finds first (as functools.cached_property
    does; the frozen dataclass's `__setattr__` is not involved). The dataclass's generated
    methods, `dataclasses.fields`, `replace` and `asdict` see ordinary fields (`__eq__`, `__repr__`
    and `__hash__` read them all). It never raises: a missing or unreadable file gives the
    field's default, which is what the eager reader gave (it also added a warning for an
    unreadable INSTALLER or top_level.txt to the snapshot; a read on first use has no snapshot
    to add it to; direct_url.json's warnings are kept, see above). An error the eager reader
    would have raised out of `inspect` (none is known: its readers catch what reading and
    parsing raise) gives the defaults instead.

    Snapshot semantics: the header fields come from the text read at inspection, so they are
    the snapshot's. INSTALLER, top_level.txt and direct_url.json are read when first used, not
    when the environment was inspected. Installers never rewrite them in place (an install,
    upgrade or uninstall makes or removes the whole metadata folder), so the two readings differ
    only when the file is edited by hand, or the distribution removed, between the inspection
    and the first use (the value then is the newer content, or the default: no direct_url, and
    editable only through an `.egg-link`; the warnings are those of that reading). The value is
    kept from then on. Two threads asking at once may both work it out; either result is stored
    (for the header fields, both are the same; the three direct_url fields are set from the
    first reading stored, whichever thread asks).

    Also used for Snapshot.warnings (see there).
    """

    def __init__(self, name: str, load: Callable[[dict[str, Any]], None], default: object) -> None:
        self.name = name
        self.load = load  # sets this field (and maybe others) in the instance's __dict__
        self.default = default

    def __get__(self, instance: Optional[object], owner: Optional[type] = None) -> object:
        if instance is None:
            return self.default  # `Distribution.installer`, as the dataclass's default was
        fields = instance.__dict__
        # the loaders catch what reading raises; never fail a caller (not contextlib.suppress:
        # a context manager made per first use costs more)
        try:  # noqa: SIM105
            self.load(fields)
        except Exception:
            pass
        return fields.setdefault(self.name, self.default)


def _install_lazy_fields() -> None:
    from pinwise.environment import metadata

    # set on the class after @dataclass has made __init__ (whose defaults are bound already)
    lazy = [
        ("installer", metadata.load_installer, None),
        ("top_level", metadata.load_top_level, ()),
        ("requires", metadata.load_header_fields, ()),
        ("provides_extras", metadata.load_header_fields, ()),
        ("summary", metadata.load_header_fields, None),
        ("license", metadata.load_header_fields, None),
        ("home_page", metadata.load_header_fields, None),
        ("direct_url", metadata.load_direct_url, None),
        ("editable", metadata.load_direct_url, False),
        ("editable_location", metadata.load_direct_url, None),
    ]
    for name, load, default in lazy:
        setattr(Distribution, name, _ReadOnFirstUse(name, load, default))


_install_lazy_fields()
_new = object.__new__
_set = object.__setattr__


def distribution_from_fields(fields: dict[str, Any]) -> Distribution:
    """A Distribution whose instance dictionary is `fields` (taken, not copied), made without
    the dataclass's `__init__` (a frozen dataclass sets each of its 16 fields through
    object.__setattr__: about 4 us, a tenth of a cold inspection's budget per distribution).

    `fields` holds every field of Distribution by name, except the ones _ReadOnFirstUse works
    out on first use, which may be left out: `installer` and `top_level` (then read from the
    metadata folder, `metadata_path`), the five header fields (then `_headers` holds the
    METADATA header block's text, to be read by metadata.parse_headers), and `direct_url`,
    `editable` and `editable_location` (then read from the metadata folder's direct_url.json;
    `_egg_links` holds the `.egg-link` file names on sys.path, when there are any). A
    `direct_url` given is a DirectUrl or None. Nothing is checked here: the caller (the
    inspection's reader) builds the dictionary with exactly these keys."""
    dist: Distribution = _new(Distribution)
    _set(dist, "__dict__", fields)
    return dist


def direct_url_from_fields(fields: dict[str, Any]) -> DirectUrl:
    """A DirectUrl whose instance dictionary is `fields` (every field of DirectUrl by name, as
    metadata.direct_url_fields gives them), without the dataclass's `__init__`."""
    direct_url: DirectUrl = _new(DirectUrl)
    _set(direct_url, "__dict__", fields)
    return direct_url


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
    """An inspected environment.

    `warnings` may be worked out on first use (_ReadOnFirstUse): when the direct_url.json of
    some distributions was left to be read on first use, inspect leaves out the tuple (see
    defer_warnings); the warnings read so far, and where those distributions' go among them,
    are kept until then. Reading `warnings` reads the direct_url.json of each of them that no
    field has read yet (the same reading its fields then give), so the tuple is the one an
    eager inspection would have made, in the same order, with the reading-time semantics of
    _ReadOnFirstUse. `==`, `repr` and `dataclasses.replace` read it."""

    interpreter: Interpreter
    site_packages: tuple[str, ...]  # in sys.path order, including .pth-added folders
    markers: dict[str, str]  # the 11 PEP 508 marker keys
    assumed_marker_keys: tuple[str, ...]  # keys guessed without running the interpreter
    distributions: tuple[Distribution, ...]  # de-duplicated, sys.path order
    include_system_site_packages: bool = False
    warnings: tuple[str, ...] = ()  # unreadable metadata and similar, with paths
    by_name: dict[str, Distribution] = field(default_factory=dict)  # normalized name -> dist
    # site folders the interpreter would read but that do not exist (yet): the user site before
    # the first `pip install --user`; watched, so that making one is noticed
    absent_site_packages: tuple[str, ...] = ()

    def get(self, name: str) -> Optional[Distribution]:
        from packaging.utils import canonicalize_name

        return self.by_name.get(canonicalize_name(name))


def defer_warnings(snapshot: Snapshot, pending: tuple[tuple[int, Distribution], ...]) -> None:
    """Leave out `snapshot`'s warnings (just made, with the warnings inspection gave) until first
    use: `pending` holds the distributions whose direct_url.json is read on first use, each with
    the number of warnings given before it was read (where its own go)."""
    fields = vars(snapshot)
    fields["_pending_warnings"] = (fields.pop("warnings"), pending)


def merged_warnings(
    given: Sequence[str], pending: Sequence[tuple[int, Distribution]]
) -> tuple[str, ...]:
    """`given`, with the warnings of reading the direct_url.json of each of `pending`'s
    distributions (read now, if no field was read yet) at its place (see defer_warnings)."""
    from pinwise.environment.metadata import direct_url_warnings

    out: list[str] = []
    start = 0
    for at, dist in pending:
        out += given[start:at]
        start = at
        out += direct_url_warnings(dist)
    out += given[start:]
    return tuple(out)


def _load_snapshot_warnings(fields: dict[str, Any]) -> None:
    pending = fields.get("_pending_warnings")
    if pending is None:  # set already (by another thread, between its lookup and here)
        return
    fields.setdefault("warnings", merged_warnings(*pending))
    fields.pop("_pending_warnings", None)  # after: a concurrent lookup finds one or the other


# set on the class after @dataclass has made __init__, as for Distribution's fields
Snapshot.warnings = _ReadOnFirstUse("warnings", _load_snapshot_warnings, ())  # type: ignore[assignment]

__all__ = ["DirectUrl", "Distribution", "InspectionError", "Interpreter", "Snapshot"]
