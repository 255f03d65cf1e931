"""Settings of the language server: `initializationOptions` and the `pinwise` configuration section.

Both are typed, frozen dataclasses (camelCase keys on the wire), checked key by key. A bad value
never takes the server down: it is reported once, clearly, and the defaults are used instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from pinwise import environment
from pinwise.analysis import load_settings
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
                raise ValueError(f"pinwise.severity: unknown rule code {code!r} (PW001..PW017)")
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


# Structured by hand, not with cattrs: five keys do not need a converter, and importing cattrs
# (about 40 ms) would slow the start-up prelude, which parses settings before pygls is loaded.
_TYPES: dict[str, tuple[type, ...]] = {
    "interpreter": (str, type(None)),
    "severity": (dict,),
    "ignore": (list, tuple),
    "select": (list, tuple, type(None)),
    "debounceMs": (int,),
}


def _strict_types(data: dict[str, Any]) -> None:
    """Refuse a value of the wrong type (`"1"` for a number, `"abc"` for a list of codes)."""
    for key, allowed in _TYPES.items():
        value = data.get(key)
        if key in data and (not isinstance(value, allowed) or isinstance(value, bool)):
            raise ValueError(f"pinwise.{key}: unexpected value {value!r}")


def _codes(key: str, values: Any) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"pinwise.{key}: unknown rule code {value!r}")
    return tuple(values)


def _structure(data: dict[str, Any]) -> FolderSettings:
    """A `pinwise` section (types already checked) as FolderSettings; unknown keys ignored."""
    severity: dict[str, str] = {}
    for code, level in (data.get("severity") or {}).items():
        if not isinstance(level, str):
            raise ValueError(
                f"pinwise.severity.{code}: {level!r} is not one of {', '.join(SEVERITIES)}"
            )
        severity[str(code)] = level
    select = data.get("select")
    return FolderSettings(
        interpreter=data.get("interpreter"),
        severity=severity,
        ignore=_codes("ignore", data.get("ignore") or ()),
        select=None if select is None else _codes("select", select),
        debounce_ms=data.get("debounceMs", DEFAULT_DEBOUNCE_MS),
    )


_FIELDS = {
    "interpreter": "interpreter",
    "severity": "severity",
    "ignore": "ignore",
    "select": "select",
    "debounceMs": "debounce_ms",
}


def layered(base: Optional[FolderSettings], data: Any) -> FolderSettings:
    """`data` (a `pinwise` section) over `base`: the keys it has replace base's, the others
    stay (a client that pushes `{"ignore": [...]}` keeps the folder's interpreter)."""
    parsed = parse_folder_settings(data)
    if base is None or not isinstance(data, dict):
        return parsed
    return replace(base, **{f: getattr(parsed, f) for k, f in _FIELDS.items() if k in data})


def parse_folder_settings(data: Any) -> FolderSettings:
    """Structure one `pinwise` section; raises ValueError with a message for the user."""
    if data is None:
        return FolderSettings()
    if not isinstance(data, dict):
        raise ValueError(f"the pinwise settings must be an object, not {data!r}")
    if data.get("severity") == []:  # Neovim sends an empty Lua table as a JSON list
        data = {**data, "severity": {}}
    _strict_types(data)
    settings = _structure(data)
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
        # Fails closed: a client that meant `false` and sent "false" must not get the
        # interpreter run (missing means trusted; a wrong value is not missing).
        problems.append(
            f"initializationOptions.trusted: {trusted!r} is not true or false; "
            "treated as false (nothing is run)"
        )
        trusted = False
    settings: Optional[FolderSettings] = None
    per_folder: dict[str, FolderSettings] = {}
    raw = data.get("settings")
    if isinstance(raw, list):
        # Per-folder settings: [{"workspace": uri, ...settings}, ...]; a bad one costs only its
        # own folder its settings
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("workspace"), str):
                rest = {k: v for k, v in item.items() if k != "workspace"}
                try:
                    per_folder[item["workspace"].rstrip("/")] = parse_folder_settings(rest)
                except ValueError as exc:
                    problems.append(f"{exc} (folder {item['workspace']})")
    elif raw is not None:
        try:
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


def interpreter_choice(
    given: Optional[str], configured: Optional[str], folder: str
) -> tuple[Optional[str], str]:
    """A folder's interpreter and where it comes from: `initializationOptions.interpreter`, then
    the folder's `pinwise.interpreter`, then discovery as the CLI does. A value is read as
    `--python` reads it: a command name is looked up on PATH (unless the folder has an entry of
    that name: `.venv`), a relative path is the folder's, and a virtual environment's folder
    stands for its interpreter."""
    from pinwise.cli.commands import choose_interpreter

    for value, source in ((given, "initializationOptions"), (configured, "configuration")):
        if value:
            return choose_interpreter(value, folder, os.environ), source
    try:
        found = environment.discover_interpreter(folder, dict(os.environ))
    except Exception as exc:
        logger.warning("interpreter discovery failed in %s: %s", folder, exc)
        found = None
    return found, "discovered"


def read_project_settings(pyproject: Optional[str]) -> Settings:
    """`[tool.pinwise]` of a pyproject.toml (None: there is none); the defaults, with a warning
    in the log, when it cannot be used."""
    try:
        return load_settings(pyproject)
    except Exception as exc:
        logger.warning("%s: [tool.pinwise] ignored: %s", pyproject, exc)
        return Settings()
