"""The language server's caches keep what the last two rounds of work used, and nothing older
(`pinwise._generations`): memory follows the text being edited, not the edits made so far."""

from __future__ import annotations

from tests.unit.test_analysis_rules import ROOT, dist, reqset, snapshot

from pinwise import analysis
from pinwise._generations import Generations
from pinwise.analysis import rules
from pinwise.analysis.model import Settings
from pinwise.reqfile import parser

MISSING = object()


def test_a_key_lives_while_one_of_the_last_three_rounds_used_it() -> None:
    memo: Generations[str, int] = Generations(limit=100)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.rotate()
    assert memo.get("a", MISSING) == 1  # used in this round too
    memo.rotate()
    memo.rotate()
    assert memo.get("a", MISSING) == 1  # used two rounds ago (Enter, then Backspace)
    assert memo.get("b", MISSING) is MISSING  # untouched for three rounds
    memo.rotate()
    memo.rotate()
    memo.rotate()
    assert len(memo) == 0


def test_a_full_round_begins_a_new_one() -> None:
    memo: Generations[int, int] = Generations(limit=3)
    for key in range(7):
        memo.put(key, key)
    assert len(memo.current) == 1  # 0-2, then 3-5 made rounds of their own
    assert memo.get(0, MISSING) == 0
    memo.rotate()
    memo.rotate()
    assert memo.get(2, MISSING) is MISSING


def _lines(count: int) -> list[str]:
    return [f"pkg{i % 40:03d}=={i % 3}.0" for i in range(count)]


def test_lines_inserted_near_the_top_do_not_grow_the_caches() -> None:
    """Each inserted line gives every line below a new row: new parsed lines, new findings.
    The caches keep two versions' worth, however many lines are inserted."""
    parser.clear_caches()
    rules.clear_caches()
    lines = _lines(600)
    env = snapshot(*(dist(f"pkg{i:03d}", "1.0") for i in range(40)))
    settings = Settings()
    for inserted in range(12):
        text = "\n".join(lines[:5] + [""] * inserted + lines[5:]) + "\n"
        findings = analysis.analyze(reqset({"requirements.txt": text}), env, settings)
        assert len(findings) > 600  # a PW004 on most lines, a PW003 on two in three
    (line_cache,) = parser._LINE_CACHE.values()
    # per round: each line at its row, and each text once (the twin a moved line is made from)
    assert len(line_cache) <= 3 * (600 + len(set(lines)))
    memo = rules._snapshot_cache(env).memo.for_roots((f"{ROOT}/requirements.txt",))
    assert len(memo.lines) <= 3 * 600 * 2  # per line: its own findings, and PW004
    assert len(memo.finish[1]) <= 3 * len(findings)


def test_keep_as_holds_the_entry_under_the_equal_key_given() -> None:
    memo: Generations[tuple[str], int] = Generations(10)
    kept, read = ("".join(["a", "b"]),), ("".join(["a", "b"]),)
    assert kept == read and kept[0] is not read[0]
    memo.put(kept, 1)
    memo.rotate()
    assert memo.get(read, 0) == 1  # the round now holds the reader's key
    memo.keep_as(read, kept)
    (held,) = memo.current
    assert held is kept and memo.current[kept] == 1
    memo.keep_as(("zz",), kept)  # not in this round: nothing happens
    assert list(memo.current) == [kept]


def test_a_long_session_of_edits_turns_the_line_cache_over() -> None:
    """Edits parse only the rows they change (`parser._parse_again`), so no whole parse begins
    a round of the file's line cache: its rounds end once they hold four entries per row of the
    file (a row's, its text's, its options', and the edits'), not at 100,000."""
    parser.clear_caches()
    lines = _lines(600)
    path = f"{ROOT}/requirements.txt"
    parser.parse("\n".join(lines) + "\n", path, environ={}, cwd=ROOT)
    for k in range(6000):  # every edit a text never seen: a new line and a new text entry
        row = (k * 37) % 600
        lines[row] = lines[row].split(" #")[0] + f"  # edit {k}"
        if k % 40 == 0:
            lines.insert(row, "")  # and Enter now and then: every row below moves
        parser.parse("\n".join(lines) + "\n", path, environ={}, cwd=ROOT)
    (line_cache,) = parser._LINE_CACHE.values()
    assert len(line_cache) <= 3 * 4 * len(lines)


def test_a_block_pasted_into_a_small_file_stays_in_the_line_cache() -> None:
    # the paste is parsed from the last parse (`_parse_again`), not whole: the round's limit,
    # set for 2 rows, must grow with the file before the parse puts its lines, or the round
    # would turn over in the middle of the parse and drop what it just put
    parser.clear_caches()
    path = f"{ROOT}/requirements.txt"
    parser.parse("a==1\nb==2\n", path, environ={}, cwd=ROOT)
    block = [f"pkg{i}=={i}.0" for i in range(5000)]
    parser.parse("\n".join(["a==1", *block, "b==2"]) + "\n", path, environ={}, cwd=ROOT)
    (line_cache,) = parser._LINE_CACHE.values()
    assert len(line_cache.current) >= 2 * len(block)  # each line at its row, and by its text
