"""Turn the reliability artifacts into the figures block of docs/reliability.md.

    python fuzz/reliability_report.py                 # print the block
    python fuzz/reliability_report.py --write docs/reliability.md

Reads test-artifacts/fuzz-figures-pinwise-nightly.json (`make fuzz`), fuzz-figures-pinwise-ci.json
(the normal test run), atheris-figures.json (`make atheris`) and reliability-results.json (the
tests/reliability run), and replaces what stands between `<!-- figures:start -->` and
`<!-- figures:end -->` in the document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def _load(name: str) -> Optional[dict[str, Any]]:
    try:
        data = json.loads((ARTIFACTS / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fuzz_table(data: dict[str, Any], title: str) -> list[str]:
    out = [
        f"**{title}** (profile `{data['profile']}`, seed {data['seed']}, budget "
        f"{data['budget_seconds']:g} s, {data['examples_per_round']} examples a round, "
        f"pip {data.get('pip', '?')}, finished {data['finished']}): "
        f"**{data['total_examples']:,} examples** in total.",
        "",
        "| property | examples | rounds (seeds) | seconds | outcome |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, p in sorted(data["properties"].items()):
        if p["outcome"] == "failed":
            seeds = f"{p['rounds']}, failed at seed {p['last_seed']}"
        else:
            seeds = f"{p['rounds']} ({p['seed']}..{p['last_seed'] - 1})"
        out.append(f"| {name} | {p['examples']:,} | {seeds} | {p['seconds']} | {p['outcome']} |")
    return [*out, ""]


def _reliability(data: dict[str, Any]) -> list[str]:
    counts = data["counts"]
    out = [
        f"**Injected faults and checks** (finished {data['finished']}): "
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped.",
        "",
        "| test | outcome | seconds | figures |",
        "| --- | --- | ---: | --- |",
    ]
    for nodeid, t in sorted(data["tests"].items()):
        name = nodeid.split("tests/reliability/", 1)[-1]
        figures = ", ".join(f"{k} {v}" for k, v in sorted((t.get("figures") or {}).items()))
        outcome = t["outcome"] + (f" ({t['reason']})" if t.get("reason") else "")
        out.append(f"| `{name}` | {outcome} | {t['seconds']} | {figures} |")
    return [*out, ""]


def block() -> str:
    lines: list[str] = [START, ""]
    nightly = _load("fuzz-figures-pinwise-nightly.json")
    ci = _load("fuzz-figures-pinwise-ci.json")
    if nightly:
        lines += _fuzz_table(nightly, "Fuzzing, long run (`make fuzz`)")
    if ci:
        lines += _fuzz_table(ci, "Fuzzing, every test run")
    atheris = _load("atheris-figures.json")
    if atheris:
        lines += [
            f"**{atheris.get('engine', 'atheris')}** (`make atheris`, "
            f"{' '.join(atheris.get('argv', []))}): "
            f"{atheris['inputs']:,} inputs in {atheris['seconds']} s, "
            f"{atheris['crashes']} crashes.",
            "",
        ]
    reliability = _load("reliability-results.json")
    if reliability:
        lines += _reliability(reliability)
    if len(lines) == 2:
        lines.append("(no artifacts found: run `make nightly`)")
    return "\n".join([*lines, END])


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="DOC", help="replace the figures block of DOC")
    args = parser.parse_args(argv)
    text = block()
    if not args.write:
        print(text)
        return 0
    doc = Path(args.write)
    current = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(current):
        print(f"{doc}: no {START} ... {END} block", file=sys.stderr)
        return 1
    doc.write_text(pattern.sub(lambda _: text, current), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
