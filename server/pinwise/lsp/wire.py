"""Findings as the JSON of LSP `Diagnostic`s, without lsprotocol.

Both faces of the server use this: the full pygls server (`diagnostics`) and the start-up
prelude (`prelude`), which publishes the first diagnostics before pygls and lsprotocol (about
0.5 s of imports) are loaded. Keeping one conversion keeps the two byte-for-byte equal.
"""

from __future__ import annotations

import os
import select
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring_ascii as _quoted
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
    start_line, start_char, end_line, end_char = client_range(lines, span)
    return {
        "start": {"line": start_line, "character": start_char},
        "end": {"line": end_line, "character": end_char},
    }


def finding_key(finding: Finding) -> list[Any]:
    """What identifies a finding in a diagnostic's `data` (code actions find it again by it)."""
    s = finding.span
    return [finding.code, s.start.line, s.start.character, s.end.line, s.end.character]


def names_another_file(finding: Finding, path: str) -> bool:
    """Whether a related place of `finding` (shown in the document at `path`, normalised) is in
    another file: its converted text is never reused, since that file's text may have changed
    (both faces keep their conversions by that)."""
    return not all(p == path or os.path.normpath(p) == path for p, _, _ in finding.related)


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


ClientRange = tuple[int, int, int, int]
"""A range in the client's units: start line, start character, end line, end character."""

RelatedText = Callable[[str, Span], str]
"""A related finding's path and span to the JSON text of its LSP `Location`."""

_SEVERITY_TEXT = {severity: str(number) for severity, number in SEVERITY_NUMBER.items()}
_SOURCE_TEXT = '"source": "pinwise"'


def client_range(lines: Lines, span: Span) -> ClientRange:
    start, end = span.start, span.end
    if lines.mapped:  # rows that are not client lines of their own (`Lines`)
        return (
            *lines.to_client(start.line, start.character),
            *lines.to_client(end.line, end.character),
        )
    # `lines.column_to_client` of both ends, inlined: a keystroke that moves every row below
    # converts thousands of ranges
    texts = lines.lines
    rows = len(texts)
    start_line, start_char = start.line, start.character
    end_line, end_char = end.line, end.character
    if 0 <= start_line < rows:
        text = texts[start_line]
        start_char = min(start_char, len(text))
        if not text.isascii() and not text[:start_char].isascii():
            start_char = lines.column_to_client(start_line, start_char)
    if 0 <= end_line < rows:
        text = texts[end_line]
        end_char = min(end_char, len(text))
        if not text.isascii() and not text[:end_char].isascii():
            end_char = lines.column_to_client(end_line, end_char)
    return (start_line, start_char, end_line, end_char)


def range_text(where: ClientRange) -> str:
    """`json.dumps` of the JSON of a client range (`json_range`)."""
    start_line, start_char, end_line, end_char = where
    return (
        f'{{"start": {{"line": {start_line}, "character": {start_char}}}, '
        f'"end": {{"line": {end_line}, "character": {end_char}}}}}'
    )


def location_text(uri: str, where: ClientRange) -> str:
    """`json.dumps` of an LSP `Location`."""
    return f'{{"uri": {_quoted(uri)}, "range": {range_text(where)}}}'


RelatedSections = dict[object, tuple[tuple[tuple[str, Span, str], ...], str]]
"""What findings share within one conversion: by id of a finding's `related`, that tuple and
its JSON text; by (message, severity, code, id of `related`), that tuple and the text from the
message to the related places included."""


def diagnostic_text(
    finding: Finding,
    lines: Lines,
    related_text: RelatedText,
    sections: Optional[RelatedSections] = None,
) -> tuple[str, ClientRange]:
    """Exactly `json.dumps(diagnostic_json(...))` (ASCII, default separators), made without the
    dictionaries: a keystroke that moves every row below converts thousands of diagnostics,
    and one `json.dumps` call per dictionary cost twice the whole text made here. Also returns
    the diagnostic's client range (code actions match the client's diagnostics by it).

    `sections` keeps, for the next finding that says the same, the text from its message to its
    related places: every line of a project says the same of it (PW001, PW003), and every later
    line points at its first occurrence with the very same `related` tuple (PW004), whose text
    was a third of the conversion of a big file with many duplicates."""
    span = finding.span
    start, end = span.start, span.end
    where = client_range(lines, span)
    code = finding.code
    related = finding.related
    key = (finding.message, finding.severity, code, id(related))
    known = sections.get(key) if sections is not None else None
    if known is not None and known[0] is related:
        middle = known[1]
    else:
        middle = _middle(finding, related_text, sections)
        if sections is not None:
            sections[key] = (related, middle)
    name = shown_name(lines.lines, finding)
    start_line, start_char, end_line, end_char = where
    text = (
        f'{{"range": {{"start": {{"line": {start_line}, "character": {start_char}}}, '
        f'"end": {{"line": {end_line}, "character": {end_char}}}}}{middle}, "data": {{"key": '
        f"[{_quoted(code)}, {start.line}, {start.character}, {end.line}, {end.character}], "
        f'"name": {"null" if name is None else _quoted(name)}}}}}'
    )
    return text, where


def diagnostic_texts(
    findings: Sequence[Finding],
    lines: Lines,
    related_text: RelatedText,
    sections: RelatedSections,
) -> Iterator[tuple[bytes, ClientRange]]:
    """`diagnostic_text` of each finding, ASCII-encoded, in one loop with local names for the
    commonest case (a row that is a client line of its own, ASCII up to each end, a finding
    whose text from its message on is in `sections` already): a new row near the top of a big
    file converts every diagnostic below it again."""
    if lines.mapped:
        for finding in findings:
            text, where = diagnostic_text(finding, lines, related_text, sections)
            yield text.encode("ascii"), where
        return
    texts = lines.lines
    rows = len(texts)
    known_sections = sections.get
    quoted_codes: dict[str, str] = {}
    for finding in findings:
        span = finding.span
        start, end = span.start, span.end
        start_line, start_char = start.line, start.character
        end_line, end_char = end.line, end.character
        if not (0 <= start_line < rows and 0 <= end_line < rows):
            text, where = diagnostic_text(finding, lines, related_text, sections)
            yield text.encode("ascii"), where
            continue
        start_text, end_text = texts[start_line], texts[end_line]
        if not (start_text.isascii() and end_text.isascii()):
            text, where = diagnostic_text(finding, lines, related_text, sections)
            yield text.encode("ascii"), where
            continue
        code = finding.code
        related = finding.related
        key = (finding.message, finding.severity, code, id(related))
        known = known_sections(key)
        if known is not None and known[0] is related:
            middle = known[1]
        else:
            middle = _middle(finding, related_text, sections)
            sections[key] = (related, middle)
        client_start = min(start_char, len(start_text))
        client_end = min(end_char, len(end_text))
        # `shown_name`: none on a row with ${VAR} (the name may be its value)
        name = finding.name
        shown = "null" if name is None or "${" in start_text else _quoted(name)
        quoted_code = quoted_codes.get(code)
        if quoted_code is None:
            quoted_code = quoted_codes[code] = _quoted(code)
        yield (
            (
                f'{{"range": {{"start": {{"line": {start_line}, "character": {client_start}}}, '
                f'"end": {{"line": {end_line}, "character": {client_end}}}}}{middle}, "data": '
                f'{{"key": [{quoted_code}, {start_line}, {start_char}, {end_line}, {end_char}], '
                f'"name": {shown}}}}}'
            ).encode("ascii"),
            (start_line, client_start, end_line, client_end),
        )


def _middle(
    finding: Finding, related_text: RelatedText, sections: Optional[RelatedSections]
) -> str:
    """A diagnostic's text from its message to its related places and tags, with the comma
    before it."""
    code = finding.code
    parts = [
        ', "message": ',
        _quoted(finding.message),
        ', "severity": ',
        _SEVERITY_TEXT.get(finding.severity, "2"),
        ', "code": ',
        _quoted(code),
        ", ",
        _SOURCE_TEXT,
    ]
    related = finding.related
    if related:
        known = sections.get(id(related)) if sections is not None else None
        if known is not None and known[0] is related:
            section = known[1]
        else:
            section = _related_section(related, related_text)
            if sections is not None:
                sections[id(related)] = (related, section)
        parts.append(section)
    if code in UNNECESSARY:
        parts.append(f', "tags": [{TAG_UNNECESSARY}]')
    return "".join(parts)


def _related_section(related: tuple[tuple[str, Span, str], ...], related_text: RelatedText) -> str:
    """The `relatedInformation` member of a diagnostic, with its leading comma."""
    places = ", ".join(
        f'{{"location": {related_text(path, place)}, "message": {_quoted(message)}}}'
        for path, place, message in related
    )
    return f', "relatedInformation": [{places}]'


def pieces(parts: Sequence[bytes]) -> Iterator[bytes]:
    """`parts` joined into pieces of about `PIECE` bytes (a part is never cut), to write a big
    message to a byte stream: joined whole, a 5,700-diagnostic notification is a 3 MB buffer,
    and glibc keeps the memory of a buffer that big for the process once it is freed (its mmap
    threshold rises to it)."""
    group: list[bytes] = []
    size = 0
    for part in parts:
        group.append(part)
        size += len(part)
        if size >= PIECE:
            yield b"".join(group)
            group, size = [], 0
    if group:
        yield b"".join(group)


PIECE = 1 << 16


def write_pieces(write: Callable[[bytes], object], parts: Sequence[bytes]) -> None:
    """`write` each of `pieces(parts)`, on the one thread that writes the stream (pieces of two
    messages must not interleave). A failure after the first piece is a `BrokenPipeError`: the
    message is cut short, and nothing written after it could be read (the stream is lost)."""
    started = False
    for piece in pieces(parts):
        try:
            write(piece)
        except BrokenPipeError:
            raise
        except Exception as exc:
            if started:
                raise BrokenPipeError(f"a message was cut short: {exc}") from exc
            raise
        started = True


def write_vectored(stream: Any, parts: Sequence[bytes]) -> None:
    """Write `parts` to `stream` (a binary stream) as one message, never joined in one buffer.

    With a file descriptor (stdio), straight to it with `os.writev`, after flushing what the
    stream holds: runs of `_GROUP` parts joined (in C: one iovec per text was twice as slow in
    the kernel), `_BATCH` runs per call, so ~230 KB of a 3 MB notification exist at once and
    nothing is kept; else `write_pieces`. Then the stream is flushed. A failure once something
    was written is a `BrokenPipeError`, as in `write_pieces`."""
    fd = _descriptor(stream)
    if fd is None:
        write_pieces(stream.write, parts)
        stream.flush()
        return
    stream.flush()
    step = _GROUP * _BATCH
    for at in range(0, len(parts), step):
        chunk = parts[at : at + step]
        batch = [b"".join(chunk[i : i + _GROUP]) for i in range(0, len(chunk), _GROUP)]
        _writev_all(fd, batch, started=at > 0)


_GROUP = 64  # parts joined into one buffer (a diagnostic's text and its separator are two)
_BATCH = 32  # joined runs per `writev` call


def _descriptor(stream: Any) -> Optional[int]:
    if not hasattr(os, "writev"):  # (Windows)
        return None
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None
    return fd if isinstance(fd, int) else None


_IOV_MAX = 1024  # buffers per `writev` call (POSIX's minimum for IOV_MAX is 16; Linux: 1024)


def _writev_all(fd: int, parts: Sequence[bytes], *, started: bool = False) -> None:
    """Every byte of `parts` written to `fd`, resuming after a short write (`started`: some
    of the message was written already)."""
    queue: list[Any] = list(parts)
    at = 0
    while at < len(queue):
        batch = queue[at : at + _IOV_MAX]
        try:
            written = os.writev(fd, batch)
        except BlockingIOError:  # a descriptor left non-blocking by the client: wait, go on
            select.select([], [fd], [], 1.0)
            continue
        except BrokenPipeError:
            raise
        except OSError as exc:
            if started:
                raise BrokenPipeError(f"a message was cut short: {exc}") from exc
            raise
        started = started or written > 0
        for buffer in batch:  # skip what was written; a part written in part is resumed
            size = len(buffer)
            if written < size:
                queue[at] = memoryview(buffer)[written:]
                break
            written -= size
            at += 1


def separated(texts: Sequence[bytes], separator: bytes = b", ") -> list[bytes]:
    """`texts` with `separator` between each two (what `separator.join(texts)` is made of)."""
    out = [separator] * (2 * len(texts) - 1) if texts else []
    out[::2] = texts
    return out
