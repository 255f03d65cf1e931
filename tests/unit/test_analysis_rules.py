"""Rules PW001-PW014 on files parsed by pinwise.reqfile, against snapshots built directly.

Building the environment model by hand is fine for the rules' logic; the real-venv tests are in
test_analysis_env.py. The parser is always the real one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

import pytest
from packaging.markers import default_environment
from packaging.utils import canonicalize_name

from pinwise.analysis import Finding, FixKind, Settings, Severity, analyze
from pinwise.environment.model import DirectUrl, Distribution, Interpreter, Snapshot
from pinwise.reqfile import load_set
from pinwise.reqfile.model import RequirementsSet
from pinwise.spans import Position, Span

ROOT = "/proj"
SHA = "0123456789abcdef0123456789abcdef01234567"
H64 = "a" * 64

MARKERS: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
MARKERS.update(python_version="3.11", python_full_version="3.11.7", sys_platform="linux")


def dist(
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    extras: Sequence[str] = (),
    direct_url: Optional[DirectUrl] = None,
    editable_location: Optional[str] = None,
) -> Distribution:
    return Distribution(
        name=name,
        normalized_name=canonicalize_name(name),
        version=version,
        location=f"{ROOT}/.venv/lib/python3.11/site-packages",
        metadata_path=f"{ROOT}/.venv/lib/python3.11/site-packages/{name}-{version}.dist-info",
        requires=tuple(requires),
        provides_extras=tuple(extras),
        direct_url=direct_url,
        editable=editable_location is not None,
        editable_location=editable_location,
    )


def snapshot(*dists: Distribution, is_venv: bool = True) -> Snapshot:
    interp = Interpreter(
        path=f"{ROOT}/.venv/bin/python" if is_venv else "/usr/bin/python3",
        python_version="3.11.7",
        implementation="cpython",
        prefix=f"{ROOT}/.venv" if is_venv else "/usr",
        base_prefix="/usr",
        is_venv=is_venv,
        env_name=".venv" if is_venv else "global",
        executed=True,
    )
    return Snapshot(
        interpreter=interp,
        site_packages=(f"{ROOT}/.venv/lib/python3.11/site-packages",),
        markers=dict(MARKERS),
        assumed_marker_keys=(),
        distributions=tuple(dists),
        by_name={d.normalized_name: d for d in dists},
    )


def reqset(
    files: Mapping[str, str], roots: Sequence[str] = ("requirements.txt",)
) -> RequirementsSet:
    texts = {f"{ROOT}/{name}": text for name, text in files.items()}

    def reader(path: str) -> str:
        if path not in texts:
            raise FileNotFoundError(2, "No such file or directory", path)
        return texts[path]

    return load_set([f"{ROOT}/{r}" for r in roots], reader=reader, environ={}, cwd=ROOT)


def run(
    text: str,
    snap: Optional[Snapshot],
    *,
    other: Optional[Mapping[str, str]] = None,
    settings: Optional[Settings] = None,
    codes: Optional[set[str]] = None,
) -> list[Finding]:
    files = {"requirements.txt": text, **(other or {})}
    found = analyze(reqset(files), snap, settings or Settings())
    return [f for f in found if codes is None or f.code in codes]


def codes_at(findings: Sequence[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.span.start.line) for f in findings]


def apply(text: str, finding: Finding, kind: FixKind) -> str:
    """Apply the fix of `kind` (single-file edits) to `text`."""
    fix = next(x for x in finding.fixes if x.kind is kind)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def off(p: Position) -> int:
        return (
            offsets[min(p.line, len(lines))] + p.character if p.line < len(offsets) else len(text)
        )

    for edit in sorted(fix.edits, key=lambda e: e.span.start, reverse=True):
        text = text[: off(edit.span.start)] + edit.new_text + text[off(edit.span.end) :]
    return text


# --- PW001 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "requests==2.31.0",
        "requests===2.31.0",
        "requests>=2,==2.31.0",
        f"pkg @ git+https://example.com/r.git@{SHA}",
        f"git+https://example.com/r.git@{SHA}#egg=pkg",
        f"pkg @ https://example.com/pkg-1.0.tar.gz#sha256={H64}",
        f"https://example.com/pkg-1.0.tar.gz#egg=pkg&sha256={H64}",
        f"pkg @ https://example.com/pkg-1.0.tar.gz --hash=sha256:{H64}",
        "https://example.com/pkg-1.0-py3-none-any.whl",
        "pkg @ https://example.com/pkg-1.0-py3-none-any.whl",
    ],
)
def test_pw001_pinned_forms_are_quiet(line: str) -> None:
    assert run(line + "\n", None, codes={"PW001"}) == []


@pytest.mark.parametrize(
    "line",
    [
        "requests",
        "requests>=2",
        "requests==2.*",
        "requests~=2.31",
        "pkg @ git+https://example.com/r.git@main",
        "pkg @ git+https://example.com/r.git",
        "pkg @ https://example.com/pkg-1.0.tar.gz",
    ],
)
def test_pw001_unpinned_forms(line: str) -> None:
    found = run(line + "\n", None, codes={"PW001"})
    assert [f.code for f in found] == ["PW001"]
    assert found[0].severity is Severity.WARNING


def test_pw001_constraint_file_pins_it() -> None:
    text = "-c constraints.txt\nrequests\nflask>=2\n"
    found = run(text, None, other={"constraints.txt": "requests==2.31.0\nflask>=2\n"})
    pw001 = [f for f in found if f.code == "PW001"]
    assert [(f.name, f.span.start.line) for f in pw001] == [("flask", 2)]


def test_pw001_fix_replaces_specifier_or_inserts_after_name_and_extras() -> None:
    snap = snapshot(dist("requests", "2.31.0"), dist("Flask", "3.0.0", extras=("async",)))
    text = "requests>=2  # http\nFlask[async]\n"
    found = run(text, snap, codes={"PW001"})
    assert len(found) == 2
    first, second = found
    assert first.fixes[0].title == "Pin to installed version (==2.31.0)"
    assert first.fixes[0].is_preferred
    assert apply(text, first, FixKind.PIN) == "requests==2.31.0  # http\nFlask[async]\n"
    assert apply(text, second, FixKind.PIN) == "requests>=2  # http\nFlask[async]==3.0.0\n"
    assert second.span == Span.on_line(1, 0, 12)  # name and extras


def test_pw001_no_pin_fix_when_not_installed_but_always_an_ignore_fix() -> None:
    text = "requests\n"
    (finding,) = run(text, snapshot(), codes={"PW001"})
    assert [fx.kind for fx in finding.fixes] == [FixKind.IGNORE]
    assert finding.fixes[0].title == "Ignore PW001 on this line"
    assert apply(text, finding, FixKind.IGNORE) == "requests  # pinwise: ignore[PW001]\n"


def test_ignore_fix_keeps_existing_comment_and_merges_codes() -> None:
    text = "requests  # the http lib\n"
    (finding,) = run(text, None, codes={"PW001"})
    assert apply(text, finding, FixKind.IGNORE) == (
        "requests  # the http lib  # pinwise: ignore[PW001]\n"
    )
    text = "requests  # pinwise: ignore[PW002]\n"
    (finding,) = run(text, None, codes={"PW001"})
    assert apply(text, finding, FixKind.IGNORE) == "requests  # pinwise: ignore[PW001,PW002]\n"
    # and the result really silences it
    assert run(apply(text, finding, FixKind.IGNORE), None, codes={"PW001"}) == []


def test_pw001_editables_and_pinned_wheel_paths_are_not_reported() -> None:
    text = "-e ./proj\n./dist/pkg-1.0-py3-none-any.whl\n"
    assert run(text, None, codes={"PW001"}) == []


# --- PW002 / PW003 ---------------------------------------------------------------------------


def test_pw002_not_installed_and_pw003_version_mismatch() -> None:
    snap = snapshot(dist("requests", "2.0.0"), dist("six", "1.16.0"))
    text = "requests==2.31.0\nflask==3.0\nsix>=1.10\n"
    found = run(text, snap, codes={"PW002", "PW003"})
    assert codes_at(found) == [("PW003", 0), ("PW002", 1)]
    pw003, pw002 = found
    assert pw003.span == Span.on_line(0, 8, 16)
    assert "2.0.0" in pw003.message and "==2.31.0" in pw003.message
    assert pw003.fixes[0].title == "Update pin to installed version (==2.0.0)"
    assert apply(text, pw003, FixKind.UPDATE_PIN).startswith("requests==2.0.0\n")
    assert pw002.span == Span.on_line(1, 0, 5)
    assert pw002.name == "flask"


def test_pw003_no_update_fix_for_a_range() -> None:
    (finding,) = run("requests>=3\n", snapshot(dist("requests", "2.0")), codes={"PW003"})
    assert all(fx.kind is not FixKind.UPDATE_PIN for fx in finding.fixes)


def test_pw003_normalised_names_and_local_versions() -> None:
    snap = snapshot(dist("Zope.Interface", "5.0+cpu"))
    assert run("zope-interface==5.0\n", snap, codes={"PW002", "PW003"}) == []
    found = run("ZOPE_interface>5.0\n", snap, codes={"PW003"})
    assert [f.code for f in found] == ["PW003"]


def test_pw003_on_a_constraint_line_the_installed_version_breaks() -> None:
    snap = snapshot(dist("requests", "2.0.0"))
    found = run(
        "-c constraints.txt\nrequests\n",
        snap,
        other={"constraints.txt": "requests==2.31.0\nnotinstalled==1\n"},
        codes={"PW002", "PW003"},
    )
    assert len(found) == 1
    assert found[0].path == f"{ROOT}/constraints.txt"
    assert "constraint" in found[0].message


def test_invalid_installed_version_compared_as_pip_does() -> None:
    snap = snapshot(dist("legacy", "1.0-custom-build"))
    assert run("legacy===1.0-custom-build\n", snap, codes={"PW003"}) == []
    assert [f.code for f in run("legacy>=0.1\n", snap, codes={"PW003"})] == ["PW003"]
    (pin,) = run("legacy\n", snap, codes={"PW001"})
    assert pin.fixes[0].title == "Pin to installed version (===1.0-custom-build)"


# --- PW004 -----------------------------------------------------------------------------------


def test_pw004_duplicate_across_files_with_related_info_and_fix() -> None:
    text = "requests==2.31.0\n-r more.txt\n"
    other = {"more.txt": "six\nRequests == 2.31.0 \\\n  ; python_version >= '3'\n"}
    (finding,) = run(text, snapshot(), other=other, codes={"PW004"})
    # one line has no marker: a duplicate, but not textually equivalent: no removal offered
    assert [fx.kind for fx in finding.fixes] == [FixKind.IGNORE]
    other = {"more.txt": "six\nRequests == 2.31.0 \\\n  # trailing\nx==1\n"}
    (finding,) = run(text, snapshot(), other=other, codes={"PW004"})
    assert finding.path == f"{ROOT}/more.txt"
    assert finding.related[0][0] == f"{ROOT}/requirements.txt"
    fix = finding.fixes[0]
    assert fix.kind is FixKind.REMOVE_DUPLICATE
    (edit,) = fix.edits
    # the continuation's physical lines go too (the comment line ended it)
    assert edit.span.start == Position(1, 0)
    assert edit.span.end == Position(3, 0)


def test_pw004_findings_about_one_first_occurrence_share_what_they_say_of_it() -> None:
    # a big file with thousands of duplicates: one related place per first occurrence, and
    # one message per spelling of the name, not one copy of each per finding
    text = "foo==1\nbar==1\nfoo==1\nFoo==1\nfoo==2\nbar==1\nFoo==1\n"
    found = run(text, snapshot(), codes={"PW004"})
    by_row = {f.span.start.line: f for f in found}
    assert sorted(by_row) == [2, 3, 4, 5, 6]
    assert by_row[2].message == "foo is required more than once (first at requirements.txt line 1)"
    assert by_row[3].message == "Foo is required more than once (first at requirements.txt line 1)"
    assert by_row[2].related is by_row[3].related is by_row[4].related is by_row[6].related
    assert by_row[2].message is by_row[4].message
    assert by_row[3].message is by_row[6].message
    assert by_row[5].related is not by_row[2].related
    assert by_row[5].related[0][1].start.line == 1
    assert by_row[5].related[0][2] == "first requirement of bar"
    # what differs between them is still their own: the fix of a line that says what the first
    # says removes it; foo==2 says something else (only ignoring it is offered)
    assert by_row[4].fixes[0].kind is FixKind.IGNORE
    assert by_row[2].fixes[0].kind is FixKind.REMOVE_DUPLICATE


def _where(found: Sequence[Finding], code: str) -> list[tuple[str, int, str]]:
    return sorted(
        (f.path.rsplit("/", 1)[1], f.span.start.line, f.message) for f in found if f.code == code
    )


def test_pw004_each_root_is_an_install_of_its_own() -> None:
    # `pinwise check` on a folder: a docs build's file and a service's are two installs, never
    # one; the same pin in both is no duplicate (its fix would delete a line one of them needs)
    files = {"requirements-docs.txt": "sphinx==7.0\nfoo==1\n", "requirements.txt": "foo==1\n"}
    sets = reqset(files, roots=("requirements-docs.txt", "requirements.txt"))
    assert _where(analyze(sets, snapshot(), Settings()), "PW004") == []
    # within one root and what it includes, as before; a file two roots include is judged in
    # each install that reads it, and a finding that is the same in both is reported once
    files = {
        "dev.txt": "foo==1\n-r base.txt\n",
        "test.txt": "-r base.txt\nbar==1\n",
        "base.txt": "foo==1\nbar==1\nbar==1\n",
    }
    found = analyze(reqset(files, roots=("dev.txt", "test.txt")), snapshot(), Settings())
    assert _where(found, "PW004") == [
        ("base.txt", 0, "foo is required more than once (first at dev.txt line 1)"),
        ("base.txt", 2, "bar is required more than once (first at base.txt line 2)"),
        ("test.txt", 1, "bar is required more than once (first at base.txt line 2)"),
    ]


def test_pw008_hash_checking_mode_is_per_install() -> None:
    hashed = f"foo==1 --hash=sha256:{H64}\n"
    files = {"requirements-lock.txt": hashed, "requirements-tools.txt": "black\n"}
    sets = reqset(files, roots=("requirements-lock.txt", "requirements-tools.txt"))
    assert _where(analyze(sets, snapshot(), Settings()), "PW008") == []
    # two installs in hash-checking mode that read the same unhashed line: said once, with the
    # first one's reason; an install out of that mode says nothing of its own lines
    files = {
        "a.txt": f"-r base.txt\nfoo==1 --hash=sha256:{H64}\n",
        "b.txt": "--require-hashes\n-r base.txt\n",
        "c.txt": "-r base.txt\nloose\n",
        "base.txt": "bar==1\n",
    }
    found = analyze(reqset(files, roots=("a.txt", "b.txt", "c.txt")), None, Settings())
    assert _where(found, "PW008") == [
        (
            "base.txt",
            0,
            "hash-checking mode is on (--hash on a.txt line 2) but bar has no --hash: "
            "pip will refuse to install",
        ),
    ]


def test_pw008_a_shared_line_judged_once_claims_no_dependency_of_a_later_install() -> None:
    # flask (common.txt, read by both installs) was judged in a.txt's install, where click is
    # listed; in b.txt's, click is listed nowhere: myapp, which needs it, says so
    hashed = f"--hash=sha256:{H64}"
    files = {
        "a.txt": f"-r common.txt\nclick==8.0 {hashed}\n",
        "b.txt": f"-r common.txt\nmyapp==1.0 {hashed}\n",
        "common.txt": f"flask==2.0 {hashed}\n",
    }
    snap = snapshot(
        dist("flask", "2.0", requires=["click"]),
        dist("myapp", "1.0", requires=["click"]),
        dist("click", "8.0"),
    )
    for roots in (("a.txt", "b.txt"), ("b.txt", "a.txt"), ("b.txt",)):
        found = _where(analyze(reqset(files, roots=roots), snap, Settings()), "PW008")
        assert [(path, row) for path, row, _ in found] == [("b.txt", 1)], roots
        assert "myapp depends on click" in found[0][2]


def test_pw004_follows_pips_reading_order_through_an_include_on_line_1() -> None:
    # pip reads base.txt (line 1 of dev.txt) before dev.txt's line 2: the duplicate is dev.txt's
    files = {"dev.txt": "-r base.txt\nfoo==1\n", "base.txt": "foo==1\n"}
    found = analyze(reqset(files, roots=("dev.txt",)), snapshot(), Settings())
    (finding,) = [f for f in found if f.code == "PW004"]
    assert (finding.path, finding.span.start.line) == (f"{ROOT}/dev.txt", 1)
    assert "first at base.txt line 1" in finding.message
    assert finding.related[0][0] == f"{ROOT}/base.txt"
    assert finding.related[0][1].start.line == 0
    assert finding.fixes[0].kind is FixKind.REMOVE_DUPLICATE


def test_pw004_reading_order_include_in_the_middle_and_nested() -> None:
    files = {
        "requirements.txt": "foo==1\n-r base.txt\nbar==1\n",
        "base.txt": "-r core.txt\nbar==1\nfoo==1\n",
        "core.txt": "bar==1\n-r requirements.txt\n",  # a cycle back: not followed again
    }
    found = [f for f in analyze(reqset(files), snapshot(), Settings()) if f.code == "PW004"]
    where = sorted((f.path.rsplit("/", 1)[1], f.span.start.line, f.message) for f in found)
    assert where == [
        ("base.txt", 1, "bar is required more than once (first at core.txt line 1)"),
        ("base.txt", 2, "foo is required more than once (first at requirements.txt line 1)"),
        ("requirements.txt", 2, "bar is required more than once (first at core.txt line 1)"),
    ]


def test_pw004_two_roots_in_the_order_given() -> None:
    files = {"a.txt": "foo==1\n", "b.txt": "-r a.txt\nfoo==1\n"}
    found = analyze(reqset(files, roots=("b.txt", "a.txt")), snapshot(), Settings())
    (finding,) = [f for f in found if f.code == "PW004"]
    assert (finding.path, finding.span.start.line) == (f"{ROOT}/b.txt", 1)


def test_repeated_analyses_and_a_new_snapshot_agree_with_fresh_ones() -> None:
    # the per-snapshot caches never leak a verdict into another snapshot
    text = "foo==1.0\nbar>=2\nbaz[x]==1\n"
    old = snapshot(dist("foo", "1.0", requires=("bar>=3",)), dist("bar", "2.0"))
    new = snapshot(dist("foo", "2.0", requires=("bar>=1",)), dist("bar", "2.0"))
    first = run(text, old)
    assert run(text, old) == first
    assert {f.code for f in first} >= {"PW002", "PW012"}
    later = run(text, new)
    assert "PW012" not in {f.code for f in later}
    assert [f.code for f in later if f.name == "foo"] == ["PW003"]
    fresh = analyze(reqset({"requirements.txt": text}), new, Settings())
    assert later == fresh


def test_pw004_markers() -> None:
    snap = snapshot()
    exclusive = 'foo==1 ; python_version < "3.10"\nfoo==2 ; python_version >= "3.10"\n'
    assert run(exclusive, snap, codes={"PW004"}) == []
    both = 'foo==1 ; python_version >= "3.8"\nfoo==1 ; sys_platform == "linux"\n'
    assert codes_at(run(both, snap, codes={"PW004"})) == [("PW004", 1)]
    one_unmarked = 'foo==1\nfoo==1 ; python_version < "3.0"\n'
    assert codes_at(run(one_unmarked, snap, codes={"PW004"})) == [("PW004", 1)]


def test_pw004_fix_only_when_textually_equivalent_and_removes_all_physical_lines() -> None:
    text = "foo>=1,<2\nbar\nfoo <2, >=1 \\\n  \nbaz\n"
    (finding,) = run(text, None, codes={"PW004"})
    assert apply(text, finding, FixKind.REMOVE_DUPLICATE) == "foo>=1,<2\nbar\nbaz\n"
    (finding,) = run("foo>=1\nfoo>=2\n", None, codes={"PW004"})
    assert [fx.kind for fx in finding.fixes] == [FixKind.IGNORE]


def test_pw004_last_line_without_terminator_and_editable_counts() -> None:
    text = "foo==1\nfoo==1"
    (finding,) = run(text, None, codes={"PW004"})
    assert apply(text, finding, FixKind.REMOVE_DUPLICATE) == "foo==1"
    found = run("-e git+https://h/r.git@main#egg=foo\nfoo==1\n", None, codes={"PW004"})
    assert codes_at(found) == [("PW004", 1)]


def test_pw004_ignores_constraint_lines() -> None:
    found = run("-c c.txt\nfoo==1\n", None, other={"c.txt": "foo==1\n"}, codes={"PW004"})
    assert found == []


# --- PW005 / PW006 / PW007 ---------------------------------------------------------------------


def test_pw005_invalid_lines_and_pip_warnings() -> None:
    text = "foo=1.0\nok==1\n--hash=sha256:abc\nbar==1 --no-deps\n"
    found = run(text, None, codes={"PW005"})
    assert [(f.span.start.line, f.severity) for f in found] == [
        (0, Severity.ERROR),
        (2, Severity.WARNING),
        (3, Severity.ERROR),
    ]
    assert "Did you mean ==" in found[0].message
    assert "--no-deps" in found[2].message


def test_pw006_missing_include_points_at_the_target() -> None:
    found = run("-r nope.txt\n", None, codes={"PW006"})
    (finding,) = found
    assert finding.span == Span.on_line(0, 3, 11)
    assert finding.message.startswith("Could not open requirements file:")
    found = run("-c nope.txt\n", None, codes={"PW006"})
    assert found[0].message.startswith("Could not open constraint file:")


def test_pw007_cycle_with_pips_message() -> None:
    found = run("-r a.txt\n", None, other={"a.txt": "-r requirements.txt\n"}, codes={"PW007"})
    (finding,) = found
    assert finding.path == f"{ROOT}/a.txt"
    assert finding.message == "requirements.txt recursively references itself in a.txt"
    assert finding.severity is Severity.ERROR


def test_diamond_is_not_a_cycle() -> None:
    files = {"b.txt": "-r c.txt\n", "a.txt": "-r c.txt\n", "c.txt": "x==1\n"}
    assert run("-r a.txt\n-r b.txt\n", None, other=files, codes={"PW007", "PW004"}) == []


# --- PW008 -----------------------------------------------------------------------------------


def test_pw008_hash_mode() -> None:
    text = (
        f"a==1 --hash=sha256:{H64}\n"
        "b==1\n"
        f"c>=1 --hash=sha256:{H64}\n"
        f"-e git+https://h/r.git@{SHA}#egg=proj\n"
        f"https://x/d-1.0.tar.gz#sha256={H64}\n"
    )
    found = run(text, None, codes={"PW008"})
    assert [f.span.start.line for f in found] == [1, 2, 3]
    assert "has no --hash" in found[0].message
    assert "is not pinned with ==" in found[1].message
    assert "editable" in found[2].message


def test_pw008_require_hashes_option_and_no_require_hashes() -> None:
    assert codes_at(run("--require-hashes\na==1\n", None, codes={"PW008"})) == [("PW008", 1)]
    text = f"--no-require-hashes\na==1 --hash=sha256:{H64}\nb==1\n"
    assert run(text, None, codes={"PW008"}) == []
    assert run("a==1\nb\n", None, codes={"PW008"}) == []


# --- PW009 -----------------------------------------------------------------------------------


def test_pw009_marker_excludes_and_skips_environment_checks() -> None:
    text = 'pywin32==306 ; sys_platform == "win32"\n'
    found = run(text, snapshot())
    assert [f.code for f in found] == ["PW009"]
    assert found[0].severity is Severity.HINT
    assert found[0].span == Span.on_line(0, 15, 38)
    assert run(text, None) == []  # no interpreter: no environment rules at all


def test_extra_marker_never_applies_in_a_requirements_file() -> None:
    found = run('foo==1 ; extra == "x"\n', snapshot(), codes={"PW009", "PW002"})
    assert [f.code for f in found] == ["PW009"]


# --- PW010 / PW011 ---------------------------------------------------------------------------


def test_pw010_global_interpreter_once_per_root() -> None:
    snap = snapshot(dist("six", "1.0"), is_venv=False)
    found = run("\n\n  six==1.0\n", snap, codes={"PW010"})
    (finding,) = found
    assert finding.span == Span.on_line(2, 0, 10)
    assert "/usr/bin/python3" in finding.message and "python -m venv .venv" in finding.message
    assert run("six==1.0\n", snapshot(dist("six", "1.0")), codes={"PW010"}) == []
    (empty,) = run("", snap, codes={"PW010"})
    assert empty.span == Span.on_line(0, 0, 0)


def test_pw011_unaccounted_distributions_follow_requires_extras_and_markers() -> None:
    snap = snapshot(
        dist(
            "app", "1.0", requires=["lib>=1", 'winonly ; sys_platform == "win32"'], extras=("fast",)
        ),
        dist("lib", "1.0", requires=['speedup ; extra == "fast"']),
        dist("speedup", "1.0"),
        dist("winonly", "1.0"),
        dist("stray", "1.0"),
        dist("pip", "26.3"),
        dist("setuptools", "80"),
        dist("wheel", "0.45"),
    )
    (finding,) = run("app==1.0\n", snap, codes={"PW011"})
    assert finding.severity is Severity.INFORMATION
    assert finding.name is None
    assert finding.message.endswith(": speedup, stray, winonly")
    (finding,) = run("app==1.0\nlib[fast]==1.0\n", snap, codes={"PW011"})
    assert finding.message.endswith(": stray, winonly")


def test_pw011_lists_ten_then_counts() -> None:
    snap = snapshot(*[dist(f"pkg{i:02d}", "1") for i in range(13)])
    (finding,) = run("pkg00==1\n", snap, codes={"PW011"})
    assert "12 installed distributions" in finding.message
    assert finding.message.endswith("pkg10 and 2 more")


def test_pw011_unnamed_editable_project_is_accounted_for(tmp_path: Path) -> None:
    project = tmp_path / "src" / "myproj"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'myproj'\n")
    snap = snapshot(
        dist("myproj", "0.1", editable_location=str(project)),
        dist("fromurl", "1.0", direct_url=DirectUrl(url="https://x/fromurl-1.0.tar.gz")),
        dist("other", "1.0"),
    )
    req = tmp_path / "requirements.txt"
    req.write_text("-e ./src/myproj\nhttps://x/fromurl-1.0.tar.gz\n")
    rs = load_set([str(req)], environ={}, cwd=str(tmp_path))
    found = [f for f in analyze(rs, snap, Settings()) if f.code in ("PW011", "PW005")]
    assert [f.message.rsplit(": ", 1)[-1] for f in found] == ["other"]


# --- PW012 -----------------------------------------------------------------------------------


def test_pw012_pip_check_wording_direct_and_transitive() -> None:
    snap = snapshot(
        dist("Flask", "3.0.0", requires=["Werkzeug>=3.0", "itsdangerous>=2.1", "click>=8"]),
        dist("werkzeug", "2.0.0", requires=["MarkupSafe>=2.1.1"]),
        dist("click", "8.1", requires=['colorama ; platform_system == "Windows"']),
    )
    found = run("flask==3.0.0\n", snap, codes={"PW012"})
    assert sorted(f.message for f in found) == [
        "flask 3.0.0 has requirement Werkzeug>=3.0, but you have werkzeug 2.0.0.",
        "flask 3.0.0 requires itsdangerous>=2.1, which is not installed.",
        "werkzeug 2.0.0 requires MarkupSafe>=2.1.1, which is not installed.",
    ]
    assert all(f.span == Span.on_line(0, 0, 5) for f in found)


def test_pw012_not_for_uninstalled_or_excluded_requirements() -> None:
    snap = snapshot(dist("a", "1", requires=["b"]))
    assert run('a==1 ; python_version < "3"\nzzz==1\n', snap, codes={"PW012"}) == []


# --- PW013 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pkg @ git+https://h/r.git@main", True),
        ("pkg @ git+https://h/r.git@v1.2.0", True),
        ("pkg @ git+https://h/r.git", True),
        ("-e git+https://h/r.git@develop#egg=pkg", True),
        (f"pkg @ git+https://h/r.git@{SHA}", False),
        ("pkg @ https://h/pkg-1.0.tar.gz", False),
    ],
)
def test_pw013_moving_targets(line: str, expected: bool) -> None:
    found = run(line + "\n", None, codes={"PW013"})
    assert bool(found) is expected
    if found:
        start = found[0].span.start.character
        assert line[start:].startswith("git+")


# --- PW014 -----------------------------------------------------------------------------------


def test_pw014_extra_dependencies_missing_or_unknown_extra() -> None:
    snap = snapshot(
        dist(
            "requests",
            "2.31.0",
            requires=[
                'PySocks!=1.5.7,>=1.5.6 ; extra == "socks"',
                'chardet<6,>=3 ; extra == "use-chardet-on-py3"',
            ],
            extras=("socks", "use-chardet-on-py3"),
        ),
        dist("chardet", "2.0"),
    )
    (finding,) = run("requests[socks]==2.31.0\n", snap, codes={"PW014"})
    assert finding.span == Span.on_line(0, 8, 15)
    assert "PySocks!=1.5.7,>=1.5.6 (not installed)" in finding.message
    (finding,) = run("requests[use_chardet_on_py3]==2.31.0\n", snap, codes={"PW014"})
    assert "(2.0 is installed)" in finding.message
    (finding,) = run("requests[nope]==2.31.0\n", snap, codes={"PW014"})
    assert "does not provide the extra 'nope'" in finding.message
    snap_ok = snapshot(*snap.distributions, dist("pysocks", "1.7.1"))
    assert run("requests[socks]==2.31.0\n", snap_ok, codes={"PW014"}) == []


# --- suppression, settings, redaction ------------------------------------------------------------


def test_suppression_comments() -> None:
    snap = snapshot()
    assert run("foo  # pinwise: ignore\n", snap) == []
    found = run("foo  # pinwise: ignore[PW002]\n", snap)
    assert [f.code for f in found] == ["PW001"]
    found = run("foo  # pinwise: ignore[pw001, PW002]\n", snap)
    assert found == []
    # a continuation: the comment on the last physical line covers the first
    assert run("foo \\\n  >=1  # pinwise: ignore\n", snap) == []


def test_settings_severity_ignore_select() -> None:
    text = "foo\n"
    snap = snapshot()
    s = Settings(severity={"PW001": Severity.ERROR, "PW002": None})
    assert [(f.code, f.severity) for f in run(text, snap, settings=s)] == [
        ("PW001", Severity.ERROR)
    ]
    assert [f.code for f in run(text, snap, settings=Settings(ignore=frozenset({"PW001"})))] == [
        "PW002"
    ]
    assert [f.code for f in run(text, snap, settings=Settings(select=frozenset({"PW002"})))] == [
        "PW002"
    ]


def test_messages_never_show_expanded_variables_or_passwords() -> None:
    other: dict[str, str] = {}
    text = (
        "--extra-index-url https://user:s3cret@example.com/simple\n"
        "pkg @ https://user:s3cret@example.com/pkg-1.0.tar.gz\n"
        "${PKG_NAME}>=1\n"
        "six==${SIX_VERSION}\n"
        "pkg2 @ git+https://h/r.git@${REV}\n"
        'six ; python_version < "${PYV}"\n'
    )
    files = {"requirements.txt": text, **other}
    texts = {f"{ROOT}/{k}": v for k, v in files.items()}
    rs = load_set(
        [f"{ROOT}/requirements.txt"],
        reader=lambda p: texts[p],
        environ={
            "PKG_NAME": "topsecretname",
            "SIX_VERSION": "7777.31337",
            "REV": "topsecretbranch",
            "PYV": "3.0",
        },
        cwd=ROOT,
    )
    found = analyze(rs, snapshot(dist("six", "1.0")), Settings())
    assert {"PW003", "PW009", "PW013"} <= {f.code for f in found}
    for f in found:
        assert "s3cret" not in f.message
        assert "topsecret" not in f.message, f
        assert "31337" not in f.message, f


def test_a_name_split_by_a_continuation_is_named_whole() -> None:
    # pip joins `alp\` and `ha` into `alpha`; the messages name it so (they said "al")
    found = run("alpha\nalp\\\nha\n", snapshot(), codes={"PW001", "PW004"})
    assert [(f.code, f.span.start.line, f.message.split(" ")[0]) for f in found] == [
        ("PW001", 0, "alpha"),
        ("PW001", 1, "alpha"),
        ("PW004", 1, "alpha"),
    ]


def test_no_fix_writes_a_pin_over_a_variable() -> None:
    # `six==${SIX_VERSION}`: the version comes from the environment on purpose; "Update pin"
    # (and "Pin to installed version", and so "Pin all") would replace the variable
    text = "six==${SIX_VERSION}\nattrs>=${ATTRS_MIN}\n"
    rs = load_set(
        [f"{ROOT}/requirements.txt"],
        reader=lambda p: text,
        environ={"SIX_VERSION": "2.0", "ATTRS_MIN": "20"},
        cwd=ROOT,
    )
    found = analyze(rs, snapshot(dist("six", "1.0"), dist("attrs", "23.1")), Settings())
    by_code = {f.code: f for f in found if f.code in ("PW001", "PW003")}
    assert set(by_code) == {"PW001", "PW003"}
    for finding in by_code.values():
        assert [fix.kind for fix in finding.fixes] == [FixKind.IGNORE], finding
    assert by_code["PW001"].message.endswith("; 23.1 is installed")


def test_findings_are_sorted_and_deterministic() -> None:
    text = "b\na\n-r other.txt\n"
    found = run(text, snapshot(), other={"other.txt": "c\n"})
    assert [f.path for f in found] == sorted((f.path for f in found), key=lambda p: "other" in p)
    for path in {f.path for f in found}:
        keys = [(f.span.start, f.code) for f in found if f.path == path]
        assert keys == sorted(keys)
    assert found == run(text, snapshot(), other={"other.txt": "c\n"})


def test_file_level_findings_silenced_on_a_comment_first_line() -> None:
    snap = snapshot(dist("stray", "1.0"), is_venv=False)
    text = "# pinwise: ignore[PW011]\nfoo==1\n"
    assert {f.code for f in run(text, snap, codes={"PW010", "PW011"})} == {"PW010"}
    text = "# project deps  # pinwise: ignore\nfoo==1\n"
    assert run(text, snap, codes={"PW010", "PW011"}) == []
    assert len(run("# just a comment\nfoo==1\n", snap, codes={"PW010", "PW011"})) == 2


def test_large_environment_and_file_stay_fast() -> None:
    # Each distribution walked once (PW011, PW012), Requires-Dist parsed once: this took 70 s
    # when every line walked its whole dependency closure.
    import time

    n = 400
    dists = [
        dist(
            f"p{i}",
            "1.0",
            requires=[f"p{j}>=0.5 ; python_version >= '3'" for j in range(i + 1, min(n, i + 6))],
        )
        for i in range(n)
    ]
    text = "".join(f"p{i}==1.0\n" for i in range(n))
    start = time.perf_counter()
    assert run(text, snapshot(*dists)) == []
    assert time.perf_counter() - start < 20


def test_pw008_dependencies_must_be_listed_in_hash_mode() -> None:
    snap = snapshot(
        dist("app", "1.0", requires=["lib>=1", 'winonly ; sys_platform == "win32"'], extras=("x",)),
        dist("lib", "1.0", requires=["deep"]),
        dist("deep", "1.0"),
    )
    text = f"app==1.0 --hash=sha256:{H64}\nlib==1.0 --hash=sha256:{H64}\n"
    (finding,) = run(text, snap, codes={"PW008"})
    assert finding.span.start.line == 1  # lib pulls in deep; app's lib is listed
    assert "depends on deep, which no line pins" in finding.message
    assert run(text + f"deep==1.0 --hash=sha256:{H64}\n", snap, codes={"PW008"}) == []


def test_remote_include_is_information_not_an_error() -> None:
    (finding,) = run("-r https://example.com/reqs.txt\n", None, codes={"PW006"})
    assert finding.severity is Severity.INFORMATION
    assert "not fetched" in finding.message
    strict = Settings(severity={"PW006": Severity.HINT})
    (finding,) = run("-r https://example.com/reqs.txt\n", None, settings=strict)
    assert finding.severity is Severity.HINT
