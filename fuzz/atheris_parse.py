"""Coverage-guided fuzzing of pinwise.reqfile with atheris (libFuzzer).

    PYTHONPATH=server python fuzz/atheris_parse.py -runs=200000 -seed=1 fuzz/corpus

(`make atheris`). Each input is a file's bytes: it is decoded as pip decodes it, parsed as a
requirements and as a constraints file, and checked: nothing raises, every range lies inside the
document, the physical lines give back the text, logical lines are ordered and disjoint. The
figures (inputs tried, seconds, failures) go to test-artifacts/atheris-figures.json every few
thousand inputs and at exit, for fuzz/reliability_report.py.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import sys
import time
from typing import Any

import atheris  # type: ignore[import-not-found,unused-ignore]

with atheris.instrument_imports():
    from pinwise.reqfile import decode, parse
    from pinwise.spans import Span

ARTIFACT = os.path.join(os.path.dirname(__file__), "..", "test-artifacts", "atheris-figures.json")
STATE: dict[str, Any] = {"inputs": 0, "started": time.time(), "crashes": 0}


def spans(value: Any) -> list[Span]:
    if isinstance(value, Span):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in spans(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [s for item in value for s in spans(item)]
    return []


def check(data: bytes) -> None:
    text = decode(data).text
    for constraint in (False, True):
        rf = parse(text, "/fuzz/requirements.txt", constraint=constraint, environ={}, cwd="/fuzz")
        assert "".join(p.text + p.terminator for p in rf.lines) == text
        previous = -1
        for line in rf.logical_lines:
            assert previous < line.first_line <= line.last_line < len(rf.lines)
            previous = line.last_line
        for span in spans(rf.logical_lines):
            for pos in (span.start, span.end):
                assert 0 <= pos.line < len(rf.lines), span
                assert 0 <= pos.character <= len(rf.lines[pos.line].text), span
            assert span.start <= span.end, span


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("atheris")
    except Exception:
        return "?"


def write_figures() -> None:
    figures = {
        "inputs": STATE["inputs"],
        "seconds": round(time.time() - STATE["started"], 1),
        "crashes": STATE["crashes"],
        "engine": "atheris " + _version(),
        "argv": sys.argv[1:],
    }
    os.makedirs(os.path.dirname(ARTIFACT), exist_ok=True)
    with open(ARTIFACT, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=2)


def test_one_input(data: bytes) -> None:
    STATE["inputs"] += 1
    if STATE["inputs"] % 5000 == 0:
        write_figures()
    try:
        check(data)
    except BaseException:
        STATE["crashes"] += 1
        write_figures()
        raise


def main() -> None:
    atexit.register(write_figures)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
