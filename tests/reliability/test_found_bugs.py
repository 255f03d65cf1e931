"""Regression tests for the bugs the reliability work found (each named in docs/reliability.md)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pinwise.reqfile import load, load_set, read_file


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
