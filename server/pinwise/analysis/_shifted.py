"""The analysis of a set whose only change is rows without a requirement added or removed in
one file (Enter or Backspace on an empty row, a comment line added): the last analysis with
every finding below moved by as many rows.

Every line below such a change is the line it was, some rows further, and what the rules say
of a line does not depend on its row, except for the positions themselves and the two messages
that quote a row (PW004's "first at <file> line N", and pip's warnings, PW005). So instead of
analysing the file again (on 5,000 lines with 5,700 findings, the new line costs a full
analysis: every line object is new, so the line memo finds nothing), each finding below is
made again with its rows moved: its span, its related places in the file, PW004's message when
the first occurrence moved, and its fixes' arguments (the moved line, the rows around it; a
requirement holds no row of the file: `reqfile.model.LogicalLine`). A finding of a kind not
known to be movable (PW005, PW008), a row of the change holding a finding, or anything else
unexpected: no shift (`None`), a full analysis.

`tests/unit/test_analysis_memo.py` compares shifted and fresh analyses over random edits.
"""

from __future__ import annotations

from dataclasses import fields
from itertools import compress, count
from operator import is_not
from typing import Any, Optional

from pinwise.analysis.model import Finding, Fix, LazyFixes
from pinwise.analysis.rules import (
    _Around,
    _around,
    _Context,
    _Entry,
    _header_span,
    _Previous,
    _same_structure,
)
from pinwise.reqfile._build import position, setter, span_of
from pinwise.reqfile.model import (
    LogicalLine,
    PhysicalLine,
    Requirement,
    RequirementForm,
    RequirementsFile,
)
from pinwise.spans import Position, Span, TextEdit, moved

# Codes whose message may quote a moved row in a way not rewritten here: no shift.
_UNMOVABLE = frozenset({"PW005", "PW008"})
_PLAIN = frozenset({str, bool, int, frozenset})  # fix builders' arguments that hold no row


# A moved finding made as the parser makes its objects (`reqfile._build`): its fields set
# through their slots, not by the frozen dataclass' `__init__` (a third of the cost of a move).
_FINDING_FIELDS = ("code", "severity", "message", "path", "span", "fixes", "name", "related")
_FINDING_EXACT = tuple(f.name for f in fields(Finding)) == _FINDING_FIELDS
_FINDING_SET = tuple(setter(Finding, name) for name in _FINDING_FIELDS)
_new = object.__new__
_tuple_new = tuple.__new__


def _finding(*values: Any) -> Finding:
    """`Finding(*values)`, the fields in their order."""
    if not _FINDING_EXACT:
        return Finding(*values)
    made: Any = _new(Finding)
    for set_field, value in zip(_FINDING_SET, values):
        set_field(made, value)
    return made  # type: ignore[no-any-return]


class _NoShift(Exception):
    """Something the shift cannot move exactly: the caller analyses in full."""


def shifted(ctx: _Context, prev: _Previous) -> Optional[_Previous]:
    """`prev` moved onto `ctx.reqset`, when that is `prev.reqset` with rows that hold no part
    of a logical line added or removed in one file; None otherwise."""
    new = ctx.reqset
    old = prev.reqset
    if not _same_structure(prev, new) or new.order != old.order:
        return None
    changed = [path for path, file in new.files.items() if file is not old.files.get(path)]
    if len(changed) != 1:
        return None
    path = changed[0]
    try:
        shift = _Shift.between(old.files[path], new.files[path])
        if shift is None:
            return None
        findings = shift.findings(prev.findings)
    except _NoShift:
        return None
    # the splice's tables, keyed by ids of lines: the moved lines' ids are their new lines'
    lines = shift.lines
    ids = {old_id: id(line) for old_id, line in lines.items()}
    key, line = ids.get, lines.get
    return _Previous(
        reqset=new,
        settings=prev.settings,
        findings=findings,
        firsts={key(k, k): (p, line(id(f), f)) for k, (p, f) in prev.firsts.items()},
        dups={key(k, k): [(p, line(id(d), d)) for p, d in v] for k, v in prev.dups.items()},
        deps={key(k, k): v for k, v in prev.deps.items()},
        pins=prev.pins,
        hash_mode=False,
        by_name=None if prev.by_name is None else shift.by_name(prev.by_name),
        roots=prev.roots,
        unaccounted=prev.unaccounted,
    )


class _Shift:
    """In the file at `path`, the rows from `start` on (the old file's numbering) moved by
    `delta`; the rows from `gap` to `start` were removed or replaced, and hold no finding."""

    def __init__(
        self,
        old: RequirementsFile,
        new: RequirementsFile,
        rows: tuple[int, int, int],
        lines: dict[int, LogicalLine],
    ) -> None:
        self.old, self.new, self.path = old, new, new.path
        self.gap, self.start, self.delta = rows
        self.lines = lines  # id(old line) -> the line it became, for the moved lines
        self.related: dict[int, tuple[tuple[str, Span, str], ...]] = {}
        self.messages: dict[str, str] = {}

    @classmethod
    def between(cls, old: RequirementsFile, new: RequirementsFile) -> Optional[_Shift]:
        if (
            new.constraint is not old.constraint
            or new.read_error != old.read_error
            or new.decode_warning != old.decode_warning
            or new.decode_fails != old.decode_fails
            or new.encoding != old.encoding
            or new.bom != old.bom
            or len(new.logical_lines) != len(old.logical_lines)
        ):
            return None
        rows = _changed_rows(old.lines, new.lines)
        if rows is None:
            return None
        gap, start, delta = rows
        moved: dict[int, LogicalLine] = {}
        for was, now in zip(old.logical_lines, new.logical_lines):
            if was.last_line < gap:
                if now is not was:
                    return None
                continue
            if (
                was.first_line < start
                or now.first_line != was.first_line + delta
                or now.last_line != was.last_line + delta
                or now.raw_text != was.raw_text
                or now.kind is not was.kind
                or now.expanded
                or was.expanded
                or not _same_target(was.requirement, now.requirement)
            ):
                return None
            moved[id(was)] = now
        shift = cls(old, new, rows, moved)
        if _header_span(new) != shift.span(_header_span(old)):
            return None
        return shift

    # -- positions ---------------------------------------------------------------------------

    def row(self, row: int) -> int:
        if row >= self.start:
            return row + self.delta
        if row >= self.gap:
            raise _NoShift  # on a row that was removed or replaced
        return row

    def position(self, at: Position) -> Position:
        return Position(self.row(at.line), at.character) if at.line >= self.gap else at

    def span(self, span: Span) -> Span:
        start, end = span.start, span.end
        if end.line < self.gap:
            return span
        if start.line >= self.start:  # (nearly always: a span on a moved line)
            delta = self.delta
            return span_of(
                position(start.line + delta, start.character),
                position(end.line + delta, end.character),
            )
        return Span(self.position(start), self.position(end))

    def moves(self, span: Span) -> bool:
        return span.end.line >= self.gap

    # -- findings ----------------------------------------------------------------------------

    def findings(self, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
        """`finding` of each: in one loop, the commonest case (a finding on a line that moved,
        its fixes not made yet, their arguments its line's surroundings and plain values)
        made with local names, the rest by `finding`. Every finding below a new row near the
        top of a big file is moved."""
        if not _FINDING_EXACT:
            return tuple(map(self.finding, findings))
        path, start, delta = self.path, self.start, self.delta
        related_of, first_at, argument = self._related, self._first_at, self._argument
        moved_line = self.lines.get
        new, finding_class, lazy_class, around_class = _new, Finding, LazyFixes, _Around
        (
            set_code, set_severity, set_message, set_path, set_span, set_fixes, set_name,
            set_related,
        ) = _FINDING_SET  # fmt: skip
        out: list[Finding] = []
        append = out.append
        for finding in findings:
            span = finding.span
            begin = span.start
            fixes = finding.fixes
            if (
                begin.line < start
                or finding.path != path
                or type(fixes) is not lazy_class
                or fixes.is_made
            ):
                append(self.finding(finding))
                continue
            code = finding.code
            if code in _UNMOVABLE:
                raise _NoShift
            related = finding.related
            message = finding.message
            if related:
                moved_related = related_of(related)
                if moved_related is not related and code == "PW004":
                    message = first_at(message)
                related = moved_related
            made: Any = new(finding_class)
            set_code(made, code)
            set_severity(made, finding.severity)
            set_message(made, message)
            set_path(made, path)
            set_span(made, moved(span, delta))
            # the arguments: `_argument` of each, the commonest inlined (`_around`'s moved
            # line, whose row above moved with it; plain values)
            args = fixes.args
            at: Optional[_Around] = args[0] if args and type(args[0]) is around_class else None
            line = None if at is None else moved_line(id(at.line))
            if (
                at is not None
                and line is not None
                and at.path == path
                and line.first_line - delta - 1 >= start
            ):
                moved_at = _tuple_new(
                    around_class, (path, line, at.last_text, at.last_ends, at.above)
                )
                rest = args[1:]
                for value in rest:
                    if value is not None and type(value) not in _PLAIN:
                        rest = tuple(map(argument, rest))
                        break
                args = (moved_at, *rest)
            else:
                args = tuple(map(argument, args))
            set_fixes(made, fixes.with_args(*args))
            set_name(made, finding.name)
            set_related(made, related)
            append(made)
        return tuple(out)

    def finding(self, finding: Finding) -> Finding:
        """`finding` with its rows in this file moved (the very same finding when none moves)."""
        span = finding.span
        moving = span.end.line >= self.gap and finding.path == self.path
        related = finding.related
        if related:
            related = self._related(related)
        if not moving and related is finding.related:
            return finding
        code = finding.code
        if code in _UNMOVABLE:
            raise _NoShift
        message = finding.message
        if related is not finding.related and code == "PW004":
            message = self._first_at(message)
        if moving:
            span = self.span(span)
            fixes = finding.fixes
            if type(fixes) is LazyFixes:  # (`if fixes` would make them)
                fixes = fixes.with_args(*map(self._argument, fixes.args))
            elif fixes:
                fixes = tuple(map(self._fix, fixes))
        else:
            fixes = finding.fixes
        return _finding(
            code, finding.severity, message, finding.path, span, fixes, finding.name, related
        )

    def _related(
        self, related: tuple[tuple[str, Span, str], ...]
    ) -> tuple[tuple[str, Span, str], ...]:
        """The related places moved (one new tuple per tuple: findings share them)."""
        if not related:
            return related
        made = self.related.get(id(related))
        if made is None:
            if any(p == self.path and self.moves(s) for p, s, _ in related):
                made = tuple((p, self.span(s) if p == self.path else s, m) for p, s, m in related)
            else:
                made = related
            self.related[id(related)] = made
        return made

    def _first_at(self, message: str) -> str:
        """PW004's message with the row of its first occurrence (in this file: it moved)."""
        made = self.messages.get(message)
        if made is None:
            head, sep, tail = message.rpartition(" line ")
            number = tail[:-1]
            if not sep or not tail.endswith(")") or not number.isdigit():
                raise _NoShift
            made = f"{head}{sep}{self.row(int(number) - 1) + 1})"
            self.messages[message] = made
        return made

    def _fix(self, fix: Fix) -> Fix:
        edits = tuple(
            TextEdit(e.path, self.span(e.span), e.new_text) if e.path == self.path else e
            for e in fix.edits
        )
        return Fix(fix.title, fix.kind, edits, fix.is_preferred)

    def _argument(self, value: Any) -> Any:
        """A fix builder's argument, moved (see `LazyFixes`: small values, no whole file)."""
        kind = type(value)
        if kind is _Around:
            return self._around(value)
        if kind is Span:
            return self.span(value)
        if kind is LogicalLine:
            return self.line(value)
        if value is None or kind in _PLAIN or kind is Requirement:  # (no rows: `LogicalLine`)
            return value
        raise _NoShift  # a kind of argument not known here

    def _around(self, at: _Around) -> _Around:
        line = self.lines.get(id(at.line))
        if line is None or at.path != self.path:
            raise _NoShift
        if line.first_line - self.delta - 1 < self.start:
            return _around(self.new, line)  # the row above it is another row now
        # its last row and the row above it moved with it: the same texts
        return _tuple_new(_Around, (at.path, line, at.last_text, at.last_ends, at.above))

    # -- the splice's tables ------------------------------------------------------------------

    def line(self, line: LogicalLine) -> LogicalLine:
        return self.lines.get(id(line), line)

    def by_name(self, by_name: dict[str, list[_Entry]]) -> dict[str, list[_Entry]]:
        path, new = self.path, self.new
        line = self.lines.get
        out: dict[str, list[_Entry]] = {}
        # (by path: an entry holds the file of the analysis that made it, not always the last)
        for name, entries in by_name.items():
            out[name] = [
                e
                if e.file.path != path
                else _Entry(new, line(id(e.line), e.line), e.req, e.is_constraint)
                for e in entries
            ]
        return out


def _same_target(was: Optional[Requirement], now: Optional[Requirement]) -> bool:
    """What a requirement of the same text reads from the file system is the same (a path's
    kind, its `file:` URL): the parser reads it again for every parse, the old findings did
    not see the new."""
    if was is None or now is None:
        return was is now
    return was.form is now.form and (
        was.form is RequirementForm.NAMED
        or (was.link, was.is_local_dir, was.is_archive, was.is_wheel, was.name)
        == (now.link, now.is_local_dir, now.is_archive, now.is_wheel, now.name)
    )


def _changed_rows(
    old: tuple[PhysicalLine, ...], new: tuple[PhysicalLine, ...]
) -> Optional[tuple[int, int, int]]:
    """(gap, start, delta): the rows before `gap` are the same in both texts, and those from
    `start` on (the old numbering) are the same rows `delta` further; the rows in between, and
    the new rows in their place, hold no part of a logical line (empty or comment rows, no
    continuation into or out of them). None when the texts differ otherwise, or have as many
    rows (a line edited in place: `rules._splice`)."""
    delta = len(new) - len(old)
    if delta == 0:
        return None
    shortest = min(len(old), len(new))
    # the parser hands back the very same rows before and after a change (identity, in C),
    # else they are compared
    gap = next(compress(count(), map(is_not, old, new)), shortest)
    while gap < shortest and old[gap] == new[gap]:
        gap += 1
    tail = next(compress(count(), map(is_not, reversed(old), reversed(new))), shortest)
    while tail < shortest and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    tail = min(tail, shortest - gap)
    start = len(old) - tail
    if gap and old[gap - 1].text.endswith("\\"):
        return None  # the row above continues into the change
    if not all(map(_holds_no_line, old[gap:start])) or not all(
        map(_holds_no_line, new[gap : len(new) - tail])
    ):
        return None
    return gap, start, delta


def _holds_no_line(row: PhysicalLine) -> bool:
    text = row.text
    stripped = text.strip()
    return (not stripped or stripped.startswith("#")) and not text.endswith("\\")
