"""pip's option handling for requirements-file lines (pip-reference A9-A13), with positions.

`shlex.split` (POSIX) and optparse are re-implemented so that every word and value keeps the
offsets where it stands; the behaviour (prefix matching, `--opt=v`, `-rFILE`, error messages)
is optparse's.
"""

from __future__ import annotations

import re
from typing import Optional

STRONG_HASHES = ("sha256", "sha384", "sha512")

FEATURE_CHOICES = (
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
)


class OptSpec:
    __slots__ = ("canonical", "dest", "takes_value")

    def __init__(self, canonical: str, dest: str, takes_value: bool) -> None:
        self.canonical = canonical
        self.dest = dest
        self.takes_value = takes_value


def _spec(canonical: str, dest: str, takes_value: bool = True) -> OptSpec:
    return OptSpec(canonical, dest, takes_value)


_INDEX = _spec("--index-url", "index_url")
_CONSTRAINT = _spec("--constraint", "constraints")
_REQUIREMENT = _spec("--requirement", "requirements")
_EDITABLE = _spec("--editable", "editables")
_FIND_LINKS = _spec("--find-links", "find_links")
_CONFIG = _spec("--config-settings", "config_settings")

# Insertion order is pip's parser order (it only matters for messages, which sort anyway).
LONG_OPTS: dict[str, OptSpec] = {
    "--index-url": _INDEX,
    "--pypi-url": _INDEX,
    "--extra-index-url": _spec("--extra-index-url", "extra_index_urls"),
    "--no-index": _spec("--no-index", "no_index", False),
    "--constraint": _CONSTRAINT,
    "--requirement": _REQUIREMENT,
    "--editable": _EDITABLE,
    "--find-links": _FIND_LINKS,
    "--no-binary": _spec("--no-binary", "format_control"),
    "--only-binary": _spec("--only-binary", "format_control"),
    "--prefer-binary": _spec("--prefer-binary", "prefer_binary", False),
    "--require-hashes": _spec("--require-hashes", "require_hashes", False),
    "--no-require-hashes": _spec("--no-require-hashes", "no_require_hashes", False),
    "--pre": _spec("--pre", "pre", False),
    "--all-releases": _spec("--all-releases", "release_control"),
    "--only-final": _spec("--only-final", "release_control"),
    "--trusted-host": _spec("--trusted-host", "trusted_hosts"),
    "--use-feature": _spec("--use-feature", "features_enabled"),
    "--hash": _spec("--hash", "hashes"),
    "--config-settings": _CONFIG,
}

SHORT_OPTS: dict[str, OptSpec] = {
    "-i": _INDEX,
    "-c": _CONSTRAINT,
    "-r": _REQUIREMENT,
    "-e": _EDITABLE,
    "-f": _FIND_LINKS,
    "-C": _CONFIG,
}


class Word:
    """A shell word: its value and, for each character of the value, its source offset."""

    __slots__ = ("end", "offsets", "start", "value")

    def __init__(self, value: str, start: int, end: int, offsets: Optional[list[int]]) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.offsets = offsets  # None: the value is the source text itself (no quoting)

    def offset(self, index: int) -> int:
        """Source offset of value[index]."""
        if self.offsets is None:
            return self.start + index
        return self.offsets[index]

    def sub_range(self, index: int) -> tuple[int, int]:
        """Source range of value[index:] (the whole rest of the word's source)."""
        if index >= len(self.value):
            return self.end, self.end
        return self.offset(index), self.end


class SplitError(Exception):
    pass


_WS = " \t\r\n"
_PLAIN_WORD_RE = re.compile(r"[^ \t\r\n]+")


def shell_split(text: str, base: int) -> list[Word]:
    """`shlex.split(text)` (POSIX, no comments), with source offsets (`base` added)."""
    words: list[Word] = []
    if "'" not in text and '"' not in text and "\\" not in text:
        for m in _PLAIN_WORD_RE.finditer(text):
            words.append(Word(m.group(), base + m.start(), base + m.end(), None))
        return words
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
            continue
        start = i
        chars: list[str] = []
        offs: list[int] = []
        while i < n:
            c = text[i]
            if c in _WS:
                break
            if c == "\\":
                if i + 1 >= n:
                    raise SplitError("No escaped character")
                chars.append(text[i + 1])
                offs.append(base + i + 1)
                i += 2
            elif c == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    raise SplitError("No closing quotation")
                for k in range(i + 1, close):
                    chars.append(text[k])
                    offs.append(base + k)
                i = close + 1
            elif c == '"':
                i += 1
                while True:
                    if i >= n:
                        raise SplitError("No closing quotation")
                    c = text[i]
                    if c == '"':
                        i += 1
                        break
                    if c == "\\":
                        if i + 1 >= n:
                            raise SplitError("No escaped character")
                        nxt = text[i + 1]
                        if nxt not in ('"', "\\"):
                            chars.append("\\")
                            offs.append(base + i)
                        chars.append(nxt)
                        offs.append(base + i + 1)
                        i += 2
                    else:
                        chars.append(c)
                        offs.append(base + i)
                        i += 1
            else:
                chars.append(c)
                offs.append(base + i)
                i += 1
        words.append(Word("".join(chars), base + start, base + i, offs))
    return words


class ParsedOption:
    """One option occurrence: where it was written and its value."""

    __slots__ = (
        "canonical",
        "dest",
        "end",
        "start",
        "value",
        "value_index",
        "value_range",
        "value_word",
        "written",
        "written_range",
    )

    def __init__(  # noqa: PLR0917
        self,
        spec: OptSpec,
        written: str,
        written_range: tuple[int, int],
        value: Optional[str],
        value_range: Optional[tuple[int, int]],
        value_word: Optional[Word] = None,
        value_index: int = 0,
    ) -> None:
        self.canonical = spec.canonical
        self.dest = spec.dest
        self.written = written
        self.start = written_range[0]
        self.end = value_range[1] if value_range is not None else written_range[1]
        self.value = value
        self.value_range = value_range
        self.written_range = written_range
        self.value_word = value_word
        self.value_index = value_index

    def value_source_range(self, start: int, end: int) -> tuple[int, int]:
        """Source range of value[start:end] (quotes and escapes accounted for)."""
        word = self.value_word
        if word is None:
            base = self.value_range[0] if self.value_range else 0
            return base + start, base + end
        i = self.value_index
        s = word.offset(i + start) if i + start < len(word.value) else word.end
        e = word.offset(i + end - 1) + 1 if end > start else s
        return s, e


class OptionError(Exception):
    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


def _match_long(written: str, start: int, end: int) -> str:
    if written in LONG_OPTS:
        return written
    possibilities = [w for w in LONG_OPTS if w.startswith(written)]
    if len(possibilities) == 1:
        return possibilities[0]
    if not possibilities:
        raise OptionError(f"no such option: {written}", start, end)
    possibilities.sort()
    raise OptionError(f"ambiguous option: {written} ({', '.join(possibilities)}?)", start, end)


def _check_value(  # noqa: PLR0917
    opt: str, spec: OptSpec, value: str, vstart: int, vend: int, ostart: int
) -> None:
    """The callbacks and choice checks pip's options run when they are parsed."""
    dest = spec.dest
    if dest == "hashes":
        if ":" not in value:
            raise OptionError(
                f"Arguments to {opt} must be a hash name followed by a value, like "
                "--hash=sha256:abcde...",
                ostart,
                vend,
            )
        algo = value.split(":", 1)[0]
        if algo not in STRONG_HASHES:
            raise OptionError(
                f"Allowed hash algorithms for {opt} are {', '.join(STRONG_HASHES)}.",
                ostart,
                vend,
            )
    elif dest == "config_settings":
        if "=" not in value:
            raise OptionError(f"Arguments to {opt} must be of the form KEY=VAL", ostart, vend)
    elif dest == "format_control":
        if value.startswith("-"):
            raise OptionError(
                "--no-binary / --only-binary option requires 1 argument.", ostart, vend
            )
    elif dest == "release_control":
        if value.startswith("-"):
            raise OptionError(
                "--all-releases / --only-final option requires 1 argument.", ostart, vend
            )
    elif dest == "features_enabled" and value not in FEATURE_CHOICES:
        choices = ", ".join(repr(c) for c in FEATURE_CHOICES)
        raise OptionError(
            f"option {opt}: invalid choice: {value!r} (choose from {choices})", vstart, vend
        )


def parse_options(words: list[Word]) -> list[ParsedOption]:
    """optparse's `_process_args` over pip's requirements-file options.

    Positional words are dropped (pip ignores them); raises OptionError like optparse would.
    """
    out: list[ParsedOption] = []
    i = 0
    n = len(words)
    while i < n:
        word = words[i]
        arg = word.value
        if arg == "--":
            break
        if arg[:2] == "--":
            i += 1
            if "=" in arg:
                written, _, explicit = arg.partition("=")
                had_explicit = True
                vindex = len(written) + 1
            else:
                written, explicit, had_explicit, vindex = arg, "", False, 0
            wend = word.offset(len(written) - 1) + 1
            opt = _match_long(written, word.start, wend)
            spec = LONG_OPTS[opt]
            if spec.takes_value:
                if had_explicit:
                    value = explicit
                    vrange = word.sub_range(vindex)
                    vword, vidx = word, vindex
                else:
                    if i >= n:
                        raise OptionError(f"{opt} option requires 1 argument", word.start, word.end)
                    value = words[i].value
                    vrange = (words[i].start, words[i].end)
                    vword, vidx = words[i], 0
                    i += 1
                _check_value(opt, spec, value, vrange[0], vrange[1], word.start)
                out.append(
                    ParsedOption(spec, written, (word.start, wend), value, vrange, vword, vidx)
                )
            else:
                if had_explicit:
                    raise OptionError(f"{opt} option does not take a value", word.start, word.end)
                out.append(ParsedOption(spec, written, (word.start, word.end), None, None))
        elif arg[:1] == "-" and len(arg) > 1:
            i += 1
            # Every short option pip accepts in a file takes a value: the first letter decides.
            opt = arg[:2]
            spec_or_none = SHORT_OPTS.get(opt)
            oend = word.offset(1) + 1
            if spec_or_none is None:
                raise OptionError(f"no such option: {opt}", word.start, oend)
            spec = spec_or_none
            if len(arg) > 2:
                value = arg[2:]
                vrange = word.sub_range(2)
                vword, vidx = word, 2
            else:
                if i >= n:
                    raise OptionError(f"{opt} option requires 1 argument", word.start, word.end)
                value = words[i].value
                vrange = (words[i].start, words[i].end)
                vword, vidx = words[i], 0
                i += 1
            _check_value(opt, spec, value, vrange[0], vrange[1], word.start)
            out.append(ParsedOption(spec, opt, (word.start, oend), value, vrange, vword, vidx))
        else:
            i += 1  # a positional word: pip drops it
    return out
