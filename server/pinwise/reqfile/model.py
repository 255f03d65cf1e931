"""The parsed form of requirements files: immutable, with exact source ranges for every token.

Shared contract between `reqfile` (which builds it), `analysis`, `freeze` and the faces. Fields may
be added; existing ones are not renamed or removed without updating every user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, overload

from pinwise._compat import SLOTS
from pinwise.spans import Span, moved


class LineKind(str, Enum):
    REQUIREMENT = "requirement"  # a requirement (PEP 508, URL, path), possibly with --hash / -C
    EDITABLE = "editable"  # -e / --editable
    INCLUDE = "include"  # -r / --requirement (pip follows it and ignores the line's other options)
    CONSTRAINT_INCLUDE = "constraint-include"  # -c / --constraint
    OPTIONS = "options"  # only global options (-i, --pre, --require-hashes, ...)
    INVALID = "invalid"  # pip would refuse it: see LogicalLine.error


class RequirementForm(str, Enum):
    NAMED = "named"  # PEP 508 `name[extras] specifier ; marker`
    NAMED_URL = "named-url"  # PEP 508 `name @ url`
    URL = "url"  # a bare URL (archive, wheel, VCS)
    PATH = "path"  # a local archive, wheel or project folder


@dataclass(frozen=True, **SLOTS)
class Token:
    """A piece of a logical line: its text as written (before `${VAR}` expansion) and range."""

    text: str
    span: Span


@dataclass(frozen=True, **SLOTS)
class Hash:
    algorithm: str  # sha256, sha384, sha512
    value: str
    span: Span  # the whole `--hash=...` option: rows relative to its line (see `Option`)


@dataclass(frozen=True, **SLOTS)
class Option:
    """One option on a line: `--index-url X`, `-rFILE`, `--hash=sha256:...`.

    `name` is pip's canonical long name (`--index-url` for `-i`, `--extra-index-url` for the
    prefix `--extra-index`), `written` the text as the user wrote it.

    Its spans (and those of its tokens, and of a `Hash`) count rows from the first row of the
    logical line it is on, as the requirement's do (see `LogicalLine`).
    """

    name: str
    written: Token
    value: Optional[Token]
    span: Span  # option and value together


@dataclass(frozen=True, **SLOTS)
class Requirement:
    """What pip would install for a requirement or editable line."""

    form: RequirementForm
    editable: bool
    name: Optional[str]  # as written (or derived from #egg= / a wheel file name); None: unnamed
    normalized_name: Optional[str]  # PEP 503 normalised
    name_span: Optional[Span]  # where the name stands (None when it is derived, e.g. a wheel)
    extras: tuple[str, ...]
    extras_span: Optional[Span]  # the whole `[a,b]`
    specifier: str  # PEP 440 specifier set as written, '' when none ("==1.0" for a wheel URL)
    specifier_span: Optional[Span]
    marker: Optional[str]
    marker_span: Optional[Span]  # the marker expression (after `;`)
    url: Optional[str]  # for URL / named-URL / VCS / path forms, the URL or path as written
    url_span: Optional[Span]
    vcs: Optional[str]  # git, hg, svn, bzr when the URL is a VCS URL
    vcs_revision: Optional[str]  # `@rev` part of a VCS URL
    is_wheel: bool
    is_archive: bool
    is_local_dir: bool
    hashes: tuple[Hash, ...]
    config_settings: tuple[str, ...]  # -C KEY=VALUE values
    span: Span  # the requirement text itself (name through marker), without options
    # (every span here counts rows from its line's first row: `LogicalLine.place`)
    # The URL pip would use: for paths the absolute file: URL (made absolute against the CWD, as
    # pip does); None for plain named requirements and on lines with ${VAR} expansion (the
    # expanded URL may hold a credential).
    link: Optional[str] = None


@dataclass(frozen=True, **SLOTS)
class Include:
    """A `-r` / `-c` on this line."""

    constraint: bool
    target: Token  # the file name as written, on the file's rows (unlike an option's tokens)
    resolved: str  # absolute path, or the URL for http(s) includes
    is_remote: bool  # http(s): pip fetches it, Pinwise does not


@dataclass(frozen=True, **SLOTS)
class Suppression:
    """`# pinwise: ignore` (codes empty: everything) or `# pinwise: ignore[PW001,PW002]`."""

    codes: frozenset[str]
    span: Span  # rows counted from its line's first row (`LogicalLine.place`)

    def silences(self, code: str) -> bool:
        return not self.codes or code in self.codes


@dataclass(frozen=True, **SLOTS)
class Diagnostic:
    """Something pip would say about a line: an error (PW005) or a warning pip prints."""

    message: str
    span: Span
    is_error: bool = True


@dataclass(frozen=True, **SLOTS)
class LogicalLine:
    """One logical line: physical lines joined by continuations, comment stripped.

    Where it stands is `first_line`, `last_line` and `span`, rows of the file. The spans of its
    parts (its requirement's, options', hashes', comment's and suppression's) count rows from
    `first_line` instead, so that they do not depend on where the line stands: `place` gives
    the file's. A line moved to another row (a line added above it) is then a new
    `LogicalLine` sharing every part with the line as it was (`parser._moved_line`), instead of
    a new parse; an editor adds rows near the top of a 5,000-line file, and keeps a few
    versions of it. The line's `error`, `warnings` and `include` may quote or point at its row
    (pip's messages name it): their spans are the file's, and such a line is never moved.
    """

    first_line: int  # 0-based physical line number (pip reports this + 1)
    last_line: int  # last physical line joined into it
    kind: LineKind
    raw_text: str  # joined text, comment stripped and whitespace trimmed, *before* ${VAR}
    span: Span  # raw_text's extent in the file
    requirement: Optional[Requirement] = None
    include: Optional[Include] = None
    options: tuple[Option, ...] = ()
    comment: Optional[Token] = None  # the comment that ends the line, if any (relative rows)
    suppression: Optional[Suppression] = None
    error: Optional[Diagnostic] = None  # set when kind is INVALID
    warnings: tuple[Diagnostic, ...] = ()  # what pip warns about but accepts
    expanded: bool = False  # ${VAR} was expanded: never show the expanded text to the user

    @overload
    def place(self, span: Span) -> Span: ...
    @overload
    def place(self, span: None) -> None: ...
    @overload
    def place(self, span: Optional[Span]) -> Optional[Span]: ...

    def place(self, span: Optional[Span]) -> Optional[Span]:
        """A span of one of this line's parts (rows counted from its first row) in the file."""
        return None if span is None else moved(span, self.first_line)


@dataclass(frozen=True, **SLOTS)
class PhysicalLine:
    text: str  # without terminator
    terminator: str  # '\n', '\r\n', '\r', ... or '' on the last line


@dataclass(frozen=True)
class RequirementsFile:
    """One parsed file."""

    path: str  # absolute path (or URL for a remote include)
    constraint: bool  # reached through -c (its requirements are constraints)
    lines: tuple[PhysicalLine, ...]
    logical_lines: tuple[LogicalLine, ...]
    encoding: str  # what it was decoded with
    bom: bytes  # the byte-order mark removed from the front, b'' when none
    read_error: Optional[str] = None  # when the file could not be read at all
    decode_warning: Optional[str] = None  # decoded with the locale encoding, say
    decode_fails: bool = False  # pip would fail to read it at all (`decode_warning` says why)

    @property
    def newline(self) -> str:
        """The file's dominant line terminator, for edits that add lines."""
        counts: dict[str, int] = {}
        for line in self.lines:
            if line.terminator:
                counts[line.terminator] = counts.get(line.terminator, 0) + 1
        return max(counts, key=lambda t: counts[t]) if counts else "\n"


@dataclass(frozen=True)
class IncludeEdge:
    includer: str  # path of the including file
    line: LogicalLine  # the -r/-c line
    target: str  # resolved path


@dataclass(frozen=True)
class RequirementsSet:
    """Root files and everything reached from them through -r/-c, in pip's reading order.

    A file reached twice (a diamond) appears once in `files`; `order` lists every visit as pip
    would make it.
    """

    roots: tuple[str, ...]
    files: dict[str, RequirementsFile] = field(default_factory=dict)
    edges: tuple[IncludeEdge, ...] = ()
    cycles: tuple[IncludeEdge, ...] = ()  # edges that close a cycle (PW007)
    missing: tuple[tuple[IncludeEdge, str], ...] = ()  # edges whose target can't be read, + why
    # Every visit of a file as pip makes it: (path, reached as constraints file). A diamond's
    # shared file appears once per path that reaches it.
    order: tuple[tuple[str, bool], ...] = ()
