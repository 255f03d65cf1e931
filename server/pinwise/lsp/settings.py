"""Settings of the language server: `initializationOptions` and the `pinwise` configuration section.

Both are typed, frozen dataclasses structured with cattrs (camelCase keys on the wire). A bad value
never takes the server down: it is reported once, clearly, and the defaults are used instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import cattrs
from cattrs.gen import make_dict_structure_fn, override

from pinwise.analysis.model import RULES, Settings, Severity

logger = logging.getLogger(__name__)

SEVERITIES = ("error", "warning", "information", "hint", "off")
DEFAULT_DEBOUNCE_MS = 150


@dataclass(frozen=True)
class FolderSettings:
    """The `pinwise` configuration section, per workspace folder."""

    interpreter: Optional[str] = None
    """Absolute path of the interpreter whose environment is checked (empty: discover one)."""

    severity: dict[str, str] = field(default_factory=dict)
    """Rule code to `error|warning|information|hint|off`."""

    ignore: tuple[str, ...] = ()
    """Rule codes never reported."""

    select: Optional[tuple[str, ...]] = None
    """When given, only these rule codes are reported."""

    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    """Delay between the last keystroke and the diagnostics (`debounceMs`)."""

    def validate(self) -> FolderSettings:
        """Raise ValueError naming the bad key and value; return self when all is well."""
        for code, level in self.severity.items():
            if code not in RULES:
                raise ValueError(f"pinwise.severity: unknown rule code {code!r} (PW001..PW016)")
            if level not in SEVERITIES:
                raise ValueError(
                    f"pinwise.severity.{code}: {level!r} is not one of {', '.join(SEVERITIES)}"
                )
        for code in (*self.ignore, *(self.select or ())):
            if code not in RULES:
                raise ValueError(f"pinwise.ignore/select: unknown rule code {code!r}")
        if not 0 <= self.debounce_ms <= 10_000:
            raise ValueError(f"pinwise.debounceMs: {self.debounce_ms} is not within 0..10000")
        return self

    def merged_with(self, base: Settings) -> Settings:
        """These editor settings over `base` (the project's `[tool.pinwise]`)."""
        severity: dict[str, Optional[Severity]] = dict(base.severity)
        for code, level in self.severity.items():
            severity[code] = None if level == "off" else Severity(level)
        select = base.select
        if self.select is not None:
            select = frozenset(self.select)
        return replace(
            base, severity=severity, ignore=base.ignore | frozenset(self.ignore), select=select
        )


@dataclass(frozen=True)
class InitOptions:
    """`initializationOptions`: `{"interpreter", "trusted", "settings"}`, all optional."""

    interpreter: Optional[str] = None
    trusted: bool = True
    settings: Optional[FolderSettings] = None  # global settings (a dict)
    folder_settings: dict[str, FolderSettings] = field(default_factory=dict)  # by folder URI


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(
        FolderSettings,
        make_dict_structure_fn(
            FolderSettings,
            conv,
            debounce_ms=override(rename="debounceMs"),
        ),
    )
    return conv


_converter = _make_converter()


def _strict_types(data: dict[str, Any]) -> None:
    """cattrs converts `"1"` to 1 and `"abc"` to a tuple of letters; refuse those."""
    checks = {
        "interpreter": (str, type(None)),
        "severity": (dict,),
        "ignore": (list, tuple),
        "select": (list, tuple, type(None)),
        "debounceMs": (int,),
    }
    for key, allowed in checks.items():
        if key in data and not isinstance(data[key], allowed):
            raise ValueError(f"pinwise.{key}: unexpected value {data[key]!r}")


def parse_folder_settings(data: Any) -> FolderSettings:
    """Structure one `pinwise` section; raises ValueError with a message for the user."""
    if data is None:
        return FolderSettings()
    if not isinstance(data, dict):
        raise ValueError(f"the pinwise settings must be an object, not {data!r}")
    _strict_types(data)
    try:
        settings = _converter.structure(data, FolderSettings)
    except (cattrs.BaseValidationError, TypeError, ValueError) as exc:
        raise ValueError(f"invalid pinwise settings: {exc}") from exc
    if settings.interpreter == "":
        settings = replace(settings, interpreter=None)
    return settings.validate()


def parse_init_options(data: Any) -> tuple[InitOptions, list[str]]:
    """Parse initializationOptions; returns the options and the problems found (never raises)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        if data is not None:
            problems.append(f"initializationOptions must be an object, not {data!r}")
        return InitOptions(), problems
    interpreter = data.get("interpreter")
    if interpreter is not None and not isinstance(interpreter, str):
        problems.append(f"initializationOptions.interpreter: {interpreter!r} is not a path")
        interpreter = None
    trusted = data.get("trusted", True)
    if not isinstance(trusted, bool):
        problems.append(f"initializationOptions.trusted: {trusted!r} is not true or false")
        trusted = True
    settings: Optional[FolderSettings] = None
    per_folder: dict[str, FolderSettings] = {}
    raw = data.get("settings")
    try:
        if isinstance(raw, list):
            # Per-folder settings: [{"workspace": uri, ...settings}, ...]
            for item in raw:
                if isinstance(item, dict) and isinstance(item.get("workspace"), str):
                    rest = {k: v for k, v in item.items() if k != "workspace"}
                    per_folder[item["workspace"].rstrip("/")] = parse_folder_settings(rest)
        elif raw is not None:
            settings = parse_folder_settings(raw)
    except ValueError as exc:
        problems.append(str(exc))
    return (
        InitOptions(
            interpreter=interpreter or None,
            trusted=trusted,
            settings=settings,
            folder_settings=per_folder,
        ),
        problems,
    )
