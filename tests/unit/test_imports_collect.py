"""Collecting a workspace's imports: guards, relative and first-party imports, skipped folders,
syntax errors, exact spans, the per-file cache, and the standard library per Python version."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.more_builders import write

from pinwise.imports import (
    clear_caches,
    collect,
    file_imports,
    first_party_modules,
    is_stdlib,
    parse_imports,
    stdlib_names,
)
from pinwise.imports.collect import python_files


def mods(text: str, *, guarded: bool = False) -> list[str]:
    result = parse_imports(text, "/x/f.py")
    assert result.error is None
    return [r.module for r in result.imports if r.guarded == guarded]


def test_plain_forms() -> None:
    text = "import os, a.b as c, d\nfrom e.f import g\nimport h as i\nfrom j import (k,\n    l)\n"
    assert mods(text) == ["os", "a.b", "d", "e.f", "h", "j"]


def test_relative_and_future_imports_are_left_out() -> None:
    text = "from . import a\nfrom .b import c\nfrom ..d.e import f\nfrom __future__ import x\n"
    assert mods(text) == []


def test_type_checking_guards() -> None:
    text = (
        "from typing import TYPE_CHECKING\nimport typing\n"
        "if TYPE_CHECKING:\n    import only_types\n"
        "if typing.TYPE_CHECKING:\n    from also_types import X\nelse:\n    import at_runtime\n"
    )
    assert mods(text) == ["typing", "typing", "at_runtime"]
    assert mods(text, guarded=True) == ["only_types", "also_types"]


def test_import_error_fallbacks() -> None:
    text = (
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
        "try:\n    import lxml\nexcept (ValueError, ModuleNotFoundError):\n    lxml = None\n"
        "try:\n    import needed\nexcept ImportError as exc:\n    raise SystemExit(1) from exc\n"
        "try:\n    import other\nexcept ValueError:\n    pass\n"
        "try:\n    import x\nexcept ImportError:\n    pass\nelse:\n    import after_x\n"
    )
    assert mods(text) == ["needed", "other", "after_x"]
    assert mods(text, guarded=True) == ["ujson", "json", "lxml", "x"]


def test_imports_inside_functions_and_classes_count() -> None:
    text = "class A:\n    import inner\n    def f(self):\n        import deeper.mod\n"
    assert mods(text) == ["inner", "deeper.mod"]


def test_spans_are_exact_code_point_columns() -> None:
    text = (
        "é = 'ü'; import répertoire.sous as r\n"  # non-ASCII before the name (UTF-8 columns differ)
        "from    spaced.pkg   import  x\n"
        "import a, \\\n    bb.cc\n"
        "if True:\n\timport tabbed\n"
    )
    result = parse_imports(text, "f.py")
    lines = text.splitlines()
    got = {}
    for ref in result.imports:
        s = ref.span
        assert s.start.line == s.end.line
        got[ref.module] = (s.start.line, lines[s.start.line][s.start.character : s.end.character])
    assert got == {
        "répertoire.sous": (0, "répertoire.sous"),
        "spaced.pkg": (1, "spaced.pkg"),
        "a": (2, "a"),
        "bb.cc": (3, "bb.cc"),
        "tabbed": (5, "tabbed"),
    }


def test_lines_as_python_counts_them() -> None:
    # a form feed (an old page break) or U+2028 ends no line for Python (nor for an editor):
    # the imports after one are found, on the rows `ast` gives them
    text = "import six\n\x0c\nimport yaml\n# note \u2028 more\nimport bs4\nimport attr\n"
    result = parse_imports(text, "f.py")
    assert [(r.module, r.span.start.line, r.span.start.character) for r in result.imports] == [
        ("six", 0, 7),
        ("yaml", 2, 7),
        ("bs4", 4, 7),
        ("attr", 5, 7),
    ]


def test_suppression_comment_on_the_import_line() -> None:
    result = parse_imports("import a  # pinwise: ignore[PW015]\nimport b  # pinwise: ignore\n", "f")
    a, b = result.imports
    assert a.silences("PW015") and not a.silences("PW016")
    assert b.silences("PW015") and b.silences("PW016")


@pytest.mark.parametrize(
    "text", ["def f(:\n", "import\n", "x = 'unterminated\n", "\x00", "if x:\nimport y\n"]
)
def test_syntax_errors_never_raise(text: str) -> None:
    result = parse_imports(text, "/w/bad.py")
    assert result.imports == ()
    assert result.error is not None and "bad.py" in result.error


def test_workspace_walk_skips_venvs_build_hidden_and_friends(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "import requests\nimport mypkg.sub\nimport app2\n")
    write(tmp_path / "mypkg" / "__init__.py", "import numpy\n")
    write(tmp_path / "src" / "srcpkg" / "__init__.py", "from srcpkg import x\n")
    write(tmp_path / "scripts" / "tool.py", "import helper\nimport click\n")
    write(tmp_path / "scripts" / "helper.py", "")
    for skipped in ("build", "dist", "node_modules", ".git", "__pycache__", ".tox"):
        write(tmp_path / skipped / "x.py", "import from_skipped\n")
    write(tmp_path / "myvenv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "myvenv" / "lib" / "site.py", "import from_venv\n")
    write(tmp_path / "broken.py", "def (:\n")
    write(tmp_path / "app2.py", "")

    clear_caches()
    ws = collect(str(tmp_path))
    paths = {os.path.relpath(f.path, tmp_path) for f in ws.files}
    assert paths == {
        "app.py",
        "app2.py",
        "broken.py",
        os.path.join("mypkg", "__init__.py"),
        os.path.join("src", "srcpkg", "__init__.py"),
        os.path.join("scripts", "tool.py"),
        os.path.join("scripts", "helper.py"),
    }
    assert {"app", "app2", "broken", "mypkg", "srcpkg"} <= ws.first_party
    # a folder without `__init__.py`: the project's own only if nothing installed is `scripts`
    assert "scripts" in ws.namespaces and "scripts" not in ws.first_party
    assert sorted({r.module for r in ws.imports}) == ["click", "numpy", "requests"]
    assert any("broken.py" in note and "line 1" in note for note in ws.notes)


def test_first_party_includes_src_layout(tmp_path: Path) -> None:
    write(tmp_path / "src" / "pkg_a" / "__init__.py", "")
    write(tmp_path / "src" / "mod_b.py", "")
    write(tmp_path / "top.py", "")
    write(tmp_path / "docs" / "readme.txt", "")
    names = first_party_modules(str(tmp_path))
    assert {"pkg_a", "mod_b", "top"} <= names
    assert "docs" not in names and "src" not in names


def test_root_that_is_a_venv_is_not_walked(tmp_path: Path) -> None:
    write(tmp_path / "pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path / "a.py", "import x\n")
    files, notes = python_files(str(tmp_path))
    assert files == [] and notes


def test_cache_by_mtime_and_size(tmp_path: Path) -> None:
    clear_caches()
    path = write(tmp_path / "m.py", "import one\n")
    first = file_imports(str(path))
    assert file_imports(str(path)) is first
    write(path, "import two\nimport three\n")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert [r.module for r in file_imports(str(path)).imports] == ["two", "three"]


def test_encoding_cookie_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\ns = '\xe9'; import zlib_like\n")
    ref = file_imports(str(path)).imports[0]
    assert ref.module == "zlib_like" and ref.span.start.character == 16
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfimport bommed\n")
    assert file_imports(str(bom)).imports[0].span.start.character == 7


def test_stdlib_per_version() -> None:
    assert is_stdlib("os.path", "3.11.7") and is_stdlib("json", (3, 8))
    assert is_stdlib("tomllib", "3.11") and not is_stdlib("tomllib", "3.10.4")
    assert is_stdlib("distutils.core", "3.11") and not is_stdlib("distutils", "3.12.1")
    for name in ("asynchat", "asyncore", "imp"):
        assert is_stdlib(name, "3.11") and not is_stdlib(name, "3.12")
    for name in ("cgi", "telnetlib", "lib2to3", "pipes", "crypt", "nntplib"):
        assert is_stdlib(name, "3.12") and not is_stdlib(name, "3.13")
    assert is_stdlib("graphlib", "3.9") and not is_stdlib("graphlib", "3.8")
    assert is_stdlib("annotationlib", "3.14") and not is_stdlib("annotationlib", "3.13")
    assert not is_stdlib("requests", None) and is_stdlib("distutils", None)
    assert stdlib_names("2.7.18") == stdlib_names("3.8") and stdlib_names("3.99") == stdlib_names(
        "3.14"
    )


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names is 3.10+")
def test_table_matches_the_running_interpreter() -> None:
    ours = stdlib_names(sys.version_info[:2])
    assert set(sys.stdlib_module_names) - ours == set()


def test_with_buffer_replaces_one_file(tmp_path: Path) -> None:
    from pinwise.imports import with_buffer

    write(tmp_path / "a.py", "import saved_one\n")
    write(tmp_path / "pkg" / "__init__.py", "")
    clear_caches()
    ws = collect(str(tmp_path))
    ws2 = with_buffer(ws, str(tmp_path / "a.py"), "import unsaved_one\nimport pkg\n")
    assert [r.module for r in ws2.imports] == ["unsaved_one"]
    assert [r.module for r in ws.imports] == ["saved_one"]


_names = st.sampled_from(["a", "bb", "ccc", "é", "ünï", "x1", "_p"])
_dotted = st.lists(_names, min_size=1, max_size=3)
_space = st.sampled_from(["", " ", "  ", "\t"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), _dotted, _space, _space, st.booleans()), min_size=1, max_size=5
    ),
    st.sampled_from(["", "x = 'é'; ", "if 1:\n    "]),
)
def test_generated_statements_spans(
    stmts: list[tuple[bool, list[str], str, str, bool]], prefix: str
) -> None:
    lines = []
    expected = []
    for is_from, parts, sp1, sp2, alias in stmts:
        name = (sp2 + "." + sp2).join(parts) if sp2 else ".".join(parts)
        if is_from:
            lines.append(f"from {sp1}{name} import{sp1 or ' '}z")
        else:
            lines.append(f"import {sp1}{name}" + (" as q" if alias else ""))
        expected.append((".".join(parts), name))
    text = "".join(prefix + line + "\n" for line in lines)
    result = parse_imports(text, "g.py")
    assert result.error is None, text
    source = text.splitlines()
    got = [
        (r.module, source[r.span.start.line][r.span.start.character : r.span.end.character])
        for r in result.imports
    ]
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("import fromas.,()\\\n\t#ab:é'\"")), max_size=60))
def test_parse_imports_never_raises(text: str) -> None:
    result = parse_imports(text, "r.py")
    for ref in result.imports:
        assert ref.span.start <= ref.span.end
