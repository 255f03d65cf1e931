"""Exact source ranges for every token, across continuations, CRLF and ${VAR} expansion."""

from __future__ import annotations

import shlex
from typing import Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.reqfile import parse
from pinwise.reqfile._options import SplitError, shell_split
from pinwise.reqfile.model import LineKind, LogicalLine
from pinwise.spans import Span


def lines(text: str, **kw: object) -> tuple[LogicalLine, ...]:
    kw.setdefault("environ", {})
    return parse(text, "/r/requirements.txt", cwd="/nonexistent", **kw).logical_lines  # type: ignore[arg-type]


def rng(span: Optional[Span]) -> tuple[int, int, int, int]:
    assert span is not None
    return (span.start.line, span.start.character, span.end.line, span.end.character)


def src(text: str, span: Optional[Span]) -> str:
    """The source text a single-line span covers."""
    assert span is not None and span.start.line == span.end.line
    return text.splitlines()[span.start.line][span.start.character : span.end.character]


def test_requirement_parts_on_line_three() -> None:
    text = "a==1\n# note\n  foo[x, y] >=1 ; python_version > '3'  # why\n"
    ll = lines(text)[1]
    r = ll.requirement
    assert r is not None
    # the parts' rows count from the line's first row; `place` gives the file's
    assert rng(r.name_span) == (0, 2, 0, 5)
    assert rng(ll.place(r.name_span)) == (2, 2, 2, 5)
    assert src(text, ll.place(r.name_span)) == "foo"
    assert src(text, ll.place(r.extras_span)) == "[x, y]"
    assert src(text, ll.place(r.specifier_span)) == ">=1"
    assert src(text, ll.place(r.marker_span)) == "python_version > '3'"
    assert src(text, ll.place(r.span)) == "foo[x, y] >=1 ; python_version > '3'"
    assert src(text, ll.span) == "foo[x, y] >=1 ; python_version > '3'"
    assert ll.comment is not None and src(text, ll.place(ll.comment.span)) == "# why"


def test_fast_path_ranges() -> None:
    text = "x==1\n\n   foo>=1\n"
    ll = lines(text)[1]
    r = ll.requirement
    assert r is not None
    assert rng(ll.place(r.name_span)) == (2, 3, 2, 6)
    assert rng(ll.place(r.specifier_span)) == (2, 6, 2, 9)
    assert rng(ll.span) == (2, 3, 2, 9)


def test_continuation_tokens_map_to_their_physical_lines() -> None:
    text = "foo==1.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n"
    (ll,) = lines(text)
    r = ll.requirement
    assert r is not None
    assert [rng(h.span) for h in r.hashes] == [(1, 4, 1, 21), (2, 4, 2, 21)]
    assert rng(r.name_span) == (0, 0, 0, 3)
    assert rng(ll.span) == (0, 0, 2, 21)
    first = ll.options[0]
    assert rng(first.written.span) == (1, 4, 1, 10)
    assert first.value is not None
    assert rng(first.value.span) == (1, 11, 1, 21)
    assert first.value.text == "sha256:aaa"


def test_token_split_over_a_continuation() -> None:
    text = "foo\\\n==1.0\n"
    (ll,) = lines(text)
    r = ll.requirement
    assert r is not None
    assert rng(r.name_span) == (0, 0, 0, 3)
    assert rng(r.specifier_span) == (1, 0, 1, 5)
    assert rng(r.span) == (0, 0, 1, 5)
    # a token whose characters stand on two physical lines
    (ll,) = lines("fo\\\no==1.0\n")
    assert ll.requirement is not None
    assert rng(ll.requirement.name_span) == (0, 0, 1, 1)


def test_leading_backslash_stripped_piece_keeps_columns() -> None:
    (ll,) = lines("foo==1 \\\n\\--hash=sha256:x \\\n")
    assert ll.requirement is not None
    assert rng(ll.requirement.hashes[0].span) == (1, 1, 1, 16)


def test_options_and_values() -> None:
    text = "--index-url=https://x/simple\n-rother.txt\n-e  ./p\n--extra-index  https://y\n"
    a, b, c, d = lines(text)
    o = a.options[0]
    assert src(text, o.written.span) == "--index-url"
    assert o.value is not None and src(text, o.value.span) == "https://x/simple"
    assert src(text, o.span) == "--index-url=https://x/simple"
    o = b.options[0]
    # an option's rows count from its line's first row: `place` puts them in the file
    assert rng(o.written.span) == (0, 0, 0, 2)
    assert src(text, b.place(o.written.span)) == "-r"
    assert o.value is not None and src(text, b.place(o.value.span)) == "other.txt"
    assert b.include is not None and src(text, b.include.target.span) == "other.txt"
    assert c.kind is LineKind.INVALID  # ./p does not exist
    assert c.error is not None and src(text, c.error.span) == "./p"
    o = d.options[0]
    assert o.name == "--extra-index-url"
    assert src(text, d.place(o.written.span)) == "--extra-index"
    assert o.value is not None and src(text, d.place(o.value.span)) == "https://y"


def test_quoted_editable_parts() -> None:
    text = "-e \"foo[x] @ git+https://h/r.git@v1 ; os_name == 'posix'\"\n"
    (ll,) = lines(text)
    r = ll.requirement
    assert r is not None
    assert src(text, r.name_span) == "foo"
    assert src(text, r.extras_span) == "[x]"
    assert src(text, r.url_span) == "git+https://h/r.git@v1"
    assert src(text, r.marker_span) == "os_name == 'posix'"
    assert r.vcs_revision == "v1"


def test_url_and_egg_ranges() -> None:
    text = "foo @ https://x/foo-1.0.tar.gz ; python_version >= '3'\nhttps://x/p.tgz#egg=pp\n"
    a, b = lines(text)
    assert a.requirement is not None
    assert src(text, a.requirement.url_span) == "https://x/foo-1.0.tar.gz"
    assert src(text, a.requirement.marker_span) == "python_version >= '3'"
    assert b.requirement is not None
    assert src(text, b.place(b.requirement.url_span)) == "https://x/p.tgz#egg=pp"
    assert src(text, b.place(b.requirement.name_span)) == "pp"


def test_crlf_does_not_shift_columns() -> None:
    text = "a==1\r\nfoo >= 2\r\n"
    ll = lines(text)[1]
    assert ll.requirement is not None
    assert rng(ll.place(ll.requirement.specifier_span)) == (1, 4, 1, 8)


def test_expanded_tokens_span_the_reference() -> None:
    text = "${NAME}==${VER} --hash=sha256:${H}\n"
    (ll,) = lines(text, environ={"NAME": "foo", "VER": "1.0", "H": "abcdef"})
    assert ll.expanded
    r = ll.requirement
    assert r is not None
    assert r.name == "foo"
    assert src(text, r.name_span) == "${NAME}"
    assert src(text, r.specifier_span) == "==${VER}"
    assert ll.options[0].value is not None
    assert ll.options[0].value.text == "sha256:${H}"
    assert r.link is None


def test_error_ranges() -> None:
    text = "ok==1\nfoo==1 --hash=md5:x\nbar ; python_version >=\n"
    _, a, b = lines(text)
    assert a.error is not None and src(text, a.error.span) == "--hash=md5:x"
    assert b.error is not None and src(text, b.error.span) == "python_version >="
    (c,) = lines("-e git+https://h/r.git\n")
    assert c.error is not None and rng(c.error.span) == (0, 3, 0, 22)


def test_suppression_span_inside_comment() -> None:
    text = "foo==1  # pinwise: ignore[PW001]\n"
    (ll,) = lines(text)
    assert ll.suppression is not None
    assert src(text, ll.suppression.span) == "# pinwise: ignore[PW001]"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab -=\"'\\\t\r\n#$é", max_size=20))
def test_shell_split_is_shlex(text: str) -> None:
    """The position-keeping splitter agrees with shlex.split (POSIX) on values and errors."""
    try:
        expected: object = shlex.split(text)
    except ValueError as exc:
        expected = ("error", str(exc))
    try:
        words = shell_split(text, 0)
        got: object = [w.value for w in words]
    except SplitError as exc:
        got = ("error", str(exc))
    assert got == expected
    if isinstance(got, list):
        for w in words:
            # every value character maps to a source character that produced it
            for i, ch in enumerate(w.value):
                assert text[w.offset(i)] == ch
