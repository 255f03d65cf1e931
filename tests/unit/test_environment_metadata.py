"""The metadata header reader agrees with email.parser (compat32) on the fields Pinwise reads."""

from __future__ import annotations

import email.parser

from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.environment.metadata import egg_requires_to_dist, parse_direct_url, parse_headers

KEYS = [
    "Name",
    "Version",
    "Requires-Dist",
    "Provides-Extra",
    "Summary",
    "License",
    "License-Expression",
    "Home-page",
    "Project-URL",
    "Classifier",
    "X-Other",
    "name",
]
value = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30)
line = st.one_of(
    st.tuples(st.sampled_from(KEYS), value, st.lists(value, max_size=2)).map(
        lambda t: f"{t[0]}: {t[1]}" + "".join(f"\n {c}" for c in t[2])
    ),
    st.sampled_from(["Odd line", "Name : spaced", " leading continuation", "Key:novalue"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_same_as_email_parser(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    ours = parse_headers(text)
    message = email.parser.HeaderParser().parsestr(text.replace("\r\n", "\n"))
    for key in KEYS[:9]:
        expected = [str(v) for v in message.get_all(key) or []]
        assert ours.all(key) == expected, (key, text)


def test_egg_requires() -> None:
    text = "a>=1\n\n[ssl]\nb\n\n[:sys_platform == 'win32']\nc\n[x:python_version<'4']\nd @ https://h/d.zip\n"
    assert egg_requires_to_dist(text) == (
        "a>=1",
        'b; extra == "ssl"',
        "c; sys_platform == 'win32'",
        "d @ https://h/d.zip ; (python_version<'4') and extra == \"x\"",
    )


def test_direct_url_validation() -> None:
    ok = parse_direct_url('{"url": "file:///p", "dir_info": {"editable": true}}')
    assert ok.editable and ok.is_dir
    legacy = parse_direct_url('{"url": "https://h/a.zip", "archive_info": {"hash": "sha256=ab"}}')
    assert legacy.archive_hashes == (("sha256", "ab"),)
    for bad in (
        '{"url": "https://h/p", "dir_info": {}}',
        '{"url": "x", "dir_info": {}, "archive_info": {}}',
        '{"url": "x"}',
        '{"url": "x", "vcs_info": {"vcs": "git"}}',
        '{"url": "x", "archive_info": {"hash": "nope"}}',
        "[]",
    ):
        try:
            parse_direct_url(bad)
        except (ValueError, TypeError):
            continue
        raise AssertionError(f"accepted {bad}")
