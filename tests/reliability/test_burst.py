"""1,000 edits in a burst (one keystroke each, incremental changes, no waiting): the server
keeps up, publishes for the final version only what that text deserves, and answers at once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest
from lsprotocol import types

from tests.e2e.conftest import codes, uri, write
from tests.reliability.conftest import Start
from tests.reliability.support import expect, hover, published_version, status

pytestmark = pytest.mark.slow
EDITS = 1000


async def test_thousand_edits_in_a_burst(
    lsp: Start, project: Path, record_property: Callable[[str, object], None]
) -> None:
    """Type 1,000 characters one change at a time (a comment that grows, then a requirement
    that is missing): the final diagnostics are exactly the final text's."""
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await lsp(project)
    client.open(req)
    await expect(client, req, lambda d: not d)
    published_before = len([m for m in client.received if "publishDiagnostics" in m])
    text = "alpha==1.0\nbeta==1.0\n"
    typed = ("# " + "x" * (EDITS - 18) + "\nmissing-lib==1\n")[:EDITS]
    assert len(typed) == EDITS
    line, character = 2, 0
    started = time.perf_counter()
    for index, char in enumerate(typed):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri(req), version=index + 2
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=character),
                            end=types.Position(line=line, character=character),
                        ),
                        text=char,
                    )
                ],
            )
        )
        text += char
        if char == "\n":
            line, character = line + 1, 0
        else:
            character += 1
    sent = time.perf_counter() - started
    final_version = EDITS + 1
    diags = await expect(
        client,
        req,
        lambda d: codes(d) == ["PW002"] and published_version(client, uri(req)) == final_version,
    )
    assert diags[0].range.start.line == 3
    answered = time.perf_counter()
    assert await hover(client, req, 3, 2) is not None
    assert (await status(client, project))["counts"] == {"PW002": 1}
    hover_ms = (time.perf_counter() - answered) * 1000
    publishes = len([m for m in client.received if "publishDiagnostics" in m]) - published_before
    assert publishes < EDITS / 10, f"{publishes} publications for {EDITS} edits"
    record_property("edits", EDITS)
    record_property("send_seconds", round(sent, 3))
    record_property("publications", publishes)
    record_property("hover_ms_after_burst", round(hover_ms, 1))
    print(
        f"\n{EDITS} edits sent in {sent:.2f} s, {publishes} publications, hover {hover_ms:.0f} ms"
    )
