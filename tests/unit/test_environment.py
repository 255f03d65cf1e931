"""pinwise.environment on real virtual environments (built by tests/conftest.py)."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from tests.conftest import FreezeEnv
from tests.support.builders import make_venv, pip_install, site_packages, write_dist_info

from pinwise.environment import (
    MARKER_KEYS,
    InspectionError,
    clear_cache,
    discover_interpreter,
    fingerprint,
    inspect,
)

pytestmark = pytest.mark.slow


def test_demo_env_snapshot(demo_env: Path) -> None:
    snap = inspect(str(demo_env))
    it = snap.interpreter
    assert it.path == str(demo_env)
    assert it.is_venv and it.executed
    assert it.prefix == str(demo_env.parent.parent)
    assert it.env_name == "venv"
    assert it.python_version == ".".join(map(str, sys.version_info[:3]))
    assert it.implementation == "cpython"
    assert snap.site_packages == (str(site_packages(demo_env)),)
    assert snap.markers == default_environment()  # same base interpreter as this process
    assert set(snap.markers) == set(MARKER_KEYS)
    assert snap.assumed_marker_keys == ()
    assert not snap.include_system_site_packages
    assert snap.warnings == ()

    jinja = snap.get("jinja2like")
    assert jinja is not None
    assert jinja.name == "Jinja2Like" and jinja.version == "3.1.6"
    assert jinja.requires == ("MarkupLike>=2.0", 'Babel>=2.7; extra == "i18n"')
    assert jinja.provides_extras == ("i18n",)
    assert jinja.summary == "Templates, capitalised"
    assert jinja.license == "BSD-3-Clause"
    assert jinja.home_page == "https://example.invalid/jinja2like"
    assert jinja.installer == "pip"
    assert jinja.direct_url is None and not jinja.editable
    assert jinja.location == str(site_packages(demo_env))
    assert jinja.metadata_path.endswith("jinja2like-3.1.6.dist-info")

    zope = snap.get("Zope_Dotted")
    assert zope is not None and zope.name == "zope.dotted" and zope.top_level == ("zope",)

    local = snap.get("local-wheel")
    assert local is not None and local.version == "2.0rc1+cpu"
    assert local.direct_url is not None
    assert local.direct_url.url.endswith("local_wheel-2.0rc1%2Bcpu-py3-none-any.whl")
    assert local.direct_url.archive_hashes[0][0] == "sha256"

    legacy = snap.get("legacy_ver")
    assert legacy is not None and legacy.version == "0.9-snapshot"
    assert {d.normalized_name for d in snap.distributions} == set(snap.by_name)
    assert "pip" in snap.by_name and "setuptools" in snap.by_name


def test_freeze_env_editables(freeze_env: FreezeEnv) -> None:
    snap = inspect(str(freeze_env.python))
    novcs = snap.get("my-proj")
    assert novcs is not None and novcs.editable
    assert novcs.editable_location == str(freeze_env.projects["novcs"])
    assert novcs.direct_url is not None and novcs.direct_url.editable
    # the PEP 660 .pth put the project folder on sys.path (after site-packages)
    assert str(freeze_env.projects["novcs"]) in snap.site_packages
    assert snap.site_packages[0] == str(site_packages(freeze_env.python))

    legacy = snap.get("Legacy-Proj")
    assert legacy is not None and legacy.editable and legacy.is_egg_info
    assert legacy.location == str(freeze_env.projects["legacy"])
    assert legacy.requires == (
        "dep-a>=1",
        'dep-b; extra == "extra1"',
        "dep-c; python_version < '4'",
    )
    plain = snap.get("plain_pkg")
    assert plain is not None and plain.direct_url is not None and plain.direct_url.is_dir
    assert not plain.editable
    vcs = snap.get("vcs_pkg")
    assert vcs is not None and vcs.direct_url is not None
    assert vcs.direct_url.vcs == "git" and len(vcs.direct_url.commit_id or "") == 40
    sub = snap.get("sub_archive")
    assert sub is not None and sub.direct_url is not None
    assert sub.direct_url.subdirectory == "python/sub"


def test_no_exec_matches_exec(demo_env: Path) -> None:
    ran = inspect(str(demo_env))
    static = inspect(str(demo_env), allow_exec=False)
    assert not static.interpreter.executed
    assert static.interpreter.python_version == ran.interpreter.python_version
    assert static.interpreter.prefix == ran.interpreter.prefix
    assert static.interpreter.base_prefix == ran.interpreter.base_prefix
    assert static.site_packages == ran.site_packages
    assert static.distributions == ran.distributions
    assert static.markers["python_version"] == ran.markers["python_version"]
    assert static.markers["python_full_version"] == ran.markers["python_full_version"]
    assert "sys_platform" in static.assumed_marker_keys
    assert "python_version" not in static.assumed_marker_keys


def _fake_venv(root: Path, script: str, *, cfg: str = "version = 3.11.7\n") -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text(f"home = /nonexistent/bin\n{cfg}")
    python = root / "bin" / "python"
    python.write_text(script)
    python.chmod(0o755)
    return python


def test_allow_exec_false_starts_no_process(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    python = _fake_venv(tmp_path / "venv", f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    snap = inspect(str(python), allow_exec=False)
    assert not marker.exists()
    assert not snap.interpreter.executed
    assert snap.interpreter.python_version == "3.11.7"
    assert snap.markers["python_version"] == "3.11"
    with pytest.raises(InspectionError):
        inspect(str(python))  # the control: running it does touch the file
    assert marker.exists()


def test_no_exec_version_from_lib_folder(tmp_path: Path) -> None:
    python = _fake_venv(tmp_path / "venv", "#!/bin/sh\nexit 1\n", cfg="")
    snap = inspect(str(python), allow_exec=False)
    assert snap.interpreter.python_version == "3.11"
    assert "python_full_version" in snap.assumed_marker_keys


def test_marker_run_is_cached(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    python = _fake_venv(
        tmp_path / "venv", f'#!/bin/sh\necho run >> {log}\nexec {sys.executable} "$@"\n'
    )
    clear_cache()
    first = inspect(str(python))
    second = inspect(str(python))
    assert first.markers == second.markers
    assert log.read_text().count("run") == 1
    python.write_text(python.read_text() + "\n# changed\n")  # new size: run again
    inspect(str(python))
    assert log.read_text().count("run") == 2


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing", "does not exist"),
        ("not-executable", "not executable"),
        ("text-file", "exec format error"),
        ("garbage", "does not behave like a Python interpreter"),
        ("silent", "printed nothing"),
        ("exit-1", "exited with status 1"),
        ("folder", "is a folder"),
    ],
)
def test_bad_interpreters(tmp_path: Path, kind: str, expected: str) -> None:
    path = tmp_path / "python"
    if kind == "not-executable":
        path.write_text("#!/bin/sh\necho hi\n")
    elif kind == "text-file":
        path.write_text("just some text\n")
        path.chmod(0o755)
    elif kind == "garbage":
        path.write_text("#!/bin/sh\necho '{not json'\n")
        path.chmod(0o755)
    elif kind == "silent":
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)
    elif kind == "exit-1":
        path.write_text("#!/bin/sh\necho 'boom' >&2\nexit 1\n")
        path.chmod(0o755)
    elif kind == "folder":
        path.mkdir()
    with pytest.raises(InspectionError) as info:
        inspect(str(path))
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "Traceback" not in message
    assert message.rstrip().endswith(".")  # says what to do, as a sentence


def test_an_interpreter_whose_target_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a venv made by root, read by another user: its bin/python links into a folder that user
    # cannot read (os.stat fails with EACCES; as root, the test makes it fail so)
    python = _fake_venv(tmp_path / "venv", "#!/bin/sh\nexit 1\n", cfg="version = 3.11.7\n")
    real_stat = os.stat

    def denying_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == str(python):
            raise PermissionError(13, "Permission denied", str(python))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", denying_stat)
    with pytest.raises(InspectionError) as info:
        inspect(str(python))
    message = str(info.value)
    assert "permission denied reading its target" in message and "--no-exec" in message
    assert "broken link" not in message
    # without running it, the environment's own files are all that is needed
    snap = inspect(str(python), allow_exec=False)
    assert snap.interpreter.python_version == "3.11.7"


def test_hung_interpreter_is_killed(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nsleep 60 &\nwait\n")
    path.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(InspectionError) as info:
        inspect(str(path), timeout=1.0)
    assert time.monotonic() - started < 10
    assert "did not answer within 1 s" in str(info.value)
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped


def test_broken_metadata_gives_warnings(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    write_dist_info(site, "binary_meta", "1.0", metadata=b"Name: binary_meta\x00\xff\xfe")
    write_dist_info(
        site, "bad_utf8", "1.0", metadata=b"Name: bad_utf8\nVersion: 1.0\nSummary: \xff\n"
    )
    write_dist_info(site, "truncated", "2.0", metadata="Metadata-Version: 2.1\nName: trunc")
    dir_meta = write_dist_info(site, "meta_is_dir", "1.0")
    (dir_meta / "METADATA").unlink()
    (dir_meta / "METADATA").mkdir()
    no_meta = write_dist_info(site, "no_meta", "1.0")
    (no_meta / "METADATA").unlink()
    write_dist_info(site, "bad_direct_url", "1.0", extra_files={"direct_url.json": "{nope"})
    (site / "~roken-1.0.dist-info").mkdir()
    snap = inspect(str(python))
    names = {d.normalized_name for d in snap.distributions}
    assert {
        "binary-meta",
        "bad-utf8",
        "truncated",
        "meta-is-dir",
        "no-meta",
        "bad-direct-url",
    } <= names
    text = "\n".join(snap.warnings)
    assert "is not a text file" in text
    assert "is not valid UTF-8" in text
    assert "cannot be read" in text
    assert "no METADATA file" in text
    assert "direct_url.json" in text
    assert "incompletely removed distribution ~roken-1.0.dist-info" in text
    truncated = snap.get("truncated")
    assert truncated is not None and truncated.version == "2.0"  # from the folder name
    assert snap.get("bad-utf8") is not None


def test_pth_folders_and_first_wins(tmp_path: Path, wheelhouse: Path) -> None:
    python = make_venv(tmp_path / "venv")
    pip_install(python, [wheelhouse / "extra_pkg-2.0-py3-none-any.whl"])
    site = site_packages(python)
    extra = tmp_path / "extra"
    write_dist_info(extra, "extra_pkg", "1.0")
    write_dist_info(extra, "only_in_pth", "1.0")
    (site / "zz-extra.pth").write_text(
        f"# a comment\nimport os; open({str(tmp_path / 'ran')!r}, 'w')\n{extra}\n/nonexistent\n"
    )
    snap = inspect(str(python))
    assert snap.site_packages == (str(site), str(extra))
    found = snap.get("extra-pkg")
    assert found is not None and found.version == "2.0"
    assert snap.get("only-in-pth") is not None
    assert not (tmp_path / "ran").exists()


def test_discover_interpreter(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "python3"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": str(bindir)}
    assert discover_interpreter(str(folder), env) == str(fake)
    assert discover_interpreter(str(folder), {"PATH": str(tmp_path / "none")}) is None
    for name in ("env", "venv", ".venv"):
        exe = folder / name / "bin" / "python"
        exe.parent.mkdir(parents=True)
        exe.write_text("")
        assert discover_interpreter(str(folder), env) == str(exe)
    active = tmp_path / "active"
    (active / "bin").mkdir(parents=True)
    (active / "bin" / "python").write_text("")
    assert discover_interpreter(str(folder), {**env, "VIRTUAL_ENV": str(active)}) == str(
        active / "bin" / "python"
    )


def test_fingerprint_sees_installs(tmp_path: Path, wheelhouse: Path) -> None:
    python = make_venv(tmp_path / "venv")
    before = fingerprint(inspect(str(python)))
    assert fingerprint(inspect(str(python))) == before
    pip_install(python, [wheelhouse / "extra_pkg-1.0-py3-none-any.whl"])
    snap = inspect(str(python))
    after = fingerprint(snap)
    assert after != before
    assert snap.get("extra_pkg") is not None
    hash(after)


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.13"])
def test_other_interpreters_exec_and_static(version: str) -> None:
    """Python 2 has no -I (the run falls back to -E -s -S); static mode reads patchlevel.h."""
    found = sorted(Path("/root/.pyenv/versions").glob(f"{version}.*/bin/python{version}"))
    if not found:
        pytest.skip(f"no Python {version} here")
    ran = inspect(str(found[-1]))
    static = inspect(str(found[-1]), allow_exec=False)
    assert ran.interpreter.python_version.startswith(version + ".")
    assert static.interpreter.python_version == ran.interpreter.python_version
    assert not ran.interpreter.is_venv and not static.interpreter.is_venv
    assert static.site_packages == ran.site_packages
    assert {d.normalized_name for d in static.distributions} == set(ran.by_name)
    assert ran.markers["python_version"] == version


def test_reinspection_sees_changed_metadata(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    info = write_dist_info(site_packages(python), "edited", "1.0")
    assert inspect(str(python)).by_name["edited"].summary is None
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: edited\nVersion: 1.0\nSummary: new\n"
    )
    assert inspect(str(python)).by_name["edited"].summary == "new"


def test_metadata_entries_in_importlib_order() -> None:
    from pinwise.environment.inspect import _listing_order

    listed = [
        "b-1.dist-info",
        "a-2.dist-info",
        "B-0.9.egg-info",
        "a.x-1.dist-info",
        "A_X-2.dist-info",
    ]
    # the listing's order, a project's entries together where its first one stands
    assert _listing_order(listed) == [
        "b-1.dist-info",
        "B-0.9.egg-info",
        "a-2.dist-info",
        "a.x-1.dist-info",
        "A_X-2.dist-info",
    ]
