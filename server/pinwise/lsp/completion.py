"""Completion: project names, `==<installed version>`, pip's options, paths after -r/-c."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import Optional

from lsprotocol import types

from pinwise.freeze.merge import installed_pin
from pinwise.lsp import diagnostics
from pinwise.lsp.actions import current_doc
from pinwise.lsp.documents import index_of_units, other_break_before
from pinwise.lsp.server import PinwiseServer
from pinwise.lsp.state import DocState
from pinwise.pyproject.declarations import declaration_at
from pinwise.reqfile._text import COMMENT_RE
from pinwise.spans import Position

logger = logging.getLogger(__name__)

# What pip accepts in a requirements file (pip's req_file.SUPPORTED_OPTIONS + per-requirement).
OPTIONS: tuple[tuple[str, str], ...] = (
    ("-r", "include a requirements file"),
    ("--requirement", "include a requirements file"),
    ("-c", "include a constraints file"),
    ("--constraint", "include a constraints file"),
    ("-e", "install a project in editable mode"),
    ("--editable", "install a project in editable mode"),
    ("-i", "base URL of the package index"),
    ("--index-url", "base URL of the package index"),
    ("--extra-index-url", "extra package index URL"),
    ("--no-index", "ignore the package index"),
    ("-f", "look for archives in this URL or folder"),
    ("--find-links", "look for archives in this URL or folder"),
    ("--pre", "include pre-release and development versions"),
    ("--prefer-binary", "prefer binary packages over source packages"),
    ("--only-binary", "do not use source packages"),
    ("--no-binary", "do not use binary packages"),
    ("--trusted-host", "trust this host even without HTTPS"),
    ("--require-hashes", "require a hash for every requirement"),
    ("--no-require-hashes", "do not require hashes (where a configuration asks for them)"),
    ("--all-releases", "allow pre-releases of these packages (or :all:)"),
    ("--only-final", "only final releases of these packages (or :all:)"),
    ("--use-feature", "enable a new pip feature"),
)
# Options of one requirement: after it on its line, never alone (pip would ignore them there).
REQUIREMENT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("--hash", "hash of the archive (sha256:...)"),
    ("--config-settings", "configuration setting for the build backend"),
    ("-C", "configuration setting for the build backend"),
)

# `-r FILE`, `--requirement FILE`, `--requirement=FILE`: a short option's `=` would be part of
# the file name for pip (`-r=base.txt` opens `=base.txt`).
INCLUDE = re.compile(r"^\s*(?:(?:-r|-c)\s+|(?:--requirement|--constraint)(?:\s+|=))(?P<path>\S*)$")
OPTION = re.compile(r"^\s*(?P<opt>-[-\w]*)$")
OPTION_AFTER_REQUIREMENT = re.compile(r"^\s*[^\s-]\S*.*\s(?P<opt>-[-\w]*)$")
COMMENT = re.compile(r"(^|\s)#")  # where pip's COMMENT_RE starts a comment
NAME = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\[[^\]]*\])?\s*"
    r"(?P<op>===|==|~=|>=|<=|!=|>|<|=)?\s*(?P<ver>[0-9A-Za-z.*+!_-]*)$"
)


def _range(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


def _paths(
    doc: DocState, typed: str, line: int, start: int, end: int
) -> list[types.CompletionItem]:
    base = os.path.dirname(doc.path)
    folder_part, slash, _ = typed.rpartition("/")
    # `/tm`: the root's entries (an empty part before the only slash is the root, not `base`)
    folder = os.path.join(base, folder_part or "/") if slash else base
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    items = []
    prefix = folder_part + slash
    for entry in entries:
        if entry.name.startswith(".") or os.path.join(folder, entry.name) == doc.path:
            continue
        is_dir = entry.is_dir()
        if not is_dir and not entry.name.endswith((".txt", ".in")):
            continue
        text = prefix + entry.name + ("/" if is_dir else "")
        items.append(
            types.CompletionItem(
                label=entry.name + ("/" if is_dir else ""),
                kind=types.CompletionItemKind.Folder if is_dir else types.CompletionItemKind.File,
                text_edit=types.TextEdit(range=_range(line, start, end), new_text=text),
                filter_text=text,
            )
        )
    return items


def complete(ls: PinwiseServer, params: types.CompletionParams) -> Optional[types.CompletionList]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.lines is None or doc.kind == "python":
        return None
    pos = params.position
    lines = ls.workspace.get_text_document(doc.uri).lines  # the text as typed, the client's lines
    if pos.line > len(lines) or (
        pos.line == len(lines) and lines and not lines[-1].endswith(("\n", "\r"))
    ):
        return None  # past the end of the text
    # (the empty line after the last line break is no item of `lines`)
    content = lines[pos.line].rstrip("\r\n") if pos.line < len(lines) else ""
    units = ls.workspace.position_codec.client_num_units
    code_col = index_of_units(content, pos.character, units)
    # where the line's text starts for pip: after a form feed (or another break only pip counts)
    base = other_break_before(content, code_col)
    if doc.kind == "pyproject":  # only inside a dependency string, as in a requirements line
        decls = doc.pyproject
        found = declaration_at(decls, Position(pos.line, code_col)) if decls else None
        if found is None:
            return None
        start_of_text = found[0].text_span.start
        if start_of_text.line != pos.line or code_col < start_of_text.character:
            return None
        base = start_of_text.character
    before = content[base:code_col]
    # A continued line: pip reads the rows before it as the start of this one.
    joined = _continued_before(lines, pos.line) if base == 0 and doc.kind == "requirements" else ""
    before = joined + before
    if "#" in before and COMMENT.search(before):
        return None  # in a comment (the rest of a line after ` #` is one for pip)

    def span(start: int) -> tuple[int, int]:
        if start < len(joined):
            raise _OnEarlierRow
        return units(content[: base + start - len(joined)]), pos.character

    try:
        return _complete_at(ls, doc, pos, before, span)
    except _OnEarlierRow:  # what is typed began on a row above: no edit can reach it
        return None


class _OnEarlierRow(Exception):
    pass


def _continued_before(lines: Sequence[str], row: int) -> str:
    """The text of the rows that a continuation joins to the front of `row` (pip joins a row
    ending in a backslash with the next, the backslash dropped), or ''."""
    parts: list[str] = []
    while row > 0:
        above = lines[row - 1].rstrip("\r\n")
        # as `reqfile._text.join_lines` (pip's): a comment line is never continued
        if not above.endswith("\\") or COMMENT_RE.match(above):
            break
        parts.append(above.strip("\\"))
        row -= 1
    return "".join(reversed(parts))


def _option_items(
    options: tuple[tuple[str, str], ...], typed: str, line: int, start: int, end: int
) -> types.CompletionList:
    items = [
        types.CompletionItem(
            label=option,
            kind=types.CompletionItemKind.Keyword,
            detail=help_text,
            text_edit=types.TextEdit(range=_range(line, start, end), new_text=option),
        )
        for option, help_text in options
        if option.startswith(typed)
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def _complete_at(
    ls: PinwiseServer,
    doc: DocState,
    pos: types.Position,
    before: str,
    span: Callable[[int], tuple[int, int]],
) -> Optional[types.CompletionList]:

    items: list[types.CompletionItem] = []
    if doc.kind != "requirements":
        pass
    elif m := INCLUDE.match(before):
        start, end = span(m.start("path"))
        return types.CompletionList(
            is_incomplete=False, items=_paths(doc, m.group("path"), pos.line, start, end)
        )
    if doc.kind == "requirements" and (m := OPTION.match(before)):
        start, end = span(m.start("opt"))
        return _option_items(OPTIONS, m.group("opt"), pos.line, start, end)
    if doc.kind == "requirements" and (m := OPTION_AFTER_REQUIREMENT.match(before)):
        start, end = span(m.start("opt"))
        return _option_items(REQUIREMENT_OPTIONS, m.group("opt"), pos.line, start, end)
    env = ls.folder_for(doc.path).env
    snapshot = env.snapshot if env is not None else None
    m = NAME.match(before)
    if before.strip() == "" or (m and not m.group("op") and not m.group("extras")):
        start, end = span(m.start("name") if m else len(before))
        seen: set[str] = set()
        for dist in snapshot.distributions if snapshot else ():
            seen.add(dist.normalized_name)
            items.append(
                types.CompletionItem(
                    label=dist.name,
                    kind=types.CompletionItemKind.Module,
                    detail=f"{dist.version} installed",
                    documentation=dist.summary,
                    text_edit=types.TextEdit(
                        range=_range(pos.line, start, end), new_text=dist.name
                    ),
                    filter_text=dist.name,
                )
            )
        for file in doc.reqset.files.values() if doc.reqset else ():
            for logical in file.logical_lines:
                req = logical.requirement
                if req and req.name and not logical.expanded and req.normalized_name not in seen:
                    seen.add(req.normalized_name or "")
                    items.append(
                        types.CompletionItem(
                            label=req.name,
                            kind=types.CompletionItemKind.Reference,
                            detail="declared, not installed",
                            text_edit=types.TextEdit(
                                range=_range(pos.line, start, end), new_text=req.name
                            ),
                        )
                    )
        return types.CompletionList(is_incomplete=False, items=items)
    if m and snapshot is not None:
        installed = snapshot.get(m.group("name"))
        if installed is not None:
            if m.group("op"):
                op_start = m.start("op")
            else:
                op_start = m.end("extras") if m.group("extras") else m.end("name")
            start, end = span(op_start)
            # as pip freeze writes it: `===` for a version that is not PEP 440's
            new_text = installed_pin(installed, snapshot.interpreter.python_version)
            items.append(
                types.CompletionItem(
                    label=new_text,
                    kind=types.CompletionItemKind.Value,
                    detail=f"installed in {snapshot.interpreter.env_name}",
                    text_edit=types.TextEdit(range=_range(pos.line, start, end), new_text=new_text),
                    filter_text=before[op_start:] if m.group("op") else new_text,
                    preselect=True,
                )
            )
        return types.CompletionList(is_incomplete=False, items=items)
    return None


def register(ls: PinwiseServer) -> None:
    options = types.CompletionOptions(trigger_characters=["=", "-", "/", "[", ">", "~"])

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, options)
    async def _complete(
        ls: PinwiseServer, params: types.CompletionParams
    ) -> Optional[types.CompletionList]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return complete(ls, params)
        except Exception:
            logger.exception("completion in %s failed", params.text_document.uri)
            return None
