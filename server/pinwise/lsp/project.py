"""Python files and pyproject.toml in the server (issue 5).

Documents have a kind: `requirements` (as before), `python` (PW015 on its imports, analysed on
open, on save, when the folder's requirements files or environment change) or `pyproject` (its
dependency declarations checked like requirements lines; hover and completion inside the strings).
Requirements documents also get PW016, PW017 and the generated-file adjustments of pip-compile /
uv files. The engine calls run in the analysis worker thread; what is kept between analyses lives
here: the imports of each folder (`collect`, dropped when a `.py` file is saved or changes on disk)
and one `ImportMap` per environment snapshot.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Callable, Optional, Union

from pinwise.analysis.imports_rules import analyze_imports, analyze_pyproject, as_requirements_file
from pinwise.analysis.model import Finding, Fix, FixKind, Settings
from pinwise.analysis.text import pin_for
from pinwise.compiled import CompiledInfo, adjust_generated
from pinwise.environment.model import Snapshot
from pinwise.imports.collect import WorkspaceImports, collect, with_buffer
from pinwise.imports.mapping import ImportMap
from pinwise.project import DISAGREEMENT_CODE, check_project_details, compiled_infos
from pinwise.pyproject.declarations import (
    PyprojectDeclarations,
    load_pyproject,
    parse_pyproject,
)
from pinwise.reqfile.model import RequirementsFile, RequirementsSet
from pinwise.spans import Position, Span, TextEdit

REQUIREMENTS = "requirements"
PYTHON = "python"
PYPROJECT = "pyproject"

Read = Callable[[str], Union[str, bytes]]


def is_manifest(path: str) -> bool:
    """setuptools' MANIFEST.in: the `*.in` pattern (and the extension's language) catch it, but it
    is not a requirements file."""
    return os.path.basename(path).lower() == "manifest.in"


def document_kind(path: str, language_id: Optional[str]) -> Optional[str]:
    """`python` or `pyproject` for the documents this module handles, else None."""
    name = os.path.basename(path)
    if name == "pyproject.toml":
        return PYPROJECT
    if name.endswith(".py") and (language_id or "python").lower() == "python":
        return PYTHON
    return None


def is_project_file(path: str, root: str) -> bool:
    """Whether `path` is a Python file the folder's import collection would read (not inside a
    virtual environment, site-packages, node_modules, a hidden or build folder)."""
    from pinwise.imports.collect import _skip_dir

    parts = os.path.relpath(os.path.dirname(path), root).split(os.sep)
    if parts[0] == os.pardir:
        parts = os.path.dirname(path).split(os.sep)  # outside the folder: look at every part
        folder = os.sep
    else:
        folder = root
    for part in parts:
        if part in ("", os.curdir):
            continue
        if part in ("site-packages", "dist-packages") or _skip_dir(folder, part):
            return False
        folder = os.path.join(folder, part)
    return not os.path.isfile(os.path.join(root, "pyvenv.cfg"))


def split_lines(text: str) -> list[str]:
    """Physical lines as LSP and `ast` count them (`\\n`, `\\r\\n`, `\\r`)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- caches ------------------------------------------------------------------------------------

_LOCK = threading.Lock()
_IMPORTS: dict[str, WorkspaceImports] = {}
_MAPS: list[tuple[Snapshot, ImportMap]] = []
_MAX_MAPS = 4


def workspace_imports(root: str) -> WorkspaceImports:
    """The imports of every `.py` file under `root` (collected once, then kept until a `.py`
    file under it changes)."""
    root = os.path.normpath(root)
    with _LOCK:
        found = _IMPORTS.get(root)
    if found is None:
        found = collect(root)
        with _LOCK:
            _IMPORTS[root] = found
    return found


def forget_imports(path: Optional[str] = None) -> list[str]:
    """Drop the collected imports of the folders holding `path` (every folder when None);
    returns the folders dropped."""
    dropped: list[str] = []
    with _LOCK:
        for root in list(_IMPORTS):
            if path is None or path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                del _IMPORTS[root]
                dropped.append(root)
    return dropped


def import_map(snapshot: Optional[Snapshot]) -> ImportMap:
    """One ImportMap per environment snapshot (a new inspection makes a new snapshot)."""
    if snapshot is None:
        return ImportMap.from_snapshot(None)
    with _LOCK:
        for known, mapping in _MAPS:
            if known is snapshot:
                return mapping
    mapping = ImportMap.from_snapshot(snapshot)
    with _LOCK:
        _MAPS.insert(0, (snapshot, mapping))
        del _MAPS[_MAX_MAPS:]
    return mapping


# --- what an analysis adds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Extra:
    """What a python / pyproject analysis gives beyond findings, or what a requirements analysis
    learns about generated files."""

    findings: tuple[Finding, ...]
    reqset: RequirementsSet
    file: Optional[RequirementsFile] = None  # the document as a requirements file (pyproject)
    text_lines: Optional[list[str]] = None  # the document's lines when it is not a reqfile
    pyproject: Optional[PyprojectDeclarations] = None
    compiled: Optional[CompiledInfo] = None  # the document is generated by pip-compile / uv
    deps: frozenset[str] = frozenset()  # more files whose change re-diagnoses the document


def folder_requirements(root: str, read: Read) -> RequirementsSet:
    """The requirements files of `root` (what declares the project's dependencies); constraints
    files declare nothing."""
    from pinwise.cli.files import discover_files, is_constraints_name
    from pinwise.reqfile import load_set

    roots = [r for r in discover_files(root) if not is_constraints_name(r)]
    return load_set(roots, reader=read, cwd=root)


def _pyproject(root: str, buffers: Mapping[str, str]) -> Optional[PyprojectDeclarations]:
    path = os.path.join(root, "pyproject.toml")
    text = buffers.get(os.path.normpath(path))
    if text is not None:
        return parse_pyproject(text, path)
    return load_pyproject(path)


def analyze_python(
    path: str,
    text: str,
    root: str,
    *,
    snapshot: Optional[Snapshot],
    settings: Settings,
    read: Read,
    buffers: Mapping[str, str],
) -> Extra:
    """PW015 in one `.py` buffer, against the folder's requirements files and pyproject.toml.
    Nothing for a file of a virtual environment, site-packages, a hidden or build folder (a
    library's source opened from the editor): the project does not import through them."""
    if not is_project_file(path, root):
        return Extra(findings=(), reqset=RequirementsSet(roots=()), text_lines=split_lines(text))
    reqset = folder_requirements(root, read)
    pyproject = _pyproject(root, buffers)
    lines = split_lines(text)
    imports = with_buffer(workspace_imports(root), path, text)
    found = analyze_imports(
        root,
        reqset,
        pyproject,
        snapshot,
        settings,
        imports=imports,
        import_map=import_map(snapshot),
        source_lines={path: dict(enumerate(lines))},
    )
    mine = [f for f in found if os.path.normpath(f.path) == path and f.code == "PW015"]
    if not reqset.files:
        mine = [_create_requirements_fix(f, root, snapshot) for f in mine]
    deps = {os.path.normpath(p) for p in reqset.files}
    # a requirements.txt or pyproject.toml created later re-diagnoses this file too
    deps.add(os.path.join(root, "requirements.txt"))
    deps.add(os.path.join(root, "pyproject.toml"))
    return Extra(
        findings=tuple(adjust_generated(mine, compiled_infos(reqset))),
        reqset=reqset,
        text_lines=lines,
        pyproject=pyproject,
        deps=frozenset(deps),
    )


_NO_FILE = "; no quick fix: there is no requirements file to add it to"


def _create_requirements_fix(finding: Finding, root: str, snapshot: Optional[Snapshot]) -> Finding:
    """PW015 in a folder without requirements files: the fix creates requirements.txt."""
    dist = snapshot.get(finding.name) if snapshot is not None and finding.name else None
    if dist is None or any(f.kind is FixKind.ADD_REQUIREMENT for f in finding.fixes):
        return finding
    line = f"{dist.name}{pin_for(dist.version)}"
    start = Position(0, 0)
    fix = Fix(
        title=f"Add {line} to requirements.txt",
        kind=FixKind.ADD_REQUIREMENT,
        edits=(TextEdit(os.path.join(root, "requirements.txt"), Span(start, start), line + "\n"),),
        is_preferred=True,
    )
    return replace(
        finding, message=finding.message.replace(_NO_FILE, ""), fixes=(fix, *finding.fixes)
    )


def analyze_pyproject_document(
    path: str,
    text: str,
    *,
    snapshot: Optional[Snapshot],
    settings: Settings,
    read: Read,
) -> Extra:
    """A pyproject.toml buffer: its declarations checked like requirements lines (PW002, PW003,
    PW004, PW005, PW009, PW014), and PW016 for those nothing imports."""
    root = os.path.dirname(path)
    decls = parse_pyproject(text, path)
    findings = list(analyze_pyproject(decls, snapshot, settings))
    reqset = folder_requirements(root, read)
    if settings.severity_of("PW016") is not None:
        unused = analyze_imports(
            root,
            reqset,
            decls,
            snapshot,
            settings,
            imports=workspace_imports(root),
            import_map=import_map(snapshot),
        )
        findings += [f for f in unused if f.code == "PW016" and os.path.normpath(f.path) == path]
    view = as_requirements_file(decls, decls.declarations)
    files = dict(reqset.files)
    files[path] = view  # install missing, hover: the declarations as requirements lines
    return Extra(
        findings=tuple(findings),
        reqset=replace(reqset, files=files),
        file=view,
        text_lines=split_lines(text),
        pyproject=decls,
        deps=frozenset(os.path.normpath(p) for p in reqset.files),
    )


def requirements_extras(
    path: str,
    root: str,
    reqset: RequirementsSet,
    findings: Iterable[Finding],
    *,
    snapshot: Optional[Snapshot],
    settings: Settings,
    buffers: Mapping[str, str],
) -> Extra:
    """A requirements document's findings plus PW016 and PW017, adjusted for files generated by
    pip-compile / uv (their findings say to change the .in file, and offer no edit)."""
    imports = workspace_imports(root) if settings.severity_of("PW016") is not None else None
    wanted_imports = imports is not None and bool(imports.files)  # no Python code: no PW016
    result = check_project_details(
        root,
        reqset,
        snapshot,
        settings,
        findings=findings,
        pyproject=_pyproject(root, buffers),
        imports=imports if wanted_imports else None,
        import_map=import_map(snapshot) if wanted_imports else None,
        with_imports=wanted_imports,
    )
    infos = result.compiled
    sources = {os.path.normpath(i.source) for i in infos.values() if i.source}
    keep = {os.path.normpath(p) for p in reqset.files} | sources
    # Per distinct path, not per finding (5,700 findings on a big file share a few paths).
    normalised = {path: os.path.normpath(path) for path in {f.path for f in result.findings}}
    kept_paths = {path for path, norm in normalised.items() if norm in keep}
    own_paths = {path for path, norm in normalised.items() if norm in reqset.files}
    kept = tuple(
        f
        for f in result.findings
        if f.path in kept_paths and (f.code != "PW016" or f.path in own_paths)
    )
    return Extra(
        findings=kept,
        reqset=reqset,
        compiled=infos.get(path),
        deps=frozenset(sources),
    )


__all__ = [
    "DISAGREEMENT_CODE",
    "PYPROJECT",
    "PYTHON",
    "REQUIREMENTS",
    "Extra",
    "analyze_pyproject_document",
    "analyze_python",
    "document_kind",
    "folder_requirements",
    "forget_imports",
    "import_map",
    "is_manifest",
    "requirements_extras",
    "split_lines",
    "workspace_imports",
]
