"""Differential fuzz: generated lines and files, read by pip 26.3 (the oracle, imported in the
tests only: tests/differential/pip_oracle.py) and by Pinwise, must get the same verdict (valid
or not; for a requirement its name, specifier, extras, marker, URL, editable and constraint
flags). The grammar-shaped generators of tests/differential are reused and mixed into token
soups: pieces of requirement syntax, options, URLs with credentials, `${VAR}` references,
odd whitespace, joined in any order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.differential.conftest import make_fixture_tree
from tests.differential.pip_oracle import environ_for_tests
from tests.differential.test_parser_vs_pip_hypothesis import (
    BARE_URLS,
    EXTRAS,
    MARKERS,
    NAMES,
    OPTION_WORDS,
    SPECS,
    URLS,
    check,
    multi_line,
    option_lines,
    pieces,
    url_lines,
)
from tests.fuzz.figures import FUZZ, counted, run_property

pytestmark = [pytest.mark.fuzz_property, pytest.mark.filterwarnings("ignore:DEPRECATION")]

TOKENS = sorted(
    {
        *NAMES,
        *[e for e in EXTRAS if e],
        *[s for s in SPECS if s],
        *[m for m in MARKERS if m],
        *[u for u in URLS if u],
        *BARE_URLS,
        *OPTION_WORDS,
        "https://user:s3cret@pypi.example/simple",
        "${PW_TEST_NAME}",
        "${PW_TEST_VER}",
        "${PW_UNSET}",
        "#",
        "# c",
        "\\",
        "@",
        ";",
        "==",
        "--hash=sha256:" + "a" * 64,
        "git+https://h/r.git@" + "c" * 40 + "#egg=foo",
    }
)
SEPARATORS = [" ", " ", "", "\t", "  ", "\\\n", " \\\n  ", "\n"]
soup = st.lists(
    st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), min_size=1, max_size=6
).map(lambda xs: "".join(a + b for a, b in xs).rstrip("\n"))
WORLD: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzzworld")
    make_fixture_tree(root)
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    for key in [k for k in os.environ if k.startswith("PW_")]:
        mp.delenv(key)
    for key, value in environ_for_tests({}).items():
        mp.setenv(key, value)
    WORLD["root"] = root
    try:
        yield root
    finally:
        mp.undo()


@FUZZ
@given(
    text=st.one_of(pieces, url_lines, multi_line, option_lines, soup, soup),
    constraint=st.booleans(),
)
@counted("differential: pip 26.3 and Pinwise agree on generated lines")
def _differential(text: str, constraint: bool) -> None:
    check(WORLD["root"], text, constraint)


def test_parser_agrees_with_pip() -> None:
    run_property("differential: pip 26.3 and Pinwise agree on generated lines", _differential)
