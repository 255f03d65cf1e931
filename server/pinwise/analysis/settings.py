"""Reading `[tool.pinwise]` from pyproject.toml, and merging settings from other sources.

```toml
[tool.pinwise]
severity = { PW001 = "error", PW011 = "off" }
ignore = ["PW016"]
select = ["PW001", "PW002"]      # optional: only these codes
```

On Python 3.11+ the file is read with `tomllib`. On 3.9/3.10 (no `tomllib`, and Pinwise does not
depend on `tomli`) a small reader understands exactly the forms above (plus a
`[tool.pinwise.severity]` sub-table); anything it cannot read makes it fall back to the defaults
and say so in `Settings.messages`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Optional

from pinwise.analysis.model import RULES, Settings, Severity

SEVERITY_VALUES = ("error", "warning", "information", "hint", "off")
KNOWN_KEYS = ("severity", "ignore", "select", "tool-packages")


class SettingsError(ValueError):
    """A setting has a value Pinwise does not accept; the message names file, key and values."""


def _codes_text() -> str:
    codes = sorted(RULES)
    return f"{codes[0]}..{codes[-1]}"


def _check_code(code: object, source: str, key: str) -> str:
    if not isinstance(code, str) or code.upper() not in RULES:
        # where it was written: a pyproject.toml's table, or a command-line option (`--ignore`)
        where = key if key.startswith("--") else f"[tool.pinwise] {key}"
        raise SettingsError(
            f"{source}: {where}: unknown rule code {code!r} (allowed: {_codes_text()})"
        )
    return code.upper()


def _code_list(value: object, source: str, key: str) -> frozenset[str]:
    if isinstance(value, str):
        items: list[object] = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise SettingsError(
            f"{source}: [tool.pinwise] {key} must be a list of rule codes such as "
            f'["PW001", "PW011"], not {value!r}'
        )
    return frozenset(_check_code(item, source, key) for item in items)


def parse_severity(value: object, source: str, key: str) -> Optional[Severity]:
    """`"warning"` -> Severity.WARNING, `"off"` -> None; anything else is a SettingsError."""
    if isinstance(value, str) and value.lower() in SEVERITY_VALUES:
        text = value.lower()
        return None if text == "off" else Severity(text)
    raise SettingsError(
        f"{source}: [tool.pinwise] {key} = {value!r} is not a severity "
        f"(allowed: {', '.join(SEVERITY_VALUES)})"
    )


def settings_from_mapping(
    data: Mapping[str, Any], source: str = "settings", *, strict_keys: bool = False
) -> Settings:
    """Build Settings from a `[tool.pinwise]`-shaped mapping (also the LSP `pinwise` section).

    Raises SettingsError for bad values. Unknown keys are reported in `messages` (or raise when
    `strict_keys`), so other faces can keep their own keys (`interpreter`, ...) in the same table.
    """
    if not isinstance(data, Mapping):
        raise SettingsError(f"{source}: [tool.pinwise] must be a table, not {data!r}")
    severity: dict[str, Optional[Severity]] = {}
    raw_severity = data.get("severity", {})
    if raw_severity is None:
        raw_severity = {}
    if not isinstance(raw_severity, Mapping):
        raise SettingsError(
            f"{source}: [tool.pinwise] severity must be a table of code = severity, "
            f'such as {{ PW001 = "error", PW011 = "off" }}, not {raw_severity!r}'
        )
    for code, value in raw_severity.items():
        checked = _check_code(code, source, "severity")
        severity[checked] = parse_severity(value, source, f"severity.{checked}")
    ignore = _code_list(data.get("ignore") or [], source, "ignore")
    select_raw = data.get("select")
    select = None if select_raw is None else _code_list(select_raw, source, "select")
    messages: list[str] = []
    for key in data:
        if key not in KNOWN_KEYS:
            text = f"{source}: [tool.pinwise] unknown key {key!r} (known: {', '.join(KNOWN_KEYS)})"
            if strict_keys:
                raise SettingsError(text)
            messages.append(text)
    return Settings(
        severity=severity,
        ignore=ignore,
        select=select,
        source=source,
        messages=tuple(messages),
    )


def with_overrides(
    settings: Settings,
    *,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    source: str = "command line",
) -> Settings:
    """Settings plus command-line `--select` / `--ignore` (codes are checked)."""
    extra_ignore = frozenset(_check_code(c, source, "--ignore") for c in ignore)
    new_select = settings.select
    if select is not None:
        chosen = frozenset(_check_code(c, source, "--select") for c in select)
        # The command line's choice replaces the file's `select` (`--select PW002` with
        # `select = ["PW001"]` in pyproject.toml checks PW002, as a linter's flags do), and
        # re-enables codes the file switched off with `ignore`.
        new_select = chosen
        return replace(
            settings,
            select=new_select,
            ignore=(settings.ignore - chosen) | extra_ignore,
        )
    return replace(settings, select=new_select, ignore=settings.ignore | extra_ignore)


# --- reading pyproject.toml ---------------------------------------------------------------


def _load_toml(text: str) -> Optional[dict[str, Any]]:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    return None


_TABLE = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]\s*(?:#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=\s*(.*?)\s*$")
_STRING = r"\"([^\"\\]*)\"|'([^']*)'"
_STRING_RE = re.compile(rf"^(?:{_STRING})$")


def _strip_comment(value: str) -> str:
    out: list[str] = []
    quote = ""
    for ch in value:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out).strip()


def _mini_value(text: str) -> Any:
    text = _strip_comment(text)
    m = _STRING_RE.match(text)
    if m:
        return m.group(1) if m.group(1) is not None else m.group(2)
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip().rstrip(",")
        if not inner:
            return []
        return [_mini_value(part.strip()) for part in inner.split(",")]
    if text.startswith("{") and text.endswith("}"):
        table: dict[str, Any] = {}
        inner = text[1:-1].strip()
        if inner:
            for part in inner.split(","):
                key, sep, val = part.partition("=")
                if not sep:
                    raise ValueError(part)
                table[key.strip().strip("\"'")] = _mini_value(val.strip())
        return table
    raise ValueError(text)


def _mini_tool_pinwise(text: str) -> dict[str, Any]:
    """Just `[tool.pinwise]` / `[tool.pinwise.severity]` with one-line values (Python < 3.11)."""
    result: dict[str, Any] = {}
    table: Optional[str] = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _ARRAY_TABLE.match(line):
            table = None
            continue
        header = _TABLE.match(line)
        if header:
            name = header.group(1).replace(" ", "")
            table = name if name in ("tool.pinwise", "tool.pinwise.severity") else None
            continue
        if table is None:
            continue
        kv = _KEY_VALUE.match(line)
        if not kv:
            raise ValueError(line)
        key = kv.group(1).strip("\"'")
        value = _mini_value(kv.group(2))
        if table == "tool.pinwise":
            result[key] = value
        else:
            result.setdefault("severity", {})[key] = value
    return result


def load_settings(pyproject: Optional[str]) -> Settings:
    """Settings from the `[tool.pinwise]` table of the pyproject.toml at path `pyproject`.

    None, a missing file or a file without the table give the defaults. Bad values raise
    SettingsError naming the file, the key and the allowed values; a file that is not valid TOML
    raises SettingsError too.
    """
    if pyproject is None:
        return Settings()
    try:
        with open(pyproject, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise SettingsError(f"{pyproject}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{pyproject}: not UTF-8 text ({exc.reason})") from exc
    document = None
    try:
        document = _load_toml(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise SettingsError(f"{pyproject}: not valid TOML: {exc}") from exc
    if document is None:
        if "pinwise" not in text:
            return Settings(source=pyproject)
        try:
            table: Any = _mini_tool_pinwise(text)
        except ValueError:
            return Settings(
                source=pyproject,
                messages=(
                    f"{pyproject}: [tool.pinwise] uses TOML this Python "
                    f"({sys.version_info[0]}.{sys.version_info[1]}) cannot read without tomllib; "
                    "write severity/ignore/select on one line each, or use Python 3.11+. "
                    "Using the default settings.",
                ),
            )
    else:
        tool = document.get("tool", {})
        table = tool.get("pinwise", {}) if isinstance(tool, dict) else {}
    return settings_from_mapping(table, pyproject)
