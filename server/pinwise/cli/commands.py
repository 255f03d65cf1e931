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

    from pinwise.environment.model import Snapshot


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
    if not environ.get("VIRTUAL_ENV") and folder is not None:
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


def _roots(paths: Sequence[str], cwd: str) -> tuple[list[str], Optional[str], bool]:
    """(root files, the one folder given if any, whether they were discovered)."""
    from pinwise.cli.files import discover_files

    if not paths:
        found = discover_files(cwd)
        if not found:
            raise UsageError(
                f"pinwise check: no requirements files in {cwd} (looked for requirements*.txt, "
                "*requirements*.txt, requirements/*.txt, constraints*.txt, *.in); "
                "name the files to check"
            )
        return found, None, True
    roots: list[str] = []
    folders: list[str] = []
    discovered = False
    for path in paths:
        absolute = os.path.abspath(os.path.join(cwd, path))
        if os.path.isdir(absolute):
            found = discover_files(absolute)
            if not found:
                raise UsageError(f"pinwise check: no requirements files in {path}")
            roots += [f for f in found if f not in roots]
            folders.append(absolute)
            discovered = True
        elif not os.path.exists(absolute):
            raise UsageError(f"pinwise check: cannot read {path}: no such file")
        elif absolute not in roots:
            roots.append(absolute)
    folder = folders[0] if len(folders) == 1 and len(paths) == 1 else None
    return roots, folder, discovered


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

    roots, folder, _ = _roots(paths, cwd)
    pyproject = find_pyproject(folder or os.path.dirname(roots[0]) if roots else cwd)
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
    for root in reqset.roots:
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
    files_checked = sum(1 for f in reqset.files.values() if f.read_error is None)
    if output_format == "json":
        stdout.write(render_json(findings, cwd=cwd, snapshot=snapshot))
    elif output_format == "github":
        stdout.write(render_github(findings, cwd=cwd))
    else:
        stdout.write(
            render_text(
                findings,
                cwd=cwd,
                color=use_color(stdout, environ),
                files_checked=files_checked,
                snapshot=snapshot,
            )
        )
    stdout.flush()
    serious = any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings)
    return EXIT_FINDINGS if serious else EXIT_OK


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
