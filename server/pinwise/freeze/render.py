"""`pip freeze`, rendered from a Snapshot without running pip (docs: pip-reference.md, B).

Follows pip 26.3's `operations/freeze.py` and `commands/freeze.py` line by line; where pip asks
git, `pinwise.freeze.git` reads the checkout's files instead.

Documented differences (pip would stop with a traceback or an error; Pinwise carries on):
- `-r FILE` that cannot be opened: pip fails with a traceback; Pinwise writes
  `ERROR: Could not open requirements file: <error>` on stderr, skips the file and sets
  exit_code 1.
- a line pip cannot parse in `-r` mode (`-c`, `--hash`, `--no-index`, indented options, invalid
  requirements, continuation lines): pip stops with an error after the lines it already printed;
  Pinwise writes `WARNING: Skipping line N of requirement file [F] ...` on stderr, skips that line
  and goes on (exit_code 1).
"""

from __future__ import annotations

import os

from pinwise.environment.metadata import (
    info_folder_name,
    url_to_path,
    uses_pkg_resources,
    valid_project_name,
)
from pinwise.environment.metadata import normalize as canonicalize_name

# What `pinwise freeze` imports is kept to the minimum (it should start about as fast as `python
# -c pass`): no dataclasses (the classes here are plain), and re, packaging, pathlib, urllib and
# the git reader are imported where they are needed. The renderer takes a Snapshot or the plain
# objects of `pinwise.environment.inspect.scan`: the protocols below are what it reads of them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Callable, Optional, Protocol, Union

    from packaging.requirements import Requirement

    from pinwise.freeze import git

    Reader = Callable[[str], Union[str, bytes]]

    class DirectUrlLike(Protocol):
        @property
        def url(self) -> str: ...
        @property
        def vcs(self) -> Optional[str]: ...
        @property
        def commit_id(self) -> Optional[str]: ...
        @property
        def archive_hashes(self) -> tuple[tuple[str, str], ...]: ...
        @property
        def is_dir(self) -> bool: ...
        @property
        def subdirectory(self) -> Optional[str]: ...

    class DistributionLike(Protocol):
        @property
        def name(self) -> str: ...
        @property
        def version(self) -> str: ...
        @property
        def location(self) -> str: ...
        @property
        def metadata_path(self) -> str: ...
        @property
        def direct_url(self) -> Optional[DirectUrlLike]: ...
        @property
        def editable(self) -> bool: ...
        @property
        def editable_location(self) -> Optional[str]: ...

    class InterpreterLike(Protocol):
        @property
        def python_version(self) -> str: ...

    class SnapshotLike(Protocol):
        @property
        def interpreter(self) -> InterpreterLike: ...
        @property
        def warnings(self) -> tuple[str, ...]: ...
        @property
        def distributions(self) -> Sequence[DistributionLike]: ...


STDLIB_PKGS = frozenset({"python", "wsgiref", "argparse"})
# compiled on first use (re caches them): `pinwise freeze` without -r or editables needs none
COMMENT_RE = r"(^|\s+)#.*$"
ECHO_PREFIXES = (
    "-r",
    "--requirement",
    "-f",
    "--find-links",
    "-i",
    "--index-url",
    "--pre",
    "--trusted-host",
    "--process-dependency-links",
    "--extra-index-url",
    "--use-feature",
)
VCS_NAMES = ("git", "hg", "svn", "bzr")
VCS_SCHEMES = (
    "git+http", "git+https", "git+ssh", "git+git", "git+file",
    "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
    "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
    "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
)  # fmt: skip
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ".tar.gz", ".tgz", ".tar",
)  # fmt: skip
_EGG = r"[#&]egg=([^&]*)"
_SCP = r"^(\w+@)?([^/:]+):(\w[^:]*)$"


class FreezeOutput:
    """What pip freeze prints: stdout and stderr lines (without terminators), and its status."""

    __slots__ = ("exit_code", "stderr", "stdout")

    def __init__(self, stdout: list[str], stderr: list[str], exit_code: int = 0) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code  # 1 where pip would have failed (see the module docstring)

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.stdout)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FreezeOutput) and (
            (self.stdout, self.stderr, self.exit_code)
            == (other.stdout, other.stderr, other.exit_code)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"FreezeOutput(stdout={self.stdout!r}, stderr={self.stderr!r}, "
            f"exit_code={self.exit_code!r})"
        )


class Frozen:
    """One distribution as pip freeze prints it (FrozenRequirement)."""

    __slots__ = ("canonical_name", "editable", "lines", "name")

    def __init__(
        self, name: str, canonical_name: str, lines: tuple[str, ...], editable: bool
    ) -> None:
        self.name = name
        self.canonical_name = canonical_name
        self.lines = lines  # comment lines, then the requirement
        self.editable = editable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frozen) and (
            (self.name, self.canonical_name, self.lines, self.editable)
            == (other.name, other.canonical_name, other.lines, other.editable)
        )

    def __hash__(self) -> int:
        return hash((self.name, self.canonical_name, self.lines, self.editable))

    def __repr__(self) -> str:
        return f"Frozen({self.name!r}, {self.canonical_name!r}, {self.lines!r}, {self.editable!r})"


class _Log:
    __slots__ = ("failed", "stderr", "stdout")

    def __init__(self) -> None:
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.failed = False


def dev_packages(python_version: str) -> frozenset[str]:
    """What pip hides without --all: pip, and setuptools/distribute/wheel on Python < 3.12."""
    parts = python_version.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        major, minor = 3, 12
    if (major, minor) < (3, 12):
        return frozenset({"pip", "setuptools", "distribute", "wheel"})
    return frozenset({"pip"})


_EGG_NAME = r"(?P<name>[^-]+)(-(?P<ver>[^-]+)(-py(?P<pyver>[^-]+)(-(?P<plat>.+))?)?)?"


# A version already in PEP 440's normal form (what str(Version(v)) gives back unchanged): no
# leading zeros, lower-case `a`/`b`/`rc`/`.post`/`.dev`, a non-zero epoch, a lower-case local label
# with no numeric segment that has a leading zero. Most installed versions look like this, and
# then packaging.version (3 ms to import) is not needed to normalise them.
_N = r"(?:0|[1-9][0-9]*)"
_NORMAL_VERSION = (
    rf"(?:[1-9][0-9]*!)?{_N}(?:\.{_N})*(?:(?:a|b|rc){_N})?(?:\.post{_N})?(?:\.dev{_N})?"
    rf"(?:\+(?:{_N}|[a-z0-9]*[a-z][a-z0-9]*)(?:\.(?:{_N}|[a-z0-9]*[a-z][a-z0-9]*))*)?"
)


def _plain_release(raw: str) -> bool:
    """`1.2.3`: dot-separated ASCII numbers without leading zeros (already normal)."""
    for part in raw.split("."):
        if not (part.isascii() and part.isdigit()) or (part[0] == "0" and len(part) > 1):
            return False
    return True


def normal_version(raw: str) -> Optional[str]:
    """str(packaging.version.Version(raw)), or None when `raw` is not a valid PEP 440 version."""
    if _plain_release(raw):
        return raw
    import re

    if re.fullmatch(_NORMAL_VERSION, raw):
        return raw
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(raw))
    except InvalidVersion:
        return None


def pin_suffix(dist: DistributionLike, legacy: bool = False) -> str:
    """`==<version>` as pip freeze prints it (normalised), or `===<raw>` if not PEP 440.

    pip takes the version from the metadata folder's name when it has one: the importlib backend
    (Python 3.11+) from `name-version.dist-info`; the pkg_resources backend (`legacy`, Python
    < 3.11) from the `-version` segment of any .dist-info/.egg-info name, through safe_version.
    """
    entry = os.path.basename(dist.metadata_path)
    if legacy:
        import re

        stem = entry.rpartition(".")[0]
        found = re.match(_EGG_NAME, stem, re.IGNORECASE)
        raw = (found.group("ver") if found else None) or dist.version
        raw = normal_version(raw) or re.sub("[^A-Za-z0-9.]+", "-", raw.replace(" ", "."))
        normal = normal_version(raw)
        return f"=={normal}" if normal is not None else f"==={raw}"
    _, folder_version = info_folder_name(entry)
    normal = normal_version(folder_version or dist.version)
    return f"=={normal}" if normal is not None else f"==={dist.version}"


def name_version(dist: DistributionLike, legacy: bool = False) -> str:
    """`Name==version` (the version normalised) or `Name===raw` for a non-PEP 440 version."""
    return dist.name + pin_suffix(dist, legacy)


def direct_reference(dist: DistributionLike) -> Optional[str]:
    """`Name @ url...` from direct_url.json (pip's direct_url_as_pep440_direct_reference)."""
    du = dist.direct_url
    if du is None:
        return None
    requirement = dist.name + " @ "
    fragments: list[str] = []
    if du.vcs is not None:
        requirement += f"{du.vcs}+{du.url}@{du.commit_id}"
    elif not du.is_dir:
        requirement += du.url
        if du.archive_hashes:
            alg, value = du.archive_hashes[0]
            fragments.append(f"{alg}={value}")
    else:
        requirement += du.url
    if du.subdirectory:
        fragments.append("subdirectory=" + du.subdirectory)
    if fragments:
        requirement += "#" + "&".join(fragments)
    return requirement


def _is_installable_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyproject.toml")) or os.path.isfile(
        os.path.join(path, "setup.py")
    )


def _git_remote_to_pip_url(url: str) -> Optional[str]:
    import re

    if re.match(r"\w+://", url):
        return url
    if os.path.exists(url):
        from pathlib import Path

        try:
            return Path(url).as_uri()
        except ValueError:  # a relative path: pip crashes here; say it is not valid instead
            return None
    found = re.match(_SCP, url)
    if found:
        return found.expand(r"ssh://\1\2/\3")
    return None


def _editable_lines(dist: DistributionLike, log: _Log, legacy: bool) -> tuple[str, ...]:
    """pip's _get_editable_info: comments, then `-e <requirement>`."""
    import urllib.parse

    from pinwise.freeze import git

    location = os.path.normcase(os.path.abspath(dist.editable_location or dist.location))
    display = name_version(dist, legacy)
    checkout = git.find_checkout(location)
    remotes = git.remote_lines(checkout) if checkout is not None and checkout.state == "ok" else []
    # pip takes a folder holding `.git` for a checkout without asking git; elsewhere it asks
    # `git rev-parse --show-toplevel`, which fails in a broken or dubious checkout, and where
    # git refuses the config
    if checkout is None or (
        (checkout.state != "ok" or remotes is None)
        and not os.path.exists(os.path.join(location, ".git"))
    ):
        return (f"# Editable install with no version control ({display})", f"-e {location}")
    if checkout.state == "broken" or remotes is None:  # git fails there (exit status 128)
        log.stderr.append(
            "WARNING: Error when trying to get requirement for VCS system git config "
            "--get-regexp 'remote\\..*\\.url' exited with 128"
        )
        log.stderr.append(f"WARNING: Could not determine repository location of {location}")
        return ("## !! Could not determine repository location", f"-e {location}")
    if not remotes:
        return (f"# Editable Git install with no remote ({display})", f"-e {location}")
    # pip's get_remote_url on git's output: the origin line, else the first; its second word
    found = next((r for r in remotes if r.startswith("remote.origin.url ")), remotes[0])
    words = found.split(" ")
    url = words[1] if len(words) > 1 else ""  # (pip: IndexError, a traceback)
    pip_url = _git_remote_to_pip_url(url.strip())
    if pip_url is None:
        return (
            f"# Editable Git install ({display}) with either a deleted local remote or "
            "invalid URI:",
            f"# '{url.strip()}'",
            f"-e {location}",
        )
    sha = git.head_commit(checkout)
    if sha is None:
        log.stderr.append(
            f"WARNING: Error when trying to get requirement for VCS system: cannot resolve HEAD "
            f"in {checkout.worktree} (a repository without commits?)"
        )
        log.stderr.append(f"WARNING: Could not determine repository location of {location}")
        return ("## !! Could not determine repository location", f"-e {location}")
    repo_root = os.path.abspath(os.path.join(_git_dir_printed(checkout, location), ".."))
    subdir = _project_subdirectory(location, repo_root, log)
    req = f"git+{pip_url}@{urllib.parse.quote(sha, '/')}#egg={dist.name.replace('-', '_')}"
    if subdir:
        req += f"&subdirectory={subdir}"
    return (f"-e {req}",)


def _git_dir_printed(checkout: git.Checkout, location: str) -> str:
    """What `git rev-parse --git-dir` run in `location` prints, joined to it as pip joins it:
    `.git` at the top of a checkout whose `.git` is a folder; anywhere else the git folder's
    real path, found from the real path of the working folder (through symlinks: then pip's
    `subdirectory=` climbs out of the repository and back, `../link/sub/proj`)."""
    if checkout.git_dir == os.path.join(checkout.worktree, ".git") and os.path.realpath(
        location
    ) == os.path.realpath(checkout.worktree):
        return os.path.join(location, ".git")
    return os.path.realpath(checkout.git_dir)


def _project_subdirectory(location: str, repo_root: str, log: _Log) -> Optional[str]:
    original = location
    while not _is_installable_dir(location):
        last = location
        location = os.path.dirname(location)
        if location == last:
            log.stderr.append(
                f"WARNING: Could not find a Python project for directory {original} "
                "(tried all parent directories)"
            )
            return None
    try:
        if os.path.samefile(repo_root, location):
            return None
    except OSError:
        pass
    return os.path.relpath(location, repo_root)


def frozen(dist: DistributionLike, log: Optional[_Log] = None, *, legacy: bool = False) -> Frozen:
    """FrozenRequirement.from_dist."""
    log = log if log is not None else _Log()
    if dist.editable:
        lines = _editable_lines(dist, log, legacy)
    else:
        lines = (direct_reference(dist) or name_version(dist, legacy),)
    return Frozen(dist.name, canonicalize_name(dist.name), lines, dist.editable)


# -- reading `-r` files the way pip freeze does (raw lines) ---------------------------------


class _LineError(Exception):
    pass


def _is_url(name: str) -> bool:
    if ":" not in name:
        return False
    scheme = name.split(":", 1)[0].lower()
    return scheme in ("http", "https", "file", "ftp", *VCS_SCHEMES)


def _egg_fragment(url: str) -> Optional[str]:
    import re

    found = re.search(_EGG, url)
    if not found:
        return None
    name = found.group(1)
    if not valid_project_name(name):
        raise _LineError(f"The egg fragment {name!r} of {url!r} is not a valid project name")
    return name


def _splitext(path: str) -> str:
    base, ext = os.path.splitext(path)
    if base.lower().endswith(".tar"):
        ext = base[-4:] + ext
    return ext


def _looks_like_path(name: str) -> bool:
    if os.path.sep in name or (os.path.altsep and os.path.altsep in name):
        return True
    return name.startswith(".")


def _requirement(text: str) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise _LineError(f"Invalid requirement: {text!r}: {exc}") from None


def name_from_line(text: str, cwd: str, warnings: Optional[list[str]] = None) -> Optional[str]:
    """The project name pip's install_req_from_line finds in `text` (None: unnamed).

    pip's warnings (a missing archive file) are appended to `warnings`.
    """
    import re
    import urllib.parse
    from pathlib import Path

    marker_sep = "; " if _is_url(text) else ";"
    if marker_sep in text:
        text = text.split(marker_sep, 1)[0]
    text = text.strip()
    if _is_url(text):
        link: Optional[str] = text
    else:
        path = os.path.normpath(os.path.join(cwd, text))
        stripped = re.match(r"^(.+)(\[[^\]]+\])$", path)
        if stripped:
            path = stripped.group(1)
        link = None
        if _looks_like_path(text) and os.path.isdir(path):
            if not _is_installable_dir(path):
                raise _LineError(
                    f"Directory {text!r} is not installable. Neither 'setup.py' nor "
                    "'pyproject.toml' found."
                )
            link = Path(path).as_uri()
        elif _splitext(path).lower() in ARCHIVE_EXTENSIONS:
            parts = text.split("@", 1)
            if os.path.isfile(path):
                link = Path(path).as_uri()
            elif not (len(parts) >= 2 and not _looks_like_path(parts[0])):
                if warnings is not None:
                    warnings.append(
                        f"WARNING: Requirement {text!r} looks like a filename, but the file does "
                        "not exist"
                    )
                link = Path(path).as_uri()
    if link is None:
        return _requirement(text).name
    link_path = urllib.parse.urlsplit(link).path
    if link_path.endswith(".whl"):  # (pip's `Link.is_wheel`: `.WHL` is no wheel)
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        filename = urllib.parse.unquote(link_path.rsplit("/", 1)[-1])
        try:
            return str(parse_wheel_filename(filename)[0])
        except InvalidWheelFilename as exc:
            raise _LineError(f"Invalid wheel filename: {exc}") from None
    egg = _egg_fragment(link)
    return _requirement(egg).name if egg else None


def name_from_editable(text: str, cwd: str) -> Optional[str]:
    """The project name pip's install_req_from_editable finds (None: a local folder)."""
    import re
    from pathlib import Path

    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        req = None
    if req is not None and req.url:
        return req.name
    url = text
    stripped = re.match(r"^(.+)(\[[^\]]+\])$", url)
    url_no_extras = stripped.group(1) if stripped else url
    # (`-e` alone: pip's os.path.isdir("") is False, not the current folder)
    local = os.path.join(cwd, url_no_extras) if url_no_extras else ""
    if os.path.isdir(local):
        url_no_extras = Path(os.path.normpath(os.path.abspath(local))).as_uri()
    if url_no_extras.lower().startswith("file:"):
        egg = _egg_fragment(url_no_extras)
        return _requirement(egg).name if egg else None
    for vcs in VCS_NAMES:
        if url.lower().startswith(f"{vcs}:"):
            url = f"{vcs}+{url}"
            break
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in VCS_SCHEMES:
        raise _LineError(
            f"{text} is not a valid editable requirement. It should either be a path to a local "
            "project or a VCS URL"
        )
    egg = _egg_fragment(url)
    if not egg:
        raise _LineError(
            f"Could not detect requirement name for '{text}', please specify one with "
            "your_package_name @ URL"
        )
    return _requirement(egg).name


def _split_lines(text: str) -> list[str]:
    """Lines as Python's text mode reads them (universal newlines), terminators removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _default_reader(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def freeze(
    snapshot: SnapshotLike,
    *,
    requirement_files: Sequence[str] = (),
    all: bool = False,
    exclude: Sequence[str] = (),
    exclude_editable: bool = False,
    reader: Optional[Reader] = None,
    cwd: Optional[str] = None,
) -> FreezeOutput:
    """What `pip freeze [-r F ...] [--all] [--exclude N ...] [--exclude-editable]` prints.

    `requirement_files` are printed in messages as given; relative paths in them (and `-e ./x`
    lines) resolve against `cwd` (default: the current folder), as pip resolves them.
    """
    cwd = cwd or os.getcwd()
    read = reader or _default_reader
    log = _Log()
    skip = set(STDLIB_PKGS)
    if not all:
        skip |= dev_packages(snapshot.interpreter.python_version)
    skip |= {canonicalize_name(n) for n in exclude}

    # what pip says while listing the environment (it says each "Ignoring" where it meets the
    # folder, Pinwise says them all first)
    log.stderr.extend(f"WARNING: {w}" for w in snapshot.warnings if w.startswith("Ignoring "))
    unreadable = _direct_url_errors(snapshot.warnings)
    legacy = uses_pkg_resources(snapshot.interpreter.python_version)
    installations: dict[str, Frozen] = {}
    for dist in snapshot.distributions:
        said = unreadable.get(dist.metadata_path + os.sep + "direct_url.json")
        if said is not None and "codec can't decode" in said:
            # not UTF-8: pip stops with a traceback (its reading is outside its try)
            log.stderr.append(f"WARNING: {said} (pip freeze stops with a traceback here)")
            log.failed = True
        elif said is not None:  # pip reads it twice per distribution, and says so twice
            log.stderr += [f"WARNING: {said}"] * 2
        item = frozen(dist, log, legacy=legacy)
        if exclude_editable and item.editable:
            continue
        installations[item.canonical_name] = item

    if requirement_files:
        state = _RequirementLines(cwd, installations, log)
        for req_path in requirement_files:
            try:
                data = read(req_path if os.path.isabs(req_path) else os.path.join(cwd, req_path))
            except OSError as exc:
                log.stderr.append(f"ERROR: Could not open requirements file: {exc}")
                log.failed = True
                continue
            try:
                text = data.decode() if isinstance(data, bytes) else data
            except UnicodeDecodeError as exc:
                # pip reads it in the locale's encoding (UTF-8) and stops with a traceback
                log.stderr.append(
                    f"ERROR: Could not read requirements file {req_path}: byte "
                    f"0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8 (pip stops "
                    "there); save the file as UTF-8"
                )
                log.failed = True
                continue
            for number, line in enumerate(_split_lines(text), start=1):
                state.line(line, number, req_path)
        for name, files in state.req_files.items():
            if len(files) > 1:
                log.stderr.append(
                    f"WARNING: Requirement {name} included multiple times "
                    f"[{', '.join(sorted(set(files)))}]"
                )
        log.stdout.append("## The following requirements were added by pip freeze:")

    for item in sorted(installations.values(), key=lambda x: x.name.lower()):
        if item.canonical_name not in skip:
            log.stdout.extend(item.lines)
    return FreezeOutput(log.stdout, log.stderr, 1 if log.failed else 0)


def _direct_url_errors(warnings: Sequence[str]) -> dict[str, str]:
    """The inspection's "Error parsing direct_url.json for <name>: <why> (<path>)" warnings,
    as pip words them (without the path), by the path of the file."""
    found: dict[str, str] = {}
    for warning in warnings:
        if warning.startswith("Error parsing direct_url.json for ") and warning.endswith(")"):
            said, _, path = warning[:-1].rpartition(" (")
            found[path] = said
    return found


class _RequirementLines:
    """pip freeze's reading of `-r` files: state shared across the files."""

    def __init__(self, cwd: str, installations: dict[str, Frozen], log: _Log) -> None:
        self.cwd = cwd
        self.installations = installations
        self.log = log
        self.emitted: set[str] = set()
        self.req_files: dict[str, list[str]] = {}

    def line(self, line: str, number: int, req_path: str) -> None:
        _freeze_line(self, line, number, req_path)


def _freeze_line(state: _RequirementLines, line: str, number: int, req_path: str) -> None:
    import re

    cwd, installations, log = state.cwd, state.installations, state.log
    emitted, req_files = state.emitted, state.req_files
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or line.startswith(ECHO_PREFIXES):
        shown = line.rstrip()
        if shown not in emitted:
            emitted.add(shown)
            log.stdout.append(shown)
        return
    shown_line = re.sub(COMMENT_RE, "", line).strip()
    try:
        if line.startswith(("-e", "--editable")):
            if line.startswith("-e"):
                value = line[2:].strip()
            else:
                value = line[len("--editable") :].strip().lstrip("=")
            # pip goes on with the value in place of the line (comment included)
            stripped = value.strip()
            shown_line = re.sub(COMMENT_RE, "", value).strip()
            name = name_from_editable(value, cwd)
        else:
            if shown_line.endswith("\\"):
                raise _LineError("continuation lines are not supported by pip freeze -r")
            if shown_line.startswith("-"):
                raise _LineError(f"the option {shown_line.split()[0]!r} is not supported here")
            name = name_from_line(shown_line, cwd, log.stderr)
    except _LineError as exc:
        log.stderr.append(
            f"WARNING: Skipping line {number} of requirement file [{req_path}]: {exc}. "
            "(pip freeze stops with an error on this line.)"
        )
        log.failed = True
        return
    if name is None:
        log.stdout.append(
            f"Skipping line in requirement file [{req_path}] because it's not clear what it "
            f"would install: {stripped}"
        )
        log.stdout.append("  (add #egg=PackageName to the URL to avoid this warning)")
        return
    canonical = canonicalize_name(name)
    if canonical not in installations:
        files = req_files.setdefault(name, [])
        if not files:
            log.stderr.append(
                f"WARNING: Requirement file [{req_path}] contains {shown_line}, but package "
                f"{name!r} is not installed"
            )
        else:
            files.append(req_path)
    else:
        log.stdout.extend(installations.pop(canonical).lines)
        req_files.setdefault(name, []).append(req_path)


def url_path(url: str) -> str:
    """Re-exported helper: a file: URL's local path."""
    return url_to_path(url)
