"""Diagnostics through a real client: open, change, close, includes, bursts, bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import Starter, codes, uri, write

pytestmark = pytest.mark.slow


async def test_open_publishes_diagnostics(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha\nbeta==2.0\ngamma==0.5\n")
    client = await start_server(project)
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: len(d) > 0)
    assert all(d.source == "pinwise" for d in diags)
    by_line = {(d.range.start.line, str(d.code)) for d in diags}
    assert (0, "PW001") in by_line  # alpha unpinned
    assert (1, "PW003") in by_line  # beta 1.0 installed, 2.0 required
    assert (2, "PW002") in by_line  # gamma not installed
    pw001 = next(d for d in diags if d.code == "PW001")
    assert pw001.range == types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=5)
    )
    assert pw001.severity == types.DiagnosticSeverity.Warning


async def test_change_and_close(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await start_server(project)
    client.open(req)
    assert not await client.diagnostics_for(req)
    client.replace_all(req, "alpha==1.0\nbeta==1.0\ngamma==0.5\n", 2)
    diags = await client.diagnostics_for(req, lambda d: len(d) == 1)
    assert codes(diags) == ["PW002"]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    assert not await client.diagnostics_for(req, lambda d: len(d) == 0)


async def test_utf16_columns(start_server: Starter, project: Path) -> None:
    # The engine counts code points; the client counts UTF-16 units: 😀 is one and two.
    req = write(project / "requirements.txt", "alpha==1.0\n-r 😀x.txt\n")
    client = await start_server(project)
    client.open(req)
    diags = await client.diagnostics_for(req, lambda d: len(d) > 0)
    (missing,) = [d for d in diags if d.code == "PW006"]
    assert missing.range.start == types.Position(line=1, character=3)
    assert missing.range.end == types.Position(line=1, character=10)


async def test_included_file_propagates(start_server: Starter, project: Path) -> None:
    base = write(project / "requirements" / "base.txt", "alpha==1.0\n")
    dev = write(project / "requirements" / "dev.txt", "-r base.txt\nbeta==1.0\n")
    client = await start_server(project)
    client.open(dev)
    client.open(base)
    assert not await client.diagnostics_for(dev)
    # Editing the included file (not saved) re-diagnoses the file that includes it, and what
    # that analysis finds across both files shows up too.
    client.replace_all(base, "alpha==1.0\nbeta==1.0\n", 2)
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: any("PW004" in codes(client.diagnostics.get(uri(p), [])) for p in (dev, base)),
    )
    client.replace_all(base, "alpha==1.0\n", 3)
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: all("PW004" not in codes(client.diagnostics.get(uri(p), [])) for p in (dev, base)),
    )


async def test_burst_publishes_only_final_version(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "")
    client = await start_server(project)
    client.open(req, "alpha==1.0\nbeta==1.0\n")
    await client.diagnostics_for(req)
    # Answered by the full server only: the burst is its to handle, not the start-up prelude's
    # (tests/e2e/test_lsp_prelude.py has a burst for the prelude).
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    published: list[types.PublishDiagnosticsParams] = []
    original = client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append(params)
        original(params)

    client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    for version in range(2, 1002):
        last = version == 1001
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(req), version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=0 if last else 1, character=0),
                            end=types.Position(line=0 if last else 1, character=0),
                        ),
                        text="gamma==0.5\n" if last else " ",
                    )
                ],
            )
        )
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, lambda: any(p.version == 1001 for p in published)
    )
    # The server still answers, and nothing older than the last version was published.
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    assert symbols is not None
    assert [p.version for p in published] == [1001]
    assert codes(published[-1].diagnostics) == ["PW002"]


async def test_binary_file_and_cycle(start_server: Starter, project: Path) -> None:
    binary = project / "requirements-bin.txt"
    binary.write_bytes(b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    a = write(project / "requirements-a.txt", "-r requirements-b.txt\nalpha==1.0\n")
    b = write(project / "requirements-b.txt", "-r requirements-a.txt\nbeta==1.0\n")
    client = await start_server(project)
    client.open(binary, binary.read_bytes().decode("latin-1"))
    client.open(a)
    client.open(b)
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: any("PW007" in codes(client.diagnostics.get(uri(p), [])) for p in (a, b)),
    )
    await client.diagnostics_for(binary)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(binary)),
            position=types.Position(line=0, character=1),
        )
    )
    assert hover is None or hover.contents is not None


async def test_missing_include_and_huge_file(start_server: Starter, project: Path) -> None:
    lines = [f"pkg{i}==1.{i}" for i in range(5000)] + ["-r nowhere.txt"]
    huge = write(project / "requirements.txt", "\n".join(lines) + "\n")
    client = await start_server(project)
    client.open(huge)
    diags = await client.diagnostics_for(huge, lambda d: len(d) > 0, timeout=30)
    assert "PW006" in codes(diags)
    assert sum(1 for d in diags if d.code == "PW002") == 5000


async def test_no_interleaving_versions(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "alpha==1.0\nbeta==1.0\n")
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req)
    base = "alpha==1.0\nbeta==1.0\n"
    for version, extra in enumerate(["gamma==0.5\n", "", "delta==3.1\n"], start=2):
        body = base + extra
        client.replace_all(req, body, version)
        await asyncio.sleep(0)  # let the message go out; no waiting on the server
    diags = await client.diagnostics_for(req, lambda d: len(d) == 1 and "delta" in d[0].message)
    assert codes(diags) == ["PW002"]


async def test_included_file_created_on_disk(start_server: Starter, project: Path) -> None:
    dev = write(
        project / "requirements-dev.txt", "-r requirements-base.txt\nalpha==1.0\nbeta==1.0\n"
    )
    client = await start_server(project)
    client.open(dev)
    diags = await client.diagnostics_for(dev, lambda d: len(d) > 0)
    assert codes(diags) == ["PW006"]
    base = write(project / "requirements-base.txt", "alpha==1.0\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(base), type=types.FileChangeType.Created)]
        )
    )
    # PW006 is gone; what remains is alpha required again after the included file (which pip
    # reads first, at line 1) requires it: the duplicate is dev's own line.
    (dup,) = await client.diagnostics_for(dev, lambda d: codes(d) == ["PW004"])
    assert dup.range.start.line == 1
    assert "first at requirements-base.txt line 1" in dup.message
    # The server asked to be told about such files (VS Code supports dynamic registration).
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)


async def test_untitled_buffer(start_server: Starter, project: Path) -> None:
    client = await start_server(project)
    untitled = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=untitled,
                language_id="pip-requirements",
                version=1,
                text="alpha==1.0\nbeta==1.0\ngamma==0.5\n",
            )
        )
    )
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: codes(client.diagnostics.get(untitled, [])) == ["PW002"],
    )
