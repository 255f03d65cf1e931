"""LSP's JSON-RPC framing for the raw clients of the tests and the benchmark (Content-Length
frames as bytes, so nothing in between normalises what the server wrote)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional


def frame(message: dict[str, Any]) -> bytes:
    """One message as a frame (`jsonrpc` is added when missing)."""
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def messages(data: bytes) -> list[dict[str, Any]]:
    """The messages of a run of whole Content-Length frames."""
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.partition(b":")[2])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        found.append(json.loads(rest[:length]))
        data = rest[length:]
    return found


async def read_body(stream: asyncio.StreamReader) -> Optional[bytes]:
    """The body of the next frame, None at the end of the stream."""
    length = 0
    while True:
        line = await stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return await stream.readexactly(length)
