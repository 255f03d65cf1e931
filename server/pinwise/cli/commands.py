"""The commands behind `pinwise check`, `pinwise freeze` and `pinwise env`.

Each command imports what it needs when it runs: `pinwise freeze` must start fast, so it loads
the environment reader and the freeze renderer only (no analysis, no reqfile, no packaging).
"""

from __future__ import annotations

import os

from pinwise.cli import EXIT_FINDINGS, EXIT_OK, UsageError
from pinwise.environment.errors import InspectionError
from pinwise.environment.inspect import discover_interpreter, inspect, scan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Optional, TextIO

    from pinwise.analysis.model import Finding, Settings
    from pinwise.environment.model import Snapshot
    from pinwise.reqfile.model import RequirementsSet


def _venv_in(folder: str, names: tuple[str, ...] = (".venv", "venv", "env")) -> Optional[str]:
    for name in names:
        for exe in (
            os.path.join(folder, name, "bin", "python"),
            os.path.join(folder, name, "Scripts", "python.exe"),
        ):
            if os.path.isfile(exe):
                return os.path.abspath(exe)
    return None


def choose_interpreter(
    python: Optional[str], cwd: str, environ: Mapping[str, str], folder: Optional[str] = None
) -> str:
    """--python (a path, or a command on PATH), else $VIRTUAL_ENV, .venv/venv/env in `folder`
    then in `cwd`, else python3 on PATH."""
    if python:
        if os.sep not in python and "/" not in python:
            # a bare command name (`--python python3.12`): looked up on PATH, like a shell does
            import shutil

            found = shutil.which(python, path=environ.get("PATH", os.defpath))
            if found is not None and not os.path.exists(os.path.join(cwd, python)):
                return os.path.abspath(found)
        given = os.path.abspath(os.path.join(cwd, os.path.expanduser(python)))
        if os.path.isdir(given):  # `--python .venv`: the environment's interpreter
            inside = _venv_in(os.path.dirname(given), (os.path.basename(given),))
            if inside is not None:
                return inside
        return given
    virtual_env = environ.get("VIRTUAL_ENV")
    active = None
    if virtual_env:
        parent, name = os.path.split(os.path.join(cwd, virtual_env).rstrip(os.sep))
        active = _venv_in(parent, (name,))
    if active is None and folder is not None:  # ($VIRTUAL_ENV naming no venv counts as unset)
        found = _venv_in(folder)
        if found is not None:
            return found
    discovered = discover_interpreter(cwd, environ)
    if discovered is None:
        raise UsageError(
            "pinwise: no Python interpreter found: no $VIRTUAL_ENV, no .venv/, venv/ or env/ "
            "here and no python3 on PATH; pass one with --python"
        )
    return discovered


def _snapshot(interpreter: str, no_exec: bool) -> Snapshot:
    try:
        return inspect(interpreter, allow_exec=not no_exec)
    except InspectionError as exc:
        raise _usage(exc) from exc


def _usage(exc: InspectionError) -> UsageError:
    message = " ".join(str(exc).split())
    return UsageError(f"pinwise: {message}")


def _is_python_source(path: str) -> bool:
    return path.endswith((".py", ".pyi")) and not os.path.isdir(path)


def _is_pyproject(path: str) -> bool:
    return os.path.basename(path) == "pyproject.toml" and not os.path.isdir(path)


class _Paths:
    """What the PATH arguments name: requirements files (the roots), `.py` files, pyproject.toml
    files, and the project folder whose imports and pyproject.toml are checked."""

    def __init__(self) -> None:
        self.roots: list[str] = []
        self.folder: Optional[str] = None  # the one folder given, if any
        self.python_files: list[str] = []  # `.py` PATHs: PW015 is reported for these only
        self.pyprojects: list[str] = []
        self.declarations_only = False  # roots found only to know what is declared
        self.project: str = ""
        self.explicit = False  # files were named (no folder): report findings in those only


def _roots(paths: Sequence[str], cwd: str) -> _Paths:
    """Sort the PATH arguments; with none, the current folder."""
    from pinwise.cli.files import discover_files

    out = _Paths()
    if not paths:
        out.roots = discover_files(cwd)
        out.project = cwd
        if not out.roots and not os.path.isfile(os.path.join(cwd, "pyproject.toml")):
            raise UsageError(
                f"pinwise check: no requirements files in {cwd} (looked for requirements*.txt, "
                "*requirements*.txt, requirements/*.txt, constraints*.txt, *.in) and no "
                "pyproject.toml; name the files to check"
            )
        return out
    folders: list[str] = []
    for path in paths:
        absolute = os.path.abspath(os.path.join(cwd, path))
        if os.path.isdir(absolute):
            found = discover_files(absolute)
            if not found and not os.path.isfile(os.path.join(absolute, "pyproject.toml")):
                raise UsageError(
                    f"pinwise check: no requirements files and no pyproject.toml in {path}"
                )
            out.roots += [f for f in found if f not in out.roots]
            if absolute not in folders:  # (`pinwise check app app` is `pinwise check app`)
                folders.append(absolute)
        elif not os.path.exists(absolute):
            raise UsageError(f"pinwise check: cannot read {path}: no such file")
        elif _is_python_source(absolute):
            if absolute not in out.python_files:
                out.python_files.append(absolute)
        elif _is_pyproject(absolute):
            if absolute not in out.pyprojects:
                out.pyprojects.append(absolute)
        elif absolute not in out.roots:
            out.roots.append(absolute)
    named = {os.path.abspath(os.path.join(cwd, path)) for path in paths}
    out.folder = folders[0] if len(folders) == 1 and len(named) == 1 else None
    out.explicit = not folders
    if folders:
        out.project = folders[0]
    elif out.pyprojects:
        out.project = os.path.dirname(out.pyprojects[0])
    else:
        given = out.roots + out.python_files
        inside = all(not os.path.relpath(p, cwd).startswith(os.pardir + os.sep) for p in given)
        out.project = cwd if inside or not given else os.path.dirname(given[0])
    if not out.roots and (out.python_files or out.pyprojects):
        # only .py / pyproject.toml given (pre-commit passes the staged ones): the folder's
        # requirements files still say what is declared, but their own findings are not asked for
        out.roots = discover_files(out.project)
        out.declarations_only = True
    return out


def check(
    *,
    paths: Sequence[str],
    python: Optional[str],
    no_exec: bool,
    output_format: str,
    select: Optional[Sequence[str]],
    ignore: Sequence[str],
    stdout: TextIO,
    stderr: TextIO,
    cwd: str,
    environ: Mapping[str, str],
) -> int:
    from dataclasses import replace

    from pinwise.analysis import SettingsError, analyze, load_settings, with_overrides
    from pinwise.analysis.model import Severity
    from pinwise.cli.files import find_pyproject, is_constraints_name, reduce_roots, safe_reader
    from pinwise.cli.output import display_path, render_github, render_json, render_text, use_color
    from pinwise.reqfile import load, load_set

    given = _roots(paths, cwd)
    roots, folder = given.roots, given.folder
    pyproject = find_pyproject(folder or (os.path.dirname(roots[0]) if roots else given.project))
    try:
        settings = with_overrides(load_settings(pyproject), select=select, ignore=ignore)
    except SettingsError as exc:
        raise UsageError(f"pinwise: {exc}") from exc
    for message in settings.messages:
        print(f"pinwise: warning: {message}", file=stderr)

    interpreter = choose_interpreter(python, cwd, environ, folder)
    snapshot = _snapshot(interpreter, no_exec)

    env = dict(environ)
    reqset = load_set(roots, reader=safe_reader, environ=env, cwd=cwd)
    kept = reduce_roots(roots, [(e.includer, e.target) for e in reqset.edges])
    constraint_roots = [r for r in kept if is_constraints_name(r)]
    if kept != roots or constraint_roots:
        reqset = load_set(
            [r for r in kept if r not in constraint_roots], reader=safe_reader, environ=env, cwd=cwd
        )
        # a constraints file nothing includes is still checked, as the constraints it is
        files = dict(reqset.files)
        for root in constraint_roots:
            if root not in files:
                files[root] = load(root, constraint=True, reader=safe_reader, environ=env, cwd=cwd)
        reqset = replace(reqset, roots=tuple(r for r in kept if r in files), files=files)
    for root in () if given.declarations_only else reqset.roots:
        file = reqset.files.get(root)
        if file is not None and file.read_error is not None:
            reason = " ".join(file.read_error.split())
            for prefix in (
                "Could not open requirements file: ",
                "Could not open constraint file: ",
            ):
                reason = reason.removeprefix(prefix)
            raise UsageError(f"pinwise check: cannot read {display_path(root, cwd)}: {reason}")

    findings = analyze(reqset, snapshot, settings)
    findings, files_checked, notes = _project_findings(given, reqset, snapshot, settings, findings)
    for note in notes:  # a .py file not checked (a syntax error, not text...): say so, and why
        print(f"pinwise: note: {note}", file=stderr)
    relative = not any(os.path.isabs(p) for p in paths)  # how the files were named
    if output_format == "json":
        stdout.write(render_json(findings, cwd=cwd, snapshot=snapshot, relative_outside=relative))
    elif output_format == "github":
        stdout.write(render_github(findings, cwd=cwd, relative_outside=relative))
    else:
        stdout.write(
            render_text(
                findings,
                cwd=cwd,
                color=use_color(stdout, environ),
                files_checked=files_checked,
                snapshot=snapshot,
                relative_outside=relative,
            )
        )
    stdout.flush()
    serious = any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)
    return EXIT_FINDINGS if serious else EXIT_OK


def _project_findings(
    given: _Paths,
    reqset: RequirementsSet,
    snapshot: Snapshot,
    settings: Settings,
    findings: list[Finding],
) -> tuple[list[Finding], int, list[str]]:
    """`findings` plus what lies beyond the requirements files (issue 5): PW015 in `.py` files,
    PW016, pyproject.toml, files generated by pip-compile / uv and their `.in` files. With no
    PATH or a folder, everything of the folder is reported; with files named, the findings in
    those files (and the files they include). Returns the findings to report, the number of
    files checked, and notes on the Python files that could not be checked."""
    from pinwise.imports.collect import collect, with_buffer
    from pinwise.project import check_project_details
    from pinwise.pyproject.declarations import load_pyproject

    project = os.path.abspath(given.project)
    pyproject_path = given.pyprojects[0] if given.pyprojects else None
    pyproject = load_pyproject(pyproject_path or os.path.join(project, "pyproject.toml"))
    imports = collect(project)
    known = {f.path for f in imports.files}
    for path in given.python_files:
        if path not in known:  # a file `collect` skips (a hidden folder, ...): asked for by name
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise UsageError(f"pinwise check: cannot read {path}: {exc.strerror}") from exc
            imports = with_buffer(imports, path, data.decode("utf-8", errors="replace"))
    result = check_project_details(
        project, reqset, snapshot, settings, findings=findings, pyproject=pyproject, imports=imports
    )
    only_py = {os.path.normcase(p) for p in given.python_files}
    wanted: Optional[set[str]] = None  # None: everything of the folder
    if given.explicit:
        # files named on the command line: findings in those (and the files they include) only
        wanted = only_py | {os.path.normcase(p) for p in given.pyprojects}
        if not given.declarations_only:
            wanted |= {os.path.normcase(p) for p in reqset.files}
    out = [f for f in result.findings if wanted is None or os.path.normcase(f.path) in wanted]
    notes = [
        f.error
        for f in (result.imports.files if result.imports is not None else ())
        if f.error and (wanted is None or os.path.normcase(f.path) in wanted)
    ]
    checked = (
        0
        if given.declarations_only
        else (sum(1 for f in reqset.files.values() if f.read_error is None))
    )
    pyproject_read = result.pyproject
    if pyproject_read is not None and (
        given.pyprojects
        or (not given.explicit and (pyproject_read.declarations or pyproject_read.problems))
    ):
        checked += 1
    checked += len(only_py)  # the .py files named; a folder's are scanned, not counted
    return out, checked, notes


def freeze(
    *,
    python: Optional[str],
    no_exec: bool,
    requirement_files: Sequence[str],
    all_: bool,
    exclude: Sequence[str],
    exclude_editable: bool,
    stdout: TextIO,
    stderr: TextIO,
    cwd: str,
    environ: Mapping[str, str],
) -> int:
    from pinwise.cli.files import safe_reader
    from pinwise.freeze.render import freeze as render_freeze

    # pip freeze needs no marker environment: a virtual environment is read from its files alone,
    # without starting its interpreter, into plain objects (no dataclass model to import)
    try:
        found = scan(choose_interpreter(python, cwd, environ), allow_exec=not no_exec)
    except InspectionError as exc:
        raise _usage(exc) from exc
    result = render_freeze(
        found,
        requirement_files=tuple(requirement_files),
        all=all_,
        exclude=tuple(exclude),
        exclude_editable=exclude_editable,
        reader=safe_reader,
        cwd=cwd,
    )
    for line in result.stderr:
        stderr.write(line + "\n")
    stdout.write(result.text)
    stdout.flush()
    return EXIT_FINDINGS if result.exit_code else EXIT_OK


def env(
    *,
    python: Optional[str],
    no_exec: bool,
    as_json: bool,
    stdout: TextIO,
    cwd: str,
    environ: Mapping[str, str],
) -> int:
    import json

    from pinwise.cli.output import render_env_text, snapshot_json

    snapshot = _snapshot(choose_interpreter(python, cwd, environ), no_exec)
    if as_json:
        json.dump(snapshot_json(snapshot), stdout, indent=2)
        stdout.write("\n")
    else:
        stdout.write(render_env_text(snapshot))
    return EXIT_OK
