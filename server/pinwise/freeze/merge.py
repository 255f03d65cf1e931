""" "Freeze environment into this file": pins merged into a requirements file, structure kept.

Unlike `pip freeze -r`, which rewrites every requirement line as a bare pin and drops the file's
specifiers' context (inline comments, markers, options), the merge edits only what it must:

- a named requirement (`name[extras] spec ; marker  --opt  # comment`) whose project is installed
  gets its specifier replaced by `==<installed>` (or `===<raw>` for a non-PEP 440 version),
  or `==<installed>` inserted after the name/extras when it has none; everything else on the
  line stays byte-identical;
- lines for projects that are not installed, lines whose marker excludes the snapshot's
  interpreter (they are another platform's pins), lines whose text uses `${VAR}` (a pin
  written there would drop the variable), URL / VCS / path / editable lines, options,
  includes and comments are left alone;
- installed distributions that nothing in the file (or the files it includes, when a
  RequirementsSet is given) declares are appended, in `pip freeze` order and form, under a
  `# Added by pinwise freeze` header, with the file's own line terminator;
- pip, and setuptools/distribute/wheel on Python < 3.12, are never appended (pip freeze's rule);
- into a constraints file (reached through `-c`), only plain `Name==version` pins are appended
  and editables are left out (pip refuses editables as constraints).

A file in hash-checking mode is refused: a pin without the installed files' hashes would break
the install, and the hashes cannot be known from the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from pinwise.environment.metadata import normalize as canonicalize_name
from pinwise.environment.metadata import url_to_path, uses_pkg_resources
from pinwise.environment.model import Distribution, Snapshot
from pinwise.freeze.render import STDLIB_PKGS, dev_packages, frozen, pin_suffix
from pinwise.spans import Position, Span, TextEdit

if TYPE_CHECKING:
    from pinwise.reqfile.model import RequirementsFile, RequirementsSet

HEADER = "# Added by pinwise freeze"


@dataclass(frozen=True)
class MergeResult:
    edits: tuple[TextEdit, ...]
    refused: Optional[str]  # why nothing can be merged (hash-checking mode), else None
    updated: tuple[str, ...]  # names whose pin changed (or was added) in place
    added: tuple[str, ...]  # names appended at the end


def installed_pin(dist: Distribution, python_version: str = "3.11") -> str:
    """`==<version>` as pip freeze writes it, or `===<raw>` for a non-PEP 440 version."""
    return pin_suffix(dist, uses_pkg_resources(python_version))


def _files_of(file: RequirementsFile, reqset: Optional[RequirementsSet]) -> list[RequirementsFile]:
    """`file` and the files its `-r` lines reach (transitively) in `reqset`."""
    files = [file]
    if reqset is None:
        return files
    seen = {file.path}
    queue = [file.path]
    while queue:
        current = queue.pop(0)
        for edge in reqset.edges:
            include = edge.line.include
            if edge.includer != current or edge.target in seen:
                continue
            if include is not None and include.constraint:
                continue  # a constraints file limits versions; it declares nothing to install
            target = reqset.files.get(edge.target)
            seen.add(edge.target)
            if target is not None:
                files.append(target)
                queue.append(edge.target)
    return files


def _hash_mode(files: list[RequirementsFile]) -> Optional[str]:
    for rf in files:
        for line in rf.logical_lines:
            if line.requirement is not None and line.requirement.hashes:
                return f"{rf.path} line {line.first_line + 1} has --hash"
            for option in line.options:
                if option.name == "--require-hashes":
                    return f"{rf.path} line {line.first_line + 1} has --require-hashes"
    return None


def _line_text(file: RequirementsFile, span: Span) -> str:
    if span.start.line != span.end.line:
        return ""
    return file.lines[span.start.line].text[span.start.character : span.end.character]


def _marker_holds(marker: str, snapshot: Snapshot) -> bool:
    """Whether a line's marker holds on the snapshot's interpreter (not when it cannot be
    evaluated: PW005 says so, and the line is left alone)."""
    from pinwise.analysis.text import MarkerError, evaluate_marker

    try:
        return evaluate_marker(marker, snapshot.markers)
    except MarkerError:
        return False


# the name a line begins with (`name==${VERSION}` is not a valid requirement while VERSION is
# unset, yet it declares `name`)
_LEADING_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def _declared(files: list[RequirementsFile]) -> tuple[set[str], set[str]]:
    """(normalised names, absolute local paths) that the files declare."""
    names: set[str] = set()
    paths: set[str] = set()
    for rf in files:
        base = os.path.dirname(rf.path)
        for line in rf.logical_lines:
            req = line.requirement
            if req is None:
                if "${" in line.raw_text and not line.raw_text.startswith("-"):
                    found = _LEADING_NAME.match(line.raw_text)
                    if found is not None:
                        names.add(canonicalize_name(found.group()))
                continue
            if req.normalized_name:
                names.add(req.normalized_name)
            elif req.name:
                names.add(canonicalize_name(req.name))
            target = req.link or req.url
            if target:
                if target.lower().startswith("file:"):
                    target = url_to_path(target)
                if "://" not in target:
                    for root in (os.getcwd(), base):
                        paths.add(os.path.normcase(os.path.normpath(os.path.join(root, target))))
    return names, paths


def _dist_paths(dist: Distribution) -> set[str]:
    found: set[str] = set()
    if dist.editable_location:
        found.add(os.path.normcase(os.path.normpath(os.path.abspath(dist.editable_location))))
    du = dist.direct_url
    if du is not None and du.url.lower().startswith("file:"):
        found.add(os.path.normcase(os.path.normpath(url_to_path(du.url))))
    return found


def _end_of_file(file: RequirementsFile) -> tuple[Position, bool]:
    """Where to append, and whether a line break must come first."""
    if not file.lines:
        return Position(0, 0), False
    last = file.lines[-1]
    if last.terminator:
        return Position(len(file.lines), 0), False
    if not last.text and len(file.lines) == 1:
        return Position(0, 0), False
    return Position(len(file.lines) - 1, len(last.text)), True


def merge(
    file: RequirementsFile,
    snapshot: Snapshot,
    reqset: Optional[RequirementsSet] = None,
) -> MergeResult:
    """The edits that freeze `snapshot` into `file` (see the module docstring)."""
    from pinwise.reqfile.model import LineKind, RequirementForm  # the parser is heavy to import

    files = _files_of(file, reqset)
    # pip's hash-checking mode covers the whole install: any file of the set turns it on
    why = _hash_mode([file, *(reqset.files.values() if reqset is not None else ())])
    if why is not None:
        return MergeResult(
            (),
            f"Cannot freeze the environment into {file.path}: it uses hash-checking mode "
            f"({why}), and every pin would need the hashes of the files pip installs, which "
            "Pinwise cannot know from the environment. Regenerate the file with "
            "`pip-compile --generate-hashes`, or add each hash with `pip hash <downloaded file>`.",
            (),
            (),
        )

    edits: list[TextEdit] = []
    updated: list[str] = []
    for line in file.logical_lines:
        req = line.requirement
        if line.kind != LineKind.REQUIREMENT or req is None or req.editable:
            continue
        if req.form != RequirementForm.NAMED or not req.name or req.name_span is None:
            continue
        if line.expanded:
            continue  # its text uses ${VAR}: a pin written over it would drop the variable
        if req.marker and not _marker_holds(req.marker, snapshot):
            continue  # a line for another interpreter: this one's version says nothing of it
        dist = snapshot.get(req.name)
        if dist is None or dist.editable:
            continue
        pin = installed_pin(dist, snapshot.interpreter.python_version)
        if req.specifier_span is not None:
            span = line.place(req.specifier_span)
            current = _line_text(file, span)
            if current.startswith("(") and current.endswith(")"):  # `name (>=1)`
                span = Span.on_line(
                    span.start.line, span.start.character + 1, span.end.character - 1
                )
                current = current[1:-1]
            if current.strip() == pin:
                continue
            edits.append(TextEdit(file.path, span, pin))
        else:
            anchor = line.place(req.extras_span or req.name_span).end
            edits.append(TextEdit(file.path, Span(anchor, anchor), pin))
        updated.append(dist.name)

    names, paths = _declared(files)
    skip = set(STDLIB_PKGS) | dev_packages(snapshot.interpreter.python_version)
    legacy = uses_pkg_resources(snapshot.interpreter.python_version)
    new_lines: list[str] = []
    added: list[str] = []
    for dist in sorted(snapshot.distributions, key=lambda d: d.name.lower()):
        canonical = canonicalize_name(dist.name)
        if canonical in skip or canonical in names or dist.normalized_name in names:
            continue
        if _dist_paths(dist) & paths:
            continue
        if file.constraint:
            # a constraints file takes plain pins only (pip refuses editables there)
            if dist.editable:
                continue
            new_lines.append(dist.name + pin_suffix(dist, legacy))
        else:
            new_lines.extend(frozen(dist, legacy=legacy).lines)
        added.append(dist.name)
    if new_lines:
        nl = file.newline
        position, needs_break = _end_of_file(file)
        text = (nl if needs_break else "") + nl.join([HEADER, *new_lines]) + nl
        edits.append(TextEdit(file.path, Span(position, position), text))
    return MergeResult(tuple(edits), None, tuple(updated), tuple(added))


_TERMINATORS = re.compile("(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])")


def apply_edits(text: str, edits: tuple[TextEdit, ...]) -> str:
    """Apply `edits` (all for one file) to `text` (the file's decoded text, BOM removed).

    Positions are (physical line, code-point column) as pinwise.reqfile counts them (A4 line
    splitting). For tests and for the CLI; the language server sends the edits to the client.
    """
    pieces = _TERMINATORS.split(text)
    starts: list[int] = []
    offset = 0
    for index in range(0, len(pieces), 2):
        starts.append(offset)
        offset += len(pieces[index]) + (len(pieces[index + 1]) if index + 1 < len(pieces) else 0)

    def absolute(pos: Position) -> int:
        if pos.line >= len(starts):
            return len(text)
        return min(starts[pos.line] + pos.character, len(text))

    out = text
    # Same-position inserts apply in list order (as LSP clients do): go from the end, and for
    # equal positions from the last edit, so each earlier insert lands before the later ones.
    order = sorted(enumerate(edits), key=lambda ie: (ie[1].span.start, ie[1].span.end, ie[0]))
    for _, edit in reversed(order):
        start, end = absolute(edit.span.start), absolute(edit.span.end)
        out = out[:start] + edit.new_text + out[end:]
    return out
