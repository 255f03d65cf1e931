"""Document links and go-to-definition for `-r` / `-c` targets."""

from __future__ import annotations

import logging
import os
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from lsprotocol import types

from pinwise.analysis.text import redact
from pinwise.lsp import diagnostics
from pinwise.lsp.actions import current_doc
from pinwise.lsp.documents import path_to_uri
from pinwise.lsp.hover import line_at
from pinwise.lsp.server import PinwiseServer

logger = logging.getLogger(__name__)

ORIGIN = types.Range(
    start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
)


def _target_uri(resolved: str, is_remote: bool) -> str:
    if not is_remote:
        return path_to_uri(resolved)
    # never hand a credential to the browser: `https://user:token@host/x` -> `https://host/x`
    parts = urlsplit(resolved)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    return urlunsplit(parts)


def document_links(
    ls: PinwiseServer, params: types.DocumentLinkParams
) -> Optional[list[types.DocumentLink]]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.file is None or doc.lines is None:
        return None
    links = []
    for line in doc.file.logical_lines:
        inc = line.include
        if inc is None or (not inc.is_remote and not os.path.isfile(inc.resolved)):
            continue
        links.append(
            types.DocumentLink(
                range=doc.lines.to_client_range(inc.target.span),
                target=_target_uri(inc.resolved, inc.is_remote),
                tooltip=("constraints: " if inc.constraint else "requirements: ")
                + redact(inc.target.text if line.expanded else inc.resolved),
            )
        )
    return links


def definition(ls: PinwiseServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.lines is None:
        return None
    position = doc.lines.from_client_position(params.position)
    line = line_at(doc, position)
    if line is None or line.include is None or line.include.is_remote:
        return None
    if not line.include.target.span.contains(position) or not os.path.isfile(line.include.resolved):
        return None
    return [types.Location(uri=path_to_uri(line.include.resolved), range=ORIGIN)]


def register(ls: PinwiseServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    async def _links(
        ls: PinwiseServer, params: types.DocumentLinkParams
    ) -> Optional[list[types.DocumentLink]]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return document_links(ls, params)
        except Exception:
            logger.exception("document links of %s failed", params.text_document.uri)
            return None

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def _definition(
        ls: PinwiseServer, params: types.DefinitionParams
    ) -> Optional[list[types.Location]]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return definition(ls, params)
        except Exception:
            logger.exception("definition in %s failed", params.text_document.uri)
            return None
