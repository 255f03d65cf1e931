"""Pinwise's parser against pip 26.3, line by line, over the corpus in corpus/lines.txt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pinwise.reqfile import parse
from tests.differential.pip_oracle import (
    pinwise_verdicts,
    pip_message,
    pip_verdicts,
    pip_warnings,
    same,
)

pytestmark = pytest.mark.filterwarnings("ignore:DEPRECATION")

CORPUS = Path(__file__).parent / "corpus" / "lines.txt"


def corpus_entries() -> list[str]:
    entries = []
    for raw in CORPUS.read_text(encoding="utf-8").split("\n"):
        if raw.startswith("##") or not raw:
            continue
        entries.append(raw.replace("⏎", "\n"))
    return entries


ENTRIES = corpus_entries()


def test_corpus_is_big_enough() -> None:
    assert len(ENTRIES) >= 300


def compare(world: Path, text: str, constraint: bool) -> tuple[list, list]:
    path = world / ("c.txt" if constraint else "r.txt")
    path.write_text(text + "\n", encoding="utf-8")
    theirs = pip_verdicts(str(path), constraint=constraint)
    ours = pinwise_verdicts(
        parse(
            text + "\n", str(path), constraint=constraint, environ=dict(os.environ), cwd=str(world)
        )
    )
    return theirs, ours


@pytest.mark.parametrize("constraint", [False, True], ids=["req", "con"])
@pytest.mark.parametrize("text", ENTRIES, ids=[repr(e)[1:-1][:60] for e in ENTRIES])
def test_line_matches_pip(pip_world: Path, text: str, constraint: bool) -> None:
    theirs, ours = compare(pip_world, text, constraint)
    assert same(theirs, ours), f"pip: {theirs}\npinwise: {ours}"


@pytest.mark.parametrize("text", ENTRIES, ids=[repr(e)[1:-1][:60] for e in ENTRIES])
def test_error_message_matches_pip(pip_world: Path, text: str) -> None:
    theirs, ours = compare(pip_world, text, False)
    if not theirs or theirs[-1][0] != "invalid":
        return
    expected = pip_message(theirs[-1])
    if expected is not None:
        assert ours[-1][1] == expected


@pytest.mark.parametrize("text", ENTRIES, ids=[repr(e)[1:-1][:60] for e in ENTRIES])
def test_warnings_match_pip(pip_world: Path, text: str) -> None:
    path = pip_world / "w.txt"
    path.write_text(text + "\n", encoding="utf-8")
    theirs = pip_warnings(str(path))
    rf = parse(text + "\n", str(path), environ=dict(os.environ), cwd=str(pip_world))
    ours: list[str] = []
    for line in rf.logical_lines:
        ours.extend(w.message for w in line.warnings)
        if line.error is not None:
            break
    assert ours == theirs
