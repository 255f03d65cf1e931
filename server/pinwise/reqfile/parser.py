"""Parsing requirements files into the shared model: `parse`, `load`, `load_set`.

Behaviour is pip 26.3's (docs pip-reference A); see docs/pip-differences.md for the few
deliberate differences. Parsing never raises: whatever pip refuses becomes an INVALID line.
"""

from __future__ import annotations

import gc
import os
import re
import urllib.parse
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import fields, replace
from operator import attrgetter
from typing import Any, Callable, NamedTuple, Optional, Union, cast

from pinwise._compat import bisect_left_by
from pinwise._generations import Generations
from pinwise.reqfile._build import (
    _new,
    build,
    hash_of,
    hash_option,
    make,
    moved,
    option,
    position,
    setter,
    span_of,
    token,
)
from pinwise.reqfile._decode import decode
from pinwise.reqfile._io import read_file
from pinwise.reqfile._options import (
    STRONG_HASHES,
    OptionError,
    ParsedOption,
    SplitError,
    parse_options,
    shell_split,
)
from pinwise.reqfile._requirement import (
    Parts,
    ReqError,
    _marker_info_cached,
    _pep508_cached,
    fs_reset,
    fs_was_touched,
    include_url_to_path,
    normalize,
    parse_editable_requirement,
    parse_line_requirement,
    quick_line_requirement,
)
from pinwise.reqfile._text import (
    _RARE_BREAKS,
    COMMENT_RE,
    Expansion,
    Joined,
    expand,
    join_lines,
    split_physical,
)
from pinwise.reqfile.model import (
    Diagnostic,
    Hash,
    Include,
    IncludeEdge,
    LineKind,
    LogicalLine,
    Option,
    PhysicalLine,
    Requirement,
    RequirementForm,
    RequirementsFile,
    RequirementsSet,
    Suppression,
    Token,
)
from pinwise.spans import Position, Span

Reader = Callable[[str], Union[str, bytes]]

_SCHEME_RE = re.compile(r"^(http|https|file):", re.I)
_REMOTE_RE = re.compile(r"^(http|https):", re.I)
_SUPPRESS_RE = re.compile(r"#\s*pinwise:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)
_FORMS = {
    "named": RequirementForm.NAMED,
    "named-url": RequirementForm.NAMED_URL,
    "url": RequirementForm.URL,
    "path": RequirementForm.PATH,
}


class _Line:
    """Maps offsets of the (expanded) line text to spans and unexpanded text."""

    __slots__ = ("exp", "joined", "lead", "raw")

    def __init__(self, joined: Joined, lead: int, raw: str, exp: Optional[Expansion]) -> None:
        self.joined = joined
        self.lead = lead  # offset of raw text in the joined text
        self.raw = raw  # stripped, unexpanded
        self.exp = exp

    def raw_range(self, start: int, end: int) -> tuple[int, int]:
        if self.exp is None:
            return start, end
        return self.exp.raw_range(start, end)

    def span(self, start: int, end: int) -> Span:
        if self.exp is not None:
            start, end = self.exp.raw_range(start, end)
        lead = self.lead
        return self.joined.map.span(start + lead, end + lead)

    def token(self, start: int, end: int) -> Token:
        if self.exp is not None:
            start, end = self.exp.raw_range(start, end)
        lead = self.lead
        return build(
            Token,
            {"text": self.raw[start:end], "span": self.joined.map.span(start + lead, end + lead)},
        )

    def part_span(self, start: int, end: int) -> Span:
        """`span`, rows counted from the line's first row (`model.LogicalLine`)."""
        return moved(self.span(start, end), -self.joined.first)

    def part_token(self, start: int, end: int) -> Token:
        token = self.token(start, end)
        return build(Token, {"text": token.text, "span": moved(token.span, -self.joined.first)})

    def hide(self, message: str) -> str:
        return message if self.exp is None else self.exp.hide(message)


def _suppression(comment: str, joined: Joined, offset: int) -> Optional[Suppression]:
    m = _SUPPRESS_RE.search(comment)
    if m is None:
        return None
    codes_text = m.group("codes")
    codes: frozenset[str] = frozenset()
    if codes_text is not None:
        codes = frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
    span = joined.map.span(offset + m.start(), offset + m.end())
    return make(Suppression, codes=codes, span=moved(span, -joined.first))


def _make_requirement(  # noqa: PLR0917
    parts: Parts,
    conv: Callable[[int, int], tuple[int, int]],
    line: _Line,
    editable: bool,
    hashes: tuple[Hash, ...],
    config: tuple[str, ...],
) -> Requirement:
    def sp(r: Optional[tuple[int, int]]) -> Optional[Span]:
        return None if r is None else line.part_span(*conv(r[0], r[1]))

    name = parts.name
    url = parts.url
    if url is not None and parts.url_range is not None:
        url = line.token(*conv(parts.url_range[0], parts.url_range[1])).text
    return build(
        Requirement,
        {
            "form": _FORMS[parts.form],
            "editable": editable,
            "name": name,
            "normalized_name": normalize(name) if name else None,
            "name_span": sp(parts.name_range),
            "extras": parts.extras,
            "extras_span": sp(parts.extras_range),
            "specifier": parts.specifier,
            "specifier_span": sp(parts.specifier_range),
            "marker": parts.marker,
            "marker_span": sp(parts.marker_range),
            "url": url,
            "url_span": sp(parts.url_range),
            "vcs": parts.vcs,
            "vcs_revision": parts.vcs_revision,
            "is_wheel": parts.is_wheel,
            "is_archive": parts.is_archive,
            "is_local_dir": parts.is_local_dir,
            "hashes": hashes,
            "config_settings": config,
            "span": line.part_span(*conv(parts.range[0], parts.range[1])),
            "link": parts.link if line.exp is None else None,
        },
    )


def _identity(start: int, end: int) -> tuple[int, int]:
    return start, end


def _resolve_include(includer: str, target: str, cwd: str) -> tuple[str, bool]:
    """pip's resolution of an include target: (resolved, is_remote)."""
    if _SCHEME_RE.search(includer):
        resolved = urllib.parse.urljoin(includer, target)
    elif not _SCHEME_RE.search(target):
        resolved = os.path.normpath(os.path.join(cwd, os.path.dirname(includer), target))
    else:
        resolved = target
    if _REMOTE_RE.search(resolved):
        return resolved, True
    if resolved[:5].lower() == "file:":
        try:
            return include_url_to_path(resolved), False
        except ValueError:
            return resolved, False
    return resolved, False


def _parse_line(
    joined: Joined,
    path: str,
    constraint: bool,
    environ: Mapping[str, str],
    cwd: str,
) -> Optional[LogicalLine]:
    text = joined.text
    comment: Optional[Token] = None
    suppression: Optional[Suppression] = None
    cm = COMMENT_RE.search(text) if "#" in text else None
    hash_at = 0
    content = text if cm is None else text[: cm.start()]
    raw = content.strip()
    if not raw:
        return None
    if cm is not None:
        hash_at = cm.start() + len(cm.group(1))
        ctext = text[hash_at:].rstrip()
        if ctext:
            cspan = joined.map.span(hash_at, hash_at + len(ctext))
            comment = make(Token, text=ctext, span=moved(cspan, -joined.first))
    lead = len(content) - len(content.lstrip())
    expanded, exp = expand(raw, environ)
    line = _Line(joined, lead, raw, exp)
    if comment is not None:
        suppression = _suppression(comment.text, line.joined, hash_at)
    first, last = joined.first, joined.last
    whole = line.span(0, len(expanded))

    def invalid(
        message: str,
        start: int,
        end: int,
        options: tuple[Option, ...] = (),
        warned: tuple[Diagnostic, ...] = (),
    ) -> LogicalLine:
        return make(
            LogicalLine,
            first_line=first,
            last_line=last,
            kind=LineKind.INVALID,
            raw_text=raw,
            span=whole,
            options=options,
            comment=comment,
            suppression=suppression,
            error=make(Diagnostic, message=line.hide(message), span=line.span(start, end)),
            warnings=warned,
            expanded=exp is not None,
        )

    # pip: split on " " only; words before the first one starting with "-" are the requirement.
    if expanded[0] == "-":
        args_end = 0
        opt_start = 0
    else:
        idx = expanded.find(" -")
        if idx < 0:
            args_end = len(expanded)
            opt_start = -1
        else:
            args_end = idx
            opt_start = idx + 1
    args = expanded[:args_end]
    parsed: list[ParsedOption] = []
    if opt_start >= 0:
        try:
            words = shell_split(expanded[opt_start:], opt_start)
        except SplitError:
            raw_opts = line.raw[line.raw_range(opt_start, len(expanded))[0] :]
            return invalid(
                f"Could not split options: {raw_opts}",
                opt_start,
                len(expanded),
            )
        try:
            parsed = parse_options(words)
        except OptionError as exc:
            return invalid(exc.message, exc.start, exc.end)

    options: list[Option] = []
    hashes: list[Hash] = []
    config: list[str] = []
    editables: list[ParsedOption] = []
    includes: list[ParsedOption] = []
    cincludes: list[ParsedOption] = []
    for po in parsed:
        value_tok = line.part_token(*po.value_range) if po.value_range is not None else None
        opt = build(
            Option,
            {
                "name": po.canonical,
                "written": line.part_token(*po.written_range),
                "value": value_tok,
                "span": line.part_span(po.start, po.end),
            },
        )
        options.append(opt)
        dest = po.dest
        if dest == "hashes" and po.value is not None:
            algo, _, digest = po.value.partition(":")
            hashes.append(build(Hash, {"algorithm": algo, "value": digest, "span": opt.span}))
        elif dest == "config_settings" and po.value is not None:
            config.append(po.value)
        elif dest == "editables":
            editables.append(po)
        elif dest == "requirements":
            includes.append(po)
        elif dest == "constraints":
            cincludes.append(po)
    opts = tuple(options)

    warnings: list[Diagnostic] = []
    if args or editables:
        editable = bool(editables)
        if editable:
            if args:
                conv = _identity
                req_text = args
            else:
                conv = editables[0].value_source_range
                req_text = editables[0].value or ""
            if constraint:
                return invalid(
                    "Editable requirements are not allowed as constraints",
                    *conv(0, len(req_text)),
                    opts,
                )
            try:
                parts = parse_editable_requirement(req_text, cwd)
            except ReqError as exc:
                return invalid(exc.message, *conv(exc.start, exc.end), opts)
            kind = LineKind.EDITABLE
            req_hashes: tuple[Hash, ...] = ()
        else:
            conv = _identity
            try:
                parts = parse_line_requirement(args, cwd)
            except ReqError as exc:
                warned = tuple(
                    Diagnostic(line.hide(m), line.span(s, e), False) for m, s, e in exc.warnings
                )
                return invalid(exc.message, exc.start, exc.end, opts, warned)
            kind = LineKind.REQUIREMENT
            req_hashes = tuple(hashes)
            if constraint:
                problem = ""
                if not parts.name:
                    problem = "Unnamed requirements are not allowed as constraints"
                elif parts.extras:
                    problem = "Constraints cannot have extras"
                if problem:
                    return invalid(problem, parts.range[0], parts.range[1], opts)
        for message, s, e in parts.warnings:
            warnings.append(Diagnostic(line.hide(message), line.span(*conv(s, e)), False))
        requirement = _make_requirement(parts, conv, line, editable, req_hashes, tuple(config))
        return build(
            LogicalLine,
            {
                "first_line": first,
                "last_line": last,
                "kind": kind,
                "raw_text": raw,
                "span": whole,
                "requirement": requirement,
                "include": None,
                "options": opts,
                "comment": comment,
                "suppression": suppression,
                "error": None,
                "warnings": tuple(warnings),
                "expanded": exp is not None,
            },
        )

    include: Optional[Include] = None
    kind = LineKind.OPTIONS
    chosen: Optional[ParsedOption] = None
    if includes:
        chosen = includes[0]
        kind = LineKind.INCLUDE
    elif cincludes:
        chosen = cincludes[0]
        kind = LineKind.CONSTRAINT_INCLUDE
    if chosen is not None and chosen.value_range is not None:
        resolved, remote = _resolve_include(path, chosen.value or "", cwd)
        include = Include(
            constraint=kind is LineKind.CONSTRAINT_INCLUDE,
            target=line.token(*chosen.value_range),
            resolved=resolved,
            is_remote=remote,
        )
    if hashes and include is None:
        # pip warns from its option-line handler, which never sees include lines (it follows
        # the include and ignores every other option on that line).
        hash_opt = next(o for o in options if o.name == "--hash")
        warnings.append(
            Diagnostic(
                f"{path} line {first + 1} has --hash but no requirement, and will be ignored.",
                moved(hash_opt.span, first),
                False,
            )
        )
    return make(
        LogicalLine,
        first_line=first,
        last_line=last,
        kind=kind,
        raw_text=raw,
        span=whole,
        include=include,
        options=opts,
        comment=comment,
        suppression=suppression,
        warnings=tuple(warnings),
        expanded=exp is not None,
    )


_FAST_LINE_RE = re.compile(
    r"(?P<name>\b[A-Za-z0-9][A-Za-z0-9._-]*\b) *"
    r"(?P<spec>(?:===?|!=|<=|>=|<|>) *[0-9]+(?:\.[0-9]+)*|~= *[0-9]+(?:\.[0-9]+)+)"
)

# The fast paths below give exactly what `_parse_line` gives for the lines they accept (and
# decline everything else). Tests turn them off to compare both (`general_path_only`).
_fast_paths = [True]


class _Empty:
    """A line the fast path found empty (blank, or only a comment): pip drops it."""

    __slots__ = ()


_EMPTY = _Empty()
_MISSING = object()
_HASH_WORD = "--hash="


_REQUIREMENT_EXACT = tuple(f.name for f in fields(Requirement)) == (
    "form", "editable", "name", "normalized_name", "name_span", "extras", "extras_span",
    "specifier", "specifier_span", "marker", "marker_span", "url", "url_span", "vcs",
    "vcs_revision", "is_wheel", "is_archive", "is_local_dir", "hashes", "config_settings",
    "span", "link",
)  # fmt: skip
_LINE_EXACT = tuple(f.name for f in fields(LogicalLine)) == (
    "first_line", "last_line", "kind", "raw_text", "span", "requirement", "include", "options",
    "comment", "suppression", "error", "warnings", "expanded",
)  # fmt: skip
# what sets each field of a new Requirement / LogicalLine, in field order (see `_build.setter`)
_REQUIREMENT_SET = tuple(setter(Requirement, f.name) for f in fields(Requirement))
_LINE_SET = tuple(setter(LogicalLine, f.name) for f in fields(LogicalLine))


def _named_requirement(  # noqa: PLR0917
    name: str,
    name_span: Span,
    extras: tuple[str, ...],
    extras_span: Optional[Span],
    specifier: str,
    specifier_span: Optional[Span],
    marker: Optional[str],
    marker_span: Optional[Span],
    hashes: tuple[Hash, ...],
    span: Span,
) -> Requirement:
    """A plain named requirement, made as `_build.token` makes a Token (see there)."""
    if not _REQUIREMENT_EXACT:
        values = {
            "form": RequirementForm.NAMED, "editable": False, "name": name,
            "normalized_name": normalize(name), "name_span": name_span, "extras": extras,
            "extras_span": extras_span, "specifier": specifier, "specifier_span": specifier_span,
            "marker": marker, "marker_span": marker_span, "url": None, "url_span": None,
            "vcs": None, "vcs_revision": None, "is_wheel": False, "is_archive": False,
            "is_local_dir": False, "hashes": hashes, "config_settings": (), "span": span,
            "link": None,
        }  # fmt: skip
        return build(Requirement, values)
    r: Any = _new(Requirement)
    _REQUIREMENT_SET[0](r, RequirementForm.NAMED)  # form
    _REQUIREMENT_SET[1](r, False)  # editable
    _REQUIREMENT_SET[2](r, name)  # name
    _REQUIREMENT_SET[3](r, normalize(name))  # normalized_name
    _REQUIREMENT_SET[4](r, name_span)  # name_span
    _REQUIREMENT_SET[5](r, extras)  # extras
    _REQUIREMENT_SET[6](r, extras_span)  # extras_span
    _REQUIREMENT_SET[7](r, specifier)  # specifier
    _REQUIREMENT_SET[8](r, specifier_span)  # specifier_span
    _REQUIREMENT_SET[9](r, marker)  # marker
    _REQUIREMENT_SET[10](r, marker_span)  # marker_span
    _REQUIREMENT_SET[11](r, None)  # url
    _REQUIREMENT_SET[12](r, None)  # url_span
    _REQUIREMENT_SET[13](r, None)  # vcs
    _REQUIREMENT_SET[14](r, None)  # vcs_revision
    _REQUIREMENT_SET[15](r, False)  # is_wheel
    _REQUIREMENT_SET[16](r, False)  # is_archive
    _REQUIREMENT_SET[17](r, False)  # is_local_dir
    _REQUIREMENT_SET[18](r, hashes)  # hashes
    _REQUIREMENT_SET[19](r, ())  # config_settings
    _REQUIREMENT_SET[20](r, span)  # span
    _REQUIREMENT_SET[21](r, None)  # link
    return r  # type: ignore[no-any-return]


def _requirement_line(  # noqa: PLR0917
    first: int,
    last: int,
    raw: str,
    span: Span,
    requirement: Requirement,
    options: tuple[Option, ...],
    comment: Optional[Token],
    suppression: Optional[Suppression],
) -> LogicalLine:
    """A REQUIREMENT line without warnings nor ${VAR}, made like `_named_requirement`."""
    if not _LINE_EXACT:
        values = {
            "first_line": first, "last_line": last, "kind": LineKind.REQUIREMENT,
            "raw_text": raw, "span": span, "requirement": requirement, "include": None,
            "options": options, "comment": comment, "suppression": suppression, "error": None,
            "warnings": (), "expanded": False,
        }  # fmt: skip
        return build(LogicalLine, values)
    ll: Any = _new(LogicalLine)
    _LINE_SET[0](ll, first)  # first_line
    _LINE_SET[1](ll, last)  # last_line
    _LINE_SET[2](ll, LineKind.REQUIREMENT)  # kind
    _LINE_SET[3](ll, raw)  # raw_text
    _LINE_SET[4](ll, span)  # span
    _LINE_SET[5](ll, requirement)  # requirement
    _LINE_SET[6](ll, None)  # include
    _LINE_SET[7](ll, options)  # options
    _LINE_SET[8](ll, comment)  # comment
    _LINE_SET[9](ll, suppression)  # suppression
    _LINE_SET[10](ll, None)  # error
    _LINE_SET[11](ll, ())  # warnings
    _LINE_SET[12](ll, False)  # expanded
    return ll  # type: ignore[no-any-return]


def _fast_line(number: int, text: str, constraint: bool) -> Union[LogicalLine, _Empty, None]:
    """A lone physical line that is no continuation, built without the general machinery."""
    if "$" in text:
        return None
    raw = text.strip()
    m = _FAST_LINE_RE.fullmatch(raw)
    if m is None:
        if not raw or raw[0] == "#":
            return _EMPTY if not raw or COMMENT_RE.match(text) is not None else None
        return _fast_logical(text, number, number, (0,), (number,), (0,), constraint)
    lead = text.find(raw[0])
    end = lead + len(raw)
    # the requirement's rows count from the line's (`LogicalLine`): 0
    p0 = position(0, lead)
    pe = position(0, end)
    on_line = span_of(p0, pe)
    name_span = span_of(p0, position(0, lead + m.end("name")))
    spec_span = span_of(position(0, lead + m.start("spec")), pe)
    requirement = _named_requirement(
        m.group("name"), name_span, (), None, m.group("spec"), spec_span, None, None, (), on_line
    )
    whole = span_of(position(number, lead), position(number, end)) if number else on_line
    return _requirement_line(number, number, raw, whole, requirement, (), None, None)


def _fast_logical(  # noqa: PLR0917
    text: str,
    first: int,
    last: int,
    starts: Sequence[int],
    plines: Sequence[int],
    cols: Sequence[int],
    constraint: bool,
    shared: Optional[_SharedOptions] = None,
) -> Union[LogicalLine, _Empty, None]:
    """A requirement line `name[extras] <op>version, ... ; marker`, `--hash=alg:value` words
    only, an optional comment (what pip-compile writes, joined over its continuations).
    `shared`: the options and hashes of the same text and layout parsed at another row, if the
    line cache has them (`_share_options`): taken instead of made again.

    `starts`/`plines`/`cols` are the joined text's segments (see `PosMap`). None: not such a
    line (the general path decides). The checks mirror `_parse_line` step by step.
    """
    if "${" in text:
        return None
    cm = COMMENT_RE.search(text) if "#" in text else None
    content = text if cm is None else text[: cm.start()]
    raw = content.strip()
    if not raw:
        return _EMPTY
    if raw[0] == "-":
        return None
    idx = raw.find(" -")
    args = raw if idx < 0 else raw[:idx]
    parts = quick_line_requirement(args)
    if parts is None or (constraint and parts.extras):
        return None
    hash_words: list[tuple[int, int, str]] = []
    if idx >= 0:
        opt_text = raw[idx + 1 :]
        if "'" in opt_text or '"' in opt_text or "\\" in opt_text:
            return None  # shlex quoting: the general path
        if "\t" in opt_text:
            return None  # (shlex also splits on tabs; pip-compile writes spaces)
        # shlex words are the runs of non-blanks: with only spaces, str.split(" ") finds them.
        ws = idx + 1
        for word in opt_text.split(" "):
            if word:
                if word[:7] != _HASH_WORD:
                    return None
                algo, sep, _digest = word[7:].partition(":")
                if not sep or algo not in STRONG_HASHES:
                    return None  # pip's error: the general path says it
                hash_words.append((ws, ws + len(word), word))
            ws += len(word) + 1
    lead = len(content) - len(content.lstrip())

    # Positions of offsets in the joined text: one segment per physical line (see PosMap), rows
    # counted from the line's first (`LogicalLine`).
    nseg = len(starts)
    if nseg == 1:
        pline = plines[0] - first
        shift = cols[0]

        def bounds(start: int, end: int) -> tuple[Position, Position]:
            return position(pline, shift + start), position(pline, shift + end)

    else:

        def bounds(start: int, end: int) -> tuple[Position, Position]:
            """Where [start, end) begins and ends (end > start): PosMap.pos / PosMap.end."""
            i = max(bisect_right(starts, start) - 1, 0)
            first_pos = position(plines[i] - first, cols[i] + start - starts[i])
            if i + 1 < nseg and end - 1 >= starts[i + 1]:
                i = max(bisect_right(starts, end - 1) - 1, 0)
            return first_pos, position(plines[i] - first, cols[i] + end - starts[i])

    comment: Optional[Token] = None
    suppression: Optional[Suppression] = None
    if cm is not None:
        hash_at = cm.start() + len(cm.group(1))
        ctext = text[hash_at:].rstrip()
        if ctext:
            comment = token(ctext, span_of(*bounds(hash_at, hash_at + len(ctext))))
            sm = _SUPPRESS_RE.search(ctext)
            if sm is not None:
                codes_text = sm.group("codes")
                codes: frozenset[str] = frozenset()
                if codes_text is not None:
                    codes = frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
                sspan = span_of(*bounds(hash_at + sm.start(), hash_at + sm.end()))
                suppression = build(Suppression, {"codes": codes, "span": sspan})

    # The options' rows count from the line's first row (`model.Option`).
    options: list[Option] = []
    hashes: list[Hash] = []
    o_end: Optional[Position] = None
    reused = shared is not None and bool(hash_words)
    for w_at, w_to, word in () if reused else hash_words:
        ws = lead + w_at
        we = lead + w_to
        if nseg == 1:
            opt, hash_obj = hash_option(pline, shift + ws, word)
        else:
            i = max(bisect_right(starts, ws) - 1, 0)
            if i + 1 == nseg or we - 1 < starts[i + 1]:  # the word stands on one line
                opt, hash_obj = hash_option(plines[i] - first, cols[i] - starts[i] + ws, word)
            else:
                o_start, w_end = bounds(ws, ws + 6)
                v_start, w_to_end = bounds(ws + 7, we)
                ospan = span_of(o_start, w_to_end)
                value = word[7:]
                written = token("--hash", span_of(o_start, w_end))
                value_token = token(value, span_of(v_start, w_to_end))
                opt = option("--hash", written, value_token, ospan)
                algo, _, hexdigest = value.partition(":")
                hash_obj = hash_of(algo, hexdigest, ospan)
        options.append(opt)
        hashes.append(hash_obj)
    if shared is not None and reused:
        line_options, line_hashes = shared.options, shared.hashes
    else:
        line_options, line_hashes = tuple(options), tuple(hashes)
    if line_options:
        o_end = line_options[-1].span.end

    name = parts.name
    nr = parts.name_range
    assert name is not None and nr is not None
    rs, r_to = parts.range  # rs is where the name starts: 0 (raw is stripped)
    n_start, n_end = bounds(lead + rs, lead + nr[1])
    name_span = span_of(n_start, n_end)
    ends = {nr[1]: n_end}  # positions of the parts' ends, by offset in raw
    extras_span: Optional[Span] = None
    if parts.extras_range is not None:
        es, ee = parts.extras_range
        extras_span = span_of(*bounds(lead + es, lead + ee))
        ends[ee] = extras_span.end
    specifier_span: Optional[Span] = None
    if parts.specifier_range is not None:
        ss, se = parts.specifier_range
        specifier_span = span_of(*bounds(lead + ss, lead + se))
        ends[se] = specifier_span.end
    marker_span: Optional[Span] = None
    if parts.marker_range is not None:
        ms, me = parts.marker_range
        marker_span = span_of(*bounds(lead + ms, lead + me))
        ends[me] = marker_span.end
    # The requirement ends with one of its parts; the line with its last --hash word, if any
    # (raw is stripped), else where raw ends (`foo ;` ends after its empty marker).
    r_end = ends.get(r_to) or bounds(lead + rs, lead + r_to)[1]
    req_span = span_of(n_start, r_end)
    if o_end is None:
        o_end = ends.get(len(raw)) or bounds(lead, lead + len(raw))[1]
    whole = moved(span_of(n_start, o_end), first)
    requirement = _named_requirement(
        name,
        name_span,
        parts.extras,
        extras_span,
        parts.specifier,
        specifier_span,
        parts.marker,
        marker_span,
        line_hashes,
        req_span,
    )
    return _requirement_line(
        first, last, raw, whole, requirement, line_options, comment, suppression
    )


def _safe_parse_line(
    joined: Joined, path: str, constraint: bool, environ: Mapping[str, str], cwd: str
) -> Optional[LogicalLine]:
    try:
        return _parse_line(joined, path, constraint, environ, cwd)
    except Exception as exc:  # never raise: a bug here must not take the caller down
        raw = joined.text.strip()
        span = joined.map.span(0, len(joined.text))
        return make(
            LogicalLine,
            first_line=joined.first,
            last_line=joined.last,
            kind=LineKind.INVALID,
            raw_text=raw,
            span=span,
            error=Diagnostic(f"Pinwise could not parse this line ({type(exc).__name__})", span),
        )


class _SharedOptions(NamedTuple):
    """A line's options and hashes, kept by its text and the layout of its rows
    (`_share_options`), and that text (kept once too)."""

    options: tuple[Option, ...]
    hashes: tuple[Hash, ...]
    text: str  # as `Joined.text`


# Logical lines already parsed, per file (path, constraint, cwd), by their text and exact place;
# a lone line's also by its text alone (a `str` key: moved to another row, `_moved_line`), and
# (`_share_options`) a line's options by their text and the layout of its rows. Editors
# re-parse a file on every change; unchanged lines come back from here. Each whole parse of a
# file begins a round (`Generations`): a line no parse of the last three used is forgotten.
# Lines whose meaning depends on the file system (paths) or on the environment (${VAR}) are
# never cached.
_LineCache = Generations[Union[tuple[object, ...], str], Union[LogicalLine, None, _SharedOptions]]
_LINE_CACHE: OrderedDict[tuple[str, bool, str], _LineCache] = OrderedDict()
_LINE_CACHE_FILES = 64
_LINE_CACHE_SIZE = 100_000  # lines of one round (a bigger file begins rounds more often)
_LINE_CACHE_FLOOR = 2_000  # a round may hold at least this many (see `_line_cache`)
_LINE_CACHE_TEXT = 4096  # longer lines are not kept


def _line_cache(key: tuple[str, bool, str], *, whole: bool, rows: int) -> _LineCache:
    """The line cache of a file of `rows` rows; a `whole` parse of it begins a round.

    A round may hold four entries per row (a whole parse puts at most three: a line's, its
    text's, its options'): the edits between whole parses, which parse only the rows they
    change (`_parse_again`: Enter too), then begin the next round once they have put about as
    many entries as the file has rows, instead of piling up to `_LINE_CACHE_SIZE`. A file that
    grows between whole parses (a block pasted) raises its limit at once: a round turning over
    in the middle of a parse would drop what that parse just put."""
    limit = min(_LINE_CACHE_SIZE, max(_LINE_CACHE_FLOOR, 4 * rows))
    cache = _LINE_CACHE.get(key)
    if cache is None:
        cache = _LINE_CACHE[key] = Generations(limit)
        while len(_LINE_CACHE) > _LINE_CACHE_FILES:
            _LINE_CACHE.popitem(last=False)  # the file parsed least recently
        return cache
    with suppress(KeyError):  # dropped by another thread meanwhile: still a valid cache
        _LINE_CACHE.move_to_end(key)
    if whole:
        cache.rotate()
        cache.limit = limit
    elif limit > cache.limit:
        cache.limit = limit
    return cache


def clear_caches() -> None:
    """Forget every parsed line and requirement (benchmarks of a first parse; tests)."""
    _LINE_CACHE.clear()
    _LAST_PARSE.clear()
    _PARSE_BEFORE.clear()
    _pep508_cached.cache_clear()
    _marker_info_cached.cache_clear()
    normalize.cache_clear()


def parse(
    text: str,
    path: str,
    *,
    constraint: bool = False,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
) -> RequirementsFile:
    """Parse a requirements file's text. Never raises."""
    env = os.environ if environ is None else environ
    here = os.getcwd() if cwd is None else cwd
    # A parse allocates many small acyclic objects; the cyclic collector would only walk them
    # again and again. Pause it for the parse (restoring the caller's setting).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, path, constraint, env, here)
    finally:
        if collecting:
            gc.enable()


def _parse(
    text: str, path: str, constraint: bool, env: Mapping[str, str], here: str
) -> RequirementsFile:
    fast = _fast_paths[0]
    key = (path, constraint, here)
    done: Optional[tuple[tuple[PhysicalLine, ...], tuple[LogicalLine, ...], bool]] = None
    last: Optional[_LastParse] = None
    if fast:
        last = _LAST_PARSE.get(key)
        if last is not None:
            before = _PARSE_BEFORE.get(key)
            if before is not None and not before[3] and before[0] == text:
                done = before[1], before[2], False  # the last edit undone: the very same lines
            else:
                done = _parse_again(last, text, path, constraint, env, here)
    if done is None:
        physical = (_rows_kept(last, text) if fast and last is not None else None) or (
            split_physical(text)
        )
        cache = _line_cache(key, whole=True, rows=len(physical))
        lines, volatile = _parse_rows(physical, 0, path, constraint, env, here, cache)
        done = (physical, tuple(lines), volatile)
    physical, logical, volatile = done
    if fast:
        if len(_LAST_PARSE) >= _LAST_PARSE_SIZE:
            _LAST_PARSE.clear()
            _PARSE_BEFORE.clear()
        if last is not None and last[0] != text:
            _PARSE_BEFORE[key] = last
        _LAST_PARSE[key] = (text, physical, logical, volatile)
    return RequirementsFile(
        path=path,
        constraint=constraint,
        lines=physical,
        logical_lines=logical,
        encoding="utf-8",
        bom=b"",
    )


# The last text parsed for each (path, constraint, cwd), with its physical and logical lines and
# whether a line of it depends on the file system or the environment (never reused).
_LastParse = tuple[str, tuple[PhysicalLine, ...], tuple[LogicalLine, ...], bool]
_LAST_PARSE: dict[tuple[str, bool, str], _LastParse] = {}
# The parse before the last, for an edit undone (Enter then Backspace): a line moved and moved
# back is then the line it was, not a line moved twice (the analysis memo knows that one).
_PARSE_BEFORE: dict[tuple[str, bool, str], _LastParse] = {}
_LAST_PARSE_SIZE = 64
_FIRST_LINE = attrgetter("first_line")
_BLOCK = 4096


def _parse_again(  # noqa: PLR0917
    last: _LastParse, text: str, path: str, constraint: bool, env: Mapping[str, str], here: str
) -> Optional[tuple[tuple[PhysicalLine, ...], tuple[LogicalLine, ...], bool]]:
    """The parse of `text` made from the last parse of the same file: only the logical lines
    over the rows that changed are parsed again (most from `_LINE_CACHE`); those above are the
    very same objects, those below too when the change kept the number of rows (a keystroke),
    else the same lines moved to their new rows (`_moved_line`: Enter, a line pasted or
    deleted). None when that does not apply (then the whole text is parsed)."""
    old_text, old_physical, old_logical, volatile = last
    if volatile:
        return None
    if text == old_text:
        return old_physical, old_logical, False
    change = _change(last, text)
    if change is None:
        return None
    physical, first, rows, old_next = change
    # Whole logical lines, before and after the change: no continuation backslash across
    # either end (the rows added to the change are the same objects in both texts).
    while first > 0 and old_physical[first - 1].text.endswith("\\"):
        first -= 1
        rows = (old_physical[first], *rows)
    while old_next < len(old_physical) and (
        (bool(rows) and rows[-1].text.endswith("\\"))
        or (old_next > first and old_physical[old_next - 1].text.endswith("\\"))
    ):
        rows = (*rows, old_physical[old_next])
        old_next += 1
    below = old_logical[bisect_left_by(old_logical, old_next, _FIRST_LINE) :]
    delta = first + len(rows) - old_next
    if delta:
        if not all(map(_can_move, below)):
            return None
        below = _moved_lines(below, delta)
    cache = _line_cache((path, constraint, here), whole=False, rows=len(physical))
    lines, volatile = _parse_rows(rows, first, path, constraint, env, here, cache)
    above = old_logical[: bisect_left_by(old_logical, first, _FIRST_LINE)]
    return physical, above + tuple(lines) + below, volatile


def _can_move(line: LogicalLine) -> bool:
    """Whether `line` stands anywhere as it is but for its rows (`_moved_line`): nothing it
    holds names its row (pip's messages do) or reads differently elsewhere (${VAR})."""
    return line.error is None and not line.warnings and line.include is None and not line.expanded


class _Change(NamedTuple):
    """Since the last parse of a file: its rows from `first` to before `old_next` became
    `rows`; the rows before and after are the same texts."""

    physical: tuple[PhysicalLine, ...]  # the new text's rows
    first: int
    rows: tuple[PhysicalLine, ...]
    old_next: int


def _rows_kept(last: _LastParse, text: str) -> Optional[tuple[PhysicalLine, ...]]:
    """The physical lines of `text`, those of the rows before and after the change since the
    last parse of the file being the very objects of that parse; None when it cannot tell (the
    whole text is split). A line added near the top of a big file moves every row below it,
    but their texts stay: kept once, not once per version the caches hold."""
    change = _change(last, text)
    return None if change is None else change.physical


def _change(last: _LastParse, text: str) -> Optional[_Change]:
    """What changed since the last parse, by rows (see `_rows_kept`); None when it cannot tell."""
    old_text, old_physical = last[0], last[1]
    if "\r" in text or "\r" in old_text or any(c in text or c in old_text for c in _RARE_BREAKS):
        return None
    start = _common_prefix(text, old_text)
    same_end = min(_common_prefix(text[::-1], old_text[::-1]), len(text) - start)
    same_end = min(same_end, len(old_text) - start)
    new_end, old_end = len(text) - same_end, len(old_text) - same_end
    # The rows of `text` from `first` to the one `new_end` is on replace those of the last text
    # from `first` to the one `old_end` is on; the rows after both are the same text (the same
    # suffix). When both ends begin a row, that row is in the suffix too.
    first = text.count("\n", 0, start)
    begin = text.rfind("\n", 0, start) + 1
    if (new_end == 0 or text[new_end - 1] == "\n") and (
        old_end == 0 or old_text[old_end - 1] == "\n"
    ):
        end, old_next = new_end, old_text.count("\n", 0, old_end)
    else:
        end = text.find("\n", new_end)
        end = len(text) if end < 0 else end + 1
        old_next = old_text.count("\n", 0, old_end) + 1
    rows = split_physical(text[begin:end])
    physical = old_physical[:first] + rows + old_physical[old_next:]
    # (as many as `split_physical(text)` gives: one per "\n", and the last row when it has none)
    if len(physical) != text.count("\n") + (not text.endswith("\n") and bool(text)):
        return None
    return _Change(physical, first, rows, old_next)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of `a` and `b` (compared block by block)."""
    n = min(len(a), len(b))
    low = 0
    while low < n:
        high = min(low + _BLOCK, n)
        if a[low:high] != b[low:high]:
            break
        low = high
    else:
        return n
    # a[:low] == b[:low], a[low:high] != b[low:high]
    while high - low > 1:
        mid = (low + high) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid
    return low


def _parse_rows(  # noqa: PLR0917
    physical: tuple[PhysicalLine, ...],
    start: int,
    path: str,
    constraint: bool,
    env: Mapping[str, str],
    here: str,
    cache: _LineCache,
) -> tuple[list[LogicalLine], bool]:
    """The logical lines of `physical`, rows of a file numbered from `start` (a row where a
    logical line begins), and whether one of them depends on the file system or the
    environment (${VAR}); lines are looked up in and added to the file's `cache`."""
    logical: list[LogicalLine] = []
    volatile = False
    fast = _fast_paths[0]
    lone: Optional[Callable[[int, str], Union[LogicalLine, _Empty, None]]] = None
    if fast:

        def lone(number: int, line: str) -> Union[LogicalLine, _Empty, None]:
            # The key the general path gives a lone line (segment column 0): both share it.
            key = (line, number, 0, path, constraint, here)
            hit = cache.get(key, _MISSING)
            if hit is not _MISSING:
                if not isinstance(hit, LogicalLine):
                    return _EMPTY  # None: the line is empty
                if hit.options:
                    _share_options(hit, (_SAME_OPTIONS, line, _ONE, _ONE, _ONE), cache, False)
                return hit
            # The same text at another row (moved by a line added above it, or written twice):
            # the same parts (`LogicalLine`), kept by the text alone.
            twin = cache.get(line, None)
            if twin is not None:
                result: Union[LogicalLine, _Empty, None] = _moved_line(
                    cast(LogicalLine, twin), number
                )
            else:
                result = _fast_line(number, line, constraint)
            if isinstance(result, LogicalLine) and len(line) < _LINE_CACHE_TEXT:
                if twin is None:
                    if result.options:
                        _share_options(result, (_SAME_OPTIONS, line, _ONE, _ONE, _ONE), cache, True)
                    cache.put(line, result)
                cache.put(key, result)
            return result

    for item in join_lines(physical, lone, start):
        if not isinstance(item, Joined):
            if isinstance(item, LogicalLine):
                logical.append(item)
            continue
        pm = item.map
        key: tuple[object, ...]
        if len(pm.starts) == 1:
            key = (item.text, item.first, pm.cols[0], path, constraint, here)
        else:
            key = (
                item.text,
                item.first,
                item.last,
                tuple(pm.starts),
                tuple(pm.lines),
                tuple(pm.cols),
                path,
                constraint,
                here,
            )
        hit = cache.get(key, _MISSING)
        if hit is not _MISSING:
            if isinstance(hit, LogicalLine):  # (None: the line is empty)
                if hit.options:
                    kept_key = _options_key(item)
                    _share_options(hit, kept_key, cache, False)
                    _keep_text_once(cache, item.text, key, kept_key)
                logical.append(hit)
            continue
        if fast:
            # a block of rows (pip-compile's): its options may be cached from another row
            options_key: Optional[tuple[object, ...]] = None
            shared: Optional[_SharedOptions] = None
            if len(pm.starts) > 1:
                options_key = _options_key(item)
                shared = cast("Optional[_SharedOptions]", cache.get(options_key, None))
                if shared is not None and shared.text is not item.text:
                    # the equal text kept once: in the keys, and as the line's raw text
                    item.text = shared.text
                    key = (shared.text, *key[1:])
                    cache.keep_as(options_key, (_SAME_OPTIONS, shared.text, *options_key[2:]))
            quick = _fast_logical(
                item.text,
                item.first,
                item.last,
                pm.starts,
                pm.lines,
                pm.cols,
                constraint,
                shared,
            )
            if quick is not None:
                ll: Optional[LogicalLine] = quick if isinstance(quick, LogicalLine) else None
                if len(item.text) < _LINE_CACHE_TEXT:
                    if ll is not None and ll.options and shared is None:
                        _share_options(ll, options_key or _options_key(item), cache, True)
                    cache.put(key, ll)
                if ll is not None:
                    logical.append(ll)
                continue
        fs_reset()
        ll = _safe_parse_line(item, path, constraint, env, here)
        if fs_was_touched() or "${" in item.text:
            volatile = True
        elif len(item.text) < _LINE_CACHE_TEXT:
            if ll is not None and ll.options:
                _share_options(ll, _options_key(item), cache, True)
            cache.put(key, ll)
        if ll is not None:
            logical.append(ll)
    return logical, volatile


def _moved_line(line: LogicalLine, first: int) -> LogicalLine:
    """`line` standing from row `first`: its parts are the same objects, their rows counting
    from the line's first (`LogicalLine`); only where it stands is new. For a line `_can_move`
    accepts (as every line the fast paths make): nothing else it holds names its row."""
    rows = first - line.first_line
    return _moved_lines((line,), rows)[0] if rows else line


def _moved_lines(lines: Sequence[LogicalLine], rows: int) -> tuple[LogicalLine, ...]:
    """`_moved_line` of each of `lines`, `rows` rows further down: in one loop, its makers in
    local names (every line below a new row near the top of a big file)."""
    if not _LINE_EXACT:
        return tuple(
            replace(
                line,
                first_line=line.first_line + rows,
                last_line=line.last_line + rows,
                span=moved(line.span, rows),
            )
            for line in lines
        )
    (
        set_first, set_last, set_kind, set_raw, set_span, set_requirement, set_include,
        set_options, set_comment, set_suppression, set_error, set_warnings, set_expanded,
    ) = _LINE_SET  # fmt: skip
    new, line_class = _new, LogicalLine
    out: list[LogicalLine] = []
    append = out.append
    for line in lines:
        placed = moved(line.span, rows)
        ll: Any = new(line_class)
        set_first(ll, line.first_line + rows)
        set_last(ll, line.last_line + rows)
        set_kind(ll, line.kind)
        set_raw(ll, line.raw_text)
        set_span(ll, placed)
        set_requirement(ll, line.requirement)
        set_include(ll, None)
        set_options(ll, line.options)
        set_comment(ll, line.comment)
        set_suppression(ll, line.suppression)
        set_error(ll, None)
        set_warnings(ll, ())
        set_expanded(ll, False)
        append(ll)
    return tuple(out)


_SAME_OPTIONS = object()  # first item of the keys of `_share_options`' entries
_ONE = (0,)  # a lone line's segments (see `PosMap`): one, from column 0 of its row


def _options_key(item: Joined) -> tuple[object, ...]:
    """What a line's options depend on: its text and the layout of its rows, not their number."""
    pm = item.map
    first = item.first
    rows = tuple(r - first for r in pm.lines)
    return (_SAME_OPTIONS, item.text, tuple(pm.starts), rows, tuple(pm.cols))


def _share_options(ll: LogicalLine, key: tuple[object, ...], cache: _LineCache, new: bool) -> None:
    """Keep `ll`'s options in the file's `cache` under `key` (`_options_key`) for the parses to
    come, or, when `ll` is `new` (just parsed, seen by no one yet) and the cache has the options
    of the same text parsed at another row, give it those: they are equal, their rows counting
    from their line's first (`model.Option`). A line added above a `pip-compile
    --generate-hashes` block moves it to rows no cached line stood at; its hashes, most of what
    the parse made, are then shared with the block as it was instead of kept once per version.
    A line found in the cache keeps its options' entry as current as its own."""
    requirement = ll.requirement
    hashes = requirement.hashes if requirement is not None else ()
    seen = cache.get(key, None)
    if seen is None:
        cache.put(key, _SharedOptions(ll.options, hashes, cast(str, key[1])))
        return
    if not new:
        return
    shared = cast("_SharedOptions", seen)
    # set as its makers do (see `_build.setter`)
    _LINE_OPTIONS(ll, shared.options)
    if requirement is not None:
        _REQUIREMENT_HASHES(requirement, shared.hashes)


def _keep_text_once(
    cache: _LineCache, text: str, key: tuple[object, ...], options_key: tuple[object, ...]
) -> None:
    """A line found in the cache by `key` (its `text` the one just joined) holds, for this
    round, the text kept with its options rather than that new equal copy: a block left in place
    by whole parses (Enter then Backspace above it) would otherwise keep one per version."""
    shared = cast("Optional[_SharedOptions]", cache.current.get(options_key))
    if shared is not None and shared.text is not text:
        cache.keep_as(key, (shared.text, *key[1:]))
        cache.keep_as(options_key, (_SAME_OPTIONS, shared.text, *options_key[2:]))


_LINE_OPTIONS = setter(LogicalLine, "options")
_REQUIREMENT_HASHES = setter(Requirement, "hashes")


@contextmanager
def general_path_only() -> Iterator[None]:
    """Parse without the fast paths (tests compare both; not thread-safe)."""
    saved = _fast_paths[0]
    _fast_paths[0] = False
    try:
        yield
    finally:
        _fast_paths[0] = saved


def _default_reader(path: str) -> bytes:
    # never blocks on a FIFO, never reads a device (`-r /dev/zero`) or more than 16 MiB
    return read_file(path)


def _absolute(path: str, cwd: str) -> str:
    if _SCHEME_RE.search(path):
        return path
    return os.path.normpath(os.path.join(cwd, path))


def load(
    path: str,
    *,
    constraint: bool = False,
    reader: Optional[Reader] = None,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
) -> RequirementsFile:
    """Read and parse one file. Never raises: an unreadable file gets `read_error`."""
    here = os.getcwd() if cwd is None else cwd
    apath = _absolute(path, here)
    kind = "constraint" if constraint else "requirements"

    def unreadable(where: str, why: str) -> RequirementsFile:
        return RequirementsFile(
            path=where,
            constraint=constraint,
            lines=(),
            logical_lines=(),
            encoding="",
            bom=b"",
            read_error=f"Could not open {kind} file: {why}",
        )

    local = apath
    if _REMOTE_RE.search(apath):
        return unreadable(apath, "remote files are not fetched by Pinwise")
    if apath[:5].lower() == "file:":
        try:
            local = include_url_to_path(apath)
        except ValueError as exc:
            return unreadable(apath, str(exc))
    read = reader or _default_reader
    try:
        data = read(local)
    except OSError as exc:
        return unreadable(local, str(exc))
    except Exception as exc:  # a reader bug must not escape either
        return unreadable(local, f"{type(exc).__name__}: {exc}")
    if isinstance(data, str):
        text, encoding, bom, warning, fails = data, "utf-8", b"", None, False
    else:
        text, encoding, bom, warning, fails = decode(bytes(data))
    parsed = parse(text, local, constraint=constraint, environ=environ, cwd=here)
    return RequirementsFile(
        path=parsed.path,
        constraint=constraint,
        lines=parsed.lines,
        logical_lines=parsed.logical_lines,
        encoding=encoding,
        bom=bom,
        decode_warning=warning,
        decode_fails=fails,
    )


_MAX_VISITS = 10000


def load_set(
    roots: Sequence[str],
    *,
    reader: Optional[Reader] = None,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[str] = None,
) -> RequirementsSet:
    """Load root files and follow their -r/-c includes the way pip does.

    Relative targets resolve against the including file's folder; cycles are detected on the
    chain of ancestors (pip 24.3+), so diamonds are fine. Unreadable targets are recorded in
    `missing`; http(s) targets are recorded as edges but not fetched.
    """
    loader = _SetLoader(reader, environ, os.getcwd() if cwd is None else cwd)
    root_paths: list[str] = []
    for root in roots:
        rf = loader.get(_absolute(root, loader.here), False)
        root_paths.append(rf.path)
        loader.visit(rf, (rf.path,))
    return RequirementsSet(
        roots=tuple(root_paths),
        files=loader.files,
        edges=tuple(loader.edges),
        cycles=tuple(loader.cycles),
        missing=tuple(loader.missing),
        order=tuple(loader.order),
    )


class _SetLoader:
    """`load_set`'s walk. (A class, not closures: a recursive closure is a reference cycle,
    which would keep every file parsed here alive until the cyclic collector found it; the
    language server parses on every keystroke and keeps that collector away from its caches.)"""

    def __init__(
        self, reader: Optional[Reader], environ: Optional[Mapping[str, str]], here: str
    ) -> None:
        self.reader = reader
        self.environ = environ
        self.here = here
        self.files: dict[str, RequirementsFile] = {}
        self.cache: dict[tuple[str, bool], RequirementsFile] = {}
        self.edges: list[IncludeEdge] = []
        self.seen_edges: set[tuple[str, int, str]] = set()
        self.cycles: list[IncludeEdge] = []
        self.seen_cycles: set[tuple[str, int, str]] = set()
        self.missing: list[tuple[IncludeEdge, str]] = []
        self.seen_missing: set[tuple[str, int, str]] = set()
        self.order: list[tuple[str, bool]] = []
        self.visits = 0

    def get(self, path: str, constraint: bool) -> RequirementsFile:
        key = (path, constraint)
        if key not in self.cache:
            self.cache[key] = load(
                path, constraint=constraint, reader=self.reader, environ=self.environ, cwd=self.here
            )
        return self.cache[key]

    def visit(self, rf: RequirementsFile, ancestors: tuple[str, ...]) -> None:
        self.visits += 1
        self.order.append((rf.path, rf.constraint))
        if rf.path not in self.files:
            self.files[rf.path] = rf
        if self.visits > _MAX_VISITS:
            return
        for ll in rf.logical_lines:
            inc = ll.include
            if inc is None:
                continue
            edge = IncludeEdge(includer=rf.path, line=ll, target=inc.resolved)
            key = (rf.path, ll.first_line, inc.resolved)
            if key not in self.seen_edges:
                self.seen_edges.add(key)
                self.edges.append(edge)
            if inc.resolved in ancestors:
                if key not in self.seen_cycles:
                    self.seen_cycles.add(key)
                    self.cycles.append(edge)
                continue
            if inc.is_remote:
                continue
            child = self.get(inc.resolved, inc.constraint)
            if child.read_error is not None:
                if key not in self.seen_missing:
                    self.seen_missing.add(key)
                    self.missing.append((edge, child.read_error))
                continue
            self.visit(child, (*ancestors, inc.resolved))


__all__ = ["Reader", "load", "load_set", "parse"]
