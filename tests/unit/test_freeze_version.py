"""pip freeze prints versions normalised by packaging; Pinwise skips importing packaging when a
version is already in normal form. That shortcut must agree with packaging on every input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from pinwise.freeze.render import normal_version


def _packaging(raw: str) -> str | None:
    try:
        return str(Version(raw))
    except InvalidVersion:
        return None


@pytest.mark.parametrize(
    "raw",
    [
        "1.0",
        "1.0.0",
        "01.0",
        "1.00",
        "0",
        "2024.10.1",
        "1.0a1",
        "1.0A1",
        "1.0-a1",
        "1.0.alpha1",
        "1.0rc1",
        "1.0c1",
        "1.0.post1",
        "1.0-1",
        "1.0post1",
        "1.0.dev0",
        "1.0dev",
        "1.0+abc.7",
        "1.0+abc.07",
        "1.0+ABC",
        "1.0+a-b_c",
        "0!1.0",
        "1!1.0",
        "v1.0",
        " 1.0 ",
        "1.0\n",
        "",
        "1..0",
        "1.0.",
        "١.٠",
        "1.0+",
        "1.0+00a",
        "1.0+0",
        "1.0+00",
        "1.0a",
        "1.0b2.post3.dev4",
        "1.0.post0.dev0+x.y.1",
        "not a version",
        "1.0-2-3",
        "1.2.3.4.5.6.7",
    ],
)
def test_known_cases(raw: str) -> None:
    assert normal_version(raw) == _packaging(raw)


_SEG = st.sampled_from(["0", "1", "01", "10", "007", "99"])
_PIECES = st.lists(
    st.one_of(
        _SEG,
        st.sampled_from(
            [
                ".",
                "!",
                "+",
                "-",
                "_",
                "a",
                "b",
                "rc",
                "c",
                "post",
                "dev",
                "A",
                "RC",
                "Post",
                "x",
                "v",
                " ",
                "١",
            ]
        ),
    ),
    max_size=12,
)


@settings(max_examples=2000, deadline=None)
@given(_PIECES)
def test_agrees_with_packaging(pieces: list[str]) -> None:
    raw = "".join(pieces)
    assert normal_version(raw) == _packaging(raw)
