"""The engine on Python 3.9, the oldest the server supports (the VS Code extension runs it with
whatever Python the user has). mypy checks against 3.10 (mypy 2 dropped 3.9), so a 3.10+ API
(`bisect` with `key=` was one) is only caught by running it: the incremental parse and the
spliced analysis of a keystroke, compared with fresh results, under a real 3.9."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON39 = sorted(Path("/root/.pyenv/versions").glob("3.9.*/bin/python3.9"))
LOCK = ROOT / "client-extension" / "bundled-requirements.txt"  # what the extension ships for 3.9


def packaging_for_39() -> Path:
    """packaging as the VS Code extension bundles it for Python 3.9 (the newest packaging needs
    3.10), installed once under .cache/ by pip (from PyPI, as scripts/bootstrap installs)."""
    match = re.search(r"^packaging==(\S+)", LOCK.read_text(), re.M)
    assert match, f"no packaging pin in {LOCK}"
    target = ROOT / ".cache" / f"py39-packaging-{match.group(1)}"
    if not (target / "packaging").is_dir():
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [
                *pip,
                *("--target", str(target), "--python-version", "3.9", "--only-binary=:all:"),
                *("--no-deps", f"packaging=={match.group(1)}"),
            ],
            env=env,
            check=True,
            timeout=300,
        )
    return target


SCRIPT = """
from pinwise.analysis import Settings, analyze
from pinwise.analysis.rules import clear_caches as clear_analysis_caches
from pinwise.reqfile import clear_caches as clear_parser_caches, load_set

def load(text):
    return load_set(["/r/requirements.txt"], reader=lambda p: text, environ={}, cwd="/r")

def fresh(text):
    clear_parser_caches()
    clear_analysis_caches()
    return analyze(load(text), None, Settings())

text = "".join("pkg%03d==1.%d\\n" % (i, i) for i in range(60)) + "pkg005\\n"
steps = [
    text,
    text.replace("pkg010==1.10", "pkg010==1.11"),  # a pin changed: spliced
    text.replace("pkg011==1.11", "pkgxyz==1.11"),  # a project renamed: spliced
    text.replace("pkg005\\n", "pkg005 \\n"),  # a duplicate's line changed
]
analyze(load(steps[0]), None, Settings())
for step in steps[1:]:
    spliced = analyze(load(step), None, Settings())  # incremental parse, spliced analysis
    assert spliced == fresh(step), step
    analyze(load(step), None, Settings())  # warm again for the next step
print("ok", len(spliced))
"""


@pytest.mark.skipif(not PYTHON39, reason="no Python 3.9 under /root/.pyenv/versions")
def test_incremental_parse_and_splice_on_python39() -> None:
    libs = packaging_for_39()
    result = subprocess.run(
        [str(PYTHON39[-1]), "-c", SCRIPT],
        env={"PYTHONPATH": f"{ROOT / 'server'}:{libs}", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok ")


def test_bisect_by_agrees_with_bisect_key() -> None:
    import bisect
    import random

    from pinwise._compat import bisect_left_by, bisect_right_by

    rng = random.Random(7)
    for _ in range(500):
        items = sorted((rng.randint(0, 9), rng.random()) for _ in range(rng.randint(0, 12)))
        target = rng.randint(-1, 10)
        lo = rng.randint(0, len(items))
        first = lambda item: item[0]  # noqa: E731
        assert bisect_left_by(items, target, first, lo=lo) == bisect.bisect_left(
            items, target, lo, key=first
        )
        assert bisect_right_by(items, target, first, lo=lo) == bisect.bisect_right(
            items, target, lo, key=first
        )
