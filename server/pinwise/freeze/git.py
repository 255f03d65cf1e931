"""Reading a git checkout statically: the remote URL and HEAD's commit, never running git.

This answers what pip's Git backend asks `git` for when it freezes an editable install:
`git rev-parse --show-toplevel` (is the folder in a checkout?), `git config --get-regexp
remote\\..*\\.url` (origin, else the first remote), `git rev-parse HEAD`, and `git rev-parse
--git-dir` (for `subdirectory=`). The repository's config is read as git reads it, byte-wise
character classes, quoting, escapes, line continuations, `[include] path` (not `[includeIf]`), and
refused whole for one bad line; `remote_lines` gives the lines git prints for pip's pattern, which
pip then reads (`render._editable_lines`). pip's git would also see remotes defined in the user's
or system's git config, which nobody does. As git does, a `.git` file that names no repository
stops the search there ("broken"), and a checkout owned by another user is left alone unless
`safe.directory` lists it ("dubious"; compared as git 2.39, Debian's, compares). The reftable ref
storage format (git 2.45+, opt-in) is not read: HEAD then counts as unresolvable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional

_HEADER = re.compile(r'\[([A-Za-z0-9.-]*)(?:[ \t\r]+"((?:[^"\\\n]|\\.)*)")?\]')
_REMOTE_URL = re.compile(r"remote\..*\.url")  # the pattern pip gives `git config --get-regexp`
# git's character classes (its own ctype, on bytes: never Unicode's)
_SPACE = " \t\n\r"
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_KEY_CHARS = _ALPHA | frozenset("0123456789-")
_HEX40 = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class Checkout:
    worktree: str  # the folder holding `.git`
    git_dir: str  # the `.git` folder (or the folder a `.git` file points at)
    common_dir: str  # where config, refs and packed-refs live (differs for worktrees)
    # what git makes of it: "ok"; "broken" (a `.git` file that names no repository: every git
    # command there fails); "dubious" (owned by another user and not in `safe.directory`: git
    # leaves it alone, `git config` reads no repository config)
    state: str = "ok"


def find_checkout(location: str) -> Optional[Checkout]:
    """The innermost git checkout containing `location`, walking up as git does: from its real
    path (a folder reached through a symlink is in the checkout that holds its target)."""
    current = os.path.realpath(location)
    while True:
        dot_git = os.path.join(current, ".git")
        if os.path.isdir(dot_git):
            if _looks_like_git_dir(dot_git):
                return _owned(Checkout(current, dot_git, _common_dir(dot_git)))
        elif os.path.isfile(dot_git):
            target = _read_gitfile(dot_git)
            if target is not None and _looks_like_git_dir(target):
                return _owned(Checkout(current, target, _common_dir(target)))
            return Checkout(current, dot_git, dot_git, "broken")  # git stops there, failing
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _owned(checkout: Checkout) -> Checkout:
    """`checkout`, "dubious" when git (2.35.2+) would not trust it: its folder, `.git` or git
    folder owned by another user than this one (for root: than SUDO_UID's, when set), and its
    folder not listed in `safe.directory` (`*` trusts all) of the system's, the user's or the
    command line's git config."""
    paths = {checkout.worktree, os.path.join(checkout.worktree, ".git"), checkout.git_dir}
    if all(_owned_here(path) for path in paths):
        return checkout
    safe: list[str] = []
    for section, sub, key, value in _protected_entries():
        if section == "safe" and sub is None and key == "directory":
            safe = [] if not value else [*safe, value]  # an empty value resets the list
    # as git 2.39 (Debian's) compares them: the path as written (`~/` expanded) against the
    # checkout's real path, character for character (later gits normalise, and take `dir/*`)
    wanted = os.path.realpath(checkout.worktree)
    if any(entry == "*" or os.path.expanduser(entry) == wanted for entry in safe):
        return checkout
    return Checkout(checkout.worktree, checkout.git_dir, checkout.common_dir, "dubious")


def _owned_here(path: str) -> bool:
    try:
        owner = os.lstat(path).st_uid
    except OSError:
        return False  # (as git has it)
    uid = os.geteuid()
    if uid == 0 and owner != 0:
        sudo = os.environ.get("SUDO_UID", "")
        return sudo.isdigit() and int(sudo) == owner
    return owner == uid


def _protected_entries() -> list[_Entry]:
    """The config git reads `safe.directory` from: the system's file, the user's, then the
    command line's (`GIT_CONFIG_COUNT`, `GIT_CONFIG_KEY_<n>`, `GIT_CONFIG_VALUE_<n>`)."""
    entries: list[_Entry] = []
    for path in _protected_configs():
        entries += _config_entries(path) or ()
    env = os.environ
    count = env.get("GIT_CONFIG_COUNT", "")
    for n in range(int(count) if count.isdigit() else 0):
        section, _, key = env.get(f"GIT_CONFIG_KEY_{n}", "").lower().rpartition(".")
        entries.append((section, None, key, env.get(f"GIT_CONFIG_VALUE_{n}", "")))
    return entries


def _protected_configs() -> list[str]:
    """The config files git reads `safe.directory` from: the system's, then the user's."""
    env = os.environ
    system = (
        [] if env.get("GIT_CONFIG_NOSYSTEM") else [env.get("GIT_CONFIG_SYSTEM", "/etc/gitconfig")]
    )
    if "GIT_CONFIG_GLOBAL" in env:
        return [*system, env["GIT_CONFIG_GLOBAL"]]
    xdg = env.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return [*system, os.path.join(xdg, "git", "config"), os.path.expanduser("~/.gitconfig")]


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


_INCLUDE_DEPTH = 10  # git's own limit on nested includes


def remote_lines(checkout: Checkout) -> Optional[list[str]]:
    """The lines `git config --get-regexp 'remote\\..*\\.url'` prints (`<name> <value>`, the
    pattern found anywhere in the name, as git searches it) for the repository's config and the
    files its `[include] path` names, split as pip splits git's output; None when git would
    refuse the config (it then fails, exit status 128)."""
    entries = _config_entries(os.path.join(checkout.common_dir, "config"))
    if entries is None:
        return None
    printed = []
    for section, sub, key, value in entries:
        name = f"{section}.{sub}.{key}" if sub is not None else f"{section}.{key}"
        if _REMOTE_URL.search(name):
            # (git prints the value up to a NUL, as C strings end)
            printed.append(name if value is None else f"{name} {value.partition(chr(0))[0]}")
    return "\n".join(printed).splitlines()


_Entry = tuple[str, Optional[str], str, Optional[str]]  # section, subsection, key, value


def _config_entries(path: str, depth: int = 0) -> Optional[list[_Entry]]:
    """A git config file's entries in order, read as git reads them (`config.c`): comments,
    quoting, escapes and `\\` line continuations in values, `[section "sub"]` and the old
    `[section.sub]`, and `[include] path` (relative to the file, `~/` for home) in place; None
    when git would refuse it (a bad line anywhere, in it or in a file it includes, an include
    without a path, includes nested too deep). (`[includeIf]` is not followed.)"""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            text = handle.read()
    except OSError:
        return []  # (no config: no remote; an include git cannot open is skipped)
    parsed = _parse_config(text[1:] if text.startswith("\ufeff") else text)
    if parsed is None:
        return None
    entries: list[_Entry] = []
    for entry in parsed:
        entries.append(entry)
        section, sub, key, value = entry
        if section == "include" and sub is None and key == "path":
            if not value:
                return None
            expanded = os.path.expanduser(value)
            if expanded.startswith("~"):
                return None  # an unknown user: git cannot expand it
            target = os.path.join(os.path.dirname(path), expanded)
            if os.path.isdir(target):
                return None  # git cannot read a folder as config
            if not os.path.exists(target):
                continue  # skipped (and the nesting limit only counts files that exist)
            if depth >= _INCLUDE_DEPTH:
                return None
            included = _config_entries(target, depth + 1)
            if included is None:
                return None
            entries += included
    return entries


def _parse_config(text: str) -> Optional[list[_Entry]]:
    """The entries of a config file's text; None at the first line git refuses."""
    out: list[_Entry] = []
    section: Optional[str] = None
    sub: Optional[str] = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
        elif c in "#;":
            i = _line_end(text, i)
        elif c == "[":
            header = _section_header(text, i)
            if header is None:
                return None
            section, sub, i = header
        elif c in _ALPHA:  # (before any section too: git takes it, under no section)
            j = i
            while j < n and text[j] in _KEY_CHARS:
                j += 1
            key = text[i:j].lower()
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "=":
                value, i = _config_value(text, j + 1)
                if value is None:
                    return None
            elif j >= n or text[j] == "\n" or text[j : j + 2] == "\r\n":
                value, i = None, j  # `key` alone: boolean true
            else:
                return None  # (`key # comment`, `key junk`: git wants `=` or the line's end)
            out.append((section or "", sub, key, value))
        else:
            return None
    return out


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _section_header(text: str, i: int) -> Optional[tuple[str, Optional[str], int]]:
    """`[section]`, `[section "sub"]` or `[section.sub]` at `i`: (section, sub, index after)."""
    m = _HEADER.match(text, i)
    if m is None:
        return None
    section = m.group(1).lower()
    sub = m.group(2)
    if sub is not None:
        sub = re.sub(r"\\(.)", r"\1", sub)
    elif "." in section:  # the old syntax: [remote.origin]
        section, _, sub = section.partition(".")
    return section, sub, m.end()


def _config_value(text: str, i: int) -> tuple[Optional[str], int]:
    """git's `parse_value` from `i` (after the `=`): (the value, the index after its line);
    None for what git refuses (a bad escape, an unclosed quote)."""
    value: list[str] = []
    spaces = 0  # unquoted white space seen since the last character kept
    quoted = comment = False
    n = len(text)
    while i < n:
        c = text[i]
        i += 1
        if c == "\n":
            break
        if comment:
            continue
        if c in _SPACE and not quoted:
            spaces += 1 if value else 0  # leading space is skipped, trailing space dropped
            continue
        if not quoted and c in ";#":
            comment = True
            continue
        if spaces:
            value.append(" " * spaces)
            spaces = 0
        if c == "\\":
            c = text[i] if i < n else "\n"  # (at the end of the file: git reads a newline)
            i += 1
            if c == "\r" and text[i : i + 1] == "\n":
                c = "\n"
                i += 1
            if c == "\n":
                continue  # a line continuation
            escaped = {"t": "\t", "b": "\b", "n": "\n", "\\": "\\", '"': '"'}.get(c)
            if escaped is None:
                return None, _line_end(text, i)
            value.append(escaped)
        elif c == '"':
            quoted = not quoted
        else:
            value.append(c)
    return (None if quoted else "".join(value)), i


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
