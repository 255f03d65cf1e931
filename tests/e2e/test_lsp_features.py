"""Hover, completion, document links, go-to-definition and document symbols."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import PinwiseClient, Starter, apply_text_edits, codes, uri, write
from tests.support.builders import (
    make_project,
    pip_install_projects,
    site_packages,
    write_dist_info,
)

pytestmark = pytest.mark.slow


def doc_id(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri(path))


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def hover_text(client: PinwiseClient, path: Path, line: int, character: int) -> str:
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(path), position=pos(line, character))
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def complete(
    client: PinwiseClient, path: Path, line: int, character: int
) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(path), position=pos(line, character))
    )
    assert isinstance(result, types.CompletionList)
    return list(result.items)


async def test_hover_and_actions_right_after_an_edit_see_the_new_text(
    start_server: Starter, project: Path
) -> None:
    # a long debounce: the requests come before the edit's own analysis would
    req = write(project / "requirements.txt", "alpha==1.0\n")
    client = await start_server(project, init_options={"settings": {"debounceMs": 5000}})
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW001" not in codes(d))
    client.replace_all(req, "alpha==1.0\nbeta\n", version=2)
    beta = await hover_text(client, req, 1, 1)
    assert "**beta** 1.0" in beta
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(req)),
            range=types.Range(
                start=types.Position(line=1, character=0), end=types.Position(line=1, character=4)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction)]
    assert "Pin to installed version (==1.0)" in titles
    # the request's analysis was published for version 2, before the debounce ran out
    diags = await client.diagnostics_for(req, lambda d: "PW001" in codes(d), timeout=3)
    assert [d.range.start.line for d in diags if d.code == "PW001"] == [1]


async def test_hover(start_server: Starter, project: Path) -> None:
    constraints = write(project / "constraints.txt", "beta==1.0\n")
    text = f"-c {constraints.name}\nalpha>=2\nbeta\ngamma==0.5\ndelta==3.1 ; python_version < '3'\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: len(d) > 0)

    alpha = await hover_text(client, req, 1, 2)
    assert "**alpha** 1.0" in alpha
    assert "does not satisfy** `>=2`" in alpha
    assert "License: MIT" in alpha and "https://example.invalid/alpha" in alpha
    assert "The first letter" in alpha
    assert "Required by: `beta`" in alpha
    assert str(project / ".venv") in alpha  # where it is installed

    beta = await hover_text(client, req, 2, 1)
    assert "**beta** 1.0" in beta
    assert "Requires: `alpha>=1`" in beta
    assert "constraints.txt:1" in beta  # where its pin comes from

    gamma = await hover_text(client, req, 3, 1)
    assert "not installed in `.venv`" in gamma

    delta = await hover_text(client, req, 4, 1)
    assert "false on Python" in delta

    include = await hover_text(client, req, 0, 5)
    assert str(constraints) in include


async def test_completion(start_server: Starter, project: Path) -> None:
    write(project / "requirements" / "base.txt", "alpha==1.0\n")
    req = write(project / "requirements.txt", "")
    client = await start_server(project)
    text = "al\nalpha=\n--no\n-r requirements/\nzzz==1\n"
    client.open(req, text)
    await client.diagnostics_for(req)

    names = await complete(client, req, 0, 2)
    labels = [item.label for item in names]
    assert "alpha" in labels and "beta" in labels
    assert "zzz" in labels  # declared in the file, not installed
    alpha = next(item for item in names if item.label == "alpha")
    assert alpha.detail == "1.0 installed"
    assert alpha.text_edit is not None
    assert apply_text_edits(text, [alpha.text_edit]).splitlines()[0] == "alpha"

    (pin,) = await complete(client, req, 1, 6)
    assert pin.label == "==1.0"
    assert pin.text_edit is not None
    assert apply_text_edits(text, [pin.text_edit]).splitlines()[1] == "alpha==1.0"

    options = [item.label for item in await complete(client, req, 2, 4)]
    assert "--no-index" in options and "--no-binary" in options and "--pre" not in options

    paths = await complete(client, req, 3, 16)
    assert [item.label for item in paths] == ["base.txt"]
    assert paths[0].text_edit is not None
    assert (
        apply_text_edits(text, [paths[0].text_edit]).splitlines()[3] == "-r requirements/base.txt"
    )

    # an absolute path: its folder's entries, the root's when only the first slash is typed
    top = project.parts[1]  # `tmp` for /tmp/pytest-of-root/...
    more = f"-r {project}/requirements/\n-r /{top[:2]}\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(req), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + more)],
        )
    )
    line = len(text.splitlines())
    paths = await complete(client, req, line, len(more.splitlines()[0]))
    assert [item.label for item in paths] == ["base.txt"]
    assert paths[0].text_edit is not None
    edited = apply_text_edits(text + more, [paths[0].text_edit]).splitlines()[line]
    assert edited == f"-r {project}/requirements/base.txt"
    roots = await complete(client, req, line + 1, 4 + len(top[:2]))
    labels = [item.label for item in roots]
    assert f"{top}/" in labels, labels
    chosen = next(item for item in roots if item.label == f"{top}/")
    assert chosen.text_edit is not None
    edited = apply_text_edits(text + more, [chosen.text_edit]).splitlines()[line + 1]
    assert edited == f"-r /{top}/"


async def test_links_definition_symbols(start_server: Starter, project: Path) -> None:
    base = write(project / "requirements" / "base.txt", "alpha==1.0\n")
    write(project / "src" / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\nversion = '1'\n")
    text = "-r requirements/base.txt\n-e ./src/pkg\nbeta[x]==1.0 ; python_version > '3'\n"
    req = write(project / "requirements.txt", text)
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: len(d) > 0)

    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc_id(req))
    )
    assert links is not None and len(links) == 1
    assert links[0].target == uri(base)
    assert links[0].range == types.Range(start=pos(0, 3), end=pos(0, 24))

    definition = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(req), position=pos(0, 10))
    )
    assert isinstance(definition, list) and definition[0].uri == uri(base)

    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(req))
    )
    assert symbols is not None
    assert [(s.name, s.kind) for s in symbols if isinstance(s, types.DocumentSymbol)] == [
        ("-r requirements/base.txt", types.SymbolKind.File),
        ("./src/pkg", types.SymbolKind.Package),
        ("beta", types.SymbolKind.Package),
    ]


async def test_hover_on_unnamed_requirements_and_wildcards(
    start_server: Starter, project: Path
) -> None:
    lib = make_project(project / "src" / "mylib", "mylib", "0.3")
    pip_install_projects(project / ".venv" / "bin" / "python", [lib], editable=True)
    req = write(project / "requirements.txt", "-e ./src/mylib\nalpha==1.*\nbeta==1.0\n")
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW001" in codes(d))
    editable = await hover_text(client, req, 0, 5)
    assert "**mylib** 0.3 (editable): installed in `.venv`" in editable, editable
    # PW001 says `==1.*` pins nothing; the hover agrees
    wildcard = await hover_text(client, req, 1, 1)
    assert "Pinned here" not in wildcard, wildcard
    assert "Pinned here (`==1.0`)" in await hover_text(client, req, 2, 1)


async def test_completion_where_pip_reads_it(start_server: Starter, project: Path) -> None:
    write_dist_info(site_packages(project / ".venv" / "bin" / "python"), "oddver", "1.0.custom")
    write(project / "requirements" / "base.txt", "alpha==1.0\n")
    req = write(project / "requirements.txt", "")
    client = await start_server(project)
    text = "oddver=\n-r=req\nalpha==1.0 --h\n--h\n-r \\\n  requirements/\n--no-r\n"
    client.open(req, text)
    await client.diagnostics_for(req)
    # a version that is not PEP 440's is pinned as pip freeze pins it, with ===
    (pin,) = await complete(client, req, 0, 7)
    assert pin.text_edit is not None
    assert apply_text_edits(text, [pin.text_edit]).splitlines()[0] == "oddver===1.0.custom"
    # `-r=FILE` is the file `=FILE` for pip: no path offered
    after_equals = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(req), position=pos(1, 6))
    )
    assert after_equals is None or not after_equals.items
    # a requirement's own options after it; never at the start of a line
    assert [i.label for i in await complete(client, req, 2, 14)] == ["--hash"]
    assert [i.label for i in await complete(client, req, 3, 3)] == []
    # a continued include: pip joins the rows
    (base,) = await complete(client, req, 5, 15)
    assert base.text_edit is not None
    assert apply_text_edits(text, [base.text_edit]).splitlines()[5] == "  requirements/base.txt"
    assert [i.label for i in await complete(client, req, 6, 6)] == ["--no-require-hashes"]
    # the empty line after the last line break
    names = [i.label for i in await complete(client, req, 7, 0)]
    assert "alpha" in names and "oddver" in names


async def test_untitled_buffer_reads_includes_from_the_folder(
    start_server: Starter, project: Path
) -> None:
    write(project / "base.txt", "alpha==1.0\n")
    client = await start_server(project)
    untitled = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=untitled, language_id="pip-requirements", version=1, text="-r base.txt\nbeta\n"
            )
        )
    )
    await client.wait_until(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: codes(client.diagnostics.get(untitled, [])) == ["PW001"],
    )
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=untitled))
    )
    assert [link.target for link in links or []] == [uri(project / "base.txt")]


async def test_no_link_to_a_folder(start_server: Starter, project: Path) -> None:
    write(project / "requirements" / "base.txt", "alpha==1.0\n")
    req = write(project / "requirements.txt", "-r requirements\n-r requirements/base.txt\n")
    client = await start_server(project)
    client.open(req)
    await client.diagnostics_for(req, lambda d: "PW006" in codes(d))  # pip cannot read a folder
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc_id(req))
    )
    assert [link.target for link in links or []] == [uri(project / "requirements" / "base.txt")]
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(req), position=pos(0, 5))
    )
    assert not found


async def test_no_completion_in_comments(start_server: Starter, project: Path) -> None:
    req = write(project / "requirements.txt", "")
    client = await start_server(project)
    # a comment after a requirement; a comment line; a comment continued (pip joins `be` to
    # it, so it is part of the comment); a line with no newline after it
    text = "alpha==1.0  # install with pip -\n# see pip -\nalpha==1.0 # note \\\nbe\nal"
    client.open(req, text)
    await client.diagnostics_for(req)
    for line, character in ((0, 32), (1, 11), (3, 2)):
        found = await client.text_document_completion_async(
            types.CompletionParams(text_document=doc_id(req), position=pos(line, character))
        )
        assert found is None or not found.items, (line, found)
    past_the_end = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(req), position=pos(5, 0))
    )
    assert past_the_end is None
    assert "alpha" in [i.label for i in await complete(client, req, 4, 2)]
