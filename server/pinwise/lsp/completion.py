"""Completion: project names, `==<installed version>`, pip's options, paths after -r/-c."""

from __future__ import annotations

import logging
import os
import re
from typing import Optional

from lsprotocol import types

from pinwise.lsp import diagnostics
from pinwise.lsp.actions import current_doc
from pinwise.lsp.documents import index_of_units, other_break_before
from pinwise.lsp.server import PinwiseServer
from pinwise.lsp.state import DocState
from pinwise.pyproject.declarations import declaration_at
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
    ("--use-feature", "enable a new pip feature"),
    ("--hash", "hash of the archive (sha256:...)"),
    ("--config-settings", "configuration setting for the build backend"),
    ("-C", "configuration setting for the build backend"),
)

INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)(?:\s+|=)(?P<path>\S*)$")
OPTION = re.compile(r"^\s*(?P<opt>-[-\w]*)$")
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
    if pos.line >= len(lines):
        return None
    content = lines[pos.line].rstrip("\r\n")
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

    def span(start: int) -> tuple[int, int]:
        return units(content[: base + start]), pos.character

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
        for option, help_text in OPTIONS:
            if option.startswith(m.group("opt")):
                items.append(
                    types.CompletionItem(
                        label=option,
                        kind=types.CompletionItemKind.Keyword,
                        detail=help_text,
                        text_edit=types.TextEdit(
                            range=_range(pos.line, start, end), new_text=option
                        ),
                    )
                )
        return types.CompletionList(is_incomplete=False, items=items)
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
            new_text = f"=={installed.version}"
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
