"""pinwise.freeze.merge: "Freeze environment into this file", structure kept byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import FreezeEnv

from pinwise import reqfile
from pinwise.environment import inspect
from pinwise.environment.model import Snapshot
from pinwise.freeze import MergeResult, merge
from pinwise.freeze.merge import HEADER, apply_edits

pytestmark = pytest.mark.slow

FILE = "\r\n".join(
    [
        "# Production pins  (keep this comment)",
        "--index-url https://example.invalid/simple",
        "",
        "MarkupLike>=2.0 ; python_version > '3'   # why: templates",
        "Jinja2Like[i18n]",
        "zope.dotted (<9)",
        "typing_under==4.16.0",
        "legacy_ver>=0.1",
        "NotInstalled>=1  # stays as it is",
        "https://example.invalid/pkg-1.0.tar.gz#egg=pkg",
        "-e ./somewhere",
        "plain-dash==0.5 \\",
        "    ; sys_platform != 'win32'",
        "-r other.txt",
        "",
    ]
)


@pytest.fixture(scope="module")
def snap(demo_env: Path) -> Snapshot:
    return inspect(str(demo_env))


def _merged(
    text: str, snap: Snapshot, path: str = "/tmp/req/requirements.txt"
) -> tuple[str, MergeResult]:
    rf = reqfile.parse(text, path)
    result = merge(rf, snap)
    assert result.refused is None
    return apply_edits(text, result.edits), result


def test_pins_in_place_and_keeps_everything_else(snap: Snapshot) -> None:
    new, result = _merged(FILE, snap)
    old_lines = FILE.split("\r\n")
    new_lines = new.split("\r\n")
    expected = {
        3: "MarkupLike==3.0.4 ; python_version > '3'   # why: templates",
        4: "Jinja2Like[i18n]==3.1.6",
        5: "zope.dotted (==8.7)",
        7: "legacy_ver===0.9-snapshot",
        11: "plain-dash==1.0 \\",
    }
    for index, line in enumerate(old_lines[:-1]):
        assert new_lines[index] == expected.get(index, line), index
    assert "\n" not in new.replace("\r\n", "")  # CRLF everywhere, no bare LF added
    assert result.updated == ("MarkupLike", "Jinja2Like", "zope.dotted", "legacy_ver", "plain-dash")
    tail = new_lines[len(old_lines) - 1 :]
    assert tail[0] == HEADER
    assert any(line.startswith("Local.Wheel @ file://") for line in tail)
    assert not any(line.startswith(("pip", "setuptools", "wheel")) for line in tail)
    assert result.added == ("Local.Wheel",)


def test_idempotent(snap: Snapshot) -> None:
    once, _ = _merged(FILE, snap)
    twice, result = _merged(once, snap)
    assert twice == once
    assert result.edits == () and result.added == () and result.updated == ()


def test_no_final_newline_gets_one_before_the_section(snap: Snapshot) -> None:
    new, _ = _merged("MarkupLike", snap)
    assert new.startswith(f"MarkupLike==3.0.4\n{HEADER}\n")
    assert new.endswith("\n")


def test_empty_file(snap: Snapshot) -> None:
    new, result = _merged("", snap)
    assert new.startswith(HEADER + "\n")
    assert "Jinja2Like==3.1.6\n" in new
    assert "legacy_ver===0.9-snapshot\n" in new
    assert len(result.added) == 7


def test_already_pinned_needs_no_edit(snap: Snapshot) -> None:
    rf = reqfile.parse("MarkupLike==3.0.4\n", "/tmp/r.txt")
    result = merge(rf, snap)
    assert all(edit.span.start.line >= 1 for edit in result.edits)
    assert result.updated == ()


@pytest.mark.parametrize(
    "text",
    [
        "MarkupLike==3.0.4 --hash=sha256:" + "a" * 64 + "\n",
        "--require-hashes\nMarkupLike\n",
    ],
)
def test_hash_mode_is_refused(snap: Snapshot, text: str) -> None:
    result = merge(reqfile.parse(text, "/tmp/r.txt"), snap)
    assert result.edits == ()
    assert result.refused is not None
    assert "hash-checking mode" in result.refused
    assert "pip-compile --generate-hashes" in result.refused and "pip hash" in result.refused


def test_hash_mode_in_an_included_file_is_refused(snap: Snapshot, tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("MarkupLike==3.0.4 --hash=sha256:" + "a" * 64 + "\n")
    (tmp_path / "req.txt").write_text("-r base.txt\nzope.dotted\n")
    reqset = reqfile.load_set([str(tmp_path / "req.txt")])
    result = merge(reqset.files[str(tmp_path / "req.txt")], snap, reqset)
    assert result.refused is not None and "base.txt" in result.refused


def test_includes_declare_names(snap: Snapshot, tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("typing_under\nJinja2Like\n")
    (tmp_path / "req.txt").write_text("-r base.txt\nzope.dotted\n")
    reqset = reqfile.load_set([str(tmp_path / "req.txt")])
    result = merge(reqset.files[str(tmp_path / "req.txt")], snap, reqset)
    assert "typing_under" not in result.added and "Jinja2Like" not in result.added
    assert "MarkupLike" in result.added
    assert result.updated == ("zope.dotted",)


def test_bom_and_bytes_untouched(snap: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    raw = "\ufeff# comment é\nMarkupLike>=1\n".encode()
    path.write_bytes(raw)
    rf = reqfile.load(str(path))
    assert rf.bom == b"\xef\xbb\xbf"
    text = raw[len(rf.bom) :].decode(rf.encoding)
    new = apply_edits(text, merge(rf, snap).edits)
    assert new.startswith("# comment é\nMarkupLike==3.0.4\n" + HEADER)


def test_editables_and_urls_are_declared_and_idempotent(freeze_env: FreezeEnv) -> None:
    snap = inspect(str(freeze_env.python))
    first, _ = _merged("", snap)
    assert f"-e {freeze_env.projects['novcs']}" in first
    assert "-e git+https://github.com/example/git-proj.git@" in first
    assert "plain_pkg @ file://" in first
    second, again = _merged(first, snap)
    assert second == first, again


def test_only_files_reached_by_r_declare(snap: Snapshot, tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("typing_under\n")
    (tmp_path / "cons.txt").write_text("MarkupLike<4\n")
    (tmp_path / "other-root.txt").write_text("Jinja2Like\n")
    (tmp_path / "req.txt").write_text("-r base.txt\n-c cons.txt\nzope.dotted\n")
    reqset = reqfile.load_set([str(tmp_path / "req.txt"), str(tmp_path / "other-root.txt")])
    result = merge(reqset.files[str(tmp_path / "req.txt")], snap, reqset)
    assert "typing_under" not in result.added
    assert "MarkupLike" in result.added  # only constrained, not required
    assert "Jinja2Like" in result.added  # another root, not included by req.txt


def test_constraints_file_gets_plain_pins(freeze_env: FreezeEnv) -> None:
    snap = inspect(str(freeze_env.python))
    rf = reqfile.parse("", "/tmp/constraints.txt", constraint=True)
    text = apply_edits("", merge(rf, snap).edits)
    assert "-e " not in text and " @ " not in text
    assert "plain_pkg==2.0\n" in text and "vcs_pkg==4.0\n" in text


def test_lines_for_another_interpreter_and_variables_are_left_alone(snap: Snapshot) -> None:
    # the demo environment is Linux CPython: a Windows-only line's pin is not this
    # interpreter's business; a pin written over ${VAR} would drop the variable; a line that
    # names a project through an unset variable still declares it (nothing appended for it)
    text = (
        "MarkupLike==2.0 ; sys_platform == 'win32'\n"
        "MarkupLike==2.1 ; sys_platform == 'linux'\n"
        "Jinja2Like==${JINJA_VERSION}\n"
        "typing_under==${UNSET_VERSION}\n"
        "zope.dotted ; nonsense_marker == 'x'\n"
    )
    rf = reqfile.parse(text, "/tmp/req/requirements.txt", environ={"JINJA_VERSION": "3.0"})
    result = merge(rf, snap)
    new = apply_edits(text, result.edits)
    lines = new.splitlines()
    assert lines[:5] == [
        "MarkupLike==2.0 ; sys_platform == 'win32'",
        "MarkupLike==3.0.4 ; sys_platform == 'linux'",
        "Jinja2Like==${JINJA_VERSION}",
        "typing_under==${UNSET_VERSION}",
        "zope.dotted ; nonsense_marker == 'x'",
    ]
    appended = lines[5:]
    assert not [x for x in appended if x.lower().startswith(("jinja2like", "typing"))], appended
