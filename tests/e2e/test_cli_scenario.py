"""End to end: the bundled demo, built by its own script, checked by `python -m pinwise`.

Every rule PW001-PW014 must show: PW001-PW009 and PW011-PW014 in the demo's venv, PW010 (and
PW008's hash-checking mode) on `demo/locked` against the base, non-venv interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ALL_CODES = {f"PW{n:03d}" for n in range(1, 15)}

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.pop("VIRTUAL_ENV", None)
    env["NO_COLOR"] = "1"
    return env


def pinwise(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pinwise", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def base_python() -> str:
    """The interpreter this test venv was made from: not a virtual environment."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("scenario") / "demo"
    shutil.copytree(REPO / "demo", target, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    subprocess.run(
        [sys.executable, str(target / "make_demo_env.py")],
        env=_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def codes(proc: subprocess.CompletedProcess[str]) -> set[str]:
    data: dict[str, Any] = json.loads(proc.stdout)
    return {d["code"] for d in data["diagnostics"]}


def test_every_rule_shows_on_the_demo(demo: Path) -> None:
    venv = pinwise("check", "--python", ".venv/bin/python", "--format", "json", cwd=demo)
    assert venv.returncode == 1, venv.stderr
    found = codes(venv)
    assert "PW010" not in found
    assert ALL_CODES - {"PW010", "PW008"} <= found
    base = pinwise("check", "locked", "--python", base_python(), "--format", "json", cwd=demo)
    assert base.returncode == 1, base.stderr
    assert {"PW008", "PW010"} <= codes(base)
    assert found | codes(base) >= ALL_CODES


def test_text_output_of_the_demo(demo: Path) -> None:
    proc = pinwise("check", "--python", ".venv/bin/python", cwd=demo)
    assert proc.returncode == 1
    out = proc.stdout
    assert "requirements.txt:5:9: PW003 warning: webframe 1.4.0 is installed" in out
    assert "    fix: Update pin to installed version (==1.4.0)" in out
    # the demo's pyproject.toml makes PW013 an error
    assert "PW013 error:" in out
    # the suppressed line stays quiet
    assert "legacy-shim" not in out
    assert out.splitlines()[-1].endswith(
        f"in 4 files (interpreter: .venv, Python {'.'.join(map(str, sys.version_info[:3]))})"
    )
    assert "Traceback" not in proc.stderr


def test_the_demo_default_discovery_finds_its_venv(demo: Path) -> None:
    # from the folder above, `pinwise check demo` finds demo/.venv by itself
    proc = pinwise("check", "demo", "--format", "json", cwd=demo.parent)
    data = json.loads(proc.stdout)
    assert data["interpreter"]["path"] == str(demo / ".venv" / "bin" / "python")
    assert data["interpreter"]["is_venv"] is True


def test_github_format_of_the_demo(demo: Path) -> None:
    proc = pinwise("check", "--python", ".venv/bin/python", "--format", "github", cwd=demo)
    lines = proc.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(",title=PW007::" in line for line in lines)
