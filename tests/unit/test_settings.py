"""`[tool.pinwise]` from pyproject.toml, command-line overrides, and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinwise.analysis import Settings, SettingsError, Severity, load_settings, with_overrides
from pinwise.analysis.settings import _mini_tool_pinwise, settings_from_mapping

GOOD = """\
[project]
name = "x"

[tool.pinwise]
severity = { PW001 = "error", PW011 = "off" }  # stricter pins
ignore = ["PW016"]

[tool.other]
ignore = ["nothing"]
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_settings(None) == Settings()
    assert load_settings(str(tmp_path / "missing.toml")) == Settings()
    settings = load_settings(write(tmp_path, "[project]\nname = 'x'\n"))
    assert settings.severity_of("PW001") is Severity.WARNING


def test_reads_the_table(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.severity_of("PW001") is Severity.ERROR
    assert settings.severity_of("PW011") is None
    assert settings.severity_of("PW016") is None
    assert settings.severity_of("PW002") is Severity.WARNING
    assert settings.source is not None and settings.source.endswith("pyproject.toml")


def test_sub_table_and_select(tmp_path: Path) -> None:
    text = '[tool.pinwise]\nselect = ["PW001", "pw002"]\n[tool.pinwise.severity]\nPW002 = "hint"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.select == frozenset({"PW001", "PW002"})
    assert settings.severity_of("PW002") is Severity.HINT
    assert settings.severity_of("PW003") is None


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('[tool.pinwise]\nseverity = { PW001 = "loud" }\n', ["severity.PW001", "'loud'", "off"]),
        ('[tool.pinwise]\nseverity = { PW999 = "error" }\n', ["PW999", "PW001..PW017"]),
        ("[tool.pinwise]\nignore = 3\n", ["ignore", "list of rule codes"]),
        ('[tool.pinwise]\nignore = ["nope"]\n', ["ignore", "'nope'"]),
        ('[tool.pinwise]\nseverity = "error"\n', ["severity must be a table"]),
        ("[tool.pinwise\n", ["not valid TOML"]),
    ],
)
def test_bad_values_name_file_key_and_allowed_values(
    tmp_path: Path, text: str, needles: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(path)
    for needle in needles:
        assert needle in message


def test_unknown_keys_are_reported_not_fatal(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[tool.pinwise]\ninterpreter = "x"\n'))
    assert settings.messages and "interpreter" in settings.messages[0]
    with pytest.raises(SettingsError):
        settings_from_mapping({"bogus": 1}, "x", strict_keys=True)


def test_command_line_overrides() -> None:
    base = Settings(ignore=frozenset({"PW011"}), severity={"PW001": Severity.ERROR})
    merged = with_overrides(base, select=["PW001", "PW011"], ignore=["PW002"])
    assert merged.severity_of("PW001") is Severity.ERROR
    assert merged.severity_of("PW011") is Severity.INFORMATION  # explicitly selected again
    assert merged.severity_of("PW003") is None
    assert with_overrides(base, ignore=["pw001"]).severity_of("PW001") is None
    with pytest.raises(SettingsError, match="PW1"):
        with_overrides(base, select=["PW1"])
    # the command line's --select replaces the file's select, it does not narrow it
    chosen = with_overrides(Settings(select=frozenset({"PW001"})), select=["PW002"])
    assert chosen.severity_of("PW002") is Severity.WARNING
    assert chosen.severity_of("PW001") is None


def test_lsp_style_mapping() -> None:
    settings = settings_from_mapping({"severity": {"PW009": "off"}, "ignore": "PW001, PW002"})
    assert settings.severity_of("PW009") is None
    assert settings.ignore == frozenset({"PW001", "PW002"})


def test_tiny_reader_for_python_without_tomllib() -> None:
    # The fallback used on Python 3.9/3.10; exercised directly so it is tested on every version.
    table = _mini_tool_pinwise(GOOD + '[tool.pinwise.severity]\nPW003 = "hint"\n')
    assert table == {
        "severity": {"PW001": "error", "PW011": "off", "PW003": "hint"},
        "ignore": ["PW016"],
    }
    with pytest.raises(ValueError):
        _mini_tool_pinwise('[tool.pinwise]\nignore = [\n  "PW001",\n]\n')
