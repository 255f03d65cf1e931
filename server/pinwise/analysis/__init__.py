"""The rules: parsed requirements files + an environment snapshot + settings -> findings."""

from __future__ import annotations

from pinwise.analysis.model import RULES, Finding, Fix, FixKind, Settings, Severity
from pinwise.analysis.rules import analyze
from pinwise.analysis.settings import (
    SettingsError,
    load_settings,
    parse_severity,
    settings_from_mapping,
    with_overrides,
)
from pinwise.analysis.text import redact, satisfies

__all__ = [
    "RULES",
    "Finding",
    "Fix",
    "FixKind",
    "Settings",
    "SettingsError",
    "Severity",
    "analyze",
    "load_settings",
    "parse_severity",
    "redact",
    "satisfies",
    "settings_from_mapping",
    "with_overrides",
]
