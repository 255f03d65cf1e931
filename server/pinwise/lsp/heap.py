"""Freed memory handed back to the system, where the C library would keep it.

Python keeps its small objects in arenas of its own and returns an arena once it is empty.
Everything bigger than 512 bytes comes from the C library's `malloc`: the JSON texts of the
diagnostics, the notification of a big file (3 MB for 5,700 diagnostics), the lists and dicts of
a parse. glibc keeps what is freed for later use, and after a few analyses of a big file that is
megabytes of resident memory holding nothing (freed between blocks still in use, so never at
the top of the heap, where glibc gives memory back by itself). `malloc_trim` returns those pages.

It costs what there is to return: 0.01-0.1 ms on a heap with little freed since the last call,
about 2 ms after freeing hundreds of megabytes. So it runs after each publication (off the
keystroke's path: the diagnostics are sent) and after the idle collection.

`limit_arenas` keeps glibc from giving each worker thread an arena of its own (by default up to
8 per core, each keeping its own freed memory): the analyses run in worker threads, one at a
time under the GIL, so more arenas only spread what is kept.

Only glibc has these; elsewhere (macOS, Windows, musl) both do nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

logger = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def _glibc() -> Optional[Any]:
    try:
        import os

        if not os.confstr("CS_GNU_LIBC_VERSION"):  # (fast: platform.libc_ver reads a binary)
            return None
        import ctypes

        return ctypes.CDLL(None)  # the process's own symbols: its C library
    except (ImportError, OSError, TypeError, ValueError, AttributeError):
        return None


class Heap:
    """The C library's allocator, as far as the server tunes it; counts what trimming cost.
    ctypes is loaded on first use (the full server's start, not the prelude's)."""

    def __init__(self) -> None:
        self._loaded = False
        self._trim: Optional[Callable[[int], int]] = None
        self._mallopt: Optional[Callable[[int, int], int]] = None
        self.trims = 0
        self.seconds = 0.0

    def _load(self) -> None:
        if not self._loaded:
            libc = _glibc()
            self._trim = getattr(libc, "malloc_trim", None)
            self._mallopt = getattr(libc, "mallopt", None)
            self._loaded = True

    @property
    def available(self) -> bool:
        self._load()
        return self._trim is not None

    def limit_arenas(self) -> None:
        """One malloc arena for the threads started from now on (the analyses' workers)."""
        self._load()
        if self._mallopt is not None and not self._mallopt(_M_ARENA_MAX, 1):
            logger.debug("mallopt(M_ARENA_MAX) refused")

    def trim(self) -> None:
        """Give the pages malloc holds free back to the system."""
        self._load()
        if self._trim is None:
            return
        started = time.perf_counter()
        self._trim(0)
        self.trims += 1
        self.seconds += time.perf_counter() - started


HEAP = Heap()
