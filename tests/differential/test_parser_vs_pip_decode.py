"""decode() against pip 26.3's own decoding of requirements-file bytes (pip-reference A1)."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pip._internal.req.req_file import _decode_req_file

from pinwise.reqfile import decode

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PREFIXES = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    b"# -*- coding: latin-1 -*-\n",
    b"# x\n# coding=cp1252\n",
    b"#coding:utf-16\n",
    b"# vim: set fileencoding=koi8-r :\n",
    b"foo\n# coding: latin-1\n",
    b" # coding: latin-1\n",
]
TEXTS = ["foo==1.0\n", "naïve==1\r\n", "ü\n", "\u20ac==1\n", "a\x00b\n", ""]
ENCODINGS = ["utf-8", "latin-1", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp1252"]


def pip_decode(data: bytes) -> object:
    try:
        return _decode_req_file(data, "<test>")
    except (UnicodeDecodeError, LookupError) as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    text=st.sampled_from(TEXTS) | st.text(max_size=12),
    encoding=st.sampled_from(ENCODINGS),
    junk=st.binary(max_size=6),
)
def test_decode_matches_pip(prefix: bytes, text: str, encoding: str, junk: bytes) -> None:
    try:
        body = text.encode(encoding)
    except UnicodeEncodeError:
        body = text.encode("utf-8")
    data = prefix + body + junk
    theirs = pip_decode(data)
    ours = decode(data)
    if isinstance(theirs, str):
        assert ours.text == theirs
    else:
        # pip fails to read the file; Pinwise decodes leniently and says pip would fail
        assert ours.warning is not None
        assert "pip would fail" in ours.warning
