"""Findings as the JSON of LSP `Diagnostic`s, without lsprotocol.

Both faces of the server use this: the full pygls server (`diagnostics`) and the start-up
prelude (`prelude`), which publishes the first diagnostics before pygls and lsprotocol (about
0.5 s of imports) are loaded. Keeping one conversion keeps the two byte-for-byte equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Optional

from pinwise.analysis.model import Finding, Severity
from pinwise.lsp.documents import Lines
from pinwise.spans import Span

# lsprotocol's DiagnosticSeverity and DiagnosticTag values (the LSP specification's numbers).
SEVERITY_NUMBER = {
    Severity.ERROR: 1,
    Severity.WARNING: 2,
    Severity.INFORMATION: 3,
    Severity.HINT: 4,
}
TAG_UNNECESSARY = 1
UNNECESSARY = frozenset({"PW009", "PW016"})  # shown faded: not checked here / not used


def num_units(encoding: str) -> Callable[[str], int]:
    """The code-unit counter of a negotiated position encoding (what pygls' codec counts)."""
    if encoding == "utf-8":
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len
    return lambda text: len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def json_range(lines: Lines, span: Span) -> dict[str, dict[str, int]]:
    start, end = span.start, span.end
    return {
        "start": {
            "line": start.line,
            "character": lines.column_to_client(start.line, start.character),
        },
        "end": {"line": end.line, "character": lines.column_to_client(end.line, end.character)},
    }


def finding_key(finding: Finding) -> list[Any]:
    """What identifies a finding in a diagnostic's `data` (code actions find it again by it)."""
    s = finding.span
    return [finding.code, s.start.line, s.start.character, s.end.line, s.end.character]


def shown_name(lines: Sequence[str], finding: Finding) -> Optional[str]:
    """The finding's project name, unless its line has a ${VAR} (the name may be its value)."""
    line = finding.span.start.line
    if finding.name is None or (0 <= line < len(lines) and "${" in lines[line]):
        return None
    return finding.name


RelatedPlace = Callable[[str, Span], dict[str, Any]]
"""A related finding's path and span to its LSP `Location` (uri and client range)."""


def diagnostic_json(finding: Finding, lines: Lines, related_place: RelatedPlace) -> dict[str, Any]:
    """The LSP `Diagnostic` of a finding in a document of `lines`, as JSON-ready data."""
    diag: dict[str, Any] = {
        "range": json_range(lines, finding.span),
        "message": finding.message,
        "severity": SEVERITY_NUMBER.get(finding.severity, 2),
        "code": finding.code,
        "source": "pinwise",
    }
    if finding.related:
        diag["relatedInformation"] = [
            {"location": related_place(path, span), "message": message}
            for path, span, message in finding.related
        ]
    if finding.code in UNNECESSARY:
        diag["tags"] = [TAG_UNNECESSARY]
    diag["data"] = {"key": finding_key(finding), "name": shown_name(lines.lines, finding)}
    return diag
