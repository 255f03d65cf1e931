"""Which files `pinwise check` looks at, and how it reads them safely."""

from __future__ import annotations

import os

TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# The contract's default patterns, relative to a folder.
PATTERNS = (
    "requirements*.txt",
    "*requirements*.txt",
    os.path.join("requirements", "*.txt"),
    "constraints*.txt",
    "*.in",
)

MAX_FILE_BYTES = 16 * 1024 * 1024


def discover_files(folder: str) -> list[str]:
    """The requirements files of `folder` by the default patterns: requirements.txt first, then
    the others in pattern order, sorted, each once. MANIFEST.in (setuptools) is not one."""
    import glob

    found: list[str] = []
    seen: set[str] = set()
    patterns = list(PATTERNS)
    if os.path.basename(os.path.abspath(folder)) == "requirements":
        patterns.append("*.txt")  # `pinwise check requirements/`: the `requirements/*.txt` files
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(glob.escape(folder), pattern))):
            absolute = os.path.abspath(path)
            if os.path.basename(absolute) == "MANIFEST.in":
                continue  # setuptools' file list, not requirements (`*.in` matches it)
            if absolute not in seen and os.path.isfile(absolute):
                seen.add(absolute)
                found.append(absolute)
    # the main file first: when files include each other, it is the one that stays a root
    found.sort(key=lambda p: os.path.basename(p) != "requirements.txt")
    return found


def is_constraints_name(path: str) -> bool:
    """`constraints*.txt`: meant for `-c`; checked as constraints when nothing includes it."""
    import fnmatch

    return fnmatch.fnmatch(os.path.basename(path), "constraints*.txt")


def safe_reader(path: str) -> bytes:
    """Read a requirements file, refusing devices and anything absurdly large.

    `-r /dev/zero` would otherwise never end; the OSError becomes PW006 (or, for a file given on
    the command line, exit status 2). Pipes (`<(...)`) are read, up to the size limit; a named
    pipe nobody writes to reads as empty instead of blocking for ever (`-r fifo.txt`).
    """
    from pinwise.reqfile import read_file

    return read_file(path, pipes=True, limit=MAX_FILE_BYTES)


def reduce_roots(roots: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """Drop roots that another root already includes, so each file is checked once.

    `edges` are (includer, target) pairs. Every original root stays reachable (a cycle keeps its
    first file).
    """
    graph: dict[str, list[str]] = {}
    covered: set[str] = set()
    for includer, target in edges:
        graph.setdefault(includer, []).append(target)
        if includer != target:
            covered.add(target)
    kept = [r for r in roots if r not in covered]
    reachable: set[str] = set()

    def visit(start: str) -> None:
        stack = [start]
        while stack:
            node = stack.pop()
            if node in reachable:
                continue
            reachable.add(node)
            stack.extend(graph.get(node, ()))

    for root in kept:
        visit(root)
    for root in roots:
        if root not in reachable:
            kept.append(root)
            visit(root)
    # A file kept for a cycle may be reached from a root kept after it (`a -> b -> a`, `a -> r`
    # with `r` first): then it is no root either.
    reached_from_others: set[str] = set()
    for root in kept:
        reachable.clear()
        for target in graph.get(root, ()):
            visit(target)
        reached_from_others.update(reachable - {root})
    return [r for r in roots if r in kept and r not in reached_from_others]


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml from folder `start` upwards."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
