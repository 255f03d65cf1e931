"""Logging: stderr always, and `window/logMessage` once the client is connected."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING, Optional

from lsprotocol import types

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

LEVELS = {
    logging.CRITICAL: types.MessageType.Error,
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
    logging.DEBUG: types.MessageType.Log,
}


# Values of ${VAR} expansions that were handed to a process (pip): pip echoes them in its
# output, which is logged; they are masked wherever they appear in a log line.
SECRET_VALUES: set[str] = set()


def scrub(text: str) -> str:
    """`text` with URL credentials redacted as pip does, and expanded values masked."""
    from pinwise.analysis.text import redact

    for value in SECRET_VALUES:
        if value in text:
            text = text.replace(value, "****")
    return redact(text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class StderrFormatter(RedactingFormatter):
    """`pinwise LEVEL logger: message` on every line of a record, a traceback's too: the VS Code
    extension files the lines with that prefix as the server's own records (they reach it as
    `window/logMessage` too) and anything else on stderr as an error, which showed each line
    of a logged traceback a second time, as an error."""

    def __init__(self) -> None:
        super().__init__(STDERR_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        first, *rest = super().format(record).split("\n")
        if not rest:
            return first
        prefix = f"pinwise {record.levelname} {record.name}: | "
        return "\n".join([first, *(prefix + line for line in rest)])


STDERR_FORMAT = "pinwise %(levelname)s %(name)s: %(message)s"


class ClientLogHandler(logging.Handler):
    """Forwards `pinwise.*` records to the client as `window/logMessage`."""

    def __init__(self, server: PinwiseServer) -> None:
        super().__init__(logging.DEBUG)
        self.server = server
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.thread: Optional[int] = None
        self.setFormatter(RedactingFormatter("%(message)s"))

    def attach(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if self.loop is None or self.loop.is_closed():
            return
        try:
            message = self.format(record)
            params = types.LogMessageParams(
                type=LEVELS.get(record.levelno, types.MessageType.Log), message=message
            )
            if threading.get_ident() == self.thread:
                self.server.window_log_message(params)
            else:
                self.loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:  # never let logging break a feature
            self.handleError(record)


def setup_logging(server: PinwiseServer) -> ClientLogHandler:
    root = logging.getLogger("pinwise")
    root.setLevel(logging.DEBUG)
    pygls = logging.getLogger("pygls")
    for logger_ in (root, pygls):  # (pygls' own warnings: in the same form, not bare lines)
        if not any(getattr(h, "_pinwise_stderr", False) for h in logger_.handlers):
            stderr = logging.StreamHandler(sys.stderr)
            stderr.setLevel(logging.INFO)
            stderr.setFormatter(StderrFormatter())
            stderr._pinwise_stderr = True  # type: ignore[attr-defined]
            logger_.addHandler(stderr)
    pygls.propagate = False
    for handler in list(root.handlers):
        if isinstance(handler, ClientLogHandler):
            root.removeHandler(handler)
    client = ClientLogHandler(server)
    client.setLevel(logging.INFO)
    root.addHandler(client)
    root.propagate = False
    logging.getLogger("pygls").setLevel(logging.WARNING)
    return client
