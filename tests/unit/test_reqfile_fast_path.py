"""The parser's fast paths give exactly what its general path gives.

`general_path_only()` turns the fast paths off; every text here is parsed both ways (caches
cleared before each parse, so neither answers from the other's cache) and the results compared
field by field, ranges included. Texts the fast path declines (quotes, ${VAR}, a bad --hash, a
comment line inside a continuation, tabs, URLs, paths, ...) check its fallbacks.
"""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.reqfile import clear_caches, parse
from pinwise.reqfile.model import LineKind, LogicalLine
from pinwise.reqfile.parser import _fast_logical, general_path_only
from pinwise.spans import Span

ENV = {"VAR": "sha256:abc", "VER": "1.0"}
H1 = "a" * 64
H2 = "b" * 64


def both(text: str, constraint: bool = False) -> tuple[tuple[LogicalLine, ...], ...]:
    """(fast paths on, general path only) parses of the same text."""
    kw = {"environ": ENV, "cwd": "/nonexistent", "constraint": constraint}
    clear_caches()
    fast = parse(text, "/r/requirements.txt", **kw).logical_lines  # type: ignore[arg-type]
    clear_caches()
    with general_path_only():
        slow = parse(text, "/r/requirements.txt", **kw).logical_lines  # type: ignore[arg-type]
    clear_caches()
    return fast, slow


def assert_same(text: str, constraint: bool = False) -> tuple[LogicalLine, ...]:
    fast, slow = both(text, constraint)
    assert fast == slow, text
    assert [repr(ll) for ll in fast] == [repr(ll) for ll in slow]
    return fast


def rng(span: Optional[Span]) -> tuple[int, int, int, int]:
    assert span is not None
    return (span.start.line, span.start.character, span.end.line, span.end.character)


PIP_COMPILE = (
    f"certifi==2024.2.2 \\\n    --hash=sha256:{H1} \\\n    --hash=sha256:{H2}\n    # via requests\n"
)


def test_pip_compile_block_ranges() -> None:
    (ll,) = assert_same(PIP_COMPILE)
    r = ll.requirement
    assert r is not None and ll.kind is LineKind.REQUIREMENT
    assert (ll.first_line, ll.last_line) == (0, 2)
    assert rng(r.name_span) == (0, 0, 0, 7)
    assert rng(r.specifier_span) == (0, 7, 0, 17)
    assert rng(r.span) == (0, 0, 0, 17)
    assert rng(ll.span) == (0, 0, 2, 82)
    assert [(h.algorithm, h.value) for h in r.hashes] == [("sha256", H1), ("sha256", H2)]
    assert [rng(h.span) for h in r.hashes] == [(1, 4, 1, 82), (2, 4, 2, 82)]
    first, second = ll.options
    assert (first.name, first.written.text) == ("--hash", "--hash")
    assert rng(first.written.span) == (1, 4, 1, 10)
    assert first.value is not None and first.value.text == f"sha256:{H1}"
    assert rng(first.value.span) == (1, 11, 1, 82)
    assert rng(second.span) == (2, 4, 2, 82)
    assert ll.comment is None and ll.warnings == () and not ll.expanded


def test_the_fast_path_takes_pip_compile_blocks() -> None:
    # The joined text of the block above and its segments (see PosMap): the fast path answers.
    joined = f"certifi==2024.2.2     --hash=sha256:{H1}     --hash=sha256:{H2}"
    starts = [0, 18, 18 + 4 + 7 + 64 + 2]
    got = _fast_logical(joined, 0, 2, starts, [0, 1, 2], [0, 0, 0], False)
    assert isinstance(got, LogicalLine)
    # ... and declines what it does not know.
    for text in ("foo==1 --hash='sha256:x'", "foo==${VER}", "foo==1 --hash=md5:x", "-r x.txt"):
        assert _fast_logical(text, 0, 0, [0], [0], [0], False) is None


def test_single_line_ranges_with_marker_hash_and_comment() -> None:
    text = f"x==1\n  Foo_Bar[b, a] >=1,<2 ; python_version < '3.12' --hash=sha384:{H1}  # why\n"
    _, ll = assert_same(text)
    r = ll.requirement
    assert r is not None
    assert r.name == "Foo_Bar" and r.normalized_name == "foo-bar"
    assert r.extras == ("b", "a")
    # rows relative to its line: 0 is the line's first (`place` gives the file's)
    assert rng(r.extras_span) == (0, 9, 0, 15)
    assert rng(ll.place(r.extras_span)) == (1, 9, 1, 15)
    assert r.specifier == ">=1,<2" and rng(ll.place(r.specifier_span)) == (1, 16, 1, 22)
    assert r.marker == 'python_version < "3.12"'
    assert rng(ll.place(r.marker_span)) == (1, 25, 1, 48)
    assert rng(ll.place(r.span)) == (1, 2, 1, 48)
    assert rng(r.hashes[0].span) == (0, 49, 0, 127)
    assert rng(ll.place(r.hashes[0].span)) == (1, 49, 1, 127)
    assert ll.comment is not None and ll.comment.text == "# why"
    assert rng(ll.place(ll.comment.span)) == (1, 129, 1, 134)


FALLBACKS = [
    # a hash with quotes or escapes: shlex
    "foo==1.0 --hash='sha256:abc'",
    'foo==1.0 --hash="sha256:abc"',
    "foo==1.0 --hash=sha256:a\\bc",
    "foo==1.0 --hash='sha256:abc",  # no closing quotation
    # ${VAR}
    "foo==1.0 --hash=${VAR}",
    "foo==${VER} --hash=sha256:abc",
    "foo==1.0 --hash=sha256:${UNSET}",
    # bad --hash values and other options
    "foo==1.0 --hash=md5:abc",
    "foo==1.0 --hash=sha256abc",
    "foo==1.0 --hash=",
    "foo==1.0 --hash",
    "foo==1.0 --hash sha256:abc",
    "foo==1.0 --has=sha256:abc",
    "foo==1.0 --hashes=sha256:abc",
    "foo==1.0 --hash=sha256:a --pre",
    "foo==1.0 --hash=sha256:a -- --hash=sha256:b",
    "foo==1.0 --hash=sha256:a positional",
    "foo==1.0 -C k=v --hash=sha256:a",
    "foo==1.0 --hash=sha256:a=b:c",
    "foo==1.0 --hash=sha256:",
    # --hash on a continuation after a comment line (pip ends the line at the comment)
    "foo==1.0 \\\n  # a comment\n  --hash=sha256:abc\n",
    "foo==1.0 \\\n  # a comment \\\n  --hash=sha256:abc\n",
    "foo==1.0 # not a comment line \\\n  --hash=sha256:abc\n",
    "foo==1.0 \\\n#c\n--hash=sha256:abc \\\n",
    # whitespace pip and shlex see differently
    "foo==1.0\t--hash=sha256:abc",
    "foo==1.0 --hash=sha256:a\t--hash=sha256:b",
    "foo==1.0\u00a0--hash=sha256:abc",
    "\u00a0foo==1.0 --hash=sha256:abc\u00a0",
    "foo==1.0 \u2003 --hash=sha256:abc",
    # tokens split over continuations, leading backslashes
    "foo==1.\\\n0 --hash=sha256:abc\n",
    "foo==1.0 --ha\\\nsh=sha256:abc\n",
    "foo==1.0 --hash=sha256:ab\\\ncd\n",
    "foo==1.0 \\\n\\\\  --hash=sha256:abc\n",
    "fo\\\no[x]==1 ; python_version\\\n > '3' --hash=sha256:a  # c\\\nd\n",
    "foo==1.0 \\\n",
    "foo==1.0 \\\n\\\n\\\n --hash=sha256:a\n",
    # requirement texts: markers, extras, names, paths, URLs
    "foo==1 ; python_version < '3.12'",
    "foo ; ",
    "foo;python_version<'3'",
    "foo ; bogus",
    "foo ; extra == 'a -b'",
    "foo ; os_name == 'a' --hash=sha256:x",
    "foo ; os_name == 'a;b'",
    "foo ; os_name == '//x' and extra == 'y'",
    "foo[x] ; os_name == '//[x'",
    "foo==1 ; ; python_version > '3'",
    "foo.zip",
    "foo.tar.gz ; python_version > '3'",
    "foo.whl==1",
    "foo",
    "foo[x]",
    "foo[]==1",
    "foo[x] --hash=sha256:a",
    "foo [x,y] >= 1 , < 2 --hash=sha256:a",
    "./foo==1",
    "foo/bar==1",
    "foo==1.0.*",
    "foo===1.0",
    "foo~=1",
    "foo~=1.0",
    "foo @ https://x/foo-1.0.tar.gz --hash=sha256:a",
    "https://x/foo-1.0-py3-none-any.whl --hash=sha256:a",
    "git+https://x/r.git#egg=foo --hash=sha256:a",
    "foo:bar==1",
    "foo==1 --hash=sha256:a # pinwise: ignore[pw001, PW002]",
    "foo==1  # pinwise: ignore",
    "foo==1 #pinwise:ignore[]",
    "foo==1#not-a-comment",
    "  # only a comment",
    "#",
    "",
    "   ",
    "-e .",
    "--hash=sha256:abc",
    "-r other.txt --hash=sha256:abc",
]


@pytest.mark.parametrize("line", FALLBACKS)
def test_fallbacks_give_what_the_general_path_gives(line: str) -> None:
    assert_same(line if "\n" in line else line + "\n")
    assert_same(line)  # the last line, without a terminator
    assert_same(f"a==1\r\n{line}\r\nb==2")
    assert_same(f"x==1 \\\n  --hash=sha256:{H1}\n{line}\n")


@pytest.mark.parametrize("line", ["foo[x]==1", "foo[x]==1 --hash=sha256:a", "foo ; os_name=='a'"])
def test_constraint_files(line: str) -> None:
    assert_same(line, constraint=True)


NAMES = st.sampled_from(["foo", "Foo_Bar", "a.b-c", "x1", "pkg.zip", "p.tar.gz", "9z", "_bad"])
SPECS = st.sampled_from(["", "==1.0", " >= 2", ">=1,<2", "~=1.4.2", "===3", "<1.0.*", "=1"])
EXTRAS = st.sampled_from(["", "[x]", "[ a , b ]", "[]", "[x-y]"])
MARKERS = st.sampled_from(
    ["", " ; python_version < '3.12'", ";os_name=='nt'", " ; ", " ; bogus", " ; extra == 'a -b'"]
)
HASH_WORDS = st.sampled_from(
    [f"--hash=sha256:{H1}", "--hash=sha512:0", "--hash=md5:x", "--hash='sha256:q'", "--pre"]
)
SEPARATORS = st.sampled_from([" ", "  ", " \\\n    ", " \\\n  # c\n  ", "\t", " \\\n\\"])
COMMENTS = st.sampled_from(["", "  # via x", " # pinwise: ignore[PW001]", "#x", " ${VAR}"])


@settings(max_examples=300, deadline=None)
@given(
    name=NAMES,
    extras=EXTRAS,
    spec=SPECS,
    marker=MARKERS,
    words=st.lists(st.tuples(SEPARATORS, HASH_WORDS), max_size=3),
    comment=COMMENTS,
    lead=st.sampled_from(["", "  ", "\\"]),
    constraint=st.booleans(),
)
def test_generated_lines(  # noqa: PLR0917
    name: str,
    extras: str,
    spec: str,
    marker: str,
    words: list[tuple[str, str]],
    comment: str,
    lead: str,
    constraint: bool,
) -> None:
    text = lead + name + extras + spec + marker + "".join(s + w for s, w in words) + comment
    assert_same(f"{text}\n# via y\n{text}", constraint)


PIECES = [
    "foo", "==1.0", ">=2", " ", "  ", "\t", ";", " ; ", "os_name=='a'", "[x]", ",", "-",
    "--hash=", "sha256:", "md5:", "ab", " --hash=sha256:ab", "#", " # c", "\\\n", "\n",
    "'", '"', "${VAR}", ":", "/", ".", ".zip", "\u00a0", "\r\n", "-e ", "-r x",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.booleans())
def test_generated_texts(pieces: list[str], constraint: bool) -> None:
    assert_same("".join(pieces), constraint)


def test_a_warm_parse_gives_the_cold_parse() -> None:
    """Lines are cached by text and place, whichever path made them; the general path and the
    fast paths share the cache."""
    text = PIP_COMPILE + "".join(f"{line}\n" for line in FALLBACKS if "\n" not in line)
    cold, general = both(text)
    kw = {"environ": ENV, "cwd": "/nonexistent"}
    parse(text, "/r/requirements.txt", **kw)  # type: ignore[arg-type]
    warm = parse(text, "/r/requirements.txt", **kw).logical_lines  # type: ignore[arg-type]
    with general_path_only():
        warm_general = parse(text, "/r/requirements.txt", **kw).logical_lines  # type: ignore[arg-type]
    clear_caches()
    assert cold == general == warm == warm_general
    moved = parse("\n" + text, "/r/requirements.txt", **kw).logical_lines  # type: ignore[arg-type]
    assert [ll.first_line for ll in moved] == [ll.first_line + 1 for ll in cold]
