"""load_set against pip 26.3 over trees of included files: same requirements, same order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pip._internal.exceptions import RequirementsFileParseError
from pip._internal.req.req_file import parse_requirements

from pinwise.reqfile import load_set
from pinwise.reqfile.model import LineKind, RequirementsSet
from tests.differential.pip_oracle import _session

pytestmark = pytest.mark.filterwarnings("ignore:DEPRECATION")


def pip_sequence(root: Path) -> list[tuple[str, bool]]:
    return [
        (r.requirement, r.constraint) for r in parse_requirements(str(root), session=_session())
    ]


def our_sequence(rs: RequirementsSet) -> list[tuple[str, bool]]:
    """Walk the set as pip reads it: a file's lines in order, includes where they stand.

    A requirement is a constraint when its own file was reached through -c (not inherited).
    """

    def walk(path: str, constraint: bool, ancestors: tuple[str, ...]) -> Iterator[tuple[str, bool]]:
        for ll in rs.files[path].logical_lines:
            if ll.include is not None:
                target = ll.include.resolved
                if target in ancestors or target not in rs.files:
                    continue
                yield from walk(target, ll.include.constraint, (*ancestors, target))
            elif ll.kind is LineKind.REQUIREMENT:
                yield ll.raw_text, constraint

    root = rs.roots[0]
    return list(walk(root, False, (root,)))


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root / next(iter(files))


TREES = {
    "nested": {
        "requirements.txt": "a\n-r sub/dev.txt\nb\n",
        "sub/dev.txt": "c\n-c ../constraints.txt\n-r base.txt\nd\n",
        "sub/base.txt": "e\n",
        "constraints.txt": "f==1\n-r more.txt\n",
        "more.txt": "g\n",
    },
    "diamond": {
        "r.txt": "-r a.txt\n-r b.txt\nz\n",
        "a.txt": "a\n-r shared.txt\n",
        "b.txt": "b\n-r shared.txt\n",
        "shared.txt": "s\n",
    },
    "constraint-diamond": {
        "r.txt": "-r a.txt\n-c a.txt\n",
        "a.txt": "a==1\n",
    },
}


@pytest.mark.parametrize("tree", sorted(TREES))
def test_same_requirements_in_the_same_order(tmp_path: Path, tree: str) -> None:
    root = write(tmp_path, TREES[tree])
    theirs = pip_sequence(root)
    rs = load_set([str(root)])
    assert our_sequence(rs) == theirs
    assert rs.cycles == () and rs.missing == ()


@pytest.mark.parametrize(
    "files",
    [
        {"r.txt": "-r r.txt\n"},
        {"r.txt": "a\n-r b.txt\n", "b.txt": "-r c.txt\n", "c.txt": "-c r.txt\n"},
    ],
)
def test_cycles_are_what_pip_refuses(tmp_path: Path, files: dict[str, str]) -> None:
    root = write(tmp_path, files)
    with pytest.raises(RequirementsFileParseError, match="recursively references itself"):
        pip_sequence(root)
    rs = load_set([str(root)])
    assert len(rs.cycles) == 1
    assert rs.cycles[0].target == str(root)


@pytest.mark.parametrize(
    "form",
    ["file:{rel}", "file:./{rel}", "file:{abs_no_slash}", "file://{abs}", "file://localhost{abs}"],
)
def test_file_url_includes_are_read_where_pip_reads_them(
    tmp_path: Path, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip fetches a `file:` include through its session, which roots a path without a host at
    `/`: `-r file:sub/base.txt` is `/sub/base.txt`, not the file in the current folder."""
    monkeypatch.chdir(tmp_path)  # (where `sub/base.txt` is, relative)
    base = tmp_path / "sub" / "base.txt"
    write(tmp_path, {"sub/base.txt": "alpha==1.0\n"})
    target = form.format(rel="sub/base.txt", abs=base, abs_no_slash=str(base).lstrip("/"))
    root = write(tmp_path, {"requirements.txt": f"-r {target}\nbeta\n"})
    try:
        theirs = pip_sequence(root)
    except Exception as exc:  # pip: 404 for a file that is not there
        theirs = None
        assert "404" in str(exc), exc
    rs = load_set([str(root)], cwd=str(tmp_path))
    if theirs is None:
        assert len(rs.missing) == 1
        (edge, _why) = rs.missing[0]
        assert not edge.target.startswith(str(tmp_path))  # not the neighbour pip never reads
    else:
        assert our_sequence(rs) == theirs
        assert rs.missing == ()
