"""Fast construction of the (frozen dataclass) model objects.

A parse creates several objects per line; frozen dataclasses pay `object.__setattr__` per field
in `__init__`. These builders set the fields of a new instance directly: through each slot's
descriptor (the model classes have `__slots__` on Python 3.10+, `_compat.SLOTS`), or on 3.9
into the instance dictionary. They only suit classes without `__post_init__`: the model classes.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Optional, TypeVar

from pinwise.reqfile.model import Hash, Option, Token
from pinwise.spans import POSITION_SETTERS, Position, Span, moved, position, setter, span_of

T = TypeVar("T")
__all__ = ["build", "hash_option", "make", "moved", "position", "setter", "span", "span_of"]

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
    """`cls(**values)` without the frozen-dataclass `__init__` cost."""
    defaults, factories, count = _TEMPLATES.get(cls) or _template(cls)
    if len(values) != count:
        for key, default in defaults.items():
            if key not in values:
                values[key] = default
        for key, factory in factories:
            if key not in values:
                values[key] = factory()
    obj: Any = _new(cls)
    for key, value in values.items():
        _set(obj, key, value)  # `object`'s own: past the frozen class's refusal
    return obj  # type: ignore[no-any-return]


def make(cls: type[T], **values: Any) -> T:
    """`cls(**values)` without the frozen-dataclass `__init__` cost."""
    return build(cls, values)


_POSITION_LINE, _POSITION_CHARACTER, _SPAN_START, _SPAN_END = POSITION_SETTERS


def span(line: int, start: int, end_line: int, end: int) -> Span:
    return span_of(position(line, start), position(end_line, end))


# The fast paths' makers set each field of a new instance (see `setter`). Each checks that its
# class still has exactly these fields; if one was added, it goes through `build` (which fills in
# the defaults).


def _fields_are(cls: type, *names: str) -> bool:
    return tuple(f.name for f in fields(cls)) == names


_TOKEN_EXACT = _fields_are(Token, "text", "span")
_HASH_EXACT = _fields_are(Hash, "algorithm", "value", "span")
_OPTION_EXACT = _fields_are(Option, "name", "written", "value", "span")
_TOKEN_TEXT = setter(Token, "text")
_TOKEN_SPAN = setter(Token, "span")
_HASH_ALGORITHM = setter(Hash, "algorithm")
_HASH_VALUE = setter(Hash, "value")
_HASH_SPAN = setter(Hash, "span")
_OPTION_NAME = setter(Option, "name")
_OPTION_WRITTEN = setter(Option, "written")
_OPTION_VALUE = setter(Option, "value")
_OPTION_SPAN = setter(Option, "span")


def token(text: str, span: Span) -> Token:
    if not _TOKEN_EXACT:
        return build(Token, {"text": text, "span": span})
    t: Any = _new(Token)
    _TOKEN_TEXT(t, text)
    _TOKEN_SPAN(t, span)
    return t  # type: ignore[no-any-return]


def hash_of(algorithm: str, value: str, span: Span) -> Hash:
    if not _HASH_EXACT:
        return build(Hash, {"algorithm": algorithm, "value": value, "span": span})
    h: Any = _new(Hash)
    _HASH_ALGORITHM(h, algorithm)
    _HASH_VALUE(h, value)
    _HASH_SPAN(h, span)
    return h  # type: ignore[no-any-return]


def option(name: str, written: Token, value: Optional[Token], span: Span) -> Option:
    if not _OPTION_EXACT:
        return build(Option, {"name": name, "written": written, "value": value, "span": span})
    o: Any = _new(Option)
    _OPTION_NAME(o, name)
    _OPTION_WRITTEN(o, written)
    _OPTION_VALUE(o, value)
    _OPTION_SPAN(o, span)
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
    _POSITION_LINE(p_start, line)
    _POSITION_CHARACTER(p_start, column)
    p_written: Any = new(Position)
    _POSITION_LINE(p_written, line)
    _POSITION_CHARACTER(p_written, column + 6)
    p_value: Any = new(Position)
    _POSITION_LINE(p_value, line)
    _POSITION_CHARACTER(p_value, column + 7)
    p_end: Any = new(Position)
    _POSITION_LINE(p_end, line)
    _POSITION_CHARACTER(p_end, end)
    s_option: Any = new(Span)
    _SPAN_START(s_option, p_start)
    _SPAN_END(s_option, p_end)
    s_written: Any = new(Span)
    _SPAN_START(s_written, p_start)
    _SPAN_END(s_written, p_written)
    s_value: Any = new(Span)
    _SPAN_START(s_value, p_value)
    _SPAN_END(s_value, p_end)
    t_written: Any = new(Token)
    _TOKEN_TEXT(t_written, "--hash")
    _TOKEN_SPAN(t_written, s_written)
    t_value: Any = new(Token)
    _TOKEN_TEXT(t_value, value)
    _TOKEN_SPAN(t_value, s_value)
    opt: Any = new(Option)
    _OPTION_NAME(opt, "--hash")
    _OPTION_WRITTEN(opt, t_written)
    _OPTION_VALUE(opt, t_value)
    _OPTION_SPAN(opt, s_option)
    h: Any = new(Hash)
    _HASH_ALGORITHM(h, algorithm)
    _HASH_VALUE(h, digest)
    _HASH_SPAN(h, s_option)
    return opt, h
