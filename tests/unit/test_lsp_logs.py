"""The server's stderr: every line of a record in the form the VS Code extension files as the
server's own (a traceback's lines were shown again as errors)."""

from __future__ import annotations

import logging
import re
import sys

from pinwise.lsp.logs import StderrFormatter

RECORD_LINE = re.compile(r"^pinwise (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")  # logLines.ts


def test_every_line_of_a_traceback_carries_the_prefix() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("pinwise.lsp.x", logging.ERROR, __file__, 1, "failed", None, info)
    lines = StderrFormatter().format(record).split("\n")
    assert lines[0] == "pinwise ERROR pinwise.lsp.x: failed"
    assert len(lines) > 3 and all(RECORD_LINE.match(line) for line in lines), lines
    assert lines[-1].endswith("| second line")


def test_a_one_line_record_is_unchanged() -> None:
    record = logging.LogRecord("pygls.protocol", logging.WARNING, __file__, 1, "odd", None, None)
    assert StderrFormatter().format(record) == "pinwise WARNING pygls.protocol: odd"
