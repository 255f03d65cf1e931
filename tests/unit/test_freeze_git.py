"""pinwise.freeze.git and the remote-URL rules, on git repositories made by git itself."""

from __future__ import annotations

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
    assert static_git.remote_urls(checkout) == [
        ("zeta", "https://z.invalid/z.git"),
        ("origin", "git@o:x/y.git"),
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
