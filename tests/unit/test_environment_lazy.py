"""Inspection's fast reader and the fields a Distribution works out on first use.

`inspect` reads a `.dist-info` with metadata.read_dist_info: METADATA's header block for Name and
Version only, and nothing else; `installer` and `top_level` (INSTALLER, top_level.txt) and
`direct_url`, `editable` and `editable_location` (direct_url.json, or an `.egg-link`) are read,
and `requires`, `provides_extras`, `summary`, `license` and `home_page` parsed from the kept
header text, when first asked for (model._ReadOnFirstUse); the snapshot's warnings then include
direct_url.json's, read when the warnings are first asked for if no field read it before.
Checked here: every field and warning equals what the eager reader (read_distribution) gives,
for generated folders (hypothesis) and the odd cases by hand, and a whole inspection equals an
eager one; a read on first use never raises (a missing or unreadable file gives the eager
reader's value); the Distribution still behaves as the frozen dataclass it is (fields, replace,
asdict, ==, hash, repr, no assignment); and the shortcuts the reader takes (the first lines of a
header block, direct_url.json's validation) agree with what they replace.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.environment import inspect as inspect_env
from pinwise.environment import metadata, model
from pinwise.environment.inspect import _read_cached, _Reading, clear_distribution_cache
from pinwise.environment.metadata import (
    BadDirectUrl,
    direct_url_fields,
    info_folder_name,
    json_loads,
    normalize,
    parse_headers,
    read_distribution,
)
from pinwise.environment.model import Distribution

# the module (the package binds `inspect` to the function)
inspect_module = importlib.import_module("pinwise.environment.inspect")
FIELDS = [f.name for f in dataclasses.fields(Distribution)]
LAZY = (
    "installer",
    "top_level",
    "requires",
    "provides_extras",
    "summary",
    "license",
    "home_page",
    "direct_url",
    "editable",
    "editable_location",
)


def _read_fast(
    folder: Path, entry: str, egg_links: frozenset[str] = frozenset(), *, dir_fd: bool = True
) -> tuple[Optional[Distribution], _Reading]:
    """What `inspect` reads for one entry (nothing cached; the folder open, as `inspect` has it
    where os.open takes dir_fd, or not), nothing read on first use yet."""
    clear_distribution_cache()
    reading = _Reading(model)
    reading.egg_links = egg_links
    if dir_fd and os.open in os.supports_dir_fd:
        reading.dir_fd = os.open(folder, os.O_RDONLY)
    try:
        name, version = info_folder_name(entry)
        named = (name, version, None if name is None else normalize(name))
        dist = _read_cached(str(folder), entry, str(folder), named, reading)
    finally:
        if reading.dir_fd is not None:
            os.close(reading.dir_fd)
    clear_distribution_cache()
    return dist, reading


def _fast(
    folder: Path, entry: str, egg_links: frozenset[str] = frozenset(), *, dir_fd: bool = True
) -> tuple[Optional[Distribution], list[str]]:
    """_read_fast's distribution, and the warnings its snapshot would have (those of reading
    direct_url.json included, which reads it now if no field did yet)."""
    dist, reading = _read_fast(folder, entry, egg_links, dir_fd=dir_fd)
    return dist, list(model.merged_warnings(reading.warnings, reading.pending))


def _eager(
    folder: Path, entry: str, egg_links: frozenset[str] = frozenset()
) -> tuple[Optional[Distribution], list[str]]:
    warnings: list[str] = []
    dist = read_distribution(str(folder), entry, str(folder), warnings, egg_links=egg_links)
    return dist, warnings


def _values(dist: Optional[Distribution]) -> Optional[dict[str, Any]]:
    return None if dist is None else {name: getattr(dist, name) for name in FIELDS}


def _is_lazy(dist: Distribution) -> bool:
    """Made by the fast reader, installer not read yet."""
    return "installer" not in vars(dist)


def _untouched(dist: Distribution) -> bool:
    """Made by the fast reader, no field read on first use yet."""
    return not set(LAZY) & set(vars(dist))


def _write(folder: Path, files: dict[str, Optional[bytes]]) -> None:
    """Files of a metadata folder; None makes a folder of that name (unreadable as a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if data is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(data)


_LINES = st.sampled_from(
    [
        "Metadata-Version: 2.1",
        "Metadata-Version: 2.4",
        "Name: pkg",
        "Name: Pkg_Name",
        "name:other",
        "Name: ",
        "Version: 1.0",
        "Version: 2.0.post1",
        "version:3",
        "Summary: a summary",
        "Summary: ",
        " continued",
        "\tcontinued",
        "Requires-Dist: a>=1",
        'Requires-Dist: b; extra == "x"',
        "Provides-Extra: x",
        "License: MIT",
        "License-Expression: Apache-2.0",
        "License-Expression: ",
        "Home-page: https://example.org",
        "Project-URL: Homepage, https://home.example",
        "Project-URL: Source, https://src.example",
        "Classifier: Programming Language :: Python",
        "odd line",
        "Name : spaced",
        ":empty",
        "X-Y: z",
    ]
)
_DIRECT_URLS = st.sampled_from(
    [
        None,
        '{"url": "https://h/a.whl", "archive_info": {"hashes": {"sha256": "ab"}}}',
        '{"url": "https://h/a.whl", "archive_info": {"hash": "sha256=ab"}}',
        '{"url": "git+https://h/r", "vcs_info": {"vcs": "git", "commit_id": "c0ffee"}}',
        '{"url": "file:///src/proj", "dir_info": {"editable": true}}',
        '{"url": "file:///src/proj", "dir_info": {}}',
        '{"url": "https://h/p", "dir_info": {}}',
        '{"url": "file:///src/my%20proj", "dir_info": {"editable": true}, "subdirectory": "s"}',
        '{"url": "file://localhost/src/proj", "dir_info": {"editable": true}}',
        '{"url": "file:///src/proj", "dir_info": {"editable": "yes"}}',
        '{"archive_info": {"hash": "sha256=ab", "hashes": {"sha256": "ab"}}, "url": "file:///a.whl"}',
        '{"url": "git+https://h/r", "vcs_info": {"vcs": "git", "commit_id": "c", '
        '"requested_revision": "main"}}',
        '{"url": "https://h/a.whl", "archive_info": {}, "dir_info": {}}',
        "[]",
        "{nope",
        "",
        "\ufffe\x00",
    ]
)
# `.egg-link` file names on sys.path: some name the distribution (pip's safe_name, or as written)
_EGG_LINKS = st.sampled_from(
    [
        frozenset(),
        frozenset({"pkg.egg-link"}),
        frozenset({"Pkg.Name.egg-link"}),
        frozenset({"Pkg-Name.egg-link", "other.egg-link"}),
        frozenset({"other.egg-link"}),
    ]
)
# what is asked for first, of a distribution made by the fast reader
_FIRST = st.sampled_from(
    [None, "warnings", "direct_url", "editable", "editable_location", "summary", "installer"]
)


@settings(max_examples=400, deadline=None)
@given(
    entry=st.sampled_from(
        ["pkg-1.0.dist-info", "Pkg_Name-2.0.dist-info", "nodash.dist-info", "pkg-.dist-info"]
    ),
    usual=st.booleans(),
    lines=st.lists(_LINES, max_size=9),
    body=st.sampled_from(["", "\n\nThe description.\n", "\n", "\n\n"]),
    newline=st.sampled_from(["\n", "\n", "\r\n"]),
    bom=st.booleans(),
    direct_url=_DIRECT_URLS,
    installer=st.sampled_from([None, b"pip\n", b"", b"  uv  \n"]),
    top_level=st.sampled_from([None, b"a\nb\n", b"\n", b"pkg\r\n_pkg\n"]),
    dir_fd=st.booleans(),
    egg_links=_EGG_LINKS,
    first=_FIRST,
)
def test_fast_reader_equals_the_eager_reader(
    *,
    entry: str,
    usual: bool,
    lines: list[str],
    body: str,
    newline: str,
    bom: bool,
    direct_url: Optional[str],
    installer: Optional[bytes],
    top_level: Optional[bytes],
    dir_fd: bool,
    egg_links: frozenset[str],
    first: Optional[str],
) -> None:
    if usual:  # the usual first three lines (the reader's quickest way)
        lines = ["Metadata-Version: 2.1", "Name: Pkg.Name", "Version: 1.0", *lines]
    text = ("\ufeff" if bom else "") + newline.join(lines) + body.replace("\n", newline)
    files: dict[str, Optional[bytes]] = {"METADATA": text.encode()}
    if direct_url is not None:
        files["direct_url.json"] = direct_url.encode()
    if installer is not None:
        files["INSTALLER"] = installer
    if top_level is not None:
        files["top_level.txt"] = top_level
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        _write(site / entry, files)
        fast, reading = _read_fast(site, entry, egg_links, dir_fd=dir_fd)
        if fast is not None and first == "warnings":
            model.merged_warnings(reading.warnings, reading.pending)
        elif fast is not None and first is not None:
            getattr(fast, first)
        fast_values = _values(fast)
        fast_warnings = list(model.merged_warnings(reading.warnings, reading.pending))
        eager, eager_warnings = _eager(site, entry, egg_links)
        assert fast_values == _values(eager)
        assert fast_warnings == eager_warnings
        assert fast == eager


def test_the_usual_folder_takes_the_fast_path(tmp_path: Path) -> None:
    _write(
        tmp_path / "pkg-1.0.dist-info",
        {
            "METADATA": b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nSummary: s\n"
            b"Requires-Dist: a\n\nbody\n",
            "INSTALLER": b"pip\n",
            "top_level.txt": b"pkg\n",
        },
    )
    dist, warnings = _fast(tmp_path, "pkg-1.0.dist-info")
    assert dist is not None and not warnings
    assert _is_lazy(dist) and "_headers" in vars(dist)
    assert dist.summary == "s"  # parses the header block: all five are set, the text dropped
    assert {"requires", "provides_extras", "summary", "license", "home_page"} <= set(vars(dist))
    assert "_headers" not in vars(dist) and "installer" not in vars(dist)
    assert dist.requires == ("a",)
    assert dist.installer == "pip" and dist.top_level == ("pkg",)
    assert "installer" in vars(dist) and "top_level" in vars(dist)


@pytest.mark.parametrize(
    ("case", "files"),
    [
        ("crlf", {"METADATA": b"Metadata-Version: 2.1\r\nName: p\r\nVersion: 1\r\n\r\nbody"}),
        ("nul", {"METADATA": b"Name: p\nVersion: 1\x00\n"}),
        ("not utf-8", {"METADATA": b"Name: p\xff\nVersion: 1\n"}),
        ("no metadata", {"PKG-INFO": b"Name: p\nVersion: 2\n"}),
        ("metadata is a folder", {"METADATA": None}),
        ("no version", {"METADATA": b"Name: p\n"}),
        ("long block", {"METADATA": b"Name: p\nVersion: 1\n" + b"Classifier: x\n" * 2000}),
        ("odd first", {"METADATA": b"odd\nName: p\nVersion: 1\n"}),
        ("unreadable direct_url", {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": None}),
        ("bad direct_url", {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": b"[]"}),
    ],
)
def test_odd_folders_read_as_the_eager_reader_reads_them(
    tmp_path: Path, case: str, files: dict[str, Optional[bytes]]
) -> None:
    entry = "p-1.0.dist-info"
    _write(tmp_path / entry, files)
    eager, eager_warnings = _eager(tmp_path, entry)
    for dir_fd in (True, False):
        fast, fast_warnings = _fast(tmp_path, entry, dir_fd=dir_fd)
        assert _values(fast) == _values(eager), case
        assert fast_warnings == eager_warnings, case


def test_unreadable_or_missing_lazy_files_give_the_eager_values(tmp_path: Path) -> None:
    # INSTALLER and top_level.txt that cannot be read (folders: a read fails even as root)
    _write(
        tmp_path / "p-1.0.dist-info",
        {"METADATA": b"Name: p\nVersion: 1\n", "INSTALLER": None, "top_level.txt": None},
    )
    dist, warnings = _fast(tmp_path, "p-1.0.dist-info")
    eager, eager_warnings = _eager(tmp_path, "p-1.0.dist-info")
    assert dist is not None and eager is not None and _is_lazy(dist)
    assert not warnings  # the eager reader warns; a read on first use has no snapshot to warn in
    assert sum("cannot be read" in w for w in eager_warnings) == 2
    assert (dist.installer, dist.top_level) == (eager.installer, eager.top_level) == (None, ())

    # the folder removed before the first use: the defaults, no exception
    _write(tmp_path / "q-1.0.dist-info", {"METADATA": b"Name: q\nVersion: 1\n", "INSTALLER": b"x"})
    gone, _ = _fast(tmp_path, "q-1.0.dist-info")
    assert gone is not None and _is_lazy(gone)
    for name in os.listdir(tmp_path / "q-1.0.dist-info"):
        os.unlink(tmp_path / "q-1.0.dist-info" / name)
    os.rmdir(tmp_path / "q-1.0.dist-info")
    assert gone.installer is None and gone.top_level == ()
    assert gone.summary is None  # the header text was read at inspection: still there


def test_a_failing_read_on_first_use_gives_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "p-1.0.dist-info", {"METADATA": b"Name: p\nVersion: 1\nSummary: s\n"})
    dist, _ = _fast(tmp_path, "p-1.0.dist-info")
    assert dist is not None

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(metadata, "read_small_file", boom)
    monkeypatch.setattr(metadata, "parse_headers", boom)
    assert dist.installer is None and dist.top_level == ()
    assert dist.summary is None and dist.requires == ()


def test_values_are_kept_from_the_first_use(tmp_path: Path) -> None:
    folder = tmp_path / "p-1.0.dist-info"
    _write(folder, {"METADATA": b"Name: p\nVersion: 1\n", "INSTALLER": b"pip\n"})
    dist, _ = _fast(tmp_path, "p-1.0.dist-info")
    assert dist is not None
    (folder / "INSTALLER").write_text("edited before the first use\n")
    assert dist.installer == "edited before the first use"  # (documented in _ReadOnFirstUse)
    (folder / "INSTALLER").write_text("edited after\n")
    assert dist.installer == "edited before the first use"


def test_still_a_frozen_dataclass(tmp_path: Path) -> None:
    folder = tmp_path / "p-1.0.dist-info"
    _write(
        folder,
        {
            "METADATA": b"Metadata-Version: 2.1\nName: p\nVersion: 1\nLicense: MIT\n",
            "INSTALLER": b"pip\n",
            "direct_url.json": b'{"url": "file:///x", "dir_info": {"editable": true}}',
        },
    )

    def fresh() -> Distribution:
        dist, _ = _fast(tmp_path, "p-1.0.dist-info")
        assert dist is not None and _is_lazy(dist)
        return dist

    eager, _ = _eager(tmp_path, "p-1.0.dist-info")
    assert eager is not None
    assert fresh() == eager and eager == fresh()
    assert hash(fresh()) == hash(eager)
    assert repr(fresh()) == repr(eager)
    assert dataclasses.asdict(fresh()) == dataclasses.asdict(eager)
    assert dataclasses.replace(fresh(), version="2") == dataclasses.replace(eager, version="2")
    assert fresh().direct_url == eager.direct_url and dataclasses.is_dataclass(fresh().direct_url)
    dist = fresh()
    with pytest.raises(dataclasses.FrozenInstanceError):
        dist.installer = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        dist.name = "other"  # type: ignore[misc]
    assert dist.installer == "pip"
    assert Distribution.installer is None and Distribution.top_level == ()  # class defaults
    made = Distribution(name="c", normalized_name="c", version="1", location="/", metadata_path="/")
    assert made.installer is None and made.top_level == () and made.requires == ()


# direct_url.json, read on first use (direct_url, editable, editable_location, the warnings)

_EDITABLE = b'{"url": "file:///src/p", "dir_info": {"editable": true}}'


def test_direct_url_is_read_on_first_use(tmp_path: Path) -> None:
    folder = tmp_path / "p-1.0.dist-info"
    _write(folder, {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": _EDITABLE})
    eager, _ = _eager(tmp_path, "p-1.0.dist-info")
    assert eager is not None and eager.editable
    for name in ("direct_url", "editable", "editable_location"):
        dist, reading = _read_fast(tmp_path, "p-1.0.dist-info")
        assert dist is not None and _untouched(dist) and "_direct_url_read" not in vars(dist)
        assert [d for _, d in reading.pending] == [dist]
        assert getattr(dist, name) == getattr(eager, name)
        # all three from the one reading
        assert {"direct_url", "editable", "editable_location"} <= set(vars(dist))
        assert (dist.direct_url, dist.editable, dist.editable_location) == (
            eager.direct_url,
            eager.editable,
            eager.editable_location,
        )
        assert "installer" not in vars(dist) and "_headers" in vars(dist)  # the others wait


def test_editable_through_an_egg_link(tmp_path: Path) -> None:
    """A .dist-info without direct_url.json is editable when an `.egg-link` names it (the
    `.egg-link` names are kept for the reading on first use); one with a direct_url.json is
    what the file says."""
    _write(tmp_path / "p_q-1.0.dist-info", {"METADATA": b"Name: p_q\nVersion: 1\n"})
    du = b'{"url": "https://h/p_q-1.0.whl", "archive_info": {}}'
    _write(
        tmp_path / "r-1.0.dist-info", {"METADATA": b"Name: r\nVersion: 1\n", "direct_url.json": du}
    )
    links = frozenset({"p-q.egg-link", "r.egg-link"})
    for entry, editable in (("p_q-1.0.dist-info", True), ("r-1.0.dist-info", False)):
        eager, eager_warnings = _eager(tmp_path, entry, links)
        dist, warnings = _fast(tmp_path, entry, links)
        assert eager is not None and eager.editable is editable
        assert _values(dist) == _values(eager) and warnings == eager_warnings
        assert dist is not None and vars(dist).get("_egg_links") == links
    dist, _ = _fast(tmp_path, "p_q-1.0.dist-info")  # no .egg-link on sys.path
    assert dist is not None and not dist.editable and "_egg_links" not in vars(dist)


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("invalid JSON", b"{nope"),
        ("not an object", b"[]"),
        ("no url", b'{"dir_info": {}}'),
        ("two infos", b'{"url": "file:///p", "dir_info": {}, "vcs_info": {}}'),
        ("unreadable", None),
        ("not UTF-8", b'{"url": "file:///p\xff", "dir_info": {"editable": true}}'),
    ],
)
def test_an_unreadable_or_invalid_direct_url_warns_in_the_snapshot(
    tmp_path: Path, case: str, data: Optional[bytes]
) -> None:
    _write(
        tmp_path / "p-1.0.dist-info",
        {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": data},
    )
    eager, eager_warnings = _eager(tmp_path, "p-1.0.dist-info", frozenset({"p.egg-link"}))
    assert eager is not None and (eager_warnings or case == "not UTF-8"), case
    for first in ("fields", "warnings"):
        dist, reading = _read_fast(tmp_path, "p-1.0.dist-info", frozenset({"p.egg-link"}))
        assert dist is not None and _untouched(dist) and not reading.warnings
        if first == "fields":
            assert _values(dist) == _values(eager), case
        warnings = list(model.merged_warnings(reading.warnings, reading.pending))
        assert warnings == eager_warnings, case
        assert _values(dist) == _values(eager), case
        # asked again: the same (the file is read once)
        assert list(model.merged_warnings(reading.warnings, reading.pending)) == warnings


def test_direct_url_removed_or_changed_before_the_first_use(tmp_path: Path) -> None:
    """(documented in model._ReadOnFirstUse) The reading is the first use's: a direct_url.json
    removed after the inspection gives no direct_url (editable through an `.egg-link` still), an
    edited one its new content, the whole folder removed the defaults; never an exception; from
    the first use on, the values are kept."""
    folder = tmp_path / "p-1.0.dist-info"
    _write(folder, {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": _EDITABLE})
    dist, reading = _read_fast(tmp_path, "p-1.0.dist-info", frozenset({"p.egg-link"}))
    assert dist is not None and _untouched(dist)
    (folder / "direct_url.json").unlink()
    assert dist.direct_url is None
    assert (dist.editable, dist.editable_location) == (True, str(tmp_path))  # the .egg-link
    assert model.merged_warnings(reading.warnings, reading.pending) == ()
    (folder / "direct_url.json").write_bytes(b"{nope")
    assert dist.direct_url is None and dist.editable  # kept
    assert model.merged_warnings(reading.warnings, reading.pending) == ()

    dist, reading = _read_fast(tmp_path, "p-1.0.dist-info")
    (folder / "direct_url.json").write_bytes(_EDITABLE)
    assert dist is not None and dist.editable and dist.editable_location == "/src/p"

    dist, reading = _read_fast(tmp_path, "p-1.0.dist-info")
    for name in os.listdir(folder):
        os.unlink(folder / name)
    os.rmdir(folder)
    assert dist is not None
    assert (dist.direct_url, dist.editable, dist.editable_location) == (None, False, None)
    assert model.merged_warnings(reading.warnings, reading.pending) == ()


def test_a_failing_direct_url_reading_gives_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        tmp_path / "p-1.0.dist-info",
        {"METADATA": b"Name: p\nVersion: 1\n", "direct_url.json": _EDITABLE},
    )
    dist, reading = _read_fast(tmp_path, "p-1.0.dist-info")
    assert dist is not None

    def boom(*args: object, **kwargs: object) -> None:
        raise RecursionError("boom")

    monkeypatch.setattr(metadata, "read_direct_url", boom)
    assert model.merged_warnings(reading.warnings, reading.pending) == ()
    assert (dist.direct_url, dist.editable, dist.editable_location) == (None, False, None)


def _eager_inspection(python: Path, monkeypatch: pytest.MonkeyPatch) -> model.Snapshot:
    """What inspect gave before any field was read on first use: every distribution read by
    the eager reader (read_distribution)."""
    with monkeypatch.context() as patch:
        patch.setattr(inspect_module, "read_dist_info", lambda *args, **kwargs: None)
        clear_distribution_cache()
        snapshot = inspect_env(str(python), allow_exec=False)
        clear_distribution_cache()
    assert not any(_is_lazy(d) for d in snapshot.distributions)
    return snapshot


def test_an_inspection_equals_the_eager_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A venv with every kind of direct_url.json, editables of each kind and warnings from both
    readers, interleaved: the same snapshot (values and warnings, in order), whichever is asked
    for first, cold and warm."""
    from tests.support.builders import (
        make_venv,
        site_packages,
        write_dist_info,
        write_legacy_editable,
    )

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    write_dist_info(
        site,
        "a_pep660",
        "1.0",
        direct_url={"url": f"file://{tmp_path}/a", "dir_info": {"editable": True}},
    )
    write_dist_info(site, "b_bad", "1.0", extra_files={"direct_url.json": "{nope"})
    write_dist_info(site, "c_nul", "1.0", metadata=b"Name: c_nul\x00\n")
    write_dist_info(
        site,
        "d_archive",
        "1.0",
        direct_url={
            "url": "https://h/d.whl",
            "archive_info": {"hash": "sha256=ab", "hashes": {"sha256": "ab"}},
        },
    )
    unreadable = write_dist_info(site, "e_unreadable", "1.0")
    (unreadable / "direct_url.json").mkdir()
    write_dist_info(
        site,
        "f_vcs",
        "1.0",
        direct_url={"url": "git+https://h/f", "vcs_info": {"vcs": "git", "commit_id": "c0"}},
    )
    write_dist_info(site, "g_linked", "1.0")  # editable through g-linked.egg-link
    (site / "g-linked.egg-link").write_text(f"{tmp_path / 'nowhere'}\n.")
    write_dist_info(site, "h_schema", "1.0", direct_url={"url": "https://h/p", "dir_info": {}})
    (site / "~roken-1.0.dist-info").mkdir()
    write_legacy_editable(site, tmp_path / "legacy", "legacy-proj", "0.1")
    write_dist_info(site, "i_plain", "1.0")

    eager = _eager_inspection(python, monkeypatch)
    assert sum("direct_url.json" in w for w in eager.warnings) == 3
    assert len(eager.warnings) >= 5
    by = eager.by_name
    assert by["a-pep660"].editable and by["g-linked"].editable and by["legacy-proj"].editable
    assert by["d-archive"].direct_url is not None and by["f-vcs"].direct_url is not None

    for first in ("warnings", "fields", "editable"):
        clear_distribution_cache()
        cold = inspect_env(str(python), allow_exec=False)
        warm = inspect_env(str(python), allow_exec=False)
        assert "warnings" not in vars(cold) and "warnings" not in vars(warm)
        if first == "warnings":
            assert cold.warnings == eager.warnings
        elif first == "editable":
            assert [d.editable for d in warm.distributions] == [
                d.editable for d in eager.distributions
            ]
        for lazy in (cold, warm):
            assert [_values(d) for d in lazy.distributions] == [
                _values(d) for d in eager.distributions
            ]
            assert lazy.warnings == eager.warnings
            assert lazy == eager and repr(lazy) == repr(eager)
        # replace (what installers.with_conda does) keeps them
        again = inspect_env(str(python), allow_exec=False)
        assert dataclasses.replace(again, by_name={}).warnings == eager.warnings
    clear_distribution_cache()


def test_inspect_uses_the_fast_reader_and_caches_its_distributions(tmp_path: Path) -> None:
    from tests.support.builders import make_venv, site_packages, write_dist_info

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    write_dist_info(site, "alpha", "1.0", extra_files={"top_level.txt": "alpha\n"})
    write_dist_info(site, "beta", "2.0", installer="uv")
    clear_distribution_cache()
    snap = inspect_env(str(python), allow_exec=False)
    alpha, beta = snap.get("alpha"), snap.get("beta")
    assert alpha is not None and beta is not None
    assert _is_lazy(alpha) and _is_lazy(beta)
    assert (alpha.installer, alpha.top_level) == ("pip", ("alpha",))
    assert (beta.installer, beta.top_level) == ("uv", ())
    again = inspect_env(str(python), allow_exec=False)
    assert again.get("alpha") is alpha  # warm: the same objects, values kept
    (site / "alpha-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\nSummary: edited\n"
    )
    edited = inspect_env(str(python), allow_exec=False).get("alpha")
    assert edited is not None and edited is not alpha and edited.summary == "edited"
    clear_distribution_cache()


def test_a_re_inspection_in_the_middle_of_an_install_keeps_nothing_stale(tmp_path: Path) -> None:
    """pip writes METADATA, then INSTALLER and direct_url.json: a re-inspection (the watcher
    polls while pip writes) that read the lazy fields in between must not keep them once the
    other files are there (they change the folder's mtime, part of the cache's stamp)."""
    from tests.support.builders import make_venv, site_packages

    python = make_venv(tmp_path / "venv")
    info = site_packages(python) / "foo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n")
    clear_distribution_cache()
    early = inspect_env(str(python), allow_exec=False).get("foo")
    assert early is not None
    assert (early.editable, early.direct_url, early.installer) == (False, None, None)
    url = {"url": "file:///src/foo", "dir_info": {"editable": True}}
    (info / "direct_url.json").write_text(json.dumps(url))
    (info / "INSTALLER").write_text("pip\n")
    later = inspect_env(str(python), allow_exec=False).get("foo")
    assert later is not None and later is not early
    assert (later.editable, later.installer) == (True, "pip")
    assert later.direct_url is not None and later.direct_url.url == "file:///src/foo"
    clear_distribution_cache()


# the reader's shortcuts against what they replace


def _name_version_reference(text: str) -> Optional[dict[str, list[str]]]:
    """metadata._name_version before it split only the first lines."""
    values: dict[str, list[str]] = {}
    current: Optional[list[str]] = None
    for line in text.split("\n"):
        if line[:1] in (" ", "\t"):
            if current is not None:
                current[0] += "\n" + line
            continue
        if len(values) == 2:
            break
        key, sep, value = line.partition(":")
        if not (sep and key.isascii() and key.isprintable()) or not key or " " in key:
            return None
        low = key.lower()
        if low in ("name", "version") and low not in values:
            current = values[low] = [value.lstrip(" \t")]
        else:
            current = None
    for found in values.values():
        found[0] = found[0].rstrip("\r")
    return values


@settings(max_examples=1500, deadline=None)
@given(st.lists(_LINES | st.sampled_from(["Version: 1.0\r", "Name:", "N\u00e4me: x"]), max_size=14))
def test_first_lines_reading_equals_the_whole_reading(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert metadata._name_version(text) == _name_version_reference(text)
    lean = parse_headers(text, lean=True)
    full = parse_headers(text)
    for key in ("name", "version"):
        assert lean.first(key) == full.first(key)


def _direct_url_reference(text: str) -> dict[str, Any]:
    """metadata.direct_url_fields before it was made shorter."""
    data = json_loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise BadDirectUrl("missing url")
    infos = [k for k in ("vcs_info", "archive_info", "dir_info") if k in data]
    if len(infos) != 1:
        raise BadDirectUrl("more than one of archive_info, dir_info, vcs_info")
    subdirectory = data.get("subdirectory")
    if subdirectory is not None and not isinstance(subdirectory, str):
        raise BadDirectUrl("subdirectory must be a string")
    info = data[infos[0]]
    if not isinstance(info, dict):
        raise BadDirectUrl(f"{infos[0]} must be an object")
    url: str = data["url"]
    base = {
        "url": url,
        "vcs": None,
        "commit_id": None,
        "requested_revision": None,
        "archive_hashes": (),
        "editable": False,
        "is_dir": False,
        "subdirectory": subdirectory,
    }
    if infos[0] == "vcs_info":
        vcs, commit = info.get("vcs"), info.get("commit_id")
        if not isinstance(vcs, str) or not isinstance(commit, str):
            raise BadDirectUrl("vcs_info needs vcs and commit_id")
        rev = info.get("requested_revision")
        rev = rev if isinstance(rev, str) else None
        return {**base, "vcs": vcs, "commit_id": commit, "requested_revision": rev}
    if infos[0] == "archive_info":
        raw_hashes = info.get("hashes")
        if raw_hashes is not None and (
            not isinstance(raw_hashes, dict)
            or not all(isinstance(v, str) for v in raw_hashes.values())
        ):
            raise BadDirectUrl("archive_info.hashes must map algorithms to strings")
        hashes: dict[str, str] = dict(raw_hashes or {})
        legacy = info.get("hash")
        if isinstance(legacy, str):
            if "=" not in legacy:
                raise BadDirectUrl("Invalid hash format (expected '<algorithm>=<hash>')")
            alg, _, value = legacy.partition("=")
            if raw_hashes is None:
                hashes = {alg: value}
            elif hashes.get(alg) != value:
                raise BadDirectUrl(f"Algorithm {alg!r} used in hash field does not match hashes")
        return {**base, "archive_hashes": tuple(hashes.items())}
    from urllib.parse import urlsplit

    parsed = urlsplit(url)
    if parsed.scheme != "file" or not parsed.path.startswith("/"):
        raise BadDirectUrl("URL scheme must be file:// (absolute) when dir_info is present")
    editable = info.get("editable", False)
    if not isinstance(editable, bool):
        raise BadDirectUrl("dir_info.editable must be a boolean")
    return {**base, "editable": editable, "is_dir": True}


_SMALL = st.none() | st.booleans() | st.integers(-1, 1) | st.sampled_from(["", "x", "a=b"])
_INFO = st.dictionaries(
    st.sampled_from(["vcs", "commit_id", "requested_revision", "hash", "hashes", "editable"]),
    _SMALL | st.dictionaries(st.sampled_from(["sha256", "md5"]), _SMALL, max_size=2),
    max_size=4,
)
_DOC = st.dictionaries(
    st.sampled_from(["url", "vcs_info", "archive_info", "dir_info", "subdirectory"]),
    _INFO
    | _SMALL
    | st.sampled_from(
        ["file:///p", "file://localhost/p", "file:/p", "FILE:///p", " file:///p", "https://h/p"]
    ),
    max_size=4,
)


@settings(max_examples=1500, deadline=None)
@given(_DOC | _SMALL | st.lists(_SMALL, max_size=2))
def test_direct_url_fields_equal_the_reference(doc: object) -> None:
    text = json.dumps(doc)
    try:
        expected: object = _direct_url_reference(text)
    except (ValueError, TypeError, AttributeError) as exc:
        expected = (type(exc), str(exc))
    try:
        got: object = direct_url_fields(text)
    except (ValueError, TypeError, AttributeError) as exc:
        got = (type(exc), str(exc))
    assert got == expected


def test_the_cache_stamp_sees_reinstalls_and_edits(tmp_path: Path) -> None:
    """A distribution read by the fast reader is stamped with its METADATA's stat (inode, times,
    size); one read by the slow reader (here an egg-info) with its folder's too."""
    from tests.support.builders import make_venv, site_packages, write_dist_info

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    info = write_dist_info(site, "alpha", "1.0")
    egg = site / "beta-2.0.egg-info"
    _write(egg, {"PKG-INFO": b"Metadata-Version: 1.1\nName: beta\nVersion: 2.0\n"})
    clear_distribution_cache()
    first = inspect_env(str(python), allow_exec=False)
    alpha, beta = first.get("alpha"), first.get("beta")
    assert alpha is not None and _is_lazy(alpha) and beta is not None and not _is_lazy(beta)
    second = inspect_env(str(python), allow_exec=False)
    assert second.get("alpha") is alpha and second.get("beta") is beta

    # a reinstall: the folder removed and made again, same version, other metadata
    for name in os.listdir(info):
        os.unlink(info / name)
    os.rmdir(info)
    write_dist_info(
        site,
        "alpha",
        "1.0",
        metadata="Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\nSummary: again\n",
        installer="uv",
    )
    (site / "beta-2.0.egg-info" / "requires.txt").write_text("alpha\n")  # the folder changes
    third = inspect_env(str(python), allow_exec=False)
    alpha3, beta3 = third.get("alpha"), third.get("beta")
    assert alpha3 is not None and alpha3 is not alpha
    assert (alpha3.summary, alpha3.installer) == ("again", "uv")
    assert beta3 is not None and beta3 is not beta and beta3.requires == ("alpha",)
    clear_distribution_cache()


_PIECES = st.text(alphabet='ab09=:/."\\ \t\x00\x7f\u00e9\u2028', max_size=6)


@settings(max_examples=2000, deadline=None)
@given(
    alg=st.sampled_from(["sha256", "md5", ""]) | _PIECES,
    value=st.sampled_from(["ab12", "x=y", ""]) | _PIECES,
    legacy=st.none() | _PIECES,
    url=st.sampled_from(["file:///w/a.whl", "https://h/a b.zip"]) | _PIECES,
    space=st.sampled_from(["", "\n", " \t"]),
    dumps=st.booleans(),
)
def test_pip_archive_equals_the_full_reading(
    *, alg: str, value: str, legacy: Optional[str], url: str, space: str, dumps: bool
) -> None:
    """The text pip writes for an archive is read without the JSON scanner: same result, and
    anything else (escapes, control characters, other spacing, hashes that disagree) is left to
    the full reading."""
    hash_field = f"{alg}={value}" if legacy is None else legacy
    if dumps:  # what pip writes, escapes included
        doc = {"archive_info": {"hash": hash_field, "hashes": {alg: value}}, "url": url}
        text = json.dumps(doc, sort_keys=True)
    else:  # the same shape, written without JSON's escaping (maybe not JSON at all)
        text = (
            f'{{"archive_info": {{"hash": "{hash_field}", "hashes": {{"{alg}": "{value}"}}}}, '
            f'"url": "{url}"}}'
        )
    text = space + text + space
    quick = metadata._pip_archive(text)
    try:
        expected: object = _direct_url_reference(text)
    except (ValueError, TypeError, AttributeError) as exc:
        expected = (type(exc), str(exc))
    if quick is not None:
        assert quick == expected
    try:
        got: object = direct_url_fields(text)
    except (ValueError, TypeError, AttributeError) as exc:
        got = (type(exc), str(exc))
    assert got == expected


def test_pip_archive_reads_what_pip_writes() -> None:
    text = json.dumps(
        {"archive_info": {"hash": "sha256=ab", "hashes": {"sha256": "ab"}}, "url": "file:///a.whl"},
        sort_keys=True,
    )
    assert metadata._pip_archive(text) == _direct_url_reference(text)
    assert metadata._pip_archive(text + "\n") is not None
