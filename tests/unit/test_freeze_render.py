"""pinwise.freeze rendering rules that need no environment (pure functions over the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinwise.environment.model import DirectUrl, Distribution
from pinwise.freeze.render import (
    _LineError,
    dev_packages,
    direct_reference,
    name_from_editable,
    name_from_line,
    name_version,
)


def dist(name: str, version: str, folder: str | None = None, **kw: object) -> Distribution:
    folder = folder or f"{name.lower()}-{version}.dist-info"
    return Distribution(
        name=name,
        normalized_name=name.lower(),
        version=version,
        location="/site",
        metadata_path=f"/site/{folder}",
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("d", "legacy", "expected"),
    [
        (dist("Jinja2", "3.1.6"), False, "Jinja2==3.1.6"),
        (dist("Odd", "1.0.0RC1"), False, "Odd==1.0.0rc1"),
        (dist("Old", "0.9-snapshot", "old-0.9-snapshot.dist-info"), False, "Old===0.9-snapshot"),
        (dist("Old", "0.9-snapshot", "old-0.9-snapshot.dist-info"), True, "Old==0.9"),
        (dist("Egg", "2.0", "Egg.egg-info"), False, "Egg==2.0"),
        (dist("Egg", "weird version", "Egg-weird.egg-info"), True, "Egg===weird"),
        # the folder's version wins over the metadata's (pip reads the folder name first)
        (dist("Folder", "9.9", "folder-1.0.dist-info"), False, "Folder==1.0"),
    ],
)
def test_name_version(d: Distribution, legacy: bool, expected: str) -> None:
    assert name_version(d, legacy) == expected


def test_direct_references() -> None:
    vcs = DirectUrl(url="https://h/r.git", vcs="git", commit_id="abc", subdirectory="sub")
    assert direct_reference(dist("P", "1", direct_url=vcs)) == (
        "P @ git+https://h/r.git@abc#subdirectory=sub"
    )
    archive = DirectUrl(url="file:///a.tar.gz", archive_hashes=(("sha256", "ff"), ("md5", "0")))
    assert direct_reference(dist("P", "1", direct_url=archive)) == "P @ file:///a.tar.gz#sha256=ff"
    folder = DirectUrl(url="file:///srv/p", is_dir=True)
    assert direct_reference(dist("P", "1", direct_url=folder)) == "P @ file:///srv/p"
    assert direct_reference(dist("P", "1")) is None


def test_dev_packages() -> None:
    assert dev_packages("3.11.7") == {"pip", "setuptools", "distribute", "wheel"}
    assert dev_packages("3.12.0") == {"pip"}
    assert dev_packages("3.13") == {"pip"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Foo_Bar>=1 ; python_version > '3'", "Foo_Bar"),
        ("foo[x] @ https://h/f.zip", "foo"),
        ("https://h/p-1.0.tar.gz#egg=Pkg", "Pkg"),
        ("https://h/p-1.0.tar.gz", None),
        ("https://h/dist/local_wheel-2.0rc1%2Bcpu-py3-none-any.whl", "local-wheel"),
        ("git+https://h/r.git@v1#egg=thing", "thing"),
    ],
)
def test_name_from_line(line: str, expected: str | None, tmp_path: Path) -> None:
    assert name_from_line(line, str(tmp_path)) == expected


@pytest.mark.parametrize(
    "line",
    ["foo==1 --hash=sha256:00", "foo=1", "https://h/p.tar.gz#egg=p>=1", "./nodir-but-not-there/"],
)
def test_name_from_line_errors(line: str, tmp_path: Path) -> None:
    with pytest.raises(_LineError):
        name_from_line(line, str(tmp_path))


def test_name_from_editable(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    assert name_from_editable("./proj", str(tmp_path)) is None
    assert name_from_editable("git+https://h/r.git#egg=Name", str(tmp_path)) == "Name"
    assert name_from_editable("git:https://h/r.git#egg=n2", str(tmp_path)) == "n2"
    assert name_from_editable("pkg @ git+https://h/r.git", str(tmp_path)) == "pkg"
    with pytest.raises(_LineError, match="Could not detect requirement name"):
        name_from_editable("git+https://h/r.git", str(tmp_path))
    with pytest.raises(_LineError, match="not a valid editable requirement"):
        name_from_editable("./missing", str(tmp_path))
