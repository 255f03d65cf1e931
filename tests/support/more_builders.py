"""More builders for the imports / pyproject / pip-tools tests (builders.py stays as it is)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pinwise.spans import Position, TextEdit
from tests.support.builders import PIP_ENV, make_wheel


def namespace_wheels(out_dir: Path, namespace: str, parts: Sequence[tuple[str, str, str]]) -> None:
    """One wheel per (project name, version, sub-package) sharing the top-level `namespace`
    (a PEP 420 namespace: no `namespace/__init__.py`), each with top_level.txt = namespace."""
    for name, version, sub in parts:
        make_wheel(
            out_dir,
            name,
            version,
            modules={f"{namespace}/{sub}/__init__.py": f"NAME = {name!r}\n"},
            top_level=[namespace],
        )


def offsets(text: str) -> list[int]:
    """Start offset of each line (as an LSP client counts lines: \\n, \\r\\n, \\r end one)."""
    starts = [0]
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            starts.append(i + 2)
            i += 2
            continue
        if ch in "\r\n":
            starts.append(i + 1)
        i += 1
    return starts


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply TextEdits (engine positions: line, code-point column) to `text` as an editor would."""
    starts = offsets(text)

    def at(pos: Position) -> int:
        if pos.line >= len(starts):
            return len(text)
        return min(starts[pos.line] + pos.character, len(text))

    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True)
    for edit in ordered:
        text = text[: at(edit.span.start)] + edit.new_text + text[at(edit.span.end) :]
    return text


def run_pip_compile(
    folder: Path, source: str, output: str, find_links: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """pip-compile (pip-tools, the test dependency) offline against `find_links`."""
    env = dict(PIP_ENV)
    env.pop("CUSTOM_COMPILE_COMMAND", None)
    cmd = [
        sys.executable,
        "-m",
        "piptools",
        "compile",
        "--no-index",
        "--find-links",
        str(find_links),
        "--no-strip-extras",
        *extra,
        "--output-file",
        output,
        source,
    ]
    return subprocess.run(
        cmd, cwd=folder, env=env, capture_output=True, text=True, check=True, timeout=300
    )


def uv_executable() -> str:
    here = Path(sys.executable).parent
    for name in ("uv", "uv.exe"):
        if (here / name).exists():
            return str(here / name)
    return "uv"


def run_uv_compile(
    folder: Path, source: str, output: str, find_links: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`uv pip compile` offline against `find_links` (uv's own configuration ignored)."""
    env = {k: v for k, v in PIP_ENV.items() if not k.startswith("UV_")}
    env["UV_NO_CONFIG"] = "1"
    env["UV_CACHE_DIR"] = str(folder / ".uv-cache")
    env["UV_OFFLINE"] = "1"
    cmd = [
        uv_executable(),
        "pip",
        "compile",
        "--no-index",
        "--find-links",
        str(find_links),
        *extra,
        "-o",
        output,
        source,
    ]
    return subprocess.run(
        cmd, cwd=folder, env=env, capture_output=True, text=True, check=True, timeout=300
    )


def write(path: Path, text: str) -> Path:
    """Write `text` byte for byte (no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return path


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


__all__ = [
    "apply_edits",
    "namespace_wheels",
    "offsets",
    "read",
    "run_pip_compile",
    "run_uv_compile",
    "uv_executable",
    "write",
]
