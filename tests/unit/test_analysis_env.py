"""The environment rules against a real venv made by pip (the session `demo_env` fixture).

demo_env holds Jinja2Like 3.1.6 (requires MarkupLike>=2.0; extra i18n: Babel>=2.7), MarkupLike
3.0.4, zope.dotted 8.7, typing_under 4.16.0, plain-dash 1.0 (requires missing-dep>=1),
Local.Wheel 2.0rc1+cpu, legacy_ver 0.9-snapshot, and metadata-only pip/setuptools/wheel 99.0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pinwise.analysis import Finding, FixKind, Settings, Severity, analyze
from pinwise.environment import Snapshot, inspect
from pinwise.reqfile import load_set

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def snap(demo_env: Path) -> Snapshot:
    return inspect(str(demo_env))


def check(tmp_path: Path, snap: Snapshot, text: str, **files: str) -> list[Finding]:
    (tmp_path / "requirements.txt").write_text(text, encoding="utf-8")
    for name, body in files.items():
        (tmp_path / name.replace("_", ".")).write_text(body, encoding="utf-8")
    rs = load_set([str(tmp_path / "requirements.txt")], environ={}, cwd=str(tmp_path))
    return analyze(rs, snap, Settings())


def by_line(found: list[Finding]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for f in found:
        out.setdefault(f.span.start.line, set()).add(f.code)
    return out


def test_real_venv_snapshot_is_a_venv(snap: Snapshot) -> None:
    assert snap.interpreter.is_venv
    assert snap.get("jinja2like") is not None


def test_installed_checks_on_real_metadata(tmp_path: Path, snap: Snapshot) -> None:
    text = (
        "jinja2like==3.1.6\n"  # 0 fine (normalised name, capital letters installed)
        "markuplike==2.0\n"  # 1 PW003 with an update fix
        "zope-dotted>=8\n"  # 2 PW001 only (dots vs dashes)
        "typing-under==4.16.0\n"  # 3 fine
        "plain_dash==1.0\n"  # 4 PW012 (missing-dep)
        "local-wheel==2.0rc1\n"  # 5 fine: C3, local label accepted by ==
        "legacy-ver===0.9-snapshot\n"  # 6 fine: === on an invalid version
        "not-installed==1.0\n"  # 7 PW002
        "jinja2like[i18n]==3.1.6\n"  # 8 PW004 (duplicate) + PW014 (Babel missing)
        'ghost==1 ; python_version < "3"\n'  # 9 PW009
    )
    found = check(tmp_path, snap, text)
    lines = by_line(found)
    assert lines.get(0, set()) <= {"PW011"}
    assert lines[1] == {"PW003"}
    assert lines[2] == {"PW001"}
    assert 3 not in lines
    assert lines[4] == {"PW012"}
    assert 5 not in lines
    assert 6 not in lines
    assert lines[7] == {"PW002"}
    assert lines[8] == {"PW004", "PW014"}
    assert lines[9] == {"PW009"}
    (pw003,) = [f for f in found if f.code == "PW003"]
    assert pw003.fixes[0].kind is FixKind.UPDATE_PIN
    assert pw003.fixes[0].title == "Update pin to installed version (==3.0.4)"
    (pw012,) = [f for f in found if f.code == "PW012"]
    assert pw012.message == "plain-dash 1.0 requires missing-dep>=1, which is not installed."
    (pw014,) = [f for f in found if f.code == "PW014"]
    assert "Babel>=2.7 (not installed)" in pw014.message
    # everything installed is required (pip, setuptools, wheel never count): no PW011
    assert [f for f in found if f.code == "PW011"] == []


def test_pw011_lists_what_nothing_requires(tmp_path: Path, snap: Snapshot) -> None:
    found = check(tmp_path, snap, "jinja2like==3.1.6\n")
    (pw011,) = [f for f in found if f.code == "PW011"]
    assert pw011.severity is Severity.INFORMATION
    listed = pw011.message.split(": ", 1)[1].split(", ")
    assert "MarkupLike" not in listed  # a dependency of Jinja2Like
    assert {"Local.Wheel", "legacy_ver", "plain-dash", "typing_under", "zope.dotted"} <= set(listed)


def test_pin_fix_pins_the_real_installed_version(tmp_path: Path, snap: Snapshot) -> None:
    found = check(tmp_path, snap, "Local.Wheel\n")
    (pw001,) = [f for f in found if f.code == "PW001"]
    assert pw001.fixes[0].title == "Pin to installed version (==2.0rc1+cpu)"
