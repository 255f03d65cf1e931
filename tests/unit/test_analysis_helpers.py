"""The pure helpers behind the rules: pip's version satisfaction (C3), pins, redaction."""

from __future__ import annotations

import pytest

from pinwise.analysis.text import (
    evaluate_marker,
    is_commit,
    is_exact_pin,
    is_pinned,
    pin_for,
    redact,
    satisfies,
    url_has_hash,
)

# pip-reference C3, with 2.0rc1+cpu installed.
RC_LOCAL = [
    ("", True),
    (">=1.0", True),
    ("==2.0rc1", True),
    ("==2.0rc1+cpu", True),
    ("<=2.0rc1", True),
    ("~=2.0rc1", True),
    ("==2.0rc1+cu121", False),
    (">2.0rc1", False),
    ("<2", False),
]

# C3 local labels, with 1.0+cpu installed.
LOCAL = [
    ("==1.0", True),
    ("==1.0.*", True),
    (">=1.0", True),
    ("<=1.0", True),
    (">1.0", False),
    ("<1.0", False),
    ("!=1.0", False),
    ("===1.0+cpu", True),
    ("===1.0", False),
]


@pytest.mark.parametrize(("spec", "expected"), RC_LOCAL)
def test_prerelease_with_local_label(spec: str, expected: bool) -> None:
    assert satisfies(spec, "2.0rc1+cpu") is expected


@pytest.mark.parametrize(("spec", "expected"), LOCAL)
def test_local_labels(spec: str, expected: bool) -> None:
    assert satisfies(spec, "1.0+cpu") is expected


def test_prereleases_always_count_as_installed() -> None:
    # pip passes prereleases=True: an installed pre-release satisfies a plain range.
    assert satisfies(">=1.0", "1.1b2")
    assert satisfies("<2", "2.0a1") is False


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("", True), ("===weird-1", True), ("===WEIRD-1", True), ("==1", False), (">=0", False)],
)
def test_invalid_installed_version_only_matches_triple_equals(spec: str, expected: bool) -> None:
    assert satisfies(spec, "weird-1") is expected


@pytest.mark.parametrize(
    ("spec", "pinned", "exact"),
    [
        ("==1.0", True, True),
        ("===1.0", True, True),
        ("==1.*", False, False),
        (">=1,==1.2", True, False),
        (">=1", False, False),
        ("", False, False),
        ("~=1.0", False, False),
    ],
)
def test_pins(spec: str, pinned: bool, exact: bool) -> None:
    assert is_pinned(spec) is pinned
    assert is_exact_pin(spec) is exact


def test_pin_for_invalid_version_uses_triple_equals() -> None:
    assert pin_for("1.2.3") == "==1.2.3"
    assert pin_for("not a version") == "===not a version"


@pytest.mark.parametrize(
    ("vcs", "rev", "expected"),
    [
        ("git", "a" * 40, True),
        ("git", "A1" * 20, True),
        ("git", "b" * 64, True),
        ("git", "main", False),
        ("git", "v1.0", False),
        ("git", "abc1234", False),
        ("git", None, False),
        ("hg", "c" * 40, True),
        ("svn", "1234", True),
        ("svn", "trunk", False),
    ],
)
def test_commit_revisions(vcs: str, rev: str | None, expected: bool) -> None:
    assert is_commit(vcs, rev) is expected


def test_url_hash_fragment() -> None:
    assert url_has_hash("https://x/p-1.0.tar.gz#sha256=" + "0" * 64)
    assert url_has_hash("https://x/p-1.0.tar.gz#egg=p&sha512=ab")
    assert not url_has_hash("https://x/p-1.0.tar.gz#egg=p")
    assert not url_has_hash(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:secret@host/simple", "https://user:****@host/simple"),
        ("https://token@host/x", "https://****@host/x"),
        ("git+ssh://git@github.com/o/r.git", "git+ssh://****@github.com/o/r.git"),
        ("see https://a:b@h/ and http://c:d@i/", "see https://a:****@h/ and http://c:****@i/"),
        ("https://host/path@v1", "https://host/path@v1"),
        ("no url here", "no url here"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_markers_use_the_given_environment_and_empty_extra() -> None:
    env = {"python_version": "3.8", "sys_platform": "linux"}
    assert evaluate_marker('python_version < "3.10"', env)
    assert not evaluate_marker('extra == "x"', env)
    assert evaluate_marker('extra == "X_y"', env, extra="x-y")


def test_redact_is_linear_on_long_lines() -> None:
    # a quadratic pattern here once made a 100 kB line take a minute
    text = "a" * 300_000 + "==1 https://u:p@h/"
    assert redact(text).endswith("https://u:****@h/")
