"""The rules PW001-PW014: (parsed requirements, environment snapshot, settings) -> findings.

Pure: no I/O, no subprocess, no clock. Every finding carries its exact span and, where one
exists, its fix as text edits (the CLI prints the titles, the language server offers them as code
actions).
"""

from __future__ import annotations

import gc
import os
import re
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import compress, count
from operator import is_not, itemgetter
from typing import Any, NamedTuple, Optional, TypeVar, Union

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement
from packaging.utils import canonicalize_name

from pinwise._compat import bisect_left_by
from pinwise._generations import Generations
from pinwise.analysis.model import RULES, Finding, Fix, FixKind, LazyFixes, Settings, Severity
from pinwise.analysis.text import (
    MarkerError,
    evaluate_marker,
    is_commit,
    is_exact_pin,
    is_pinned,
    normalize_marker,
    pin_for,
    redact,
    satisfies,
    url_has_hash,
)
from pinwise.environment.model import Distribution, Snapshot
from pinwise.reqfile.model import (
    IncludeEdge,
    LineKind,
    LogicalLine,
    Requirement,
    RequirementForm,
    RequirementsFile,
    RequirementsSet,
)
from pinwise.spans import Position, Span, TextEdit

# What `pip freeze` never lists, and the installer's own tools: never "unaccounted for" (PW011).
NEVER_UNACCOUNTED = frozenset(
    {"pip", "setuptools", "wheel", "distribute", "python", "wsgiref", "argparse"}
)
PW011_LIST_LIMIT = 10


class _Entry:
    """A requirement or editable line, with the file it stands in (a plain class: an analysis
    makes one per line, a frozen dataclass took three times as long to make)."""

    __slots__ = ("file", "is_constraint", "line", "req")

    def __init__(
        self, file: RequirementsFile, line: LogicalLine, req: Requirement, is_constraint: bool
    ) -> None:
        self.file = file
        self.line = line
        self.req = req
        self.is_constraint = is_constraint  # the file's `constraint` (read on every pass)

    @property
    def anchor(self) -> Span:
        """Where findings about the requirement as a whole point: its name, else its text."""
        req = self.req
        return self.line.place(req.name_span or req.url_span or req.span)


class _SnapshotCache:
    """What the rules derive from one snapshot alone, kept while the snapshot is current.

    The language server analyses the same snapshot on every keystroke: Requires-Dist parsing,
    marker verdicts and `pip check`'s per-distribution verdicts are computed once per snapshot.
    Entries are only ever added (a race between threads recomputes the same value).
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.installed = _installed_index(snapshot)
        self.requires: dict[str, tuple[PkgRequirement, ...]] = {}
        self.dep_markers: dict[tuple[str, str], bool] = {}
        self.line_markers: dict[str, object] = {}  # marker -> bool, or the MarkerError text
        self.problems: dict[str, tuple[tuple[str, ...], tuple[Distribution, ...]]] = {}
        # the requirements' roots (name, extras) -> every installed name they account for
        self.accounted: dict[frozenset[tuple[str, frozenset[str]]], frozenset[str]] = {}
        self.by_display_name = sorted(snapshot.distributions, key=lambda d: d.name.lower())
        self.memo = _LineMemo()
        self.no_problems: Optional[bool] = None  # see `_no_problems`


class _LineMemo:
    """Findings about one requirement line, kept between analyses (one memo per snapshot).

    A rule's findings about a line depend only on that line (the parser hands back the very
    same `LogicalLine` object for an unchanged text at the same place, so its identity stands
    for its text and position), its file (path, constraint), the snapshot (one memo each) and a
    few facts about the set, all part of the key. Settings are applied later (`_finish`, whose
    per-finding work is memoised per settings). Keys hold `id()`s; each value keeps the objects
    those ids belong to alive and is checked against them by identity.

    One `_SetMemo` per set of roots (a document and what it includes): each full analysis of the
    set begins a round of its memo (`Generations`), so what the last three full analyses did not
    use is dropped. Only ever replaced or added to: safe between worker threads.
    """

    def __init__(self) -> None:
        self.sets: OrderedDict[tuple[str, ...], _SetMemo] = OrderedDict()
        # the last analysis of each set of roots, for `_splice` (replaced, never edited), and
        # the one before it, for an edit undone (`_same_as_recent`)
        self.previous: OrderedDict[tuple[str, ...], _Previous] = OrderedDict()
        self.before: OrderedDict[tuple[str, ...], _Previous] = OrderedDict()

    def for_roots(self, roots: tuple[str, ...]) -> _SetMemo:
        with _SNAPSHOT_LOCK:
            memo = self.sets.get(roots)
            if memo is None:
                memo = self.sets[roots] = _SetMemo()
                while len(self.sets) > _PREVIOUS_SIZE:
                    self.sets.popitem(last=False)
            else:
                self.sets.move_to_end(roots)
            return memo


class _SetMemo:
    """The memo of one set of roots: findings per line, and `_finish`'s work per finding."""

    def __init__(self) -> None:
        # key -> (the objects whose ids the key holds..., their findings): one flat tuple
        self.lines: Generations[tuple[object, ...], tuple[Any, ...]]
        self.lines = Generations(_MEMO_SIZE)
        self.finish: tuple[Optional[Settings], Generations[int, _Finished]] = (
            None,
            Generations(_MEMO_SIZE),
        )

    def finish_table(self, settings: Settings) -> Generations[int, _Finished]:
        current, table = self.finish
        if current is not settings and current != settings:
            table = Generations(_MEMO_SIZE)
            self.finish = (settings, table)
        return table

    def begin_round(self) -> None:
        """A full analysis of the set begins: see `Generations`. Its round may grow to
        `_MEMO_SIZE` (until `end_round`): a set grown past the limit the last analysis set
        would otherwise end rounds during this one, and push out what it used itself."""
        for table in (self.lines, self.finish[1]):
            table.rotate()
            table.limit = _MEMO_SIZE

    def end_round(self) -> None:
        """A full analysis of the set ended: the rounds of its tables end again once they have
        grown by half. Keystrokes (`_splice`) add entries for the lines they change (a first
        occurrence's later lines too: a dozen on 5,000 lines) and begin no round: with only
        `_MEMO_SIZE` to end one, the dead entries of old versions piled up, ~16 KB per
        keystroke."""
        for table in (self.lines, self.finish[1]):
            table.limit = max(_ROUND_FLOOR, min(_MEMO_SIZE, 3 * len(table.current) // 2))


@dataclass(frozen=True)
class _Previous:
    """An analysis of a set, what `_splice` starts from: its set, settings and findings, and
    what the set-level passes decided (see `_Context`)."""

    reqset: RequirementsSet
    settings: Settings
    findings: tuple[Finding, ...]
    firsts: dict[int, tuple[str, LogicalLine]]
    dups: dict[int, list[tuple[str, LogicalLine]]]
    deps: dict[int, tuple[str, ...]]
    pins: frozenset[str]
    hash_mode: bool
    by_name: Optional[dict[str, list[_Entry]]] = None
    roots: Optional[Counter[tuple[str, frozenset[str]]]] = None
    unaccounted: Optional[tuple[str, ...]] = None


_PREVIOUS_SIZE = 16  # sets of roots remembered per snapshot
_SPLICE_LIMIT = 32  # more changed lines than this: a full analysis


_FindingKey = tuple[str, str, int, int, int, int, str]
_SortKey = tuple[str, int, int, int, int, str]  # path, position, code
# What `_finish` keeps of a finding: the finding itself when it is kept as it is, else the
# finding and what it became (None: dropped).
_Finished = Union[Finding, tuple[Finding, Optional[Finding]]]
_MEMO_SIZE = 100_000  # entries of one round (a bigger set begins rounds more often)
_ROUND_FLOOR = 2_000  # entries a round may grow to, at least, before it ends (`end_round`)


def _same_objects(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    if len(a) == 1:
        return len(b) == 1 and a[0] is b[0]
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


_NO_SNAPSHOT_MEMO = _LineMemo()


_SNAPSHOT_CACHES: OrderedDict[int, _SnapshotCache] = OrderedDict()
_SNAPSHOT_CACHE_SIZE = 4
_SNAPSHOT_LOCK = threading.Lock()


def clear_caches() -> None:
    """Forget every per-snapshot cache and memoised finding (tests: a fresh analysis)."""
    with _SNAPSHOT_LOCK:
        _SNAPSHOT_CACHES.clear()
    _NO_SNAPSHOT_MEMO.sets = OrderedDict()
    _NO_SNAPSHOT_MEMO.previous = OrderedDict()
    _NO_SNAPSHOT_MEMO.before = OrderedDict()


def _snapshot_cache(snapshot: Snapshot) -> _SnapshotCache:
    """The cache of `snapshot` (by identity: snapshots are immutable and replaced, not edited)."""
    with _SNAPSHOT_LOCK:
        cache = _SNAPSHOT_CACHES.get(id(snapshot))
        if cache is not None and cache.snapshot is snapshot:
            _SNAPSHOT_CACHES.move_to_end(id(snapshot))
            return cache
        cache = _SNAPSHOT_CACHES[id(snapshot)] = _SnapshotCache(snapshot)
        while len(_SNAPSHOT_CACHES) > _SNAPSHOT_CACHE_SIZE:
            _SNAPSHOT_CACHES.popitem(last=False)
        return cache


_Related = tuple[tuple[str, Span, str], ...]


@dataclass
class _Context:
    reqset: RequirementsSet
    snapshot: Optional[Snapshot]
    settings: Settings
    findings: list[Finding] = field(default_factory=list)
    installed: dict[str, Distribution] = field(default_factory=dict)
    marker_errors: set[tuple[str, int]] = field(default_factory=set)
    cache: Optional[_SnapshotCache] = None
    entries: list[_Entry] = field(default_factory=list)
    memo: _LineMemo = field(default_factory=_LineMemo)
    set_memo: _SetMemo = field(default_factory=_SetMemo)  # `memo.for_roots(reqset.roots)`
    stable: set[int] = field(default_factory=set)  # ids of the findings the memo keeps
    # What the set-level passes decided, kept for `_splice`: id(line) -> (path, line) of the
    # first occurrence it duplicates (PW004), id(first line) -> its duplicates, id(line) ->
    # `pip check`'s messages put on it (PW012), the names a constraints file pins, whether
    # hash-checking mode is on.
    firsts: dict[int, tuple[str, LogicalLine]] = field(default_factory=dict)
    dups: dict[int, list[tuple[str, LogicalLine]]] = field(default_factory=dict)
    deps: dict[int, tuple[str, ...]] = field(default_factory=dict)
    pins: frozenset[str] = frozenset()
    hash_mode: bool = False
    # PW004's words about each first occurrence, by id(its line): where it is, its related
    # place, and the message of a later line by how that line spells the name (`_duplicate`)
    about_first: dict[int, tuple[str, _Related, dict[str, str]]] = field(default_factory=dict)
    # and, for a set without includes, every named requirement line by name in reading order,
    # the (name, extras) roots PW011 walks from (how many lines each), its unaccounted names
    by_name: Optional[dict[str, list[_Entry]]] = None
    roots: Optional[Counter[tuple[str, frozenset[str]]]] = None
    unaccounted: Optional[tuple[str, ...]] = None

    def memoised(
        self,
        key: tuple[object, ...],
        objects: tuple[object, ...],
        build: Callable[..., None],
        *args: object,
    ) -> None:
        """Add what `build(self, *args)` adds, reusing the findings of an earlier analysis when
        `key` (made of `objects`' ids and plain values) and `objects` (by identity) are the
        same."""
        table = self.set_memo.lines
        hit = table.get(key, None)
        n = len(objects)  # the same number in `hit` (their number is part of the key's kind)
        if (
            hit is not None
            and hit[0] is objects[0]
            and (n == 1 or (hit[1] is objects[1] and (n == 2 or _same_objects(hit[:n], objects))))
        ):
            self.findings.extend(hit[n])
            self.stable.update(map(id, hit[n]))
            return
        start = len(self.findings)
        build(self, *args)
        found = tuple(self.findings[start:])
        table.put(key, (*objects, found))
        self.stable.update(map(id, found))

    def marker_known(self, entry: _Entry) -> bool:
        """Whether `applies(entry)` answers without adding a finding (no marker, no snapshot,
        or a marker that evaluates): only then are the line's findings memoised."""
        marker = entry.req.marker
        if not marker or self.snapshot is None or self.cache is None:
            return True
        verdict = self.cache.line_markers.get(marker)
        if verdict is None:
            try:
                verdict = evaluate_marker(marker, self.snapshot.markers)
            except MarkerError as exc:
                verdict = str(exc)
            self.cache.line_markers[marker] = verdict
        return isinstance(verdict, bool)

    def requires(self, dist: Distribution) -> tuple[PkgRequirement, ...]:
        """The distribution's Requires-Dist, parsed once per snapshot (invalid ones skipped)."""
        assert self.cache is not None
        key = dist.metadata_path
        cached = self.cache.requires.get(key)
        if cached is None:
            parsed: list[PkgRequirement] = []
            for text in dist.requires:
                try:
                    parsed.append(PkgRequirement(text))
                except InvalidRequirement:
                    continue
            cached = self.cache.requires[key] = tuple(parsed)
        return cached

    def dep_applies(self, req: PkgRequirement, extra: str) -> bool:
        """Whether a Requires-Dist's marker holds here with `extra` (cached per marker)."""
        if req.marker is None:
            return True
        assert self.cache is not None
        key = (str(req.marker), extra)
        cached = self.cache.dep_markers.get(key)
        if cached is None:
            try:
                cached = evaluate_marker(key[0], self.cache.snapshot.markers, extra)
            except MarkerError:
                cached = False
            self.cache.dep_markers[key] = cached
        return cached

    def problems(self, dist: Distribution) -> tuple[tuple[str, ...], tuple[Distribution, ...]]:
        """`pip check`'s messages about `dist`'s own dependencies, and the installed ones it
        pulls in (markers evaluated without extras), once per snapshot."""
        assert self.cache is not None
        key = dist.metadata_path
        cached = self.cache.problems.get(key)
        if cached is None:
            messages: list[str] = []
            pulled: list[Distribution] = []
            for dep in self.requires(dist):
                if not self.dep_applies(dep, ""):
                    continue
                problem = _dep_problem(self, dist, dep)
                if problem is not None:
                    messages.append(problem[0])
                found = self.installed.get(canonicalize_name(dep.name))
                if found is not None:
                    pulled.append(found)
            cached = self.cache.problems[key] = (tuple(messages), tuple(pulled))
        return cached

    def add(
        self,
        code: str,
        file: RequirementsFile,
        span: Span,
        message: str,
        *,
        fixes: Sequence[Fix] = (),
        name: Optional[str] = None,
        related: tuple[tuple[str, Span, str], ...] = (),
        severity: Optional[Severity] = None,
    ) -> None:
        self.findings.append(
            Finding(
                code=code,
                severity=severity or RULES[code][0],
                message=message,
                path=file.path,
                span=span,
                fixes=fixes,
                name=name,
                related=related,
            )
        )

    def applies(self, entry: _Entry) -> Optional[bool]:
        """Whether the line's marker holds on the selected interpreter (None: cannot tell)."""
        marker = entry.req.marker
        if not marker:
            return True
        if self.snapshot is None or self.cache is None:
            return None
        verdict = self.cache.line_markers.get(marker)
        if verdict is None:
            try:
                verdict = evaluate_marker(marker, self.snapshot.markers)
            except MarkerError as exc:
                verdict = str(exc)
            self.cache.line_markers[marker] = verdict
        if isinstance(verdict, bool):
            return verdict
        key = (entry.file.path, entry.line.first_line)
        if key not in self.marker_errors:
            self.marker_errors.add(key)
            self.add(
                "PW005",
                entry.file,
                entry.line.place(entry.req.marker_span or entry.req.span),
                f"Invalid marker: {marker!r} cannot be evaluated: {verdict}",
                severity=Severity.ERROR,
            )
        return None


def _files(reqset: RequirementsSet) -> Iterator[RequirementsFile]:
    yield from reqset.files.values()


def _file_entries(file: RequirementsFile) -> Iterator[_Entry]:
    for line in file.logical_lines:
        if line.requirement is not None and line.kind in (LineKind.REQUIREMENT, LineKind.EDITABLE):
            yield _Entry(file, line, line.requirement, file.constraint)


_ENTRY_KINDS = (LineKind.REQUIREMENT, LineKind.EDITABLE)


def _all_entries(reqset: RequirementsSet) -> list[_Entry]:
    return [
        _Entry(file, line, line.requirement, file.constraint)
        for file in reqset.files.values()
        for line in file.logical_lines
        if line.requirement is not None and line.kind in _ENTRY_KINDS
    ]


def _entries(reqset: RequirementsSet) -> Iterator[_Entry]:
    yield from _all_entries(reqset)


def _reading_order(
    reqset: RequirementsSet, starts: Optional[tuple[str, ...]] = None
) -> list[_Entry]:
    """Every requirement line in the order pip reads them: an include's lines stand where its
    -r/-c line stands (each file once, at its first visit; cycles not followed). From `starts`
    only when given (one root: what `pip install -r <root>` reads), else from every root, then
    from any file not reached yet.

    An explicit stack, not a recursive closure: a closure referring to itself is a reference
    cycle, which would keep the whole parsed set alive until the next full collection.
    """
    files = reqset.files
    targets: dict[tuple[str, int], str] = {
        (edge.includer, edge.line.first_line): edge.target for edge in reqset.edges
    }
    out: list[_Entry] = []
    visited: set[str] = set()
    for start in starts if starts is not None else (*reqset.roots, *files):
        if start in visited or start not in files:
            continue
        visited.add(start)
        stack = [(files[start], iter(files[start].logical_lines))]
        while stack:
            file, lines = stack[-1]
            for line in lines:
                if line.include is not None:
                    target = targets.get((file.path, line.first_line))
                    if target is not None and target not in visited and target in files:
                        visited.add(target)
                        child = files[target]
                        stack.append((child, iter(child.logical_lines)))
                        break
                elif line.requirement is not None and line.kind in (
                    LineKind.REQUIREMENT,
                    LineKind.EDITABLE,
                ):
                    out.append(_Entry(file, line, line.requirement, file.constraint))
            else:
                stack.pop()
    return out


def _env_label(snapshot: Snapshot) -> str:
    interp = snapshot.interpreter
    return f"{interp.env_name} (Python {interp.python_version})"


def _header_span(file: RequirementsFile) -> Span:
    """Where file-level findings go: the first non-empty line, else the very start."""
    for number, physical in enumerate(file.lines):
        if physical.text.strip():
            return Span.on_line(number, 0, len(physical.text))
    return Span.on_line(0, 0, 0)


class _Around(NamedTuple):
    """What the fixes of a finding on `line` read of its file, kept instead of the file (see
    `LazyFixes`)."""

    path: str
    line: LogicalLine
    last_text: Optional[str]  # the line's last physical row, None past the end of the file
    last_ends: bool  # that row has a terminator
    above: int  # the length of the row above the line (0 on the first row)


def _around(file: RequirementsFile, line: LogicalLine) -> _Around:
    rows = file.lines
    first, last = line.first_line, line.last_line
    row = rows[last] if last < len(rows) else None
    above = len(rows[first - 1].text) if 0 < first <= len(rows) else 0
    return _Around(
        file.path,
        line,
        None if row is None else row.text,
        row is not None and bool(row.terminator),
        above,
    )


def _last_row_end(at: _Around) -> Position:
    return Position(at.line.last_line, 0 if at.last_text is None else len(at.last_text))


def _delete_line_edit(at: _Around) -> TextEdit:
    """An edit deleting every physical line of `at.line`, terminator included."""
    line = at.line
    if at.last_ends:
        span = Span(Position(line.first_line, 0), Position(line.last_line + 1, 0))
    elif line.first_line > 0:
        span = Span(Position(line.first_line - 1, at.above), _last_row_end(at))
    else:
        span = Span(Position(0, 0), _last_row_end(at))
    return TextEdit(at.path, span, "")


def _ignore_fix(file: RequirementsFile, line: LogicalLine, code: str) -> Fix:
    """Append `# pinwise: ignore[CODE]`, or merge CODE into the line's existing suppression."""
    return _ignore_fix_at(_around(file, line), code)


def _ignore_fix_at(at: _Around, code: str) -> Fix:
    title = f"Ignore {code} on this line"
    line = at.line
    sup = line.suppression
    if sup is not None and sup.codes:
        codes = ",".join(sorted(sup.codes | {code}))
        edit = TextEdit(at.path, line.place(sup.span), f"# pinwise: ignore[{codes}]")
    else:
        if line.comment is not None:
            end = line.place(line.comment.span).end
        else:
            end = _last_row_end(at)
            text = at.last_text or ""
            if text.endswith("\\"):
                # a continuation left dangling at the end of the file: the comment goes before
                # it (after it, the backslash would become part of the requirement)
                end = Position(line.last_line, len(text.rstrip("\\")))
        edit = TextEdit(at.path, Span(end, end), f"  # pinwise: ignore[{code}]")
    return Fix(title=title, kind=FixKind.IGNORE, edits=(edit,))


def _only_ignore(at: _Around, code: str) -> tuple[Fix, ...]:
    return (_ignore_fix_at(at, code),)


def _ignore_fixes(entry: _Entry, code: str) -> LazyFixes:
    """The fixes of a finding whose only fix is to ignore it on its line."""
    return LazyFixes(_only_ignore, _around(entry.file, entry.line), code)


def _pin_edit(path: str, line: LogicalLine, req: Requirement, new_spec: str) -> Optional[TextEdit]:
    """`req`'s specifier (on `line`) replaced by `new_spec`, or `new_spec` added after it."""
    if req.specifier_span is not None:
        return TextEdit(path, line.place(req.specifier_span), new_spec)
    anchor = line.place(req.extras_span or req.name_span)
    if anchor is None:
        return None
    return TextEdit(path, Span(anchor.end, anchor.end), new_spec)


def _display(entry: _Entry) -> str:
    """How a requirement is named in messages: its name as written, never expanded text."""
    req = entry.req
    span = req.name_span
    if span is not None and span.start.line == span.end.line:  # (a name a `\` splits: below)
        physical = entry.file.lines[entry.line.first_line + span.start.line].text
        written = physical[span.start.character : span.end.character]
        if written:
            return written
    if req.name and not entry.line.expanded:
        return req.name
    return entry.line.raw_text


def _written(entry: _Entry, span: Optional[Span], value: Optional[str]) -> str:
    """`value` for a message; on a line where ${VAR} was expanded, the text as written instead
    (an expanded value is often a credential)."""
    if not entry.line.expanded:
        return value or ""
    if span is not None and span.start.line == span.end.line:
        row = entry.line.first_line + span.start.line
        if row < len(entry.file.lines):
            return entry.file.lines[row].text[span.start.character : span.end.character]
    return "(the text as written)"


def _short(path: str) -> str:
    return os.path.basename(path) or path


# --- file-level rules: PW005 (invalid lines), PW006 (missing includes), PW007 (cycles) -------


def _decoding(file: RequirementsFile) -> Severity:
    """PW005 on a file's encoding: an error where pip fails to read the file, else a warning
    (pip falls back to the locale's encoding, and says so)."""
    return Severity.ERROR if file.decode_fails else Severity.WARNING


def _check_lines_valid(ctx: _Context) -> None:
    for file in _files(ctx.reqset):
        if file.decode_warning:
            ctx.add(
                "PW005", file, _header_span(file), file.decode_warning, severity=_decoding(file)
            )
        for line in file.logical_lines:
            if line.error is not None:
                severity = Severity.ERROR if line.error.is_error else Severity.WARNING
                ctx.add("PW005", file, line.error.span, line.error.message, severity=severity)
            for warning in line.warnings:
                ctx.add("PW005", file, warning.span, warning.message, severity=Severity.WARNING)


def _check_includes(ctx: _Context) -> None:
    reqset = ctx.reqset
    missing_targets = {edge.target for edge, _ in reqset.missing}
    for edge, why in reqset.missing:
        includer = reqset.files.get(edge.includer)
        if includer is None or edge.line.include is None:
            continue
        kind = "constraint" if edge.line.include.constraint else "requirements"
        message = (
            why if why.startswith("Could not open") else (f"Could not open {kind} file: {why}")
        )
        ctx.add(
            "PW006",
            includer,
            edge.line.include.target.span,
            message,
            severity=Severity.ERROR,
        )
    for edge in reqset.edges:
        include = edge.line.include
        includer = reqset.files.get(edge.includer)
        if include is None or includer is None or not include.is_remote:
            continue
        ctx.add(
            "PW006",
            includer,
            include.target.span,
            f"{include.target.text} is not fetched by Pinwise: the requirements it holds are "
            "not checked (pip downloads it at install time)",
            severity=Severity.INFORMATION,
        )
    for root in reqset.roots:
        file = reqset.files.get(root)
        if file is not None and file.read_error and root not in missing_targets:
            ctx.add(
                "PW006",
                file,
                Span.on_line(0, 0, 0),
                f"Could not open requirements file: {file.read_error}",
                severity=Severity.ERROR,
            )
    for edge in reqset.cycles:
        includer = reqset.files.get(edge.includer)
        if includer is None or edge.line.include is None:
            continue
        ctx.add(
            "PW007",
            includer,
            edge.line.include.target.span,
            f"{edge.line.include.target.text} recursively references itself in "
            f"{_short(edge.includer)}",
            severity=Severity.ERROR,
        )


# --- PW001 not pinned, PW013 moving target -----------------------------------------------------


def _url_pinned(req: Requirement) -> bool:
    if req.vcs:
        return is_commit(req.vcs, req.vcs_revision)
    return req.is_wheel or bool(req.hashes) or url_has_hash(req.url)


def _constraint_pins(ctx: _Context) -> dict[str, _Entry]:
    pins: dict[str, _Entry] = {}
    for entry in ctx.entries:
        req = entry.req
        if not entry.is_constraint or req.normalized_name is None:
            continue
        pinned = _url_pinned(req) if req.url else is_pinned(req.specifier)
        if pinned and ctx.applies(entry) is not False:
            pins.setdefault(req.normalized_name, entry)
    return pins


def _check_lines(ctx: _Context) -> None:
    """PW001 and, with a snapshot, PW002, PW003, PW009, PW014: what each line says about
    itself. They depend on the line, its file, whether a constraints file pins its name and
    the snapshot: memoised (see `_LineMemo`) unless its marker cannot be evaluated (`applies`
    then adds a PW005 once per analysis)."""
    pins = _constraint_pins(ctx)
    ctx.pins = frozenset(pins)
    label = _env_label(ctx.snapshot) if ctx.snapshot is not None else None
    memo, findings, stable = ctx.set_memo.lines, ctx.findings, ctx.stable
    newest = memo.current
    for entry in ctx.entries:
        req = entry.req
        name = req.normalized_name
        pinned = name is not None and name in pins
        if not req.marker or ctx.marker_known(entry):
            # `_memoised_line`, its look-up inlined (one call less per line)
            line = entry.line
            key = ("line", id(line), entry.file.path, entry.is_constraint, pinned)
            hit = newest.get(key) or memo.get(key, None)
            if hit is not None and hit[0] is line:
                findings.extend(hit[1])
                stable.update(map(id, hit[1]))
            else:
                _memoised_line(ctx, entry, pinned, label)
        else:
            _line_rules(ctx, entry, pinned, label)


def _memoised_line(ctx: _Context, entry: _Entry, pinned: bool, label: Optional[str]) -> None:
    line = entry.line
    ctx.memoised(
        ("line", id(line), entry.file.path, entry.is_constraint, pinned),
        (line,),
        _line_rules,
        entry,
        pinned,
        label,
    )


def _line_rules(ctx: _Context, entry: _Entry, pinned: bool, label: Optional[str]) -> None:
    if not (entry.is_constraint or entry.req.editable or pinned):
        _check_pinned_line(ctx, entry)
    if label is not None:
        _check_installed_line(ctx, entry, label)


def _check_pinned_line(ctx: _Context, entry: _Entry) -> None:
    """PW001 on one requirement line (not a constraint, not editable, no constraint pin)."""
    req = entry.req
    if req.form in (RequirementForm.NAMED,):
        if is_pinned(req.specifier):
            return
        what = f"{_display(entry)} is not pinned to one version" + (
            f" ({_written(entry, req.specifier_span, req.specifier)} allows several)"
            if req.specifier
            else ""
        )
    elif req.vcs:
        if is_commit(req.vcs, req.vcs_revision):
            return
        what = f"{_display(entry)} is not pinned: the {req.vcs} URL names no commit"
    elif req.is_local_dir:
        what = f"{_display(entry)} is not pinned: a local folder can change at any time"
    else:
        if _url_pinned(req):
            return
        what = f"{_display(entry)} is not pinned: the URL has no hash (#sha256= or --hash)"
    pin: Optional[str] = None
    suffix = ""
    dist = ctx.installed.get(req.normalized_name or "") if ctx.snapshot else None
    if dist is not None and req.form is RequirementForm.NAMED and ctx.applies(entry) is True:
        suffix = f"; {dist.version} is installed"
        # (no pin written over a ${VAR}: the line's author chose the variable)
        pin = None if entry.line.expanded else pin_for(dist.version)
    ctx.add(
        "PW001",
        entry.file,
        _name_to_specifier(entry) if req.form is RequirementForm.NAMED else entry.anchor,
        what + suffix,
        fixes=LazyFixes(_unpinned_fixes, _around(entry.file, entry.line), req, pin),
        name=req.normalized_name,
    )


def _unpinned_fixes(at: _Around, req: Requirement, pin: Optional[str]) -> tuple[Fix, ...]:
    """PW001's fixes: pin to the installed version (`pin`, when one is installed), ignore."""
    edit = None if pin is None else _pin_edit(at.path, at.line, req, pin)
    ignore = _ignore_fix_at(at, "PW001")
    if edit is None:
        return (ignore,)
    title = f"Pin to installed version ({pin})"
    return (Fix(title=title, kind=FixKind.PIN, edits=(edit,), is_preferred=True), ignore)


def _name_to_specifier(entry: _Entry) -> Span:
    """`requests[socks]>=2`: from the name to the end of the specifier (or extras, or name)."""
    req = entry.req
    end = req.specifier_span or req.extras_span or req.name_span
    if req.name_span is None or end is None or end.end.line != req.name_span.start.line:
        return entry.line.place(req.specifier_span) or entry.anchor
    return entry.line.place(Span(req.name_span.start, end.end))


def _check_moving_target(ctx: _Context) -> None:
    for entry in ctx.entries:
        _moving_target(ctx, entry)


def _moving_target(ctx: _Context, entry: _Entry) -> None:
    """PW013 on one line."""
    req = entry.req
    if not req.vcs or is_commit(req.vcs, req.vcs_revision):
        return
    if req.vcs_revision:
        message = (
            f"{req.vcs} revision"
            + ("" if entry.line.expanded else f" {req.vcs_revision!r}")
            + " is a branch or tag, not a commit: what it installs changes over time "
            "(use the full commit id)"
        )
    else:
        message = (
            f"the {req.vcs} URL has no @revision: it installs whatever the default branch "
            "holds at install time (add @<full commit id>)"
        )
    ctx.add(
        "PW013",
        entry.file,
        entry.line.place(req.url_span or req.span),
        message,
        fixes=_ignore_fixes(entry, "PW013"),
        name=req.normalized_name,
    )


# --- PW004 duplicates --------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _spec_key(specifier: str) -> object:
    """A specifier set's comparable form (equal sets compare equal whatever their spelling)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(specifier)
    except InvalidSpecifier:
        return specifier


def _same_text(a: Requirement, b: Requirement) -> bool:
    if (a.specifier, a.editable, a.url, a.extras, a.marker) == (
        b.specifier,
        b.editable,
        b.url,
        b.extras,
        b.marker,
    ):
        return True  # written the same way (the common case): no parsing needed
    return (
        _spec_key(a.specifier) == _spec_key(b.specifier)
        and a.editable == b.editable
        and (a.url or "") == (b.url or "")
        and {canonicalize_name(e) for e in a.extras} == {canonicalize_name(e) for e in b.extras}
        and normalize_marker(a.marker) == normalize_marker(b.marker)
    )


def _clash(ctx: _Context, a: _Entry, b: _Entry) -> bool:
    if not a.req.marker or not b.req.marker:
        return True
    if ctx.snapshot is None:
        return normalize_marker(a.req.marker) == normalize_marker(b.req.marker)
    return ctx.applies(a) is True and ctx.applies(b) is True


def _check_duplicates(ctx: _Context) -> None:
    """PW004 on every later line, in pip's reading order, that requires a project again: within
    what one `pip install -r <root>` reads, root by root (independent files, a docs build's and
    a service's, are not one install)."""
    reqset = ctx.reqset
    if len(reqset.roots) > 1:
        for root in reqset.roots:
            _duplicates_in(ctx, _reading_order(reqset, (root,)))
    elif _simple(reqset):
        ctx.by_name = _duplicates_in(ctx, ctx.entries)  # no includes: the root's lines
    else:
        _duplicates_in(ctx, _reading_order(reqset))


def _duplicates_in(ctx: _Context, ordered: list[_Entry]) -> dict[str, list[_Entry]]:
    """PW004 among `ordered`, the lines of one install in reading order; returns its lines by
    project name."""
    seen: dict[str, list[_Entry]] = {}
    firsts, dups = ctx.firsts, ctx.dups
    memo, findings, stable = ctx.set_memo.lines, ctx.findings, ctx.stable
    newest = memo.current
    for entry in ordered:
        req = entry.req
        name = req.normalized_name
        if entry.is_constraint or name is None:
            continue
        earlier = seen.get(name)
        if earlier is None:
            seen[name] = [entry]
            continue
        if not req.marker:
            first: Optional[_Entry] = earlier[0]  # no marker: it clashes with every earlier line
        else:
            first = next((e for e in earlier if _clash(ctx, e, entry)), None)
        earlier.append(entry)
        if first is None:
            continue
        line, file, first_line = entry.line, entry.file, first.line
        firsts[id(line)] = (first.file.path, first_line)
        found = dups.get(id(first_line))
        if found is None:
            dups[id(first_line)] = [(file.path, line)]
        else:
            found.append((file.path, line))
        # `_memoised_duplicate`, its look-up inlined (two calls less per line)
        key = ("PW004", id(line), file.path, first.file.path, _ending(file, line))
        hit = newest.get(key) or memo.get(key, None)
        if hit is not None and hit[0] is line and hit[1] is first_line:
            findings.extend(hit[2])
            stable.update(map(id, hit[2]))
        else:
            _memoised_duplicate(ctx, entry, first)
    return seen


def _simple(reqset: RequirementsSet) -> bool:
    """No includes: pip reads the roots' lines root by root, each file once."""
    return not reqset.edges and list(reqset.files) == list(dict.fromkeys(reqset.roots))


def _ending(file: RequirementsFile, line: LogicalLine) -> object:
    """What the "Remove duplicate" edit of `line` deletes depends on besides the line itself."""
    last = line.last_line
    if last < len(file.lines) and file.lines[last].terminator:
        return True
    if line.first_line > 0:
        return len(file.lines[line.first_line - 1].text)
    return None


def _memoised_duplicate(ctx: _Context, entry: _Entry, first: _Entry) -> None:
    """PW004 on `entry`, a later line requiring what `first` requires (memoised)."""
    line, file = entry.line, entry.file
    # Keyed by the line alone, its first occurrence checked by identity (`memoised`): a
    # keystroke on a first occurrence replaces its later lines' entries instead of adding a
    # dozen to the round each time (dead once that line is gone).
    ctx.memoised(
        ("PW004", id(line), file.path, first.file.path, _ending(file, line)),
        (line, first.line),
        _duplicate,
        entry,
        first,
    )


def _duplicate(ctx: _Context, entry: _Entry, first: _Entry) -> None:
    # Every later line of a project says the same of its first occurrence: one message (per
    # spelling of the name) and one related place per first occurrence, shared by the findings.
    about = ctx.about_first.get(id(first.line))
    if about is None:
        where = f"{_short(first.file.path)} line {first.line.first_line + 1}"
        place = ((first.file.path, first.anchor, f"first requirement of {_display(first)}"),)
        about = ctx.about_first[id(first.line)] = (where, place, {})
    where, related, messages = about
    display = _display(entry)
    message = messages.get(display)
    if message is None:
        message = messages[display] = f"{display} is required more than once (first at {where})"
    ctx.add(
        "PW004",
        entry.file,
        entry.anchor,
        message,
        fixes=LazyFixes(
            _duplicate_fixes, _around(entry.file, entry.line), _same_text(first.req, entry.req)
        ),
        name=entry.req.normalized_name,
        related=related,
    )


def _duplicate_fixes(at: _Around, same_text: bool) -> tuple[Fix, ...]:
    """PW004's fixes: remove the line (when it says what the first says), ignore."""
    ignore = _ignore_fix_at(at, "PW004")
    if not same_text:
        return (ignore,)
    remove = Fix(
        title="Remove duplicate requirement",
        kind=FixKind.REMOVE_DUPLICATE,
        edits=(_delete_line_edit(at),),
        is_preferred=True,
    )
    return (remove, ignore)


# --- PW008 hash-checking mode --------------------------------------------------------------------


def _check_hash_mode(ctx: _Context) -> None:
    """PW008, install by install (`install_paths`): a line of a file that two roots include is
    judged once, by the first install in hash-checking mode that reads it."""
    reqset = ctx.reqset
    if len(reqset.roots) <= 1:
        _hash_mode_in(ctx, list(_files(reqset)), ctx.entries, set())
        return
    judged: set[int] = set()
    for root in reqset.roots:
        paths = install_paths(reqset, root)
        files = [f for f in _files(reqset) if f.path in paths]
        entries = [e for e in ctx.entries if e.file.path in paths]
        if _hash_mode_in(ctx, files, entries, judged):
            judged.update(id(e.line) for e in entries)


def install_paths(reqset: RequirementsSet, root: str) -> set[str]:
    """The files `pip install -r <root>` reads: the root and what it includes, transitively."""
    targets: dict[str, list[str]] = {}
    for edge in reqset.edges:
        targets.setdefault(edge.includer, []).append(edge.target)
    paths: set[str] = set()
    stack = [root]
    while stack:
        path = stack.pop()
        if path not in paths and path in reqset.files:
            paths.add(path)
            stack.extend(targets.get(path, ()))
    return paths


def _hash_mode_in(
    ctx: _Context, files: list[RequirementsFile], entries: list[_Entry], judged: set[int]
) -> bool:
    """PW008 in one install (its `files`, their requirement lines `entries`), on its lines not
    `judged` already (by id); whether the install is in hash-checking mode."""
    require = False
    disabled = False
    trigger: Optional[str] = None
    for file in files:
        for line in file.logical_lines:
            for option in line.options:
                if option.name == "--require-hashes":
                    require = True
                    trigger = trigger or f"--require-hashes in {_short(file.path)}"
                elif option.name == "--no-require-hashes":
                    disabled = True
    for entry in entries:
        if not entry.is_constraint and not entry.req.editable and entry.req.hashes:
            require = True
            trigger = trigger or (
                f"--hash on {_short(entry.file.path)} line {entry.line.first_line + 1}"
            )
    if not require or disabled:
        return False
    ctx.hash_mode = True
    for entry in entries:
        if entry.is_constraint or id(entry.line) in judged:
            continue
        req = entry.req
        problems: list[str] = []
        if req.editable:
            problems.append("is editable (hashes cannot be checked for editable requirements)")
        elif req.vcs:
            problems.append("is a version control URL, which cannot be hashed")
        elif req.is_local_dir:
            problems.append("is a local folder, which cannot be hashed")
        else:
            if req.form is RequirementForm.NAMED and not is_exact_pin(req.specifier):
                problems.append("is not pinned with ==")
            if not req.hashes and not url_has_hash(req.url):
                problems.append("has no --hash")
        if problems:
            ctx.add(
                "PW008",
                entry.file,
                entry.anchor,
                f"hash-checking mode is on ({trigger}) but {_display(entry)} "
                + " and ".join(problems)
                + ": pip will refuse to install",
                severity=Severity.ERROR,
                fixes=_ignore_fixes(entry, "PW008"),
                name=req.normalized_name,
            )
    if ctx.snapshot is not None:
        _check_hashed_dependencies(ctx, trigger or "", entries, judged)
    return True


def _check_hashed_dependencies(
    ctx: _Context, trigger: str, entries: list[_Entry], judged: set[int]
) -> None:
    """In hash-checking mode pip needs every dependency pinned and hashed in the files too."""
    entries = [e for e in entries if not e.is_constraint]
    listed = {e.req.normalized_name for e in entries if e.req.normalized_name}
    walked: set[str] = set()
    for entry in entries:
        req = entry.req
        if req.normalized_name is None or ctx.applies(entry) is not True:
            continue
        if id(entry.line) in judged:
            continue  # said in an earlier install: its dependencies are this install's to claim
        root = ctx.installed.get(req.normalized_name)
        if root is None or root.normalized_name in walked:
            continue
        walked.add(root.normalized_name)
        unlisted: list[str] = []
        queue: deque[tuple[Distribution, tuple[str, ...]]] = deque(
            [(root, tuple(str(canonicalize_name(x)) for x in req.extras))]
        )
        while queue:
            dist, extras = queue.popleft()
            for dep in ctx.requires(dist):
                if not any(ctx.dep_applies(dep, x) for x in (*extras, "")):
                    continue
                name = str(canonicalize_name(dep.name))
                if name in walked or name in listed:
                    continue  # a listed one is walked from its own line
                walked.add(name)
                unlisted.append(name)
                found = ctx.installed.get(name)
                if found is not None:
                    queue.append((found, tuple(str(canonicalize_name(x)) for x in dep.extras)))
        if unlisted:
            ctx.add(
                "PW008",
                entry.file,
                entry.anchor,
                f"hash-checking mode is on ({trigger}) but {_display(entry)} depends on "
                f"{', '.join(unlisted)}, which no line pins with == and --hash: pip will refuse "
                "to install (list every dependency, e.g. with pip-compile --generate-hashes)",
                severity=Severity.ERROR,
                fixes=_ignore_fixes(entry, "PW008"),
                name=req.normalized_name,
            )


# --- environment rules: PW002, PW003, PW009, PW010, PW011, PW012, PW014 ------------------------


def _dep_text(req: PkgRequirement) -> str:
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def _dep_problem(
    ctx: _Context, owner: Distribution, dep: PkgRequirement
) -> Optional[tuple[str, Optional[Distribution]]]:
    """pip check's verdict on one dependency of `owner`, or None when it is fine."""
    found = ctx.installed.get(canonicalize_name(dep.name))
    owner_name = canonicalize_name(owner.name)
    if found is None:
        return (
            f"{owner_name} {owner.version} requires {_dep_text(dep)}, which is not installed.",
            None,
        )
    if not satisfies(str(dep.specifier), found.version):
        return (
            f"{owner_name} {owner.version} has requirement {_dep_text(dep)}, but you have "
            f"{canonicalize_name(found.name)} {found.version}.",
            found,
        )
    return None


def _check_installed_line(ctx: _Context, entry: _Entry, label: str) -> None:
    """PW009, PW002, PW003, PW014 on one line."""
    req = entry.req
    applies = ctx.applies(entry)
    if applies is False:
        ctx.add(
            "PW009",
            entry.file,
            entry.line.place(req.marker_span or req.span),
            f"not checked: the marker {_written(entry, req.marker_span, req.marker)} is false "
            f"for {label}",
            severity=Severity.HINT,
            name=req.normalized_name,
        )
        return
    if applies is None or req.normalized_name is None:
        return
    dist = ctx.installed.get(req.normalized_name)
    if dist is None:
        if not entry.is_constraint:
            ctx.add(
                "PW002",
                entry.file,
                entry.anchor,
                f"{_display(entry)} is not installed in {label}",
                name=req.normalized_name,
                fixes=_ignore_fixes(entry, "PW002"),
            )
        return
    if req.specifier and not satisfies(req.specifier, dist.version):
        updatable = (
            req.form is RequirementForm.NAMED
            and req.specifier_span is not None
            and is_exact_pin(req.specifier)
            and not entry.line.expanded  # never a pin written over a ${VAR}
        )
        fixes = LazyFixes(
            _mismatch_fixes,
            _around(entry.file, entry.line),
            entry.line.place(req.specifier_span) if updatable else None,
            dist.version,
        )
        if entry.is_constraint:
            message = (
                f"{dist.name} {dist.version} is installed in {label}, which breaks the "
                f"constraint {_display(entry)}"
                f"{_written(entry, req.specifier_span, req.specifier)}"
            )
        else:
            message = (
                f"{dist.name} {dist.version} is installed in {label}, which does not "
                f"satisfy {_written(entry, req.specifier_span, req.specifier)}"
            )
        ctx.add(
            "PW003",
            entry.file,
            entry.line.place(req.specifier_span) or entry.anchor,
            message,
            fixes=fixes,
            name=req.normalized_name,
        )
    if not entry.is_constraint:
        _check_extras(ctx, entry, dist)


def _mismatch_fixes(at: _Around, spec_span: Optional[Span], version: str) -> tuple[Fix, ...]:
    """PW003's fixes: update an exact pin (`spec_span`, else None) to `version`, ignore."""
    ignore = _ignore_fix_at(at, "PW003")
    if spec_span is None:
        return (ignore,)
    pin = pin_for(version)
    update = Fix(
        title=f"Update pin to installed version ({pin})",
        kind=FixKind.UPDATE_PIN,
        edits=(TextEdit(at.path, spec_span, pin),),
        is_preferred=True,
    )
    return (update, ignore)


def _check_extras(ctx: _Context, entry: _Entry, dist: Distribution) -> None:
    req = entry.req
    if not req.extras or ctx.snapshot is None:
        return
    requires = ctx.requires(dist)
    provided = {canonicalize_name(e) for e in dist.provides_extras}
    problems: list[str] = []
    for extra in req.extras:
        norm = canonicalize_name(extra)
        extra_deps = [
            d
            for d in requires
            if d.marker is not None and ctx.dep_applies(d, norm) and not ctx.dep_applies(d, "")
        ]
        if norm not in provided and not extra_deps:
            problems.append(f"{dist.name} {dist.version} does not provide the extra '{extra}'")
            continue
        missing: list[str] = []
        for dep in extra_deps:
            found = ctx.installed.get(canonicalize_name(dep.name))
            if found is None:
                missing.append(f"{_dep_text(dep)} (not installed)")
            elif not satisfies(str(dep.specifier), found.version):
                missing.append(f"{_dep_text(dep)} ({found.version} is installed)")
        if missing:
            problems.append(f"extra '{extra}' needs " + ", ".join(missing))
    if problems:
        ctx.add(
            "PW014",
            entry.file,
            entry.line.place(req.extras_span) or entry.anchor,
            f"{_display(entry)}: " + "; ".join(problems),
            name=req.normalized_name,
            fixes=_ignore_fixes(entry, "PW014"),
        )


def _check_dependencies(ctx: _Context) -> None:
    """PW012: what `pip check` says about each required distribution and what it pulls in.

    A required distribution's own problems go on its line; the problems of what it pulls in go
    on the first line that pulls it in. Each distribution is walked once: linear in the size of
    the environment, whatever the number of lines.
    """
    roots: list[tuple[_Entry, Distribution]] = []
    for entry in ctx.entries:
        req = entry.req
        if entry.is_constraint or req.normalized_name is None or ctx.applies(entry) is not True:
            continue
        root = ctx.installed.get(req.normalized_name)
        if root is not None:
            roots.append((entry, root))
    walked: set[str] = {root.normalized_name for _, root in roots}
    for entry, root in roots:
        own, pulled = ctx.problems(root)
        messages = list(own)
        queue: deque[Distribution] = deque()
        for found in pulled:
            if found.normalized_name not in walked:
                walked.add(found.normalized_name)
                queue.append(found)
        while queue:
            dist = queue.popleft()
            own, pulled = ctx.problems(dist)
            messages.extend(own)
            for found in pulled:
                if found.normalized_name not in walked:
                    walked.add(found.normalized_name)
                    queue.append(found)
        if messages:
            ctx.deps[id(entry.line)] = tuple(messages)
            _memoised_dependencies(ctx, entry, tuple(messages))


def _memoised_dependencies(ctx: _Context, entry: _Entry, messages: tuple[str, ...]) -> None:
    """PW012 on `entry`, one per message of `pip check` (memoised: they depend on the line,
    its file and the messages alone)."""
    ctx.memoised(
        ("PW012", id(entry.line), entry.file.path, messages),
        (entry.line,),
        _dependencies,
        entry,
        messages,
    )


def _dependencies(ctx: _Context, entry: _Entry, messages: tuple[str, ...]) -> None:
    for text in messages:
        ctx.add(
            "PW012",
            entry.file,
            entry.anchor,
            text,
            name=entry.req.normalized_name,
            fixes=_ignore_fixes(entry, "PW012"),
        )


_NO_EXTRAS: frozenset[str] = frozenset()


def _accounted_for(ctx: _Context) -> frozenset[str]:
    """Every installed name the requirements pull in, directly or as a dependency (with the
    extras asked for): walked once per (set of requirements, snapshot)."""
    snapshot = ctx.snapshot
    assert snapshot is not None and ctx.cache is not None
    roots: list[tuple[str, frozenset[str]]] = []
    for entry in ctx.entries:
        if entry.is_constraint or ctx.applies(entry) is False:
            continue
        req = entry.req
        extras = _extras_key(req)
        if req.normalized_name is not None:
            roots.append((req.normalized_name, extras))
            continue
        target = _unnamed_target(entry)
        if target is None:
            continue
        for dist in snapshot.distributions:
            if target in dist_locations(dist):
                roots.append((dist.normalized_name, extras))
    ctx.roots = Counter(roots)
    return _closure(ctx, frozenset(ctx.roots))


def _extras_key(req: Requirement) -> frozenset[str]:
    if not req.extras:
        return _NO_EXTRAS
    return frozenset(str(canonicalize_name(e)) for e in req.extras)


def _closure(ctx: _Context, key: frozenset[tuple[str, frozenset[str]]]) -> frozenset[str]:
    """Every installed name the roots `key` (name, extras) pull in (cached per snapshot)."""
    assert ctx.cache is not None
    roots = key
    cached = ctx.cache.accounted.get(key)
    if cached is not None:
        return cached
    queue = list(roots)
    done: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    while queue:
        name, extras = queue.pop()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        names.add(name)
        found = ctx.installed.get(name)
        if found is None:
            continue
        for dep in ctx.requires(found):
            if any(ctx.dep_applies(dep, e) for e in (*extras, "")):
                queue.append(
                    (
                        canonicalize_name(dep.name),
                        frozenset(str(canonicalize_name(e)) for e in dep.extras)
                        if dep.extras
                        else _NO_EXTRAS,
                    )
                )
    result = frozenset(names)
    if len(ctx.cache.accounted) >= 64:
        ctx.cache.accounted.clear()
    ctx.cache.accounted[key] = result
    return result


def _unnamed_target(entry: _Entry) -> Optional[str]:
    return unnamed_target(entry.req, entry.file.path)


def unnamed_target(req: Requirement, file_path: str) -> Optional[str]:
    """For an unnamed path/URL requirement (`-e .`) of the file at `file_path`, the location it
    points at, normalised (what `dist_locations` of its installed distribution holds)."""
    url = req.url
    if not url:
        return None
    if url.startswith("file://"):
        return os.path.normpath(url[len("file://") :])
    if "://" in url:
        return url
    base = os.path.dirname(file_path)
    return os.path.normpath(os.path.join(base, url))


def dist_locations(dist: Distribution) -> set[str]:
    found: set[str] = set()
    if dist.editable_location:
        found.add(os.path.normpath(dist.editable_location))
    if dist.direct_url is not None:
        url = dist.direct_url.url
        found.add(url)
        if url.startswith("file://"):
            found.add(os.path.normpath(url[len("file://") :]))
    return found


def _environment_roots(ctx: _Context) -> list[RequirementsFile]:
    """Where file-level findings go: the requirements roots (constraints files only when
    alone)."""
    readable = [
        ctx.reqset.files[r]
        for r in ctx.reqset.roots
        if r in ctx.reqset.files and ctx.reqset.files[r].read_error is None
    ]
    return [f for f in readable if not f.constraint] or readable


def _check_environment_level(ctx: _Context) -> None:
    roots = _environment_roots(ctx)
    _not_a_venv(ctx, roots)
    extra = _unaccounted(ctx, _accounted_for(ctx))
    ctx.unaccounted = tuple(extra)
    _unaccounted_findings(ctx, roots, extra)


def _not_a_venv(ctx: _Context, roots: list[RequirementsFile]) -> None:
    snapshot = ctx.snapshot
    assert snapshot is not None
    interp = snapshot.interpreter
    if not interp.is_venv:
        for file in roots:
            ctx.add(
                "PW010",
                file,
                _header_span(file),
                f"the selected interpreter {interp.path} is not a virtual environment: "
                "installing these requirements would change the global Python. Create one "
                "with `python -m venv .venv` and select .venv/bin/python",
            )


def _unaccounted_findings(ctx: _Context, roots: list[RequirementsFile], extra: list[str]) -> None:
    if extra and roots:
        shown = ", ".join(extra[:PW011_LIST_LIMIT])
        more = len(extra) - PW011_LIST_LIMIT
        if more > 0:
            shown += f" and {more} more"
        noun = "distribution is" if len(extra) == 1 else "distributions are"
        for file in roots:
            ctx.add(
                "PW011",
                file,
                _header_span(file),
                f"{len(extra)} installed {noun} not required here, directly or as a "
                f"dependency: {shown}",
                severity=Severity.INFORMATION,
            )


def _unaccounted(ctx: _Context, accounted: frozenset[str]) -> list[str]:
    return [
        d.name
        for d in (ctx.cache.by_display_name if ctx.cache is not None else ())
        if d.normalized_name not in accounted and d.normalized_name not in NEVER_UNACCOUNTED
    ]


# --- the engine -------------------------------------------------------------------------------


def _installed_index(snapshot: Optional[Snapshot]) -> dict[str, Distribution]:
    index: dict[str, Distribution] = {}
    if snapshot is None:
        return index
    for dist in snapshot.distributions:
        index.setdefault(dist.normalized_name or canonicalize_name(dist.name), dist)
    return index


def _line_index(file: RequirementsFile) -> dict[int, LogicalLine]:
    index: dict[int, LogicalLine] = {}
    for line in file.logical_lines:
        for number in range(line.first_line, line.last_line + 1):
            index[number] = line
    return index


_COMMENT_SUPPRESSION = re.compile(r"#\s*pinwise:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)


def _suppressed(reqset: RequirementsSet, indexes: _LineIndexes, finding: Finding) -> bool:
    number = finding.span.start.line
    line = indexes.get(finding.path, {}).get(number)
    if line is not None:
        return line.suppression is not None and line.suppression.silences(finding.code)
    # a comment-only line (where file-level findings may sit) can carry a suppression too
    file = reqset.files.get(finding.path)
    if file is None or not 0 <= number < len(file.lines):
        return False
    text = file.lines[number].text
    match = _COMMENT_SUPPRESSION.search(text) if text.lstrip().startswith("#") else None
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    return finding.code in {c.strip().upper() for c in codes_text.split(",")}


_RANK = {Severity.HINT: 0, Severity.INFORMATION: 1, Severity.WARNING: 2, Severity.ERROR: 3}


def _finish(ctx: _Context, indexes: Optional[_LineIndexes] = None) -> list[Finding]:
    settings = ctx.settings
    order = {path: i for i, path in enumerate(ctx.reqset.files)}
    if indexes is None:
        indexes = _LineIndexes(ctx.reqset)
    out: list[tuple[int, _SortKey, Finding]] = []
    unknown = len(order)
    seen: set[_FindingKey] = set()
    # What this does to a finding depends on the finding, the settings and the line it is on:
    # a finding the line memo handed back (the same object) is on the same line object. The
    # table keeps the finished finding alone (the finding itself when unchanged, the usual
    # case): its key and rank are made again on use, rather than kept for every finding of
    # the last three analyses (~250 bytes each, 1.4 MB on 5,700 findings).
    table = ctx.set_memo.finish_table(settings)
    newest = table.current
    for finding in ctx.findings:
        hit = newest.get(id(finding)) or table.get(id(finding), None)
        kept: Optional[Finding]
        if hit is finding:
            kept = finding
        elif type(hit) is tuple and hit[0] is finding:
            kept = hit[1]
        else:
            kept = _finish_one(ctx, settings, indexes, finding)
            if id(finding) in ctx.stable:
                table.put(id(finding), finding if kept is finding else (finding, kept))
        if kept is None:
            continue
        start, end = finding.span.start, finding.span.end
        sl, sc, el, ec = start.line, start.character, end.line, end.character
        key = (finding.code, finding.path, sl, sc, el, ec, finding.message)
        if key in seen:  # the same finding made twice
            continue
        seen.add(key)
        rank = (kept.path, sl, sc, el, ec, kept.code)
        out.append((order.get(kept.path, unknown), rank, kept))
    # by file (reading order), path, position, code (a stable sort: then in the passes' order)
    out.sort(key=_ORDER_AND_RANK)
    return list(map(_KEPT, out))


_ORDER_AND_RANK = itemgetter(0, 1)
_KEPT = itemgetter(2)


class _LineIndexes:
    """`_line_index` of each file of the set, made when first needed."""

    def __init__(self, reqset: RequirementsSet) -> None:
        self.reqset = reqset
        self.made: dict[str, dict[int, LogicalLine]] = {}

    def get(self, path: str, default: dict[int, LogicalLine]) -> dict[int, LogicalLine]:
        index = self.made.get(path)
        if index is None:
            file = self.reqset.files.get(path)
            if file is None:
                return default
            index = self.made[path] = _line_index(file)
        return index


def _finish_one(
    ctx: _Context,
    settings: Settings,
    indexes: _LineIndexes,
    finding: Finding,
) -> Optional[Finding]:
    """A finding with its configured severity and redacted text (the finding itself when they
    are the same); None when switched off or suppressed."""
    configured = settings.severity_of(finding.code)
    if configured is None:
        return None
    if _suppressed(ctx.reqset, indexes, finding):
        return None
    # A finding made milder than its rule (pip's warnings as PW005, a remote include as
    # PW006) keeps that mildness unless the settings make the whole rule milder still.
    severity = configured
    if _RANK[finding.severity] < _RANK[RULES[finding.code][0]]:
        severity = min(configured, finding.severity, key=_RANK.__getitem__)
    message = redact(finding.message)
    related = tuple((p, s, redact(m)) for p, s, m in finding.related)
    if (
        severity is not finding.severity
        or message is not finding.message
        or any(r[2] is not m[2] for r, m in zip(related, finding.related))
    ):
        return replace(finding, severity=severity, message=message, related=related)
    return finding


def analyze(
    reqset: RequirementsSet, snapshot: Optional[Snapshot], settings: Settings
) -> list[Finding]:
    """Every finding PW001-PW014 for `reqset` in `snapshot`'s environment.

    With `snapshot` None (no usable interpreter) the environment rules (PW002, PW003, PW009-PW012,
    PW014) are skipped. Findings come sorted by file (reading order) and position, with the
    severities of `settings`, switched-off codes and suppressed lines removed.
    """
    # The rules allocate many small acyclic objects (findings, spans, fixes); the cyclic
    # collector would walk the whole parsed set again and again meanwhile (half the time on
    # 5,000 lines). Pause it for the analysis, restoring the caller's setting.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(reqset, snapshot, settings)
    finally:
        if collecting:
            gc.enable()


def _analyze(
    reqset: RequirementsSet, snapshot: Optional[Snapshot], settings: Settings
) -> list[Finding]:
    cache = _snapshot_cache(snapshot) if snapshot is not None else None
    ctx = _Context(
        reqset,
        snapshot,
        settings,
        installed=cache.installed if cache is not None else {},
        cache=cache,
        memo=cache.memo if cache is not None else _NO_SNAPSHOT_MEMO,
    )
    ctx.set_memo = ctx.memo.for_roots(reqset.roots)
    previous = ctx.memo.previous.get(reqset.roots)
    again = _same_as_recent(ctx, previous)
    if again is not None:
        return list(again.findings)
    if previous is not None and (previous.settings is settings or previous.settings == settings):
        spliced = _splice(ctx, previous) or _shifted(ctx, previous)
        if spliced is not None:
            _remember(ctx, spliced)
            return list(spliced.findings)
        # what the attempt added is left behind with its context
        ctx = replace(ctx, findings=[], marker_errors=set(), stable=set())
    ctx.set_memo.begin_round()
    findings = _analyze_fully(ctx)
    ctx.set_memo.end_round()
    _remember(
        ctx,
        _Previous(
            reqset=reqset,
            settings=settings,
            findings=tuple(findings),
            firsts=ctx.firsts,
            dups=ctx.dups,
            deps=ctx.deps,
            pins=ctx.pins,
            hash_mode=ctx.hash_mode,
            by_name=ctx.by_name,
            roots=ctx.roots,
            unaccounted=ctx.unaccounted,
        ),
    )
    return findings


def _shifted(ctx: _Context, previous: _Previous) -> Optional[_Previous]:
    """Rows without a requirement added or removed: the last analysis moved (`_shifted`)."""
    from pinwise.analysis._shifted import shifted  # (it builds on this module)

    return shifted(ctx, previous)


def _remember(ctx: _Context, previous: _Previous, *, replacing: bool = False) -> None:
    """Keep `previous` as the set's last analysis, and the last one as the one before it
    (unless `previous` is the last one again, `replacing` it)."""
    roots = previous.reqset.roots
    with _SNAPSHOT_LOCK:
        table, before = ctx.memo.previous, ctx.memo.before
        last = table.get(roots)
        if last is not None and not replacing:
            before[roots] = last
            before.move_to_end(roots)
        table[roots] = previous
        table.move_to_end(roots)
        for kept in (table, before):
            while len(kept) > _PREVIOUS_SIZE:
                kept.popitem(last=False)


def _same_as_recent(ctx: _Context, last: Optional[_Previous]) -> Optional[_Previous]:
    """The set's last analysis, or the one before it, when `ctx.reqset` is that analysis' set
    parsed into the very same line objects with the same settings (an edit undone: Enter then
    Backspace near the top of a big file moves every line and moves it back): the analysis is
    a function of those, so its findings are the answer. Remembered as the last one."""
    reqset, settings = ctx.reqset, ctx.settings
    for earlier, is_last in ((last, True), (ctx.memo.before.get(reqset.roots), False)):
        if (
            earlier is not None
            and (earlier.settings is settings or earlier.settings == settings)
            and _same_set(earlier.reqset, reqset)
        ):
            again = replace(earlier, reqset=reqset)
            _remember(ctx, again, replacing=is_last)
            return again
    return None


def _same_set(old: RequirementsSet, new: RequirementsSet) -> bool:
    """`new` is `old` parsed again into the very same logical lines, with the same physical
    lines, includes and reading order."""
    if new.order != old.order or not _same_includes(old, new):
        return False
    for path, file in new.files.items():
        before = old.files[path]
        if file is before:
            continue
        if (
            len(file.logical_lines) != len(before.logical_lines)
            or any(map(is_not, file.logical_lines, before.logical_lines))
            or file.constraint is not before.constraint
            or file.read_error != before.read_error
            or file.decode_warning != before.decode_warning
            or file.encoding != before.encoding
            or file.bom != before.bom
            or file.lines != before.lines
        ):
            return False
    return True


def _analyze_fully(ctx: _Context) -> list[Finding]:
    reqset, snapshot = ctx.reqset, ctx.snapshot
    ctx.entries = _all_entries(reqset)
    _check_lines_valid(ctx)
    _check_includes(ctx)
    _check_lines(ctx)  # PW001, PW002, PW003, PW009, PW014
    _check_duplicates(ctx)
    _check_hash_mode(ctx)
    _check_moving_target(ctx)
    if snapshot is not None:
        _check_dependencies(ctx)
        _check_environment_level(ctx)
    return _finish(ctx)


# --- incremental analysis: a few lines replaced in place ------------------------------------------

_V = TypeVar("_V")


_Renamed = dict[int, tuple[str, LogicalLine]]  # id(old line) -> (path, its replacement)
_Changed = list[tuple[RequirementsFile, int]]  # the replaced lines as (file, index)
_Affected = dict[int, tuple[RequirementsFile, LogicalLine]]  # id(line) -> (file, line)


def _splice(ctx: _Context, prev: _Previous) -> Optional[_Previous]:
    """The analysis of `ctx.reqset` made from `prev`'s, when the set differs from `prev.reqset`
    only by a few requirement lines replaced in place (a keystroke) whose replacement changes
    no set-level fact (`_neutral`); None otherwise (then a full analysis runs).

    The lines that can have other findings than before are the replaced lines, the later
    lines whose first occurrence (PW004) is one of them and the line right after one (its
    "Remove duplicate" edit reaches back into it): only their findings are made again (each
    line's are the findings on its rows, in the order `_analyze_fully` and `_finish` give
    them) and put in place of theirs in `prev.findings`, which are sorted by file and row.
    """
    if not _same_structure(prev, ctx.reqset):
        return None
    replaced = _replaced_lines(ctx.reqset, prev.reqset)
    if replaced is None:
        return None
    renamed, changed, names = replaced
    roots = prev.roots
    if names:
        # Another project on a line: which line is each project's first (PW004) is worked out
        # again for the projects involved; the (name, extras) roots PW011 walks from must
        # account for the same distributions, and no distribution may have anything for
        # PW012 to say (whose line says it depends on every line before).
        if prev.by_name is None or not _no_problems(ctx):
            return None
        if ctx.snapshot is not None:
            roots = _renamed_roots(ctx, prev, changed)
            if roots is None:
                return None
    by_name = prev.by_name
    if by_name is not None and changed:
        by_name = _moved_by_name(ctx.reqset, prev.reqset, by_name, changed)
    firsts, dups, deps = prev.firsts, prev.dups, prev.deps
    if renamed:
        firsts, dups, deps = _rekeyed_tables(prev, renamed)
    affected: _Affected = {}
    if names:
        assert by_name is not None
        redone = _redo_duplicates(ctx, by_name, names, firsts, dups)
        if redone is None:
            return None
        affected = redone
    _add_replaced_and_neighbours(ctx.reqset, changed, firsts, dups, affected)
    findings = _spliced_findings(ctx, prev, affected, firsts, deps)
    if findings is None:
        return None
    return _Previous(
        reqset=ctx.reqset,
        settings=ctx.settings,
        findings=tuple(findings),
        firsts=firsts,
        dups=dups,
        deps=deps,
        pins=prev.pins,
        hash_mode=False,
        by_name=by_name,
        roots=roots,
        unaccounted=prev.unaccounted,
    )


def _same_structure(prev: _Previous, new: RequirementsSet) -> bool:
    """Whether `new` keeps `prev`'s root, files and includes outside hash mode (else no splice).
    One root: with several, a line can be a duplicate in each install (`_check_duplicates`),
    which the splice's tables (one first occurrence per line) do not hold. (The language server
    analyses one root per set; the CLI, which may give several, analyses once.)"""
    return len(new.roots) == 1 and not prev.hash_mode and _same_includes(prev.reqset, new)


def _same_includes(old: RequirementsSet, new: RequirementsSet) -> bool:
    """The same roots and files, reached through the same include lines, cycles and misses."""
    return not (
        new.roots != old.roots
        or list(new.files) != list(old.files)
        or not _same_edges(new.edges, old.edges)
        or not _same_edges(new.cycles, old.cycles)
        or len(new.missing) != len(old.missing)
        or any(
            a[1] != b[1] or not _same_edges((a[0],), (b[0],))
            for a, b in zip(new.missing, old.missing)
        )
    )


def _replaced_lines(
    new: RequirementsSet, old: RequirementsSet
) -> Optional[tuple[_Renamed, _Changed, set[str]]]:
    """The lines replaced in place and the projects renamed; None when more changed (no splice)."""
    # None: a file's kind, errors or number of lines changed, a replacement is not `_neutral`,
    # a row outside the replaced lines changed, or more than `_SPLICE_LIMIT` lines changed
    renamed: _Renamed = {}
    changed: _Changed = []
    names: set[str] = set()
    for path, file in new.files.items():
        before = old.files[path]
        if file is before:
            continue
        if (
            file.constraint is not before.constraint
            or file.read_error != before.read_error
            or file.decode_warning != before.decode_warning
            or len(file.logical_lines) != len(before.logical_lines)
            or len(file.lines) != len(before.lines)
        ):
            return None
        rows: set[int] = set()
        for index in compress(count(), map(is_not, file.logical_lines, before.logical_lines)):
            was, now = before.logical_lines[index], file.logical_lines[index]
            if file.constraint or len(changed) >= _SPLICE_LIMIT or not _neutral(was, now):
                return None
            rows.update(range(now.first_line, now.last_line + 1))
            renamed[id(was)] = (path, now)
            changed.append((file, index))
            gone_name = was.requirement.normalized_name if was.requirement else None
            new_name = now.requirement.normalized_name if now.requirement else None
            if gone_name != new_name and gone_name is not None and new_name is not None:
                names.update((gone_name, new_name))
        # every other physical row (comments, blank lines, line ends) as it was (the parser
        # hands back the same objects for the rows it did not parse again)
        for index in compress(count(), map(is_not, file.lines, before.lines)):
            if index not in rows and (
                file.lines[index].text != before.lines[index].text
                or file.lines[index].terminator != before.lines[index].terminator
            ):
                return None
    return renamed, changed, names


def _renamed_roots(
    ctx: _Context, prev: _Previous, changed: _Changed
) -> Optional[Counter[tuple[str, frozenset[str]]]]:
    """`prev.roots` after the replacements; None when a marker is unknown or PW011 would change."""
    if prev.roots is None or prev.unaccounted is None:
        return None
    old = prev.reqset
    roots = Counter(prev.roots)
    for file, index in changed:
        was = old.files[file.path].logical_lines[index]
        now = file.logical_lines[index]
        assert was.requirement is not None and now.requirement is not None
        entry = _Entry(file, now, now.requirement, file.constraint)
        if not ctx.marker_known(entry):
            return None
        if ctx.applies(entry) is False:
            continue
        gone_root = (was.requirement.normalized_name or "", _extras_key(was.requirement))
        roots[gone_root] -= 1
        if roots[gone_root] <= 0:
            del roots[gone_root]
        roots[(now.requirement.normalized_name or "", _extras_key(now.requirement))] += 1
    accounted = _closure(ctx, frozenset(roots))
    if tuple(_unaccounted(ctx, accounted)) != prev.unaccounted:
        return None
    return roots


def _moved_by_name(
    new: RequirementsSet,
    old: RequirementsSet,
    by_name: dict[str, list[_Entry]],
    changed: _Changed,
) -> dict[str, list[_Entry]]:
    """A copy of `by_name` with each replaced line's entry under its new name, in reading order."""
    by_name = dict(by_name)
    file_order = {path: i for i, path in enumerate(new.files)}

    def reading(entry: _Entry) -> tuple[int, int]:
        return (file_order[entry.file.path], entry.line.first_line)

    for file, index in changed:
        was = old.files[file.path].logical_lines[index]
        now = file.logical_lines[index]
        assert was.requirement is not None and now.requirement is not None
        gone_name, new_name = was.requirement.normalized_name, now.requirement.normalized_name
        assert gone_name is not None and new_name is not None
        gone = by_name[gone_name]
        kept = [e for e in gone if e.line is not was]
        if kept:
            by_name[gone_name] = kept
        else:
            del by_name[gone_name]
        entries = list(by_name.get(new_name, ()))
        # The replaced entry's file, not this version's: an entry is read for its line, its
        # requirement and its file's path (the same), and an entry holding each version's file
        # kept every version a keystroke made alive, ~100 KB each on 5,000 lines.
        home = next((e.file for e in gone if e.line is was), file)
        entry = _Entry(home, now, now.requirement, file.constraint)
        entries.insert(bisect_left_by(entries, reading(entry), reading), entry)
        by_name[new_name] = entries
    return by_name


def _rekeyed_tables(
    prev: _Previous, renamed: _Renamed
) -> tuple[
    dict[int, tuple[str, LogicalLine]],
    dict[int, list[tuple[str, LogicalLine]]],
    dict[int, tuple[str, ...]],
]:
    """Copies of `prev`'s firsts, dups and deps with each replacement in its old line's place."""
    firsts, dups, deps = dict(prev.firsts), dict(prev.dups), dict(prev.deps)
    # the replacements stand where the old lines stood, in every table ...
    for key, replacement in renamed.items():
        for _, later in prev.dups.get(key, ()):
            firsts[id(later)] = replacement
        first = prev.firsts.get(key)
        if first is not None:
            first_key = id(first[1])
            dups[first_key] = [renamed.get(id(line), (p, line)) for p, line in dups[first_key]]
    # ... under their own ids
    for key, (_, line) in renamed.items():
        _rekey(firsts, key, id(line))
        _rekey(dups, key, id(line))
        _rekey(deps, key, id(line))
    return firsts, dups, deps


def _redo_duplicates(
    ctx: _Context,
    by_name: dict[str, list[_Entry]],
    names: set[str],
    firsts: dict[int, tuple[str, LogicalLine]],
    dups: dict[int, list[tuple[str, LogicalLine]]],
) -> Optional[_Affected]:
    """PW004 redone in `firsts` and `dups` for `names` alone: their lines; None: marker unknown."""
    # `_check_duplicates` for these projects only: their entries are made again, in place
    new = ctx.reqset
    affected: _Affected = {}
    for project in sorted(names):
        entries = by_name.get(project, [])
        for entry in entries:
            firsts.pop(id(entry.line), None)
            dups.pop(id(entry.line), None)
        earlier: list[_Entry] = []
        for entry in entries:
            if not ctx.marker_known(entry):
                return None
            if not earlier:
                head: Optional[_Entry] = None
            elif not entry.req.marker:
                head = earlier[0]
            else:
                head = next((e for e in earlier if _clash(ctx, e, entry)), None)
            earlier.append(entry)
            at = entry.file.path
            affected[id(entry.line)] = (new.files[at], entry.line)
            if head is not None:
                firsts[id(entry.line)] = (head.file.path, head.line)
                dups.setdefault(id(head.line), []).append((at, entry.line))
    return affected


def _add_replaced_and_neighbours(
    new: RequirementsSet,
    changed: _Changed,
    firsts: dict[int, tuple[str, LogicalLine]],
    dups: dict[int, list[tuple[str, LogicalLine]]],
    affected: _Affected,
) -> None:
    """Add the replaced lines, their duplicates and the duplicate after each (its fix edits it)."""
    for file, index in changed:
        line = file.logical_lines[index]
        affected[id(line)] = (file, line)
        for path, later in dups.get(id(line), ()):
            affected[id(later)] = (new.files[path], later)
        if index + 1 < len(file.logical_lines):
            after = file.logical_lines[index + 1]
            if after.first_line == line.last_line + 1 and id(after) in firsts:
                affected[id(after)] = (file, after)


def _spliced_findings(
    ctx: _Context,
    prev: _Previous,
    affected: _Affected,
    firsts: dict[int, tuple[str, LogicalLine]],
    deps: dict[int, tuple[str, ...]],
) -> Optional[list[Finding]]:
    """`prev.findings` with each affected line's findings made again, in place; None: no splice."""
    new = ctx.reqset
    label = _env_label(ctx.snapshot) if ctx.snapshot is not None else None
    order = {path: i for i, path in enumerate(new.files)}
    unknown = len(order)
    headers: dict[str, int] = {}

    def where(finding: Finding) -> tuple[int, str, int]:
        return (order.get(finding.path, unknown), finding.path, finding.span.start.line)

    out = list(prev.findings)
    for file, line in affected.values():
        header = headers.get(file.path)
        if header is None:
            header = headers[file.path] = _header_span(file).start.line
        mine = _line_findings(
            ctx, prev, file, line, header=header, label=label, firsts=firsts, deps=deps
        )
        if mine is None:
            return None
        place = order[file.path]
        low = bisect_left_by(out, (place, file.path, line.first_line), where)
        high = bisect_left_by(out, (place, file.path, line.last_line + 1), where, lo=low)
        out[low:high] = mine
    return out


def _line_findings(
    ctx: _Context,
    prev: _Previous,
    file: RequirementsFile,
    line: LogicalLine,
    *,
    header: int,
    label: Optional[str],
    firsts: dict[int, tuple[str, LogicalLine]],
    deps: dict[int, tuple[str, ...]],
) -> Optional[list[Finding]]:
    """What a full analysis finds on one requirement line; None when it cannot be analysed alone."""
    # None: not a requirement, an error, an unknown marker, a parser warning or a finding off its
    # rows, or on the file's `header` row (where the file's own findings go) without PW011's facts
    new = ctx.reqset
    req = line.requirement
    if req is None or line.kind not in (LineKind.REQUIREMENT, LineKind.EDITABLE):
        return None
    entry = _Entry(file, line, req, file.constraint)
    on_header = line.first_line <= header <= line.last_line
    if on_header and ctx.snapshot is not None and prev.unaccounted is None:
        return None
    if (
        not ctx.marker_known(entry)
        or line.error is not None
        or any(not line.first_line <= w.span.start.line <= line.last_line for w in line.warnings)
    ):
        return None
    ctx.findings = []
    if on_header and file.decode_warning:
        ctx.add("PW005", file, _header_span(file), file.decode_warning, severity=_decoding(file))
    for warning in line.warnings:
        ctx.add("PW005", file, warning.span, warning.message, severity=Severity.WARNING)
    name = req.normalized_name
    _memoised_line(ctx, entry, name is not None and name in prev.pins, label)
    first = firsts.get(id(line))
    if first is not None:
        first_file = new.files[first[0]]
        first_line = first[1]
        assert first_line.requirement is not None
        _memoised_duplicate(
            ctx,
            entry,
            _Entry(first_file, first_line, first_line.requirement, first_file.constraint),
        )
    _moving_target(ctx, entry)
    messages = deps.get(id(line))
    if messages:
        _memoised_dependencies(ctx, entry, messages)
    if on_header and ctx.snapshot is not None and prev.unaccounted is not None:
        here = [f for f in _environment_roots(ctx) if f is file]
        _not_a_venv(ctx, here)
        _unaccounted_findings(ctx, here, list(prev.unaccounted))
    # every finding made here is on the line's rows (checked below): `_suppressed` needs no
    # index of the other lines
    indexes = _LineIndexes(new)
    indexes.made[file.path] = {n: line for n in range(line.first_line, line.last_line + 1)}
    mine = _finish(ctx, indexes)
    if any(not line.first_line <= f.span.start.line <= line.last_line for f in mine):
        return None
    return mine


def _no_problems(ctx: _Context) -> bool:
    """No distribution of the snapshot has anything for `pip check` (PW012) to say."""
    cache = ctx.cache
    if cache is None:
        return True
    if cache.no_problems is None:
        cache.no_problems = not any(ctx.problems(d)[0] for d in cache.installed.values())
    return cache.no_problems


def _rekey(table: dict[int, _V], old: int, new: int) -> None:
    if old in table:
        table[new] = table.pop(old)


def _same_edges(a: tuple[IncludeEdge, ...], b: tuple[IncludeEdge, ...]) -> bool:
    return len(a) == len(b) and all(
        x.line is y.line and x.includer == y.includer and x.target == y.target for x, y in zip(a, b)
    )


def _neutral(old: LogicalLine, new: LogicalLine) -> bool:
    """Whether putting `new` in the place of `old` leaves every fact the set-level rules read
    but the project's name as it was: both plain named requirements (no URL, not editable, no
    hash, no option) with the same extras and marker, on the same rows."""
    a, b = old.requirement, new.requirement
    return (
        a is not None
        and b is not None
        and old.kind is LineKind.REQUIREMENT
        and new.kind is LineKind.REQUIREMENT
        and old.first_line == new.first_line
        and old.last_line == new.last_line
        and not old.options
        and not new.options
        and old.include is None
        and new.include is None
        and _plain(a)
        and _plain(b)
        and a.marker == b.marker
        and a.extras == b.extras
    )


def _plain(req: Requirement) -> bool:
    return (
        req.form is RequirementForm.NAMED
        and req.normalized_name is not None
        and not req.editable
        and req.url is None
        and not req.vcs
        and not req.hashes
    )
