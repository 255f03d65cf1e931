"""Findings, fixes and settings: what the rules produce and how they are configured.

Shared contract between `analysis` and the faces (CLI, LSP). Fields may be added; existing ones
are not renamed or removed without updating every user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional, Union, overload

from pinwise._compat import SLOTS
from pinwise.spans import Span, TextEdit


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


RULES: dict[str, tuple[Severity, str]] = {
    "PW001": (Severity.WARNING, "requirement is not pinned to one version"),
    "PW002": (Severity.WARNING, "requirement is not installed in the selected environment"),
    "PW003": (Severity.WARNING, "installed version does not satisfy the requirement"),
    "PW004": (Severity.WARNING, "the same project is required more than once"),
    "PW005": (Severity.ERROR, "the line is not valid for pip"),
    "PW006": (Severity.ERROR, "an included file does not exist or cannot be read"),
    "PW007": (Severity.ERROR, "includes form a cycle"),
    "PW008": (Severity.ERROR, "hash-checking mode is inconsistent"),
    "PW009": (Severity.HINT, "the environment marker excludes the requirement here"),
    "PW010": (Severity.WARNING, "the selected interpreter is not a virtual environment"),
    "PW011": (Severity.INFORMATION, "installed distributions no requirement accounts for"),
    "PW012": (Severity.WARNING, "an installed requirement's dependency is missing or conflicts"),
    "PW013": (Severity.WARNING, "a VCS or URL requirement points at a moving target"),
    "PW014": (Severity.WARNING, "an extra is requested but its dependencies are not installed"),
    "PW015": (Severity.WARNING, "an imported third-party package is not declared"),
    "PW016": (Severity.INFORMATION, "a declared requirement nothing imports or requires"),
    "PW017": (Severity.WARNING, "a compiled requirements file disagrees with its .in file"),
}


class FixKind(str, Enum):
    PIN = "pin"  # Pin to installed version
    UPDATE_PIN = "update-pin"  # Update pin to installed version
    REMOVE_DUPLICATE = "remove-duplicate"  # Remove duplicate requirement
    IGNORE = "ignore"  # Ignore PWnnn on this line
    ADD_REQUIREMENT = "add-requirement"  # Add <dist>==<version> to requirements.txt (PW015)


@dataclass(frozen=True, **SLOTS)
class Fix:
    title: str  # begins with the contract's words ("Pin to installed version", ...)
    kind: FixKind
    edits: tuple[TextEdit, ...]
    is_preferred: bool = False


class LazyFixes(Sequence[Fix]):
    """A finding's fixes, made the first time they are read (then kept).

    Most fixes are never read: an editor asks for the ones under the cursor. Made up front, they
    were a fifth of a big file's analysis and a third of the memory it kept (a fix is a handful
    of objects: edits, spans, positions, a title). Equal to, and hashed as, the tuple of the same
    fixes. `build(*args)` must be pure, and its arguments small: a finding the analysis memo keeps
    lives across many versions of its file, and must not keep each version's whole file alive.
    Two threads reading a new one at once both build it; they get equal tuples. Not a tuple: a
    caller that needs one (to concatenate, for `dataclasses.asdict`) calls `tuple(fixes)`.
    """

    __slots__ = ("_args", "_build", "_made")

    def __init__(self, build: Callable[..., tuple[Fix, ...]], *args: Any) -> None:
        self._build = build
        self._args = args
        self._made: Optional[tuple[Fix, ...]] = None

    @property
    def args(self) -> tuple[Any, ...]:
        """What `build` is called with."""
        return self._args

    def with_args(self, *args: Any) -> LazyFixes:
        """The same fixes' builder with other arguments (not made yet)."""
        made: LazyFixes = _new(LazyFixes)  # (no `__init__`: an analysis moved makes thousands)
        _LAZY_BUILD(made, self._build)
        _LAZY_ARGS(made, args)
        _LAZY_MADE(made, None)
        return made

    @property
    def is_made(self) -> bool:
        """Whether the fixes were made already (tests and benchmarks look)."""
        return self._made is not None

    def fixes(self) -> tuple[Fix, ...]:
        made = self._made
        if made is None:
            made = self._made = self._build(*self._args)
        return made

    @overload
    def __getitem__(self, index: int) -> Fix: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Fix, ...]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Fix, tuple[Fix, ...]]:
        return self.fixes()[index]

    def __len__(self) -> int:
        return len(self.fixes())

    def __iter__(self) -> Iterator[Fix]:
        return iter(self.fixes())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyFixes):
            return self is other or self.fixes() == other.fixes()
        if isinstance(other, tuple):
            return self.fixes() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.fixes())

    def __repr__(self) -> str:
        return repr(self.fixes())


_new = object.__new__
_LAZY_BUILD = LazyFixes.__dict__["_build"].__set__
_LAZY_ARGS = LazyFixes.__dict__["_args"].__set__
_LAZY_MADE = LazyFixes.__dict__["_made"].__set__


@dataclass(frozen=True, **SLOTS)
class Finding:
    code: str  # PWnnn
    severity: Severity
    message: str  # never contains an expanded ${VAR} value or a URL password
    path: str  # the file the finding is in (absolute)
    span: Span
    fixes: Sequence[Fix] = ()  # a tuple, or `LazyFixes` (made when first read)
    name: Optional[str] = None  # the normalised project name it is about, when there is one
    related: tuple[tuple[str, Span, str], ...] = ()  # (path, span, message): other places


@dataclass(frozen=True)
class Settings:
    """`[tool.pinwise]` of pyproject.toml, the LSP `pinwise` section, and CLI flags, merged."""

    severity: dict[str, Optional[Severity]] = field(default_factory=dict)  # None: off
    ignore: frozenset[str] = frozenset()
    select: Optional[frozenset[str]] = None  # None: every code
    source: Optional[str] = None  # where they were read from (a pyproject.toml path), if anywhere
    messages: tuple[str, ...] = ()  # non-fatal remarks made while reading them (unknown keys...)

    def severity_of(self, code: str) -> Optional[Severity]:
        """The severity a finding of `code` gets, or None when it is switched off."""
        if code in self.ignore or (self.select is not None and code not in self.select):
            return None
        if code in self.severity:
            return self.severity[code]
        return RULES[code][0]
