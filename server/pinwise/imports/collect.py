"""Collecting a workspace's imports with `ast`, each with the exact span of its module name.

Absolute imports only (relative ones are the project's own). Imports under `if TYPE_CHECKING:`
(or `typing.TYPE_CHECKING`) and inside `try: ... except ImportError:` (or `ModuleNotFoundError`)
fallbacks are marked `guarded`: the code runs without them. A file that does not parse never
raises: it is skipped and noted. Each file's result is cached by (path, mtime_ns, size).
"""

from __future__ import annotations

import ast
import io
import os
import re
import threading
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Optional

from pinwise.spans import Position, Span

# Folder names never walked into (besides hidden folders and any folder holding pyvenv.cfg).
SKIPPED_DIRS = frozenset(
    {
        "build",
        "dist",
        "node_modules",
        "__pycache__",
        "site-packages",
        "__pypackages__",
    }
)
MAX_FILES = 20000

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_IGNORE_COMMENT = re.compile(r"#\s*pinwise:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)


@dataclass(frozen=True)
class ImportRef:
    """One absolute import of `module` (dotted, as written) in `path`."""

    path: str
    module: str  # `a.b.c` for `import a.b.c` and `from a.b.c import x`
    span: Span  # the module name as written (0-based line, code-point columns)
    suppressed: frozenset[str] = frozenset()  # codes silenced on its line; {"*"}: every code
    # under `if TYPE_CHECKING:` or in a `try/except ImportError` fallback: optional, so never
    # reported as undeclared (PW015), but it still counts as a use (PW016)
    guarded: bool = False

    @property
    def top(self) -> str:
        return self.module.split(".", 1)[0]

    def silences(self, code: str) -> bool:
        return "*" in self.suppressed or code in self.suppressed


@dataclass(frozen=True)
class FileImports:
    path: str
    imports: tuple[ImportRef, ...] = ()
    error: Optional[str] = None  # why the file was skipped (syntax error, unreadable)


@dataclass(frozen=True)
class WorkspaceImports:
    root: str
    files: tuple[FileImports, ...] = ()
    first_party: frozenset[str] = frozenset()  # top-level names of the project's own code
    notes: tuple[str, ...] = ()  # skipped files and similar, with paths
    # local folders holding Python files without an `__init__.py` (namespace portions): the
    # project's own code only when nothing installed provides the name, since Python imports an
    # installed package or module over them (Alembic's `alembic/env.py` folder, say)
    namespaces: frozenset[str] = frozenset()

    @property
    def imports(self) -> Iterator[ImportRef]:
        for file in self.files:
            yield from file.imports


# --- one file --------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return False


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    for item in kinds:
        name = item.attr if isinstance(item, ast.Attribute) else getattr(item, "id", None)
        if name in _IMPORT_ERRORS:
            return True
    return False


def _is_import_fallback(node: ast.Try) -> bool:
    """`try: import x` / `except ImportError:` with a handler that carries on without x (one that
    re-raises means x is required after all)."""
    handlers = [h for h in node.handlers if _catches_import_error(h)]
    return bool(handlers) and not all(
        any(isinstance(stmt, ast.Raise) for stmt in h.body) for h in handlers
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement, and whether it is guarded (under TYPE_CHECKING, or a
    try/except ImportError fallback): guarded imports are optional for the code to run."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, guarded = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, guarded
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, guarded) for child in reversed(node.orelse))
            stack.extend((child, True) for child in reversed(node.body))
            continue
        if isinstance(node, ast.Try) and _is_import_fallback(node):
            rest = [*node.orelse, *node.finalbody]
            stack.extend((child, guarded) for child in reversed(rest))
            guarded_part = [*node.body, *(s for h in node.handlers for s in h.body)]
            stack.extend((child, True) for child in reversed(guarded_part))
            continue
        if isinstance(node, ast.expr):
            continue
        stack.extend((child, guarded) for child in reversed(list(ast.iter_child_nodes(node))))


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def _module_spans(node: ast.stmt, lines: list[str]) -> list[tuple[str, Span]]:
    """(dotted name, span) of each absolute module the statement imports, found by tokenizing
    the statement itself (ast gives no positions for names before Python 3.10, and its columns
    are UTF-8 byte offsets)."""
    first = node.lineno - 1
    last = (node.end_lineno or node.lineno) - 1
    if first >= len(lines):
        return []
    start = _char_col(lines[first], node.col_offset)
    segment = [lines[first][start:], *lines[first + 1 : last + 1]]
    readline = io.StringIO("\n".join(segment) + "\n").readline
    result: list[tuple[str, Span]] = []
    parts: list[str] = []
    begin: Optional[Position] = None
    end: Optional[Position] = None
    is_from = isinstance(node, ast.ImportFrom)
    want = 1 if is_from else len(node.names) if isinstance(node, ast.Import) else 0
    state = "keyword"  # keyword -> name -> (as alias | , | import) ...
    try:
        for tok in tokenize.generate_tokens(readline):
            if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            row = first + tok.start[0] - 1
            col = tok.start[1] + (start if tok.start[0] == 1 else 0)
            ecol = tok.end[1] + (start if tok.end[0] == 1 else 0)
            if state == "keyword":
                state = "name"
                continue
            if state == "alias":
                state = "after"
                continue
            if (
                tok.type == tokenize.NAME
                and tok.string not in ("as", "import")
                and state in ("name", "dot")
            ):
                parts.append(tok.string)
                begin = begin or Position(row, col)
                end = Position(first + tok.end[0] - 1, ecol)
                state = "dotted"
                continue
            if tok.type == tokenize.OP and tok.string == "." and state in ("dotted", "name"):
                if state == "name":  # a relative import: `from . import x`, `from .a import b`
                    return result
                state = "dot"
                continue
            # the dotted name has ended
            if parts and begin is not None and end is not None:
                result.append((".".join(parts), Span(begin, end)))
                parts, begin, end = [], None, None
                if len(result) >= want:
                    return result
            if tok.string == "as":
                state = "alias"
            elif tok.string == ",":
                state = "name"
            else:
                state = "after"
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    if parts and begin is not None and end is not None and len(result) < want:
        result.append((".".join(parts), Span(begin, end)))
    return result


def _suppression(line: str) -> frozenset[str]:
    match = _IGNORE_COMMENT.search(line)
    if match is None:
        return frozenset()
    codes = match.group("codes")
    if codes is None:
        return frozenset({"*"})
    return frozenset(c.strip().upper() for c in codes.split(",") if c.strip())


_QUIET_PARSE = threading.Lock()


def _parse_quietly(text: str, path: str) -> ast.Module:
    """`ast.parse` without the compiler's warnings about the user's code (an invalid escape
    sequence such as "\\d": a SyntaxWarning from Python 3.12, a DeprecationWarning before).
    They were printed on Pinwise's stderr as if they were its own, and with warnings turned
    into errors (`-W error`, `PYTHONWARNINGS`) the file could not be parsed at all. The
    warning filters are the process's: one parse at a time changes them."""
    with _QUIET_PARSE, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def parse_imports(text: str, path: str) -> FileImports:
    """The needed absolute imports of one Python source text (an editor buffer or a file)."""
    try:
        tree = _parse_quietly(text, path)
    except (SyntaxError, ValueError) as exc:  # ValueError: null bytes
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        return FileImports(
            path, (), f"{path}: not checked, Python cannot parse it{where}: {reason}"
        )
    # the lines as `ast` counts them (\n, \r\n, \r): `splitlines` also ends one at a form feed
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    refs: list[ImportRef] = []
    for node, guarded in _imports(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or node.module is None):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        for module, span in _module_spans(node, lines):
            line = lines[span.start.line] if span.start.line < len(lines) else ""
            refs.append(ImportRef(path, module, span, _suppression(line), guarded))
    refs.sort(key=lambda r: (r.span.start, r.module))
    return FileImports(path, tuple(refs))


_CACHE: dict[str, tuple[tuple[int, int], FileImports]] = {}


def file_imports(path: str) -> FileImports:
    """`parse_imports` of the file at `path`, cached by (path, mtime_ns, size)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return FileImports(path, (), f"{path}: cannot read: {exc.strerror or exc}")
    key = (st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = _decode(data)
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        result = FileImports(path, (), f"{path}: cannot read: {exc}")
    else:
        result = parse_imports(text, path)
    _CACHE[path] = (key, result)
    return result


def clear_cache() -> None:
    _CACHE.clear()


# --- the workspace ---------------------------------------------------------------------------


def _skip_dir(folder: str, name: str) -> bool:
    if name.startswith(".") or name in SKIPPED_DIRS or name.endswith((".egg-info", ".dist-info")):
        return True
    return os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))


def python_files(root: str, *, max_files: int = MAX_FILES) -> tuple[list[str], list[str]]:
    """Every `.py` file under `root` (sorted), skipping venvs, build/dist, hidden folders,
    node_modules and __pycache__; and notes (e.g. the limit was reached)."""
    found: list[str] = []
    notes: list[str] = []
    if os.path.isfile(os.path.join(root, "pyvenv.cfg")):
        return found, [f"{root}: is a virtual environment, not searched for imports"]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skip_dir(folder, d))
        for name in sorted(files):
            if name.endswith((".py", ".pyw")):
                found.append(os.path.join(folder, name))
                if len(found) >= max_files:
                    notes.append(f"{root}: more than {max_files} Python files, the rest skipped")
                    return found, notes
    return found, notes


def _has_python(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(e.name.endswith(".py") and e.is_file() for e in entries)
    except OSError:
        return False


def local_modules(folder: str, namespaces: Optional[set[str]] = None) -> set[str]:
    """Top-level module names defined directly in `folder`: `x.py`, packages `x/` (with an
    `__init__.py`, or namespace folders holding `.py` files), extension modules `x.*.so`. With
    `namespaces`, the namespace folders go there instead."""
    names: set[str] = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return names
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            if name.startswith(".") or name in SKIPPED_DIRS or not name.isidentifier():
                continue
            if os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")):
                continue
            if os.path.exists(os.path.join(entry.path, "__init__.py")):
                names.add(name)
            elif _has_python(entry.path):
                (names if namespaces is None else namespaces).add(name)
        elif name.endswith((".py", ".pyw", ".so", ".pyd")):
            stem = name.split(".", 1)[0]
            if stem.isidentifier() and stem != "__init__":
                names.add(stem)
    return names


def first_party_modules(root: str, namespaces: Optional[set[str]] = None) -> frozenset[str]:
    """The project's own top-level modules: in the workspace root and in `src/` (with
    `namespaces`, namespace folders go there: see `local_modules`)."""
    names = local_modules(root, namespaces)
    src = os.path.join(root, "src")
    if os.path.isdir(src):
        names |= local_modules(src, namespaces)
        names.discard("src")
        if namespaces is not None:
            namespaces.discard("src")
    return frozenset(names)


def collect(root: str, *, max_files: int = MAX_FILES) -> WorkspaceImports:
    """Every needed third-party-candidate import under `root`: absolute imports, minus the
    project's first-party modules and modules defined next to the importing file (scripts that
    import their siblings). Standard-library names are *not* removed here (that depends on the
    selected interpreter's version: see `pinwise.imports.stdlib`)."""
    root = os.path.abspath(root)
    paths, notes = python_files(root, max_files=max_files)
    namespaces: set[str] = set()
    first_party = first_party_modules(root, namespaces)
    siblings: dict[str, set[str]] = {}
    files: list[FileImports] = []
    for path in paths:
        result = file_imports(path)
        if result.error:
            notes.append(result.error)
        folder = os.path.dirname(path)
        if folder not in siblings:
            siblings[folder] = local_modules(folder) if folder != root else set()
        own = siblings[folder]
        kept = tuple(r for r in result.imports if r.top not in first_party and r.top not in own)
        files.append(FileImports(path, kept, result.error))
    return WorkspaceImports(
        root, tuple(files), first_party, tuple(notes), frozenset(namespaces - first_party)
    )


def with_buffer(workspace: WorkspaceImports, path: str, text: str) -> WorkspaceImports:
    """`workspace` with one file's imports taken from an editor buffer (unsaved text): for the
    language server's PW015 on open .py files. First-party and sibling modules are removed as
    `collect` does."""
    path = os.path.abspath(path)
    result = parse_imports(text, path)
    folder = os.path.dirname(path)
    own = local_modules(folder) if folder != workspace.root else set()
    kept = tuple(
        r for r in result.imports if r.top not in workspace.first_party and r.top not in own
    )
    fresh = FileImports(path, kept, result.error)
    files = [f for f in workspace.files if f.path != path]
    files.append(fresh)
    files.sort(key=lambda f: f.path)
    return replace(workspace, files=tuple(files))
