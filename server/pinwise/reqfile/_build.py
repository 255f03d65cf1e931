"""Fast construction of the (frozen dataclass) model objects.

A parse creates several objects per line; frozen dataclasses pay `object.__setattr__` per field
in `__init__`. These builders fill the instance dictionary directly (defaults first, so fields
added later with defaults are still set). They only suit classes without `__post_init__` and
without `slots`: the model classes, which are plain frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Optional, TypeVar

from pinwise.reqfile.model import Hash, Option, Token
from pinwise.spans import Position, Span

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__
_TEMPLATES: dict[type, tuple[dict[str, Any], tuple[tuple[str, Any], ...], int]] = {}


def _template(cls: type) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...], int]:
    tpl = _TEMPLATES.get(cls)
    if tpl is None:
        defaults: dict[str, Any] = {}
        factories: list[tuple[str, Any]] = []
        all_fields = fields(cls)
        for f in all_fields:
            if f.default is not MISSING:
                defaults[f.name] = f.default
            elif f.default_factory is not MISSING:
                factories.append((f.name, f.default_factory))
        tpl = (defaults, tuple(factories), len(all_fields))
        _TEMPLATES[cls] = tpl
    return tpl


def build(cls: type[T], values: dict[str, Any]) -> T:
    """`cls(**values)` without the frozen-dataclass `__init__` cost; `values` is taken over."""
    defaults, factories, count = _TEMPLATES.get(cls) or _template(cls)
    if len(values) != count:
        for key, default in defaults.items():
            if key not in values:
                values[key] = default
        for key, factory in factories:
            if key not in values:
                values[key] = factory()
    obj: Any = _new(cls)
    _set(obj, "__dict__", values)
    return obj  # type: ignore[no-any-return]


def make(cls: type[T], **values: Any) -> T:
    """`cls(**values)` without the frozen-dataclass `__init__` cost."""
    return build(cls, values)


def position(line: int, character: int) -> Position:
    p: Any = _new(Position)
    d = p.__dict__
    d["line"] = line
    d["character"] = character
    return p  # type: ignore[no-any-return]


def span(line: int, start: int, end_line: int, end: int) -> Span:
    s: Any = _new(Span)
    d = s.__dict__
    d["start"] = position(line, start)
    d["end"] = position(end_line, end)
    return s  # type: ignore[no-any-return]


def span_of(start: Position, end: Position) -> Span:
    s: Any = _new(Span)
    d = s.__dict__
    d["start"] = start
    d["end"] = end
    return s  # type: ignore[no-any-return]


# The fast paths' makers: each instance dictionary is filled key by key, in field order, which
# keeps CPython's shared-key layout (cheaper to make and to free than a dictionary of its own).
# Each maker checks that its class still has exactly these fields; if one was added, it goes
# through `build` (which fills in the defaults).


def _fields_are(cls: type, *names: str) -> bool:
    return tuple(f.name for f in fields(cls)) == names


_TOKEN_EXACT = _fields_are(Token, "text", "span")
_HASH_EXACT = _fields_are(Hash, "algorithm", "value", "span")
_OPTION_EXACT = _fields_are(Option, "name", "written", "value", "span")


def token(text: str, span: Span) -> Token:
    if not _TOKEN_EXACT:
        return build(Token, {"text": text, "span": span})
    t: Any = _new(Token)
    d = t.__dict__
    d["text"] = text
    d["span"] = span
    return t  # type: ignore[no-any-return]


def hash_of(algorithm: str, value: str, span: Span) -> Hash:
    if not _HASH_EXACT:
        return build(Hash, {"algorithm": algorithm, "value": value, "span": span})
    h: Any = _new(Hash)
    d = h.__dict__
    d["algorithm"] = algorithm
    d["value"] = value
    d["span"] = span
    return h  # type: ignore[no-any-return]


def option(name: str, written: Token, value: Optional[Token], span: Span) -> Option:
    if not _OPTION_EXACT:
        return build(Option, {"name": name, "written": written, "value": value, "span": span})
    o: Any = _new(Option)
    d = o.__dict__
    d["name"] = name
    d["written"] = written
    d["value"] = value
    d["span"] = span
    return o  # type: ignore[no-any-return]


def hash_option(line: int, column: int, word: str) -> tuple[Option, Hash]:
    """The Option and Hash of a `--hash=alg:value` word standing on one physical line from
    `column`: what `token`, `option`, `hash_of`, `position` and `span_of` would make, in one
    call (a pip-compile file has two or more of these per requirement)."""
    value = word[7:]
    algorithm, _, digest = value.partition(":")
    end = column + len(word)
    if not (_TOKEN_EXACT and _OPTION_EXACT and _HASH_EXACT):
        ospan = span(line, column, line, end)
        written = token("--hash", span(line, column, line, column + 6))
        value_token = token(value, span(line, column + 7, line, end))
        return option("--hash", written, value_token, ospan), hash_of(algorithm, digest, ospan)
    new = _new
    p_start: Any = new(Position)
    d = p_start.__dict__
    d["line"] = line
    d["character"] = column
    p_written: Any = new(Position)
    d = p_written.__dict__
    d["line"] = line
    d["character"] = column + 6
    p_value: Any = new(Position)
    d = p_value.__dict__
    d["line"] = line
    d["character"] = column + 7
    p_end: Any = new(Position)
    d = p_end.__dict__
    d["line"] = line
    d["character"] = end
    s_option: Any = new(Span)
    d = s_option.__dict__
    d["start"] = p_start
    d["end"] = p_end
    s_written: Any = new(Span)
    d = s_written.__dict__
    d["start"] = p_start
    d["end"] = p_written
    s_value: Any = new(Span)
    d = s_value.__dict__
    d["start"] = p_value
    d["end"] = p_end
    t_written: Any = new(Token)
    d = t_written.__dict__
    d["text"] = "--hash"
    d["span"] = s_written
    t_value: Any = new(Token)
    d = t_value.__dict__
    d["text"] = value
    d["span"] = s_value
    opt: Any = new(Option)
    d = opt.__dict__
    d["name"] = "--hash"
    d["written"] = t_written
    d["value"] = t_value
    d["span"] = s_option
    h: Any = new(Hash)
    d = h.__dict__
    d["algorithm"] = algorithm
    d["value"] = digest
    d["span"] = s_option
    return opt, h
