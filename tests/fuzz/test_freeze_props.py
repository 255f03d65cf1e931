"""Freeze output re-parses to the same pins: what `freeze` prints for an environment, read back
by the parser, names every distribution it printed with the same version (or URL), and no line
of it is invalid. Generated environments (names, PEP 440 and legacy versions, direct URLs), and
the suite's real environments (every `pip freeze` line form)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pinwise.environment import inspect
from pinwise.environment.model import DirectUrl, Distribution
from pinwise.freeze import freeze
from pinwise.freeze.render import dev_packages
from pinwise.reqfile import parse
from pinwise.reqfile.model import LineKind
from tests.conftest import FreezeEnv
from tests.fuzz.engine import ROOT, SITE, snapshot
from tests.fuzz.figures import FUZZ, counted, run_property

names = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?", fullmatch=True)
pep440 = st.builds(
    lambda epoch, rel, pre, post, dev, local: (
        (f"{epoch}!" if epoch else "")
        + ".".join(map(str, rel))
        + pre
        + (f".post{post}" if post is not None else "")
        + (f".dev{dev}" if dev is not None else "")
        + local
    ),
    st.integers(0, 2),
    st.lists(st.integers(0, 30), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b2", "rc3", "rc"]),
    st.none() | st.integers(0, 3),
    st.none() | st.integers(0, 3),
    st.sampled_from(["", "+local", "+cpu.1"]),
)
legacy = st.sampled_from(["0.9-snapshot", "2013b", "1.0-beta-2", "dev", "1.0_final"])
direct = st.none() | st.sampled_from(
    [
        DirectUrl(
            url="https://example.invalid/p-1.0.tar.gz", archive_hashes=(("sha256", "a" * 64),)
        ),
        DirectUrl(url="git+https://example.invalid/r.git", vcs="git", commit_id="c" * 40),
        DirectUrl(url="file:///opt/wheels/p-1.0-py3-none-any.whl"),
    ]
)
distributions = st.lists(
    st.builds(
        lambda n, v, d: Distribution(
            name=n,
            normalized_name=canonicalize_name(n),
            version=v,
            location=SITE,
            # as installers name the folder (wheel spec: `-` escaped in name and version)
            metadata_path=f"{SITE}/{re.sub('[-_.]+', '_', n)}-{v.replace('-', '_')}.dist-info",
            direct_url=d,
        ),
        names,
        pep440 | legacy,
        direct,
    ),
    max_size=10,
    unique_by=lambda d: d.normalized_name,
)


def pins_of(text: str) -> dict[str, tuple[str, str]]:
    rf = parse(text, f"{ROOT}/frozen.txt", environ={}, cwd=ROOT)
    bad = [ll.raw_text for ll in rf.logical_lines if ll.kind is LineKind.INVALID]
    assert not bad, f"freeze printed lines the parser refuses: {bad}"
    out: dict[str, tuple[str, str]] = {}
    for ll in rf.logical_lines:
        req = ll.requirement
        if req is None or req.normalized_name is None:
            continue
        assert req.normalized_name not in out, f"{req.name} printed twice"
        out[req.normalized_name] = (req.specifier, req.url or "")
    return out


def check_same_pins(dists: list[Distribution], text: str) -> None:
    pins = pins_of(text)
    shown = [d for d in dists if d.normalized_name not in dev_packages("3.11.7")]
    assert set(pins) == {canonicalize_name(d.name) for d in shown}, text
    for d in shown:
        spec, url = pins[canonicalize_name(d.name)]
        if d.direct_url is not None and not d.editable:
            assert url, f"{d.name}: the direct URL was lost: {text}"
            continue
        if d.editable:
            continue
        try:
            version = Version(d.version)
            assert spec.startswith("==") and Version(spec[2:]) == version, (d, spec)
        except InvalidVersion:
            assert spec == f"==={d.version}", (d, spec)


@FUZZ
@given(dists=distributions)
@counted("freeze output re-parses to the same pins")
def _freeze_props(dists: list[Distribution]) -> None:
    env = snapshot(dists)
    output = freeze(env, cwd=ROOT)
    check_same_pins(list(env.distributions), output.text)


@pytest.mark.fuzz_property
def test_freeze_reparses_to_same_pins() -> None:
    run_property("freeze output re-parses to the same pins", _freeze_props)


@pytest.mark.slow
def test_real_environments_freeze_reparses(demo_env: Path, freeze_env: FreezeEnv) -> None:
    for python in (demo_env, freeze_env.python):
        env = inspect(str(python))
        output = freeze(env)
        pins = pins_of(output.text)
        rf = parse(output.text, f"{ROOT}/frozen.txt", environ={}, cwd=ROOT)
        unnamed = [
            ll.requirement.url or ""
            for ll in rf.logical_lines
            if ll.requirement is not None and ll.requirement.name is None
        ]
        for d in env.distributions:
            if d.normalized_name in dev_packages(env.interpreter.python_version):
                continue
            if d.normalized_name in pins:
                continue
            # an editable pip cannot name from VCS prints as `-e <its folder>`
            assert d.editable and any((d.editable_location or "\0") in url for url in unnamed), (
                d.name
            )
