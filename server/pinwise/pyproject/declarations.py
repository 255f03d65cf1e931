"""Dependency declarations of a pyproject.toml, with exact ranges inside the TOML text.

Read: `[project] dependencies`, `[project.optional-dependencies]` (each extra),
`[dependency-groups]` (PEP 735, `{include-group = "x"}` resolved, cycles and unknown groups
reported). Each declaration is a string whose requirement is parsed with `packaging`, and whose
name / extras / specifier / URL / marker spans point into the TOML source (escapes included).
Never raises: a file that is not valid TOML gives one problem at the line of the error.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Optional

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement
from packaging.utils import canonicalize_name

from pinwise.pyproject.toml import Document, TomlArray, TomlString, TomlTable, TomlValue
from pinwise.reqfile.model import PhysicalLine
from pinwise.spans import Position, Span

PROJECT = "project.dependencies"
OPTIONAL = "project.optional-dependencies"
GROUPS = "dependency-groups"

_IGNORE = re.compile(r"#\s*pinwise:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRAS = re.compile(r"\s*(\[[^\]]*\])")
_VCS = ("git+", "hg+", "svn+", "bzr+")


@dataclass(frozen=True)
class Declaration:
    """One requirement string in pyproject.toml."""

    path: str
    section: str  # PROJECT, OPTIONAL or GROUPS
    group: Optional[str]  # the extra or dependency group (as written); None for dependencies
    text: str  # the string's value
    span: Span  # the string literal, quotes included
    text_span: Span  # the value (inside the quotes)
    requirement: Optional[PkgRequirement] = None
    error: Optional[str] = None  # why packaging refuses it (then `requirement` is None)
    name: Optional[str] = None  # as written
    normalized_name: Optional[str] = None
    name_span: Optional[Span] = None
    extras: tuple[str, ...] = ()
    extras_span: Optional[Span] = None
    specifier: str = ""
    specifier_span: Optional[Span] = None
    url: Optional[str] = None
    url_span: Optional[Span] = None
    marker: Optional[str] = None
    marker_span: Optional[Span] = None
    suppressed: Optional[frozenset[str]] = None  # `# pinwise: ignore[...]` codes; empty: all
    suppressed_span: Optional[Span] = None  # that comment, after the string on its last row

    @property
    def label(self) -> str:
        if self.section == PROJECT:
            return "[project] dependencies"
        if self.section == OPTIONAL:
            return f"optional dependency group '{self.group}'"
        return f"dependency group '{self.group}'"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file itself (PW005): invalid TOML, a value of the wrong type, an
    `include-group` cycle or an unknown group."""

    message: str
    span: Span
    code: str = "PW005"


@dataclass(frozen=True)
class IncludeGroup:
    group: str  # the group holding `{include-group = ...}`
    target: str  # as written
    span: Span  # the target string


@dataclass(frozen=True)
class PyprojectDeclarations:
    path: str
    lines: tuple[PhysicalLine, ...]
    declarations: tuple[Declaration, ...] = ()
    problems: tuple[Problem, ...] = ()
    includes: tuple[IncludeGroup, ...] = ()
    project_name: Optional[str] = None  # `[project] name`, normalised
    # dependency group (normalised name) -> its declarations with includes resolved
    resolved_groups: dict[str, tuple[Declaration, ...]] = field(default_factory=dict)
    dynamic_dependencies: bool = False  # `dependencies` listed in `[project] dynamic`
    # `[tool.pinwise] tool-packages = [...]`: more projects PW016 never reports (tools, plugins)
    tool_packages: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(p.message.startswith("not valid TOML") for p in self.problems)

    def declared_names(self) -> frozenset[str]:
        return frozenset(d.normalized_name for d in self.declarations if d.normalized_name)


def _physical_lines(text: str) -> tuple[PhysicalLine, ...]:
    lines: list[PhysicalLine] = []
    for chunk in text.splitlines(keepends=True):
        body = chunk.rstrip("\r\n")
        lines.append(PhysicalLine(body, chunk[len(body) :]))
    return tuple(lines)


def _suppression(
    doc: Document, string: TomlString
) -> tuple[Optional[frozenset[str]], Optional[Span]]:
    """The codes of a `# pinwise: ignore[...]` after `string` on its last row (empty: every
    code) and where that comment stands; (None, None) without one."""
    end = doc.position(string.end)
    lines = doc.text.splitlines()
    if end.line >= len(lines):
        return None, None
    match = _IGNORE.search(lines[end.line], end.character)
    if match is None:
        return None, None
    span = Span.on_line(end.line, match.start(), match.end())
    codes = match.group("codes")
    if codes is None:
        return frozenset(), span
    return frozenset(c.strip().upper() for c in codes.split(",") if c.strip()), span


def _declaration(
    doc: Document, path: str, section: str, group: Optional[str], string: TomlString
) -> Declaration:
    text = string.value
    suppressed, suppressed_span = _suppression(doc, string)
    base = Declaration(
        path=path,
        section=section,
        group=group,
        text=text,
        span=doc.span(string.start, string.end),
        text_span=doc.string_span(string, 0, len(text)),
        suppressed=suppressed,
        suppressed_span=suppressed_span,
    )
    try:
        req = PkgRequirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not a PEP 508 requirement"
        return _replace(base, error=f"Invalid requirement: {text!r}: {reason}")

    def sub(start: int, end: int) -> Span:
        return doc.string_span(string, start, end)

    fields: dict[str, object] = {"requirement": req}
    m = _NAME.match(text)
    pos = 0
    if m is not None:
        fields["name"] = m.group(1)
        fields["name_span"] = sub(m.start(1), m.end(1))
        pos = m.end()
    fields["normalized_name"] = canonicalize_name(req.name)
    m = _EXTRAS.match(text, pos)
    if m is not None:
        fields["extras_span"] = sub(m.start(1), m.end(1))
        pos = m.end()
    fields["extras"] = tuple(sorted(req.extras))
    semi = text.find(";", pos)
    if req.url:
        at = text.find("@", pos)
        url_start = at + 1
        while url_start < len(text) and text[url_start].isspace():
            url_start += 1
        url_end = url_start
        while url_end < len(text) and not text[url_end].isspace():
            url_end += 1
        fields["url"] = req.url
        fields["url_span"] = sub(url_start, url_end)
        semi = text.find(";", url_end)
    else:
        spec_end = semi if semi >= 0 else len(text)
        raw = text[pos:spec_end]
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            end = pos + len(raw.rstrip())
            fields["specifier_span"] = sub(start, end)
        fields["specifier"] = str(req.specifier)
    if req.marker is not None and semi >= 0:
        start = semi + 1
        while start < len(text) and text[start].isspace():
            start += 1
        end = len(text.rstrip())
        fields["marker"] = text[start:end]
        fields["marker_span"] = sub(start, end)
    return _replace(base, **fields)


def _replace(decl: Declaration, **changes: object) -> Declaration:
    from dataclasses import replace

    return replace(decl, **changes)  # type: ignore[arg-type]


def _type_name(value: Optional[TomlValue]) -> str:
    if isinstance(value, TomlString):
        return "a string"
    if isinstance(value, TomlArray):
        return "an array"
    if isinstance(value, TomlTable):
        return "a table"
    return "a value of another type"


def _value_span(doc: Document, value: TomlValue) -> Span:
    if isinstance(value, TomlTable):
        return doc.span(value.start, value.start)
    return doc.span(value.start, value.end)


def _toml_error_span(doc: Document, message: str, offset: int) -> tuple[str, Span]:
    position = doc.position(min(offset, len(doc.text)))
    line_text = doc.text.splitlines()[position.line] if doc.text.splitlines() else ""
    if position.line < len(doc.text.splitlines()):
        span = Span.on_line(position.line, 0, len(line_text))
    else:
        span = Span.on_line(position.line, 0, 0)
    return (
        f"not valid TOML (line {position.line + 1}, column {position.character + 1}): {message}"
    ), span


def _tomllib_error(text: str) -> Optional[tuple[str, int, int]]:
    """tomllib's verdict (Python 3.11+): (message, 1-based line, column), None when valid."""
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return _located(str(exc), text)
    return None


def _located(message: str, text: str) -> tuple[str, int, int]:
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m is None:
        lines = text.splitlines() or [""]
        at_end = "(at end of document)" in message
        line, col = (len(lines), len(lines[-1]) + 1) if at_end else (1, 1)
    else:
        line, col = int(m.group(1)), int(m.group(2))
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    return message, line, col


def parse_pyproject(text: str, path: str) -> PyprojectDeclarations:
    """The declarations of a pyproject.toml given as text (an editor buffer or the file)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _physical_lines(text)
    doc = Document(text)
    problems: list[Problem] = []
    if doc.error is not None:
        message, span = _toml_error_span(doc, doc.error.message, doc.error.offset)
        return PyprojectDeclarations(path, lines, problems=(Problem(message, span),))
    strict = _tomllib_error(text)
    if strict is not None:
        message, line, col = strict
        number = max(0, min(line - 1, len(lines) - 1)) if lines else 0
        width = len(lines[number].text) if lines else 0
        return PyprojectDeclarations(
            path,
            lines,
            problems=(
                Problem(
                    f"not valid TOML (line {line}, column {col}): {message}",
                    Span.on_line(number, 0, width),
                ),
            ),
        )
    decls: list[Declaration] = []
    includes: list[IncludeGroup] = []
    project = doc.get("project")
    project_name: Optional[str] = None
    dynamic = False
    if isinstance(project, TomlTable):
        name_value = project.items.get("name")
        if isinstance(name_value, TomlString):
            project_name = canonicalize_name(name_value.value)
        dyn = project.items.get("dynamic")
        if isinstance(dyn, TomlArray):
            dynamic = any(
                isinstance(i, TomlString) and i.value == "dependencies" for i in dyn.items
            )
        deps = project.items.get("dependencies")
        if deps is not None:
            decls += _string_array(
                doc, path=path, section=PROJECT, group=None, value=deps, problems=problems
            )
        optional = project.items.get("optional-dependencies")
        if isinstance(optional, TomlTable):
            for extra, value in optional.items.items():
                decls += _string_array(
                    doc, path=path, section=OPTIONAL, group=extra, value=value, problems=problems
                )
        elif optional is not None:
            problems.append(
                Problem(
                    f"[project] optional-dependencies must be a table, not {_type_name(optional)}",
                    _value_span(doc, optional),
                )
            )
    groups = doc.get("dependency-groups")
    group_decls: dict[str, list[Declaration]] = {}
    group_names: dict[str, str] = {}
    if isinstance(groups, TomlTable):
        for group, value in groups.items.items():
            norm = canonicalize_name(group)
            if norm in group_names:
                problems.append(
                    Problem(
                        f"dependency group '{group}' is the same group as "
                        f"'{group_names[norm]}' (names are compared normalised)",
                        _value_span(doc, value),
                    )
                )
                continue
            group_names[norm] = group
            own: list[Declaration] = []
            if not isinstance(value, TomlArray):
                problems.append(
                    Problem(
                        f"dependency group '{group}' must be an array, not {_type_name(value)}",
                        _value_span(doc, value),
                    )
                )
                continue
            for item in value.items:
                if isinstance(item, TomlString):
                    own.append(_declaration(doc, path, GROUPS, group, item))
                elif isinstance(item, TomlTable) and set(item.items) == {"include-group"}:
                    target = item.items["include-group"]
                    if isinstance(target, TomlString):
                        includes.append(
                            IncludeGroup(group, target.value, doc.span(target.start, target.end))
                        )
                        continue
                    problems.append(
                        Problem(
                            "include-group must name a dependency group (a string)",
                            _value_span(doc, target),
                        )
                    )
                else:
                    problems.append(
                        Problem(
                            f"dependency group '{group}': each item must be a requirement "
                            'string or {include-group = "name"}, not ' + _type_name(item),
                            _value_span(doc, item),
                        )
                    )
            group_decls[norm] = own
            decls += own
    elif groups is not None:
        problems.append(
            Problem(
                f"[dependency-groups] must be a table, not {_type_name(groups)}",
                _value_span(doc, groups),
            )
        )
    resolved = _resolve_groups(group_decls, group_names, includes, problems)
    tools: list[str] = []
    tool_value = doc.get("tool", "pinwise", "tool-packages")
    if isinstance(tool_value, TomlArray):
        tools = [i.value for i in tool_value.items if isinstance(i, TomlString)]
    for decl in decls:
        if decl.error is not None:
            problems.append(Problem(decl.error, decl.text_span))
    return PyprojectDeclarations(
        path=path,
        lines=lines,
        declarations=tuple(decls),
        problems=tuple(problems),
        includes=tuple(includes),
        project_name=project_name,
        resolved_groups=resolved,
        dynamic_dependencies=dynamic,
        tool_packages=tuple(tools),
    )


def _string_array(
    doc: Document,
    *,
    path: str,
    section: str,
    group: Optional[str],
    value: TomlValue,
    problems: list[Problem],
) -> list[Declaration]:
    where = "[project] dependencies" if group is None else f"optional dependency group '{group}'"
    if not isinstance(value, TomlArray):
        problems.append(
            Problem(
                f"{where} must be an array of strings, not {_type_name(value)}",
                _value_span(doc, value),
            )
        )
        return []
    out: list[Declaration] = []
    for item in value.items:
        if isinstance(item, TomlString):
            out.append(_declaration(doc, path, section, group, item))
        else:
            problems.append(
                Problem(
                    f"{where}: each item must be a requirement string, not {_type_name(item)}",
                    _value_span(doc, item),
                )
            )
    return out


def _resolve_groups(
    own: dict[str, list[Declaration]],
    names: dict[str, str],
    includes: list[IncludeGroup],
    problems: list[Problem],
) -> dict[str, tuple[Declaration, ...]]:
    resolver = _GroupResolver(own, names, includes, problems)
    for group in own:
        resolver.visit(group, [])
    return resolver.resolved


class _GroupResolver:
    """`_resolve_groups`' walk. (A class, not a recursive closure: that is a reference cycle,
    which the language server's collector would only free when the server is idle.)"""

    def __init__(
        self,
        own: dict[str, list[Declaration]],
        names: dict[str, str],
        includes: list[IncludeGroup],
        problems: list[Problem],
    ) -> None:
        self.own = own
        self.names = names
        self.problems = problems
        self.edges: dict[str, list[IncludeGroup]] = {}
        for inc in includes:
            self.edges.setdefault(canonicalize_name(inc.group), []).append(inc)
        self.resolved: dict[str, tuple[Declaration, ...]] = {}
        self.reported: set[tuple[str, str]] = set()

    def visit(self, group: str, trail: list[str]) -> tuple[Declaration, ...]:
        if group in self.resolved:
            return self.resolved[group]
        out = list(self.own.get(group, ()))
        for inc in self.edges.get(group, ()):
            target = canonicalize_name(inc.target)
            key = (group, target)
            if target not in self.own:
                if key not in self.reported:
                    self.reported.add(key)
                    self.problems.append(
                        Problem(
                            f"include-group '{inc.target}': there is no dependency group of "
                            "that name",
                            inc.span,
                        )
                    )
                continue
            here = [*trail, group]
            if target in here:
                if key not in self.reported:
                    self.reported.add(key)
                    cycle = [*here[here.index(target) :], target]
                    shown = " -> ".join(self.names.get(g, g) for g in cycle)
                    self.problems.append(
                        Problem(
                            f"dependency groups include each other in a cycle: {shown}", inc.span
                        )
                    )
                continue
            out += self.visit(target, [*trail, group])
        result = tuple(out)
        self.resolved[group] = result
        return result


def load_pyproject(path: str, *, text: Optional[str] = None) -> Optional[PyprojectDeclarations]:
    """`parse_pyproject` of the file at `path` (or of `text`, the editor's buffer); None when the
    file does not exist. A file that cannot be read or decoded gives one problem."""
    if text is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return PyprojectDeclarations(
                path,
                (),
                problems=(Problem(f"cannot read: {exc.strerror or exc}", Span.on_line(0, 0, 0)),),
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return PyprojectDeclarations(
                path,
                (),
                problems=(
                    Problem(
                        f"not valid TOML: not UTF-8 text ({exc.reason})", Span.on_line(0, 0, 0)
                    ),
                ),
            )
    return parse_pyproject(text, os.path.abspath(path))


def declaration_at(
    decls: PyprojectDeclarations, position: Position
) -> Optional[tuple[Declaration, str]]:
    """The declaration whose string holds `position`, and the part it is on: "name",
    "extras", "specifier", "url", "marker" or "text" (for hover and completion)."""
    for decl in decls.declarations:
        if not decl.span.contains(position):
            continue
        for part, span in (
            ("name", decl.name_span),
            ("extras", decl.extras_span),
            ("specifier", decl.specifier_span),
            ("url", decl.url_span),
            ("marker", decl.marker_span),
        ):
            if span is not None and span.contains(position):
                return decl, part
        return decl, "text"
    return None
