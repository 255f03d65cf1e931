"""A memo that keeps what the last rounds of work used, and nothing older.

The language server's caches (parsed lines, findings per line) are keyed by objects that die as
the text is edited: a line inserted near the top of a 5,000-line file gives 5,000 lines new
keys. Bounded only by a count, they kept every dead key up to it (370 MB after a dozen such
keystrokes); cleared at the count, the next keystroke found nothing. Here a round (`rotate`,
called when the whole of something is worked out again) keeps what the two rounds before it
used: a key untouched for three rounds is dropped. Two, not one: Enter then Backspace brings
back the keys of the round before the last.

Safe between threads as a cache: every change is one atomic dictionary operation or
assignment; a race can only lose an entry, never mix two.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, Union

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")

_MISSING: Any = object()


class Generations(Generic[K, V]):
    __slots__ = ("current", "limit", "older", "previous")

    def __init__(self, limit: int) -> None:
        self.current: dict[K, V] = {}
        self.previous: dict[K, V] = {}  # the last round's
        self.older: dict[K, V] = {}  # the round before's
        self.limit = limit  # entries of one round: past it, a new round starts early

    def get(self, key: K, default: D) -> Union[V, D]:
        """The value of `key` (kept for this round when the last one had it), else `default`."""
        value = self.current.get(key, _MISSING)
        if value is _MISSING:
            value = self.previous.get(key, _MISSING)
            if value is _MISSING:
                value = self.older.get(key, _MISSING)
                if value is _MISSING:
                    return default
            self.current[key] = value
        return value  # type: ignore[no-any-return]

    def put(self, key: K, value: V) -> None:
        if len(self.current) >= self.limit:
            self.rotate()
        self.current[key] = value

    def keep_as(self, key: K, kept: K) -> None:
        """Hold `key`'s entry of this round (it was just read or put) under `kept`, an equal key
        made of objects kept already: a key read makes the round hold the reader's objects."""
        value = self.current.pop(key, _MISSING)
        if value is not _MISSING:
            self.current[kept] = value

    def rotate(self) -> None:
        """Begin a round: what the last two rounds used is kept."""
        self.older = self.previous
        self.previous = self.current
        self.current = {}

    def __len__(self) -> int:
        """Entries kept (one used in several rounds counts once per round that holds it)."""
        return len(self.current) + len(self.previous) + len(self.older)
