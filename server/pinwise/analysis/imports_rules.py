"""Rules beyond the requirements file: imports against declarations (PW015, PW016), and the
checks of pyproject.toml declarations (PW002, PW003, PW004, PW005, PW009, PW014; never PW001:
libraries should not pin).

```python
analyze_imports(workspace_root, reqset, pyproject, snapshot, settings, *, imports=None,
                import_map=None, tool_packages=None) -> list[Finding]      # PW015 + PW016
analyze_pyproject(decls, snapshot, settings) -> list[Finding]            # pyproject.toml
add_requirement_fix(file, dist_name, version, reqset=None) -> (Optional[Fix], Optional[str])
```

The rules themselves are pure; `imports` (from `pinwise.imports.collect`) and `import_map`
(`pinwise.imports.ImportMap`, which reads RECORD files lazily) are computed when not given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Optional

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PkgRequirement
from packaging.utils import canonicalize_name

from pinwise.analysis.model import RULES, Finding, Fix, FixKind, Settings, Severity
from pinwise.analysis.rules import _ignore_fix, analyze, install_paths
from pinwise.analysis.text import MarkerError, evaluate_marker, pin_for, redact
from pinwise.compiled import CompiledInfo, detect
from pinwise.environment.metadata import url_to_path
from pinwise.environment.model import Distribution, Snapshot
from pinwise.imports.collect import ImportRef, WorkspaceImports, collect
from pinwise.imports.mapping import ALTERNATIVES, ImportMap, provided_modules
from pinwise.imports.stdlib import is_stdlib
from pinwise.pyproject.declarations import (
    OPTIONAL,
    PROJECT,
    Declaration,
    PyprojectDeclarations,
)
from pinwise.reqfile.model import (
    LineKind,
    LogicalLine,
    Requirement,
    RequirementForm,
    RequirementsFile,
    RequirementsSet,
    Suppression,
)
from pinwise.spans import Position, Span, TextEdit, moved

# Projects that are used as tools, servers, plugins or drivers rather than imported: PW016 never
# reports them. Extend with `[tool.pinwise] tool-packages = [...]` or the `tool_packages` argument.
DEFAULT_TOOL_PACKAGES = frozenset(
    {
        "pytest",
        "black",
        "ruff",
        "flake8",
        "pylint",
        "mypy",
        "pyright",
        "isort",
        "pre-commit",
        "tox",
        "nox",
        "coverage",
        "gunicorn",
        "uvicorn",
        "hypercorn",
        "daphne",
        "waitress",
        "ipykernel",
        "ipython",
        "jupyter",
        "jupyterlab",
        "notebook",
        "pip",
        "pip-tools",
        "pipdeptree",
        "uv",
        "wheel",
        "setuptools",
        "setuptools-scm",
        "twine",
        "build",
        "hatch",
        "hatchling",
        "flit",
        "flit-core",
        "poetry",
        "poetry-core",
        "sphinx",
        "sphinx-rtd-theme",
        "furo",
        "mkdocs",
        "mkdocs-material",
        "bandit",
        "safety",
        "pip-audit",
        "codespell",
        "yapf",
        "autopep8",
        "pycodestyle",
        "pydocstyle",
        "pyflakes",
        "bump2version",
        "bumpversion",
        "invoke",
        "honcho",
        "supervisor",
        "celery",
        "psycopg2",
        "psycopg2-binary",
        "psycopg",
        "psycopg-binary",
        "pymysql",
        "mysqlclient",
        "cx-oracle",
        "oracledb",
        "pyodbc",
        "hypothesis",
        "pytest-cov",
        "debugpy",
        "watchdog",
        "python-dotenv",
        "tzdata",
        "certifi",
    }
)
_TOOL_PREFIXES = ("pytest-", "flake8-", "types-", "sphinx-", "sphinxcontrib-", "mkdocs-", "mypy-")
_TOOL_SUFFIXES = ("-stubs",)
_SKIPPED_SCRIPTS = frozenset({"setup.py"})  # imports of build-time tools, not of the project


def is_tool_package(name: str, extra: Iterable[str] = ()) -> bool:
    norm = canonicalize_name(name)
    if norm in DEFAULT_TOOL_PACKAGES or norm in {canonicalize_name(e) for e in extra}:
        return True
    return norm.startswith(_TOOL_PREFIXES) or norm.endswith(_TOOL_SUFFIXES)


# --- declarations: what the folder's requirements files and pyproject.toml declare -----------


@dataclass(frozen=True)
class _Declared:
    """One named declaration (a requirements line or a pyproject string)."""

    name: str  # normalised
    extras: frozenset[str]
    marker: Optional[str]
    path: str
    span: Span
    file: Optional[RequirementsFile] = None
    line: Optional[LogicalLine] = None
    decl: Optional[Declaration] = None


def _declared(
    reqset: Optional[RequirementsSet],
    pyproject: Optional[PyprojectDeclarations],
    snapshot: Optional[Snapshot] = None,
) -> list[_Declared]:
    # the editable installs by folder: `-e ../lib` names no project, the install of it does
    editables = {
        os.path.normcase(os.path.abspath(d.editable_location)): d.normalized_name
        for d in (snapshot.distributions if snapshot is not None else ())
        if d.editable and d.editable_location and d.normalized_name
    }
    out: list[_Declared] = []
    if reqset is not None:
        for file in reqset.files.values():
            if file.constraint:
                continue
            for line in file.logical_lines:
                req = line.requirement
                if req is None or line.kind not in (LineKind.REQUIREMENT, LineKind.EDITABLE):
                    continue
                name = req.normalized_name or _editable_name(req, file.path, editables)
                if not name:
                    continue
                out.append(
                    _Declared(
                        name,
                        frozenset(canonicalize_name(e) for e in req.extras),
                        req.marker,
                        file.path,
                        line.place(req.name_span or req.span),
                        file=file,
                        line=line,
                    )
                )
    if pyproject is not None:
        for decl in pyproject.declarations:
            if decl.normalized_name is None:
                continue
            out.append(
                _Declared(
                    decl.normalized_name,
                    frozenset(canonicalize_name(e) for e in decl.extras),
                    decl.marker,
                    decl.path,
                    decl.name_span or decl.text_span,
                    decl=decl,
                )
            )
    return out


def _index(snapshot: Optional[Snapshot]) -> dict[str, Distribution]:
    out: dict[str, Distribution] = {}
    if snapshot is not None:
        for dist in snapshot.distributions:
            out.setdefault(dist.normalized_name, dist)
    return out


def _requires(
    dist: Distribution, extras: frozenset[str], markers: Mapping[str, str]
) -> list[tuple[str, frozenset[str]]]:
    out: list[tuple[str, frozenset[str]]] = []
    for text in dist.requires:
        try:
            req = PkgRequirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None:
            try:
                ok = any(
                    evaluate_marker(str(req.marker), markers, extra)
                    for extra in ("", *sorted(extras))
                )
            except MarkerError:
                ok = False
            if not ok:
                continue
        out.append(
            (canonicalize_name(req.name), frozenset(canonicalize_name(e) for e in req.extras))
        )
    return out


def _closure(
    root: str,
    extras: frozenset[str],
    installed: Mapping[str, Distribution],
    markers: Mapping[str, str],
) -> set[str]:
    """Every installed distribution `root` (with `extras`) needs, directly or not (not root)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    queue = [(root, extras)]
    while queue:
        name, ext = queue.pop()
        if (name, ext) in seen:
            continue
        seen.add((name, ext))
        dist = installed.get(name)
        if dist is None:
            continue
        for dep, dep_extras in _requires(dist, ext, markers):
            if dep != root:
                names.add(dep)
            queue.append((dep, dep_extras))
    return names


# --- PW015's fix: add a pinned line to the requirements file ------------------------------------


def _editable_name(req: Requirement, path: str, editables: dict[str, str]) -> Optional[str]:
    """The installed project a nameless local-path line (`-e ../lib`) is, when one is installed
    in development mode from that folder."""
    if not req.url or not editables:
        return None
    target = url_to_path(req.url) if req.url.lower().startswith("file:") else req.url
    if "://" in target:
        return None
    folder = os.path.normcase(os.path.abspath(os.path.join(os.path.dirname(path), target)))
    return editables.get(folder)


def _inside(path: str, folder: str) -> bool:
    """`path` is `folder` or inside it (as folders: `/a/proj-lib` is not inside `/a/proj`)."""
    path, folder = os.path.normcase(path), os.path.normcase(folder).rstrip(os.sep)
    return path == folder or path.startswith(folder + os.sep)


def _in_hash_mode(file: RequirementsFile, reqset: Optional[RequirementsSet]) -> bool:
    """Whether an install that reads `file` (one root of `reqset` and what it includes) is in
    hash-checking mode."""
    files = [file]
    if reqset is not None:
        installs = [install_paths(reqset, root) for root in reqset.roots]
        paths = set().union(*(p for p in installs if file.path in p)) or {file.path}
        files = [f for f in reqset.files.values() if f.path in paths]
    for each in files:
        for line in each.logical_lines:
            if any(o.name == "--require-hashes" for o in line.options):
                return True
            if not each.constraint and line.requirement is not None and line.requirement.hashes:
                return True
    return False


def _named_lines(file: RequirementsFile) -> list[tuple[str, LogicalLine]]:
    out: list[tuple[str, LogicalLine]] = []
    for line in file.logical_lines:
        req = line.requirement
        if req is not None and req.normalized_name and line.kind is LineKind.REQUIREMENT:
            out.append((req.normalized_name, line))
    return out


def add_requirement_fix(
    file: RequirementsFile,
    dist_name: str,
    version: str,
    reqset: Optional[RequirementsSet] = None,
) -> tuple[Optional[Fix], Optional[str]]:
    """`Add <dist>==<version> to <file>`: the line goes to its sorted position when the file's
    requirement lines are sorted (case-insensitive, by normalised name), else at the end; the
    file's line endings and final newline are kept. (None, why) when it cannot be offered: in
    hash-checking mode a line without --hash would make pip refuse the whole install."""
    base = os.path.basename(file.path)
    if _in_hash_mode(file, reqset):
        return None, (
            f"{base} is in hash-checking mode, where a line without --hash makes pip refuse to "
            "install: add it with its hashes (e.g. pip-compile --generate-hashes)"
        )
    pin = pin_for(version)
    text = f"{dist_name}{pin}"
    nl = file.newline
    norm = canonicalize_name(dist_name)
    named = _named_lines(file)
    names = [n for n, _ in named]
    position: Position
    new_text: str
    if named and names == sorted(names):
        after = [line for n, line in named if n > norm]
        if after:
            position = Position(after[0].first_line, 0)
            new_text = text + nl
        else:
            last = named[-1][1].last_line
            if file.lines[last].terminator:
                position = Position(last + 1, 0)
                new_text = text + nl
            else:
                position = Position(last, len(file.lines[last].text))
                new_text = nl + text
    elif not file.lines:
        position = Position(0, 0)
        new_text = text + nl
    else:
        last = len(file.lines) - 1
        if file.lines[last].terminator:
            position = Position(last + 1, 0)
            new_text = text + nl
        elif not file.lines[last].text:
            position = Position(last, 0)
            new_text = text
        else:
            position = Position(last, len(file.lines[last].text))
            new_text = nl + text
    before = position.line - 1 if position.character == 0 else position.line
    if 0 <= before < len(file.lines) and file.lines[before].text.endswith("\\"):
        # the file ends in a dangling continuation: a blank line ends it first, or the new
        # line would be joined to the last one
        new_text = nl + new_text
    edit = TextEdit(file.path, Span(position, position), new_text)
    fix = Fix(
        title=f"Add {dist_name}{pin} to {base}",
        kind=FixKind.ADD_REQUIREMENT,
        edits=(edit,),
        is_preferred=True,
    )
    return fix, None


def _target_file(
    workspace_root: str, reqset: Optional[RequirementsSet], compiled: Mapping[str, CompiledInfo]
) -> tuple[Optional[RequirementsFile], Optional[str]]:
    """The requirements file PW015's fix adds to, or (None, why)."""
    if reqset is None or not reqset.files:
        return None, "there is no requirements file to add it to"
    preferred = os.path.join(os.path.abspath(workspace_root), "requirements.txt")
    candidates = [reqset.files[p] for p in reqset.roots if p in reqset.files]
    candidates += [f for f in reqset.files.values() if f not in candidates]
    candidates = [f for f in candidates if not f.constraint and not f.read_error]
    candidates.sort(key=lambda f: os.path.normcase(f.path) != os.path.normcase(preferred))
    if not candidates:
        return None, "there is no requirements file to add it to"
    target = candidates[0]
    info = compiled.get(target.path)
    if info is not None:
        source = info.source
        if source is not None and source in reqset.files:
            return reqset.files[source], None
        where = os.path.basename(source) if source else "its input file"
        return None, (
            f"{os.path.basename(target.path)} is generated by {info.tool_label}: add it to "
            f"{where} and re-compile"
        )
    return target, None


# --- PW015 / PW016 -------------------------------------------------------------------------------


def _py_ignore_fix(path: str, lines: Mapping[int, str], ref: ImportRef) -> Optional[Fix]:
    number = ref.span.end.line
    text = lines.get(number)
    if text is None or text.rstrip().endswith("\\"):
        return None
    end = Position(number, len(text))
    return Fix(
        title="Ignore PW015 on this line",
        kind=FixKind.IGNORE,
        edits=(TextEdit(path, Span(end, end), "  # pinwise: ignore[PW015]"),),
    )


def _source_lines(path: str, wanted: Iterable[int]) -> dict[int, str]:
    wanted_set = set(wanted)
    out: dict[int, str] = {}
    if not wanted_set:
        return out
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle):
                if number in wanted_set:
                    out[number] = line.rstrip("\r\n")
                    if len(out) == len(wanted_set):
                        break
    except OSError:
        pass
    return out


def _declared_in_text(
    reqset: Optional[RequirementsSet], pyproject: Optional[PyprojectDeclarations]
) -> str:
    names: list[str] = []
    if reqset is not None:
        names += [os.path.basename(p) for p in reqset.files if not reqset.files[p].constraint]
    if pyproject is not None:
        names.append("pyproject.toml")
    if not names:
        return "any requirements file or pyproject.toml"
    shown = ", ".join(dict.fromkeys(names))
    return shown


def analyze_imports(
    workspace_root: str,
    reqset: Optional[RequirementsSet],
    pyproject: Optional[PyprojectDeclarations],
    snapshot: Optional[Snapshot],
    settings: Settings,
    *,
    imports: Optional[WorkspaceImports] = None,
    import_map: Optional[ImportMap] = None,
    tool_packages: Optional[Iterable[str]] = None,
    source_lines: Optional[Mapping[str, Mapping[int, str]]] = None,
) -> list[Finding]:
    """PW015 (in .py files: an imported third-party package declared in no requirements file or
    pyproject.toml of the folder) and PW016 (in requirements files / pyproject.toml: a declared
    requirement nothing imports and nothing else declared requires).

    `imports` defaults to `collect(workspace_root)`; `import_map` to the snapshot's. Imports of
    modules no installed distribution provides are reported only when their project is
    well known (`yaml` -> PyYAML): otherwise they may be the project's own modules. PW016 is
    skipped when the folder has no Python code at all. `source_lines` (path -> line number ->
    text, e.g. editor buffers) is used for the ignore fixes' positions.
    """
    root = os.path.abspath(workspace_root)
    if imports is None:
        imports = collect(root)
    if import_map is None:
        import_map = ImportMap.from_snapshot(snapshot)
    version = snapshot.interpreter.python_version if snapshot is not None else None
    installed = _index(snapshot)
    markers = snapshot.markers if snapshot is not None else {}
    declared = _declared(reqset, pyproject, snapshot)
    declared_names = {d.name for d in declared}
    project_name = pyproject.project_name if pyproject is not None else None
    if project_name:
        declared_names.add(project_name)
    compiled = (
        {p: i for p, i in ((p, detect(f)) for p, f in reqset.files.items()) if i is not None}
        if reqset is not None
        else {}
    )
    needed_by: dict[str, str] = {}  # dist -> a declared requirement needing it
    for d in declared:
        for dep in _closure(d.name, d.extras, installed, markers):
            needed_by.setdefault(dep, d.name)
    findings: list[Finding] = []
    where = _declared_in_text(reqset, pyproject)
    target, target_problem = _target_file(root, reqset, compiled)
    used: set[str] = set()
    unresolved_tops: set[str] = set()
    by_file: dict[str, list[Finding]] = {}
    for ref in imports.imports:
        if is_stdlib(ref.module, version):
            continue
        resolution = import_map.resolve(ref.module)
        if not resolution.installed and ref.top in imports.namespaces:
            continue  # a local folder without `__init__.py`, which nothing installed overrides
        if resolution.installed:
            used |= resolution.normalized_names
        else:
            unresolved_tops.add(ref.top)
        if ref.guarded or os.path.basename(ref.path) in _SKIPPED_SCRIPTS:
            continue
        if resolution.normalized_names & declared_names:
            continue
        if not resolution.installed and resolution.how != "well-known":
            continue
        if not resolution.installed and declared_names & {
            canonicalize_name(n) for n in ALTERNATIVES.get(ref.top, ())
        }:
            continue  # another build of it is declared (opencv-python-headless for cv2)
        dist = resolution.distributions[0] if resolution.distributions else None
        name = dist.name if dist is not None else resolution.guess
        norm = canonicalize_name(name)
        if (
            dist is not None
            and dist.editable
            and dist.editable_location
            and _inside(os.path.abspath(dist.editable_location), root)
        ):
            continue  # the project itself, installed in development mode
        fixes: list[Fix] = []
        if dist is not None:
            message = (
                f"'{ref.top}' comes from {dist.name} {dist.version}, which is not declared in "
                f"{where}"
            )
            via = needed_by.get(norm)
            if via is not None:
                message += f" (it is installed only because {via} requires it)"
            if target is not None:
                fix, why = add_requirement_fix(target, dist.name, dist.version, reqset)
                if fix is not None:
                    fixes.append(fix)
                else:
                    message += f"; no quick fix: {why}"
            elif target_problem:
                message += f"; no quick fix: {target_problem}"
        else:
            env = snapshot.interpreter.env_name if snapshot is not None else "the environment"
            message = (
                f"'{ref.top}' is usually provided by {name}, which is neither declared in {where} "
                f"nor installed in {env}"
            )
        finding = Finding(
            code="PW015",
            severity=Severity.WARNING,
            message=message,
            path=ref.path,
            span=ref.span,
            fixes=tuple(fixes),
            name=norm,
        )
        by_file.setdefault(ref.path, []).append(finding)
        if ref.silences("PW015"):
            by_file[ref.path].pop()
    for path, file_findings in by_file.items():
        lines = (source_lines or {}).get(path)
        if lines is None:
            lines = _source_lines(path, (f.span.end.line for f in file_findings))
        for finding in file_findings:
            ref = ImportRef(path, "", finding.span)
            ignore = _py_ignore_fix(path, lines, ref)
            with_ignore = (*finding.fixes, ignore) if ignore else tuple(finding.fixes)
            findings.append(replace(finding, fixes=with_ignore))
    findings += _unused(
        imports=imports,
        declared=declared,
        installed=installed,
        needed_by=needed_by,
        used=used,
        tool_packages=tool_packages,
        pyproject=pyproject,
        project_name=project_name,
    )
    return _finish(findings, settings, reqset)


def _unused(
    *,
    imports: WorkspaceImports,
    declared: list[_Declared],
    installed: Mapping[str, Distribution],
    needed_by: Mapping[str, str],
    used: set[str],
    tool_packages: Optional[Iterable[str]],
    pyproject: Optional[PyprojectDeclarations],
    project_name: Optional[str],
) -> list[Finding]:
    if not any(f.imports or f.error for f in imports.files):
        return []  # no Python code here: nothing can be said about what it imports
    extra_tools = set(tool_packages or ())
    if pyproject is not None:
        extra_tools |= set(pyproject.tool_packages)
    out: list[Finding] = []
    for d in declared:
        if d.name in used or d.name in needed_by or d.name == project_name:
            continue
        if is_tool_package(d.name, extra_tools):
            continue
        dist = installed.get(d.name)
        if dist is None:
            continue  # not installed: PW002 says so, and its modules cannot be known
        if d.line is not None and d.line.requirement is not None and d.line.requirement.editable:
            continue
        modules = provided_modules(dist)
        if not modules:
            continue  # a meta-package or a command-line tool: nothing to import
        tops = sorted({m.split(".", 1)[0] for m in modules})
        shown = ", ".join(tops[:3]) + (", ..." if len(tops) > 3 else "")
        message = (
            f"{dist.name} is declared but no Python file here imports it ({shown}) and no "
            "other declared requirement needs it"
        )
        fixes: tuple[Fix, ...] = ()
        if d.file is not None and d.line is not None:
            fixes = (_ignore_fix(d.file, d.line, "PW016"),)
        out.append(
            Finding(
                code="PW016",
                severity=Severity.INFORMATION,
                message=message,
                path=d.path,
                span=d.span,
                fixes=fixes,
                name=d.name,
            )
        )
    return out


# --- pyproject.toml ------------------------------------------------------------------------------

PYPROJECT_CODES = frozenset({"PW002", "PW003", "PW004", "PW005", "PW009", "PW014"})


def _requirement(decl: Declaration) -> Requirement:
    """`decl` as a requirement of a logical line from its first row (`LogicalLine`)."""

    def part(span: Optional[Span]) -> Optional[Span]:
        return None if span is None else moved(span, -decl.span.start.line)

    url = decl.url
    vcs = None
    if url:
        scheme = url.split(":", 1)[0]
        if "+" in scheme:
            vcs = scheme.split("+", 1)[0]
    return Requirement(
        form=RequirementForm.NAMED_URL if url else RequirementForm.NAMED,
        editable=False,
        name=decl.name,
        normalized_name=decl.normalized_name,
        name_span=part(decl.name_span),
        extras=decl.extras,
        extras_span=part(decl.extras_span),
        specifier=decl.specifier,
        specifier_span=part(decl.specifier_span),
        marker=decl.marker,
        marker_span=part(decl.marker_span),
        url=url,
        url_span=part(decl.url_span),
        vcs=vcs,
        vcs_revision=None,
        is_wheel=bool(url and url.endswith(".whl")),
        is_archive=False,
        is_local_dir=False,
        hashes=(),
        config_settings=(),
        span=moved(decl.text_span, -decl.span.start.line),
    )


def as_requirements_file(
    pyproject: PyprojectDeclarations, declarations: Iterable[Declaration]
) -> RequirementsFile:
    """A requirements-file view of pyproject declarations (one logical line per valid string,
    spans into the TOML text), so the requirements rules can check them unchanged."""
    logical: list[LogicalLine] = []
    for decl in declarations:
        if decl.requirement is None or decl.normalized_name is None:
            continue
        suppression = None
        if decl.suppressed is not None and decl.suppressed_span is not None:
            # (where the comment stands: the "Ignore" fix merges its code into it)
            comment = moved(decl.suppressed_span, -decl.span.start.line)
            suppression = Suppression(decl.suppressed, comment)
        logical.append(
            LogicalLine(
                first_line=decl.span.start.line,
                last_line=decl.span.end.line,
                kind=LineKind.REQUIREMENT,
                raw_text=decl.text,
                span=decl.text_span,
                requirement=_requirement(decl),
                suppression=suppression,
            )
        )
    return RequirementsFile(
        path=pyproject.path,
        constraint=False,
        lines=pyproject.lines,
        logical_lines=tuple(logical),
        encoding="utf-8",
        bom=b"",
    )


def analyze_pyproject(
    pyproject: PyprojectDeclarations, snapshot: Optional[Snapshot], settings: Settings
) -> list[Finding]:
    """The requirements rules PW002, PW003, PW004 (within one group), PW005, PW009, PW014 on
    pyproject.toml's declarations, plus PW005 for the file itself (invalid TOML, wrong value
    types, include-group cycles and unknown groups). Never PW001."""
    findings: list[Finding] = [
        Finding(
            code=problem.code,
            severity=Severity.ERROR,
            message=problem.message,
            path=pyproject.path,
            span=problem.span,
        )
        for problem in pyproject.problems
    ]
    select = PYPROJECT_CODES if settings.select is None else PYPROJECT_CODES & settings.select
    narrowed = replace(settings, select=frozenset(select))
    groups: dict[tuple[str, Optional[str]], list[Declaration]] = {}
    for decl in pyproject.declarations:
        if decl.normalized_name is not None and decl.normalized_name == pyproject.project_name:
            continue  # `project[extra]` self-references
        groups.setdefault((decl.section, decl.group), []).append(decl)
    for (section, group), decls in groups.items():
        file = as_requirements_file(pyproject, decls)
        reqset = RequirementsSet(
            roots=(file.path,), files={file.path: file}, order=((file.path, False),)
        )
        label = (
            ""
            if section == PROJECT
            else f" (optional dependency group '{group}')"
            if section == OPTIONAL
            else f" (dependency group '{group}')"
        )
        for finding in analyze(reqset, snapshot, narrowed):
            if finding.code not in PYPROJECT_CODES:
                continue
            if label and finding.code != "PW005":
                findings.append(replace(finding, message=finding.message + label))
            else:
                findings.append(finding)
    suppressions = {
        d.span.end.line: d.suppressed for d in pyproject.declarations if d.suppressed is not None
    }
    out: list[Finding] = []
    for finding in _finish(findings, settings, None):
        codes = suppressions.get(finding.span.end.line)
        if codes is not None and (not codes or finding.code in codes):
            continue
        out.append(finding)
    return out


# --- finishing ---------------------------------------------------------------------------------

_SUPPRESSION = re.compile(r"#\s*pinwise:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)


def _silenced(reqset: Optional[RequirementsSet], finding: Finding) -> bool:
    if reqset is None:
        return False
    file = reqset.files.get(finding.path)
    if file is None:
        return False
    for line in file.logical_lines:
        if line.first_line <= finding.span.start.line <= line.last_line:
            return line.suppression is not None and line.suppression.silences(finding.code)
    return False


def _finish(
    findings: Iterable[Finding], settings: Settings, reqset: Optional[RequirementsSet]
) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str, Span, str]] = set()
    for finding in findings:
        if finding.code in RULES:
            severity = settings.severity_of(finding.code)
        elif finding.code in settings.ignore or (
            settings.select is not None and finding.code not in settings.select
        ):
            severity = None
        else:
            severity = settings.severity.get(finding.code, finding.severity)
        if severity is None or _silenced(reqset, finding):
            continue
        key = (finding.code, finding.path, finding.span, finding.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(replace(finding, severity=severity, message=redact(finding.message)))
    out.sort(key=lambda f: (f.path, f.span.start, f.span.end, f.code))
    return out
