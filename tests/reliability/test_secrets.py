"""Secrets never reach an output: credentials written in URLs (`https://user:pass@host/...`,
index URLs, VCS URLs, includes) and the values of `${VAR}` expansions (set in the server's and
the CLI's environment) are redacted as pip redacts them (`****`) in diagnostics, hover,
completion, symbols, code actions, logs (`window/logMessage` and stderr), messages, status and
the CLI's text, json and github output. Every message the client receives and every stderr line
is collected and searched for each secret."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import SERVER_ENV, uri, write
from tests.reliability.conftest import RecordingClient, Start
from tests.reliability.support import command, expect, hover

pytestmark = pytest.mark.slow

TOKEN = "tok-9f8e7d6c5b4a"  # the value of ${PW_SECRET_TOKEN}
NAME_TOKEN = "tok-name-31337"  # the value of ${PW_SECRET_NAME} (a name made of a secret)
PASSWORDS = ["hunter2-idx", "hunter2-url", "hunter2-vcs", "hunter2-inc", "hunter2-bad", "hunter2-f"]
SECRETS = [TOKEN, NAME_TOKEN, *PASSWORDS]
ENV = {"PW_SECRET_TOKEN": TOKEN, "PW_SECRET_NAME": NAME_TOKEN}
TEXT = (
    "-i https://user:hunter2-idx@pypi.example/simple\n"
    "--extra-index-url https://${PW_SECRET_TOKEN}@private.example/simple\n"
    "--find-links https://ci:hunter2-f@files.example/wheels/\n"
    "private-pkg @ https://deploy:hunter2-url@git.example/private-pkg-1.0.tar.gz\n"
    "git+https://${PW_SECRET_TOKEN}@git.example/repo.git@main#egg=repo\n"
    "-e git+https://oauth2:hunter2-vcs@git.example/x.git#egg=x\n"
    "${PW_SECRET_NAME}==1.0\n"
    "tokpkg==${PW_SECRET_TOKEN}\n"
    "-r https://u:hunter2-inc@host.example/reqs.txt\n"
    "broken @ https://u:hunter2-bad@host.example/x.tar.gz ; bad marker\n"
    "other @ https://${PW_SECRET_TOKEN}:x@host.example/o.tar.gz ; os_name == 'nt'\n"
    "alpha==1.0\n"
)


def leaks(texts: list[str]) -> list[tuple[str, str]]:
    return [(secret, text) for text in texts for secret in SECRETS if secret in text]


async def everything(client: RecordingClient, req: Path) -> None:
    lines = TEXT.count("\n")
    for line in range(lines):
        for character in (0, 5, 20, 40):
            await hover(client, req, line, character)
            await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(req)),
                    position=types.Position(line=line, character=character),
                )
            )
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(req)),
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=line, character=80),
                ),
                context=types.CodeActionContext(diagnostics=list(client.diagnostics[uri(req)])),
            )
        )
        for action in actions or []:
            if isinstance(action, types.CodeAction) and action.data is not None:
                await client.code_action_resolve_async(action)
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri(req)))
    )
    for name in ("pinwise.status", "pinwise.pinAll", "pinwise.freeze", "pinwise.refresh"):
        await command(client, name, uri(req))
    # installMissing runs pip with the file's index options: pip's own output is logged in
    # full (it fails: nothing listens on those hosts, and PIP_RETRIES=0)
    await command(client, "pinwise.installMissing", uri(req))


async def test_no_secret_reaches_the_client_or_the_log(lsp: Start, project: Path) -> None:
    """Diagnostics, hover, completion, actions, symbols, status, logs, messages, stderr."""
    req = write(project / "requirements.txt", TEXT)
    client = await lsp(project, env=ENV)
    client.open(req)
    await expect(client, req, lambda d: any(x.code == "PW005" for x in d))
    await everything(client, req)
    await command(client, "pinwise.status", uri(req))
    received = list(client.received)
    assert client.received, "nothing recorded"
    found = leaks(received)
    assert not found, "\n".join(f"{s}: {_around(t, s)}" for s, t in found)
    assert not leaks(client.stderr_lines), leaks(client.stderr_lines)
    # the redacted forms are there: the findings still say which URL they are about
    assert any("****" in m for m in received)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_cli_output_has_no_secret(project: Path, fmt: str) -> None:
    """`pinwise check --format text|json|github` with the variables set."""
    req = write(project / "requirements.txt", TEXT)
    result = subprocess.run(
        [sys.executable, "-m", "pinwise", "check", str(req), "--format", fmt],
        cwd=project,
        env={**SERVER_ENV, **ENV, "XDG_CACHE_HOME": str(project.parent / "xdg")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "PW005" in result.stdout
    assert not leaks([result.stdout, result.stderr]), leaks([result.stdout, result.stderr])
    if fmt == "json":
        json.loads(result.stdout)


def _around(text: str, secret: str) -> str:
    at = text.find(secret)
    return text[max(0, at - 250) : at + 60]
