"""Document symbols: one per requirement and include, for the outline and breadcrumbs."""

from __future__ import annotations

import logging
from typing import Optional

from lsprotocol import types

from pinwise.analysis.text import redact
from pinwise.lsp import diagnostics
from pinwise.lsp.actions import current_doc
from pinwise.lsp.server import PinwiseServer

logger = logging.getLogger(__name__)


def document_symbols(
    ls: PinwiseServer, params: types.DocumentSymbolParams
) -> Optional[list[types.DocumentSymbol]]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.file is None or doc.lines is None:
        return None
    symbols = []
    for line in doc.file.logical_lines:
        full = doc.lines.to_client_range(line.span)
        if line.requirement is not None:
            req = line.requirement
            written = line.raw_text if line.expanded else None  # never an expanded value
            name = redact(written or req.name or req.url or line.raw_text)
            detail = redact(req.specifier or (req.url if req.name and req.url else ""))
            if line.expanded:
                detail = ""
            if req.editable:
                detail = ("editable " + detail).strip()
            symbols.append(
                types.DocumentSymbol(
                    name=name,
                    kind=types.SymbolKind.Package,
                    range=full,
                    selection_range=doc.lines.to_client_range(
                        line.place(req.name_span or req.span)
                    ),
                    detail=detail or None,
                )
            )
        elif line.include is not None:
            inc = line.include
            symbols.append(
                types.DocumentSymbol(
                    name=("-c " if inc.constraint else "-r ") + redact(inc.target.text),
                    kind=types.SymbolKind.File,
                    range=full,
                    selection_range=doc.lines.to_client_range(inc.target.span),
                )
            )
    return symbols


def register(ls: PinwiseServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def _symbols(
        ls: PinwiseServer, params: types.DocumentSymbolParams
    ) -> Optional[list[types.DocumentSymbol]]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return document_symbols(ls, params)
        except Exception:
            logger.exception("document symbols of %s failed", params.text_document.uri)
            return None
