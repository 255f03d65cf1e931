"""What pip makes of a requirement's text (pip-reference A16-A18), with offsets.

A faithful re-implementation of pip 26.3's `parse_req_from_line` and `parse_editable` (from
`pip._internal.req.constructors`), using `packaging` for PEP 508, and reporting where each part
stands in the text. Offsets are relative to the text given.
"""

from __future__ import annotations

import os
import posixpath
import re
import threading
import urllib.parse
from functools import lru_cache
from typing import Optional, Union

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

VCS_SCHEMES = (
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
    "bzr+file",
    "git+http",
    "git+https",
    "git+ssh",
    "git+git",
    "git+file",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn+ssh",
    "svn+http",
    "svn+https",
    "svn+svn",
    "svn+file",
)
_VCS_SET = frozenset(VCS_SCHEMES)
_URL_SCHEMES = frozenset(("http", "https", "file", "ftp", *VCS_SCHEMES))
_VCS_NAMES = ("bzr", "git", "hg", "svn")

ARCHIVE_EXTENSIONS = (
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")

_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_PROJECT_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_EXTRAS_SUFFIX_RE = re.compile(r"^(.+)(\[[^\]]+\])$")

# Locates the parts of a PEP 508 string that packaging has already accepted.
_PEP508_PARTS_RE = re.compile(
    r"[ \t]*(?P<name>\b[A-Za-z0-9][A-Za-z0-9._-]*\b)[ \t]*"
    r"(?P<extras>\[[^\]]*\])?[ \t]*"
    r"(?:@[ \t]*(?P<url>[^ \t]+)|(?P<spec>\([^)]*\)|[^;]*?))?"
    r"[ \t]*(?:;[ \t]*(?P<marker>.*?))?[ \t]*$",
    re.DOTALL,
)

# Plain `name[extras] <op>version, ...` texts, the overwhelming majority: no packaging needed.
_IDENT = r"\b[A-Za-z0-9][A-Za-z0-9._-]*\b"
_ONE_SPEC = r"(?:===?|!=|<=|>=|<|>) *[0-9]+(?:\.[0-9]+)*|~= *[0-9]+(?:\.[0-9]+)+"
_FAST_RE = re.compile(
    rf"(?P<name>{_IDENT}) *"
    rf"(?P<extras>\[ *(?:{_IDENT} *(?:, *{_IDENT} *)*)?\])? *"
    rf"(?P<spec>(?:{_ONE_SPEC})(?: *, *(?:{_ONE_SPEC}))*)?"
)


_local = threading.local()


def fs_touched() -> None:
    """Note that the current line's meaning depends on the file system (so it is not cached)."""
    _local.touched = True


def fs_reset() -> None:
    _local.touched = False


def fs_was_touched() -> bool:
    return bool(getattr(_local, "touched", False))


class ReqError(Exception):
    """pip would refuse the requirement: `message` is what it says, the range where."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.warnings: list[tuple[str, int, int]] = []  # what pip printed before failing


class Parts:
    """What a requirement's text means to pip, with offsets into the text."""

    __slots__ = (
        "extras",
        "extras_range",
        "form",
        "is_archive",
        "is_local_dir",
        "is_wheel",
        "link",
        "marker",
        "marker_range",
        "name",
        "name_range",
        "range",
        "specifier",
        "specifier_range",
        "url",
        "url_range",
        "vcs",
        "vcs_revision",
        "warnings",
    )

    def __init__(self) -> None:
        self.form = "named"
        self.name: Optional[str] = None
        self.name_range: Optional[tuple[int, int]] = None
        self.extras: tuple[str, ...] = ()
        self.extras_range: Optional[tuple[int, int]] = None
        self.specifier = ""
        self.specifier_range: Optional[tuple[int, int]] = None
        self.marker: Optional[str] = None
        self.marker_range: Optional[tuple[int, int]] = None
        self.url: Optional[str] = None
        self.url_range: Optional[tuple[int, int]] = None
        self.link: Optional[str] = None
        self.vcs: Optional[str] = None
        self.vcs_revision: Optional[str] = None
        self.is_wheel = False
        self.is_archive = False
        self.is_local_dir = False
        self.range = (0, 0)
        self.warnings: list[tuple[str, int, int]] = []


_CACHE_LIMIT = 2048  # longer texts are parsed every time rather than kept in a cache


def _pep508(text: str) -> Union[Requirement, str]:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        return str(exc)
    except Exception as exc:  # packaging bugs on junk (deep nesting...) must not escape
        return f"{type(exc).__name__}: {exc}"


_pep508_cached = lru_cache(maxsize=8192)(_pep508)


def pep508(text: str) -> Union[Requirement, str]:
    """packaging's verdict on a PEP 508 string: the Requirement, or the error message."""
    if len(text) > _CACHE_LIMIT:
        return _pep508(text)
    return _pep508_cached(text)


def _marker_info(text: str) -> tuple[Optional[str], str]:
    try:
        return None, str(Marker(text))
    except InvalidMarker as exc:
        return str(exc), ""
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}", ""


_marker_info_cached = lru_cache(maxsize=4096)(_marker_info)


def marker_info(text: str) -> tuple[Optional[str], str]:
    """(error message or None, normalised marker) for a marker expression."""
    if len(text) > _CACHE_LIMIT:
        return _marker_info(text)
    return _marker_info_cached(text)


@lru_cache(maxsize=8192)
def normalize(name: str) -> str:
    return canonicalize_name(name)


_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_C0_OR_SPACE = "".join(map(chr, range(33)))


def url_scheme(text: str) -> str:
    """`urllib.parse.urlsplit(text).scheme`, without the rest of the work."""
    if ":" not in text:
        return ""
    text = text.lstrip(_C0_OR_SPACE)
    if "\t" in text or "\r" in text or "\n" in text:
        text = text.replace("\t", "").replace("\r", "").replace("\n", "")
    m = _SCHEME_RE.match(text)
    return m.group(1).lower() if m else ""


def is_url(text: str) -> bool:
    """pip's `is_url`: the scheme is http, https, file, ftp or a VCS scheme."""
    if ":" not in text:
        return False
    return url_scheme(text) in _URL_SCHEMES


def _looks_like_path(name: str) -> bool:
    if os.path.sep in name:
        return True
    if os.path.altsep is not None and os.path.altsep in name:
        return True
    return name.startswith(".")


def _pip_splitext(path: str) -> tuple[str, str]:
    base, ext = posixpath.splitext(path)
    if base.lower().endswith(".tar"):
        ext = base[-4:] + ext
        base = base[:-4]
    return base, ext


def is_archive_file(name: str) -> bool:
    return _pip_splitext(name)[1].lower() in ARCHIVE_EXTENSIONS


def _pathname2url(path: str) -> str:
    if os.name == "nt":  # pragma: no cover - POSIX CI
        from urllib.request import pathname2url

        return pathname2url(path)
    return urllib.parse.quote(path)  # what urllib.request.pathname2url does on POSIX


def _url2pathname(path: str) -> str:
    if os.name == "nt":  # pragma: no cover - POSIX CI
        from urllib.request import url2pathname

        return url2pathname(path)
    return urllib.parse.unquote(path)


def path_to_url(path: str) -> str:
    path = os.path.normpath(path)
    return urllib.parse.urljoin("file://", _pathname2url(path))


def url_to_path(url: str) -> str:
    """pip's `url_to_path` (POSIX): raises ValueError for a non-local file URL."""
    _, netloc, path, _, _ = urllib.parse.urlsplit(url)
    if netloc and netloc != "localhost":
        raise ValueError(f"non-local file URIs are not supported on this platform: {url!r}")
    return _url2pathname(path)


def include_url_to_path(url: str) -> str:
    """Where pip reads a `file:` include from: it fetches includes through its HTTP session,
    which roots a path without a host at `/` (`-r file:base.txt` is `/base.txt`, never the
    including file's neighbour). Raises ValueError for a non-local URL."""
    _, netloc, path, _, _ = urllib.parse.urlsplit(url)
    if not netloc and not path.startswith("/"):
        url = "file:///" + url[len("file:") :]
    return url_to_path(url)


def _link_path(url: str) -> str:
    try:
        return urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    except ValueError:
        return ""


def _link_filename(url: str) -> str:
    name = os.path.basename(posixpath.basename(_link_path(url).rstrip("/")))
    if name in (".", ".."):
        name = ""
    return name


def _is_wheel_url(url: str) -> bool:
    return _pip_splitext(posixpath.basename(_link_path(url).rstrip("/")))[1] == ".whl"


def egg_fragment(url: str, url_start: int) -> tuple[Optional[str], Optional[tuple[int, int]]]:
    """pip's `Link.egg_fragment`: a plain project name or an InvalidEggFragment error."""
    m = _EGG_RE.search(url)
    if not m:
        return None, None
    name = m.group(1)
    if not _PROJECT_NAME_RE.match(name):
        hint = ""
        if ">" in name or "=" in name or "<" in name:
            hint = "Version specifiers are silently ignored for URL references. Remove them. "
        if "[" in name and "]" in name:
            hint += "Try using the Direct URL requirement syntax: 'name[extra] @ URL'"
        if not hint:
            hint = "Egg fragments can only be a valid project name."
        raise ReqError(
            f"The '{name}' egg fragment is invalid (from '{url}'). Hint: {hint.strip()}",
            url_start + m.start(1),
            url_start + m.end(1),
        )
    return name, (url_start + m.start(1), url_start + m.end(1))


def _vcs_info(url: str) -> tuple[Optional[str], Optional[str]]:
    scheme = url_scheme(url)
    if scheme not in _VCS_SET:
        return None, None
    vcs = scheme.split("+", 1)[0]
    try:
        path = urllib.parse.urlsplit(url).path
    except ValueError:
        return vcs, None
    if "@" in path:
        return vcs, path.rsplit("@", 1)[1] or None
    return vcs, None


def _extras_list(text: str) -> tuple[str, ...]:
    inner = text.strip()[1:-1]
    return tuple(e.strip() for e in inner.split(",") if e.strip())


def _convert_extras(extras: str, start: int, end: int, whole: str) -> None:
    """pip parses `placeholder[extras]` to validate stripped extras; it can fail."""
    result = pep508("placeholder" + extras.lower())
    if isinstance(result, str):
        # pip crashes here with packaging's message about `placeholder[...]`; say it properly.
        own = pep508(whole)
        message = own if isinstance(own, str) else result
        raise ReqError(f"Invalid requirement: {whole!r}: {message}", start, end)


def _fill_pep508(parts: Parts, req: Requirement, text: str, base: int) -> None:
    """Set name/extras/specifier/url/marker and their ranges from an accepted PEP 508 text."""
    parts.name = req.name
    parts.extras = tuple(sorted(req.extras))
    if req.marker is not None:
        parts.marker = str(req.marker)
    m = _PEP508_PARTS_RE.match(text)
    if m is None:  # pragma: no cover - packaging accepted it, the locator should too
        parts.name_range = (base, base + len(text))
        parts.specifier = str(req.specifier)
        if req.url:
            parts.url = req.url
        return
    parts.name_range = (base + m.start("name"), base + m.end("name"))
    if m.group("extras") is not None:
        parts.extras_range = (base + m.start("extras"), base + m.end("extras"))
        parts.extras = _extras_list(m.group("extras"))
    if m.group("url") is not None:
        parts.url = req.url
        parts.url_range = (base + m.start("url"), base + m.end("url"))
        parts.form = "named-url"
    spec = m.group("spec")
    if spec:
        s, e = m.start("spec"), m.end("spec")
        if spec.startswith("("):
            s += 1
            e -= 1
        while s < e and text[s] in " \t":
            s += 1
        while e > s and text[e - 1] in " \t":
            e -= 1
        parts.specifier = text[s:e]
        parts.specifier_range = (base + s, base + e)
    if m.group("marker") is not None and parts.marker is not None:
        parts.marker_range = (base + m.start("marker"), base + m.end("marker"))


def _parse_pep508_or_hint(
    text: str, base: int, end: int, cwd: str, whole_range: tuple[int, int]
) -> Requirement:
    result = pep508(text)
    if not isinstance(result, str):
        return result
    if os.path.sep in text:
        hint = "It looks like a path."
        full = os.path.join(cwd, text)
        fs_touched()
        if not os.path.exists(full):
            hint += f" File '{text}' does not exist."
        else:
            hint += " The path does exist. "
            if _looks_like_requirements_file(full):
                hint += (
                    f"The argument you provided ({text}) appears to be a requirements file. "
                    "If that is the case, use the '-r' flag to install the packages specified "
                    "within it."
                )
    elif "=" in text and not any(op in text for op in _OPERATORS):
        hint = "= is not a valid operator. Did you mean == ?"
    else:
        hint = ""
    message = f"Invalid requirement: {text!r}: {result}"
    if hint:
        message += f"\nHint: {hint}"
    raise ReqError(message, whole_range[0], whole_range[1])


def _looks_like_requirements_file(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="ignore") as f:
            lines = (ln for ln in (raw.strip() for raw in f) if ln and not ln.startswith("#"))
            for first in lines:
                text = first
                if " #" in text:
                    text = text[: text.find(" #")]
                if text.endswith("\\"):
                    text = text[:-2].strip() + next(lines, "")
                return not isinstance(pep508(text), str)
    except (OSError, ValueError):
        return False
    return False


def fast_parts(text: str, base: int = 0) -> Optional[Parts]:
    """`name[extras] <op>version, ...` with nothing else: the answer without packaging."""
    m = _FAST_RE.fullmatch(text)
    if m is None:
        return None
    parts = Parts()
    parts.name = m.group("name")
    parts.name_range = (base, base + m.end("name"))
    extras = m.group("extras")
    if extras is not None:
        parts.extras = _extras_list(extras)
        parts.extras_range = (base + m.start("extras"), base + m.end("extras"))
    spec = m.group("spec")
    if spec is not None:
        parts.specifier = spec
        parts.specifier_range = (base + m.start("spec"), base + m.end("spec"))
    parts.range = (base, base + len(text))
    return parts


def quick_line_requirement(text: str) -> Optional[Parts]:
    """`parse_line_requirement` for a plain `name[extras] <op>version, ... ; marker` text.

    None whenever the general path must decide (anything that may be a URL or a path, extras
    without a specifier, a marker packaging refuses, ...); otherwise exactly its answer.
    """
    if "//" in text or is_url(text):
        return None
    cut = text.find(";")
    name_part = text if cut < 0 else text[:cut]
    name = name_part.strip()
    m = _FAST_RE.fullmatch(name)
    if m is None:
        return None
    extras = m.group("extras")
    spec = m.group("spec")
    # Without a specifier pip validates stripped extras, or may find an archive's name: the
    # general path. (With one, the name ends with a version, digits and dots: the extension
    # pip looks at is digits or holds the operator, never an archive's.)
    if spec is None and (extras is not None or is_archive_file(name)):
        return None
    parts = Parts()
    nstart = len(name_part) - len(name_part.lstrip())
    end = nstart + len(name)
    if cut >= 0:
        marker_raw = text[cut + 1 :]
        marker_text = marker_raw.strip()
        if marker_text:
            err, normalized = marker_info(marker_text)
            if err is not None:
                return None
            mstart = cut + 1 + (len(marker_raw) - len(marker_raw.lstrip()))
            parts.marker = normalized
            end = mstart + len(marker_text)
            parts.marker_range = (mstart, end)
    parts.name = m.group("name")
    parts.name_range = (nstart, nstart + m.end("name"))
    if extras is not None:
        parts.extras = _extras_list(extras)
        parts.extras_range = (nstart + m.start("extras"), nstart + m.end("extras"))
    if spec is not None:
        parts.specifier = spec
        parts.specifier_range = (nstart + m.start("spec"), nstart + m.end("spec"))
    parts.range = (nstart, end)
    return parts


def _urlsplit_check(text: str, start: int, end: int) -> None:
    """pip runs `urlsplit` on the text (`is_url`, `Link`): a bad IPv6 netloc makes it fail."""
    if "//" not in text or ("[" not in text and "]" not in text and text.isascii()):
        return  # only a bracketed or non-ASCII network location can make urlsplit fail
    try:
        urllib.parse.urlsplit(text)
    except ValueError as exc:
        raise ReqError(str(exc), start, end) from None


def parse_line_requirement(text: str, cwd: str) -> Parts:
    """pip's `parse_req_from_line` for a non-editable requirement (text as pip passes it)."""
    parts = Parts()
    try:
        return _parse_line_requirement(text, cwd, parts)
    except ReqError as exc:
        exc.warnings = parts.warnings
        raise


def _parse_line_requirement(text: str, cwd: str, parts: Parts) -> Parts:
    _urlsplit_check(text, 0, len(text))
    url_like = is_url(text)
    sep = "; " if url_like else ";"
    cut = text.find(sep)
    if cut >= 0:
        name_part = text[:cut]
        marker_raw = text[cut + len(sep) :]
        marker_text = marker_raw.strip()
        if marker_text:
            mstart = cut + len(sep) + (len(marker_raw) - len(marker_raw.lstrip()))
            mrange = (mstart, mstart + len(marker_text))
            err, normalized = marker_info(marker_text)
            if err is not None:
                raise ReqError(
                    f"Invalid requirement: {name_part.strip()!r}: {err}", mrange[0], mrange[1]
                )
            parts.marker = normalized
            parts.marker_range = mrange
    else:
        name_part = text
    name = name_part.strip()
    nstart = len(name_part) - len(name_part.lstrip())
    nend = nstart + len(name)
    whole = (nstart, parts.marker_range[1] if parts.marker_range else nend)
    parts.range = whole
    if not name:
        raise ReqError(f"Invalid requirement: {name!r}", whole[0], whole[1])

    link: Optional[str] = None
    if is_url(name):
        link = name
        parts.form = "url"
        parts.url = name
        parts.url_range = (nstart, nend)
    elif not _looks_like_path(name) and not is_archive_file(
        _EXTRAS_SUFFIX_RE.sub(r"\1", name).rstrip()
    ):
        # pip would make an absolute path and find it is neither a folder it may use nor an
        # archive: skip the file system. Only the stripped extras are still validated.
        em = _EXTRAS_SUFFIX_RE.match(name)
        if em:
            _convert_extras(em.group(2), nstart, nend, name)
    else:
        path = os.path.normpath(os.path.join(cwd, name))
        em = _EXTRAS_SUFFIX_RE.match(path)
        if em:
            p = em.group(1).rstrip()
            ex = em.group(2)
            _convert_extras(ex, nstart, nend, name)
        else:
            p = path
        link = _url_from_path(p, name, nstart, nend, parts)
        if link is not None:
            parts.form = "path"
            # The path as written, without a trailing [extras].
            written = name
            if em:
                wm = _EXTRAS_SUFFIX_RE.match(name)
                if wm:
                    written = wm.group(1).rstrip()
                    es = nstart + wm.start(2)
                    parts.extras_range = (es, es + len(wm.group(2)))
                    parts.extras = _extras_list(wm.group(2))
            parts.url = written
            parts.url_range = (nstart, nstart + len(written))

    if link is not None:
        assert parts.url_range is not None
        url_start = parts.url_range[0]
        egg, egg_range = egg_fragment(link, url_start) if parts.form == "url" else (None, None)
        if url_scheme(link) == "file" and re.search(r"\.\./", link):
            link = path_to_url(os.path.join(cwd, _link_path(link)))
            egg, egg_range = None, None
        _check_file_url(link, parts.url_range)
        parts.link = link
        parts.vcs, parts.vcs_revision = _vcs_info(link)
        parts.is_archive = (
            is_archive_file(_link_filename(link)) if not parts.is_local_dir else False
        )
        if _is_wheel_url(link):
            parts.is_wheel = True
            filename = _link_filename(link)
            try:
                wname, wversion, _b, _t = parse_wheel_filename(filename)
            except InvalidWheelFilename as exc:
                raise ReqError(str(exc.args[0]), parts.url_range[0], parts.url_range[1]) from None
            parts.name = str(wname)
            parts.specifier = f"=={wversion}"
            # pip parses `name==version` again: a wheel name need not be a PEP 508 name.
            _parse_pep508_or_hint(f"{wname}=={wversion}", 0, 0, cwd, parts.url_range)
        elif egg is not None:
            parts.name = egg
            parts.name_range = egg_range
            _parse_pep508_or_hint(egg, 0, 0, cwd, egg_range or parts.url_range)
        return parts

    fast = fast_parts(name, nstart)
    if fast is not None:
        fast.marker = parts.marker
        fast.marker_range = parts.marker_range
        fast.range = whole
        fast.warnings = parts.warnings
        return fast
    req = _parse_pep508_or_hint(name, nstart, nend, cwd, (nstart, nend))
    _fill_pep508(parts, req, name, nstart)
    if name.endswith("]"):
        # pip strips a trailing `[...]` from the text first; when there is one, those are the
        # extras it installs, whatever PEP 508 says (`foo@[x]` installs extra x).
        wm = _EXTRAS_SUFFIX_RE.match(name)
        if wm:
            parts.extras = _extras_list(wm.group(2))
            parts.extras_range = (nstart + wm.start(2), nstart + wm.end(2))
    if req.url:
        assert parts.url_range is not None
        _urlsplit_check(req.url, *parts.url_range)
        parts.link = req.url
        egg_fragment(req.url, parts.url_range[0])
        _check_file_url(req.url, parts.url_range)
        parts.vcs, parts.vcs_revision = _vcs_info(req.url)
        parts.is_wheel = _is_wheel_url(req.url)
        parts.is_archive = is_archive_file(_link_filename(req.url))
    return parts


def _check_file_url(url: str, where: tuple[int, int]) -> None:
    """pip turns a file: link into a local path when it makes the requirement: that can fail."""
    if url_scheme(url) != "file":
        return
    if not url.startswith("file:"):
        raise ReqError(f"You can only turn file: urls into filenames (not {url!r})", *where)
    try:
        url_to_path(url)
    except ValueError as exc:
        raise ReqError(str(exc), *where) from None


def _url_from_path(p: str, name: str, start: int, end: int, parts: Parts) -> Optional[str]:
    """pip's `_get_url_from_path`."""
    fs_touched()
    if _looks_like_path(name) and os.path.isdir(p):
        if os.path.isfile(os.path.join(p, "pyproject.toml")) or os.path.isfile(
            os.path.join(p, "setup.py")
        ):
            parts.is_local_dir = True
            return path_to_url(p)
        raise ReqError(
            f"Directory {name!r} is not installable. Neither 'setup.py' nor 'pyproject.toml' "
            "found.",
            start,
            end,
        )
    if not is_archive_file(p):
        return None
    if os.path.isfile(p):
        return path_to_url(p)
    pieces = name.split("@", 1)
    if len(pieces) >= 2 and not _looks_like_path(pieces[0]):
        return None
    parts.warnings.append(
        (f"Requirement {name!r} looks like a filename, but the file does not exist", start, end)
    )
    return path_to_url(p)


def parse_editable_requirement(text: str, cwd: str) -> Parts:
    """pip's `parse_editable` + `parse_req_from_editable` for an `-e` value."""
    parts = Parts()
    value = text
    parts.range = (0, len(text))
    direct = pep508(value)
    if not isinstance(direct, str) and direct.url:
        _fill_pep508(parts, direct, value, 0)
        url = direct.url
        assert parts.url_range is not None
        url_start = parts.url_range[0]
    else:
        url = value
        url_start = 0
        em = _EXTRAS_SUFFIX_RE.match(url)
        if em:
            url_no_extras = em.group(1).rstrip()
            _convert_extras(em.group(2), 0, len(text), text)
            extras_text = em.group(2)
            extras_range: Optional[tuple[int, int]] = (em.start(2), em.end(2))
        else:
            url_no_extras = url
            extras_text = ""
            extras_range = None
        local = url_no_extras
        fs_touched()
        if url_no_extras and os.path.isdir(os.path.join(cwd, url_no_extras)):
            url_no_extras = path_to_url(os.path.join(cwd, url_no_extras))
            parts.is_local_dir = True
        if url_no_extras.lower().startswith("file:"):
            url = url_no_extras
            if extras_text:
                parts.extras = _extras_list(extras_text)
                parts.extras_range = extras_range
            parts.url = local
            parts.url_range = (0, len(local))
        else:
            for vc in _VCS_NAMES:
                if url.lower().startswith(f"{vc}:"):
                    url = f"{vc}+{url}"
                    url_start = -(len(vc) + 1)
                    break
            parts.url = value
            parts.url_range = (0, len(value))
        parts.form = "path" if parts.is_local_dir else "url"
        egg, egg_range = egg_fragment(url, url_start)
        if egg is not None and not parts.is_local_dir:
            parts.name = egg
            parts.name_range = egg_range
    _urlsplit_check(url, 0, len(text))
    scheme = url_scheme(url)
    is_vcs = scheme in _VCS_SET
    if direct is not None and not isinstance(direct, str) and direct.url:
        egg_fragment(url, url_start)
    if not is_vcs and not url.startswith("file:"):
        backends = ", ".join(VCS_SCHEMES)
        raise ReqError(
            f"{text} is not a valid editable requirement. It should either be a path to a "
            f"local project or a VCS URL (beginning with {backends}).",
            0,
            len(text),
        )
    if not parts.name and not url.startswith("file:"):
        raise ReqError(
            f"Could not detect requirement name for '{text}', please specify one with "
            "your_package_name @ URL",
            0,
            len(text),
        )
    if parts.name and parts.form != "named-url":
        checked = pep508(parts.name)
        if isinstance(checked, str):
            raise ReqError(
                f"Invalid requirement: {parts.name!r}: {checked}", *(parts.name_range or (0, 0))
            )
    _check_file_url(url, (0, len(text)))
    parts.link = url
    parts.vcs, parts.vcs_revision = _vcs_info(url)
    parts.is_wheel = _is_wheel_url(url)
    parts.is_archive = is_archive_file(_link_filename(url)) and not parts.is_local_dir
    return parts


__all__ = [
    "Parts",
    "ReqError",
    "is_url",
    "normalize",
    "parse_editable_requirement",
    "parse_line_requirement",
    "pep508",
    "quick_line_requirement",
]
