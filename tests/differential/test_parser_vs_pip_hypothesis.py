"""Generated lines, pip 26.3 vs Pinwise: same verdict (valid or not, and what it means)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinwise.reqfile import parse
from tests.differential.pip_oracle import pinwise_verdicts, pip_verdicts, same

pytestmark = pytest.mark.filterwarnings("ignore:DEPRECATION")

NAMES = ["foo", "Foo_Bar", "a", "1a", "foo.bar", "foo-", ".foo", "proj", "./proj", "sub/", "-x"]
EXTRAS = ["", "[x]", "[x,y]", "[ x , y ]", "[", "[]", "[x y]", "[X]"]
SPECS = [
    "",
    "==1.0",
    ">=1,<2",
    " >= 1.0 , < 2",
    "=1",
    "==1.0.*",
    "~=1",
    "~=1.0",
    "(>=1)",
    "===x",
    "==1.0+local",
    "<>1",
    "==",
    "!=1.0",
]
MARKERS = [
    "",
    "; python_version >= '3'",
    ";os_name=='nt'",
    " ; bad",
    ";",
    "; extra == 'x'",
    '; python_version >= "3.8" and sys_platform != "win32"',
    "; (os_name == 'nt'",
]
URLS = [
    "",
    " @ https://x/p-1.0.tar.gz",
    "@https://x/p-1.0-py3-none-any.whl",
    " @ git+https://h/r.git@v1",
    " @ ./proj",
    " @ file:///tmp/p",
    " @",
]
OPTIONS = [
    "",
    " --hash=sha256:abc",
    " --hash=md5:x",
    " --pre",
    " -r x.txt",
    " --no-deps",
    " -C k=v",
    " --ind x",
    " --hash sha256:a --hash=sha512:b",
    " -e ./proj",
    " --",
    " -",
    ' "--pre"',
    " --h=sha256:x",
]
COMMENTS = ["", " # c", "#x", "\t# c", " # pinwise: ignore"]
PREFIXES = ["", "", "", "-e ", "--editable=", "-r ", "-c ", "--pre ", " "]
BARE_URLS = [
    "https://x/p-1.0.tar.gz",
    "https://x/p-1.0.tar.gz#egg=p",
    "git+https://h/r.git#egg=foo",
    "git+https://h/r.git",
    "file:///tmp/p#egg=p",
    "https://x/p-1.0-py3-none-any.whl",
    "dist/pkg-1.0.tar.gz",
    "missing-1.0.zip",
    "nope.whl",
    "hg+https://h/r#egg=x[y]",
]

pieces = st.builds(
    lambda pre, name, ex, url, spec, mk, opt, com: pre + name + ex + (url or spec) + mk + opt + com,
    st.sampled_from(PREFIXES),
    st.sampled_from(NAMES),
    st.sampled_from(EXTRAS),
    st.sampled_from(URLS),
    st.sampled_from(SPECS),
    st.sampled_from(MARKERS),
    st.sampled_from(OPTIONS),
    st.sampled_from(COMMENTS),
)
url_lines = st.builds(
    lambda pre, url, mk, opt, com: pre + url + mk + opt + com,
    st.sampled_from(["", "", "-e ", "-c "]),
    st.sampled_from(BARE_URLS),
    st.sampled_from(["", "; python_version >= '3'", ";python_version>='3'", " ; x"]),
    st.sampled_from(OPTIONS),
    st.sampled_from(COMMENTS),
)
multi_line = st.lists(
    st.tuples(
        st.one_of(
            pieces,
            url_lines,
            st.sampled_from(
                [
                    "# c \\",
                    "  # via x",
                    "\\",
                    "--hash=sha256:x \\",
                    "foo==${PW_TEST_VER}",
                    "${PW_TEST_NAME}[x]",
                    "-r ${PW_UNSET}.txt",
                ]
            ),
        ),
        st.sampled_from(["", " \\", "\\", "\\\\", " \\ "]),
    ),
    min_size=1,
    max_size=4,
).map(lambda xs: "\n".join(a + b for a, b in xs))
OPTION_WORDS = [
    "--index-url",
    "-i",
    "--extra-index-url",
    "--extra",
    "--no-index",
    "--no-",
    "-r",
    "-c",
    "-e",
    "-f",
    "--find-links=x",
    "--no-binary",
    "--only-binary=:all:",
    "--pre",
    "--pre=1",
    "--all-releases",
    "--only-final",
    "--trusted-host",
    "--use-feature",
    "fast-deps",
    "--hash",
    "--hash=sha256:a",
    "sha512:b",
    "-C",
    "k=v",
    "-Ck=v",
    "--config",
    "--req",
    "--requirement=r.txt",
    "--constraint",
    "-x",
    "-",
    "--",
    "--no-deps",
    "./proj",
    "r.txt",
    ":all:",
    "-rr.txt",
    "-e./proj",
    "--ed",
    "'a b'",
    '"--pre"',
    "--prefer",
    "--require",
    "--no-require-hashes",
    "--unknown=1",
]
option_lines = st.lists(st.sampled_from(OPTION_WORDS), min_size=1, max_size=5).map(" ".join)
fuzz = st.text(alphabet="abc019.-_[]()<>=!~;@:/#\"' \t\\$e{}+", max_size=24)


def check(world: Path, text: str, constraint: bool) -> None:
    path = world / ("hc.txt" if constraint else "hr.txt")
    path.write_text(text + "\n", encoding="utf-8")
    theirs = pip_verdicts(str(path), constraint=constraint)
    ours = pinwise_verdicts(
        parse(
            text + "\n", str(path), constraint=constraint, environ=dict(os.environ), cwd=str(world)
        )
    )
    assert same(theirs, ours), f"line {text!r}\npip: {theirs}\npinwise: {ours}"


SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=st.one_of(pieces, url_lines), constraint=st.booleans())
def test_generated_lines_match_pip(pip_world: Path, text: str, constraint: bool) -> None:
    check(pip_world, text, constraint)


@SETTINGS
@given(text=fuzz, constraint=st.booleans())
def test_fuzzed_lines_match_pip(pip_world: Path, text: str, constraint: bool) -> None:
    check(pip_world, text, constraint)


@SETTINGS
@given(text=multi_line, constraint=st.booleans())
def test_generated_files_match_pip(pip_world: Path, text: str, constraint: bool) -> None:
    check(pip_world, text, constraint)


@SETTINGS
@given(text=option_lines, constraint=st.booleans())
def test_generated_option_lines_match_pip(pip_world: Path, text: str, constraint: bool) -> None:
    check(pip_world, text, constraint)
