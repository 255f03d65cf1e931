"""Regression tests for the bugs the reliability work found (each named in docs/reliability.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pinwise.analysis import Fix, FixKind, Settings, analyze
from pinwise.analysis.imports_rules import add_requirement_fix
from pinwise.reqfile import load, load_set, parse, read_file
from tests.e2e.conftest import codes, uri
from tests.reliability.conftest import Start
from tests.reliability.support import command, expect


def test_fifo_include_does_not_hang(tmp_path: Path) -> None:
    """B3: `-r fifo.txt` (a named pipe nobody writes to) blocked `open()` for ever: the server
    hung. Now it is refused like a device, at once."""
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    req = tmp_path / "requirements.txt"
    req.write_text("-r fifo.txt\n-r /dev/zero\nalpha==1.0\n")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(load_set([str(req)])), daemon=True)
    worker.start()
    worker.join(10)
    assert result, "load_set hung on a FIFO"
    reqset = result[0]
    reasons = sorted(why for _, why in reqset.missing)  # type: ignore[attr-defined]
    assert any("named pipe" in r for r in reasons) and any("device" in r for r in reasons)
    assert "named pipe" in (load(str(fifo)).read_error or "")


def test_read_file_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="device"):
        read_file("/dev/zero")
    with pytest.raises(IsADirectoryError):
        read_file(str(tmp_path))
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2049)
    with pytest.raises(OSError, match="larger than"):
        read_file(str(big), limit=2048)
    assert read_file(str(big), limit=4096) == b"x" * 2049


def test_read_file_reads_a_pipe_with_a_writer_when_allowed(tmp_path: Path) -> None:
    """`pinwise check <(cmd)`: a pipe the user gave on the command line is read."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(b"alpha==1.0\n")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    fd = os.open(fifo, os.O_RDONLY)  # wait for the writer, as a shell's <(...) has one
    try:
        assert read_file(f"/proc/self/fd/{fd}", pipes=True) == b"alpha==1.0\n"
    finally:
        os.close(fd)
    writer.join(5)


def test_cli_check_with_fifo_include_finishes(tmp_path: Path) -> None:
    """B3 (CLI): `pinwise check` on a file with `-r fifo.txt` never returned."""
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    req = tmp_path / "requirements.txt"
    req.write_text("-r fifo.txt\n-r /dev/zero\nalpha==1.0\n")
    result = subprocess.run(
        [sys.executable, "-m", "pinwise", "check", str(req), "--python", sys.executable],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "PW006" in result.stdout  # /dev/zero


def _apply(text: str, fix: Fix) -> str:
    from pinwise.freeze.merge import apply_edits

    return apply_edits(text, fix.edits)


def _invalid(text: str) -> list[str]:
    return [ll.raw_text for ll in parse(text, "/p/requirements.txt").logical_lines if ll.error]


@pytest.mark.parametrize("text", ["foo \\", "alpha\nfoo \\\n", "foo \\\\"])
def test_ignore_fix_after_a_dangling_continuation(text: str) -> None:
    """B1: `Ignore PWnnn` appended its comment after a backslash ending the file: the comment
    turned the backslash into part of the requirement (`foo \\`), a new PW005."""
    reqset = load_set(["/p/requirements.txt"], reader=lambda path: text, cwd="/p")
    fixes = [
        fix
        for finding in analyze(reqset, None, Settings())
        for fix in finding.fixes
        if fix.kind is FixKind.IGNORE and finding.span.start.line == len(text.splitlines()) - 1
    ]
    assert fixes
    for fix in fixes:
        after = _apply(text, fix)
        assert _invalid(after) == [], after
        line = parse(after, "/p/requirements.txt").logical_lines[-1]
        assert line.suppression is not None, after


@pytest.mark.parametrize("text", ["foo \\", "foo \\\nbar \\\n", "alpha==1\nzeta \\\r\n"])
def test_add_requirement_after_a_dangling_continuation(text: str) -> None:
    """B2: PW015's `Add <dist> to requirements.txt` appended the line to a file ending in a
    backslash: pip joined the two lines into one invalid requirement."""
    rf = parse(text, "/p/requirements.txt")
    fix, why = add_requirement_fix(rf, "newdist", "1.0")
    assert fix is not None, why
    after = _apply(text, fix)
    assert _invalid(after) == _invalid(text), after
    names = [ll.requirement.name for ll in parse(after, "/p/r.txt").logical_lines if ll.requirement]
    assert "newdist" in names, after


@pytest.mark.slow
async def test_install_missing_expands_variables_in_urls(
    lsp: Start, project: Path, wheelhouse: Path
) -> None:
    """B7: a URL requirement written with ${VAR} reached pip unexpanded on its command line
    (pip expands variables in files only): the missing lines now go through a file."""
    req = project / "requirements.txt"
    req.write_text(
        "--no-index\nalpha==1.0\nbeta==1.0\n"
        "gamma @ file://${PW_WHEELS}/gamma-0.5-py3-none-any.whl\n"
    )
    client = await lsp(project, env={"PW_WHEELS": str(wheelhouse)})
    client.open(req)
    await expect(client, req, lambda d: codes(d) == ["PW002"])
    result = await command(client, "pinwise.installMissing", uri(req))
    assert result["ok"] is True, result
    await expect(client, req, lambda d: not d)
    assert str(wheelhouse) not in "".join(client.received)  # the value is never shown
