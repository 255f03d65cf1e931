"""The temporary requirements file installMissing hands pip, read back by pip 26.3's own
parser: options and paths with spaces, `${VAR}` left for pip to expand."""

from __future__ import annotations

from pathlib import Path

import pytest
from pip._internal.network.session import PipSession
from pip._internal.req.req_file import parse_requirements

from pinwise.lsp.commands import option_lines, requirements_file_text


def test_pip_reads_back_what_was_meant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINWISE_TEST_LINKS", str(tmp_path / "links dir"))
    text = option_lines([["--find-links", "${PINWISE_TEST_LINKS}"]]) + requirements_file_text(
        [
            (["-e", "/srv/my project/lib"], ()),
            (["/srv/my project/dist/pkg-1.0.tar.gz"], ()),
            (["gamma==0.5"], ("sha256:" + "a" * 64,)),
        ]
    )
    listing = tmp_path / "missing-requirements.txt"
    listing.write_text(text)
    parsed = list(parse_requirements(str(listing), session=PipSession()))
    assert [(p.requirement, p.is_editable) for p in parsed] == [
        ("/srv/my project/lib", True),
        ("/srv/my project/dist/pkg-1.0.tar.gz", False),
        ("gamma==0.5", False),
    ]
    assert parsed[2].options == {"hashes": {"sha256": ["a" * 64]}}
    assert "${PINWISE_TEST_LINKS}" in text  # expanded by pip, never written out
