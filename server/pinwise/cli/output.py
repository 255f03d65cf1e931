"""Rendering findings: text (for people), JSON (for tools), GitHub Actions workflow commands."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Optional, TextIO

from pinwise.analysis.model import Finding, FixKind, Severity
from pinwise.environment.model import Snapshot

_COLORS = {
    Severity.ERROR: "\x1b[31m",
    Severity.WARNING: "\x1b[33m",
    Severity.INFORMATION: "\x1b[34m",
    Severity.HINT: "\x1b[2m",
}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"

_PLURAL = {
    Severity.ERROR: ("error", "errors"),
    Severity.WARNING: ("warning", "warnings"),
    Severity.INFORMATION: ("information", "information"),
    Severity.HINT: ("hint", "hints"),
}
_SUMMARY_ORDER = (Severity.WARNING, Severity.ERROR, Severity.INFORMATION, Severity.HINT)


def use_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and environ.get("TERM") != "dumb"
    except (OSError, ValueError):
        return False


def display_path(path: str, cwd: str, relative_outside: bool = False) -> str:
    """`path` as the contract has it, "as given or relative to the current folder": relative to
    `cwd` inside it; outside it, `../other/requirements.txt` when the files were named with
    relative paths (`relative_outside`), else absolute, as an absolute path was given. A path
    that shares nothing with `cwd` but the root (`-r /etc/app/base.txt`) is absolute either way:
    `../../../etc/app/base.txt` says the same, less clearly."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return path
    outside = rel == os.pardir or rel.startswith(os.pardir + os.sep)
    if outside and (not relative_outside or _only_root_shared(path, cwd)):
        return path
    return rel


def _only_root_shared(path: str, cwd: str) -> bool:
    try:
        common = os.path.commonpath([os.path.abspath(path), os.path.abspath(cwd)])
    except ValueError:
        return True
    return os.path.dirname(common) == common  # the root (of its drive)


def clean(message: str, indent: str = "    ") -> str:
    """A message safe for a terminal: control characters escaped, extra lines indented."""
    out: list[str] = []
    for ch in message:
        code = ord(ch)
        if ch == "\n":
            out.append("\n" + indent)
        elif code < 32 or 0x7F <= code < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _fix_line(finding: Finding) -> Optional[str]:
    for fix in finding.fixes:
        if fix.kind is not FixKind.IGNORE:
            return fix.title
    return None


def render_text(
    findings: Sequence[Finding],
    *,
    cwd: str,
    color: bool,
    files_checked: int,
    snapshot: Optional[Snapshot],
    relative_outside: bool = False,
) -> str:
    lines: list[str] = []
    for f in findings:
        place = display_path(f.path, cwd, relative_outside)
        where = f"{place}:{f.span.start.line + 1}:{f.span.start.character + 1}:"
        sev = f.severity.value
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            code = f"{_BOLD}{f.code}{_RESET}"
            sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
        else:
            code = f.code
        lines.append(f"{where} {code} {sev}: {clean(f.message)}")
        fix = _fix_line(f)
        if fix:
            lines.append(f"    {_DIM}fix: {fix}{_RESET}" if color else f"    fix: {fix}")
    lines.append(summary(findings, files_checked, snapshot))
    return "\n".join(lines) + "\n"


def summary(findings: Sequence[Finding], files_checked: int, snapshot: Optional[Snapshot]) -> str:
    counts = {s: 0 for s in Severity}
    for f in findings:
        counts[f.severity] += 1
    parts = []
    for sev in _SUMMARY_ORDER:
        n = counts[sev]
        if n:
            one, many = _PLURAL[sev]
            parts.append(f"{n} {one if n == 1 else many}")
    head = ", ".join(parts) if parts else "No problems"
    files = f"{files_checked} file" + ("" if files_checked == 1 else "s")
    if snapshot is not None:
        interp = snapshot.interpreter
        tail = f" (interpreter: {interp.env_name}, Python {interp.python_version})"
    else:
        tail = " (no interpreter)"
    return f"{head} in {files}{tail}"


def interpreter_json(snapshot: Optional[Snapshot]) -> Optional[dict[str, Any]]:
    if snapshot is None:
        return None
    interp = snapshot.interpreter
    return {
        "path": interp.path,
        "python_version": interp.python_version,
        "is_venv": interp.is_venv,
        "prefix": interp.prefix,
    }


def render_json(
    findings: Sequence[Finding],
    *,
    cwd: str,
    snapshot: Optional[Snapshot],
    relative_outside: bool = False,
) -> str:
    diagnostics = [
        {
            "path": display_path(f.path, cwd, relative_outside),
            "line": f.span.start.line + 1,
            "column": f.span.start.character + 1,
            "end_line": f.span.end.line + 1,
            "end_column": f.span.end.character + 1,
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
        }
        for f in findings
    ]
    document = {"interpreter": interpreter_json(snapshot), "diagnostics": diagnostics}
    return json.dumps(document, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def render_github(findings: Sequence[Finding], *, cwd: str, relative_outside: bool = False) -> str:
    """GitHub Actions workflow commands, one per finding (information and hints are notices)."""
    out: list[str] = []
    for f in findings:
        props = ",".join(
            [
                f"file={_escape_property(display_path(f.path, cwd, relative_outside))}",
                f"line={f.span.start.line + 1}",
                f"col={f.span.start.character + 1}",
                f"endLine={f.span.end.line + 1}",
                f"endColumn={f.span.end.character + 1}",
                f"title={_escape_property(f.code)}",
            ]
        )
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in out)


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    """`pinwise env --json`: everything the engine knows about the environment."""
    interp = snapshot.interpreter
    return {
        "interpreter": interp.path,
        "python_version": interp.python_version,
        "implementation": interp.implementation,
        "prefix": interp.prefix,
        "base_prefix": interp.base_prefix,
        "is_venv": interp.is_venv,
        "env_name": interp.env_name,
        "executed": interp.executed,
        "include_system_site_packages": snapshot.include_system_site_packages,
        "site_packages": list(snapshot.site_packages),
        "markers": dict(snapshot.markers),
        "assumed_marker_keys": list(snapshot.assumed_marker_keys),
        "warnings": list(snapshot.warnings),
        "distributions": [
            {
                "name": d.name,
                "normalized_name": d.normalized_name,
                "version": d.version,
                "location": d.location,
                "metadata_path": d.metadata_path,
                "editable": d.editable,
                "editable_location": d.editable_location,
                "installer": d.installer,
                "direct_url": None
                if d.direct_url is None
                else {
                    "url": d.direct_url.url,
                    "vcs": d.direct_url.vcs,
                    "commit_id": d.direct_url.commit_id,
                    "requested_revision": d.direct_url.requested_revision,
                    "archive_hashes": [list(h) for h in d.direct_url.archive_hashes],
                    "editable": d.direct_url.editable,
                    "is_dir": d.direct_url.is_dir,
                    "subdirectory": d.direct_url.subdirectory,
                },
                "requires": list(d.requires),
                "provides_extras": list(d.provides_extras),
            }
            for d in snapshot.distributions
        ],
    }


def render_env_text(snapshot: Snapshot) -> str:
    interp = snapshot.interpreter
    lines = [
        f"interpreter: {interp.path}",
        f"python:      {interp.python_version} ({interp.implementation})",
        f"prefix:      {interp.prefix}",
        f"venv:        {'yes' if interp.is_venv else 'no'} ({interp.env_name})",
        "site-packages:",
        *[f"  {p}" for p in snapshot.site_packages],
        f"distributions: {len(snapshot.distributions)}",
        *[
            f"  {d.name} {d.version}" + ("  (editable)" if d.editable else "")
            for d in snapshot.distributions
        ],
    ]
    if snapshot.assumed_marker_keys:
        lines.append("assumed marker keys: " + ", ".join(snapshot.assumed_marker_keys))
    return "\n".join(lines) + "\n"
