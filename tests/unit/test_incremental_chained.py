"""Chained incremental work, as the server does it on every keystroke: each warm parse and each
warm analysis starts from the previous *warm* one (itself maybe incremental or spliced), never
from a fresh one, and every step must equal a fresh result. (test_analysis_memo and
test_reqfile_incremental start each warm step from a fresh one.)"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit import test_analysis_memo as memo
from tests.unit import test_reqfile_incremental as incremental

from pinwise.analysis import Settings, rules
from pinwise.environment.model import Snapshot

FILES = {"constraints.txt": memo.CONSTRAINTS[1], "other.txt": memo.OTHER[1]}
EDIT = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 60), st.sampled_from(memo.PLAIN)),
    st.tuples(st.just("prepend-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("append-space"), st.integers(0, 60), st.just("")),
    st.tuples(st.just("respell"), st.integers(0, 60), st.sampled_from(memo.PLAIN)),
)


def _edit(lines: list[str], kind: str, n: int, text: str) -> None:
    at = n % len(lines)
    if kind == "replace":
        lines[at] = text
    elif kind == "prepend-space":
        lines[at] = " " + lines[at]
    elif kind == "append-space":
        lines[at] += " "
    elif kind == "respell" and memo._project(text) not in (None, memo._project(lines[at])):
        lines[at] = text  # another project on that line (the splice takes it in quiet sets)


def _chain(start: list[str], snapshot: Snapshot, edits: list[tuple[str, int, str]]) -> None:
    lines = list(start)
    memo._fresh(lines, FILES, snapshot, Settings(), "\n")
    steps = []
    for kind, n, text in edits:
        _edit(lines, kind, n, text)
        steps.append((list(lines), memo._analyze(lines, FILES, snapshot, Settings(), "\n")))
    for index, (state, warm) in enumerate(steps):
        assert warm == memo._fresh(state, FILES, snapshot, Settings(), "\n"), (index, edits)


CHAINS = settings(
    max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@CHAINS
@given(
    start=st.lists(st.sampled_from(memo.PLAIN), min_size=5, max_size=30),
    which=st.integers(0, len(memo.QUIET) - 1),
    edits=st.lists(EDIT, min_size=2, max_size=15),
)
def test_chained_analyses_in_quiet_environments(
    start: list[str], which: int, edits: list[tuple[str, int, str]]
) -> None:
    _chain(start, memo.QUIET[which], edits)


@CHAINS
@given(
    start=st.lists(st.sampled_from(memo.PLAIN), min_size=5, max_size=30),
    which=st.integers(0, len(memo.SNAPSHOTS) - 1),
    edits=st.lists(EDIT, min_size=2, max_size=15),
)
def test_chained_analyses_in_any_environment(
    start: list[str], which: int, edits: list[tuple[str, int, str]]
) -> None:
    _chain(start, memo.SNAPSHOTS[which], edits)


def test_the_chains_do_splice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chained tests above are about splices made from splices: check they happen."""
    spliced = 0
    splice = rules._splice

    def counting(*args: object) -> object:
        nonlocal spliced
        result = splice(*args)  # type: ignore[arg-type]
        spliced += result is not None
        return result

    monkeypatch.setattr(rules, "_splice", counting)
    rng = random.Random(1)
    for _ in range(20):
        start = [rng.choice(memo.PLAIN) for _ in range(20)]
        edits = [
            (rng.choice(["replace", "prepend-space", "append-space"]), rng.randrange(60), "")
            for _ in range(10)
        ]
        edits = [(k, n, rng.choice(memo.PLAIN) if k == "replace" else t) for k, n, t in edits]
        _chain(start, memo.QUIET[0], edits)
    assert spliced >= 20, spliced  # 29 of the 200 steps with this seed


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    rows=st.lists(st.sampled_from(incremental.ROWS), max_size=20),
    end=st.sampled_from(["\n", ""]),
    edits=st.lists(incremental.EDITS, min_size=2, max_size=15),
)
def test_chained_parses(rows: list[str], end: str, edits: list[tuple[str, int, object]]) -> None:
    text = "\n".join(rows) + end
    incremental._fresh(text)
    steps = []
    for kind, n, what in edits:
        if kind == "insert-text":
            at = n % (len(text) + 1)
            text = text[:at] + str(what) + text[at:]
        elif kind == "delete-text" and text:
            at = n % len(text)
            text = text[:at] + text[at + int(str(what)) :]
        elif kind == "replace-row":
            lines = text.split("\n")
            lines[n % len(lines)] = str(what)
            text = "\n".join(lines)
        steps.append((text, incremental._warm(text)))
    for index, (state, warm) in enumerate(steps):
        assert warm == incremental._fresh(state), (index, edits, rows, end)
