"""Hover: what the selected environment says about a requirement or an include. Short Markdown."""

from __future__ import annotations

import logging
import os
from typing import Optional

from lsprotocol import types
from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from pinwise.analysis.rules import dist_locations, unnamed_target
from pinwise.analysis.text import is_pinned, redact
from pinwise.compiled import via_text
from pinwise.environment.model import Distribution, Snapshot
from pinwise.lsp import diagnostics
from pinwise.lsp.actions import current_doc
from pinwise.lsp.server import PinwiseServer
from pinwise.lsp.state import DocState, EnvState
from pinwise.pyproject.declarations import declaration_at
from pinwise.reqfile.model import LogicalLine, Requirement
from pinwise.spans import Position

logger = logging.getLogger(__name__)


def line_at(doc: DocState, position: Position) -> Optional[LogicalLine]:
    if doc.file is None:
        return None
    for line in doc.file.logical_lines:
        if line.first_line <= position.line <= line.last_line:
            return line
    return None


def _pin_source(doc: DocState, req: Requirement) -> Optional[str]:
    if is_pinned(req.specifier):  # as PW001 judges it: `==1.*` pins nothing
        return f"pinned here (`{req.specifier}`)"
    if doc.reqset is None or not req.normalized_name:
        return None
    for path, file in doc.reqset.files.items():
        if not file.constraint:
            continue
        for line in file.logical_lines:
            other = line.requirement
            if other is not None and other.normalized_name == req.normalized_name:
                where = f"{os.path.basename(path)}:{line.first_line + 1}"
                return f"constrained by `{where}` (`{other.specifier or 'any version'}`)"
    return None


def _marker_verdict(env: EnvState, req: Requirement) -> Optional[str]:
    if not req.marker or env.snapshot is None:
        return None
    try:
        applies = Marker(req.marker).evaluate(dict(env.snapshot.markers))
    except (InvalidMarker, Exception):
        return f"marker `{req.marker}` cannot be evaluated"
    version = env.snapshot.interpreter.python_version
    if applies:
        return f"marker `{req.marker}`: true on Python {version}"
    return f"marker `{req.marker}`: false on Python {version}, so pip skips it here"


def _satisfies(dist: Distribution, req: Requirement) -> str:
    if not req.specifier:
        return ""
    try:
        ok = SpecifierSet(req.specifier).contains(dist.version, prereleases=True)
    except InvalidSpecifier:
        return ""
    return f", satisfies `{req.specifier}`" if ok else f", **does not satisfy** `{req.specifier}`"


def _installed(snapshot: Snapshot, req: Requirement, file_path: str) -> Optional[Distribution]:
    """The distribution the requirement names; for an unnamed one (`-e ./lib`, a path), the
    one installed from where it points (as PW011 and PW016 match them)."""
    if req.name:
        return snapshot.get(req.name)
    target = unnamed_target(req, file_path)
    if target is None:
        return None
    return next((d for d in snapshot.distributions if target in dist_locations(d)), None)


def requirement_hover(
    ls: PinwiseServer, doc: DocState, req: Requirement, written: Optional[str] = None
) -> str:
    """`written`: the line as written, for a line with ${VAR} expansions (never show a value)."""
    env = ls.folder_for(doc.path).env
    title = written or req.name or req.url or "requirement"
    parts: list[str] = []
    snapshot = env.snapshot if env is not None else None
    if env is None or snapshot is None:
        parts.append(f"**{title}**: no environment selected")
        return "\n\n".join(parts)
    dist = _installed(snapshot, req, doc.path)
    env_name = snapshot.interpreter.env_name
    if dist is None:
        parts.append(f"**{title}**: not installed in `{env_name}`")
    else:
        editable = " (editable)" if dist.editable else ""
        parts.append(
            f"**{dist.name}** {dist.version}{editable}: installed in `{env_name}`"
            f"{_satisfies(dist, req)}  \n`{dist.location}`"
        )
    facts = [f for f in (_pin_source(doc, req), _marker_verdict(env, req)) if f]
    if facts:
        parts.append("  \n".join(f[0].upper() + f[1:] for f in facts))
    if dist is not None:
        about = []
        if dist.summary:
            about.append(dist.summary)
        if dist.license and len(dist.license) < 80:
            about.append(f"License: {dist.license}")
        if dist.home_page:
            about.append(f"Home page: {dist.home_page}")
        if about:
            parts.append("  \n".join(about))
        deps = []
        if dist.requires:
            names = [r.split(";")[0].strip() for r in dist.requires if "extra ==" not in r]
            if names:
                deps.append("Requires: " + ", ".join(f"`{n}`" for n in names[:12]))
        users = env.required_by().get(canonicalize_name(dist.name), [])
        if users:
            deps.append("Required by: " + ", ".join(f"`{n}`" for n in sorted(users)[:12]))
        if deps:
            parts.append("  \n".join(deps))
    return "\n\n".join(parts)


def hover(ls: PinwiseServer, params: types.HoverParams) -> Optional[types.Hover]:
    doc = current_doc(ls, params.text_document.uri)
    if doc is None or doc.lines is None:
        return None
    position = doc.lines.from_client_position(params.position)
    if doc.kind == "pyproject":
        return _pyproject_hover(ls, doc, position)
    if doc.kind != "requirements":
        return None
    line = line_at(doc, position)
    if line is None:
        return None
    if line.include is not None:
        inc = line.include
        if not inc.target.span.contains(position):
            return None
        kind = "constraints" if inc.constraint else "requirements"
        exists = inc.is_remote or os.path.exists(inc.resolved)
        note = "" if exists else " (**does not exist**)"
        shown = inc.target.text if line.expanded else inc.resolved  # never an expanded value
        text = f"Includes the {kind} file `{shown}`{note}"
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=redact(text)),
            range=doc.lines.to_client_range(inc.target.span),
        )
    req = line.requirement
    if req is None or not line.place(req.span).contains(position):
        return None
    value = requirement_hover(ls, doc, req, line.raw_text if line.expanded else None)
    if doc.compiled is not None and req.normalized_name:
        via = via_text(doc.compiled, req.normalized_name)  # `# via` of pip-compile / uv
        if via:
            value += "\n\n" + via
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=redact(value)),
        range=doc.lines.to_client_range(line.place(req.name_span or req.span)),
    )


def _pyproject_hover(ls: PinwiseServer, doc: DocState, position: Position) -> Optional[types.Hover]:
    """Inside a dependency string of pyproject.toml: the requirement's hover."""
    if doc.pyproject is None or doc.file is None or doc.lines is None:
        return None
    found = declaration_at(doc.pyproject, position)
    if found is None:
        return None
    decl = found[0]
    for line in doc.file.logical_lines:  # the declarations as requirements lines
        req = line.requirement
        if req is not None and line.span == decl.text_span:
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=requirement_hover(ls, doc, req)
                ),
                range=doc.lines.to_client_range(line.place(req.name_span or req.span)),
            )
    return None


def register(ls: PinwiseServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    async def _hover(ls: PinwiseServer, params: types.HoverParams) -> Optional[types.Hover]:
        try:
            await diagnostics.ensure_current(ls, params.text_document.uri)
            return hover(ls, params)
        except Exception:
            logger.exception("hover in %s failed", params.text_document.uri)
            return None
