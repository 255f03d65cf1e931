"""Engine text edits to LSP workspace edits: versioned, grouped per document."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Optional, Union

from lsprotocol import types
from pygls.capabilities import get_capability

from pinwise.lsp.diagnostics import lines_of
from pinwise.lsp.documents import path_to_uri
from pinwise.lsp.state import DocState
from pinwise.spans import TextEdit

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer


def dedupe(edits: Iterable[TextEdit]) -> list[TextEdit]:
    """Drop repeated and overlapping edits (the first one wins), keep document order."""
    result: list[TextEdit] = []
    for edit in sorted(edits, key=lambda e: (e.path, e.span.start, e.span.end)):
        if result and result[-1].path == edit.path:
            last = result[-1]
            if last == edit:
                continue
            if edit.span.start < last.span.end:
                continue
        result.append(edit)
    return result


def version_of(ls: PinwiseServer, path: str) -> Optional[int]:
    uri = ls.open_paths.get(os.path.normpath(path))
    if uri is None:
        return None
    return ls.workspace.get_text_document(uri).version


def workspace_edit(
    ls: PinwiseServer, doc: DocState, edits: Iterable[TextEdit]
) -> types.WorkspaceEdit:
    by_path: dict[str, list[types.TextEdit]] = {}
    for edit in dedupe(edits):
        lines = lines_of(ls, doc, edit.path)
        by_path.setdefault(os.path.normpath(edit.path), []).append(
            types.TextEdit(range=lines.to_client_range(edit.span), new_text=edit.new_text)
        )
    if get_capability(ls.client_capabilities, "workspace.workspace_edit.document_changes", False):
        ops = get_capability(
            ls.client_capabilities, "workspace.workspace_edit.resource_operations", []
        )
        can_create = "create" in [getattr(o, "value", o) for o in (ops or [])]
        changes: list[Union[types.TextDocumentEdit, types.CreateFile]] = []
        for path, text_edits in by_path.items():
            uri = ls.open_paths.get(path) or path_to_uri(path)
            if can_create and path not in ls.open_paths and not os.path.exists(path):
                # PW015's fix in a folder without requirements.txt creates it
                changes.append(
                    types.CreateFile(
                        uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)
                    )
                )
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri,
                        version=(
                            doc.analyzed_version if path == doc.path else version_of(ls, path)
                        ),
                    ),
                    edits=list(text_edits),
                )
            )
        return types.WorkspaceEdit(document_changes=list(changes))
    return types.WorkspaceEdit(
        changes={
            (ls.open_paths.get(path) or path_to_uri(path)): list(text_edits)
            for path, text_edits in by_path.items()
        }
    )
