"""What the server knows: environments (one per interpreter), workspace folders, open documents."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union, overload

from lsprotocol import types

from pinwise.analysis.model import Finding, Settings
from pinwise.compiled import CompiledInfo
from pinwise.environment.model import Snapshot
from pinwise.lsp.documents import Lines
from pinwise.lsp.settings import FolderSettings
from pinwise.lsp.wire import ClientRange
from pinwise.pyproject.declarations import PyprojectDeclarations
from pinwise.reqfile.model import RequirementsFile, RequirementsSet


class DiagnosticList(Sequence[types.Diagnostic]):
    """A document's diagnostics as the JSON texts sent to the client (ASCII) and their client
    ranges, seen as lsprotocol objects on access (made from the text, once each)."""

    def __init__(self, texts: list[bytes], ranges: list[ClientRange]) -> None:
        self.texts = texts
        self.ranges = ranges
        self._made: dict[int, types.Diagnostic] = {}

    @property
    def payload(self) -> list[dict[str, Any]]:
        """The diagnostics as JSON data (for a client transport that does not take the texts)."""
        return [json.loads(text) for text in self.texts]

    def range_key(self, index: int) -> ClientRange:
        """The client range of diagnostic `index`, without making the object."""
        return self.ranges[index]

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> types.Diagnostic: ...

    @overload
    def __getitem__(self, index: slice) -> list[types.Diagnostic]: ...

    def __getitem__(
        self, index: Union[int, slice]
    ) -> Union[types.Diagnostic, list[types.Diagnostic]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self.texts)
        made = self._made.get(index)
        if made is None:
            data = json.loads(self.texts[index])
            made = converter().structure(data, types.Diagnostic)
            self._made[index] = made
        return made


_CONVERTER: list[Any] = []


def converter() -> Any:
    if not _CONVERTER:
        from pygls.protocol import default_converter

        _CONVERTER.append(default_converter())  # type: ignore[no-untyped-call]
    return _CONVERTER[0]


def _empty_diagnostics() -> DiagnosticList:
    return DiagnosticList([], [])


@dataclass(eq=False)
class EnvState:
    """One interpreter's environment, shared by every folder that selected it."""

    interpreter: str
    allow_exec: bool
    snapshot: Optional[Snapshot] = None
    error: Optional[str] = None  # why it could not be inspected
    fingerprint: Optional[Hashable] = None
    generation: int = 0  # bumped on every new snapshot (or error)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    loading: Optional[asyncio.Task[None]] = None
    interpreter_mtime: Optional[float] = None  # to notice a venv recreated in place
    reported_error: Optional[str] = None  # the error last shown to the user
    _required_by: Optional[dict[str, list[str]]] = None

    def required_by(self) -> dict[str, list[str]]:
        """normalized name -> names of installed distributions that require it."""
        if self._required_by is None:
            from packaging.requirements import InvalidRequirement, Requirement
            from packaging.utils import canonicalize_name

            index: dict[str, list[str]] = {}
            for dist in self.snapshot.distributions if self.snapshot else ():
                for line in dist.requires:
                    try:
                        req = Requirement(line)
                    except InvalidRequirement:
                        continue
                    if req.marker is not None and "extra" in str(req.marker):
                        continue
                    index.setdefault(canonicalize_name(req.name), []).append(dist.name)
            self._required_by = index
        return self._required_by

    def set_snapshot(self, snapshot: Optional[Snapshot], error: Optional[str]) -> None:
        self.snapshot = snapshot
        self.error = error
        self.generation += 1
        self._required_by = None
        try:
            self.interpreter_mtime = os.stat(self.interpreter).st_mtime
        except OSError:
            self.interpreter_mtime = None


@dataclass(eq=False)
class FolderState:
    uri: str
    path: str
    settings: FolderSettings = field(default_factory=FolderSettings)
    interpreter: Optional[str] = None
    interpreter_source: str = "discovered"  # initializationOptions | configuration | discovered
    env: Optional[EnvState] = None
    # an interpreter switched to, still being inspected (`env` answers until it is)
    pending_env: Optional[EnvState] = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    project_settings: Optional[Settings] = None
    project_settings_key: Optional[tuple[str, float]] = None
    last_status: Optional[dict[str, object]] = None
    implicit: bool = False  # made up for a file outside every workspace folder

    def contains(self, path: str) -> bool:
        return path == self.path or path.startswith(self.path.rstrip(os.sep) + os.sep)


@dataclass(eq=False)
class DocState:
    """An open document (requirements file, Python file, pyproject.toml) and its last
    analysis."""

    uri: str
    path: str
    version: Optional[int] = None
    language_id: Optional[str] = None
    kind: str = "requirements"  # or "python", "pyproject" (see pinwise.lsp.project)
    # the last analysis (for `analyzed_version`)
    analyzed_version: Optional[int] = None
    analyzed_generation: int = -1
    reqset: Optional[RequirementsSet] = None
    file: Optional[RequirementsFile] = None
    lines: Optional[Lines] = None
    findings: tuple[Finding, ...] = ()  # those in this file
    all_findings: tuple[Finding, ...] = ()  # in every file of its set
    by_path: dict[str, tuple[Finding, ...]] = field(default_factory=dict)  # all_findings by file
    # the LSP diagnostics of `findings`, in the same order (JSON-ready; objects on access)
    diagnostics: DiagnosticList = field(default_factory=_empty_diagnostics)
    deps: frozenset[str] = frozenset()  # every file the analysis read
    counts: dict[str, int] = field(default_factory=dict)
    pending: Optional[asyncio.Task[None]] = None
    seq: int = 0  # number of the latest analysis started: older ones are not applied
    pyproject: Optional[PyprojectDeclarations] = None  # a pyproject.toml document's declarations
    compiled: Optional[CompiledInfo] = None  # the file is generated by pip-compile / uv
