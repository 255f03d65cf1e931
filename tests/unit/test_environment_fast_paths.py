"""The behaviours that make inspection and `pinwise freeze` fast (no timing asserts here).

- the one isolated run of a non-venv interpreter is cached on disk, keyed by the interpreter
  file's stat, so the next process does not run it again; a change of the file runs it again;
  a corrupt cache file or entry is ignored (and replaced);
- `pinwise freeze` on a virtual environment starts no process at all (pyvenv.cfg and
  lib/pythonX.Y say everything it needs), with or without --no-exec;
- `pinwise freeze` imports almost nothing: no dataclasses, packaging, reqfile, analysis,
  argparse, typing, subprocess, urllib, email, re or json (direct_url.json is read by the json
  module's C scanner), and the shortcuts that replace them agree with what they replace;
- `scan` (the freeze path's plain reader) and `inspect` find the same distributions.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.builders import write_dist_info

from pinwise.cli import execute
from pinwise.environment import clear_cache, inspect
from pinwise.environment.inspect import leading_version, python_dir_version, scan
from pinwise.environment.interpreter import disk_cache_path
from pinwise.environment.metadata import json_loads, normalize, parse_headers
from pinwise.freeze import freeze

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    clear_cache()
    yield home
    clear_cache()


def _counting_python(folder: Path, log: Path) -> Path:
    """A non-venv 'interpreter': a script that logs each run, then runs this Python."""
    folder.mkdir(parents=True, exist_ok=True)
    python = folder / "python3"
    python.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return python


def _runs(log: Path) -> int:
    return log.read_text().count("run") if log.exists() else 0


def test_disk_cache_spares_the_next_process_a_run(tmp_path: Path, cache_home: Path) -> None:
    log = tmp_path / "runs.log"
    python = _counting_python(tmp_path / "bin", log)
    first = inspect(str(python))
    assert _runs(log) == 1 and first.interpreter.executed
    cache = Path(str(disk_cache_path()))
    assert cache.parent.parent == cache_home and cache.is_file()
    data = json.loads(cache.read_text())
    assert any(str(python) in key for key in data["entries"])

    clear_cache()  # what a new process starts with
    second = inspect(str(python))
    assert _runs(log) == 1
    assert second.markers == first.markers
    assert second.site_packages == first.site_packages

    python.write_text(python.read_text() + "# changed\n")  # another size: another interpreter
    clear_cache()
    inspect(str(python))
    assert _runs(log) == 2


def test_corrupt_disk_cache_is_ignored_and_replaced(tmp_path: Path, cache_home: Path) -> None:
    log = tmp_path / "runs.log"
    python = _counting_python(tmp_path / "bin", log)
    cache = Path(str(disk_cache_path()))
    cache.parent.mkdir(parents=True)
    for garbage in (b"\x00\xffnot json", b'{"format": 1, "entries": []}', b"[1, 2]"):
        cache.write_bytes(garbage)
        clear_cache()
        before = _runs(log)
        inspect(str(python))
        assert _runs(log) == before + 1
        assert json.loads(cache.read_text())["format"] == 1  # rewritten whole

    # a well-formed file whose entry for this interpreter is damaged: run again, overwrite it
    data = json.loads(cache.read_text())
    for key in data["entries"]:
        data["entries"][key] = {"markers": "nope"}
    cache.write_text(json.dumps(data))
    clear_cache()
    before = _runs(log)
    snap = inspect(str(python))
    assert _runs(log) == before + 1 and snap.markers["python_version"]
    clear_cache()
    inspect(str(python))
    assert _runs(log) == before + 1  # the repaired entry is used


def test_cache_location() -> None:
    assert disk_cache_path({"XDG_CACHE_HOME": "/x/cache"}) == "/x/cache/pinwise/interpreters.json"
    home = os.path.expanduser("~")
    assert disk_cache_path({"XDG_CACHE_HOME": "relative"}) == os.path.join(
        home, ".cache", "pinwise", "interpreters.json"
    )


def test_unwritable_cache_folder_only_costs_a_run(tmp_path: Path, cache_home: Path) -> None:
    cache_home.write_text("a file where the cache folder should be")
    log = tmp_path / "runs.log"
    python = _counting_python(tmp_path / "bin", log)
    inspect(str(python))
    clear_cache()
    inspect(str(python))
    assert _runs(log) == 2


def _marker_venv(root: Path, marker: Path) -> Path:
    """A venv whose interpreter leaves `marker` behind if anything runs it."""
    (root / "bin").mkdir(parents=True)
    site = root / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (root / "pyvenv.cfg").write_text(
        "home = /nonexistent/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n"
    )
    python = root / "bin" / "python"
    python.write_text(f'#!/bin/sh\ntouch "{marker}"\nexit 1\n')
    python.chmod(0o755)
    write_dist_info(site, "Alpha_Pkg", "1.0")
    write_dist_info(
        site,
        "beta",
        "2.0.post1",
        direct_url={"url": "file:///w/beta-2.0.post1.whl", "archive_info": {}},
    )
    write_dist_info(site, "pip", "26.3")
    return python


@pytest.mark.parametrize("no_exec", [False, True])
def test_freeze_on_a_venv_starts_no_process(tmp_path: Path, no_exec: bool) -> None:
    marker = tmp_path / "ran"
    python = _marker_venv(tmp_path / "venv", marker)
    out, err = io.StringIO(), io.StringIO()
    args = ["freeze", "--python", str(python)] + (["--no-exec"] if no_exec else [])
    code = execute(args, stdout=out, stderr=err, cwd=str(tmp_path), environ={"PATH": ""})
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue() == "Alpha_Pkg==1.0\nbeta @ file:///w/beta-2.0.post1.whl\n"
    assert not marker.exists()
    # the control: what needs the marker environment does run it
    code = execute(
        ["env", "--python", str(python)],
        stdout=out,
        stderr=err,
        cwd=str(tmp_path),
        environ={"PATH": ""},
    )
    assert code == 2 and marker.exists()


def test_freeze_process_imports_almost_nothing(tmp_path: Path) -> None:
    python = _marker_venv(tmp_path / "venv", tmp_path / "ran")
    probe = (
        "import io, sys\n"
        "from pinwise.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        f"code = main(['freeze', '--python', {str(python)!r}])\n"
        "sys.stdout = sys.__stdout__\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        check=True,
    )
    code, _, names = done.stdout.strip().partition(" ")
    loaded = set(names.split())
    assert code == "0"
    assert "pinwise.freeze.render" in loaded
    heavy = {
        "dataclasses", "packaging", "pinwise.reqfile", "pinwise.analysis", "argparse", "typing",
        "subprocess", "urllib.request", "email", "pathlib", "pinwise.environment.model",
        "pinwise.freeze.merge", "re", "json", "enum", "platform", "threading", "urllib",
    }  # fmt: skip
    assert not heavy & loaded, heavy & loaded


def test_scan_finds_what_inspect_finds(demo_env: Path) -> None:
    snap = inspect(str(demo_env))
    found = scan(str(demo_env))
    assert found.site_packages == snap.site_packages
    assert found.interpreter.python_version == snap.interpreter.python_version
    assert [d.name for d in found.distributions] == [d.name for d in snap.distributions]
    for lean, full in zip(found.distributions, snap.distributions):
        assert (lean.normalized_name, lean.version, lean.location, lean.metadata_path) == (
            full.normalized_name,
            full.version,
            full.location,
            full.metadata_path,
        )
        assert (lean.editable, lean.editable_location) == (full.editable, full.editable_location)
        assert (lean.direct_url is None) == (full.direct_url is None)
        if lean.direct_url is not None and full.direct_url is not None:
            assert vars(lean.direct_url) == {
                k: getattr(full.direct_url, k) for k in vars(lean.direct_url)
            }
    assert freeze(found).text == freeze(snap).text
    assert freeze(found, all=True).text == freeze(snap, all=True).text


_HEADER_LINES = st.sampled_from(
    [
        "Name: pkg",
        "name:Pkg_2",
        "NAME: \tx",
        "Version: 1.0",
        "version:2",
        "Version: 1.0\r",
        "Summary: s",
        "Requires-Dist: a>=1",
        " continued",
        "\tcontinued",
        "odd line",
        ":empty",
        "Name : spaced",
        "Names: no",
        "Vers\u00edon: 3",
        "X-Y: z",
        "Name:",
        "Version: ",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_HEADER_LINES, max_size=8))
def test_lean_headers_equal_the_full_reading(lines: list[str]) -> None:
    text = "\n".join(lines)
    full = parse_headers(text)
    lean = parse_headers(text, lean=True)
    for key in ("name", "version"):
        assert lean.first(key) == full.first(key), (key, text)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="aZ9_.-\u0130\u00df ", max_size=12))
def test_normalize_equals_the_pep503_regex(name: str) -> None:
    assert normalize(name) == re.sub(r"[-_.]+", "-", name).lower()


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="0123456789.t\u0663pyhon\n", max_size=14))
def test_version_readers_equal_the_regexes(text: str) -> None:
    found = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", text)
    expected = tuple(int(g) for g in found.groups() if g is not None) if found else None
    assert leading_version(text) == expected
    name = "python" + text
    folder = re.match(r"^python(\d+)\.(\d+)t?$", name)
    assert python_dir_version(name) == (
        (int(folder.group(1)), int(folder.group(2))) if folder else None
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@settings(max_examples=500, deadline=None)
@given(_JSON, st.sampled_from(["", " ", "\n", "\t\r\n "]))
def test_json_loads_equals_json(value: object, space: str) -> None:
    text = space + json.dumps(value) + space
    assert json_loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text", ["", "{", '{"a": 1} x', "\ufeff{}", "{'a': 1}", "[1,]", "nan", '"\\x"', "01"]
)
def test_json_loads_errors_are_json_errors(text: str) -> None:
    with pytest.raises(ValueError) as ours:
        json_loads(text)
    with pytest.raises(ValueError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("args", [[], ["--no-exec"], ["--exclude", "beta"]])
def test_freeze_process_output_is_complete(tmp_path: Path, args: list[str]) -> None:
    """The program ends `pinwise freeze` without the interpreter's teardown: all of the output
    must still be there, and the exit status."""
    python = _marker_venv(tmp_path / "venv", tmp_path / "ran")
    argv = ["freeze", "--python", str(python), *args]
    out, err = io.StringIO(), io.StringIO()
    code = execute(argv, stdout=out, stderr=err, cwd=str(tmp_path), environ={"PATH": ""})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([sys.executable, "-m", "pinwise", *argv], capture_output=True,
                          text=True, env=env, cwd=str(tmp_path), check=False)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (code, out.getvalue(), err.getvalue())
    missing = subprocess.run([sys.executable, "-m", "pinwise", "freeze", "--python",
                              str(tmp_path / "nope")], capture_output=True, text=True, env=env,
                             check=False)  # fmt: skip
    assert missing.returncode == 2 and "does not exist" in missing.stderr
