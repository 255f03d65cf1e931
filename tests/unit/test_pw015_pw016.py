"""PW015 (undeclared imports), its fix applied to real requirements files, PW016 (declared but
unused), and the pyproject.toml checks, against a real venv made by pip from wheels built here.

The venv: Alpha 1.0 (import alpha; requires beta>=1), beta 2.0, PyYAMLike 6.0 (import yamlike,
top_level.txt), zeta-tools 1.0 (import zetatools), unused-lib 1.0 (import unusedlib), black 24.1
(a tool), metaonly 1.0 (no modules), gamma 3.0 (extra fast: delta>=1, not installed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest
from tests.support.builders import make_venv, make_wheel, pip, pip_install
from tests.support.more_builders import apply_edits, read, write

from pinwise.analysis import Finding, Settings, Severity
from pinwise.analysis.imports_rules import (
    add_requirement_fix,
    analyze_imports,
    analyze_pyproject,
)
from pinwise.environment import Snapshot, inspect
from pinwise.imports import clear_caches
from pinwise.pyproject import load_pyproject, parse_pyproject
from pinwise.reqfile import load, load_set
from pinwise.spans import Span

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pw015-wheels")
    make_wheel(out, "Alpha", "1.0", requires=["beta>=1"])
    make_wheel(out, "beta", "2.0")
    make_wheel(out, "PyYAMLike", "6.0", modules={"yamlike/__init__.py": ""}, top_level=["yamlike"])
    make_wheel(out, "zeta-tools", "1.0", modules={"zetatools/__init__.py": ""})
    make_wheel(out, "unused-lib", "1.0", modules={"unusedlib.py": ""})
    make_wheel(out, "black", "24.1")
    make_wheel(out, "metaonly", "1.0", modules={}, requires=[])
    make_wheel(out, "gamma", "3.0", extras={"fast": ["delta>=1"]})
    return out


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory, wheels: Path) -> Snapshot:
    root = tmp_path_factory.mktemp("pw015-env")
    python = make_venv(root / "venv")
    pip_install(python, sorted(wheels.glob("*.whl")))
    clear_caches()
    return inspect(str(python))


APP = """\
import os, json
import alpha
from beta import thing
import yamlike.loader  # PyYAMLike
import yaml
import requests_not_installed_anywhere
from . import sibling
import localmod
try:
    import zetatools
except ImportError:
    zetatools = None
import yamlike  # pinwise: ignore[PW015]
"""


def workspace(tmp_path: Path, requirements: Optional[str], *, app: str = APP) -> Path:
    write(tmp_path / "app.py", app)
    write(tmp_path / "localmod.py", "")
    if requirements is not None:
        write(tmp_path / "requirements.txt", requirements)
    return tmp_path


def run(
    root: Path, snap: Snapshot, *, roots: tuple[str, ...] = ("requirements.txt",)
) -> list[Finding]:
    clear_caches()
    existing = [str(root / r) for r in roots if (root / r).exists()]
    reqset = load_set(existing, environ={}, cwd=str(root)) if existing else None
    pyproject = load_pyproject(str(root / "pyproject.toml"))
    return analyze_imports(str(root), reqset, pyproject, snap, Settings())


def by(findings: list[Finding], code: str) -> dict[Optional[str], Finding]:
    return {f.name: f for f in findings if f.code == code}


def test_pw015_findings_spans_and_messages(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0\nzeta-tools==1.0\n")
    found = by(run(root, snap), "PW015")
    assert set(found) == {"beta", "pyyamlike", "pyyaml"}
    beta = found["beta"]
    assert beta.path == str(root / "app.py") and beta.severity is Severity.WARNING
    assert beta.span == Span.on_line(2, 5, 9)
    assert "beta 2.0" in beta.message and "requirements.txt" in beta.message
    assert "installed only because alpha requires it" in beta.message
    yam = found["pyyamlike"]
    assert yam.span == Span.on_line(3, 7, 21)  # `yamlike.loader`; line 12 is suppressed
    assert [f.title for f in yam.fixes] == [
        "Add PyYAMLike==6.0 to requirements.txt",
        "Ignore PW015 on this line",
    ]
    # not installed but well known: reported, with no fix to add a version
    yaml = found["pyyaml"]
    assert "PyYAML" in yaml.message and "nor installed" in yaml.message
    assert [f.title for f in yaml.fixes] == ["Ignore PW015 on this line"]


def apply_fix(root: Path, finding: Finding) -> str:
    fix = finding.fixes[0]
    assert fix.title.startswith("Add ")
    path = root / "requirements.txt"
    text = apply_edits(read(path), fix.edits)
    write(path, text)
    return text


def test_fix_sorted_file_gets_the_sorted_position(
    tmp_path: Path, snap: Snapshot, wheels: Path
) -> None:
    root = workspace(tmp_path, "# pinned\nalpha==1.0\nzeta-tools==1.0\n")
    found = by(run(root, snap), "PW015")
    text = apply_fix(root, found["pyyamlike"])
    assert text == "# pinned\nalpha==1.0\nPyYAMLike==6.0\nzeta-tools==1.0\n"
    text = apply_fix(root, by(run(root, snap), "PW015")["beta"])
    assert text == "# pinned\nalpha==1.0\nbeta==2.0\nPyYAMLike==6.0\nzeta-tools==1.0\n"
    assert set(by(run(root, snap), "PW015")) == {"pyyaml"}
    # pip accepts the result
    pip(
        "install",
        "--dry-run",
        "--no-index",
        "--find-links",
        str(wheels),
        "-r",
        str(root / "requirements.txt"),
        python=None,
    )


def test_fix_sorted_file_last_position_without_final_newline(
    tmp_path: Path, snap: Snapshot
) -> None:
    root = workspace(tmp_path, "alpha==1.0\nbeta==2.0")
    text = apply_fix(root, by(run(root, snap), "PW015")["pyyamlike"])
    assert text == "alpha==1.0\nbeta==2.0\nPyYAMLike==6.0"


def test_fix_unsorted_file_goes_at_the_end(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "zeta-tools==1.0\nalpha==1.0\n\n# the end\n")
    text = apply_fix(root, by(run(root, snap), "PW015")["pyyamlike"])
    assert text == "zeta-tools==1.0\nalpha==1.0\n\n# the end\nPyYAMLike==6.0\n"


def test_fix_keeps_crlf(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0\r\nzeta-tools==1.0\r\n")
    text = apply_fix(root, by(run(root, snap), "PW015")["pyyamlike"])
    assert text == "alpha==1.0\r\nPyYAMLike==6.0\r\nzeta-tools==1.0\r\n"
    root2 = workspace(tmp_path / "unsorted", "zeta-tools==1.0\r\nalpha==1.0")
    text = apply_fix(root2, by(run(root2, snap), "PW015")["pyyamlike"])
    assert text == "zeta-tools==1.0\r\nalpha==1.0\r\nPyYAMLike==6.0"


def test_a_local_folder_without_init_does_not_hide_an_installed_package(
    tmp_path: Path, snap: Snapshot
) -> None:
    # Alembic's layout: `alembic/env.py` (no `__init__.py`) does `from alembic import context`;
    # Python imports the installed package over such a folder. A namespace folder nothing
    # installed provides is still the project's own code.
    root = workspace(tmp_path, "unused-lib==1.0\n", app="import localns.mod\n")
    write(root / "alpha" / "env.py", "from alpha import context\n")
    write(root / "localns" / "mod.py", "")
    found = run(root, snap)
    assert "alpha" in by(found, "PW015")  # installed, and not declared
    assert "localns" not in by(found, "PW015") and not by(found, "PW002")
    write(root / "requirements.txt", "alpha==1.0\nunused-lib==1.0\n")
    assert "alpha" not in by(run(root, snap), "PW016")  # declared, and imported


def test_fix_refused_in_hash_mode(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0 --hash=sha256:" + "a" * 64 + "\n")
    yam = by(run(root, snap), "PW015")["pyyamlike"]
    assert [f.title for f in yam.fixes] == ["Ignore PW015 on this line"]
    assert "no quick fix: requirements.txt is in hash-checking mode" in yam.message


def test_fix_refused_only_where_an_install_is_in_hash_mode(tmp_path: Path) -> None:
    # requirements-lock.txt's hashes say nothing of requirements.txt, a file of its own
    # (`pinwise check` takes both as roots: two installs); a file that includes the locked one
    # is in hash-checking mode with it
    plain = write(tmp_path / "requirements.txt", "beta==2.0\n")
    write(tmp_path / "requirements-lock.txt", "alpha==1.0 --hash=sha256:" + "a" * 64 + "\n")
    write(tmp_path / "requirements-all.txt", "-r requirements-lock.txt\ngamma==1\n")
    roots = [str(tmp_path / n) for n in ("requirements.txt", "requirements-lock.txt")]
    sets = load_set(roots, cwd=str(tmp_path))
    fix, why = add_requirement_fix(sets.files[str(plain)], "Thing", "1.0", sets)
    assert why is None and fix is not None
    sets = load_set([str(tmp_path / "requirements-all.txt")], cwd=str(tmp_path))
    fix, why = add_requirement_fix(
        sets.files[str(tmp_path / "requirements-all.txt")], "T", "1", sets
    )
    assert fix is None and why is not None and "hash-checking mode" in why


def test_add_requirement_fix_on_an_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "")
    fix, why = add_requirement_fix(load(str(path)), "Thing", "1.0rc1")
    assert why is None and fix is not None
    assert apply_edits("", fix.edits) == "Thing==1.0rc1\n"
    fix, _ = add_requirement_fix(load(str(path)), "odd", "0.9-snapshot")
    assert fix is not None and fix.title == "Add odd===0.9-snapshot to requirements.txt"


def test_generated_requirements_point_at_the_in_file(tmp_path: Path, snap: Snapshot) -> None:
    header = (
        "#\n# This file is autogenerated by pip-compile with Python 3.11\n"
        "# by the following command:\n#\n#    pip-compile requirements.in\n#\n"
    )
    root = workspace(tmp_path, header + "alpha==1.0\n    # via -r requirements.in\n")
    write(root / "requirements.in", "alpha\n")
    yam = by(run(root, snap), "PW015")["pyyamlike"]
    assert "generated by pip-compile: add it to requirements.in and re-compile" in yam.message
    assert [f.title for f in yam.fixes] == ["Ignore PW015 on this line"]
    # with the .in file among the roots, the fix edits the .in file
    yam = by(run(root, snap, roots=("requirements.txt", "requirements.in")), "PW015")["pyyamlike"]
    assert yam.fixes[0].title == "Add PyYAMLike==6.0 to requirements.in"
    assert yam.fixes[0].edits[0].path == str(root / "requirements.in")


def test_declared_in_pyproject_counts(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0\n")
    write(
        root / "pyproject.toml",
        '[project]\nname = "app"\ndependencies = ["PyYAMLike>=6"]\n'
        '[dependency-groups]\ndev = ["beta"]\n',
    )
    assert set(by(run(root, snap), "PW015")) == {"pyyaml"}


def test_no_requirements_file_at_all(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, None)
    yam = by(run(root, snap), "PW015")["pyyamlike"]
    assert "no quick fix: there is no requirements file to add it to" in yam.message


def test_settings_switch_pw015_off(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0\n")
    reqset = load_set([str(root / "requirements.txt")], environ={}, cwd=str(root))
    off = analyze_imports(str(root), reqset, None, snap, Settings(ignore=frozenset({"PW015"})))
    assert not [f for f in off if f.code == "PW015"]


def test_pw016_unused_declarations(tmp_path: Path, snap: Snapshot) -> None:
    reqs = (
        "alpha==1.0\nbeta==2.0\nunused-lib==1.0\nblack==24.1\nmetaonly==1.0\nzeta-tools==1.0\n"
        "not-installed==1.0\nPyYAMLike==6.0\nunused-lib  # pinwise: ignore[PW016]\n"
    )
    root = workspace(tmp_path, reqs)
    findings = run(root, snap)
    unused = [f for f in findings if f.code == "PW016"]
    # beta: alpha needs it; black: a tool; metaonly: nothing to import; zeta-tools: a guarded
    # import still uses it; not-installed: PW002's business
    assert [(f.name, f.span) for f in unused] == [("unused-lib", Span.on_line(2, 0, 10))]
    assert unused[0].severity is Severity.INFORMATION
    assert unused[0].path == str(root / "requirements.txt")
    assert "unusedlib" in unused[0].message
    assert unused[0].fixes[0].title == "Ignore PW016 on this line"


def test_pw016_tool_packages_are_configurable(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, "alpha==1.0\nunused-lib==1.0\n")
    write(root / "pyproject.toml", '[tool.pinwise]\ntool-packages = ["Unused_Lib"]\n')
    assert not [f for f in run(root, snap) if f.code == "PW016"]


def test_pw016_in_pyproject_and_not_without_python_code(tmp_path: Path, snap: Snapshot) -> None:
    root = workspace(tmp_path, None)
    write(root / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["unused-lib"]\n')
    (unused,) = [f for f in run(root, snap) if f.code == "PW016"]
    assert unused.path == str(root / "pyproject.toml") and unused.span == Span.on_line(2, 17, 27)
    os.remove(root / "app.py")
    os.remove(root / "localmod.py")
    assert not [f for f in run(root, snap) if f.code == "PW016"]


PYPROJECT = """\
[project]
name = "app"
dependencies = [
    "alpha>=2",
    "missing-pkg",
    "beta==2.0", "beta>=1",
    "gamma[fast]",
    "yamlike-old ; python_version < '3'",
    "bad req !!",
    "app[extra]",
    "zeta-tools",  # pinwise: ignore[PW002]
]
[project.optional-dependencies]
docs = ["not-here"]
"""


def test_pyproject_checks_with_exact_ranges(snap: Snapshot, tmp_path: Path) -> None:
    path = str(tmp_path / "pyproject.toml")
    decls = parse_pyproject(PYPROJECT, path)
    findings = analyze_pyproject(decls, snap, Settings())
    got = {(f.code, f.span) for f in findings}
    assert got == {
        ("PW003", Span.on_line(3, 10, 13)),  # alpha 1.0 vs >=2
        ("PW002", Span.on_line(4, 5, 16)),  # missing-pkg
        ("PW004", Span.on_line(5, 18, 22)),  # beta twice
        ("PW014", Span.on_line(6, 10, 16)),  # gamma[fast]: delta not installed
        ("PW009", Span.on_line(7, 19, 39)),  # marker false
        ("PW005", Span.on_line(8, 5, 15)),  # invalid requirement
        ("PW002", Span.on_line(13, 9, 17)),  # the optional group
    }
    assert not any(f.code == "PW001" for f in findings)
    docs = next(f for f in findings if f.span.start.line == 13)
    assert docs.message.endswith("(optional dependency group 'docs')")
    pw003 = next(f for f in findings if f.code == "PW003")
    update = pw003.fixes[0] if pw003.fixes else None
    assert update is None or not update.title.startswith("Update pin")  # >=2 is not a pin


def test_pyproject_ignore_fixes_keep_the_dependency(snap: Snapshot, tmp_path: Path) -> None:
    # the code merged into the row's `# pinwise: ignore[...]`, or a new one after its comment
    text = (
        '[project]\nname = "demo"\nversion = "0"\ndependencies = [\n'
        '  "alpha>=2",  # pinwise: ignore[PW009]\n'
        '  "missing-pkg",  # why\n'
        "]\n"
    )
    path = str(tmp_path / "pyproject.toml")
    findings = analyze_pyproject(parse_pyproject(text, path), snap, Settings())
    by_code = {f.code: f for f in findings}
    fixed = text
    for code, row, expected in (
        ("PW003", 4, '  "alpha>=2",  # pinwise: ignore[PW003,PW009]'),
        ("PW002", 5, '  "missing-pkg",  # why  # pinwise: ignore[PW002]'),
    ):
        ignore = next(f for f in by_code[code].fixes if f.title == f"Ignore {code} on this line")
        fixed = apply_edits(fixed, ignore.edits)
        assert fixed.splitlines()[row] == expected
    assert analyze_pyproject(parse_pyproject(fixed, path), snap, Settings()) == []


def test_pyproject_invalid_toml_is_one_finding(snap: Snapshot, tmp_path: Path) -> None:
    decls = parse_pyproject('[project]\ndependencies = ["a",\n  "b" "c"]\n', str(tmp_path / "p"))
    (finding,) = analyze_pyproject(decls, snap, Settings())
    assert finding.code == "PW005" and finding.severity is Severity.ERROR
    assert finding.span.start.line == 2 and "not valid TOML" in finding.message


def test_pyproject_without_environment(tmp_path: Path) -> None:
    decls = parse_pyproject(PYPROJECT, str(tmp_path / "pyproject.toml"))
    codes = sorted(f.code for f in analyze_pyproject(decls, None, Settings()))
    assert codes == ["PW004", "PW005"]


def test_check_project_one_call(tmp_path: Path, snap: Snapshot) -> None:
    from pinwise.analysis import analyze
    from pinwise.project import check_project_details

    header = (
        "#\n# This file is autogenerated by pip-compile with Python 3.11\n"
        "# by the following command:\n#\n#    pip-compile requirements.in\n#\n"
    )
    root = workspace(tmp_path, header + "alpha==0.9\n    # via -r requirements.in\n")
    write(root / "requirements.in", "alpha\n")
    write(root / "pyproject.toml", '[project]\nname = "app"\ndependencies = ["missing-pkg"]\n')
    clear_caches()
    roots = [str(root / "requirements.in"), str(root / "requirements.txt")]
    reqset = load_set(roots, environ={}, cwd=str(root))
    base = analyze(reqset, snap, Settings())
    result = check_project_details(str(root), reqset, snap, Settings(), findings=base)
    codes = sorted((f.code, os.path.basename(f.path)) for f in result.findings)
    assert ("PW001", "requirements.in") not in codes  # the .in file is loose by design
    assert ("PW003", "requirements.txt") in codes
    assert ("PW002", "pyproject.toml") in codes
    assert ("PW015", "app.py") in codes
    pw003 = next(f for f in result.findings if f.code == "PW003")
    assert "change requirements.in and re-compile" in pw003.message
    assert not any(f.title.startswith("Update pin") for f in pw003.fixes)
    assert result.compiled[str(root / "requirements.txt")].via["alpha"] == ("-r requirements.in",)


def test_the_project_itself_is_its_folder_not_every_path_that_begins_alike() -> None:
    # an editable install in /a/proj is the project (no PW015 for it); /a/proj-lib is another
    from pinwise.analysis.imports_rules import _inside

    assert _inside("/a/proj", "/a/proj") and _inside("/a/proj/src/x", "/a/proj/")
    assert not _inside("/a/proj-lib", "/a/proj") and not _inside("/a/projx/y", "/a/proj")


def test_an_editable_line_by_path_declares_the_project_installed_from_it(tmp_path: Path) -> None:
    # `-e ../proj-lib` names no project; the environment's install from that folder does
    from tests.support.builders import make_project, pip_install_projects

    lib = make_project(tmp_path / "proj-lib", "proj-lib", "0.1", package="projlib")
    python = make_venv(tmp_path / "venv")
    pip_install_projects(python, [lib], editable=True)
    clear_caches()
    env = inspect(str(python))
    service = tmp_path / "svc"
    write(service / "app.py", "import projlib\n")
    write(service / "requirements.txt", "-e ../proj-lib\n")
    found = run(service, env)
    assert not by(found, "PW015") and not by(found, "PW016"), found
    write(service / "requirements.txt", "")  # not declared: said so
    assert "proj-lib" in by(run(service, env), "PW015")


def test_another_build_of_a_well_known_project_declares_its_import(
    tmp_path: Path, snap: Snapshot
) -> None:
    # `cv2` comes from opencv-python, or from its headless or contrib builds: declaring one of
    # them (before it is installed, in a fresh checkout) declares `cv2`
    root = workspace(tmp_path, "opencv-python-headless==4.10.0.84\n", app="import cv2\n")
    found = run(root, snap)
    assert not by(found, "PW015") and not by(found, "PW016"), found
    write(root / "requirements.txt", "")
    (cv2,) = by(run(root, snap), "PW015").values()
    assert "opencv-python" in cv2.message
