"""Decoding (A1), reading files (A3), includes (A2, A14, A15) and never raising."""

from __future__ import annotations

import codecs
import locale
import os
import random
from pathlib import Path

import pytest

from pinwise.reqfile import decode, load, load_set, parse
from pinwise.reqfile.model import LineKind

# ---------------------------------------------------------------- A1 decoding


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_boms(bom: bytes, codec: str) -> None:
    text = "naïve==1.0\n"
    d = decode(bom + text.encode(codec))
    assert (d.text, d.encoding, d.bom, d.warning) == (text, codec, bom, None)


def test_utf32_le_is_tested_before_utf16_le() -> None:
    d = decode(codecs.BOM_UTF32_LE + "a==1\n".encode("utf-32-le"))
    assert d.encoding == "utf-32-le"
    assert d.text == "a==1\n"


@pytest.mark.parametrize("first", [True, False])
def test_pep263_cookie_on_line_one_or_two(first: bool) -> None:
    body = "café==1.0\n".encode("latin-1")
    cookie = b"# -*- coding: latin-1 -*-\n"
    data = cookie + body if first else b"# hello\n" + cookie + body
    d = decode(data)
    assert d.encoding == "latin-1"
    assert "café==1.0" in d.text
    assert d.warning is None


def test_cookie_must_start_a_line_with_hash_and_be_in_first_two_lines() -> None:
    data = b"x==1\n# x\n# coding: latin-1\n" + "é".encode("latin-1")
    d = decode(data)
    assert d.encoding != "latin-1"
    assert d.warning is not None  # not UTF-8, not declared in time: the locale, with a warning


def test_strict_utf8() -> None:
    d = decode("ünï==1\n".encode())
    assert (d.encoding, d.warning, d.bom) == ("utf-8", None, b"")


def test_invalid_utf8_falls_back_to_locale_with_warning() -> None:
    d = decode(b"foo==1.0 # \xff\xfe bad\n")
    assert d.encoding == (locale.getpreferredencoding(False) or "utf-8")
    assert d.warning is not None
    assert "unable to decode" in d.warning
    assert d.text.startswith("foo==1.0")


def test_unknown_cookie_does_not_raise() -> None:
    d = decode(b"# coding: no-such-codec\nfoo==1\n")
    assert d.warning is not None and "no-such-codec" in d.warning
    assert "foo==1" in d.text
    assert d.fails


def test_whether_pip_would_fail_to_read_it(tmp_path: Path) -> None:
    """PW005 on the encoding is an error where pip fails, a warning where it falls back."""
    from pinwise.analysis import analyze
    from pinwise.analysis.model import Settings, Severity
    from pinwise.reqfile import load_set

    assert decode(b"\xef\xbb\xbfa==1 \xff\n").fails  # a UTF-8 BOM, then no UTF-8
    assert decode(b"# coding: ascii\na==1 \xe9\n").fails
    assert not decode("ünï==1\n".encode()).fails
    latin = decode(b"foo==1.0 # caf\xe9\n")
    strict_locale = (locale.getpreferredencoding(False) or "utf-8").lower().replace("-", "")
    assert latin.fails is (strict_locale in ("utf8", "ascii", "ansix3.41968"))
    bad = tmp_path / "requirements.txt"
    bad.write_bytes(b"# coding: ascii\nalpha==1.0 # caf\xe9\n")
    (finding,) = [f for f in analyze(load_set([str(bad)]), None, Settings()) if f.code == "PW005"]
    assert finding.severity is Severity.ERROR


def test_binary_junk_decodes() -> None:
    random.seed(7)
    data = bytes(random.randrange(256) for _ in range(5000))
    d = decode(data)
    assert isinstance(d.text, str)
    rf = parse(d.text, "/x", environ={}, cwd="/nonexistent")
    assert rf.lines


# ---------------------------------------------------------------- load


def test_load_reads_and_decodes(tmp_path: Path) -> None:
    f = tmp_path / "r.txt"
    f.write_bytes(codecs.BOM_UTF8 + b"foo==1\r\n")
    rf = load(str(f))
    assert rf.path == str(f)
    assert rf.bom == codecs.BOM_UTF8
    assert rf.encoding == "utf-8"
    assert rf.lines[0].terminator == "\r\n"
    assert rf.logical_lines[0].requirement is not None


def test_load_relative_path_against_cwd(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("foo\n")
    rf = load("r.txt", cwd=str(tmp_path))
    assert rf.path == str(tmp_path / "r.txt")
    assert rf.read_error is None


def test_load_missing_file_never_raises(tmp_path: Path) -> None:
    rf = load(str(tmp_path / "nope.txt"))
    assert rf.read_error == (
        f"Could not open requirements file: [Errno 2] No such file or directory: "
        f"'{tmp_path / 'nope.txt'}'"
    )
    rf = load(str(tmp_path / "nope.txt"), constraint=True)
    assert rf.read_error is not None
    assert rf.read_error.startswith("Could not open constraint file: ")
    rf = load(str(tmp_path))  # a folder
    assert rf.read_error is not None and "Is a directory" in rf.read_error


def test_load_with_editor_reader(tmp_path: Path) -> None:
    seen: list[str] = []

    def reader(path: str) -> str:
        seen.append(path)
        return "bar==2\n"

    rf = load(str(tmp_path / "open-in-editor.txt"), reader=reader)
    assert seen == [str(tmp_path / "open-in-editor.txt")]
    assert rf.logical_lines[0].requirement is not None
    assert rf.logical_lines[0].requirement.name == "bar"


def test_load_reader_errors_become_read_errors() -> None:
    def reader(path: str) -> bytes:
        raise PermissionError(13, "Permission denied", path)

    rf = load("/x/r.txt", reader=reader)
    assert (
        rf.read_error
        == "Could not open requirements file: [Errno 13] Permission denied: '/x/r.txt'"
    )


def test_load_remote_is_not_fetched() -> None:
    rf = load("https://example.com/r.txt")
    assert rf.read_error is not None and "not fetched" in rf.read_error


# ---------------------------------------------------------------- load_set


def write(root: Path, name: str, text: str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_includes_resolve_against_the_including_file(tmp_path: Path) -> None:
    root = write(tmp_path, "requirements.txt", "-r sub/dev.txt\nfoo\n")
    dev = write(tmp_path, "sub/dev.txt", "-c ../constraints.txt\n-r base.txt\nbar\n")
    base = write(tmp_path, "sub/base.txt", "baz\n")
    cons = write(tmp_path, "constraints.txt", "-r more.txt\nbar==1\n")
    more = write(tmp_path, "more.txt", "qux\n")
    rs = load_set([root], cwd="/")
    assert rs.roots == (root,)
    assert set(rs.files) == {root, dev, base, cons, more}
    assert rs.files[cons].constraint
    assert not rs.files[more].constraint  # -r inside a constraints file: normal requirements
    assert not rs.files[base].constraint
    assert rs.order == (
        (root, False),
        (dev, False),
        (cons, True),
        (more, False),
        (base, False),
    )
    assert [(e.includer, e.target) for e in rs.edges] == [
        (root, dev),
        (dev, cons),
        (cons, more),
        (dev, base),
    ]
    assert rs.cycles == () and rs.missing == ()


def test_diamond_is_fine_and_visited_twice(tmp_path: Path) -> None:
    root = write(tmp_path, "r.txt", "-r a.txt\n-r b.txt\n")
    a = write(tmp_path, "a.txt", "-r shared.txt\n")
    b = write(tmp_path, "b.txt", "-r shared.txt\n")
    shared = write(tmp_path, "shared.txt", "foo\n")
    rs = load_set([root])
    assert rs.cycles == ()
    assert [path for path, _ in rs.order] == [root, a, shared, b, shared]
    assert list(rs.files) == [root, a, shared, b]


def test_cycle_is_detected_on_the_ancestor_chain(tmp_path: Path) -> None:
    root = write(tmp_path, "r.txt", "-r a.txt\nfoo\n")
    a = write(tmp_path, "a.txt", "-r b.txt\n")
    b = write(tmp_path, "b.txt", "-r r.txt\n-r a.txt\nbar\n")
    rs = load_set([root])
    assert [(e.includer, e.target) for e in rs.cycles] == [(b, root), (b, a)]
    assert rs.cycles[0].line.first_line == 0
    assert set(rs.files) == {root, a, b}


def test_self_include_is_a_cycle(tmp_path: Path) -> None:
    root = write(tmp_path, "r.txt", "-r r.txt\n")
    rs = load_set([root])
    assert [(e.includer, e.target) for e in rs.cycles] == [(root, root)]


def test_missing_include_is_recorded(tmp_path: Path) -> None:
    root = write(tmp_path, "r.txt", "-r nope.txt\n-c gone.txt\nfoo\n")
    rs = load_set([root])
    assert [(e.target, why) for e, why in rs.missing] == [
        (
            str(tmp_path / "nope.txt"),
            f"Could not open requirements file: [Errno 2] No such file or directory: "
            f"'{tmp_path / 'nope.txt'}'",
        ),
        (
            str(tmp_path / "gone.txt"),
            f"Could not open constraint file: [Errno 2] No such file or directory: "
            f"'{tmp_path / 'gone.txt'}'",
        ),
    ]
    assert list(rs.files) == [root]


def test_missing_root_is_a_file_with_read_error(tmp_path: Path) -> None:
    rs = load_set([str(tmp_path / "none.txt")])
    assert rs.files[str(tmp_path / "none.txt")].read_error is not None


def test_remote_includes_are_not_fetched_and_file_urls_are_read(tmp_path: Path) -> None:
    local = write(tmp_path, "local.txt", "bar\n")
    root = write(tmp_path, "r.txt", f"-r https://example.com/r.txt\n-r {Path(local).as_uri()}\n")
    rs = load_set([root])
    assert [(e.target, e.line.include.is_remote) for e in rs.edges] == [  # type: ignore[union-attr]
        ("https://example.com/r.txt", True),
        (local, False),
    ]
    assert set(rs.files) == {root, local}
    assert rs.missing == ()


def test_reader_serves_unsaved_editor_text(tmp_path: Path) -> None:
    root = str(tmp_path / "r.txt")
    texts = {root: "-r other.txt\n", str(tmp_path / "other.txt"): b"foo==1\n"}

    def reader(path: str) -> str | bytes:
        if path not in texts:
            raise FileNotFoundError(2, "No such file or directory", path)
        return texts[path]

    rs = load_set([root], reader=reader)
    assert set(rs.files) == set(texts)


# ---------------------------------------------------------------- never raises


def test_never_raises_on_binary_junk() -> None:
    random.seed(3)
    for _ in range(30):
        data = bytes(random.randrange(256) for _ in range(random.randrange(1, 3000)))
        text = decode(data).text
        rf = parse(text, "/junk.txt", environ={"A": "x"}, cwd="/nonexistent")
        for ll in rf.logical_lines:
            assert ll.kind is not LineKind.INVALID or ll.error is not None
            assert ll.error is None or not ll.error.message.startswith("Pinwise could not")


def test_never_raises_on_a_huge_line() -> None:
    big = "foo==1.0 " + "--hash=sha256:" + "a" * 1_000_000
    rf = parse(big, "/big.txt", environ={}, cwd="/nonexistent")
    (ll,) = rf.logical_lines
    assert ll.kind is LineKind.REQUIREMENT
    assert ll.requirement is not None and len(ll.requirement.hashes[0].value) == 1_000_000
    rf = parse("x" * 1_000_000 + "=", "/big.txt", environ={}, cwd="/nonexistent")
    assert rf.logical_lines[0].kind is LineKind.INVALID


def test_never_raises_on_a_hundred_thousand_lines() -> None:
    kinds = [
        "pkg{}=={}.0",
        "pkg{}>={}.0",
        "# c{}{}",
        "pkg{}=={}.1",
        "pkg{}[x]>={} ; python_version>'3'",
        "pkg{}~={}.0",
        "",
        "pkg{}=={}.2",
        "bad=={}=={}",
        "-r f{}{}.txt",
    ]
    text = "\n".join(kinds[i % 10].format(i, i % 9) for i in range(100_000)) + "\n"
    rf = parse(text, "/many.txt", environ={}, cwd="/nonexistent")
    assert len(rf.lines) == 100_000
    counts: dict[LineKind, int] = {}
    for ll in rf.logical_lines:
        counts[ll.kind] = counts.get(ll.kind, 0) + 1
    assert counts == {
        LineKind.REQUIREMENT: 60_000,
        LineKind.INVALID: 10_000,
        LineKind.INCLUDE: 10_000,
    }
    assert rf.logical_lines[-1].first_line == 99_999


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "\\",
        "\\\\\\",
        "-",
        "--",
        "-e",
        '"',
        "'",
        "${",
        "${A}",
        "#",
        " \t ",
        "foo @",
        "@ x",
        "[",
        "-e [",
        "-e ./[",
        "-r \\",
        "--hash=\\",
        "file://[",
        "-e file://[::1",
        "foo @ file://[::1/x",
        "\ud800",
        "ａｂｃ==1",
        "-e ｇｉｔ+https://x",
        "x" * 10000 + "[" * 5000,
        "(" * 10000,
        "foo; " + "(" * 3000 + "os_name=='x'" + ")" * 3000,
    ],
)
def test_never_raises_on_odd_lines(text: str) -> None:
    rf = parse(text, "/odd.txt", environ={"A": "${A}"}, cwd=os.getcwd())
    for ll in rf.logical_lines:
        assert ll.kind is not LineKind.INVALID or ll.error is not None
        assert ll.error is None or not ll.error.message.startswith("Pinwise could not")


def test_parse_restores_the_collector_setting() -> None:
    import gc

    assert gc.isenabled()
    parse("foo==1\n", "/x", environ={}, cwd="/nonexistent")
    assert gc.isenabled()
    gc.disable()
    try:
        parse("foo==1\n", "/x", environ={}, cwd="/nonexistent")
        assert not gc.isenabled()
    finally:
        gc.enable()
