"""Reading a git checkout statically: the remote URL and HEAD's commit, never running git.

This answers what pip's Git backend asks `git` for when it freezes an editable install:
`git rev-parse --show-toplevel` (is the folder in a checkout?), `git config --get-regexp
remote\\..*\\.url` (origin, else the first remote), `git rev-parse HEAD`, and `git rev-parse
--git-dir` (for `subdirectory=`). Only the repository's own config is read (pip's git would also
see remotes defined in the user's or system's git config, which nobody does). The reftable ref
storage format (git 2.45+, opt-in) is not read: HEAD then counts as unresolvable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional

_SECTION = re.compile(r'^\s*\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$')
_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$")
_HEX40 = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class Checkout:
    worktree: str  # the folder holding `.git`
    git_dir: str  # the `.git` folder (or the folder a `.git` file points at)
    common_dir: str  # where config, refs and packed-refs live (differs for worktrees)


def find_checkout(location: str) -> Optional[Checkout]:
    """The innermost git checkout containing `location` (walking up like git does)."""
    current = os.path.abspath(location)
    while True:
        dot_git = os.path.join(current, ".git")
        if os.path.isdir(dot_git):
            if _looks_like_git_dir(dot_git):
                return Checkout(current, dot_git, _common_dir(dot_git))
        elif os.path.isfile(dot_git):
            target = _read_gitfile(dot_git)
            if target is not None and _looks_like_git_dir(target):
                return Checkout(current, target, _common_dir(target))
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _looks_like_git_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "HEAD")) and (
        os.path.isdir(os.path.join(path, "objects"))
        or os.path.isfile(os.path.join(path, "commondir"))
    )


def _read_gitfile(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = text[len("gitdir:") :].strip()
    return os.path.normpath(os.path.join(os.path.dirname(path), target))


def _common_dir(git_dir: str) -> str:
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            common = handle.read().strip()
    except OSError:
        return git_dir
    return os.path.normpath(os.path.join(git_dir, common))


def _unquote(value: str) -> str:
    """A git config value: strip inline comments outside quotes, remove quotes, escapes."""
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(nxt, nxt))
            i += 1
        elif ch in ";#" and not quoted:
            break
        else:
            out.append(ch)
        i += 1
    return "".join(out).strip()


def remote_urls(checkout: Checkout) -> list[tuple[str, str]]:
    """(remote name, url) in the order `git config --get-regexp 'remote\\..*\\.url'` lists them."""
    try:
        with open(
            os.path.join(checkout.common_dir, "config"), encoding="utf-8", errors="replace"
        ) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found: list[tuple[str, str]] = []
    section: Optional[str] = None
    subsection: Optional[str] = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        head = _SECTION.match(line)
        if head and stripped.startswith("["):
            section = head.group(1).lower()
            subsection = head.group(2)
            if "." in section and subsection is None:  # [remote.origin] old syntax
                section, _, subsection = section.partition(".")
            rest = head.group(3)
            if not rest:
                continue
        else:
            rest = line
        key = _KEY.match(rest)
        if key and section == "remote" and subsection is not None and key.group(1).lower() == "url":
            found.append((subsection, _unquote(key.group(2) or "")))
    return found


def _read_ref(checkout: Checkout, ref: str, depth: int = 0) -> Optional[str]:
    if depth > 5:
        return None
    for base in (checkout.git_dir, checkout.common_dir):
        try:
            with open(os.path.join(base, *ref.split("/")), encoding="utf-8") as handle:
                text = handle.read().strip()
        except OSError:
            continue
        if text.startswith("ref:"):
            return _read_ref(checkout, text[4:].strip(), depth + 1)
        return text if _HEX40.match(text) else None
    try:
        with open(os.path.join(checkout.common_dir, "packed-refs"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("#", "^")):
                    continue
                sha, _, name = line.strip().partition(" ")
                if name == ref and _HEX40.match(sha):
                    return sha
    except OSError:
        return None
    return None


def head_commit(checkout: Checkout) -> Optional[str]:
    """The full sha HEAD points at, or None (unborn branch, unreadable repository)."""
    try:
        with open(os.path.join(checkout.git_dir, "HEAD"), encoding="utf-8") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    if text.startswith("ref:"):
        return _read_ref(checkout, text[4:].strip())
    return text if _HEX40.match(text) else None
