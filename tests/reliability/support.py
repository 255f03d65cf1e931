"""Helpers for the reliability tests: processes seen through /proc, fault scripts, waiting."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from lsprotocol import types

from tests.e2e.conftest import PinwiseClient, uri


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line with spaces) for every live process."""
    found: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if fields[0] == b"Z":
                continue  # a zombie is gone (only its exit status is left)
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except (OSError, IndexError):
            continue
        found[int(entry)] = (int(fields[1]), cmdline)
    return found


def matching(marker: str) -> list[tuple[int, str]]:
    return [(pid, cmd) for pid, (_, cmd) in processes().items() if marker in cmd]


def descendants(root: int) -> list[tuple[int, str]]:
    table = processes()
    out: list[tuple[int, str]] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cmd) in table.items():
            if ppid == parent:
                out.append((pid, cmd))
                frontier.append(pid)
    return out


def script(path: Path, body: str, mode: int = 0o755) -> Path:
    """Replace whatever is at `path` (a venv's python symlink) by a shell script."""
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` (process tables have no notifications) until it holds or time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.1)


def is_executable(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


async def status(client: PinwiseClient, folder: Path) -> dict[str, object]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pinwise.status", arguments=[uri(folder)])
    )
    assert isinstance(result, dict), result
    return result


async def command(client: PinwiseClient, name: str, *args: object) -> dict[str, object]:
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(args))
        ),
        90,
    )
    assert isinstance(result, dict), result
    return result


async def hover(client: PinwiseClient, path: Path, line: int, character: int) -> Optional[str]:
    result = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(path)),
                position=types.Position(line=line, character=character),
            )
        ),
        30,
    )
    if result is None:
        return None
    contents = result.contents
    return contents.value if isinstance(contents, types.MarkupContent) else str(contents)


def message_texts(client: PinwiseClient) -> list[str]:
    return [m.message for m in client.messages]


async def expect(
    client: PinwiseClient, path: Path, predicate: Callable[[Sequence[types.Diagnostic]], bool]
) -> Sequence[types.Diagnostic]:
    """diagnostics_for, but a timeout says which diagnostics there were."""
    try:
        return await client.diagnostics_for(path, predicate)
    except TimeoutError:
        got = [
            (d.range.start.line, d.code, d.message) for d in client.diagnostics.get(uri(path), [])
        ]
        raise AssertionError(f"diagnostics of {path.name}: {got}") from None


def published_version(client: PinwiseClient, target: str) -> Optional[int]:
    """The `version` of the last publishDiagnostics received for `target`."""
    for raw in reversed(getattr(client, "received", [])):
        message = json.loads(raw)
        if message.get("method") != "textDocument/publishDiagnostics":
            continue
        if message["params"]["uri"] == target:
            version = message["params"].get("version")
            return int(version) if version is not None else None
    return None
