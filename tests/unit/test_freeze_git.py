"""pinwise.freeze.git and the remote-URL rules, on git repositories made by git itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.support.builders import git, make_git_repo

from pinwise.freeze import git as static_git
from pinwise.freeze.render import _git_remote_to_pip_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("ssh://git@host/o/r.git", "ssh://git@host/o/r.git"),
        ("git@github.com:o/r.git", "ssh://git@github.com/o/r.git"),
        ("github.com:o/r.git", "ssh://github.com/o/r.git"),
        ("C:/not/scp", None),  # a Windows path, not scp: the path part must start with \w
        ("/definitely/not/here.git", None),
        ("relative/x.git", None),
    ],
)
def test_remote_to_pip_url(url: str, expected: str | None) -> None:
    assert _git_remote_to_pip_url(url) == expected


def test_head_and_remotes_match_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "f").write_text("x")
    make_git_repo(repo, remotes={"zeta": "https://z.invalid/z.git", "origin": "git@o:x/y.git"})
    checkout = static_git.find_checkout(str(repo / "sub" / "dir"))
    assert checkout is None or checkout.worktree == str(repo)
    (repo / "sub").mkdir()
    checkout = static_git.find_checkout(str(repo / "sub"))
    assert checkout is not None and checkout.worktree == str(repo)
    assert static_git.head_commit(checkout) == git("rev-parse", "HEAD", cwd=repo)
    assert static_git.remote_lines(checkout) == [
        "remote.zeta.url https://z.invalid/z.git",
        "remote.origin.url git@o:x/y.git",
    ]
    git("pack-refs", "--all", cwd=repo)
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert static_git.head_commit(checkout) == git("rev-parse", "HEAD", cwd=repo)
    (repo / "f").write_text("y")
    git("commit", "-qam", "second", cwd=repo)  # loose ref again, newer than packed-refs
    assert static_git.head_commit(checkout) == git("rev-parse", "HEAD", cwd=repo)
    git("checkout", "-q", "--detach", "HEAD~1", cwd=repo)
    assert static_git.head_commit(checkout) == git("rev-parse", "HEAD", cwd=repo)


def test_no_checkout(tmp_path: Path) -> None:
    assert static_git.find_checkout(str(tmp_path)) is None


def test_unborn_branch(tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path / "repo", commit=False)
    checkout = static_git.find_checkout(str(repo))
    assert checkout is not None
    assert static_git.head_commit(checkout) is None


CONFIGS = [
    '[remote "origin"]\n\turl = https://e.invalid/\\\ncont.git\n',
    '[remote "origin"]\n\turl = "  https://e.invalid/sp.git"\n',
    '[remote "x"]\n\turl = a  b\t c  \n',
    '[remote "x"]\r\n\turl = a ; c\r\n[remote.Up]\n url=b#c\n',
    '[remote "a\\"b"]\n\turl = q\n',
    '\ufeff[remote "x"]\n\turl = bom\n',
    '[remote "x"]\n\turl = x.git\rfoo\n',
    '[remote "x"]\n\turl = a\\',  # a backslash at the end of the file
    '[remote "x"]\n\turl = "a\\"b" c\\tx\n',
    '[core]\n\tbare\n[remote "x"]\n\turl = y\n',
    # what git refuses (status 128): any bad line, wherever it stands
    '[ remote "x"]\n\turl = a\n',
    '[remote "x" ]\n\turl = a\n',
    '[remote "x"]\n\turl # comment\n',
    '[core]\n\tmy_key = 1\n[remote "x"]\n\turl = a\n',
    '[remote "x"]\n\turl = "unclosed\n',
    '[remote "x"]\n\turl = bad\\qescape\n',
    "[include]\n\tpath\n",
    "url = before-any-section\n",
    # found by a review: what git reads byte by byte, and the name pattern pip gives it
    '[remote "origin"]\n\turl = https://h/x.git\n\tfetch = a\\x\n',
    '[remote "origin"]\n\furl = https://h/x.git\n',
    '[remote "o"]\nurl = x\n\u00fcrl = y\n',
    '[remote "o"]\n\turl = a\u00a0b\u3000c\x0bd\n',
    '[remote "o"]\n\turl = a\x00b\n',
    '[remote\r"origin"]\n\turl = https://h/x.git\n',
    '[remote.a "b"]\n\turl = https://h/x.git\n',
    '[ "o"]\nurl = x\n',
    '[remote "my fork"]\n\turl = https://h/x.git\n',
    '[remote "o"]\n\turl = https://h/x.git\\nfoo\n',
    '[xremote "b"]\n\turl = https://h/x.git\n[remote "up"]\n\turl = https://h/up.git\n',
    '[remote "o"]\n\turlx = a\n\turl = b\n\turl\n',
]


@pytest.mark.parametrize("config", CONFIGS)
def test_remote_lines_as_git_config_reads_them(tmp_path: Path, config: str) -> None:
    """`git config --get-regexp 'remote\\..*\\.url'` is the oracle: the same remotes, in order,
    or git's refusal (None)."""
    repo = make_git_repo(tmp_path / "repo", commit=False)
    (repo / ".git" / "config").write_bytes(config.encode("utf-8"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(
        ["git", "config", "--get-regexp", r"remote\..*\.url"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    checkout = static_git.find_checkout(str(repo))
    assert checkout is not None
    found = static_git.remote_lines(checkout)
    if done.returncode == 128:
        assert found is None, done.stderr
        return
    assert done.returncode in (0, 1), done.stderr
    assert found == done.stdout.splitlines()  # (as pip splits git's output)
