"""The cyclic garbage collector, kept off the keystroke path.

What an analysis leaves behind (parsed lines, findings, the texts sent) lives on in the caches
that make the next keystroke cheap, or is freed by reference counting: the engine makes no
reference cycles (`tests/unit/test_lsp_collector.py` checks). Left to itself, the collector
scanned those objects again and again: a cold keystroke on 5,000 lines made 100,000 of them,
each later young-generation collection walked them all (15-30 ms), and every few keystrokes an
older generation's walked the lot (250-350 ms).

So an analysis runs with the collector paused, and after it everything alive is frozen
(`gc.freeze`: moved out of the collector's generations, in constant time, unwalked); after
publishing, once more; and the whole heap is collected once the server has been idle
for `IDLE_SECONDS` (or after `MAX_FROZEN` analyses without a pause), then frozen again: a cycle
made meanwhile (by asyncio or pygls) waits for that pause instead of the next collection.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from typing import Callable, Optional, TypeVar

from pinwise.lsp.heap import HEAP

A = TypeVar("A")
R = TypeVar("R")

logger = logging.getLogger(__name__)

IDLE_SECONDS = 5.0
MAX_FROZEN = 500  # analyses without an idle pause before the whole heap is collected anyway


class GcClock:
    """Time spent in the collector's own collections (automatic ones included), for
    `pinwise.stats`: installed once per process."""

    def __init__(self) -> None:
        self.collections = 0
        self.seconds = 0.0
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        self.collections += 1
        self.seconds += took
        self.longest = max(self.longest, took)


CLOCK = GcClock()


class _Analyses:
    """Analyses running now in any thread, and when the last one ended (published or not)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.last_ended = 0.0  # time.monotonic()


_ANALYSES = _Analyses()


def without_collections(work: Callable[[A], R], argument: A) -> R:
    """`work(argument)` with the collector paused, what it leaves frozen before the collector
    resumes: its next collection would otherwise walk every object an analysis made (45-60 ms
    on 5,000 lines). Called in the server's worker threads: the pause is process-wide, as the
    engine's own pauses around a parse and an analysis are."""
    with _ANALYSES.lock:
        _ANALYSES.running += 1
    collecting = gc.isenabled()
    gc.disable()
    try:
        return work(argument)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
        with _ANALYSES.lock:
            _ANALYSES.running -= 1
            _ANALYSES.last_ended = time.monotonic()


class Collector:
    def __init__(self) -> None:
        self._idle: Optional[asyncio.TimerHandle] = None
        self._since_collection = 0
        self._last_activity = time.monotonic()
        self.full_collections = 0  # whole-heap collections made by `collect_now`
        if CLOCK not in gc.callbacks:
            gc.callbacks.append(CLOCK)

    def note_activity(self) -> None:
        """An edit, a change of settings or environment: an analysis is on its way."""
        self._last_activity = time.monotonic()

    def after_analysis(self) -> None:
        """Freeze what the analysis left (on the event loop, after publishing), and collect the
        whole heap when the server next pauses."""
        self._last_activity = time.monotonic()
        self._since_collection += 1
        if self._since_collection >= MAX_FROZEN:
            self.collect_now()
            return
        gc.freeze()
        HEAP.trim()  # what the last version's objects and texts held, freed just now
        if self._idle is not None:
            self._idle.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on an event loop (a synchronous test): nothing to wait for
            return
        self._idle = loop.call_later(IDLE_SECONDS, self._when_idle, loop)

    def _when_idle(self, loop: asyncio.AbstractEventLoop) -> None:
        # An analysis running in a worker thread, one just ended (published or dropped as
        # stale), or one on its way (an edit waiting for its debounce): a walk of the whole heap
        # would hold it up. Wait until the server has been idle for IDLE_SECONDS.
        quiet_for = time.monotonic() - max(self._last_activity, _ANALYSES.last_ended)
        if _ANALYSES.running or quiet_for < IDLE_SECONDS:
            wait = IDLE_SECONDS if _ANALYSES.running else IDLE_SECONDS - quiet_for
            self._idle = loop.call_later(max(wait, 0.01), self._when_idle, loop)
            return
        self.collect_now()

    def collect_now(self) -> None:
        """Collect the whole heap, frozen objects included, then freeze the survivors."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self._since_collection = 0
        self.full_collections += 1
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        HEAP.trim()
        logger.debug(
            "collected %d unreachable objects in %.0f ms",
            found,
            (time.perf_counter() - started) * 1000,
        )
