"""Generators of requirements-file text: grammar-shaped lines, hostile text, whole files."""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = ["alpha", "Beta_Two", "gamma.three", "delta-4", "missing-lib", "a", "zz9", "ALPHA"]
SPECS = ["", "==1.0", ">=1,<3", "~=2.0", "!=1.5", "==1.0.*", " >= 1.0", "===1.0", "<2", "(>=1)"]
MARKERS = ["", "; python_version >= '3'", " ; sys_platform == 'win32'", ";os_name=='posix'"]
EXTRAS = ["", "[x]", "[x,y]", "[ x ]"]
COMMENTS = ["", " # note", "  # pinwise: ignore", " # pinwise: ignore[PW001]", "\t#x"]
HASHES = ["", " --hash=sha256:" + "a" * 64, " --hash sha256:" + "b" * 64]
OTHER_LINES = [
    "",
    "   ",
    "# a comment",
    "-r other.txt",
    "-c constraints.txt",
    "--index-url https://pypi.example/simple",
    "-i https://user:s3cret@pypi.example/simple",
    "--no-index",
    "--find-links ./wheels",
    "-e ./proj",
    "-e git+https://h/r.git@main#egg=proj",
    "https://x/p-1.0.tar.gz",
    "proj @ https://x/proj-1.0-py3-none-any.whl",
    "./proj",
    "${PW_TOKEN_NAME}==1.0",
    "-r ${PW_UNSET}.txt",
    "--pre",
    "--require-hashes",
    "\\",
    "foo \\",
    "  bar",
    "==1.0",
    "alpha=1.0",
    "alpha[",
    "--no-such-option",
    "-e",
    "\ufeffalpha==1.0",
    "alpha==1.0\x00",
    "é==1",
    "\U0001f600==1",
]

requirement_lines = st.builds(
    lambda n, e, s, m, h, c: n + e + s + m + h + c,
    st.sampled_from(NAMES),
    st.sampled_from(EXTRAS),
    st.sampled_from(SPECS),
    st.sampled_from(MARKERS),
    st.sampled_from(HASHES),
    st.sampled_from(COMMENTS),
)
TERMINATORS = ["\n", "\n", "\n", "\r\n", "\r", "\x0c", "\x85", "\u2028"]
CONTINUATIONS = ["", "", "", "", " \\", "\\"]
hostile_text = st.text(
    alphabet=st.characters(codec="utf-8"), max_size=200
)  # any code point but lone surrogates
ascii_noise = st.text(alphabet="abc019.-_[]()<>=!~;@:/#\"' \t\\$e{}+\r\n\x0c", max_size=80)

line = st.one_of(
    requirement_lines, st.sampled_from(OTHER_LINES), ascii_noise.filter(lambda s: "\n" not in s)
)
files = st.lists(
    st.tuples(line, st.sampled_from(CONTINUATIONS), st.sampled_from(TERMINATORS)),
    min_size=0,
    max_size=12,
).map(lambda xs: "".join(a + b + t for a, b, t in xs))
# files an editor holds: one terminator style, requirement-shaped (for the fixes)
uniform_files = st.tuples(
    st.lists(
        st.one_of(requirement_lines, requirement_lines, st.sampled_from(OTHER_LINES)),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
).map(lambda t: t[1].join(t[0]) + (t[1] if t[2] else ""))
