"""Diagnostics: debounced per document, computed on the current text, never published stale."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import os
import time
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count, groupby, repeat
from operator import attrgetter, is_, is_not
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types
from pygls.io_ import StdoutWriter

from pinwise.analysis.model import Finding
from pinwise.lsp import status, wire
from pinwise.lsp.collector import without_collections
from pinwise.lsp.compute import Inputs, Result, compute, find_file
from pinwise.lsp.documents import Lines, lines_for, path_to_uri
from pinwise.lsp.folders import effective_settings, folder_for_path
from pinwise.lsp.state import DiagnosticList, DocState, converter
from pinwise.spans import Span

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

logger = logging.getLogger(__name__)

ENV_WAIT_SECONDS = 2.0
_PATH = attrgetter("path")
_CODE = attrgetter("code")
_TEXT = attrgetter("text")
_END = attrgetter("terminator")


def schedule(
    ls: PinwiseServer, uri: str, *, delay: Optional[float] = None, edit: bool = False
) -> None:
    """(Re)start the debounce timer of `uri`; only the last call in a burst runs. For an `edit`,
    nothing runs if a request (code actions, hover) has meanwhile analysed the new text."""
    doc = ls.docs.get(uri)
    if doc is None:
        return
    ls.collector.note_activity()
    if doc.pending is not None and not doc.pending.done():
        doc.pending.cancel()
    if delay is None:
        folder = folder_for_path(ls, doc.path)
        delay = folder.settings.debounce_ms / 1000.0
    doc.pending = ls.spawn(_run_later(ls, doc, delay, edit), f"diagnose {uri}", quiet_cancel=True)


def schedule_all(
    ls: PinwiseServer, *, delay: float = 0.0, folder_uri: Optional[str] = None
) -> None:
    for uri, doc in list(ls.docs.items()):
        if folder_uri is None or folder_for_path(ls, doc.path).uri == folder_uri:
            schedule(ls, uri, delay=delay)


def schedule_includers(ls: PinwiseServer, path: str, *, exclude: str = "") -> None:
    """Re-diagnose every open document whose analysis read `path` (through -r/-c)."""
    path = os.path.normpath(path)
    for uri, doc in list(ls.docs.items()):
        if uri != exclude and path in doc.deps:
            schedule(ls, uri)


async def _run_later(ls: PinwiseServer, doc: DocState, delay: float, edit: bool) -> None:
    if delay > 0:
        await asyncio.sleep(delay)
    if edit and doc.analyzed_version == ls.workspace.get_text_document(doc.uri).version:
        return  # already analysed (and published) for a request
    await _wait_for_environment(ls, doc)
    if ls.docs.get(doc.uri) is not doc:
        return  # closed meanwhile
    await refresh_async(ls, doc)


async def _wait_for_environment(ls: PinwiseServer, doc: DocState) -> None:
    """Give the folder's interpreter a while to be inspected (it may hang until its timeout):
    past that, the files alone are analysed; the folder is re-diagnosed once it is in."""
    folder = folder_for_path(ls, doc.path)
    if not folder.ready.is_set():
        try:
            await asyncio.wait_for(asyncio.shield(folder.ready.wait()), ENV_WAIT_SECONDS)
        except asyncio.TimeoutError:
            logger.info("%s: environment not inspected yet, diagnosing the file alone", doc.path)


def _capture(ls: PinwiseServer, doc: DocState) -> Inputs:
    folder = folder_for_path(ls, doc.path)
    env = folder.env
    buffers = {
        path: ls.workspace.get_text_document(uri).source for path, uri in ls.open_paths.items()
    }
    return Inputs(
        path=doc.path,
        version=ls.workspace.get_text_document(doc.uri).version,
        generation=env.generation if env is not None else -1,
        cwd=folder.path,
        snapshot=env.snapshot if env is not None else None,
        settings=effective_settings(folder),
        buffers=buffers,
        kind=doc.kind,
    )


def refresh(ls: PinwiseServer, doc: DocState) -> None:
    """Analyse the document's current text now, on the event loop, and publish."""
    started = time.perf_counter()
    try:
        result = without_collections(compute, _capture(ls, doc))
    except Exception:
        logger.exception("analysing %s failed", doc.path)
        return
    doc.seq += 1  # supersedes any analysis still running in a thread
    _finish(ls, doc, result, started)


async def refresh_async(ls: PinwiseServer, doc: DocState) -> None:
    """Analyse in a worker thread (the server keeps answering meanwhile); publish the result
    only if it is still about the document's current text and nothing newer was started."""
    started = time.perf_counter()
    doc.seq += 1
    seq = doc.seq
    inputs = _capture(ls, doc)
    loop = asyncio.get_running_loop()
    try:
        result = await loop.run_in_executor(ls.thread_pool, without_collections, compute, inputs)
    except Exception:
        logger.exception("analysing %s failed", doc.path)
        return
    if ls.docs.get(doc.uri) is not doc or doc.seq != seq:
        return
    if ls.workspace.get_text_document(doc.uri).version != inputs.version:
        logger.debug("dropping the analysis of %s v%s: the text changed", doc.uri, inputs.version)
        return
    _finish(ls, doc, result, started)


async def analyse_closed(ls: PinwiseServer, path: str) -> DocState:
    """A requirements file that is not open (a command given its URI from a file explorer),
    analysed from disk as if it were opened, in a worker thread; nothing is published."""
    doc = DocState(uri=path_to_uri(path), path=path)
    inputs = _capture(ls, doc)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(ls.thread_pool, without_collections, compute, inputs)
    _apply(ls, doc, result)
    doc.findings = doc.by_path.get(doc.path, ())
    return doc


def is_current(ls: PinwiseServer, doc: DocState) -> bool:
    """Whether the document's last analysis is about its current text and environment."""
    env = folder_for_path(ls, doc.path).env
    generation = env.generation if env is not None else -1
    return (
        doc.lines is not None
        and doc.analyzed_version == ls.workspace.get_text_document(doc.uri).version
        and doc.analyzed_generation == generation
    )


async def ensure_current(ls: PinwiseServer, uri: Optional[str]) -> None:
    """Before a request reads a document's analysis: reuse it when it is about the current
    text, else analyse in a worker thread (the event loop keeps reading edits meanwhile). An
    edit arriving during that analysis makes it stale: one more try, then the request's own
    (synchronous) fallback does it."""
    for _ in range(2):
        doc = ls.docs.get(uri) if uri is not None else None
        if doc is None or is_current(ls, doc):
            return
        # A request right after the start (the client saw the prelude's diagnostics, made with
        # the environment) must not be answered from an analysis without it.
        await _wait_for_environment(ls, doc)
        await refresh_async(ls, doc)


def _finish(ls: PinwiseServer, doc: DocState, result: Result, started: float) -> None:
    # Converting allocates thousands of small acyclic objects on a big heap: the cyclic
    # collector would walk that heap again and again meanwhile. Paused, as for the analysis.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _finish_now(ls, doc, result, started)
    finally:
        if collecting:
            gc.enable()
    ls.collector.after_analysis()


def _finish_now(ls: PinwiseServer, doc: DocState, result: Result, started: float) -> None:
    before = dict(doc.by_path)
    analysed = time.perf_counter()
    _apply(ls, doc, result)
    compose(ls, doc)
    publish(ls, doc)
    done = time.perf_counter()
    ls.timings.append(done - started)
    ls.face_timings.append(done - analysed)
    # Open files this one includes see what this analysis found in them (PW004 across files...).
    own = folder_for_path(ls, doc.path)
    folders = {id(own): own}
    for other in list(ls.docs.values()):
        if (
            other is not doc
            and other.lines is not None
            and (before.get(other.path) != doc.by_path.get(other.path))
        ):
            compose(ls, other)
            publish(ls, other)
            folder = folder_for_path(ls, other.path)  # its counts changed: its folder's status
            folders[id(folder)] = folder
    for folder in folders.values():
        status.send_if_changed(ls, folder)


def _apply(ls: PinwiseServer, doc: DocState, result: Result) -> None:
    reqset = result.reqset
    extra = result.extra
    if extra is not None and extra.text_lines is not None:  # a Python file, pyproject.toml
        this = extra.file
        doc.lines = lines_for(ls.workspace, extra.text_lines)
    else:
        this = reqset.files.get(doc.path) or find_file(reqset.files, doc.path)
        rows = this.lines if this else ()
        doc.lines = lines_for(ls.workspace, list(map(_TEXT, rows)), list(map(_END, rows)))
    doc.reqset = reqset
    doc.file = this
    doc.pyproject = extra.pyproject if extra is not None else None
    doc.compiled = extra.compiled if extra is not None else None
    doc.all_findings = result.findings
    by_path: dict[str, list[Finding]] = {}
    # findings come grouped by file (sorted by the analysis; PW016/PW017 after them)
    for path, group in groupby(result.findings, _PATH):
        by_path.setdefault(os.path.normpath(path), []).extend(group)
    doc.by_path = {path: tuple(found) for path, found in by_path.items()}
    doc.analyzed_version = result.inputs.version
    doc.analyzed_generation = result.inputs.generation
    deps = {os.path.normpath(p) for p in reqset.files}
    deps.update(os.path.normpath(edge.target) for edge, _ in reqset.missing)
    if extra is not None:
        deps.update(extra.deps)
    deps.discard(doc.path)
    doc.deps = frozenset(deps)


# What a set's analysis says about a file whatever the environment: from an includer in a
# folder with another interpreter, only these reach the file (the rest is that interpreter's
# verdict, which the file's own folder does not share).
_ENVIRONMENT_FREE = frozenset({"PW004", "PW005", "PW006", "PW007", "PW008", "PW013"})


def compose(ls: PinwiseServer, doc: DocState) -> None:
    """This file's findings: its own analysis, plus what open includers found in it."""
    merged: list[Finding] = list(doc.by_path.get(doc.path, ()))
    includers = [
        other
        for other in ls.docs.values()
        if other is not doc and doc.path in other.deps and other.by_path.get(doc.path)
    ]
    seen = {(f.code, _ints(f.span), f.message) for f in merged} if includers else set()
    own_env = folder_for_path(ls, doc.path).env if includers else None
    for other in includers:
        elsewhere = folder_for_path(ls, other.path).env is not own_env
        for finding in other.by_path.get(doc.path, ()):
            if elsewhere and finding.code not in _ENVIRONMENT_FREE:
                continue
            key = (finding.code, _ints(finding.span), finding.message)
            if key not in seen and _fits(doc, finding):
                seen.add(key)
                merged.append(finding)
    doc.findings = tuple(merged)
    # Converting is most of the face's cost on big files: the diagnostics are built as the JSON
    # the client receives (lsprotocol objects are made only when a code action needs one).
    own = len(doc.by_path.get(doc.path, ()))
    doc.diagnostics = _convert(ls, doc, own)
    doc.counts = dict(Counter(map(_CODE, doc.findings)))


_SHIFTED = 64  # more findings than this not in their place: looked up by id instead


@dataclass
class _Converted:
    """A document's last conversion: its URI as open, its own findings converted (the first
    of `texts` and `ranges`), each finding's diagnostic as JSON text (ASCII) and client range,
    and the indices of those whose text must never be reused (related places in other files)."""

    uri: Optional[str]
    own: tuple[Finding, ...]
    texts: list[bytes]
    ranges: list[wire.ClientRange]
    foreign: frozenset[int]


# Per document: its last conversions, newest first. The one before the last is kept too: a
# keystroke undone (Enter, then Backspace) brings back the very findings of two versions ago,
# which would otherwise all be converted again when every row below had moved.
_CONVERTED: weakref.WeakKeyDictionary[DocState, list[_Converted]] = weakref.WeakKeyDictionary()
_KEPT_CONVERSIONS = 2


def _convert(ls: PinwiseServer, doc: DocState, own: int) -> DiagnosticList:
    """`to_text` of each of `doc.findings`, reusing a recent conversion's text (and range) of a
    finding from this document's own analysis that is the very same object again: the analysis
    hands back the same finding for an unchanged line at the same place
    (`analysis.rules._LineMemo`, `_splice`), so the text of the rows its ranges (UTF-16
    columns), related ranges in this same document and data depend on is the same too.

    The old and new lists are compared by identity in C (`map(is_not, ...)` against the last
    conversion when as long, else a look-up by id in the recent ones): a keystroke in a
    5,000-line file converts a handful of findings. A document's first conversion starts from
    the start-up prelude's (`prelude.Conversion`), whose findings the analysis hands back too
    when the server adopted the prelude's snapshot (`folders._adopted`).
    """
    memo: dict[str, Lines] = {}
    uri = ls.open_paths.get(doc.path)
    findings = doc.findings
    mine = tuple(findings[:own])

    sections: wire.RelatedSections = {}
    foreign_related: dict[int, bool] = {}  # by id of a `related` tuple (`sections` keeps it)

    def is_foreign(f: Finding) -> bool:
        related = f.related
        known = foreign_related.get(id(related))
        if known is None:
            known = foreign_related[id(related)] = wire.names_another_file(f, doc.path)
        return known

    recent = [c for c in _CONVERTED.get(doc, ()) if c.uri == uri]
    seed = ls.prelude_conversions.pop(uri, None) if uri is not None else None
    if seed is not None and not recent:  # the start-up prelude's, for the very same findings
        recent = [_Converted(uri, seed.findings, seed.texts, seed.ranges, seed.foreign)]
    last = recent[0] if recent else _Converted(uri, (), [], [], frozenset())
    old = last.own
    n, m = len(mine), len(old)
    texts: list[bytes]
    ranges: list[wire.ClientRange]
    redo: set[int] = set(compress(count(), map(is_not, mine, old))) if n == m else set()
    # the very findings of the last conversion (an includer's analysis composing this document
    # again, say): it replaces the last one rather than push out the one before
    again = bool(recent) and n == m and not redo
    if n == m and len(redo) <= _SHIFTED:
        texts, ranges = last.texts[:n], last.ranges[:n]
        redo.update(last.foreign)
    else:
        # findings came and went: each one converted recently is found by its id (the kept
        # conversions hold their findings, so the same id is the same object), in C
        known: dict[int, tuple[bytes, wire.ClientRange]] = {}
        for done in reversed(recent):  # the newest last: its texts win
            known.update(zip(map(id, done.own), zip(done.texts, done.ranges)))
            for j in done.foreign:  # never reused
                known.pop(id(done.own[j]), None)
        found = list(map(known.get, map(id, mine)))
        redo = set(compress(count(), map(is_, found, repeat(None))))
        texts = [b"" if hit is None else hit[0] for hit in found]
        ranges = [_NO_RANGE if hit is None else hit[1] for hit in found]
    # every foreign finding is in `redo` (a reused one is never foreign)
    foreign: set[int] = set()
    order = sorted(redo)
    redone = to_texts(ls, doc, [mine[i] for i in order], memo, sections)
    for i, (texts[i], ranges[i]) in zip(order, redone):
        f = mine[i]
        if f.related and is_foreign(f):
            foreign.add(i)
    for text, where_ in to_texts(ls, doc, findings[own:], memo, sections):
        texts.append(text)
        ranges.append(where_)
    conversion = _Converted(uri, mine, texts, ranges, frozenset(foreign))
    _CONVERTED[doc] = [conversion, *recent[1 if again else 0 :][: _KEPT_CONVERSIONS - 1]]
    return DiagnosticList(texts, ranges)


_NO_RANGE: wire.ClientRange = (0, 0, 0, 0)


def _fits(doc: DocState, finding: Finding) -> bool:
    """A finding from another analysis still points inside this text."""
    lines = doc.lines.lines if doc.lines is not None else []
    end = finding.span.end
    return (end.line < len(lines) and end.character <= len(lines[end.line])) or (
        end.line == len(lines) and end.character == 0
    )


def lines_of(
    ls: PinwiseServer, doc: DocState, path: str, memo: Optional[dict[str, Lines]] = None
) -> Lines:
    """Lines to convert positions in `path` (this document, a file of its set, or the disk)."""
    path = os.path.normpath(path)
    if path == doc.path and doc.lines is not None:
        return doc.lines
    if memo is not None and path in memo:
        return memo[path]
    file = find_file(doc.reqset.files, path) if doc.reqset else None
    rows = file.lines if file else ()
    lines = lines_for(ls.workspace, [row.text for row in rows], [row.terminator for row in rows])
    if memo is not None:
        memo[path] = lines
    return lines


def _ints(span: Span) -> tuple[int, int, int, int]:
    return (span.start.line, span.start.character, span.end.line, span.end.character)


def to_json(
    ls: PinwiseServer, doc: DocState, f: Finding, memo: Optional[dict[str, Lines]] = None
) -> dict[str, Any]:
    """The LSP `Diagnostic` of a finding, as JSON-ready data (what `to_text` writes as text)."""
    assert doc.lines is not None

    def related_place(path: str, span: Span) -> dict[str, Any]:
        return {
            "uri": _related_uri(ls, path),
            "range": wire.json_range(lines_of(ls, doc, path, memo), span),
        }

    return wire.diagnostic_json(f, doc.lines, related_place)


def to_text(
    ls: PinwiseServer,
    doc: DocState,
    f: Finding,
    memo: Optional[dict[str, Lines]] = None,
    sections: Optional[wire.RelatedSections] = None,
) -> tuple[bytes, wire.ClientRange]:
    """`json.dumps` of `to_json` (ASCII: `json.dumps` escapes every non-ASCII character), made
    as text directly, and the diagnostic's client range."""
    assert doc.lines is not None

    def related_text(path: str, span: Span) -> str:
        lines = lines_of(ls, doc, path, memo)
        return wire.location_text(_related_uri(ls, path), wire.client_range(lines, span))

    text, where = wire.diagnostic_text(f, doc.lines, related_text, sections)
    return text.encode("ascii"), where


def to_texts(
    ls: PinwiseServer,
    doc: DocState,
    findings: Sequence[Finding],
    memo: dict[str, Lines],
    sections: wire.RelatedSections,
) -> Iterator[tuple[bytes, wire.ClientRange]]:
    """`to_text` of each of `findings`, in one loop (`wire.diagnostic_texts`)."""
    assert doc.lines is not None

    def related_text(path: str, span: Span) -> str:
        lines = lines_of(ls, doc, path, memo)
        return wire.location_text(_related_uri(ls, path), wire.client_range(lines, span))

    return wire.diagnostic_texts(findings, doc.lines, related_text, sections)


def _related_uri(ls: PinwiseServer, path: str) -> str:
    return ls.open_paths.get(os.path.normpath(path)) or path_to_uri(path)


def publish(ls: PinwiseServer, doc: DocState) -> None:
    if ls.docs.get(doc.uri) is not doc:
        return
    current = ls.workspace.get_text_document(doc.uri).version
    if current != doc.analyzed_version:
        logger.debug(
            "dropping diagnostics of %s v%s (now v%s)", doc.uri, doc.analyzed_version, current
        )
        return
    if _published_by_prelude(ls, doc):
        return
    head: dict[str, Any] = {"uri": doc.uri}
    if doc.analyzed_version is not None:
        head["version"] = doc.analyzed_version
    send = getattr(ls.protocol, "_send_data", None)
    if send is not None and _write_serialised(ls, doc, head):
        return
    params = {**head, "diagnostics": doc.diagnostics.payload}
    if send is None:  # not pygls 2.x's protocol: the typed (slower) path
        ls.text_document_publish_diagnostics(converter().structure(params, _PARAMS))
        return
    # Already JSON: pygls' unstructuring of 5,700 diagnostics took a quarter of a second.
    send({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params})


def _published_by_prelude(ls: PinwiseServer, doc: DocState) -> bool:
    """Whether the start-up prelude has published a newer version of the document (the server
    is replaying the edits it diagnosed; once it reaches that version, it goes on), or this
    very version with the very same diagnostics, and the server has published nothing for the
    document since: the client has them. (On a big file, sending 3 MB again held the keystroke
    typed meanwhile for ~0.1 s.)"""
    floor = ls.prelude_versions.get(doc.uri)
    if floor is not None:
        if doc.analyzed_version is not None and doc.analyzed_version < floor:
            logger.debug(
                "not publishing %s v%s: the prelude published v%s",
                doc.uri,
                doc.analyzed_version,
                floor,
            )
            return True
        del ls.prelude_versions[doc.uri]
    sent = ls.prelude_published.get(doc.uri)
    if sent is None:
        return False
    if doc.analyzed_version == sent[0] and doc.diagnostics.texts == sent[1]:
        return True
    del ls.prelude_published[doc.uri]  # the server publishes: from now on, its own
    return False


def _write_serialised(ls: PinwiseServer, doc: DocState, head: dict[str, Any]) -> bool:
    """Send the notification made of each diagnostic's text made at conversion (most of them
    reused from the last one): serialising 5,700 diagnostics again on every version took
    about 60 ms. What pygls' `_send_data` does, with the body made of those texts (as bytes:
    they are ASCII) instead of dumped, and written to stdio without joining them
    (`wire.write_vectored`); False
    (nothing sent) when the transport is not the one expected.
    `head` is the parameters but the diagnostics."""
    protocol = ls.protocol
    writer = getattr(protocol, "writer", None)
    if writer is None:
        return False
    message = {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": head}
    opening = json.dumps(message)
    assert opening.endswith("}}")
    charset = getattr(protocol, "CHARSET", "utf-8")
    start = (opening[:-2] + ', "diagnostics": [').encode(charset)
    parts = [start, *wire.separated(doc.diagnostics.texts), b"]}}"]
    if getattr(protocol, "_include_headers", True):
        content_type = getattr(protocol, "CONTENT_TYPE", "application/vscode-jsonrpc")
        length = sum(map(len, parts))  # all ASCII: as many characters as bytes
        header = (
            f"Content-Length: {length}\r\nContent-Type: {content_type}; charset={charset}\r\n\r\n"
        )
        parts.insert(0, header.encode(charset))
    try:
        if isinstance(writer, StdoutWriter):
            # stdio: never 3 MB in one new buffer (whose memory the allocator keeps for the
            # process once freed); every send is on the event loop
            stream = getattr(writer, "_stdout", None)
            if stream is None:
                wire.write_pieces(writer.write, parts)
            else:
                wire.write_vectored(stream, parts)
            return True
        result = writer.write(b"".join(parts))  # (TCP, WebSocket: as pygls writes)
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            _WRITING.add(task)
            task.add_done_callback(_WRITING.discard)
    except BrokenPipeError:
        raise  # as pygls does: the client is gone
    except Exception:
        logger.exception("sending the diagnostics of %s failed", doc.uri)
    return True


_WRITING: set[asyncio.Future[Any]] = set()
_PARAMS = types.PublishDiagnosticsParams


def clear(ls: PinwiseServer, uri: str) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
