"""Decoding a requirements file's bytes exactly as pip 26.3 does (pip-reference A1)."""

from __future__ import annotations

import codecs
import locale
import re
import sys
from typing import NamedTuple, Optional

# Order matters: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

_PEP263_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")


class Decoded(NamedTuple):
    text: str
    encoding: str  # the codec used
    bom: bytes  # the byte-order mark removed, b'' when none
    warning: Optional[str]  # set when pip would warn (or fail) about the encoding
    fails: bool = False  # pip would fail to read the file (`warning` says why)


def _locale_encoding() -> str:
    try:
        return locale.getpreferredencoding(False) or sys.getdefaultencoding()
    except Exception:  # pragma: no cover - exotic platforms
        return sys.getdefaultencoding()


def _lenient(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def decode(data: bytes) -> Decoded:
    """Decode like pip: BOM, PEP 263 cookie on line 1-2, strict UTF-8, then the locale.

    Never raises: where pip would crash (a cookie naming an unknown codec, bytes the locale
    cannot decode) the text is decoded with replacement characters and `warning` says why.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return Decoded(body.decode(encoding), encoding, bom, None)
            except UnicodeDecodeError as exc:
                return Decoded(
                    _lenient(body, encoding),
                    encoding,
                    bom,
                    f"the file starts with a {encoding} byte-order mark but is not valid "
                    f"{encoding} ({exc.reason} at byte {exc.start + len(bom)}); pip would fail "
                    "to read it",
                    fails=True,
                )

    for line in data.split(b"\n")[:2]:
        if line[0:1] == b"#":
            match = _PEP263_RE.search(line)
            if match is not None:
                encoding = match.group(1).decode("ascii")
                try:
                    return Decoded(data.decode(encoding), encoding, b"", None)
                except LookupError:
                    return Decoded(
                        _lenient(data, "utf-8"),
                        "utf-8",
                        b"",
                        f"unknown encoding {encoding!r} in the coding declaration; pip would "
                        "fail to read this file",
                        fails=True,
                    )
                except UnicodeDecodeError as exc:
                    return Decoded(
                        _lenient(data, encoding),
                        encoding,
                        b"",
                        f"the file declares the encoding {encoding} but is not valid "
                        f"{encoding} ({exc.reason} at byte {exc.start}); pip would fail to "
                        "read it",
                        fails=True,
                    )

    try:
        return Decoded(data.decode("utf-8"), "utf-8", b"", None)
    except UnicodeDecodeError:
        pass

    loc = _locale_encoding()
    message = (
        f"unable to decode the file with the default encoding utf-8, falling back to the "
        f"locale's encoding {loc}. If this is intentional, declare the encoding with a "
        f"PEP 263 comment on the first line, e.g. '# -*- coding: {loc} -*-'"
    )
    try:
        return Decoded(data.decode(loc), loc, b"", message)
    except (UnicodeDecodeError, LookupError):
        return Decoded(
            _lenient(data, loc),
            loc,
            b"",
            message + f" (the file is not valid {loc} either: pip would fail to read it)",
            fails=True,
        )
