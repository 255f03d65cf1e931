"""A finding's fixes are made when first read (`LazyFixes`): they behave as the tuple of the
same fixes, an analysis makes none of them, and they keep no version of the file alive."""

from __future__ import annotations

import gc
import operator
import weakref
from pathlib import Path

from tests.unit.test_analysis_rules import ROOT, dist, reqset, snapshot
from tests.unit.test_lsp_convert import _server

from pinwise.analysis import Settings, analyze
from pinwise.analysis.model import Fix, FixKind, LazyFixes
from pinwise.analysis.rules import clear_caches as clear_analysis_caches
from pinwise.lsp import diagnostics
from pinwise.lsp.compute import Inputs, compute
from pinwise.lsp.state import DocState
from pinwise.reqfile.parser import clear_caches as clear_parser_caches
from pinwise.spans import Position, Span, TextEdit

FIX_A = Fix(
    "Ignore PW001 on this line", FixKind.IGNORE, (TextEdit("f", Span.on_line(0, 1, 1), "x"),)
)
FIX_B = Fix("Pin to installed version (==1)", FixKind.PIN, (), is_preferred=True)

TEXT = "\n".join(
    [
        "alpha",  # PW001, with a pin fix
        "beta==1.0",  # PW003, with an update fix
        "missing==1.0",  # PW002
        "alpha>=1  # again",  # PW004 (not the same text: no removal) and PW001
        "alpha",  # PW004 with a removal, PW001
        "gamma==2.0 \\",  # a dangling continuation at the end of the file
    ]
)


def _analysis() -> list:  # type: ignore[type-arg]
    env = snapshot(dist("alpha", "1.5"), dist("beta", "2.0"), dist("gamma", "2.0"))
    return analyze(reqset({"requirements.txt": TEXT}), env, Settings())


def test_behaves_as_the_tuple_and_is_built_once() -> None:
    calls = []

    def build(a: Fix, b: Fix) -> tuple[Fix, ...]:
        calls.append(1)
        return (a, b)

    lazy = LazyFixes(build, FIX_A, FIX_B)
    assert not lazy.is_made
    assert lazy == (FIX_A, FIX_B)
    assert operator.eq((FIX_A, FIX_B), lazy)  # the tuple's side: reflected to LazyFixes
    assert lazy != (FIX_A,)
    assert lazy != [FIX_A, FIX_B]  # as a tuple is not equal to a list
    assert hash(lazy) == hash((FIX_A, FIX_B))
    assert repr(lazy) == repr((FIX_A, FIX_B))
    assert len(lazy) == 2 and lazy[1] is FIX_B and lazy[-1:] == (FIX_B,)
    assert list(lazy) == [FIX_A, FIX_B] and (FIX_B, *lazy) == (FIX_B, FIX_A, FIX_B)
    assert lazy == LazyFixes(lambda: (FIX_A, FIX_B))
    assert lazy.is_made and len(calls) == 1


def test_an_analysis_makes_no_fix_until_one_is_read() -> None:
    clear_analysis_caches()
    findings = _analysis()
    lazy = [f.fixes for f in findings if isinstance(f.fixes, LazyFixes)]
    assert {f.code for f in findings} >= {"PW001", "PW002", "PW003", "PW004"}
    assert len(lazy) >= 7 and not any(fixes.is_made for fixes in lazy)
    by_place = {(f.code, f.span.start.line): f for f in findings}
    # each rule's fixes, read now, are what it always offered
    titles = {key: [fix.title for fix in f.fixes] for key, f in by_place.items()}
    assert titles[("PW001", 0)] == ["Pin to installed version (==1.5)", "Ignore PW001 on this line"]
    assert titles[("PW003", 1)] == [
        "Update pin to installed version (==2.0)",
        "Ignore PW003 on this line",
    ]
    assert titles[("PW002", 2)] == ["Ignore PW002 on this line"]
    assert titles[("PW004", 3)] == ["Ignore PW004 on this line"]
    assert titles[("PW004", 4)] == ["Remove duplicate requirement", "Ignore PW004 on this line"]
    remove = by_place[("PW004", 4)].fixes[0].edits[0]
    assert remove.span == Span(Position(4, 0), Position(5, 0)) and remove.new_text == ""
    ignore = by_place[("PW004", 3)].fixes[0].edits[0]
    assert ignore.span == Span.on_line(3, 17, 17)
    assert ignore.new_text == "  # pinwise: ignore[PW004]"


def test_fixes_keep_no_version_of_the_file_alive() -> None:
    """A finding the memo keeps lives across many versions of its file: its unmade fixes must
    not hold the whole file of the version it was found in."""
    clear_analysis_caches()
    clear_parser_caches()
    env = snapshot(dist("alpha", "1.5"), dist("beta", "2.0"), dist("gamma", "2.0"))
    loaded = reqset({"requirements.txt": TEXT})
    file = weakref.ref(loaded.files[f"{ROOT}/requirements.txt"])
    findings = analyze(loaded, env, Settings())
    fixes = [f.fixes for f in findings]
    assert not any(isinstance(f, LazyFixes) and f.is_made for f in fixes)
    del loaded
    clear_analysis_caches()
    clear_parser_caches()
    gc.collect()
    assert file() is None
    # and made afterwards they are the same as a fresh analysis' (made at once)
    fresh = _analysis()
    assert [tuple(f.fixes) for f in findings] == [tuple(f.fixes) for f in fresh]


def test_the_language_server_publishes_without_making_fixes(tmp_path: Path) -> None:
    """Analysing, converting and publishing a document reads no fix: a change that compared or
    hashed findings on that path would make every fix again on every keystroke."""
    path = str(tmp_path / "requirements.txt")
    ls = _server()
    ls.open_paths = {path: "file:///x/requirements.txt"}
    doc = DocState(uri="file:///x/requirements.txt", path=path)
    ls.docs[doc.uri] = doc
    env = snapshot(dist("alpha", "1.5"), dist("beta", "2.0"), dist("gamma", "2.0"))
    inputs = Inputs(
        path=path,
        version=1,
        generation=0,
        cwd=str(tmp_path),
        snapshot=env,
        settings=Settings(),
        buffers={path: TEXT},
    )
    result = compute(inputs)
    diagnostics._apply(ls, doc, result)
    diagnostics.compose(ls, doc)
    assert diagnostics._write_serialised(ls, doc, {"uri": doc.uri, "version": 1})
    sent = ls.protocol.writer.getvalue()
    assert b"is required more than once" in sent and b"is not installed" in sent
    lazy = [f.fixes for f in doc.findings if isinstance(f.fixes, LazyFixes)]
    assert len(lazy) >= 7 and not any(fixes.is_made for fixes in lazy)
