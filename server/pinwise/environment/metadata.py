"""Reading installed distributions statically: `*.dist-info`, `*.egg-info`, `*.egg-link`.

Everything here is plain file reading (no importlib.metadata, no imports of the inspected
environment's code). The rules follow pip 26.3's importlib backend, which is what `pip freeze`
uses on Python 3.11+:

- a distribution's identity (for de-duplication) is the name in its folder name
  (`Foo_Bar-1.0.dist-info` -> `foo-bar`), falling back to metadata `Name`;
- the first distribution of a name in sys.path order wins;
- a folder whose normalised name is not a valid project name (a `~oo-1.0.dist-info` left over by an
  interrupted install) is ignored with a warning.

The metadata headers are parsed by a small RFC 822 reader that stops at the first blank line (the
headers end there; the long description after it is never decoded). `email.parser` gives the same
result on well-formed files but costs about 45 us per file, which alone would exceed the 5 ms
budget for a 300-distribution environment; it is used as a fallback for header blocks this reader
does not understand.
"""

from __future__ import annotations

import os

# No `re` and no `json` on the hot path: `import re` (with the `enum` it imports) and `import
# json` (which imports re) cost more than reading 300 distributions; they are imported where a
# rare case needs them. No dataclasses either (nor in anything `pinwise freeze` imports): `import
# dataclasses` pulls in `inspect`, `ast` and `enum`. `read_fields` returns plain values;
# `read_distribution` wraps them into the model's dataclasses for the other callers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from re import Pattern
    from typing import Any, Optional

    from pinwise.environment.model import DirectUrl, Distribution

# Patterns for the rare cases, compiled when first used (re caches them).
_VALID_PROJECT = r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$"
_HEADER_END = rb"\r?\n\r?\n"
_CHUNK = 16384


def valid_project_name(name: str) -> bool:
    """PEP 508's project-name rule (ASCII letters and digits, `-_.` inside), case-insensitive."""
    bare = name.replace("-", "").replace("_", "").replace(".", "")
    if name and name.isascii() and bare.isalnum() and name[0].isalnum() and name[-1].isalnum():
        return True  # the common case, without the (IGNORECASE) regular expression
    import re

    return re.match(_VALID_PROJECT, name, re.IGNORECASE) is not None


def normalize(name: str) -> str:
    """PEP 503 normalisation (same as packaging.utils.canonicalize_name, without its import):
    each run of `-`, `_` and `.` becomes one `-`, then lower case."""
    name = name.replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name.lower()


class Headers:
    """Metadata headers: the first value of each field, and all values of repeatable ones."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other.values == self.values

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({self.values!r})"

    def first(self, key: str) -> Optional[str]:
        found = self.values.get(key.lower())
        return found[0] if found else None

    def all(self, key: str) -> list[str]:
        return self.values.get(key.lower(), [])


_WANTED = (
    "Name|Version|Requires-Dist|Provides-Extra|Summary|License|License-Expression|Home-page"
    "|Project-URL"
)
_FIELD = r"^(" + _WANTED + r"):[ \t]*(.*(?:\n[ \t].*)*)"
_NAME_VERSION = r"^(Name|Version):[ \t]*(.*(?:\n[ \t].*)*)"
# a line that is neither a continuation nor `name:` with email's field-name characters
_ODD_LINE = r"^(?![ \t])(?![\x21-\x39\x3b-\x7e]+:)"


def parse_headers(text: str, *, lean: bool = False) -> Headers:
    """The fields Pinwise uses, from an RFC 822 header block, as email.parser (compat32) reads them.

    `text` ends before the first blank line. Continuation lines (starting with space or tab) are
    kept joined with a newline, as compat32 keeps them. A block with a line that is neither a
    header nor a continuation goes to email.parser. `lean`: Name and Version only.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.strip("\n")
    if not text:
        return Headers({})
    if lean:
        found = _name_version(text)
        if found is not None:
            return Headers(found)
    if _regex("odd").search(text):
        return _parse_with_email(text)
    values: dict[str, list[str]] = {}
    pattern = _regex("name_version" if lean else "field")
    for key, value in pattern.findall(text):
        values.setdefault(key.lower(), []).append(value.rstrip("\r"))
    return Headers(values)


_MULTILINE, _IGNORECASE = 8, 2  # re.MULTILINE, re.IGNORECASE (`|` on re's flags costs 1 us)
_REGEXES = {
    "odd": (_ODD_LINE, _MULTILINE),
    "field": (_FIELD, _MULTILINE | _IGNORECASE),
    "name_version": (_NAME_VERSION, _MULTILINE | _IGNORECASE),
}
_COMPILED: dict[str, Pattern[str]] = {}


def _regex(name: str) -> Pattern[str]:
    """One of _REGEXES, compiled on first use (re is imported then, not at start)."""
    found = _COMPILED.get(name)
    if found is None:
        import re

        source, flags = _REGEXES[name]
        found = _COMPILED[name] = re.compile(source, flags)
    return found


def _name_version(text: str) -> Optional[dict[str, list[str]]]:
    """The first Name and Version of a header block, read line by line up to where both are
    known (they are near the top); None when a line that is neither a header nor a continuation
    comes first, which parse_headers leaves to email.parser. Same values as the _NAME_VERSION
    pattern gives: the value after `:` and spaces, continuation lines joined with a newline."""
    # Name and Version are nearly always in the first three lines: split off only the first few
    # (splitting a whole block of classifiers costs more than the rest of reading a
    # distribution), and the whole block only when the answer may lie past them
    lines = text.split("\n", _FIRST_LINES)
    partial = len(lines) > _FIRST_LINES
    if partial:
        lines.pop()  # the rest of the block, unsplit
    found = _scan_name_version(lines, partial)
    if found is _MORE:
        found = _scan_name_version(text.split("\n"), False)
    return found


_FIRST_LINES = 5
_MORE: dict[str, list[str]] = {}  # _scan_name_version's "the lines ran out before it was sure"


def _scan_name_version(lines: list[str], partial: bool) -> Optional[dict[str, list[str]]]:
    values: dict[str, list[str]] = {}
    current: Optional[list[str]] = None
    for line in lines:
        if line[:1] in (" ", "\t"):  # a continuation of the header above
            if current is not None:
                current[0] += "\n" + line
            continue
        if len(values) == 2:
            break
        key, sep, value = line.partition(":")
        if not (sep and key.isascii() and key.isprintable()) or not key or " " in key:
            return None
        low = key.lower()
        if low in ("name", "version") and low not in values:
            current = values[low] = [value.lstrip(" \t")]
        else:
            current = None
    else:
        if partial:  # a field may go on, or Name or Version come, in the lines not split off
            return _MORE
    for found in values.values():
        found[0] = found[0].rstrip("\r")
    return values


def _parse_with_email(text: str) -> Headers:
    import email.parser  # 25 ms to import: only for odd header blocks

    message = email.parser.HeaderParser().parsestr(text)
    values: dict[str, list[str]] = {}
    for name, value in message.items():
        values.setdefault(name.lower(), []).append(str(value))
    return Headers(values)


_ABSENT = (FileNotFoundError, NotADirectoryError)
_O_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_SEP = os.sep


def read_header_block(path: str) -> bytes:
    """The bytes of `path` up to (not including) the first blank line.

    Raises FileNotFoundError / NotADirectoryError when there is no such file, OSError when it
    cannot be read. Uses os.open/os.read: a third of the cost of open() for small files.
    """
    fd = os.open(path, _O_FLAGS)
    try:
        data = os.read(fd, _CHUNK)
        start = 0
        while True:
            end = data.find(b"\n\n", start)
            if end >= 0 and data.find(b"\r", 0, end) < 0:
                return data[:end]
            if end >= 0 or b"\r" in data:
                import re

                found = re.compile(_HEADER_END).search(data, start)
                if found is not None:
                    return data[: found.start()]
            more = os.read(fd, _CHUNK)
            if not more:
                return data
            start = max(0, len(data) - 3)
            data += more
    finally:
        os.close(fd)


def read_small_file(path: str) -> Optional[bytes]:
    """A whole (small) file, or None when it does not exist. Other errors raise OSError."""
    try:
        fd = os.open(path, _O_FLAGS)
    except _ABSENT:
        return None
    try:
        chunks: list[bytes] = []
        while True:
            data = os.read(fd, 65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)
    finally:
        os.close(fd)


def info_folder_name(entry: str) -> tuple[Optional[str], Optional[str]]:
    """(name, version) from a metadata folder name, the way pip reads them."""
    stem, _, suffix = entry.rpartition(".")
    suffix = suffix.lower()
    if suffix == "dist-info":
        name, sep, version = stem.partition("-")
        if sep:
            return name, version
        return None, None
    if suffix == "egg-info":
        return stem.split("-", 1)[0], None
    return None, None


def egg_requires_to_dist(text: str) -> tuple[str, ...]:
    """`requires.txt` sections (`[extra]`, `[:marker]`, `[extra:marker]`) as Requires-Dist lines.

    Same conversion as importlib.metadata's `_convert_egg_info_reqs_to_simple_reqs`.
    """
    out: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        extra, _, markers = section.partition(":")
        if extra and markers:
            markers = f"({markers})"
        conditions = [c for c in (markers, f'extra == "{extra}"' if extra else "") if c]
        space = " " if "@" in line else ""
        out.append(line + (space + "; " + " and ".join(conditions) if conditions else ""))
    return tuple(out)


def url_to_path(url: str) -> str:
    """A `file:` URL to a local path (pip's url_to_path for POSIX and Windows drive letters)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    netloc = parts.netloc
    netloc = "\\\\" + netloc if netloc and netloc != "localhost" else ""  # UNC
    path = unquote(netloc + parts.path)
    if os.name == "nt" and len(path) >= 3 and path[0] == "/" and path[2] == ":":
        import re

        if not re.match(r"^/[A-Za-z]:", path):
            return path
        path = path[1:]
    return path


class BadDirectUrl(ValueError):
    pass


def parse_direct_url(text: str) -> DirectUrl:
    """PEP 610 `direct_url.json`, validated as pip validates it (one of the three info keys)."""
    from pinwise.environment.model import DirectUrl

    return DirectUrl(**direct_url_fields(text))


class _JsonContext:
    """What the C scanner of the json module reads from its decoder (json.loads's defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {
        "-Infinity": float("-inf"),
        "Infinity": float("inf"),
        "NaN": float("nan"),
    }.__getitem__


_scanner: list[Any] = []


def json_loads(text: str) -> Any:
    """json.loads(text), through the json module's C scanner when it is there: `import json`
    imports re (and enum), which costs `pinwise freeze` more than reading every direct_url.json.
    Whatever the fast way does not accept as a whole is given to json.loads (its result or its
    error, with json's message)."""
    if not _scanner:
        try:
            from _json import make_scanner

            _scanner.append(make_scanner(_JsonContext))  # type: ignore[arg-type]
        except (ImportError, AttributeError, TypeError):
            _scanner.append(None)
    scan = _scanner[0]
    if scan is not None:
        stripped = text.strip(" \t\n\r")
        try:
            value, end = scan(stripped, 0)
        except Exception:  # any failure: json.loads says what it is
            pass
        else:
            if end == len(stripped):
                return value
    import json

    return json.loads(text)


def direct_url_fields(text: str) -> dict[str, Any]:
    """`parse_direct_url`'s fields (every DirectUrl field), as a dict. Raises ValueError and
    TypeError (BadDirectUrl, JSON errors) or AttributeError on an invalid file."""
    found = _pip_archive(text)
    if found is not None:
        return found
    data = json_loads(text)
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str):
        raise BadDirectUrl("missing url")
    if ("vcs_info" in data) + ("archive_info" in data) + ("dir_info" in data) != 1:
        raise BadDirectUrl("more than one of archive_info, dir_info, vcs_info")
    subdirectory = data.get("subdirectory")
    if subdirectory is not None and not isinstance(subdirectory, str):
        raise BadDirectUrl("subdirectory must be a string")
    kind = "archive_info" if "archive_info" in data else "dir_info" if "dir_info" in data else ""
    info = data[kind or "vcs_info"]
    if not isinstance(info, dict):
        raise BadDirectUrl(f"{kind or 'vcs_info'} must be an object")
    if not kind:
        vcs, commit = info.get("vcs"), info.get("commit_id")
        if not isinstance(vcs, str) or not isinstance(commit, str):
            raise BadDirectUrl("vcs_info needs vcs and commit_id")
        rev = info.get("requested_revision")
        return _du(
            url=url,
            vcs=vcs,
            commit_id=commit,
            requested_revision=rev if isinstance(rev, str) else None,
            subdirectory=subdirectory,
        )
    if kind == "archive_info":
        raw_hashes = info.get("hashes")
        if raw_hashes is not None:
            if not isinstance(raw_hashes, dict):
                raise BadDirectUrl("archive_info.hashes must map algorithms to strings")
            for hash_value in raw_hashes.values():
                if not isinstance(hash_value, str):
                    raise BadDirectUrl("archive_info.hashes must map algorithms to strings")
        legacy = info.get("hash")
        if isinstance(legacy, str):
            if "=" not in legacy:
                raise BadDirectUrl("Invalid hash format (expected '<algorithm>=<hash>')")
            alg, _, value = legacy.partition("=")
            if raw_hashes is None:
                raw_hashes = {alg: value}
            elif raw_hashes.get(alg) != value:
                raise BadDirectUrl(f"Algorithm {alg!r} used in hash field does not match hashes")
        return {  # _du(url=url, archive_hashes=..., subdirectory=subdirectory), without the call
            "url": url,
            "vcs": None,
            "commit_id": None,
            "requested_revision": None,
            "archive_hashes": tuple(raw_hashes.items()) if raw_hashes else (),
            "editable": False,
            "is_dir": False,
            "subdirectory": subdirectory,
        }
    if not url.startswith("file:///"):  # what urlsplit says of the others (file://localhost/...)
        from urllib.parse import urlsplit

        parsed = urlsplit(url)
        if parsed.scheme != "file" or not parsed.path.startswith("/"):
            raise BadDirectUrl("URL scheme must be file:// (absolute) when dir_info is present")
    editable = info.get("editable", False)
    if not isinstance(editable, bool):
        raise BadDirectUrl("dir_info.editable must be a boolean")
    return _du(url=url, editable=editable, is_dir=True, subdirectory=subdirectory)


_PIP_ARCHIVE = ('{"archive_info": {"hash": "', '", "hashes": {"', '": "', '"}}, "url": "', '"}')


def _pip_archive(text: str) -> Optional[dict[str, Any]]:
    """direct_url_fields(text) for the one text pip writes for an archive (json.dumps with sorted
    keys), read without the JSON scanner and the checks (a third of a cold inspection's Python
    per distribution that has a direct_url.json, when it came from a file or URL):

        {"archive_info": {"hash": "<alg>=<hex>", "hashes": {"<alg>": "<hex>"}}, "url": "<url>"}

    when the hash field agrees with the hashes and no string has an escape, a quote or a control
    character (what JSON would read differently, or refuse); None for anything else (then the
    full reading, whose result this is: test_pip_archive_equals_the_full_reading)."""
    head, legacy_end, alg_end, hashes_end, tail = _PIP_ARCHIVE
    text = text.strip(" \t\n\r")  # what json_loads strips (JSON's whitespace)
    if not text.startswith(head) or not text.endswith(tail) or "\\" in text:
        return None
    legacy, sep, rest = text[len(head) : -len(tail)].partition(legacy_end)
    alg, sep2, rest = rest.partition(alg_end)
    value, sep3, url = rest.partition(hashes_end)
    if not (sep and sep2 and sep3) or legacy != alg + "=" + value or "=" in alg:
        return None
    if '"' in legacy or '"' in url or not text.isprintable():
        return None  # (a quote in alg or value is one in legacy; isprintable: no control chars)
    return {
        "url": url,
        "vcs": None,
        "commit_id": None,
        "requested_revision": None,
        "archive_hashes": ((alg, value),),
        "editable": False,
        "is_dir": False,
        "subdirectory": None,
    }


def _du(
    url: str,
    *,
    vcs: Optional[str] = None,
    commit_id: Optional[str] = None,
    requested_revision: Optional[str] = None,
    archive_hashes: tuple[tuple[str, str], ...] = (),
    editable: bool = False,
    is_dir: bool = False,
    subdirectory: Optional[str] = None,
) -> dict[str, Any]:
    return {
        "url": url,
        "vcs": vcs,
        "commit_id": commit_id,
        "requested_revision": requested_revision,
        "archive_hashes": archive_hashes,
        "editable": editable,
        "is_dir": is_dir,
        "subdirectory": subdirectory,
    }


def uses_pkg_resources(python_version: str) -> bool:
    """pip 26.3 reads installed metadata with pkg_resources on Python < 3.11 (importlib after):
    it decides which of two metadata folders of a project wins, and how a version prints."""
    parts = python_version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) < (3, 11)
    except (ValueError, IndexError):
        return False


def read_direct_url(path: str, normalized: str, warnings: list[str]) -> Optional[dict[str, Any]]:
    """The direct_url.json of the metadata folder `path` (the distribution `normalized`), as
    direct_url_fields' dict; None when there is none, or (with a warning) when it cannot be read
    or is not valid. What read_fields reads, and load_direct_url on first use."""
    du_path = path + _SEP + "direct_url.json"
    try:  # _read_text, inline (fewer calls: every cold inspection's first use of it pays them)
        fd = os.open(du_path, _O_FLAGS)
    except _ABSENT:
        return None
    except OSError as exc:
        warnings.append(f"{du_path}: cannot be read ({exc.strerror or exc})")
        return None
    try:
        try:
            data = os.read(fd, 65536)
            if data:
                more = os.read(fd, 65536)
                while more:
                    data += more
                    more = os.read(fd, 65536)
        finally:
            os.close(fd)
    except OSError as exc:
        warnings.append(f"{du_path}: cannot be read ({exc.strerror or exc})")
        return None
    try:
        text = data.decode("utf-8")  # (as pip reads it: not UTF-8 is an error)
        return direct_url_fields(text)
    except UnicodeDecodeError as exc:
        why = str(exc)
    except (ValueError, TypeError, AttributeError) as exc:
        why = _pip_says(text, exc)
    warnings.append(f"Error parsing direct_url.json for {normalized}: {why} ({du_path})")
    return None


def _pip_says(text: str, error: Exception) -> str:
    """What pip says of an invalid direct_url.json: the message of packaging's validation (pip
    26 validates with the `packaging.direct_url` it vendors) when this packaging has it, else
    `error`'s. (Imported only here: `pinwise freeze` imports no packaging on its way.)"""
    try:
        from packaging.direct_url import (  # type: ignore[import-not-found,unused-ignore]
            DirectUrl,
            DirectUrlValidationError,
        )
    except ImportError:
        return str(error)
    try:
        DirectUrl.from_dict(json_loads(text))
    except DirectUrlValidationError as exc:
        return str(exc)
    except Exception:  # (a JSON error: json's message, as `error` has it)
        return str(error)
    return str(error)


def editable_of(
    direct_url: Optional[dict[str, Any]], name: str, location: str, egg_links: frozenset[str]
) -> tuple[bool, Optional[str]]:
    """(editable, editable_location) of a distribution named `name` found in `location`: from its
    direct_url.json (read_direct_url) when it has one, else from a `.egg-link` (of the names in
    `egg_links`) that names it, as pip finds legacy `setup.py develop` installs."""
    if direct_url is not None:
        if direct_url["editable"]:
            return True, url_to_path(direct_url["url"])
        return False, None
    if egg_links and _egg_link_names(name) & egg_links:
        return True, location
    return False, None


def _read_text(path: str, warnings: list[str]) -> Optional[str]:
    try:
        data = read_small_file(path)
    except OSError as exc:
        warnings.append(f"{path}: cannot be read ({exc.strerror or exc})")
        return None
    return None if data is None else data.decode("utf-8", "replace")


def _top_level_value(text: Optional[str]) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(s.strip() for s in text.splitlines() if s.strip())


def _installer_value(text: Optional[str]) -> Optional[str]:
    return (text.strip() or None) if text else None


def _read_quietly(path: str) -> Optional[str]:
    """`_read_text` without the warning: None when the file is missing or unreadable."""
    try:
        data = read_small_file(path)
    except (OSError, ValueError):
        return None
    return None if data is None else data.decode("utf-8", "replace")


def read_installer(metadata_path: str) -> Optional[str]:
    """The `installer` of the distribution whose metadata folder is `metadata_path`, as
    `read_fields` reads it (None when there is no INSTALLER, or it cannot be read, or
    `metadata_path` is a file). Never raises."""
    return _installer_value(_read_quietly(metadata_path + _SEP + "INSTALLER"))


def read_top_level(metadata_path: str) -> tuple[str, ...]:
    """`top_level`, as `read_fields` reads it (see read_installer)."""
    return _top_level_value(_read_quietly(metadata_path + _SEP + "top_level.txt"))


# Loaders of the fields a Distribution made by read_dist_info works out on first use (see
# model._ReadOnFirstUse): each gets the instance's __dict__ and sets the field(s) in it.


def load_installer(fields: dict[str, Any]) -> None:
    fields["installer"] = read_installer(fields["metadata_path"])


def load_top_level(fields: dict[str, Any]) -> None:
    fields["top_level"] = read_top_level(fields["metadata_path"])


def load_header_fields(fields: dict[str, Any]) -> None:
    text = fields.get("_headers")
    if text is None:  # parsed already (by another thread, between its lookup and here)
        return
    fields.update(header_fields(parse_headers(text).values))
    fields.pop("_headers", None)  # after the update: a concurrent lookup finds one or the other


def load_direct_url(fields: dict[str, Any]) -> None:
    """direct_url, editable and editable_location, all three at once, from the metadata folder's
    direct_url.json (and the `.egg-link` names on sys.path inspection saw, `_egg_links`, for a
    distribution without one), with the warnings reading it gives (kept under `_direct_url_read`
    with the values, for model.Snapshot's warnings). The first reading stored is the one every
    thread sets (setdefault): the three fields always come from the same reading."""
    found = fields.get("_direct_url_read")
    if found is None:
        warnings: list[str] = []
        du = read_direct_url(fields["metadata_path"], fields["normalized_name"], warnings)
        if du is None:
            editable, location = editable_of(
                None, fields["name"], fields["location"], fields.get("_egg_links", _NO_LINKS)
            )
            found = (None, editable, location, tuple(warnings))
        else:
            if not _make_direct_url:
                from pinwise.environment.model import direct_url_from_fields

                _make_direct_url.append(direct_url_from_fields)
            editable = du["editable"]
            found = (
                _make_direct_url[0](du),
                editable,
                url_to_path(du["url"]) if editable else None,  # (editable_of, inline)
                tuple(warnings),
            )
        found = fields.setdefault("_direct_url_read", found)
    fields["direct_url"], fields["editable"], fields["editable_location"], _ = found


_NO_LINKS: frozenset[str] = frozenset()
_make_direct_url: list[Callable[[dict[str, Any]], DirectUrl]] = []  # model's, once imported


def direct_url_warnings(dist: Distribution) -> tuple[str, ...]:
    """The warnings of reading `dist`'s direct_url.json on first use (load_direct_url), read
    now if it was not yet: () for a distribution whose direct_url was read at inspection."""
    dist.direct_url  # noqa: B018 (read on first use, never raises)
    found = vars(dist).get("_direct_url_read")
    return () if found is None else found[3]


def header_fields(values: dict[str, list[str]]) -> dict[str, Any]:
    """requires, provides_extras, summary, license and home_page from a header block's values
    (parse_headers), as read_fields sets them for a .dist-info."""
    found = values.get("license-expression")
    license_value = found[0] if found else None
    if not license_value:  # `License-Expression`, unless missing or empty, then `License`
        found = values.get("license")
        license_value = found[0] if found else None
    found = values.get("home-page")
    home_page = found[0] if found else None
    if home_page is None:
        for value in values.get("project-url", ()):
            label, _, url = value.partition(",")
            if label.strip().lower().replace(" ", "").replace("-", "") in ("homepage", "home"):
                home_page = url.strip()
                break
    found = values.get("summary")
    return {
        "requires": tuple(values.get("requires-dist", ())),
        "provides_extras": tuple(values.get("provides-extra", ())),
        "summary": found[0] if found else None,
        "license": license_value,
        "home_page": home_page,
    }


def read_distribution(
    folder: str,
    entry: str,
    location: str,
    warnings: list[str],
    *,
    egg_links: frozenset[str] = frozenset(),
) -> Optional[Distribution]:
    """One distribution from `folder/entry` (a .dist-info or .egg-info folder, or egg-info file).

    Returns None (with a warning) when the entry is not usable. `egg_links` holds the file names
    of `*.egg-link` files visible on sys.path, which make an egg-info distribution editable.
    """
    from pinwise.environment.model import DirectUrl, Distribution

    fields = read_fields(folder, entry, location, warnings, egg_links=egg_links)
    if fields is None:
        return None
    du = fields["direct_url"]
    if du is not None:
        fields["direct_url"] = DirectUrl(**du)
    return Distribution(**fields)


def read_fields(
    folder: str,
    entry: str,
    location: str,
    warnings: list[str],
    *,
    egg_links: frozenset[str] = frozenset(),
    lean: bool = False,
) -> Optional[dict[str, Any]]:
    """`read_distribution`'s fields as a dict (`direct_url` a dict of DirectUrl's fields).

    `lean` (what pip freeze needs): only name, normalized_name, version, location,
    metadata_path, direct_url, editable, editable_location and is_egg_info are returned (requires,
    extras, summary, license, home page, top_level.txt and INSTALLER are not read: two files fewer
    to open per distribution).
    """
    path = folder + _SEP + entry
    folder_name, folder_version = info_folder_name(entry)
    is_egg = entry.lower().endswith(".egg-info")
    is_dir = True
    meta_path: Optional[str] = None
    block: Optional[bytes] = None
    meta_error: Optional[OSError] = None
    # importlib.metadata's order: METADATA, then PKG-INFO, then the entry itself (a file)
    for candidate in ("PKG-INFO",) if is_egg else ("METADATA", "PKG-INFO"):
        meta_path = path + _SEP + candidate
        try:
            block = read_header_block(meta_path)
            break
        except NotADirectoryError:
            is_dir = False
            break
        except FileNotFoundError:
            meta_path = None
            if not os.path.isdir(path):
                return None  # removed while we looked
            continue
        except OSError as exc:
            meta_error = exc
            break
    if not is_dir:
        meta_path = path
        try:
            block = read_header_block(path)
        except OSError as exc:
            meta_error = exc

    headers = Headers({})
    if meta_path is None:
        warnings.append(f"{path}: no METADATA file; the name and version come from the folder name")
    elif meta_error is not None or block is None:
        reason = meta_error.strerror if meta_error is not None else None
        warnings.append(f"{meta_path}: cannot be read ({reason or meta_error})")
    else:
        if b"\x00" in block:
            warnings.append(f"{meta_path}: is not a text file; its metadata is ignored")
            block = b""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append(f"{meta_path}: is not valid UTF-8; undecodable bytes were replaced")
            text = block.decode("utf-8", "replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        try:
            headers = parse_headers(text, lean=lean)
        except Exception as exc:  # the email fallback is lenient, but never crash on a file
            warnings.append(f"{meta_path}: unreadable metadata headers ({exc})")

    values = headers.values
    found_name = values.get("name")
    meta_name_value = found_name[0] if found_name else None
    name_source = folder_name or meta_name_value
    if not name_source:
        warnings.append(f"{path}: no project name in the folder name or the metadata; skipped")
        return None
    normalized = normalize(name_source)
    if not valid_project_name(normalized):
        if entry.startswith("~"):
            warnings.append(
                f"Ignoring incompletely removed distribution {entry} ({folder}); '~'-prefixed "
                "leftover directories are the result of a previous incomplete installation, "
                "and can be deleted"
            )
        else:
            warnings.append(f"Ignoring invalid distribution {normalized} ({folder})")
        return None
    name = meta_name_value or normalized
    found_version = values.get("version")
    version = found_version[0] if found_version else None
    if version is None:
        version = folder_version or ""
        if not folder_version:
            warnings.append(f"{path}: the metadata has no Version")

    requires: tuple[str, ...] = () if lean else tuple(values.get("requires-dist", ()))
    top_level: tuple[str, ...] = ()
    installer: Optional[str] = None
    direct_url: Optional[dict[str, Any]] = None
    if is_dir and not lean:
        if is_egg and not requires:
            text_req = _read_text(path + _SEP + "requires.txt", warnings)
            if text_req:
                requires = egg_requires_to_dist(text_req)
        top_level = _top_level_value(_read_text(path + _SEP + "top_level.txt", warnings))
        installer = _installer_value(_read_text(path + _SEP + "INSTALLER", warnings))
    if is_dir:
        direct_url = read_direct_url(path, normalized, warnings)
    editable, editable_location = editable_of(direct_url, name, location, egg_links)

    if lean:
        return {
            "name": name,
            "normalized_name": normalized,
            "version": version,
            "location": location,
            "metadata_path": path,
            "direct_url": direct_url,
            "editable": editable,
            "editable_location": editable_location,
            "is_egg_info": is_egg,
        }
    about = header_fields(values)
    return {
        "name": name,
        "normalized_name": normalized,
        "version": version,
        "location": location,
        "metadata_path": path,
        "requires": requires,
        "provides_extras": about["provides_extras"],
        "direct_url": direct_url,
        "editable": editable,
        "editable_location": editable_location,
        "installer": installer,
        "summary": about["summary"],
        "license": about["license"],
        "home_page": about["home_page"],
        "top_level": top_level,
        "is_egg_info": is_egg,
    }


def read_dist_info(
    path: str,
    named: tuple[Optional[str], Optional[str], Optional[str]],
    location: str,
    warnings: list[str],
    *,
    egg_links: frozenset[str],
    dir_fd: Optional[int] = None,
    entry: str = "",
) -> Optional[tuple[dict[str, Any], os.stat_result]]:
    """`read_fields` for the common case, in fewer files and less Python: a `.dist-info` folder
    `path` (`named`: what info_folder_name gives for its name, and the name normalised, or None
    when it gives none) with a readable UTF-8 METADATA whose header block gives a valid project
    name and a version before any line that is not a header.

    Returns (fields, METADATA's stat), or None, for any other case: the caller then reads the
    folder with read_fields, which says what is wrong. Nothing is added to `warnings` (the only
    ones read_fields gives for such a folder are direct_url.json's, given when it is read). The
    fields are for model.distribution_from_fields: read_fields' fields and values, except that
    `installer`, `top_level`, the five fields of header_fields, and `direct_url`, `editable`
    and `editable_location` are left out, for the Distribution to work out on first use (one
    file opened instead of four; the header block, kept as `_headers`, is read here for Name and
    Version only; `_egg_links` keeps `egg_links` when there are any, for `editable`). METADATA's
    stat is taken from the open file (fstat), before it is read: the cache's stamp. With
    `dir_fd`, an open folder `path` is in, whose `entry` it is, METADATA is opened relative to
    it (a shorter path lookup)."""
    block = _metadata_header_block(path if dir_fd is None else entry, dir_fd)
    if block is None:
        return None
    text, st = block
    # Name and Version only: the full reading waits for the first use of a field it gives.
    # (read_fields warns when that reading fails, which only email.parser could do, for a block
    # with an odd line; it does not fail on text decoded strictly, and a reading on first use
    # that did would give the defaults.)
    identity = _dist_identity(text, named)
    if identity is None:
        return None
    name, normalized, version = identity
    fields = {
        "name": name,
        "normalized_name": normalized,
        "version": version,
        "location": location,
        "metadata_path": path,
        "is_egg_info": False,
        "_headers": text,
    }
    if egg_links:  # (for editable, when there is no direct_url.json: see load_direct_url)
        fields["_egg_links"] = egg_links
    return fields, st


def _metadata_header_block(
    base: str, dir_fd: Optional[int]
) -> Optional[tuple[str, os.stat_result]]:
    """METADATA's header block, decoded as parse_headers reads it, and its stat; None if unusual."""
    # None (read_fields then says what is wrong): the file cannot be read, its block is longer
    # than one read, holds a CR or NUL, or is not strict UTF-8. The stat is taken before the
    # read: the cache's stamp.
    try:
        fd = os.open(base + _SEP + "METADATA", _O_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        try:
            st = os.fstat(fd)
            data = os.read(fd, _CHUNK)
        finally:
            os.close(fd)
    except OSError:
        return None
    end = data.find(b"\n\n")
    if end >= 0:
        block = data[:end]
    elif st.st_size <= len(data) < _CHUNK:  # the whole file, as fstat measured it: no body
        block = data
    else:  # a header block longer than one read, or a file that changed size meanwhile
        return None
    if b"\r" in block or b"\x00" in block:
        return None
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.strip("\n"), st


def _dist_identity(
    text: str, named: tuple[Optional[str], Optional[str], Optional[str]]
) -> Optional[tuple[str, str, str]]:
    """(name, normalised name, version) from the header block and folder name; None if unusual."""
    # Name and Version as parse_headers' lean reading gives them, which are its full reading's
    # (test_lean_headers_equal_the_full_reading; pinwise freeze relies on it too); then the
    # folder's normalised name (else Name's) and Version (else the folder's). None (read_fields
    # then says what is wrong): a block for email.parser, no name or version, an invalid name.
    # (One helper for both steps: it runs once per distribution of a cold inspection.)
    # the usual block, as wheel, setuptools, hatchling, flit, poetry and uv write it, without
    # the line loop: "Metadata-Version: 2.x\nName: n\nVersion: v\n<header>..."
    lines = text.split("\n", 3)
    if (
        len(lines) >= 3
        and lines[0].startswith("Metadata-Version:")
        and lines[1].startswith("Name: ")
        and lines[2].startswith("Version: ")
        and (len(lines) == 3 or lines[3][:1] not in (" ", "\t"))
    ):
        meta_name: Optional[str] = lines[1][6:].lstrip(" \t")
        version: Optional[str] = lines[2][9:].lstrip(" \t")
    else:
        values = _name_version(text)
        if values is None:
            return None
        found = values.get("name")
        meta_name = found[0] if found else None
        found = values.get("version")
        version = found[0] if found else None
    folder_name, folder_version, normalized = named
    if not folder_name:
        if not meta_name:
            return None
        normalized = normalize(meta_name)
    assert normalized is not None
    # valid_project_name, whose quick test is this for a normalised name (no `_`, no `.`)
    if not (
        normalized.isascii()
        and normalized.replace("-", "").isalnum()
        and normalized[0].isalnum()
        and normalized[-1].isalnum()
    ) and not valid_project_name(normalized):
        return None
    if version is None:
        if not folder_version:
            return None
        version = folder_version
    return meta_name or normalized, normalized, version


def _safe_name(raw_name: str) -> str:
    import re

    return re.sub("[^A-Za-z0-9.]+", "-", raw_name)


def _egg_link_names(raw_name: str) -> frozenset[str]:
    """The `.egg-link` file names pip looks for (pkg_resources safe_name, and the raw name)."""
    return frozenset({_safe_name(raw_name) + ".egg-link", f"{raw_name}.egg-link"})
