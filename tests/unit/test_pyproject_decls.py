"""pyproject.toml declarations: exact spans inside the TOML text (multi-line arrays, literal
strings, escapes, comments), dependency groups with include-group (cycles, unknown groups), and
problems (invalid TOML at the right line, wrong types) without ever raising."""

from __future__ import annotations

import sys
from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinwise.pyproject import GROUPS, OPTIONAL, PROJECT, Document, parse_pyproject
from pinwise.spans import Span

TEXT = """\
[project]
name = "Demo-Proj"
dynamic = ["version"]
dependencies = [
    # a comment line inside the array
    "requests[socks, security] >= 2.31 ; python_version >= '3.8'",  # trailing comment
    'literal-name>=1.0',
    "esc\\u0061ped==1.0",
    "tab\\tbed",
    "pkg @ https://example.com/pkg-1.0.whl ; os_name == 'posix'",
    '''multi-quoted>=3''',
    "démo-ü>=1",
]

[project.optional-dependencies]
docs = ["sphinx>=7", "furo"]  # pinwise: ignore[PW002]
"with space" = [
  "x==1",
]

[dependency-groups]
test = ["pytest>=8", { include-group = "lint" }]
lint = ["ruff"]
Dev_Group = [{include-group = "TEST"}, "coverage"]
"""


def text_at(text: str, span: Optional[Span]) -> Optional[str]:
    if span is None:
        return None
    lines = text.splitlines()
    assert span.start.line == span.end.line
    return lines[span.start.line][span.start.character : span.end.character]


def test_sections_groups_and_names() -> None:
    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    assert [p.message.split(":")[0] for p in decls.problems] == ["Invalid requirement"] * 2
    assert decls.project_name == "demo-proj"
    got = [(d.section, d.group, d.normalized_name) for d in decls.declarations]
    assert got == [
        (PROJECT, None, "requests"),
        (PROJECT, None, "literal-name"),
        (PROJECT, None, "escaped"),
        (PROJECT, None, None),  # "tab\tbed" is not a valid requirement
        (PROJECT, None, "pkg"),
        (PROJECT, None, "multi-quoted"),
        (PROJECT, None, None),  # non-ASCII names are not valid PEP 508 names
        (OPTIONAL, "docs", "sphinx"),
        (OPTIONAL, "docs", "furo"),
        (OPTIONAL, "with space", "x"),
        (GROUPS, "test", "pytest"),
        (GROUPS, "lint", "ruff"),
        (GROUPS, "Dev_Group", "coverage"),
    ]


def test_component_spans_are_exact() -> None:
    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    req = decls.declarations[0]
    assert text_at(TEXT, req.span) == (
        "\"requests[socks, security] >= 2.31 ; python_version >= '3.8'\""
    )
    assert text_at(TEXT, req.text_span) == (
        "requests[socks, security] >= 2.31 ; python_version >= '3.8'"
    )
    assert text_at(TEXT, req.name_span) == "requests"
    assert text_at(TEXT, req.extras_span) == "[socks, security]"
    assert req.extras == ("security", "socks")
    assert text_at(TEXT, req.specifier_span) == ">= 2.31"
    assert req.specifier == ">=2.31"
    assert text_at(TEXT, req.marker_span) == "python_version >= '3.8'"
    assert req.span.start.line == 5 and req.span.start.character == 4

    literal = decls.declarations[1]
    assert text_at(TEXT, literal.span) == "'literal-name>=1.0'"
    assert text_at(TEXT, literal.name_span) == "literal-name"

    escaped = decls.declarations[2]
    assert escaped.text == "escaped==1.0"
    assert text_at(TEXT, escaped.name_span) == "esc\\u0061ped"  # the escape is inside the span
    assert text_at(TEXT, escaped.specifier_span) == "==1.0"

    url = decls.declarations[4]
    assert text_at(TEXT, url.url_span) == "https://example.com/pkg-1.0.whl"
    assert text_at(TEXT, url.marker_span) == "os_name == 'posix'"
    assert url.specifier_span is None

    multi = decls.declarations[5]
    assert text_at(TEXT, multi.name_span) == "multi-quoted"
    assert text_at(TEXT, multi.specifier_span) == ">=3"


def test_suppression_comments() -> None:
    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    by_name = {d.normalized_name: d for d in decls.declarations}
    assert by_name["sphinx"].suppressed == frozenset({"PW002"})
    assert by_name["furo"].suppressed == frozenset({"PW002"})  # same line
    assert by_name["requests"].suppressed is None  # a plain comment is not a suppression


def test_invalid_requirements_are_problems_at_their_string() -> None:
    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    invalid = [d for d in decls.declarations if d.error]
    assert [text_at(TEXT, d.text_span) for d in invalid] == ["tab\\tbed", "démo-ü>=1"]
    assert [p.span for p in decls.problems] == [d.text_span for d in invalid]
    assert all(d.error and d.error.startswith("Invalid requirement: ") for d in invalid)


def test_include_group_resolution() -> None:
    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    resolved = {k: [d.normalized_name for d in v] for k, v in decls.resolved_groups.items()}
    assert resolved == {
        "test": ["pytest", "ruff"],
        "lint": ["ruff"],
        "dev-group": ["coverage", "pytest", "ruff"],
    }
    assert [(i.group, i.target) for i in decls.includes] == [
        ("test", "lint"),
        ("Dev_Group", "TEST"),
    ]


def test_include_group_cycle_and_unknown_group() -> None:
    text = (
        "[dependency-groups]\n"
        'a = ["x", {include-group = "b"}]\n'
        'b = [{include-group = "c"}, "y"]\n'
        'c = [{include-group = "a"}]\n'
        'd = [{include-group = "nope"}]\n'
        'e = [{include-group = "e"}]\n'
    )
    decls = parse_pyproject(text, "/p/pyproject.toml")
    messages = {(p.span.start.line, p.message) for p in decls.problems}
    assert messages == {
        (3, "dependency groups include each other in a cycle: a -> b -> c -> a"),
        (4, "include-group 'nope': there is no dependency group of that name"),
        (5, "dependency groups include each other in a cycle: e -> e"),
    }
    cycle = next(p for p in decls.problems if p.span.start.line == 3)
    assert text_at(text, cycle.span) == '"a"'


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[project]\ndependencies = ["a",\n  "b"\n  "c"]\n', 3),
        ('[project]\nname = "x"\nname = "y"\n', 2),
        ('[project]\ndependencies = ["unterminated]\n', 1),
        ("[project\n", 0),
        ('a = "bad \\q escape"\n', 0),
        ('[project]\ndependencies = [\n  "a",\n', 1),  # where the open array starts
        ("x = 1 2\n", 0),
    ],
)
def test_invalid_toml_is_one_problem_at_the_right_line(text: str, line: int) -> None:
    decls = parse_pyproject(text, "/p/pyproject.toml")
    assert len(decls.problems) == 1, decls.problems
    problem = decls.problems[0]
    assert problem.message.startswith("not valid TOML (line ")
    assert problem.span.start.line == line
    assert decls.declarations == ()
    assert not decls.valid


def test_wrong_types_are_problems() -> None:
    text = (
        '[project]\ndependencies = "requests"\n'
        '[project.optional-dependencies]\nx = [1, "ok"]\n'
        "[dependency-groups]\ng = [{other = 1}]\n"
    )
    decls = parse_pyproject(text, "/p/pyproject.toml")
    lines = sorted(p.span.start.line for p in decls.problems)
    assert lines == [1, 3, 5]
    assert [d.normalized_name for d in decls.declarations] == ["ok"]


def test_dotted_keys_and_inline_tables() -> None:
    text = (
        'project.name = "dotted"\n'
        'project.dependencies = ["a>=1"]\n'
        'project.optional-dependencies = { extra = ["b"] }\n'
    )
    decls = parse_pyproject(text, "/p/pyproject.toml")
    assert decls.problems == ()
    assert [(d.group, d.normalized_name) for d in decls.declarations] == [
        (None, "a"),
        ("extra", "b"),
    ]


def test_crlf_and_tool_packages() -> None:
    text = (
        '[project]\r\ndependencies = [\r\n  "a>=1",\r\n]\r\n'
        '[tool.pinwise]\r\ntool-packages = ["x"]\r\n'
    )
    decls = parse_pyproject(text, "/p/pyproject.toml")
    (decl,) = decls.declarations
    assert decl.name_span == Span.on_line(2, 3, 4)
    assert decls.tool_packages == ("x",)
    assert decls.lines[2].terminator == "\r\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]{}\"'=,.#\n\\ abc-_\t1u")), max_size=80))
def test_never_raises(text: str) -> None:
    decls = parse_pyproject(text, "/p/pyproject.toml")
    for problem in decls.problems:
        assert problem.span.start.line >= 0


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=4
    ),
    st.sampled_from(["basic", "literal", "multi"]),
)
def test_string_values_agree_with_tomllib(values: list[str], kind: str) -> None:
    import json

    import tomllib

    def quote(value: str) -> str:
        if kind == "literal" and "'" not in value and all(c >= " " and c != "\x7f" for c in value):
            return f"'{value}'"
        body = json.dumps(value, ensure_ascii=False)[1:-1].replace("\x7f", "\\u007f")
        return f'"""{body}"""' if kind == "multi" else f'"{body}"'

    text = "[project]\ndependencies = [\n" + "".join(f"  {quote(v)},\n" for v in values) + "]\n"
    expected = tomllib.loads(text)["project"]["dependencies"]
    doc = Document(text)
    assert doc.error is None
    array = doc.get("project", "dependencies")
    assert [item.value for item in array.items] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["x = 1 2\n", "x = abc\n", "x = 01\n", "[a]\n[a]\n", 'x = "a"\nx = "b"\n', "x = [1,,2]\n"],
)
def test_own_reader_finds_errors_without_tomllib(text: str) -> None:
    assert Document(text).error is not None


_PIECES = [
    "[project]\n",
    "[dependency-groups]\n",
    "[[a.b]]\n",
    "x = 1\n",
    "y = 1979-05-27T07:32:00Z\n",
    "dependencies = [\"a>=1\", 'b']\n",
    'd = [\n  # c\n  \'x\',\n  """y\n""",\n]\n',
    "t = {a = 1, b.c = 'x'}\n",
    "z.w = true\n",
    "# comment\n",
    "\n",
    'q = "esc\\t\\u00e9"\n',
    "f = -1.5e3\n",
    "k = 'x' # c\n",
]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8))
def test_what_tomllib_accepts_the_reader_accepts(pieces: list[str]) -> None:
    import tomllib

    text = "".join(pieces)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    assert Document(text).error is None, text


def test_declaration_at() -> None:
    from pinwise.pyproject import declaration_at
    from pinwise.spans import Position

    decls = parse_pyproject(TEXT, "/p/pyproject.toml")
    found = declaration_at(decls, Position(5, 8))
    assert found is not None and found[0].normalized_name == "requests" and found[1] == "name"
    assert declaration_at(decls, Position(5, 20)) == (decls.declarations[0], "extras")
    assert declaration_at(decls, Position(5, 34)) == (decls.declarations[0], "specifier")
    assert declaration_at(decls, Position(5, 50)) == (decls.declarations[0], "marker")
    assert declaration_at(decls, Position(0, 0)) is None
