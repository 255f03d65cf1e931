"""Code actions: the findings' own fixes, Pin all, Freeze, Install missing, Create a venv.

Edits are computed lazily in `codeAction/resolve` when the client supports it (the list the
lightbulb asks for stays cheap), eagerly otherwise.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any, Optional

from lsprotocol import types
from pygls.capabilities import get_capability

from pinwise.analysis.model import Finding, FixKind
from pinwise.lsp import diagnostics, wire
from pinwise.lsp.edits import workspace_edit
from pinwise.lsp.server import PinwiseServer
from pinwise.lsp.state import DocState
from pinwise.spans import Position, Span, TextEdit

logger = logging.getLogger(__name__)

FIX_ALL = "source.fixAll.pinwise"
FREEZE = "source.pinwise.freeze"
QUICKFIX = types.CodeActionKind.QuickFix

PIN_ALL_TITLE = "Pin all unpinned requirements to their installed versions"
FREEZE_TITLE = "Freeze environment into this file"
INSTALL_TITLE = "Install missing requirements"
CREATE_VENV_TITLE = "Create a virtual environment (.venv) for this folder"


def current_doc(ls: PinwiseServer, uri: str) -> Optional[DocState]:
    """The document with an analysis of its current text. Handlers first await
    `diagnostics.ensure_current` (a worker thread); analysing here, on the event loop, is only
    the fallback for a text that changed again meanwhile."""
    doc = ls.docs.get(uri)
    if doc is None:
        return None
    if not diagnostics.is_current(ls, doc):
        diagnostics.refresh(ls, doc)
    return doc if doc.lines is not None else None


def _overlaps(span: Span, start: Position, end: Position) -> bool:
    return span.start <= end and start <= span.end


def _wanted(kind: str, only: Optional[list[Any]]) -> bool:
    if not only:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def pin_all_edits(doc: DocState) -> list[TextEdit]:
    edits: list[TextEdit] = []
    for finding in doc.findings:
        if finding.code == "PW001":
            for fix in finding.fixes:
                if fix.kind == FixKind.PIN:
                    edits.extend(fix.edits)
                    break
    return edits


def freeze_edits(ls: PinwiseServer, doc: DocState) -> tuple[list[TextEdit], Optional[str]]:
    """The structure-preserving merge of the environment into this file, or why not."""
    from pinwise import freeze

    if doc.kind != "requirements":
        return [], "the environment is frozen into requirements files only"
    env = ls.folder_for(doc.path).env
    if env is None or env.snapshot is None or doc.file is None:
        return [], "no environment to freeze: select an interpreter first"
    file = doc.file
    if not file.constraint and used_as_constraints(ls, doc.path):
        file = replace(file, constraint=True)  # no editables appended: pip refuses them there
    result = freeze.merge(file, env.snapshot, doc.reqset)
    if result.refused:
        return [], result.refused
    return list(result.edits), None


def used_as_constraints(ls: PinwiseServer, path: str) -> bool:
    """Whether a file is meant for `-c`: named `constraints*.txt`, or reached through `-c` by
    an open document's set."""
    from pinwise.cli.files import is_constraints_name

    if is_constraints_name(path):
        return True
    for other in ls.docs.values():
        if other.reqset is None:
            continue
        for edge in other.reqset.edges:
            include = edge.line.include
            if include is not None and include.constraint and os.path.normpath(edge.target) == path:
                return True
    return False


def _fix_edits(doc: DocState, key: list[Any], index: int, title: str) -> Optional[list[TextEdit]]:
    for finding in doc.findings:
        if wire.finding_key(finding) == key and index < len(finding.fixes):
            fix = finding.fixes[index]
            if fix.title == title:
                return list(fix.edits)
    return None


def _supports_resolve(ls: PinwiseServer) -> bool:
    props = get_capability(
        ls.client_capabilities, "text_document.code_action.resolve_support.properties", []
    )
    return "edit" in (props or [])


def _action(
    ls: PinwiseServer,
    doc: DocState,
    title: str,
    kind: str,
    data: dict[str, Any],
    *,
    diags: Optional[list[types.Diagnostic]] = None,
    preferred: Optional[bool] = None,
) -> types.CodeAction:
    action = types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diags,
        is_preferred=preferred,
        data={"uri": doc.uri, "version": doc.analyzed_version, **data},
    )
    if not _supports_resolve(ls):
        resolve(ls, action)
    return action


def _command_action(
    title: str, kind: str, command: str, args: list[Any], diags: list[types.Diagnostic]
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=diags,
        command=types.Command(title=title, command=command, arguments=args),
    )


def code_actions(
    ls: PinwiseServer, params: types.CodeActionParams
) -> Optional[list[types.CodeAction]]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.lines is None:
        return None
    only = [getattr(k, "value", k) for k in params.context.only] if params.context.only else None
    start = doc.lines.from_client_position(params.range.start)
    end = doc.lines.from_client_position(params.range.end)
    actions: list[types.CodeAction] = []
    asked = {
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
        for d in params.context.diagnostics
        if d.source == "pinwise"
    }
    in_range: list[tuple[int, Finding]] = []
    for i, finding in enumerate(doc.findings):
        key = (finding.code, *doc.diagnostics.range_key(i))
        if key in asked or _overlaps(finding.span, start, end):
            in_range.append((i, finding))
    if _wanted(QUICKFIX, only):
        for i, finding in in_range:
            diag = doc.diagnostics[i]
            for j, fix in enumerate(finding.fixes):
                actions.append(
                    _action(
                        ls,
                        doc,
                        fix.title,
                        QUICKFIX,
                        {
                            "type": "fix",
                            "key": wire.finding_key(finding),
                            "fix": j,
                            "title": fix.title,
                        },
                        diags=[diag],
                        preferred=fix.is_preferred or None,
                    )
                )
        missing = [doc.diagnostics[i] for i, f in in_range if f.code == "PW002"]
        if missing and ls.trusted:
            actions.append(
                _command_action(
                    INSTALL_TITLE, QUICKFIX, "pinwise.installMissing", [doc.uri], missing
                )
            )
        no_venv = [doc.diagnostics[i] for i, f in in_range if f.code == "PW010"]
        if no_venv and ls.trusted:
            folder = ls.folder_for(doc.path)
            actions.append(
                _command_action(
                    CREATE_VENV_TITLE, QUICKFIX, "pinwise.createVenv", [folder.uri], no_venv
                )
            )
        unpinned = [doc.diagnostics[i] for i, f in in_range if f.code == "PW001"]
        if unpinned and len(pin_all_edits(doc)) > 1:
            actions.append(
                _action(ls, doc, PIN_ALL_TITLE, QUICKFIX, {"type": "pinAll"}, diags=unpinned)
            )
    requirements = doc.kind == "requirements"
    if requirements and _wanted(FIX_ALL, only) and pin_all_edits(doc):
        pw001 = [doc.diagnostics[i] for i, f in enumerate(doc.findings) if f.code == "PW001"]
        actions.append(_action(ls, doc, PIN_ALL_TITLE, FIX_ALL, {"type": "pinAll"}, diags=pw001))
    env = ls.folder_for(doc.path).env
    if requirements and _wanted(FREEZE, only) and env is not None and env.snapshot is not None:
        actions.append(_action(ls, doc, FREEZE_TITLE, FREEZE, {"type": "freeze"}))
    return actions


def resolve(ls: PinwiseServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    doc = current_doc(ls, uri) if isinstance(uri, str) else None
    if doc is None:
        return action
    kind = data.get("type")
    edits: Optional[list[TextEdit]] = None
    if kind == "fix":
        edits = _fix_edits(doc, data.get("key", []), int(data.get("fix", 0)), data.get("title", ""))
    elif kind == "pinAll":
        edits = pin_all_edits(doc)
    elif kind == "freeze":
        edits, refusal = freeze_edits(ls, doc)
        if refusal:
            action.disabled = types.CodeActionDisabled(reason=refusal)
            return action
    if edits is None:
        action.disabled = types.CodeActionDisabled(
            reason="the file changed since this action was offered"
        )
        return action
    action.edit = workspace_edit(ls, doc, edits)
    return action


def register(ls: PinwiseServer) -> None:
    options = types.CodeActionOptions(
        code_action_kinds=[QUICKFIX, FIX_ALL, FREEZE], resolve_provider=True
    )

    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    async def _code_action(
        ls: PinwiseServer, params: types.CodeActionParams
    ) -> Optional[list[types.CodeAction]]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return code_actions(ls, params)
        except Exception:
            logger.exception("code actions for %s failed", params.text_document.uri)
            return None

    @ls.feature(types.CODE_ACTION_RESOLVE)
    async def _resolve(ls: PinwiseServer, action: types.CodeAction) -> types.CodeAction:
        try:
            uri = action.data.get("uri") if isinstance(action.data, dict) else None
            await diagnostics.ensure_current(ls, uri if isinstance(uri, str) else None)
            return resolve(ls, action)
        except Exception:
            logger.exception("resolving %r failed", action.title)
            return action
