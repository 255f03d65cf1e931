"""`pinwise.freeze` against pip 26.3's own `pip freeze`, byte for byte, on real environments."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from pinwise.environment import inspect
from pinwise.freeze import freeze
from tests.conftest import FreezeEnv
from tests.support.builders import (
    PIP_ENV,
    make_venv,
    make_venv_with,
    make_wheel,
    pip,
    pip_install,
)

pytestmark = pytest.mark.slow


def pip_freeze(python: Path, *args: str, cwd: Path | None = None) -> tuple[str, list[str]]:
    result = pip("freeze", *args, python=python, cwd=cwd, check=False)
    stderr = [line for line in result.stderr.splitlines() if line.strip()]
    return result.stdout, stderr


def ours(python: Path, cwd: Path | None = None, **kwargs: object) -> tuple[str, list[str]]:
    output = freeze(inspect(str(python)), cwd=str(cwd) if cwd else None, **kwargs)  # type: ignore[arg-type]
    return output.text, output.stderr


def assert_same(
    python: Path, args: Sequence[str] = (), cwd: Path | None = None, **kwargs: object
) -> str:
    expected, expected_err = pip_freeze(python, *args, cwd=cwd)
    got, got_err = ours(python, cwd=cwd, **kwargs)
    assert got == expected
    assert got_err == [line for line in expected_err if line.startswith("WARNING")]
    return got


def test_demo_env_plain(demo_env: Path) -> None:
    out = assert_same(demo_env)
    assert "Jinja2Like==3.1.6\n" in out
    assert "zope.dotted==8.7\n" in out
    assert "legacy_ver===0.9-snapshot\n" in out
    assert "Local.Wheel @ file://" in out and "%2Bcpu" in out
    assert "setuptools" not in out and "pip==" not in out


def test_demo_env_all(demo_env: Path) -> None:
    out = assert_same(demo_env, ["--all"], all=True)
    assert "pip==99.0\n" in out and "setuptools==99.0\n" in out and "wheel==99.0\n" in out


def test_demo_env_exclude(demo_env: Path) -> None:
    out = assert_same(
        demo_env,
        ["--exclude", "Jinja2like", "--exclude", "zope_dotted"],
        exclude=["Jinja2like", "zope_dotted"],
    )
    assert "Jinja2Like" not in out and "zope.dotted" not in out


def test_freeze_env_every_line_form(freeze_env: FreezeEnv) -> None:
    out = assert_same(freeze_env.python)
    assert "-e git+https://github.com/example/git-proj.git@" in out
    assert "#egg=git_proj\n" in out
    assert "-e git+ssh://git@github.com/org/scp-proj.git@" in out
    assert "-e git+https://example.com/origin.git@" in out
    assert "# Editable Git install with no remote (NoRemote==1.0)\n" in out
    assert "with either a deleted local remote or invalid URI:\n" in out
    assert "-e git+file://" in out
    assert "&subdirectory=packages/sub\n" in out
    assert "# Editable install with no version control (My_Proj==0.1.0)\n" in out
    assert "# Editable install with no version control (Legacy-Proj==1.0)\n" in out
    assert "plain_pkg @ file://" in out
    assert "Arch-Pkg @ file://" in out and "#sha256=" in out
    assert "vcs_pkg @ git+file://" in out
    assert "sub_archive @ https://example.com/mono-5.0.zip#sha256=" in out
    assert "&subdirectory=python/sub\n" in out


def test_freeze_env_exclude_editable(freeze_env: FreezeEnv) -> None:
    out = assert_same(freeze_env.python, ["--exclude-editable"], exclude_editable=True)
    assert "-e " not in out


REQS = """\
# Pinned for production
--index-url https://example.invalid/simple
--extra-index-url https://mirror.invalid/simple
  # an indented comment
--pre

zope.dotted>=8 ; python_version > "3"  # inline comment is lost
NotInstalled==1.0
MarkupLike
--trusted-host example.invalid
-f ./wheels
MarkupLike==3.0.4
# Pinned for production
--use-feature=truststore
"""

REQS_2 = """\
# second file
typing_under
NotInstalled>=2
-r other.txt

"""


def test_requirement_files(demo_env: Path, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(REQS)
    (tmp_path / "more.txt").write_text(REQS_2)
    out = assert_same(
        demo_env,
        ["-r", "requirements.txt", "-r", "more.txt"],
        cwd=tmp_path,
        requirement_files=["requirements.txt", "more.txt"],
    )
    assert "## The following requirements were added by pip freeze:\n" in out


def test_requirement_file_crlf_and_editables(freeze_env: FreezeEnv, tmp_path: Path) -> None:
    lines = [
        "# editables",
        f"-e {freeze_env.projects['novcs']}",
        "-e git+https://github.com/example/git-proj.git#egg=git-proj",
        "--editable=git+https://example.com/d.git#egg=detached-proj",
        "plain_pkg",
        "PLAIN-PKG",
        "vcs_pkg @ git+file:///somewhere/else",
        "# editables",
        "",
    ]
    (tmp_path / "req.txt").write_bytes("\r\n".join(lines).encode())
    assert_same(freeze_env.python, ["-r", "req.txt"], cwd=tmp_path, requirement_files=["req.txt"])


def test_requirement_file_exclude_editable(freeze_env: FreezeEnv, tmp_path: Path) -> None:
    (tmp_path / "req.txt").write_text("-e git+https://x.invalid/r.git#egg=git_proj\nplain_pkg\n")
    assert_same(
        freeze_env.python,
        ["-r", "req.txt", "--exclude-editable"],
        cwd=tmp_path,
        requirement_files=["req.txt"],
        exclude_editable=True,
    )


def test_requirement_file_line_pip_cannot_read(demo_env: Path, tmp_path: Path) -> None:
    """pip stops at `-c` with an error; Pinwise warns, skips the line and goes on."""
    (tmp_path / "req.txt").write_text(
        "MarkupLike\n-c constraints.txt\n  --index-url https://x.invalid\n"
        "-e ./nowhere  # a comment\nMarkupLike==1 --hash=sha256:00\nzope.dotted\n"
    )
    expected, _ = pip_freeze(demo_env, "-r", "req.txt", cwd=tmp_path)
    output = freeze(inspect(str(demo_env)), requirement_files=["req.txt"], cwd=str(tmp_path))
    assert output.text.startswith(expected)  # same lines up to where pip stopped
    assert output.exit_code == 1
    skipped = [line for line in output.stderr if "of requirement file [req.txt]" in line]
    assert [line.split(" of ")[0] for line in skipped] == [
        f"WARNING: Skipping line {n}" for n in (2, 3, 4, 5)
    ]
    assert "zope.dotted==8.7" in output.stdout


def test_requirement_file_upper_case_wheel_is_no_wheel(demo_env: Path, tmp_path: Path) -> None:
    # pip's `Link.is_wheel` compares the extension as written: `.WHL` is an archive whose
    # project pip cannot tell (it skips the line); `.whl` would be parsed as a wheel name
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "ODD_PKG-0.1-py3-none-any.WHL").write_bytes(b"not read")
    (tmp_path / "req.txt").write_text("./wheels/ODD_PKG-0.1-py3-none-any.WHL\nMarkupLike\n")
    assert_same(demo_env, ["-r", "req.txt"], cwd=tmp_path, requirement_files=["req.txt"])


@pytest.mark.parametrize("line", ["-e", "--editable", "-e   "])
def test_requirement_file_editable_without_a_target(
    demo_env: Path, tmp_path: Path, line: str
) -> None:
    """pip stops: "  is not a valid editable requirement" (exit 1); Pinwise says it, goes on."""
    (tmp_path / "req.txt").write_text(f"MarkupLike\n{line}\nzope.dotted\n")
    result = pip("freeze", "-r", "req.txt", python=demo_env, cwd=tmp_path, check=False)
    assert result.returncode == 1 and "is not a valid editable requirement" in result.stderr
    output = freeze(inspect(str(demo_env)), requirement_files=["req.txt"], cwd=str(tmp_path))
    assert output.exit_code == 1
    assert output.text.startswith(result.stdout)  # the same up to where pip stopped
    (warning,) = [w for w in output.stderr if "Skipping line 2" in w]
    assert "is not a valid editable requirement" in warning
    assert "zope.dotted==8.7" in output.stdout


def test_requirement_file_not_utf8(demo_env: Path, tmp_path: Path) -> None:
    """pip reads `-r` files in the locale's encoding (UTF-8) and stops with a traceback on a
    byte that is not; Pinwise says which byte, skips the file and exits 1."""
    (tmp_path / "req.txt").write_bytes(b"# caf\xe9\nMarkupLike\n")
    result = pip("freeze", "-r", "req.txt", python=demo_env, cwd=tmp_path, check=False)
    assert result.returncode != 0 and "UnicodeDecodeError" in result.stderr
    output = freeze(inspect(str(demo_env)), requirement_files=["req.txt"], cwd=str(tmp_path))
    assert output.exit_code == 1
    assert output.stderr == [
        "ERROR: Could not read requirements file req.txt: byte 0xe9 at offset 5 is not UTF-8 "
        "(pip stops there); save the file as UTF-8"
    ]
    assert "\ufffd" not in output.text and "MarkupLike==3.0.4" in output.stdout


def test_missing_requirement_file(demo_env: Path, tmp_path: Path) -> None:
    output = freeze(inspect(str(demo_env)), requirement_files=["nope.txt"], cwd=str(tmp_path))
    assert output.exit_code == 1
    assert output.stderr[0].startswith("ERROR: Could not open requirements file: ")


def test_system_site_packages(tmp_path: Path, wheelhouse: Path) -> None:
    python = make_venv(tmp_path / "venv", system_site_packages=True)
    pip_install(python, [wheelhouse / "extra_pkg-2.0-py3-none-any.whl"])
    out = assert_same(python)
    assert "extra_pkg @ file://" in out
    snapshot = inspect(str(python))
    assert snapshot.include_system_site_packages
    assert len(snapshot.site_packages) >= 2


@pytest.mark.skipif(
    not os.path.exists("/root/.pyenv/versions/3.12.1/bin/python3.12"),
    reason="needs a Python 3.12 interpreter",
)
def test_python_312_shows_setuptools(tmp_path: Path, wheelhouse: Path) -> None:
    python = make_venv_with("/root/.pyenv/versions/3.12.1/bin/python3.12", tmp_path / "v312")
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        "--find-links",
        str(wheelhouse / "fakes"),
        "pip==99.0",
        "setuptools==99.0",
        "wheel==99.0",
        python=python,
    )
    out = assert_same(python)
    assert "setuptools==99.0\n" in out and "wheel==99.0\n" in out and "pip==" not in out


def test_version_normalised_from_folder_name(tmp_path: Path) -> None:
    """pip prints the normalised version (1.0.0RC1 -> 1.0.0rc1)."""
    python = make_venv(tmp_path / "venv")
    wheel = make_wheel(tmp_path / "w", "Odd_Ver", "1.0.0RC1")
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        "--find-links",
        str(wheel.parent),
        "Odd_Ver",
        python=python,
    )
    out = assert_same(python)
    assert "Odd_Ver==1.0.0rc1\n" in out


@pytest.mark.parametrize("version", ["this", "3.10"])
def test_two_dist_info_folders_of_one_project(tmp_path: Path, version: str) -> None:
    """An upgrade cut short leaves two `.dist-info` folders of a project side by side: pip
    takes the one it meets first: importlib.metadata's first (the folder's listing order) on
    Python 3.11+, pkg_resources' (sorted by name) before."""
    if version == "this":
        python = make_venv(tmp_path / "venv")
    else:
        bases = sorted(PYENV.glob(f"{version}.*/bin/python{version}"))
        if not bases:
            pytest.skip(f"no Python {version} on this machine")
        python = make_venv_with(bases[-1], tmp_path / "venv")
    (site,) = (tmp_path / "venv" / "lib").glob("python*/site-packages")
    folders = [
        ("dupe-3.0.dist-info", "dupe", "3.0"),
        ("dupe-2.0.dist-info", "dupe", "2.0"),
        ("Dupe_Two-1.0.dist-info", "Dupe_Two", "1.0"),
        ("dupe-1.5.dist-info", "dupe", "1.5"),
        ("dupe.two-2.0.dist-info", "dupe.two", "2.0"),
    ]
    if version != "this":  # pkg_resources: `dupe.two` and `Dupe_Two` are two projects to it
        folders.append(("dupe_three-1.0.dist-info", "dupe_three", "1.0"))
        folders.append(("dupe.three-2.0.dist-info", "dupe.three", "2.0"))
    for folder, name, number in folders:
        (site / folder).mkdir()
        (site / folder / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {number}\n"
        )
    assert_same(python)


def test_direct_url_json_that_pip_cannot_parse(tmp_path: Path) -> None:
    """pip warns twice for each (it reads the file twice), in the words of packaging's
    validation, and freezes the distribution as a plain pin."""
    python = make_venv(tmp_path / "venv")
    (site,) = (tmp_path / "venv" / "lib").glob("python*/site-packages")
    files: dict[str, bytes] = {
        "nourl": b'{"dir_info": {}}',
        "twoinfo": b'{"url": "file:///x", "dir_info": {}, "archive_info": {}}',
        "noinfo": b'{"url": "https://example.invalid/x.tar.gz"}',
        "badjson": b'{"url": "file:///x", dir_info: {}}',
        "editable_str": b'{"url": "file:///x", "dir_info": {"editable": "yes"}}',
        "vcs_nocommit": b'{"url": "https://example.invalid/r.git", "vcs_info": {"vcs": "git"}}',
        "bom": b'\xef\xbb\xbf{"url": "file:///x", "dir_info": {}}',
        "fine": b'{"url": "file:///tmp/fine", "dir_info": {}}',
    }
    for name, content in files.items():
        folder = site / f"{name}-1.0.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (folder / "direct_url.json").write_bytes(content)
    got = assert_same(python)
    assert "nourl==1.0" in got
    _, warnings = pip_freeze(python)
    assert len(warnings) == 2 * (len(files) - 1)
    # not UTF-8: pip stops with a traceback; Pinwise says so, goes on and exits 1
    folder = site / "not_utf8-1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: not_utf8\nVersion: 1.0\n")
    (folder / "direct_url.json").write_bytes(b'{"url": "file:///caf\xe9", "dir_info": {}}')
    result = pip("freeze", python=python, check=False)
    assert result.returncode != 0 and "UnicodeDecodeError" in result.stderr
    output = freeze(inspect(str(python)))
    assert output.exit_code == 1 and "not_utf8==1.0" in output.stdout
    (said,) = [w for w in output.stderr if "not-utf8" in w]
    assert "'utf-8' codec can't decode byte 0xe9" in said and "stops" in said


def test_empty_env(tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv")
    assert assert_same(python) == ""
    assert sys.executable  # the oracle ran with the dev venv's pip


EDGE_LINES = """\
./localproj
local/local_wheel-2.0rc1+cpu-py3-none-any.whl
https://example.invalid/x-1.0.tar.gz#egg=MarkupLike
zope.dotted @ https://example.invalid/z.zip

markuplike


typing_under ; python_version < "3"
Jinja2Like[i18n] >= 1  # with extras
--find-links=./wheels
-f ./wheels
-e ./localproj
-e git+https://example.invalid/r.git#egg=NotHere
TYPING-UNDER
"""


def test_requirement_file_edge_lines(demo_env: Path, wheelhouse: Path, tmp_path: Path) -> None:
    from tests.support.builders import make_project

    make_project(tmp_path / "localproj", "localproj")
    (tmp_path / "local").mkdir()
    for wheel in (wheelhouse / "local").glob("*.whl"):
        (tmp_path / "local" / wheel.name).write_bytes(wheel.read_bytes())
    (tmp_path / "edge.txt").write_text(EDGE_LINES)
    (tmp_path / "dup.txt").write_text("zope.dotted\nMarkupLike\n")
    assert_same(
        demo_env,
        ["-r", "edge.txt", "-r", "dup.txt"],
        cwd=tmp_path,
        requirement_files=["edge.txt", "dup.txt"],
    )


PYENV = Path("/root/.pyenv/versions")


@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_other_python_versions(version: str, tmp_path: Path, wheelhouse: Path) -> None:
    """pip reads metadata with pkg_resources on 3.10, hides setuptools/wheel only below 3.12."""
    from tests.support.builders import (
        make_git_repo,
        make_project,
        pip_install_projects,
        site_packages,
        write_dist_info,
    )

    bases = sorted(PYENV.glob(f"{version}.*/bin/python{version}"))
    if not bases:
        pytest.skip(f"no Python {version} on this machine")
    python = make_venv_with(bases[-1], tmp_path / "venv")
    pip(
        "install",
        "--no-index",
        "--no-deps",
        "--quiet",
        "--find-links",
        str(wheelhouse),
        "--find-links",
        str(wheelhouse / "fakes"),
        "Jinja2Like",
        "zope.dotted",
        "pip==99.0",
        "setuptools==99.0",
        "wheel==99.0",
        python=python,
    )
    project = make_project(tmp_path / "repo", "Git-Proj", "1.0")
    make_git_repo(project, remotes={"origin": "git@example.com:org/repo.git"})
    pip_install_projects(python, [project], editable=True)
    write_dist_info(site_packages(python), "legacy_ver", "0.9-snapshot")
    assert_same(python)
    assert_same(python, ["--all"], all=True)


def test_git_corner_cases(tmp_path: Path) -> None:
    """Worktrees, a gitfile checkout, old-style and quoted config, no commits, a peeled tag."""
    from tests.support.builders import git, make_git_repo, make_project, pip_install_projects

    python = make_venv(tmp_path / "venv")
    main = make_project(tmp_path / "main", "wt-main", "1.0")
    make_git_repo(main, remotes={"origin": "https://example.com/main.git"})
    git("tag", "-a", "v1", "-m", "tag", cwd=main)
    git("pack-refs", "--all", cwd=main)
    git("worktree", "add", "-q", str(tmp_path / "wt"), cwd=main)

    quoted = make_project(tmp_path / "quoted", "quoted-cfg", "1.0")
    make_git_repo(quoted)
    with open(quoted / ".git" / "config", "a") as handle:
        handle.write("[remote.legacy]\n\turl = ssh://old.example.com/x.git\n")
        handle.write('[remote "origin"] ; comment\n\turl = "https://example.com/q.git" # c\n')

    separate = make_project(tmp_path / "separate", "separate-gitdir", "1.0")
    git("init", "-q", "--separate-git-dir", str(tmp_path / "separate.git"), cwd=separate)
    git("add", "-A", cwd=separate)
    git("commit", "-q", "-m", "x", cwd=separate)
    git("remote", "add", "origin", "https://example.com/sep.git", cwd=separate)

    empty = make_project(tmp_path / "empty", "no-commits", "1.0")
    make_git_repo(empty, remotes={"origin": "https://example.com/e.git"}, commit=False)

    pip_install_projects(python, [tmp_path / "wt", quoted, separate, empty], editable=True)
    expected, _ = pip_freeze(python)
    output = freeze(inspect(str(python)))
    assert output.text == expected
    assert "## !! Could not determine repository location" in output.stdout
    assert any("Could not determine repository location" in line for line in output.stderr)


def test_git_config_symlinks_broken_and_foreign_checkouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What git (as pip runs it) makes of: a remote URL continued over two lines, one quoted
    with leading spaces, one in a file `[include] path` names; a project reached through a
    symlinked folder (git reports the real path, so pip's `subdirectory=` climbs out and back);
    a `.git` file naming no repository, at the project and above it; a checkout owned by
    another user (git 2.35.2+ leaves it alone, unless `safe.directory` lists it)."""
    import shutil

    from tests.support.builders import git, make_git_repo, make_project, pip_install_projects

    python = make_venv(tmp_path / "venv")
    projects = []
    continued = make_project(tmp_path / "continued", "continued-url", "1.0")
    make_git_repo(continued)
    with open(continued / ".git" / "config", "a") as handle:
        handle.write('[remote "origin"]\n\turl = https://example.com/\\\ncont.git\n')
    quoted = make_project(tmp_path / "spaced", "spaced-url", "1.0")
    make_git_repo(quoted)
    with open(quoted / ".git" / "config", "a") as handle:
        handle.write('[remote "origin"]\n\turl = "  https://example.com/sp.git"\n')
    included = make_project(tmp_path / "included", "included-url", "1.0")
    make_git_repo(included)
    (included / ".git" / "extra.cfg").write_text('[remote "origin"]\n\turl = https://e.com/i.git\n')
    with open(included / ".git" / "config", "a") as handle:
        handle.write("[include]\n\tpath = extra.cfg\n")
    projects += [continued, quoted, included]

    repo = tmp_path / "repo"
    make_project(repo / "sub" / "proj", "through-link", "1.0")
    make_git_repo(repo, remotes={"origin": "https://example.com/repo.git"})
    (tmp_path / "link").symlink_to(repo)
    projects.append(tmp_path / "link" / "sub" / "proj")

    # a symlink inside a checkout to a folder outside any: not in a checkout, for git
    outside = make_project(tmp_path / "outside" / "proj", "outside-proj", "1.0")
    repo2 = tmp_path / "repo2"
    make_project(repo2, "repo-two", "1.0")
    make_git_repo(repo2, remotes={"origin": "https://example.com/repo2.git"})
    (repo2 / "linked").symlink_to(outside.parent)
    projects.append(repo2 / "linked" / "proj")
    # a config line git refuses (anywhere in the file: git config fails, status 128)
    bad = make_project(tmp_path / "badline", "bad-line", "1.0")
    make_git_repo(bad, remotes={"origin": "https://example.com/bad.git"})
    with open(bad / ".git" / "config", "a") as handle:
        handle.write("[core]\n\tmy_key = 1\n")
    projects.append(bad)
    # the same with the project in a subfolder: git cannot even say where the checkout is
    bad_sub = tmp_path / "badsub"
    make_project(bad_sub / "proj", "bad-below", "1.0")
    make_git_repo(bad_sub, remotes={"origin": "https://example.com/badsub.git"})
    with open(bad_sub / ".git" / "config", "a") as handle:
        handle.write('[remote "x"]\n\tfetch = a\\x\n')
    projects.append(bad_sub / "proj")

    outer = tmp_path / "outer"
    make_project(outer / "brk", "broken-gitfile", "1.0")
    make_project(outer / "deeper" / "proj", "below-broken", "1.0")
    make_git_repo(outer, remotes={"origin": "https://example.com/outer.git"})
    (outer / "brk" / ".git").write_text("gitdir: /nonexistent\n")
    (outer / "deeper" / ".git").write_text("gitdir: /nonexistent\n")
    projects += [outer / "brk", outer / "deeper" / "proj"]

    foreign = make_project(tmp_path / "foreign", "foreign-owner", "1.0")
    make_git_repo(foreign, remotes={"origin": "https://example.com/foreign.git"})
    pip_install_projects(python, [*projects, foreign], editable=True)
    if os.geteuid() == 0:  # (as another user the chown is refused: the case is root's)
        shutil.chown(foreign, user="nobody")
        for path in foreign.rglob("*"):
            os.lchown(path, 65534, -1)
    # git's and Pinwise's view of safe.directory: this file only, for both
    protected = tmp_path / "gitconfig"
    protected.write_text("")
    for name, value in (("GIT_CONFIG_GLOBAL", str(protected)), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setitem(PIP_ENV, name, value)
        monkeypatch.setenv(name, value)
    # entries as git compares them (the one this machine runs: the oracle decides the rest)
    entries = {
        None: False,
        str(foreign): True,
        "*": True,
        f"{foreign}/": None,
        f"{tmp_path}/*": None,
    }
    for entry, trusted in entries.items():
        protected.write_text("" if entry is None else f"[safe]\n\tdirectory = {entry}\n")
        expected, expected_err = pip_freeze(python)
        output = freeze(inspect(str(python)))
        assert output.text == expected, entry
        assert output.stderr == [line for line in expected_err if line.startswith("WARNING")]
        assert "#egg=through_link&subdirectory=../link/sub/proj" in expected
        assert "# Editable install with no version control (outside-proj==1.0)" in expected
        assert "# Editable install with no version control (bad-below==1.0)" in expected
        untrusted = "# Editable Git install with no remote (foreign-owner==1.0)" in expected
        if trusted is not None:
            assert untrusted is (os.geteuid() == 0 and not trusted)
    git("--version", cwd=tmp_path)  # (the oracle's git ran)


def test_requirement_file_missing_archive(demo_env: Path, tmp_path: Path) -> None:
    (tmp_path / "req.txt").write_text("dist/missing-1.0.tar.gz\nMarkupLike\n")
    assert_same(demo_env, ["-r", "req.txt"], cwd=tmp_path, requirement_files=["req.txt"])


def test_versions_and_names_pip_normalises(tmp_path: Path) -> None:
    """Hand-written folders: pip reads the version from the folder name and normalises it."""
    from tests.support.builders import site_packages, write_dist_info

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    cases = [
        ("Alpha", "v1.0"),
        ("beta", "1.0.0.Post1"),
        ("gamma", "01.02"),
        ("Delta", "1.0a"),
        ("eps", "1!2.0"),
        ("zeta", "1.0+Local.Label_x"),
        ("A.B-C_D", "2.0"),
        ("eta", "1.0.dev"),
        ("iota", "latest"),
    ]
    for name, version in cases:
        write_dist_info(site, name, version, folder=f"{name.replace('-', '_')}-{version}.dist-info")
    write_dist_info(site, "kappa", "3.0", folder="kappa.dist-info")
    write_dist_info(site, "mu", "3.0", folder="Mu-3.0.DIST-INFO")
    write_dist_info(site, "lam", "3.0", folder="~am-3.0.dist-info")
    out = assert_same(python)
    assert "iota===latest\n" in out and "zeta==1.0+local.label.x\n" in out


def test_egg_dir_and_hidden_pth(tmp_path: Path) -> None:
    """An unzipped .egg on sys.path (easy_install) is listed; a `.hidden.pth` is read (< 3.13)."""
    from tests.support.builders import site_packages, write_dist_info

    python = make_venv(tmp_path / "venv")
    site = site_packages(python)
    egg = tmp_path / "Old_Egg-1.5-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text(
        "Metadata-Version: 1.1\nName: Old-Egg\nVersion: 1.5\n"
    )
    hidden = tmp_path / "hidden"
    write_dist_info(hidden, "from_hidden", "1.0")
    (site / "easy-install.pth").write_text(f"{egg}\n")
    (site / ".hidden.pth").write_text(f"{hidden}\n")
    out = assert_same(python)
    assert "Old-Egg==1.5\n" in out and "from_hidden==1.0\n" in out
