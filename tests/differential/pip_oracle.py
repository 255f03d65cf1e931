"""pip 26.3 as the oracle: what pip itself makes of a requirements file, line by line.

Imported only by the tests (pip's internals are never imported by Pinwise at run time). The
verdicts compare what matters to Pinwise: valid or not, and for a requirement its name,
specifier, extras, marker, URL, editable flag and constraint flag.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from typing import Any, Optional, Union

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import (
    SCHEME_RE,
    RequirementsFileParser,
    get_line_parser,
    handle_option_line,
    handle_requirement_line,
)
from pip._internal.req.req_install import check_invalid_constraint_type
from pip._internal.utils.urls import url_to_path
from pip._vendor.requests import Request

from pinwise.reqfile.model import LineKind, LogicalLine, RequirementsFile

Verdict = tuple[Any, ...]


@functools.lru_cache(maxsize=1)
def _session() -> PipSession:
    return PipSession()


def _spec(text: Optional[str]) -> Union[str, tuple[str, ...]]:
    if not text:
        return ""
    try:
        return tuple(sorted(str(s) for s in SpecifierSet(text)))
    except InvalidSpecifier:
        return f"<unparsable {text!r}>"


def req_verdict(  # noqa: PLR0917
    name: Optional[str],
    specifier: Optional[str],
    extras: Any,
    marker: Optional[str],
    url: Optional[str],
    editable: bool,
    constraint: bool,
) -> Verdict:
    return (
        "req",
        name,
        _spec(specifier),
        tuple(sorted({e.lower() for e in extras})),
        marker,
        url,
        editable,
        constraint,
    )


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pip_warnings(filename: str, constraint: bool = False) -> list[str]:
    """The warnings pip logs while reading `filename` (its lines, as pip_verdicts does)."""
    capture = _Capture()
    logger = logging.getLogger("pip._internal")
    logger.addHandler(capture)
    try:
        pip_verdicts(filename, constraint)
    finally:
        logger.removeHandler(capture)
    return capture.messages


def pip_verdicts(filename: str, constraint: bool = False) -> list[Verdict]:
    """pip's verdict for each logical line of `filename`, stopping at the first error."""
    out: list[Verdict] = []
    parser = RequirementsFileParser(_session(), get_line_parser(None))
    lines = parser._parse_file(filename, constraint)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            break
        except Exception as exc:
            out.append(("invalid", f"{type(exc).__name__}: {exc}"))
            return out
        try:
            if line.requirement is None:
                if not (line.opts.requirements or line.opts.constraints):
                    handle_option_line(line.opts, line.filename, line.lineno)
                if line.opts.requirements or line.opts.constraints:
                    if line.opts.requirements:
                        target, nested = line.opts.requirements[0], False
                    else:
                        target, nested = line.opts.constraints[0], True
                    if not SCHEME_RE.search(target):
                        target = os.path.abspath(os.path.join(os.path.dirname(filename), target))
                    elif target.lower().startswith("file:"):
                        # Pinwise reads file: includes locally, from where pip's session reads
                        target = url_to_path(_session().prepare_request(Request("GET", target)).url)
                    out.append(("include", nested, target))
                else:
                    out.append(("options",))
                continue
            parsed = handle_requirement_line(line)
            ireq = install_req_from_parsed_requirement(parsed)
            if ireq.constraint and not ireq.editable:
                problem = check_invalid_constraint_type(ireq)
                if problem:
                    raise ValueError(problem)
        except Exception as exc:
            out.append(("invalid", f"{type(exc).__name__}: {exc}"))
            return out
        out.append(
            req_verdict(
                ireq.req.name if ireq.req is not None else None,
                str(ireq.req.specifier) if ireq.req is not None else "",
                ireq.extras,
                str(ireq.markers) if ireq.markers is not None else None,
                ireq.link.url if ireq.link is not None else None,
                ireq.editable,
                ireq.constraint,
            )
        )
    return out


HIDDEN = "<hidden: the line has ${VAR} expansions>"


def pinwise_verdict(line: LogicalLine, constraint: bool) -> Verdict:
    if line.kind is LineKind.INVALID:
        assert line.error is not None
        # The parser's safety net must never be what answers.
        assert not line.error.message.startswith("Pinwise could not parse"), line
        return ("invalid", line.error.message)
    if line.kind is LineKind.OPTIONS:
        return ("options",)
    if line.kind in (LineKind.INCLUDE, LineKind.CONSTRAINT_INCLUDE):
        assert line.include is not None
        return ("include", line.include.constraint, line.include.resolved)
    req = line.requirement
    assert req is not None
    return req_verdict(
        req.name,
        req.specifier,
        req.extras,
        req.marker,
        HIDDEN if line.expanded else req.link,
        req.editable,
        constraint,
    )


def pinwise_verdicts(rf: RequirementsFile) -> list[Verdict]:
    out: list[Verdict] = []
    for line in rf.logical_lines:
        out.append(pinwise_verdict(line, rf.constraint))
        if line.kind is LineKind.INVALID:
            break
    return out


def same(a: list[Verdict], b: list[Verdict]) -> bool:
    """Equal verdicts, ignoring the wording of error messages."""
    if len(a) != len(b):
        return False
    return all(x[0] == y[0] == "invalid" or _same_verdict(x, y) for x, y in zip(a, b))


def _same_verdict(x: Verdict, y: Verdict) -> bool:
    if x[0] == y[0] == "req" and HIDDEN in (x[5], y[5]):
        # Pinwise never keeps a URL holding an expanded ${VAR}: compare the rest.
        return x[:5] + x[6:] == y[:5] + y[6:]
    return x == y


def environ_for_tests(base: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith("PW_")}
    env["PW_TEST_VER"] = "1.0"
    env["PW_TEST_NAME"] = "foo"
    return env


def pip_message(verdict: Verdict) -> Optional[str]:
    """pip's error message as Pinwise words it, or None where Pinwise words it differently.

    pip wraps option errors as `Invalid requirement: <line>\n<prog>: error: <message>` and
    appends `(from line N of <file>)` to requirement errors; Pinwise puts the message on the
    line itself. Egg-fragment errors are rich diagnostics in pip, and invalid stripped extras
    crash pip with a message about `placeholder[...]`: those are not compared.
    """
    text = str(verdict[1])
    if text.startswith("InvalidEggFragment") or "placeholder[" in text:
        return None
    text = text.split(": ", 1)[1] if ": " in text else text
    text = re.sub(r" \(from line \d+ of [^)]*\)", "", text)
    if ": error: " in text:
        return text.split(": error: ", 1)[1].rstrip("\n")
    if "\nCould not split options: " in text:
        return text.split("\n", 1)[1]
    return text
