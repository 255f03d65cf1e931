"""pip's requirements-file rules (pip-reference A) and the 27 tricky lines (D), on `parse`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from pinwise.reqfile import parse
from pinwise.reqfile.model import LineKind, LogicalLine, RequirementForm, RequirementsFile


@pytest.fixture
def world(tmp_path: Path) -> Path:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "setup.py").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "local_wheel-2.0rc1+cpu-py3-none-any.whl").write_bytes(b"PK")
    (tmp_path / "dist" / "pkg-1.0.tar.gz").write_bytes(b"")
    return tmp_path


def p(text: str, cwd: Optional[Path] = None, **kw: object) -> RequirementsFile:
    kw.setdefault("environ", {})
    return parse(text, "/r/requirements.txt", cwd=str(cwd or "/nonexistent"), **kw)  # type: ignore[arg-type]


def one(text: str, cwd: Optional[Path] = None, **kw: object) -> LogicalLine:
    lines = p(text, cwd, **kw).logical_lines
    assert len(lines) == 1, lines
    return lines[0]


def err(line: LogicalLine) -> str:
    assert line.kind is LineKind.INVALID, line
    assert line.error is not None
    return line.error.message


# ---------------------------------------------------------------- D: the 27 tricky lines


def test_d01_comment_swallows_continuation() -> None:
    lines = p("foo # note \\\nbar==1\n").logical_lines
    assert [ll.requirement.name for ll in lines if ll.requirement] == ["foo"]
    assert len(lines) == 1
    assert lines[0].comment is not None
    assert lines[0].comment.text == "# note bar==1"
    assert lines[0].comment.span.end.line == 1  # the comment runs onto the next physical line


def test_d02_comment_line_ends_continuation() -> None:
    lines = p("baz==1 \\\n    # via x\nqux\n").logical_lines
    assert [(ll.first_line, ll.requirement.name) for ll in lines if ll.requirement] == [
        (0, "baz"),
        (2, "qux"),
    ]
    assert lines[0].last_line == 1


def test_d03_double_backslash_joins() -> None:
    ll = one("a==1\\\\\nb==1\n")
    assert ll.raw_text == "a==1b==1"
    assert ll.first_line == 0
    assert "Invalid requirement: 'a==1b==1'" in err(ll)


def test_d04_hash_without_space_is_not_a_comment() -> None:
    assert "Invalid requirement: 'pkg==1#x'" in err(one("pkg==1#x"))


def test_d05_tab_before_hash_is_a_comment() -> None:
    ll = one("pkg==1\t# c")
    assert ll.kind is LineKind.REQUIREMENT
    assert ll.comment is not None and ll.comment.text == "# c"


@pytest.mark.parametrize("text", ["${UNSET}==1", "$PKG", "${lower}", "%PKG%"])
def test_d06_unexpanded_variables_stay_and_fail(text: str) -> None:
    ll = one(text, environ={"PKG": "foo", "lower": "foo"})
    assert not ll.expanded
    assert text in err(ll)


def test_d07_tab_does_not_split_options() -> None:
    ll = one("foo==1.0\t--hash=sha256:abc")
    assert ll.kind is LineKind.INVALID


def test_d08_unknown_option_on_requirement_line() -> None:
    ll = one("foo==1 --no-deps")
    assert err(ll) == "no such option: --no-deps"
    assert ll.error is not None
    assert (ll.error.span.start.character, ll.error.span.end.character) == (7, 16)


def test_d09_global_options_on_requirement_line_are_ignored() -> None:
    ll = one("reqa==1 --pre --index-url X")
    assert ll.kind is LineKind.REQUIREMENT
    assert ll.requirement is not None and ll.requirement.name == "reqa"
    assert [o.name for o in ll.options] == ["--pre", "--index-url"]
    assert ll.include is None


def test_d10_leftover_words_after_options_are_dropped() -> None:
    ll = one("--pre foo")
    assert ll.kind is LineKind.OPTIONS
    assert [o.name for o in ll.options] == ["--pre"]
    assert ll.requirement is None


def test_d11_hash_alone_warns() -> None:
    ll = one("--hash=sha256:x")
    assert ll.kind is LineKind.OPTIONS
    assert [w.message for w in ll.warnings] == [
        "/r/requirements.txt line 1 has --hash but no requirement, and will be ignored."
    ]
    assert not ll.warnings[0].is_error


def test_d12_weak_hash_algorithm() -> None:
    assert err(one("foo==1 --hash=md5:x")) == (
        "Allowed hash algorithms for --hash are sha256, sha384, sha512."
    )


def test_d13_prefixes() -> None:
    ll = one("--extra-index https://example.com/simple")
    assert ll.kind is LineKind.OPTIONS
    assert ll.options[0].name == "--extra-index-url"
    assert ll.options[0].written.text == "--extra-index"
    assert ll.options[0].value is not None
    assert ll.options[0].value.text == "https://example.com/simple"
    assert err(one("--no-")) == (
        "ambiguous option: --no- (--no-binary, --no-index, --no-require-hashes?)"
    )


def test_d14_editable_direct_url_must_be_quoted() -> None:
    assert "is not a valid editable requirement" in err(
        one("-e name[x] @ git+https://github.com/o/r.git")
    )
    ll = one('-e "name[x] @ git+https://github.com/o/r.git"')
    assert ll.kind is LineKind.EDITABLE
    r = ll.requirement
    assert r is not None
    assert (r.name, r.extras, r.url, r.vcs, r.form) == (
        "name",
        ("x",),
        "git+https://github.com/o/r.git",
        "git",
        RequirementForm.NAMED_URL,
    )


def test_d15_editable_vcs_without_egg() -> None:
    assert err(one("-e git+https://h/r.git")) == (
        "Could not detect requirement name for 'git+https://h/r.git', please specify one with "
        "your_package_name @ URL"
    )


def test_d16_editable_egg_with_specifier() -> None:
    assert "The 'sample>=1' egg fragment is invalid" in err(
        one("-e git+https://h/r.git#egg=sample>=1")
    )


def test_d17_bare_word_is_a_name_paths_are_folders(world: Path) -> None:
    ll = one("proj", world)
    assert ll.requirement is not None
    assert ll.requirement.form is RequirementForm.NAMED
    assert ll.requirement.name == "proj"
    for text in ("proj/", "./proj"):
        r = one(text, world).requirement
        assert r is not None
        assert r.form is RequirementForm.PATH
        assert r.is_local_dir
        assert r.name is None
        assert r.link == (world / "proj").as_uri()
        assert r.url == text


def test_d18_folder_without_build_files(world: Path) -> None:
    assert err(one("./sub", world)) == (
        "Directory './sub' is not installable. Neither 'setup.py' nor 'pyproject.toml' found."
    )


def test_d19_local_wheel_gives_name_and_version(world: Path) -> None:
    r = one("dist/local_wheel-2.0rc1+cpu-py3-none-any.whl", world).requirement
    assert r is not None
    assert (r.name, r.normalized_name, r.specifier, r.is_wheel, r.form) == (
        "local-wheel",
        "local-wheel",
        "==2.0rc1+cpu",
        True,
        RequirementForm.PATH,
    )
    assert r.name_span is None
    assert r.url_span is not None


def test_d20_missing_bad_wheel(world: Path) -> None:
    ll = one("nope.whl", world)
    assert err(ll) == "Invalid wheel filename (wrong number of parts): 'nope'"
    assert [w.message for w in ll.warnings] == [
        "Requirement 'nope.whl' looks like a filename, but the file does not exist"
    ]


def test_d21_url_marker_needs_semicolon_space() -> None:
    r = one('https://x/p-1.0.tar.gz;python_version>="3"').requirement
    assert r is not None
    assert r.marker is None
    assert r.url == 'https://x/p-1.0.tar.gz;python_version>="3"'
    r = one('https://x/p-1.0.tar.gz; python_version>="3"').requirement
    assert r is not None
    assert r.marker == 'python_version >= "3"'
    assert r.url == "https://x/p-1.0.tar.gz"
    assert r.name is None
    assert r.is_archive


def test_d22_egg_with_extras() -> None:
    message = err(one("https://x/p-1.0.tar.gz#egg=p[extra]"))
    assert "The 'p[extra]' egg fragment is invalid" in message
    assert "name[extra] @ URL" in message


def test_d23_scp_like_vcs_is_not_a_url() -> None:
    message = err(one("git+git@github.com:org/repo.git#egg=foo"))
    assert message.startswith("Invalid requirement: 'git+git@github.com:org/repo.git#egg=foo'")
    assert "Hint: It looks like a path. File 'git+git@github.com:org/repo.git#egg=foo' does " in (
        message
    )


def test_d24_single_equals_hint() -> None:
    message = err(one("foo=1.0"))
    assert message.startswith("Invalid requirement: 'foo=1.0': ")
    assert message.endswith("Hint: = is not a valid operator. Did you mean == ?")


def test_d25_incomplete_marker() -> None:
    ll = one("foo ; python_version >= ")
    assert err(ll).startswith("Invalid requirement: 'foo': Expected ")
    assert ll.error is not None
    assert ll.error.span.start.character == 6  # the marker


def test_d26_include_on_requirement_line_is_ignored() -> None:
    ll = one("foo -r other.txt")
    assert ll.kind is LineKind.REQUIREMENT
    assert ll.include is None
    assert ll.options[0].name == "--requirement"


def test_d27_quotes_are_literal_in_requirements() -> None:
    assert err(one('"quoted==1"')).startswith("Invalid requirement: '\"quoted==1\"'")


# ---------------------------------------------------------------- A4-A8 pre-processing


@pytest.mark.parametrize(
    "brk", ["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_a4_every_line_break_kind(brk: str) -> None:
    rf = p(f"a==1{brk}b==2{brk}")
    assert [ll.requirement.name for ll in rf.logical_lines if ll.requirement] == ["a", "b"]
    assert [ll.first_line for ll in rf.logical_lines] == [0, 1]
    assert [pl.terminator for pl in rf.lines] == [brk, brk]
    assert rf.newline == brk


def test_a4_terminators_kept_and_last_line() -> None:
    rf = p("a==1\r\nb==2\nc==3")
    assert [(pl.text, pl.terminator) for pl in rf.lines] == [
        ("a==1", "\r\n"),
        ("b==2", "\n"),
        ("c==3", ""),
    ]


def test_a6_continuations() -> None:
    lines = p("foo\\\n  ==1.0\n").logical_lines
    assert lines[0].raw_text == "foo  ==1.0"
    # a backslash then space is not a continuation
    lines = p("foo==1.0 \\ \nbar\n").logical_lines
    assert len(lines) == 2
    # backslashes stripped from both ends of each joined piece
    lines = p("\\foo\\\n==1.0\n").logical_lines
    assert lines[0].raw_text == "foo==1.0"
    # a continuation pending at the end of the file is emitted
    lines = p("foo==1.0 \\").logical_lines
    assert lines[0].raw_text == "foo==1.0"
    assert lines[0].kind is LineKind.REQUIREMENT
    # a comment line ending with a backslash does not continue
    lines = p("# x \\\nfoo\n").logical_lines
    assert [ll.raw_text for ll in lines] == ["foo"]


def test_a7_comments() -> None:
    assert one("foo==1.0 # x").kind is LineKind.REQUIREMENT
    r = one("https://x/p.tar.gz#egg=p").requirement
    assert r is not None and r.name == "p"
    assert p("# just a comment\n   # indented\n\n   \n").logical_lines == ()


def test_a8_expansion_and_hidden_values() -> None:
    env = {"VER": "1.0", "TOKEN": "s3cr3t-t0ken"}
    ll = one("foo==${VER}", environ=env)
    assert ll.expanded
    assert ll.raw_text == "foo==${VER}"
    r = ll.requirement
    assert r is not None and r.specifier == "==1.0"
    # a token holding expanded text spans the ${VAR} reference
    assert r.specifier_span is not None
    assert (r.specifier_span.start.character, r.specifier_span.end.character) == (3, 11)
    # options expand too; values never come back
    ll = one("--index-url https://u:${TOKEN}@example.com/simple", environ=env)
    assert ll.options[0].value is not None
    assert ll.options[0].value.text == "https://u:${TOKEN}@example.com/simple"
    ll = one("foo==1 --hash=md5:${TOKEN}", environ=env)
    assert "s3cr3t" not in err(ll)
    ll = one("${TOKEN}==x==y", environ=env)
    assert "s3cr3t" not in err(ll)
    assert "${TOKEN}" in err(ll)
    # empty values are left as written
    assert one("${EMPTY}==1", environ={"EMPTY": ""}).kind is LineKind.INVALID


def test_a8_expansion_applies_to_include_targets() -> None:
    ll = one("-r ${NAME}.txt", environ={"NAME": "dev"})
    assert ll.include is not None
    assert ll.include.resolved == "/r/dev.txt"
    assert ll.include.target.text == "${NAME}.txt"


# ---------------------------------------------------------------- A9-A13 options


def test_a9_option_syntaxes() -> None:
    for text in ("-rother.txt", "-r other.txt", "--requirement=other.txt", "--requirem other.txt"):
        ll = one(text)
        assert ll.kind is LineKind.INCLUDE, text
        assert ll.include is not None
        assert ll.include.resolved == "/r/other.txt"
    ll = one("-e./proj")
    assert ll.kind is LineKind.INVALID  # /nonexistent/proj is no folder: not a valid editable
    ll = one('--index-url "https://a b"')
    assert ll.options[0].value is not None
    assert ll.options[0].value.text == '"https://a b"'
    assert "Could not split options" in err(one('--index-url "https://a'))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("-i https://x", "--index-url"),
        ("--pypi-url https://x", "--index-url"),
        ("--extra-index-url https://x", "--extra-index-url"),
        ("--no-index", "--no-index"),
        ("-f ./dist", "--find-links"),
        ("--no-binary :all:", "--no-binary"),
        ("--only-binary :all:", "--only-binary"),
        ("--prefer-binary", "--prefer-binary"),
        ("--require-hashes", "--require-hashes"),
        ("--no-require-hashes", "--no-require-hashes"),
        ("--pre", "--pre"),
        ("--all-releases :all:", "--all-releases"),
        ("--only-final :all:", "--only-final"),
        ("--trusted-host example.com", "--trusted-host"),
        ("--use-feature fast-deps", "--use-feature"),
        ("-C k=v", "--config-settings"),
    ],
)
def test_a10_accepted_options(text: str, name: str) -> None:
    ll = one(text)
    assert ll.kind is LineKind.OPTIONS
    assert ll.options[0].name == name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--no-deps", "no such option: --no-deps"),
        ("--upgrade", "no such option: --upgrade"),
        ("--global-option=x", "no such option: --global-option"),
        ("-U", "no such option: -U"),
        ("--pre=1", "--pre option does not take a value"),
        ("--index-url", "--index-url option requires 1 argument"),
        ("-r", "-r option requires 1 argument"),
        ("--use-feature nope", "option --use-feature: invalid choice: 'nope' (choose from "),
        ("--only-binary -x", "--no-binary / --only-binary option requires 1 argument."),
        ("--all-releases -x", "--all-releases / --only-final option requires 1 argument."),
        ("-C novalue", "Arguments to -C must be of the form KEY=VAL"),
        ("--hash=abc", "Arguments to --hash must be a hash name followed by a value"),
    ],
)
def test_a10_refused_options(text: str, message: str) -> None:
    assert err(one(text)).startswith(message)


def test_a11_requirement_line_keeps_hashes_and_config() -> None:
    ll = one("foo==1.0 --hash=sha256:aa --hash sha512:bb -C k=v --pre")
    r = ll.requirement
    assert r is not None
    assert [(h.algorithm, h.value) for h in r.hashes] == [("sha256", "aa"), ("sha512", "bb")]
    assert r.config_settings == ("k=v",)
    assert [o.name for o in ll.options] == ["--hash", "--hash", "--config-settings", "--pre"]


def test_a12_editable_rules(world: Path) -> None:
    ll = one("-e ./proj -e ./legacy --hash=sha256:x -C k=v", world)
    assert ll.kind is LineKind.EDITABLE
    r = ll.requirement
    assert r is not None
    assert r.editable and r.is_local_dir
    assert r.hashes == ()
    assert r.config_settings == ("k=v",)
    assert r.link == (world / "proj").as_uri()
    r = one("-e ./proj[dev]", world).requirement
    assert r is not None and r.extras == ("dev",)
    r = one("-e git+https://github.com/o/r.git@v1.0#egg=foo").requirement
    assert r is not None
    assert (r.name, r.vcs, r.vcs_revision, r.form) == ("foo", "git", "v1.0", RequirementForm.URL)


def test_a13_include_lines_ignore_their_other_options() -> None:
    ll = one("-r other.txt --hash=sha256:x --pre")
    assert ll.kind is LineKind.INCLUDE
    assert ll.warnings == ()  # pip follows the include and never looks at the rest
    assert [o.name for o in ll.options] == ["--requirement", "--hash", "--pre"]


def test_a13_one_include_per_line() -> None:
    ll = one("-r a.txt -r b.txt -c c.txt")
    assert ll.kind is LineKind.INCLUDE
    assert ll.include is not None and ll.include.target.text == "a.txt"
    ll = one("-c c.txt -r a.txt")
    assert ll.kind is LineKind.INCLUDE
    ll = one("-c c.txt")
    assert ll.kind is LineKind.CONSTRAINT_INCLUDE
    assert ll.include is not None and ll.include.constraint


def test_a14_include_resolution() -> None:
    assert one("-r ../x.txt").include.resolved == "/x.txt"  # type: ignore[union-attr]
    inc = one("-r https://example.com/r.txt").include
    assert inc is not None and inc.is_remote and inc.resolved == "https://example.com/r.txt"
    inc = one("-r file:///etc/r.txt").include
    assert inc is not None and not inc.is_remote and inc.resolved == "/etc/r.txt"
    rf = parse("-r sub/x.txt\n", "https://example.com/a/r.txt", environ={})
    inc = rf.logical_lines[0].include
    assert inc is not None and inc.resolved == "https://example.com/a/sub/x.txt" and inc.is_remote


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-e ./proj", "Editable requirements are not allowed as constraints"),
        ("https://x/p-1.0.tar.gz", "Unnamed requirements are not allowed as constraints"),
        ("foo[bar]==1", "Constraints cannot have extras"),
    ],
)
def test_a16_constraint_forms(world: Path, text: str, message: str) -> None:
    assert err(one(text, world, constraint=True)) == message
    assert one(text, world).kind is not LineKind.INVALID


def test_a16_plain_constraint_is_fine() -> None:
    rf = p("foo==1.0\nbar>=2 ; python_version < '3'\n", constraint=True)
    assert rf.constraint
    assert all(ll.kind is LineKind.REQUIREMENT for ll in rf.logical_lines)


def test_a17_requirement_kinds(world: Path) -> None:
    r = one("foo @ https://x/foo-1.0.tar.gz ; python_version >= '3'", world).requirement
    assert r is not None
    assert (r.form, r.name, r.url, r.marker, r.is_archive) == (
        RequirementForm.NAMED_URL,
        "foo",
        "https://x/foo-1.0.tar.gz",
        'python_version >= "3"',
        True,
    )
    r = one("https://x/p-1.0-py3-none-any.whl", world).requirement
    assert r is not None and (r.name, r.specifier, r.form) == ("p", "==1.0", RequirementForm.URL)
    r = one("https://x/p.tar.gz#egg=p-q", world).requirement
    assert r is not None and r.name == "p-q"
    assert r.name_span is not None and r.name_span.start.character == 23
    r = one("dist/pkg-1.0.tar.gz", world).requirement
    assert r is not None and r.form is RequirementForm.PATH and r.name is None and r.is_archive
    ll = one("missing-1.0.tar.gz", world)
    assert ll.kind is LineKind.REQUIREMENT
    assert [w.message for w in ll.warnings] == [
        "Requirement 'missing-1.0.tar.gz' looks like a filename, but the file does not exist"
    ]
    r = one("./proj[dev]", world).requirement
    assert r is not None and r.extras == ("dev",) and r.url == "./proj" and r.is_local_dir
    r = one("file:../x/p-1.0.tar.gz#egg=p", world).requirement
    assert r is not None and r.name is None  # made absolute: the egg is dropped
    assert r.link == (world.parent / "x" / "p-1.0.tar.gz").as_uri()
    message = err(one("foo/bar==1", world))
    assert "Hint: It looks like a path. File 'foo/bar==1' does not exist." in message


def test_a18_editable_name_detection() -> None:
    r = one("-e file:///srv/p#egg=p").requirement
    assert r is not None and r.name == "p"
    r = one("-e file:///srv/p").requirement
    assert r is not None and r.name is None  # a local file: URL needs no name
    assert "is not a valid editable requirement" in err(one("-e https://x/p.tar.gz#egg=p"))
    r = one("-e git:github.com/o/r.git#egg=foo").requirement  # git: gets the git+ prefix
    assert r is not None and r.name == "foo"


def test_suppression_comments() -> None:
    ll = one("foo==1 # pinwise: ignore")
    assert ll.suppression is not None
    assert ll.suppression.codes == frozenset()
    assert ll.suppression.silences("PW001")
    ll = one("foo==1 # keep  # pinwise: ignore[PW001, pw002]")
    assert ll.suppression is not None
    assert ll.suppression.codes == frozenset({"PW001", "PW002"})
    assert not ll.suppression.silences("PW003")
    assert (ll.suppression.span.start.character, ll.suppression.span.end.character) == (15, 46)
    assert one("foo==1 # not an ignore").suppression is None


def test_line_cache_never_serves_stale_file_system_answers(tmp_path: Path) -> None:
    text = "./later\nfoo==1 \\\n  --hash=sha256:abc\n"
    first = p(text, tmp_path).logical_lines
    assert first[0].kind is LineKind.INVALID  # no such folder: not installable, not a name
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "setup.py").write_text("")
    second = p(text, tmp_path).logical_lines
    assert second[0].kind is LineKind.REQUIREMENT
    assert second[0].requirement is not None and second[0].requirement.is_local_dir
    # lines that do not depend on the file system come back identical (and cheap)
    assert second[1] == first[1]


def test_line_cache_respects_environment() -> None:
    a = one("foo==1 \\\n --hash=sha256:${H}", environ={"H": "aa"})
    b = one("foo==1 \\\n --hash=sha256:${H}", environ={"H": "bb"})
    assert a.requirement is not None and b.requirement is not None
    assert a.requirement.hashes[0].value == "aa"
    assert b.requirement.hashes[0].value == "bb"
