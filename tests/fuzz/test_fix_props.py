"""Properties of the edits the engine produces, on generated files and environments.

For every finding's fix (pin, update pin, remove duplicate, ignore), for "pin all" (every PW001
pin at once, as the server applies it), for the freeze merge, and for PW015's "Add <dist> to
<file>": the edited text re-parses without a new invalid line (PW005), only the lines the edit
is about change, and a CRLF file stays CRLF.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinwise.analysis import Settings, analyze
from pinwise.analysis.imports_rules import add_requirement_fix
from pinwise.analysis.model import FixKind
from pinwise.freeze import merge
from pinwise.reqfile import load_set, parse
from pinwise.spans import TextEdit
from tests.fuzz.engine import ROOT, apply, dist, invalid_lines, snapshot, touched_lines_only
from tests.fuzz.figures import FUZZ, counted, run_property
from tests.fuzz.strategies import NAMES, uniform_files

pytestmark = pytest.mark.fuzz_property
PATH = f"{ROOT}/requirements.txt"
VERSIONS = ["1.0", "2.0", "1.5", "0.9-snapshot", "1.0+local", "2!1.0", "3.0rc1"]
OTHER = {f"{ROOT}/other.txt": "alpha==1.0\n", f"{ROOT}/constraints.txt": "gamma.three==1.0\n"}

environments = st.lists(
    st.tuples(
        st.sampled_from([*NAMES, "extra-dist", "pip", "setuptools"]), st.sampled_from(VERSIONS)
    ),
    max_size=8,
).map(lambda pairs: snapshot(dist(n, v) for n, v in pairs))


def check_edit(text: str, edits: list[TextEdit], what: str) -> str:
    for edit in edits:
        assert edit.path == PATH, f"{what}: edits another file {edit.path}"
    after = apply(text, edits)
    before_invalid = invalid_lines(text, PATH)
    after_invalid = invalid_lines(after, PATH)
    new = [line for line in after_invalid if line not in before_invalid]
    assert not new, f"{what} made invalid lines {new}\n{text!r}\n->\n{after!r}"
    touched_lines_only(text, after, edits)
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        assert "\n" not in after.replace("\r\n", ""), f"{what} broke CRLF: {after!r}"
    return after


def reqset_of(text: str):  # type: ignore[no-untyped-def]
    texts = {PATH: text, **OTHER}

    def reader(path: str) -> str:
        if path not in texts:
            raise FileNotFoundError(2, "No such file or directory", path)
        return texts[path]

    return load_set([PATH], reader=reader, environ={}, cwd=ROOT)


@FUZZ
@given(text=uniform_files, env=environments)
@counted("fixes: re-parse without new PW005, touch only their lines, keep CRLF")
def _fix_props(text: str, env) -> None:  # type: ignore[no-untyped-def]
    reqset = reqset_of(text)
    findings = analyze(reqset, env, Settings())
    pins: list[TextEdit] = []
    for finding in findings:
        for fix in finding.fixes:
            edits = [e for e in fix.edits if e.path == PATH]
            if len(edits) != len(fix.edits):
                continue  # a fix for an included file: checked through that file's own run
            check_edit(text, edits, f"{finding.code} {fix.title!r}")
            if finding.code == "PW001" and fix.kind is FixKind.PIN:
                pins.extend(edits)
                break
    if pins:  # pin all: every PW001 pin at once
        after = check_edit(text, pins, "pin all")
        still = [f for f in analyze(reqset_of(after), env, Settings()) if f.code == "PW001"]
        assert len(still) <= len([f for f in findings if f.code == "PW001"]) - len(pins)


def test_fix_properties() -> None:
    run_property("fixes: re-parse without new PW005, touch only their lines, keep CRLF", _fix_props)


@FUZZ
@given(text=uniform_files, env=environments)
@counted("freeze merge: re-parses without new PW005, pins what is installed")
def _merge_props(text: str, env) -> None:  # type: ignore[no-untyped-def]
    reqset = reqset_of(text)
    rf = reqset.files[PATH]
    result = merge(rf, env, reqset)
    if result.refused:
        return
    after = check_edit(text, list(result.edits), "freeze merge")
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        assert "\n" not in after.replace("\r\n", "")
    again = merge(reqset_of(after).files[PATH], env, reqset_of(after))
    assert again.refused or not again.added, f"merge is not idempotent: {again}"


def test_merge_properties() -> None:
    run_property("freeze merge: re-parses without new PW005, pins what is installed", _merge_props)


@FUZZ
@given(
    text=uniform_files,
    name=st.sampled_from([*NAMES, "New_Dist"]),
    version=st.sampled_from(VERSIONS),
)
@counted("PW015 add-requirement: one new line, nothing else changes")
def _add_props(text: str, name: str, version: str) -> None:
    reqset = reqset_of(text)
    fix, why = add_requirement_fix(reqset.files[PATH], name, version, reqset)
    if fix is None:
        assert why
        return
    after = check_edit(text, list(fix.edits), fix.title)
    added = [ll for ll in parse(after, PATH).logical_lines if ll.requirement is not None]
    before = [ll for ll in parse(text, PATH).logical_lines if ll.requirement is not None]
    assert len(added) == len(before) + 1, f"{fix.title}: {text!r} -> {after!r}"


def test_add_requirement_properties() -> None:
    run_property("PW015 add-requirement: one new line, nothing else changes", _add_props)
