"""Small pure helpers shared by the rules: version satisfaction, pins, markers, redaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Optional

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_URL_AUTH = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<auth>[^/@\s?#]+)@"
)
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$")
_URL_HASH = re.compile(r"[#&](sha1|sha224|sha256|sha384|sha512|md5)=[0-9a-fA-F]+", re.IGNORECASE)


def _redact_auth(match: re.Match[str]) -> str:
    auth = match.group("auth")
    if ":" in auth:
        user = auth.split(":", 1)[0]
        return f"{match.group('scheme')}{user}:****@"
    return f"{match.group('scheme')}****@"


def redact(text: str) -> str:
    """Hide credentials in every URL of `text`, as pip's `redact_auth_from_url` does.

    `https://user:secret@host/` becomes `https://user:****@host/`; a bare token
    (`https://token@host/`) becomes `https://****@host/`.
    """
    if "@" not in text:
        return text
    return _URL_AUTH.sub(_redact_auth, text)


@lru_cache(maxsize=8192)
def satisfies(specifier: str, version: str) -> bool:
    """Whether an installed `version` satisfies `specifier`, exactly as pip decides it.

    pip: `SpecifierSet(spec).contains(version, prereleases=True)`. A version that is not valid
    PEP 440 can only be matched by `===` (case-insensitive string equality); every other operator
    rejects it.
    """
    try:
        spec_set = SpecifierSet(specifier)
    except InvalidSpecifier:
        return True  # the line is invalid: PW005 says so, not PW003
    try:
        parsed = Version(version)
    except InvalidVersion:
        return all(s.operator == "===" and s.version.lower() == version.lower() for s in spec_set)
    return spec_set.contains(parsed, prereleases=True)


@lru_cache(maxsize=8192)
def is_pinned(specifier: str) -> bool:
    """A specifier set that allows one version only: some `==` without wildcard, or `===`."""
    try:
        spec_set = SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    return any(
        s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
        for s in spec_set
    )


@lru_cache(maxsize=8192)
def is_exact_pin(specifier: str) -> bool:
    """pip's own `is_pinned` (hash-checking mode): exactly one `==` (no wildcard) or `===`."""
    try:
        specs = list(SpecifierSet(specifier))
    except InvalidSpecifier:
        return False
    return len(specs) == 1 and (
        specs[0].operator == "==="
        or (specs[0].operator == "==" and not specs[0].version.endswith(".*"))
    )


def pin_for(version: str) -> str:
    """The specifier that pins exactly `version` (`===` for a version that is not PEP 440)."""
    try:
        Version(version)
    except InvalidVersion:
        return f"==={version}"
    return f"=={version}"


def is_commit(vcs: Optional[str], revision: Optional[str]) -> bool:
    """Whether a VCS revision names one immutable commit."""
    if not revision:
        return False
    if vcs == "svn":
        return revision.isdigit()
    return bool(_HEX40.match(revision))


def url_has_hash(url: Optional[str]) -> bool:
    return bool(url and _URL_HASH.search(url))


class MarkerError(Exception):
    pass


def evaluate_marker(marker: str, environment: Mapping[str, str], extra: str = "") -> bool:
    """Evaluate `marker` in `environment` with `extra` (`""` for requirements-file lines)."""
    env: dict[str, str] = dict(environment)
    env["extra"] = extra
    try:
        return Marker(marker).evaluate(environment=env)
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError) as exc:
        raise MarkerError(str(exc)) from exc


@lru_cache(maxsize=8192)
def normalize_marker(marker: Optional[str]) -> Optional[str]:
    if marker is None:
        return None
    try:
        return str(Marker(marker))
    except InvalidMarker:
        return marker.strip()
