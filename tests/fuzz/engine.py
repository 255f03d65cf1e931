"""Hand-built environments for the engine's properties, and applying engine edits to a text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.markers import default_environment
from packaging.utils import canonicalize_name

from pinwise.environment.model import Distribution, Interpreter, Snapshot
from pinwise.reqfile import parse
from pinwise.reqfile.model import LineKind, PhysicalLine
from pinwise.spans import Position, TextEdit

ROOT = "/fuzzproj"
SITE = f"{ROOT}/.venv/lib/python3.11/site-packages"
MARKERS = {k: str(v) for k, v in default_environment().items()}
MARKERS.update(python_version="3.11", python_full_version="3.11.7", sys_platform="linux")


def dist(name: str, version: str, requires: Sequence[str] = ()) -> Distribution:
    return Distribution(
        name=name,
        normalized_name=canonicalize_name(name),
        version=version,
        location=SITE,
        metadata_path=f"{SITE}/{name}-{version}.dist-info",
        requires=tuple(requires),
    )


def snapshot(dists: Iterable[Distribution]) -> Snapshot:
    unique = {d.normalized_name: d for d in dists}
    interp = Interpreter(
        path=f"{ROOT}/.venv/bin/python",
        python_version="3.11.7",
        implementation="cpython",
        prefix=f"{ROOT}/.venv",
        base_prefix="/usr",
        is_venv=True,
        env_name=".venv",
        executed=True,
    )
    return Snapshot(
        interpreter=interp,
        site_packages=(SITE,),
        markers=dict(MARKERS),
        assumed_marker_keys=(),
        distributions=tuple(unique.values()),
        by_name=dict(unique),
    )


def offset_of(lines: Sequence[PhysicalLine], pos: Position) -> int:
    before = sum(len(p.text) + len(p.terminator) for p in lines[: pos.line])
    if pos.line >= len(lines):
        assert pos.character == 0, pos
        return before
    assert pos.character <= len(lines[pos.line].text), pos
    return before + pos.character


def apply(text: str, edits: Sequence[TextEdit]) -> str:
    """Apply engine edits (physical line, code-point column) to `text` as an LSP client does:
    insertions at the same position land in the order of the list; overlapping edits fail."""
    lines = parse(text, f"{ROOT}/x.txt").lines
    spans = sorted(
        (offset_of(lines, e.span.start), index, offset_of(lines, e.span.end), e.new_text)
        for index, e in enumerate(edits)
    )
    for (_, _, end, _), (start, _, _, _) in zip(spans, spans[1:]):
        assert end <= start, "overlapping edits"
    for start, _, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def invalid_lines(text: str, path: str) -> list[str]:
    rf = parse(text, path, environ={}, cwd=ROOT)
    return sorted(
        ll.raw_text + " :: " + (ll.error.message if ll.error else "")
        for ll in rf.logical_lines
        if ll.kind is LineKind.INVALID
    )


def touched_lines_only(before: str, after: str, edits: Sequence[TextEdit]) -> None:
    """Physical lines outside the edited line range are unchanged (at both ends of the file)."""
    if not edits:
        assert before == after
        return
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    first = min(e.span.start.line for e in edits)
    last = max(e.span.end.line for e in edits)
    assert new[:first] == old[:first], "lines before the edit changed"
    tail = len(old) - last - 1
    if tail > 0:
        assert new[len(new) - tail :] == old[len(old) - tail :], "lines after the edit changed"
