"""`lsp.heap` gives what glibc's malloc keeps freed back to the system, and does nothing where
the C library is another."""

from __future__ import annotations

import os
import platform
import re

import pytest

from pinwise.lsp.heap import Heap

GLIBC = platform.libc_ver()[0] == "glibc"


def resident_kb() -> int:
    with open("/proc/self/status") as status:
        match = re.search(r"VmRSS:\s+(\d+)", status.read())
    assert match
    return int(match.group(1))


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_trim_returns_freed_pages_held_between_live_blocks() -> None:
    heap = Heap()
    assert heap.available
    heap.trim()
    # Texts over 512 bytes come from malloc; a live one after every freed one keeps the freed
    # memory inside the heap, where malloc keeps it (as the texts of a big file's diagnostics).
    kept, freed = [], []
    for n in range(40_000):
        freed.append("x" * (700 + n % 300))
        kept.append("y" * 600)
    before = resident_kb()
    del freed
    held = resident_kb()
    heap.trim()
    after = resident_kb()
    assert before - held < 10_000  # freeing alone gave back (nearly) nothing
    assert held - after > 20_000  # ~35 MB freed: trimming gives most of it back
    assert heap.trims == 2 and heap.seconds > 0
    assert len(kept) == 40_000


def test_without_glibc_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "confstr", lambda name: None)
    heap = Heap()
    assert not heap.available
    heap.limit_arenas()
    heap.trim()
    assert heap.trims == 0 and heap.seconds == 0.0
