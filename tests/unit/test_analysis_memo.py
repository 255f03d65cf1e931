"""The analysis reuses each line's findings between analyses (`rules._LineMemo`, fed by the
parser's per-line cache): after any edit it must find exactly what a fresh analysis finds."""

from __future__ import annotations

from typing import Any, Callable, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.test_analysis_rules import H64, SHA, dist, reqset, snapshot

from pinwise.analysis import Finding, Settings, Severity, analyze, rules
from pinwise.analysis.rules import clear_caches as clear_analysis_caches
from pinwise.environment.model import Snapshot
from pinwise.reqfile.parser import clear_caches as clear_parser_caches

LINES = [
    "",
    "# a comment",
    "alpha==1.0",
    "alpha==2.0",
    "alpha",
    "alpha>=1",
    "Alpha == 1.0",
    "alpha==1.0  # pinwise: ignore[PW001,PW004]",
    "alpha  # pinwise: ignore",
    "beta[fast]==2.0",
    "beta[nope]",
    "gamma>=0.5",
    "gamma==0.1 ; python_version >= '3'",
    "gamma==0.1 ; python_version < '3'",
    "gamma ; nonsense_marker == 'x'",
    "delta==1.0",
    "missing==1.0",
    f"alpha==1.0 --hash=sha256:{H64}",
    "--require-hashes",
    f"git+https://example.com/x.git@{SHA}#egg=alpha",
    "git+https://example.com/x.git@main#egg=beta",
    "-e git+https://example.com/y.git#egg=gamma",
    "https://example.com/alpha-1.0-py3-none-any.whl",
    "-c constraints.txt",
    "-r other.txt",
    "-r nowhere.txt",
    "alpha==1.0 \\",
    "    --hash=sha256:" + H64,
    "beta \\",
    "pip==24.0",
    "not a requirement !!",
    "${FOO}==1.0",
    # the same projects written otherwise (a keystroke on a line: `rules._splice`)
    " alpha==1.0",
    "alpha==1.0 ",
    "alpha==3.0  # pinned elsewhere",
    "ALPHA==1.0",
    "beta[fast]",
    "gamma==0.1 ; python_version >= '3' ",
    "delta==2.0  # pinwise: ignore[PW003]",
]
CONSTRAINTS = ["", "alpha==1.0", "gamma==0.5", "beta>=1", "alpha==2.0 ; python_version < '3'"]
OTHER = ["", "alpha==1.0", "delta", "gamma==0.5\nalpha"]

SNAPSHOTS = [
    snapshot(
        dist("alpha", "1.0", requires=["gamma>=0.5"]),
        dist("beta", "2.0", requires=["zeta ; extra == 'fast'"], extras=["fast"]),
        dist("gamma", "0.5"),
        dist("delta", "1.0", requires=["nothere>=1"]),
        dist("pip", "24.0"),
    ),
    snapshot(dist("alpha", "2.0"), dist("gamma", "0.4"), is_venv=False),
    None,
]
SETTINGS = [
    Settings(),
    Settings(ignore=frozenset({"PW004"})),
    Settings(severity={"PW001": Severity.ERROR, "PW002": None}),
    Settings(select=frozenset({"PW001", "PW003", "PW005"})),
]

EDITS = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 40), st.sampled_from(LINES)),
    st.tuples(st.just("replace"), st.integers(0, 40), st.sampled_from(LINES)),
    st.tuples(st.just("delete"), st.integers(0, 40), st.just("")),
    st.tuples(st.just("append-space"), st.integers(0, 40), st.just("")),
    st.tuples(st.just("prepend-space"), st.integers(0, 40), st.just("")),
    st.tuples(st.just("respell"), st.integers(0, 40), st.sampled_from(LINES)),
    st.tuples(st.just("constraints"), st.integers(0, len(CONSTRAINTS) - 1), st.just("")),
    st.tuples(st.just("other"), st.integers(0, len(OTHER) - 1), st.just("")),
    st.tuples(st.just("snapshot"), st.integers(0, len(SNAPSHOTS) - 1), st.just("")),
    st.tuples(st.just("settings"), st.integers(0, len(SETTINGS) - 1), st.just("")),
    st.tuples(st.just("newline-at-end"), st.integers(0, 1), st.just("")),
)


def _analyze(
    lines: list[str], files: dict[str, str], snap: Optional[Snapshot], sets: Settings, end: str
) -> list[Finding]:
    texts = {"requirements.txt": "\n".join(lines) + end, **files}
    return analyze(reqset(texts), snap, sets)


def _fresh(*args: object) -> list[Finding]:
    clear_parser_caches()
    clear_analysis_caches()
    return _analyze(*args)  # type: ignore[arg-type]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    start=st.lists(st.sampled_from(LINES), max_size=12),
    edits=st.lists(EDITS, min_size=1, max_size=12),
)
def test_memoised_analysis_equals_a_fresh_one(
    start: list[str], edits: list[tuple[str, int, str]]
) -> None:
    lines = list(start)
    files = {"constraints.txt": CONSTRAINTS[1], "other.txt": OTHER[1]}
    snap: Optional[Snapshot] = SNAPSHOTS[0]
    sets = SETTINGS[0]
    end = "\n"
    _fresh(lines, files, snap, sets, end)
    for kind, n, text in edits:
        if kind == "insert":
            lines.insert(min(n, len(lines)), text)
        elif kind == "replace" and lines:
            lines[n % len(lines)] = text
        elif kind == "delete" and lines:
            del lines[n % len(lines)]
        elif kind == "append-space" and lines:
            lines[n % len(lines)] += " "
        elif kind == "prepend-space" and lines:
            lines[n % len(lines)] = " " + lines[n % len(lines)]
        elif kind == "respell" and lines:
            # another line of the same project in its place, when there is one
            at = n % len(lines)
            if _project(text) is not None and _project(text) == _project(lines[at]):
                lines[at] = text
        elif kind == "constraints":
            files["constraints.txt"] = CONSTRAINTS[n]
        elif kind == "other":
            files["other.txt"] = OTHER[n]
        elif kind == "snapshot":
            snap = SNAPSHOTS[n]
        elif kind == "settings":
            sets = SETTINGS[n]
        elif kind == "newline-at-end":
            end = "\n" if n else ""
        warm = _analyze(lines, files, snap, sets, end)
        again = _analyze(lines, files, snap, sets, end)
        fresh = _fresh(lines, files, snap, sets, end)
        assert warm == fresh, (kind, n, text, lines)
        assert again == fresh


# no hash-checking mode (a full analysis each time), no ${VAR} (never the same line twice)
PLAIN = [line for line in LINES if "hash" not in line and "${" not in line]
KEYSTROKES = st.one_of(
    st.tuples(st.just("append-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("prepend-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("respell"), st.integers(0, 60), st.sampled_from(PLAIN)),
    st.tuples(st.just("other"), st.integers(0, len(OTHER) - 1), st.just("")),
    st.tuples(st.just("replace"), st.integers(0, 60), st.sampled_from(LINES)),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    start=st.lists(st.sampled_from(PLAIN), min_size=10, max_size=40),
    edits=st.lists(KEYSTROKES, min_size=1, max_size=12),
)
def test_keystrokes_on_a_longer_file_equal_a_fresh_analysis(
    start: list[str], edits: list[tuple[str, int, str]]
) -> None:
    """Mostly edits that keep every line in place (`rules._splice`'s case) on files long
    enough for duplicates of duplicates."""
    test_memoised_analysis_equals_a_fresh_one.hypothesis.inner_test(start, edits)  # type: ignore[attr-defined]


# nothing for `pip check` to say (a project renamed on a line is spliced only then), one
# distribution no line requires (PW011 changes with the names)
QUIET = [
    snapshot(
        dist("alpha", "1.0", requires=["gamma>=0.5"]),
        dist("beta", "2.0", requires=["zeta ; extra == 'fast'"], extras=["fast"]),
        dist("gamma", "0.5"),
        dist("delta", "1.0"),
        dist("omega", "3.0"),
    ),
    SNAPSHOTS[1],
    None,
]
RENAMES = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 60), st.sampled_from(PLAIN)),
    st.tuples(st.just("prepend-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("snapshot"), st.integers(0, len(QUIET) - 1), st.just("")),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    start=st.lists(st.sampled_from(PLAIN), min_size=5, max_size=30),
    first=st.integers(0, len(QUIET) - 1),
    edits=st.lists(RENAMES, min_size=1, max_size=12),
)
def test_projects_renamed_on_lines_equal_a_fresh_analysis(
    start: list[str], first: int, edits: list[tuple[str, int, str]]
) -> None:
    """Lines replaced by lines of other projects (their first occurrences, PW011's roots and
    names change), in environments where `rules._splice` takes such keystrokes."""
    lines = list(start)
    files = {"constraints.txt": CONSTRAINTS[1], "other.txt": OTHER[1]}
    snap = QUIET[first]
    _fresh(lines, files, snap, Settings(), "\n")
    for kind, n, text in edits:
        if kind == "replace":
            lines[n % len(lines)] = text
        elif kind == "prepend-space":
            lines[n % len(lines)] = " " + lines[n % len(lines)]
        else:
            snap = QUIET[n]
        warm = _analyze(lines, files, snap, Settings(), "\n")
        assert warm == _fresh(lines, files, snap, Settings(), "\n"), (kind, n, text, lines)


def test_a_renamed_project_is_spliced(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        ["alpha==1.0", "beta==2.0", "gamma", "delta==1.0", "omega==3.0"][i % 5] for i in range(40)
    ]
    snap = QUIET[0]
    files = {"constraints.txt": "", "other.txt": ""}
    _fresh(lines, files, snap, Settings(), "\n")
    full: list[object] = []
    original = rules._analyze_fully
    monkeypatch.setattr(rules, "_analyze_fully", _counting(original, full))
    for at, text in [(7, "alpha==1.0"), (1, "gamma==0.5"), (8, "omega==3.0"), (12, "nothere")]:
        lines[at] = text
        warm = _analyze(lines, files, snap, Settings(), "\n")
        assert not full
        monkeypatch.setattr(rules, "_analyze_fully", original)
        assert warm == _fresh(lines, files, snap, Settings(), "\n")
        monkeypatch.setattr(rules, "_analyze_fully", _counting(original, full))


def _project(line: str) -> Optional[str]:
    name = line.strip().split(";")[0].split("#")[0].strip()
    for stop in "[=<>!~ ":
        name = name.split(stop)[0]
    return name.lower() or None


def test_a_keystroke_is_spliced_into_the_last_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """A space typed on a line of a big file (what the language server sees on each keystroke):
    no full analysis, and the findings of a fresh one."""
    names = ["alpha", "beta", "gamma", "delta", "missing"]
    lines = [
        f"{names[i % 5]}" + ("" if i % 3 == 0 else "==1.0" if i % 3 == 1 else "==9")
        for i in range(60)
    ]
    files = {"constraints.txt": CONSTRAINTS[1], "other.txt": OTHER[2]}
    snap = SNAPSHOTS[0]
    _fresh(lines, files, snap, Settings(), "\n")
    full: list[object] = []
    original = rules._analyze_fully
    monkeypatch.setattr(rules, "_analyze_fully", _counting(original, full))
    for step, at in enumerate([2, 5, 1, 59, 30, 2, 10, 11, 12, 0]):
        lines[at] = " " + lines[at] if step % 2 else lines[at].replace("==", " == ")
        warm = _analyze(lines, files, snap, Settings(), "\n")
        assert not full
        monkeypatch.setattr(rules, "_analyze_fully", original)
        assert warm == _fresh(lines, files, snap, Settings(), "\n")
        monkeypatch.setattr(rules, "_analyze_fully", _counting(original, full))


def _counting(function: Callable[..., Any], calls: list[object]) -> Callable[..., Any]:
    def counted(*args: object) -> Any:
        calls.append(args)
        return function(*args)

    return counted


def test_a_line_moved_down_gets_its_new_range() -> None:
    files = {"requirements.txt": "alpha\nbeta==9\n"}
    snap = SNAPSHOTS[0]
    before = analyze(reqset(files), snap, Settings())
    files["requirements.txt"] = "# new first line\nalpha\nbeta==9\n"
    after = analyze(reqset(files), snap, Settings())
    assert [(f.code, f.span.start.line) for f in before if f.code in ("PW001", "PW003")] == [
        ("PW001", 0),
        ("PW003", 1),
    ]
    assert [(f.code, f.span.start.line) for f in after if f.code in ("PW001", "PW003")] == [
        ("PW001", 1),
        ("PW003", 2),
    ]
    for finding in after:
        for fix in finding.fixes:
            for edit in fix.edits:
                assert edit.span.start.line >= 1


def test_unchanged_lines_give_the_same_finding_objects() -> None:
    """The memo is used: an edit elsewhere hands back the very same findings."""
    files = {"requirements.txt": "alpha\nbeta==9\ngamma\n"}
    snap = SNAPSHOTS[0]
    before = analyze(reqset(files), snap, Settings())
    files["requirements.txt"] = "alpha\nbeta==9\ngamma \n"
    after = analyze(reqset(files), snap, Settings())
    first = [f for f in before if f.code in ("PW001", "PW003") and f.span.start.line < 2]
    assert first and all(any(a is b for b in after) for a in first)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    start=st.lists(st.sampled_from(LINES), max_size=12),
    variants=st.lists(EDITS, min_size=1, max_size=3),
    walk=st.lists(st.integers(0, 3), min_size=2, max_size=14),
)
def test_going_back_and_forth_between_versions_equals_a_fresh_analysis(
    start: list[str], variants: list[tuple[str, int, str]], walk: list[int]
) -> None:
    """Edits made and undone (Enter then Backspace, a paste then Ctrl+Z): each version, met
    again in any order, gets what a fresh analysis says (`rules._same_as_recent` hands back the
    last analysis or the one before it when the set is the same)."""
    versions = [list(start)]
    for kind, n, text in variants:  # each variant: one edit away from the start
        lines = list(start)
        if kind == "insert":
            lines.insert(min(n, len(lines)), text)
        elif kind in ("replace", "respell") and lines:
            lines[n % len(lines)] = text
        elif lines:
            del lines[n % len(lines)]
        versions.append(lines)
    files = {"constraints.txt": CONSTRAINTS[1], "other.txt": OTHER[1]}
    snap, sets = SNAPSHOTS[0], SETTINGS[0]
    fresh = [_fresh(v, files, snap, sets, "\n") for v in versions]
    clear_parser_caches()
    clear_analysis_caches()
    for step in walk:
        at = step % len(versions)
        assert _analyze(versions[at], files, snap, sets, "\n") == fresh[at], (at, versions)


def test_an_edit_undone_gives_back_the_findings_of_before() -> None:
    files = {"requirements.txt": "alpha\nbeta==9\ngamma\n"}
    snap = SNAPSHOTS[0]
    before = analyze(reqset(files), snap, Settings())
    files["requirements.txt"] = "\nalpha\nbeta==9\ngamma\n"  # Enter at the top: every row moves
    moved = analyze(reqset(files), snap, Settings())
    assert [f.span.start.line for f in moved] != [f.span.start.line for f in before]
    files["requirements.txt"] = "alpha\nbeta==9\ngamma\n"  # and Backspace
    again = analyze(reqset(files), snap, Settings())
    assert again == before
    assert all(a is b for a, b in zip(again, before))  # not analysed again
    # and on a version whose set differs (another settings object), it is analysed again
    other = analyze(reqset(files), snap, Settings(ignore=frozenset({"PW004"})))
    assert other == [f for f in before if f.code != "PW004"]


# Rows that hold no part of a logical line (`analysis._shifted`), and rows that look alike but
# do: a comment continued into the next row, a requirement continued.
NO_LINE = ["", "   ", "# a comment", "#", "  # pinwise: ignore", "# via alpha", "\t# tab"]
LOOK_ALIKE = ["# continued \\", "alpha==1.0 \\", "  --hash=sha256:" + H64]
MOVABLE = [line for line in PLAIN if not line.startswith("-")]
ROW_EDITS = st.one_of(
    *[st.tuples(st.just("insert"), st.integers(0, 60), st.sampled_from(NO_LINE))] * 4,
    st.tuples(st.just("insert"), st.integers(0, 60), st.sampled_from(NO_LINE + LOOK_ALIKE)),
    st.tuples(st.just("delete"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, 60), st.sampled_from(PLAIN)),
    st.tuples(st.just("append-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("replace"), st.integers(0, 60), st.sampled_from(MOVABLE)),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(
    # mostly lines without an include, a hash or a ${VAR} (an include line moved, or hash mode,
    # makes a full analysis), sometimes any line
    start=st.one_of(
        st.lists(st.sampled_from(MOVABLE + NO_LINE), min_size=5, max_size=40),
        st.lists(st.sampled_from(LINES + NO_LINE), min_size=5, max_size=40),
    ),
    edits=st.lists(ROW_EDITS, min_size=1, max_size=12),
    first=st.integers(0, len(SNAPSHOTS) - 1),
)
def test_rows_added_or_removed_equal_a_fresh_analysis(
    start: list[str], edits: list[tuple[str, int, str]], first: int
) -> None:
    """Rows without a requirement added and removed (the last analysis moved, `_shifted`),
    among other edits (projects renamed too: the splice reads the moved tables), typed one
    after the other, then each compared with a fresh analysis: the findings, their fixes and
    related places. (A fresh analysis between two edits would make the next parse a fresh one
    too: it would share no object with the last.)"""
    lines = list(start)
    files = {"constraints.txt": CONSTRAINTS[1], "other.txt": OTHER[3]}
    snap = SNAPSHOTS[first]
    clear_parser_caches()
    clear_analysis_caches()
    versions = [list(lines)]
    warm = [_analyze(lines, files, snap, Settings(), "\n")]
    for kind, n, text in edits:
        if kind == "insert":
            lines.insert(min(n, len(lines)), text)
        elif kind == "delete" and lines:
            del lines[n % len(lines)]
        elif kind == "append-space" and lines:
            lines[n % len(lines)] += " "
        elif kind == "replace" and lines:
            lines[n % len(lines)] = text
        versions.append(list(lines))
        warm.append(_analyze(lines, files, snap, Settings(), "\n"))
    for version, found in zip(versions, warm):
        fresh = _fresh(version, files, snap, Settings(), "\n")
        assert found == fresh, version
        assert [f.related for f in found] == [f.related for f in fresh]


def test_an_empty_row_added_or_removed_moves_the_last_analysis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter and Backspace on an empty row, a comment added, in a file with duplicates (PW004
    quotes the row of its first occurrence), unpinned and mismatched lines: no full analysis,
    and what a fresh one finds, fixes included."""
    names = ["alpha", "beta", "gamma", "delta", "missing"]
    lines = [
        f"{names[i % 5]}" + ("" if i % 3 == 0 else "==1.0" if i % 3 == 1 else "==9")
        for i in range(60)
    ]
    files = {"constraints.txt": "", "other.txt": ""}
    snap = SNAPSHOTS[0]
    _fresh(lines, files, snap, Settings(), "\n")
    full: list[object] = []
    original = rules._analyze_fully
    edits: list[tuple[int, Optional[str]]] = [
        (3, ""),  # Enter on row 3
        (0, ""),  # ... on the first row: the empty row of row 3 is on row 4 now
        (30, "# a note"),
        (4, None),  # Backspace: that empty row goes
        (58, ""),
        (1, "  "),
        (0, None),
    ]
    for at, text in edits:
        if text is None:
            del lines[at]
        else:
            lines.insert(at, text)
        monkeypatch.setattr(rules, "_analyze_fully", _counting(original, full))
        warm = _analyze(lines, files, snap, Settings(), "\n")
        assert not full, (at, text)
        monkeypatch.setattr(rules, "_analyze_fully", original)
        fresh = _fresh(lines, files, snap, Settings(), "\n")
        assert warm == fresh
        assert [f.message for f in warm] == [f.message for f in fresh]
        assert any(f.code == "PW004" and f.related for f in warm)


def test_keystrokes_keep_neither_old_files_nor_dead_memo_entries() -> None:
    """A long typing session on the first occurrences of projects with many later lines: the
    analysis keeps no file of each version (an entry of the splice's `by_name` held the file it
    was made in) and the line memo no later line's entry per keystroke (PW004's key named the
    first occurrence; each keystroke on it added one per later line)."""
    import gc
    import weakref

    from tests.unit.test_analysis_rules import ROOT

    names = ["alpha", "beta", "gamma", "delta", "missing"]
    lines = [f"{names[i % 5]}==1.0" for i in range(100)]
    snap = SNAPSHOTS[0]
    clear_parser_caches()
    clear_analysis_caches()
    path = f"{ROOT}/requirements.txt"
    files: list[weakref.ref[object]] = []

    def keystroke() -> None:
        sets = reqset({"requirements.txt": "\n".join(lines) + "\n"})
        files.append(weakref.ref(sets.files[path]))
        analyze(sets, snap, Settings())

    keystroke()
    memo = rules._snapshot_cache(snap).memo.for_roots((path,))
    entries = len(memo.lines)
    for step in range(60):
        at = step % 5  # a first occurrence: 19 later lines each
        lines[at] = " " + lines[at] if step % 2 else lines[at].strip()
        keystroke()
    gc.collect()
    assert sum(ref() is not None for ref in files) <= 4
    assert len(memo.lines) <= entries + 60


def test_a_moved_path_requirement_is_read_again(tmp_path: Any) -> None:
    """A row added above a local project whose folder went meanwhile: what the file system says
    now, not the moved findings of what it said."""
    import shutil

    from pinwise.reqfile import load_set

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "pyproject.toml").write_text("[project]\nname = 'lib'\n")
    path = str(tmp_path / "requirements.txt")
    snap = SNAPSHOTS[0]

    def run(text: str) -> list[Finding]:
        return analyze(load_set([path], reader=lambda p: text, cwd=str(tmp_path)), snap, Settings())

    clear_parser_caches()
    clear_analysis_caches()
    text = "alpha==1.0\n./lib\nbeta==9\n"
    run(text)
    shutil.rmtree(tmp_path / "lib")
    warm = run("\n" + text)
    clear_parser_caches()
    clear_analysis_caches()
    assert warm == run("\n" + text)


def test_a_row_added_after_keystrokes_moves_every_line_of_the_file() -> None:
    """A keystroke's splice leaves the entries of unchanged lines with the file of the analysis
    that made them; a row added then must move those lines too (found by a review: their
    entries kept the old lines, and the next renamed project was judged against them)."""
    versions = [
        "alpha==1.0\n\nbeta\n# c\nalpha\ngamma==0.1\n\nbeta==2.0\ndelta\n",
        "alpha==1.0\n\nbeta\n# c\n  # pinwise: ignore\nalpha\ngamma==0.1\n\nbeta==2.0\ndelta\n",
        "beta==2.0\n\nbeta\n# c\n  # pinwise: ignore\nalpha\ngamma==0.1\n\nbeta==2.0\ndelta\n",
        "beta==2.0\n\nbeta\n# c\n  # pinwise: ignore\n\nalpha\ngamma==0.1\n\nbeta==2.0\ndelta\n",
        "alpha==2.0\n\nbeta\n# c\n  # pinwise: ignore\n\nalpha\ngamma==0.1\n\nbeta==2.0\ndelta\n",
    ]
    files = {"constraints.txt": "", "other.txt": ""}
    chains = [
        versions,
        # a phantom PW001 past the end of the file; then a crash (`_display` on a stale row)
        [
            "alpha==1.0\n# c\nbeta\ngamma\n",
            "alpha==1.0\n# c\nbeta\ngamma\n",
            "alpha==1.0\nbeta\ngamma\n",
            "alpha==1.0\nbeta\nalpha\n",
        ],
        [
            "alpha\n# c\nbeta\nbeta\n",
            "alpha \n# c\nbeta\nbeta\n",
            "alpha\nbeta\nbeta\n",
            "beta\nbeta\nbeta\n",
        ],
    ]
    for chain in chains:
        for snap in [*QUIET, None]:
            clear_parser_caches()
            clear_analysis_caches()
            # one version after the other, as typed (no fresh analysis in between)
            warm = [_analyze(t.split("\n")[:-1], files, snap, Settings(), "\n") for t in chain]
            for text, found in zip(chain, warm):
                assert found == _fresh(text.split("\n")[:-1], files, snap, Settings(), "\n"), text


def test_a_set_that_grew_past_its_round_keeps_its_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file much longer than at its last full analysis ends a round of the memo during the
    next one (`_SetMemo.end_round` sized it for the short file): the limit must not stay
    small, or every full analysis after it pushes out what the last one used."""
    snap = SNAPSHOTS[0]
    files = {"constraints.txt": "", "other.txt": ""}
    names = ["alpha", "beta", "gamma", "delta", "missing"]
    clear_parser_caches()
    clear_analysis_caches()
    _analyze([f"{names[i % 5]}==1.{i}" for i in range(10)], files, snap, Settings(), "\n")
    long = [f"{names[i % 5]}==1.{i}" for i in range(3000)]
    _analyze(long, files, snap, Settings(), "\n")  # past the short file's round
    made: list[object] = []
    monkeypatch.setattr(rules, "_line_rules", _counting(rules._line_rules, made))
    _analyze([*long, "alpha"], files, snap, Settings(), "\n")  # a line added: a full analysis
    assert len(made) <= 2  # the new line (and its neighbour), not the 3,000 others again
    made.clear()
    _analyze([*long, "alpha", "beta"], files, snap, Settings(), "\n")
    assert len(made) <= 2
